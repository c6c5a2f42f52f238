"""The engine's transport: the core aiohttp transport with downloads written off the loop.

A download's bytes are reported to the progress hook of the task that runs it (a context
variable), which also learns the response's ETag. The body's bytes are written (and hashed) by
a worker thread, beside the event loop. Pacing is not this module's business: the runners
consult the downloader's ``Throttle`` (``traffic.Traffic``).
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol

from .._io.transport_aiohttp import AiohttpTransport
from .._protocol.http import Request, Response, Sink

__all__ = ["PROGRESS", "OffloadingTransport", "ProgressHook"]


class ProgressHook(Protocol):
    """Receives the progress of the download running in the current task."""

    def opened(self, status: int, headers: Mapping[str, str], done: int, total: int | None) -> None:
        """A body starts: ``done`` bytes are already on disk, of ``total`` (when known)."""

    def advanced(self, size: int) -> None:
        """``size`` more bytes arrived."""


PROGRESS: contextvars.ContextVar[ProgressHook | None] = contextvars.ContextVar(
    "kemopix_progress", default=None
)


_WRITERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kemopix-writer")
_QUEUED_CHUNKS = 8  # at most this many body chunks (1 MiB each) wait for the disk


class _OffloadedSink:
    """The download's sink, fed from a worker thread, and the progress hook told.

    Hashing and writing a body (the ``.part`` file's work) release the GIL, so a writer
    thread does them while the event loop reads the network: the two overlap instead of
    taking turns. Chunks keep their order (one writer per body); :meth:`drain` waits for the
    last one and re-raises a disk error, and runs before anyone reads the sink's state.
    """

    def __init__(self, inner: Sink, hook: ProgressHook | None) -> None:
        self.inner = inner
        self.hook = hook
        self.size = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED_CHUNKS)
        self._error: BaseException | None = None
        self._worker: Future[None] | None = None

    def open(self, status: int, headers: Mapping[str, str]) -> None:
        self.inner.open(status, headers)
        if self.hook is not None:
            done = int(getattr(self.inner, "size", 0) or 0)
            total = getattr(self.inner, "total", None)
            self.hook.opened(status, headers, done, total if isinstance(total, int) else None)
        self._worker = _WRITERS.submit(self._run)

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.inner.write(chunk)
                except BaseException as exc:  # reported by drain()
                    self._error = exc

    def write(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)  # blocks only when the disk is slower than the network
        self.size += len(chunk)
        if self.hook is not None:
            self.hook.advanced(len(chunk))

    def resume(self, request: Request) -> Request:
        return self.inner.resume(request)

    async def drain(self) -> None:
        if self._worker is None:
            return
        await asyncio.to_thread(self._queue.put, None)
        await asyncio.wrap_future(self._worker)
        self._worker = None
        if self._error is not None:
            raise self._error


class OffloadingTransport(AiohttpTransport):
    """``AiohttpTransport`` whose downloads are written by a worker thread and reported to the
    task's progress hook."""

    async def send(self, request: Request) -> Response:
        if request.sink is None:
            return await super().send(request)
        sink = _OffloadedSink(request.sink, PROGRESS.get())
        try:
            return await super().send(replace(request, sink=sink))
        finally:
            # The sink's size must be final before a retry asks it for a Range.
            await asyncio.shield(sink.drain())
