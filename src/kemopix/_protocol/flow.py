"""Multi-step HTTP work written once, as generators, and the policies wrapped around them.

A ``Flow[T]`` yields ``Request`` values and receives their ``Response``; it returns ``T``.
``supervise`` wraps a flow with the retry policy and the host limiter and yields
``Request | Sleep`` to a driver (``kemopix._io.drivers``), which only sends and sleeps.
Transport errors are thrown into the flow at its ``yield`` once retries are spent.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Protocol, TypeVar

from .errors import KemopixError
from .http import Request, Response, Sleep
from .ratelimit import HostLimiter
from .retry import RetryPolicy
from .status import parse_retry_after

__all__ = ["Clock", "DriverFlow", "Flow", "call", "supervise"]

T = TypeVar("T")

Flow = Generator[Request, Response, T]
DriverFlow = Generator[Request | Sleep, Response | None, T]


class Clock(Protocol):
    """Where the policies read time: ``monotonic()`` for budgets, ``time()`` for HTTP dates."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...


def call(request: Request) -> Flow[Response]:
    """The one-request flow."""
    return (yield request)


def supervise(
    flow: Flow[T],
    retry: RetryPolicy,
    limiter: HostLimiter,
    clock: Clock,
    rng: random.Random,
) -> DriverFlow[T]:
    """Run ``flow`` under the retry policy and the per-host budget; yields to a driver.

    The last response is handed to the flow whatever its status (the flow decides what an error
    status means); a transport error still failing after the retries is thrown into the flow.
    """
    try:
        request = next(flow)
        while True:
            try:
                response = yield from _attempt(request, retry, limiter, clock, rng)
            except KemopixError as exc:
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def _attempt(
    request: Request,
    retry: RetryPolicy,
    limiter: HostLimiter,
    clock: Clock,
    rng: random.Random,
) -> Generator[Request | Sleep, Response | None, Response]:
    attempt = 0
    while True:
        attempt += 1
        wait = limiter.reserve(request.host, clock.monotonic())
        if wait > 0:
            yield Sleep(wait)
        outcome: Response | KemopixError
        try:
            response = yield request
            assert response is not None
            outcome = response
        except KemopixError as exc:
            outcome = exc
        delay = retry.decide(request, attempt, outcome, clock.time(), rng)
        if isinstance(outcome, Response):
            server_delay = parse_retry_after(outcome.headers, clock.time())
            if server_delay is not None and retry.should_retry_response(outcome):
                # Everyone sharing this limiter waits, not only this request.
                limiter.pause(request.host, clock.monotonic() + server_delay)
        if delay is None:
            if isinstance(outcome, KemopixError):
                raise outcome
            return outcome
        if request.sink is not None:
            request = request.sink.resume(request)
        yield Sleep(delay)
