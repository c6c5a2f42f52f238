"""Read timeouts and the whole-answer time limit of the exchanges in flight, on one timer.

aiohttp's own read timeout (``sock_read``) arms a timer for every request and again for every
chunk that arrives, and ``asyncio.timeout`` arms one more per answer held in memory: on a run
of small files these timers were about 3% of the event loop's work. Here one timer looks at
every exchange in flight every ``period`` seconds (at most a second, at most an eighth of the
shortest limit in use). An exchange whose connection brought no byte for its read timeout, or
that ran past its whole-answer limit, is cancelled; the transport turns the cancellation into
the typed error. Progress is the count of body bytes aiohttp has received (every chunk, also
while one ``read()`` waits for a whole answer), so a large answer on a slow link that keeps
coming is never cut. A limit fires at most two periods late, never early.
"""

from __future__ import annotations

import asyncio
import math
from typing import Protocol

from msgspec import Struct

__all__ = ["READ", "TIME", "Deadlines", "Watched"]

READ, TIME = "read", "time"  # what an expired exchange ran out of
MAX_PERIOD = 1.0
MIN_PERIOD = 0.005
INF = math.inf


class _Stream(Protocol):
    """What is read of a response body: the bytes received so far (aiohttp's StreamReader)."""

    total_bytes: int


class Watched(Struct, eq=False):  # a Struct: made in C, once per request
    """One exchange in flight and its deadlines (loop time)."""

    task: asyncio.Task[object]
    cancelling: int  # cancellations requested of the task before this exchange
    last: float  # when the connection last brought bytes (at first: the start)
    read: float
    until: float
    stream: _Stream | None = None  # set when the headers are in
    seen: int = -1  # the stream's byte count at the last look (-1: the headers are news)
    expired: str | None = None  # READ or TIME once the deadline has cancelled the task

    def claim(self) -> str | None:
        """What expired, when the task's cancellation was this deadline's alone (it is then
        withdrawn, as ``asyncio.timeout`` does); None when it is someone else's too."""
        if self.expired is None:
            return None
        kind, self.expired = self.expired, None
        return kind if self.task.uncancel() <= self.cancelling else None


class Deadlines:
    """The exchanges in flight on one event loop, and the one timer that watches them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.period = MAX_PERIOD
        self._span = MAX_PERIOD * 8  # limits this long or longer leave the period as it is
        self._watched: set[Watched] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, task: asyncio.Task[object], read: float | None, limit: float | None) -> Watched:
        """Watch the exchange ``task`` runs from now: ``read`` seconds at most without a byte
        (the first one counted from now, connecting included), ``limit`` seconds at most in all
        (None: no cap)."""
        now = self.loop.time()
        read_for = INF if read is None else read
        watched = Watched(
            task, task.cancelling(), now, read_for, INF if limit is None else now + limit
        )
        self._watched.add(watched)
        # Sweeps are at most an eighth of the shortest limit apart: a shorter one may need them
        # closer (and the first exchange needs the timer started).
        if (
            self._timer is None
            or read_for < self._span
            or (limit is not None and limit < self._span)
        ):
            self._schedule(now, min(read_for, INF if limit is None else limit))
        return watched

    def _schedule(self, now: float, shortest: float) -> None:
        period = max(MIN_PERIOD, min(self.period, shortest / 8))
        if self._timer is None or period < self.period:
            self.period, self._span = period, period * 8
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self.loop.call_at(now + period, self._sweep)

    def forget(self, watched: Watched) -> None:
        """The exchange is over; a cancellation of its own that did not reach it is withdrawn."""
        self._watched.discard(watched)
        if watched.expired is not None:
            watched.expired = None
            watched.task.uncancel()

    def _sweep(self) -> None:
        now = self.loop.time()
        for watched in self._watched:
            stream = watched.stream
            if stream is not None and stream.total_bytes != watched.seen:
                watched.seen = stream.total_bytes
                watched.last = now
            if watched.expired is not None:
                continue
            if now >= watched.until:
                watched.expired = TIME
            elif now - watched.last >= watched.read:
                watched.expired = READ
            else:
                continue
            watched.task.cancel()
        self._timer = self.loop.call_at(now + self.period, self._sweep) if self._watched else None
