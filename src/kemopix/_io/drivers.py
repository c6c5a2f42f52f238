"""The two drivers: the only place where the send-and-sleep loop exists, once sync, once async.

Each runner owns a transport, a pacing policy (``Throttle``: the config's ``HostLimiter`` unless
one is given) and the retry RNG, and runs flows through ``supervise``. Endpoint logic lives in
flows, so a public method is one line per flavour.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from .._protocol.config import Config
from .._protocol.errors import ErrorMap, KemopixError
from .._protocol.flow import Clock, DriverFlow, Flow, supervise
from .._protocol.http import Request, Response, Sleep
from .._protocol.ratelimit import HostLimiter
from .._protocol.retry import RetryEvent
from .._protocol.throttle import Throttle
from .transport_aiohttp import AiohttpTransport

if TYPE_CHECKING:  # requests costs ~60 ms to import; async-only programs never need it
    from .transport_requests import RequestsTransport

__all__ = ["SYSTEM_CLOCK", "AsyncRunner", "SyncRunner", "SystemClock"]

T = TypeVar("T")


class SystemClock:
    """The real clock (its methods are the ``time`` module's own: no Python call in between)."""

    monotonic = staticmethod(time.monotonic)
    time = staticmethod(time.time)


SYSTEM_CLOCK = SystemClock()


class _RunnerBase:
    def __init__(
        self, config: Config, errors: ErrorMap | None, clock: Clock, throttle: Throttle | None
    ) -> None:
        self.config = config
        self.errors = errors
        self.clock = clock
        self.throttle: Throttle = throttle or HostLimiter(
            config.rate_limit, limit_loopback=config.limit_loopback
        )
        self.on_retry: Callable[[RetryEvent], None] | None = None
        self._rng = random.Random(config.seed)

    def _supervised(self, flow: Flow[T]) -> DriverFlow[T]:
        return supervise(
            flow, self.config.retry, self.throttle, self.clock, self._rng, self.on_retry
        )

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
        throttle: Throttle | None = None,
    ) -> None:
        super().__init__(transport.config, errors, clock, throttle)
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
                wait = self.throttle.admit(step, self.clock.monotonic())
                if wait > 0:
                    self._sleep(wait)
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


class _Gate:
    """Attempts in flight to one host (and lane), under a limit that may change at any time:
    ``limit(request)``, asked only when someone has to wait."""

    __slots__ = ("in_flight", "waiters")

    def __init__(self) -> None:
        self.in_flight = 0
        self.waiters: deque[asyncio.Future[None]] = deque()

    async def enter(self, limit: Callable[[Request], int], request: Request) -> None:
        if not self.waiters and self.in_flight < limit(request):
            self.in_flight += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter  # leave() has taken the slot on our behalf
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.leave(limit, request)
            elif waiter in self.waiters:
                self.waiters.remove(waiter)
            raise

    def leave(self, limit: Callable[[Request], int], request: Request) -> None:
        self.in_flight -= 1
        if not self.waiters:
            return  # nobody to wake: no need to ask for the limit
        free = limit(request) - self.in_flight  # the limit may have grown by several
        while free > 0 and self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                free -= 1
                waiter.set_result(None)


class AsyncRunner(_RunnerBase):
    """Runs flows with asyncio (aiohttp); caps concurrent requests per host.

    The cap is ``config.max_connections_per_host`` per host, unless the throttle sets its own
    (``concurrency``): then API answers and downloads (requests with a sink) to one host have
    separate caps, so a page request never queues behind a dozen large files.
    """

    def __init__(
        self,
        transport: AiohttpTransport,
        *,
        errors: ErrorMap | None = None,
        clock: Clock = SYSTEM_CLOCK,
        throttle: Throttle | None = None,
    ) -> None:
        super().__init__(transport.config, errors, clock, throttle)
        self.transport = transport
        self._gates: dict[tuple[str, bool], _Gate] = {}

    def _limit(self, request: Request) -> int:
        return self.throttle.concurrency(request) or self.config.max_connections_per_host

    def _gate(self, request: Request) -> tuple[_Gate, bool]:
        """The request's gate, and whether a slot was free and is now taken."""
        # A throttle that sets limits has two lanes per host; otherwise one cap per host.
        first = self.throttle.concurrency(request)
        key = (request.host, first is not None and request.sink is not None)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _Gate()
        if not gate.waiters and gate.in_flight < (first or self.config.max_connections_per_host):
            gate.in_flight += 1  # gate.enter's own first step, without a coroutine to await
            return gate, True
        return gate, False

    async def run(self, flow: Flow[T]) -> T:
        throttle, limit = self.throttle, self._limit
        driven = supervise(flow, self.config.retry, throttle, self.clock, self._rng, self.on_retry)
        reply: Response | None = None
        error: KemopixError | None = None
        try:
            while True:
                step = driven.throw(error) if error is not None else driven.send(reply)
                reply, error = None, None
                if isinstance(step, Sleep):
                    await asyncio.sleep(step.seconds)
                    continue
                # The send, in this coroutine rather than one of its own: every wake-up of a
                # request passes through each coroutine that awaits it.
                gate, entered = self._gate(step)
                if not entered:
                    await gate.enter(limit, step)
                try:
                    wait = throttle.admit(step, self.clock.monotonic())
                    if wait > 0:
                        await asyncio.sleep(wait)
                    reply = await self.transport.send(step)
                except KemopixError as exc:
                    error = exc
                finally:
                    gate.leave(limit, step)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        except KemopixError as exc:
            translated = self._translate(exc)
            if translated is exc:
                raise
            raise translated from exc

    async def aclose(self) -> None:
        await self.transport.aclose()
