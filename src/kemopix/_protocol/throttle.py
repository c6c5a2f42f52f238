"""The pacing policy a runner consults around every attempt: one interface, two implementations.

``supervise`` asks the policy how long to wait before each attempt (:meth:`Throttle.book`) and
tells it how the attempt ended (:meth:`Throttle.observe`, with Retry-After parsed once); the async
runner also asks how many attempts may be in flight per host (:meth:`Throttle.concurrency`).
Clients use ``HostLimiter`` (a fixed token bucket per host plus Retry-After pauses); the
downloader uses an adaptive policy (``kemopix.downloader.pacing.Traffic``) that learns a host's
limits from its answers and lets them decay back to the configured rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .errors import KemopixError
from .http import Request, Response

__all__ = ["Attempt", "Throttle"]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt and how it ended (``outcome`` None: abandoned, e.g. the task was cancelled).

    ``started``/``ended`` are monotonic seconds; ``retry_after`` is the server's Retry-After in
    seconds; ``throttled`` marks a 429 or a site's own "slow down" answer; ``retryable`` says the
    retry policy counts the outcome as transient (a retryable status or a broken exchange).
    """

    request: Request
    outcome: Response | KemopixError | None
    started: float
    ended: float
    retry_after: float | None = None
    throttled: bool = False
    retryable: bool = False

    @property
    def status(self) -> int | None:
        return self.outcome.status if isinstance(self.outcome, Response) else None


class Throttle(Protocol):
    """What a runner consults: a wait before each attempt, the outcome after it."""

    def book(self, request: Request, now: float) -> float:
        """Book one attempt at monotonic time ``now``; the seconds to wait before sending it.

        Every ``book`` is followed by exactly one :meth:`observe` of the same request.
        """

    def observe(self, attempt: Attempt) -> None:
        """How the booked attempt ended."""

    def concurrency(self, request: Request) -> int | None:
        """Attempts allowed in flight to the request's host (and lane); None: the runner's own."""
