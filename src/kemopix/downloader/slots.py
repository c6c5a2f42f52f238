"""A counting semaphore for the engine's per-post limits, taken without a coroutine when free.

``asyncio.Semaphore.acquire`` is a coroutine and looks at its waiters through a generator
even when a slot is free; the engine takes three slots per post (open posts, post details,
downloads), so :meth:`Slots.take_now` does that case as a plain call. Waiters are served
first come, first served, and a slot handed to a waiter cancelled meanwhile goes on to the
next one.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["Slots"]


class Slots:
    """``count`` slots for the tasks of one event loop."""

    __slots__ = ("_free", "_waiters")

    def __init__(self, count: int) -> None:
        self._free = count
        # Each waiter's future, in arrival order; a slot is free only while nobody waits.
        self._waiters: deque[asyncio.Future[None]] = deque()

    def take_now(self) -> bool:
        """Take a slot if one is free and nobody waits for one; whether it was taken."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def take(self) -> None:
        """Take a slot, waiting for one (behind the tasks already waiting)."""
        if self.take_now():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give()  # handed a slot just as it was cancelled: the next one's
            raise

    def give(self) -> None:
        """Give a slot back: to the first task waiting (a cancelled one is passed over)."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
