"""The engine's transport: the core aiohttp transport with downloads written off the loop.

A download's bytes are reported to the progress hook of the task that runs it (a context
variable), which also learns the response's ETag. The body's bytes are written (and hashed)
beside the event loop (``writer.OffloadedSink``). Pacing is not this module's business: the
runners consult the downloader's ``Throttle`` (``traffic.Traffic``).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from typing import Any

from .._io.transport_aiohttp import AiohttpTransport
from .._protocol.http import Request, Response, Sink
from .writer import OffloadedSink, ProgressHook

__all__ = ["PROGRESS", "OffloadingTransport", "ProgressHook"]


PROGRESS: contextvars.ContextVar[ProgressHook | None] = contextvars.ContextVar(
    "kemopix_progress", default=None
)


class OffloadingTransport(AiohttpTransport):
    """``AiohttpTransport`` whose downloads are written beside the event loop and reported to
    the task's progress hook."""

    def send(self, request: Request) -> Coroutine[Any, Any, Response]:
        # An answer held in memory: the core's exchange itself, no coroutine around it.
        if request.sink is None:
            return self.exchange(request, None)
        return self._download(request, request.sink)

    async def _download(self, request: Request, inner: Sink) -> Response:
        sink = OffloadedSink(inner, PROGRESS.get())
        try:
            return await self.exchange(request, sink)
        finally:
            # The sink's size must be final before a retry asks it for a Range. A small body
            # was written on the loop: nothing to wait for, no task to make.
            waiter = sink.flush()
            if waiter is not None:
                await asyncio.shield(waiter)
            sink.check()
