"""The two drivers: the only place where the send-and-sleep loop exists, once sync, once async.

Each runner owns a transport, the host limiter and the retry RNG, and runs flows through
``supervise``. Endpoint logic lives in flows, so a public method is one line per flavour.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from .._protocol.config import Config
from .._protocol.errors import ErrorMap, KemopixError
from .._protocol.flow import Clock, DriverFlow, Flow, supervise
from .._protocol.http import Request, Response, Sleep
from .._protocol.ratelimit import HostLimiter
from .transport_aiohttp import AiohttpTransport

if TYPE_CHECKING:  # requests costs ~60 ms to import; async-only programs never need it
    from .transport_requests import RequestsTransport

__all__ = ["SYSTEM_CLOCK", "AsyncRunner", "SyncRunner", "SystemClock"]

T = TypeVar("T")


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()


SYSTEM_CLOCK = SystemClock()


class _RunnerBase:
    def __init__(self, config: Config, errors: ErrorMap | None, clock: Clock) -> None:
        self.config = config
        self.errors = errors
        self.clock = clock
        self.limiter = HostLimiter(config.rate_limit, limit_loopback=config.limit_loopback)
        self._rng = random.Random(config.seed)

    def _supervised(self, flow: Flow[T]) -> DriverFlow[T]:
        return supervise(flow, self.config.retry, self.limiter, self.clock, self._rng)

    def _translate(self, exc: KemopixError) -> BaseException:
        return exc if self.errors is None else self.errors.translate(exc)


class SyncRunner(_RunnerBase):
    """Runs flows with blocking I/O (requests)."""

    def __init__(
        self,
        transport: RequestsTransport,
        *,
        errors: ErrorMap | None = None,
        clock: Clock = SYSTEM_CLOCK,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(transport.config, errors, clock)
        self.transport = transport
        self._sleep = sleep

    def run(self, flow: Flow[T]) -> T:
        driven = self._supervised(flow)
        reply: Response | None = None
        error: KemopixError | None = None
        try:
            while True:
                step = driven.throw(error) if error is not None else driven.send(reply)
                reply, error = None, None
                if isinstance(step, Sleep):
                    self._sleep(step.seconds)
                    continue
                try:
                    reply = self.transport.send(step)
                except KemopixError as exc:
                    error = exc
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        except KemopixError as exc:
            translated = self._translate(exc)
            if translated is exc:
                raise
            raise translated from exc

    def close(self) -> None:
        self.transport.close()


class AsyncRunner(_RunnerBase):
    """Runs flows with asyncio (aiohttp); caps concurrent requests per host."""

    def __init__(
        self,
        transport: AiohttpTransport,
        *,
        errors: ErrorMap | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(transport.config, errors, clock)
        self.transport = transport
        self._slots: dict[str, asyncio.Semaphore] = {}

    async def _send(self, request: Request) -> Response:
        slot = self._slots.get(request.host)
        if slot is None:
            slot = self._slots[request.host] = asyncio.Semaphore(
                self.config.max_connections_per_host
            )
        async with slot:
            return await self.transport.send(request)

    async def run(self, flow: Flow[T]) -> T:
        driven = self._supervised(flow)
        reply: Response | None = None
        error: KemopixError | None = None
        try:
            while True:
                step = driven.throw(error) if error is not None else driven.send(reply)
                reply, error = None, None
                if isinstance(step, Sleep):
                    await asyncio.sleep(step.seconds)
                    continue
                try:
                    reply = await self._send(step)
                except KemopixError as exc:
                    error = exc
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        except KemopixError as exc:
            translated = self._translate(exc)
            if translated is exc:
                raise
            raise translated from exc

    async def aclose(self) -> None:
        await self.transport.aclose()
