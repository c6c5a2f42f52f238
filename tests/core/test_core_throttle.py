"""The Throttle interface as the runners use it, over real sockets: caps, admits, outcomes."""

from __future__ import annotations

import asyncio

from core_server import CoreServer

from kemopix._io import AiohttpTransport, AsyncRunner, RequestsTransport, SyncRunner
from kemopix._protocol import (
    Attempt,
    Config,
    Request,
    RetryEvent,
    RetryPolicy,
    call,
)


class Recorder:
    """A throttle that allows ``limit`` attempts per host and remembers what it was told."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.admitted = 0
        self.in_flight = 0
        self.peak = 0
        self.attempts: list[Attempt] = []

    def admit(self, request: Request, now: float) -> float:
        self.admitted += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        return 0.01  # a wait, which the runner must honour

    def observe(self, attempt: Attempt) -> None:
        self.in_flight -= 1
        self.attempts.append(attempt)

    def concurrency(self, request: Request) -> int | None:
        return self.limit


CONFIG = Config(retry=RetryPolicy(backoff=0.01, jitter=0.0))


def test_async_runner_obeys_the_throttle_cap_and_reports_every_attempt(
    core_server: CoreServer,
) -> None:
    core_server.plan["/json"] = ["status:503:0"] + ["ok"] * 12
    throttle = Recorder(limit=2)
    events: list[RetryEvent] = []

    async def main() -> list[int]:
        runner = AsyncRunner(AiohttpTransport(CONFIG), throttle=throttle)
        runner.on_retry = events.append
        try:
            flows = [call(Request.build("GET", core_server.url + "/json")) for _ in range(12)]
            return [r.status for r in await asyncio.gather(*(runner.run(f) for f in flows))]
        finally:
            await runner.aclose()

    assert asyncio.run(main()) == [200] * 12
    assert throttle.peak <= 2  # never more in flight than the throttle allows
    assert throttle.admitted == len(throttle.attempts) == 13  # 12 requests, one retried
    refused = [a for a in throttle.attempts if a.status == 503]
    assert len(refused) == 1 and refused[0].retry_after == 0.0 and refused[0].retryable
    assert len(events) == 1 and "HTTP 503" in str(events[0]) and "attempt 2 of 5" in str(events[0])


def test_sync_runner_admits_each_attempt(core_server: CoreServer) -> None:
    core_server.plan["/json"] = ["status:429", "ok"]
    throttle = Recorder(limit=None)
    runner = SyncRunner(RequestsTransport(CONFIG), throttle=throttle)
    try:
        response = runner.run(call(Request.build("GET", core_server.url + "/json")))
    finally:
        runner.close()
    assert response.status == 200
    assert throttle.admitted == 2 and [a.throttled for a in throttle.attempts] == [True, False]
