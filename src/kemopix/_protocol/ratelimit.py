"""Per-host request budgets as pure state: the caller passes the time and does the waiting."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from msgspec import Struct

from .http import Request
from .throttle import Attempt

__all__ = ["HostLimiter", "RateLimit", "TokenBucket", "is_loopback"]


class RateLimit(Struct, frozen=True):
    """``rate`` requests per second on average, with bursts of up to ``burst``."""

    rate: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs rate > 0 and burst >= 1")


class TokenBucket:
    """A token bucket with reservations: ``reserve`` books a slot and says how long to wait."""

    __slots__ = ("_tokens", "_updated", "limit")

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.limit = limit
        self._tokens = float(limit.burst)
        self._updated = now

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.limit.burst), self._tokens + elapsed * self.limit.rate)
        self._updated = now

    def reserve(self, now: float) -> float:
        """Take one token; return the seconds to wait before using it (0 if none)."""
        self._refill(now)
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.limit.rate


def is_loopback(host: str) -> bool:
    """Whether ``scheme://host:port`` (or a bare host) points at this machine."""
    name = urlsplit(host).hostname if "://" in host else host
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HostLimiter:
    """The clients' ``Throttle``: one token bucket per host, and Retry-After pauses.

    Loopback hosts (local emulators, test servers) are not limited unless ``limit_loopback`` is
    set: the gentleness is owed to shared public sites, and a local server enforces its own.
    """

    def __init__(self, limit: RateLimit | None, *, limit_loopback: bool = False) -> None:
        self.limit = limit
        self.limit_loopback = limit_loopback
        self._buckets: dict[str, TokenBucket] = {}
        self._pauses: dict[str, float] = {}

    def _applies(self, host: str) -> bool:
        return self.limit is not None and (self.limit_loopback or not is_loopback(host))

    def reserve(self, host: str, now: float) -> float:
        """Book one request to ``host``; the seconds to wait before sending it."""
        pause = max(0.0, self._pauses.get(host, 0.0) - now)
        if not self._applies(host):
            return pause
        assert self.limit is not None
        bucket = self._buckets.get(host)
        if bucket is None:
            bucket = self._buckets[host] = TokenBucket(self.limit, now)
        return max(pause, bucket.reserve(now))

    def pause(self, host: str, until: float) -> None:
        """Hold every request to ``host`` until ``until`` (after a 429 with Retry-After)."""
        self._pauses[host] = max(self._pauses.get(host, 0.0), until)

    # -- the Throttle interface ---------------------------------------------------------------
    def admit(self, request: Request, now: float) -> float:
        return self.reserve(request.host, now)

    def observe(self, attempt: Attempt) -> None:
        if attempt.retry_after is not None and attempt.retryable and attempt.status is not None:
            # Everyone sharing this limiter waits, not only the request that was told.
            self.pause(attempt.request.host, attempt.ended + attempt.retry_after)

    def concurrency(self, request: Request) -> int | None:
        return None
