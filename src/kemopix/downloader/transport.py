"""The engine's transport: the core aiohttp transport under per-host traffic control.

Every request (each retry included) waits for a concurrency permit and its rate budget, and its
outcome feeds the host's AIMD and rate state. A download's bytes are reported to the progress
hook of the task that runs it (a context variable), which also learns the response's ETag.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

from .._io.transport_aiohttp import AiohttpTransport
from .._protocol.config import Config
from .._protocol.errors import NetworkError, Timeout, TruncatedBody
from .._protocol.http import Request, Response, Sink
from .._protocol.status import parse_retry_after
from .traffic import Traffic

__all__ = ["PROGRESS", "ControlledTransport", "ProgressHook"]

MB = 1 << 20


class ProgressHook(Protocol):
    """Receives the progress of the download running in the current task."""

    def opened(self, status: int, headers: Mapping[str, str], done: int, total: int | None) -> None:
        """A body starts: ``done`` bytes are already on disk, of ``total`` (when known)."""

    def advanced(self, size: int) -> None:
        """``size`` more bytes arrived."""


PROGRESS: contextvars.ContextVar[ProgressHook | None] = contextvars.ContextVar(
    "kemopix_progress", default=None
)


class _CountingSink:
    """Forwards to the download's sink and tells the progress hook."""

    def __init__(self, inner: Sink, hook: ProgressHook) -> None:
        self.inner = inner
        self.hook = hook
        self.size = 0

    def open(self, status: int, headers: Mapping[str, str]) -> None:
        self.inner.open(status, headers)
        done = int(getattr(self.inner, "size", 0) or 0)
        total = getattr(self.inner, "total", None)
        self.hook.opened(status, headers, done, total if isinstance(total, int) else None)

    def write(self, chunk: bytes) -> None:
        self.inner.write(chunk)
        self.size += len(chunk)
        self.hook.advanced(len(chunk))

    def resume(self, request: Request) -> Request:
        return self.inner.resume(request)


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
            hook = PROGRESS.get()
            counting = None
            if request.sink is not None and hook is not None:
                counting = _CountingSink(request.sink, hook)
                request = replace(request, sink=counting)
            try:
                response = await super().send(request)
            except (Timeout, NetworkError, TruncatedBody) as exc:
                await host.failed(started, type(exc).__name__)
                raise
            size = counting.size if counting is not None else len(response.content)
            units += size / MB
            retry_after = parse_retry_after(response.headers, time.time())
            throttle = self._is_throttled is not None and self._is_throttled(response)
            await host.answered(started, response.status, size, retry_after, throttle=throttle)
            return response
        finally:
            host.release(time.time(), units)
