"""Writing download bodies beside the event loop, with no way to deadlock.

Hashing and writing a body (the ``.part`` file's work) release the GIL, so worker threads do
them while the event loop reads the network. A body holds no thread while it waits for the
network: the chunks that arrive are queued on their body, and once ``BATCH`` bytes are queued
(or the body ends) the body gets one job in the shared pool, which writes them in order and
ends when the queue is empty. A job never waits for the event loop or for another body, so
every job ends, whatever the number of bodies in flight (hosts x connections) against the
number of threads. When the disk falls behind, the loop waits for the job of the body it is
feeding (bounded: at most ``MAX_QUEUED`` bytes). A small body (at most ``INLINE_BYTES``, or
the first of them when its length is unknown) is written on the loop itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from .._protocol.http import Request, Sink

__all__ = ["BATCH", "INLINE_BYTES", "MAX_QUEUED", "OffloadedSink", "ProgressHook"]

MAX_QUEUED = 8 << 20  # bytes of one body waiting for the disk before the loop waits too
# Bytes handed to a job at a time: a hop per chunk (aiohttp reads at most 256 KiB at a time)
# woke a thread and traded the GIL for every chunk. Must not exceed MAX_QUEUED.
BATCH = 1 << 20
# A small body is written on the loop: for 16 KiB a thread hop (and the GIL hand-offs it
# causes) costs far more than writing and hashing the bytes.
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

    Chunks keep their order (one job at a time per body). Before anyone reads the inner sink's
    state (its size, for a Range retry), :meth:`flush` hands over the last chunks and gives the
    future to wait for, and :meth:`check` re-raises a disk error.
    """

    __slots__ = (
        "_chunks",
        "_cond",
        "_drained",
        "_error",
        "_inline",
        "_loop",
        "_queued",
        "_scheduled",
        "hook",
        "inner",
        "size",
    )

    def __init__(self, inner: Sink, hook: ProgressHook | None) -> None:
        self.inner = inner
        self.hook = hook
        self.size = 0
        self._inline = INLINE_BYTES  # bytes of this body that may still be written on the loop
        self._queued = 0  # bytes in _chunks and in the hands of the body's job
        self._scheduled = False
        self._error: BaseException | None = None
        # Made with the first queued chunk: a small body, written on the loop, needs none.
        self._cond: threading.Condition | None = None
        self._chunks: deque[bytes] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self, status: int, headers: Mapping[str, str]) -> None:
        self.inner.open(status, headers)
        done = int(getattr(self.inner, "size", 0) or 0)
        total = getattr(self.inner, "total", None)
        total = total if isinstance(total, int) else None
        if total is not None and total - done > INLINE_BYTES:
            # Known to be large: every byte goes to the pool (as many hops; the loop hashes
            # none of it).
            self._inline = 0
        if self.hook is not None:
            self.hook.opened(status, headers, done, total)

    def write(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        size = len(chunk)
        # Only the loop queues chunks: with nothing queued, an inline write keeps their order
        # (and once one is queued, the body is past its inline bytes for good).
        if self._queued == 0 and self.size + size <= self._inline:
            self.inner.write(chunk)
        else:
            if self._cond is None:  # no job can run before this: only queued chunks make one
                self._cond = threading.Condition(threading.Lock())
                self._chunks = deque()
            assert self._chunks is not None
            with self._cond:
                # A job is scheduled whenever BATCH (<= MAX_QUEUED) bytes are queued, and jobs
                # never wait for the loop: this wait always ends.
                while self._queued >= MAX_QUEUED and self._error is None:
                    self._cond.wait()
                if self._error is not None:
                    raise self._error
                self._chunks.append(chunk)
                self._queued += size
                if not self._scheduled and self._queued >= BATCH:
                    self._schedule()
        self.size += size
        if self.hook is not None:
            self.hook.advanced(size)

    def _schedule(self) -> None:
        """Give the queued chunks a job (``_cond`` held)."""
        self._scheduled = True
        _POOL.submit(self._job)

    def _job(self) -> None:
        cond, chunks = self._cond, self._chunks
        assert cond is not None
        assert chunks is not None
        while True:
            with cond:
                if not chunks:
                    self._scheduled = False
                    cond.notify_all()
                    self._wake()
                    return
                batch = list(chunks)
                chunks.clear()
            if self._error is None:
                try:
                    for chunk in batch:
                        self.inner.write(chunk)
                except BaseException as exc:  # reported by write() and check()
                    self._error = exc
            with cond:
                self._queued -= sum(map(len, batch))
                cond.notify_all()

    def _wake(self) -> None:
        waiter, loop = self._drained, self._loop
        if waiter is not None and loop is not None:
            self._drained = None
            loop.call_soon_threadsafe(_settle, waiter)

    def resume(self, request: Request) -> Request:
        return self.inner.resume(request)

    def flush(self) -> asyncio.Future[None] | None:
        """Hand the chunks still queued to a job; the future that is done once every chunk is
        written, or None when all of them already are. Called on the loop."""
        if self._cond is None:
            return None  # nothing was ever queued: every chunk was written on the loop
        with self._cond:
            if self._chunks and not self._scheduled:
                self._schedule()
            if not self._scheduled:
                return None
            if self._drained is None:
                self._loop = asyncio.get_running_loop()
                self._drained = self._loop.create_future()
            return self._drained

    def check(self) -> None:
        """Raise the error of a failed write, if there was one."""
        if self._error is not None:
            raise self._error


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
