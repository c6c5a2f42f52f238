"""Token buckets per access token: the emulator's stand-in for pixiv's unpublished limit.

pixiv-protocol.md §5: there is no published number; bursts trip it. A bucket holds one
second's worth of requests (at least one) and refills at ``rate`` per second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """``allow(key, rate)`` says whether one more request fits in ``key``'s bucket."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def allow(self, key: str, rate: float) -> bool:
        capacity = max(1.0, rate)
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            return True
