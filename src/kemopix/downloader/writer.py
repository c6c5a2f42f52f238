"""Writing download bodies beside the event loop, with no way to deadlock.

Hashing and writing a body (the ``.part`` file's work) release the GIL, so worker threads do
them while the event loop reads the network. A body holds no thread while it waits for the
network: each chunk that arrives is queued on its body, and a body with queued chunks has one
job in the shared pool that writes them in order and ends when the queue is empty. A job never
waits for the event loop or for another body, so every job ends, whatever the number of bodies
in flight (hosts x connections) against the number of threads. When the disk falls behind, the
loop waits for the job of the body it is feeding (bounded: at most ``MAX_QUEUED`` bytes).
A body's first ``INLINE_BYTES`` are written on the loop itself: a small file never leaves it.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from .._protocol.http import Request, Sink

__all__ = ["INLINE_BYTES", "MAX_QUEUED", "OffloadedSink", "ProgressHook"]

MAX_QUEUED = 8 << 20  # bytes of one body waiting for the disk before the loop waits too
# The first bytes of a body are written on the loop: for a small file a thread hop (and the
# GIL hand-offs it causes) costs far more than writing and hashing 16 KiB.
INLINE_BYTES = 256 << 10
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kemopix-writer")


class ProgressHook(Protocol):
    """Receives the progress of the download running in the current task."""

    def opened(self, status: int, headers: Mapping[str, str], done: int, total: int | None) -> None:
        """A body starts: ``done`` bytes are already on disk, of ``total`` (when known)."""

    def advanced(self, size: int) -> None:
        """``size`` more bytes arrived."""


class OffloadedSink:
    """A download's sink fed through the writer pool, with the progress hook told.

    Chunks keep their order (one job at a time per body). :meth:`drain` waits until every
    queued chunk is written and re-raises a disk error; it runs before anyone reads the inner
    sink's state (its size, for a Range retry).
    """

    def __init__(self, inner: Sink, hook: ProgressHook | None) -> None:
        self.inner = inner
        self.hook = hook
        self.size = 0
        self._chunks: deque[bytes] = deque()
        self._queued = 0
        self._scheduled = False
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        self._drained: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self, status: int, headers: Mapping[str, str]) -> None:
        self.inner.open(status, headers)
        if self.hook is not None:
            done = int(getattr(self.inner, "size", 0) or 0)
            total = getattr(self.inner, "total", None)
            self.hook.opened(status, headers, done, total if isinstance(total, int) else None)

    def write(self, chunk: bytes) -> None:
        # Only the loop schedules jobs: with none scheduled, nothing is queued either, so an
        # inline write keeps the order of the chunks.
        if not self._scheduled and self.size + len(chunk) <= INLINE_BYTES:
            if self._error is not None:
                raise self._error
            self.inner.write(chunk)
            self.size += len(chunk)
            if self.hook is not None:
                self.hook.advanced(len(chunk))
            return
        with self._cond:
            # A job for this body is scheduled whenever bytes are queued, and jobs never wait
            # for the loop: this wait always ends.
            while self._queued >= MAX_QUEUED and self._error is None:
                self._cond.wait()
            if self._error is not None:
                raise self._error
            self._chunks.append(chunk)
            self._queued += len(chunk)
            if not self._scheduled:
                self._scheduled = True
                _POOL.submit(self._flush)
        self.size += len(chunk)
        if self.hook is not None:
            self.hook.advanced(len(chunk))

    def _flush(self) -> None:
        while True:
            with self._cond:
                if not self._chunks:
                    self._scheduled = False
                    self._cond.notify_all()
                    self._wake()
                    return
                chunk = self._chunks.popleft()
            if self._error is None:
                try:
                    self.inner.write(chunk)
                except BaseException as exc:  # reported by write() and drain()
                    self._error = exc
            with self._cond:
                self._queued -= len(chunk)
                self._cond.notify_all()

    def _wake(self) -> None:
        waiter, loop = self._drained, self._loop
        if waiter is not None and loop is not None:
            self._drained = None
            loop.call_soon_threadsafe(_settle, waiter)

    def resume(self, request: Request) -> Request:
        return self.inner.resume(request)

    async def drain(self) -> None:
        """Wait until every chunk is on disk; raise the disk error if there was one."""
        with self._cond:
            waiter = None
            if self._scheduled:
                self._loop = asyncio.get_running_loop()
                waiter = self._drained = self._loop.create_future()
        if waiter is not None:
            await waiter
        if self._error is not None:
            raise self._error


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
