"""Multi-step HTTP work written once, as generators, and the policies wrapped around them.

A ``Flow[T]`` yields ``Request`` values and receives their ``Response``; it returns ``T``.
``supervise`` wraps a flow with the retry policy and the pacing policy (``Throttle``) and yields
``Request | Sleep`` to a driver (``kemopix._io.drivers``), which only sends and sleeps.
Transport errors are thrown into the flow at its ``yield`` once retries are spent.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from typing import Protocol, TypeVar

from .errors import ConnectError, KemopixError, NetworkError, Timeout, TruncatedBody
from .http import Request, Response, Sleep
from .retry import RetryEvent, RetryPolicy
from .status import parse_retry_after
from .throttle import Attempt, Throttle

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
    throttle: Throttle,
    clock: Clock,
    rng: random.Random,
    on_retry: Callable[[RetryEvent], None] | None = None,
) -> DriverFlow[T]:
    """Run ``flow`` under the retry policy; yields to a driver, which admits each request
    through ``throttle`` (the pacing policy) and sends it; the outcomes go back to ``throttle``.

    The last response is handed to the flow whatever its status (the flow decides what an error
    status means); a transport error still failing after the retries is thrown into the flow.
    ``on_retry`` hears of every retry before its wait.
    """
    try:
        request = next(flow)
        while True:
            try:
                response = yield from _attempt(request, retry, throttle, clock, rng, on_retry)
            except KemopixError as exc:
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def _attempt(
    request: Request,
    retry: RetryPolicy,
    throttle: Throttle,
    clock: Clock,
    rng: random.Random,
    on_retry: Callable[[RetryEvent], None] | None,
) -> Generator[Request | Sleep, Response | None, Response]:
    attempt = 0
    while True:
        attempt += 1
        outcome: Response | KemopixError | None = None
        started = clock.monotonic()
        retry_after: float | None = None
        throttled = False
        retryable: bool | None = None
        try:
            try:
                response = yield request
                assert response is not None
                outcome = response
            except KemopixError as exc:
                outcome = exc
            now: float | None = None  # the wall clock, read only for a Retry-After or a decision
            if isinstance(outcome, Response):
                if outcome.headers.get("retry-after"):
                    now = clock.time()
                    retry_after = parse_retry_after(outcome.headers, now)  # the one parse
                throttled = retry.throttles(outcome)
                # retry.should_retry_response(outcome), without asking throttles() again
                retryable = throttled or outcome.status in retry.statuses
            # An answer the policy does not retry (most of them) needs no decision.
            delay = None
            if retryable is not False:
                now = clock.time() if now is None else now
                delay = retry.decide(request, attempt, outcome, now, rng, retry_after=retry_after)
        finally:
            if retryable is None:
                retryable = (
                    retry.should_retry_response(outcome)
                    if isinstance(outcome, Response)
                    else isinstance(outcome, (Timeout, NetworkError, TruncatedBody, ConnectError))
                )
            # A wait longer than the retry policy accepts is not passed on: this request fails
            # now, and the host is not paused for everyone (a 503 "back in an hour").
            told = (
                retry_after if retry_after is None or retry_after <= retry.max_retry_after else None
            )
            throttle.observe(
                Attempt(request, outcome, started, clock.monotonic(), told, throttled, retryable)
            )
        if delay is None:
            if isinstance(outcome, KemopixError):
                raise outcome
            assert outcome is not None
            return outcome
        if on_retry is not None:
            on_retry(
                RetryEvent(request, attempt, retry.attempts_for(outcome), delay, _reason(outcome))
            )
        if request.sink is not None:
            request = request.sink.resume(request)
        yield Sleep(delay)


def _reason(outcome: Response | KemopixError | None) -> str:
    if isinstance(outcome, Response):
        return f"HTTP {outcome.status}"
    return str(outcome)
