"""Rate limits of the Kemono emulator: a fixed one-second window per limiter (the API has one,
the data hosts share another: the live data servers limit a client, not a host)."""

from __future__ import annotations

import threading
import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most ``rate`` requests per one-second window; beyond that 429 + Retry-After."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.refused = 0
        self._window = 0
        self._count = 0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        now = int(time.monotonic())
        with self._lock:
            if now != self._window:
                self._window, self._count = now, 0
            self._count += 1
            if self._count <= self.rate:
                return True
            self.refused += 1
            return False
