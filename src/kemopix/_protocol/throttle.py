"""The pacing policy a runner consults around every attempt: one interface, two implementations.

A runner asks the policy how many attempts may be in flight per host (:meth:`Throttle.concurrency`),
then, once an attempt has its slot, how long to wait before sending it (:meth:`Throttle.admit`:
asked at the last moment, so a pause or a lower rate learned meanwhile applies to requests that
were already queued); ``supervise`` tells it how each attempt ended (:meth:`Throttle.observe`,
with Retry-After parsed once).
Clients use ``HostLimiter`` (a fixed token bucket per host plus Retry-After pauses); the
downloader uses an adaptive policy (``kemopix.downloader.pacing.Traffic``) that learns a host's
limits from its answers and lets them decay back to the configured rate.
"""

from __future__ import annotations

from typing import Protocol

from msgspec import Struct

from .errors import KemopixError
from .http import Request, Response

__all__ = ["Attempt", "Throttle"]


class Attempt(Struct, frozen=True):
    """One attempt and how it ended (``outcome`` None: abandoned, e.g. the task was cancelled).

    ``started`` (handed to the driver, which may then wait for a slot and for ``admit``) and
    ``ended`` are monotonic seconds; ``retry_after`` is the server's Retry-After in seconds (None
    also when it is longer than the retry policy accepts); ``throttled`` marks a 429 or a site's
    own "slow down" answer; ``retryable`` says the retry policy counts the outcome as transient
    (a retryable status or a broken exchange).
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
    """What a runner consults: slots per host, a wait before each attempt, its outcome after."""

    def admit(self, request: Request, now: float) -> float:
        """The attempt has its slot (monotonic time ``now``): the seconds to wait before sending.

        Called once per attempt sent; :meth:`observe` follows for every attempt, sent or not.
        """

    def observe(self, attempt: Attempt) -> None:
        """How an attempt ended (``outcome`` None: abandoned, perhaps before it was admitted)."""

    def concurrency(self, request: Request) -> int | None:
        """Attempts allowed in flight to the request's host (and lane); None: the runner's own."""
