"""The engine's transport: the core aiohttp transport under per-host traffic control.

Every request (each retry included) waits for a concurrency permit and its rate budget, and its
outcome feeds the host's AIMD and rate state. A download's bytes are reported to the progress
hook of the task that runs it (a context variable), which also learns the response's ETag.
The body's bytes are written (and hashed) beside the event loop (``writer.OffloadedSink``).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from dataclasses import replace

from .._io.transport_aiohttp import AiohttpTransport
from .._protocol.config import Config
from .._protocol.errors import NetworkError, Timeout, TruncatedBody
from .._protocol.http import Request, Response
from .._protocol.status import parse_retry_after
from .traffic import Traffic
from .writer import OffloadedSink, ProgressHook

__all__ = ["PROGRESS", "ControlledTransport", "ProgressHook"]

MB = 1 << 20


PROGRESS: contextvars.ContextVar[ProgressHook | None] = contextvars.ContextVar(
    "kemopix_progress", default=None
)


class ControlledTransport(AiohttpTransport):
    """``AiohttpTransport`` whose ``send`` obeys and feeds the run's ``Traffic``."""

    def __init__(self, config: Config, traffic: Traffic) -> None:
        super().__init__(config)
        self.traffic = traffic
        self._is_throttled = config.retry.is_throttled

    async def send(self, request: Request) -> Response:
        host = self.traffic.host(request.host, "files" if request.sink is not None else "api")
        started = await host.acquire()
        units = 1.0
        try:
            sink = None
            if request.sink is not None:
                sink = OffloadedSink(request.sink, PROGRESS.get())
                request = replace(request, sink=sink)
            try:
                try:
                    response = await super().send(request)
                finally:
                    if sink is not None:
                        # The sink's size must be final before a retry asks it for a Range.
                        await asyncio.shield(sink.drain())
            except (Timeout, NetworkError, TruncatedBody) as exc:
                await host.failed(started, type(exc).__name__)
                raise
            size = sink.size if sink is not None else len(response.content)
            units += size / MB
            retry_after = parse_retry_after(response.headers, time.time())
            throttle = self._is_throttled is not None and self._is_throttled(response)
            await host.answered(started, response.status, size, retry_after, throttle=throttle)
            return response
        finally:
            host.release(time.time(), units)
