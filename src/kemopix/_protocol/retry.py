"""Retry decisions as a pure function of the attempt and its outcome."""

from __future__ import annotations

import random
from collections.abc import Callable
from types import EllipsisType

from msgspec import Struct

from .._structs import value_without
from .errors import (
    ConnectError,
    ConnectionRefused,
    ConnectTimeout,
    KemopixError,
    NetworkError,
    Timeout,
    TruncatedBody,
)
from .http import Request, Response
from .status import parse_retry_after

__all__ = ["NO_RETRY", "RETRY_STATUSES", "Outcome", "RetryEvent", "RetryPolicy"]

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})

Outcome = Response | KemopixError


class RetryPolicy(Struct, frozen=True):
    """When to try again, and after how long.

    ``decide`` returns the delay in seconds before the next attempt, or None to stop. Retry-After
    (seconds or HTTP-date) is honoured when the server gives it, up to ``max_retry_after``;
    otherwise the delay grows as ``backoff * 2**(attempt-1)`` capped at ``max_backoff``, with up
    to ``jitter`` of it added at random. Only idempotent requests are retried, except after a
    connect failure, when the request never reached the server. A refused connection (nothing
    listens there: the site is down or the URL wrong) is tried ``refused_attempts`` times in all,
    after ``backoff`` seconds, so a dead host fails in well under a second.
    """

    max_attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 30.0
    jitter: float = 0.25
    max_retry_after: float = 300.0
    refused_attempts: int = 2
    statuses: frozenset[int] = RETRY_STATUSES
    # A site may signal throttling without 429 (pixiv: 403 {"error": {"message": "Rate Limit"}}).
    is_throttled: Callable[[Response], bool] | None = None  # not compared

    __eq__, __hash__ = value_without("is_throttled")

    def decide(
        self,
        request: Request,
        attempt: int,
        outcome: Outcome,
        now: float,
        rng: random.Random,
        *,
        retry_after: float | EllipsisType | None = ...,
    ) -> float | None:
        """Delay before attempt ``attempt + 1``, or None to give up (``attempt`` counts from 1).

        ``retry_after`` is the answer's Retry-After when the caller has parsed it already.
        """
        if attempt >= self.attempts_for(outcome):
            return None
        if isinstance(outcome, ConnectionRefused):
            return self.backoff
        server_delay: float | None = None
        if isinstance(outcome, Response):
            if not self.should_retry_response(outcome):
                return None
            server_delay = (
                parse_retry_after(outcome.headers, now) if retry_after is ... else retry_after
            )
        elif isinstance(outcome, (ConnectError, ConnectTimeout)):
            pass  # never reached the server: safe whatever the method
        elif not isinstance(outcome, (Timeout, NetworkError, TruncatedBody)):
            return None
        if not request.retryable and not isinstance(outcome, (ConnectError, ConnectTimeout)):
            return None
        if server_delay is not None:
            return None if server_delay > self.max_retry_after else server_delay
        base = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return base + base * self.jitter * rng.random()

    def attempts_for(self, outcome: Outcome) -> int:
        """How many attempts in all an outcome like this one gets."""
        if isinstance(outcome, ConnectionRefused):
            return min(self.max_attempts, self.refused_attempts)
        return self.max_attempts

    def should_retry_response(self, response: Response) -> bool:
        if response.status in self.statuses:
            return True
        return self.throttles(response)

    def throttles(self, response: Response) -> bool:
        """A 429, or the site's own way of saying "slow down"."""
        if response.status == 429:
            return True
        return self.is_throttled is not None and self.is_throttled(response)


class RetryEvent(Struct, frozen=True):
    """A retry about to happen, for progress displays: ``str()`` is one line for a user."""

    request: Request
    attempt: int  # the attempt that failed, counting from 1
    max_attempts: int
    delay: float
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.reason}; retrying {self.request.method} {self.request.url} in "
            f"{self.delay:.1f}s (attempt {self.attempt + 1} of {self.max_attempts})"
        )


NO_RETRY = RetryPolicy(max_attempts=1)
