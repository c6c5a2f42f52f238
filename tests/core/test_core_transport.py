"""Transports and drivers against a real local server: retries, timeouts, resets, bad bodies."""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

import pytest
import requests
from core_runners import make_runner
from core_server import CoreServer

from kemopix._protocol import (
    Challenge,
    Config,
    ConnectError,
    DecodeError,
    ErrorMap,
    Flow,
    HTTPStatusError,
    KemopixError,
    NetworkError,
    NotFound,
    RateLimited,
    ReadTimeout,
    Request,
    RetryPolicy,
    ServerError,
    Timeouts,
    TruncatedBody,
    check_status,
)

FAST = Config(retry=RetryPolicy(backoff=0.01, max_attempts=4), timeout=Timeouts(read=0.5))


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def get_json(url: str, method: str = "GET") -> Flow[Any]:
    response = yield Request.build(method, url, json={"x": 1} if method == "POST" else None)
    return check_status(response).json()


def test_plain_json_and_user_agent(core_server: CoreServer, kind: str) -> None:
    run = make_runner(kind, FAST.replace(user_agent="kemopix-test/1"))
    assert run(lambda: get_json(core_server.url + "/json")) == {"ok": True, "method": "GET"}
    assert core_server.seen_headers[-1]["User-Agent"] == "kemopix-test/1"


def test_429_with_retry_after_is_retried(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["status:429:1", "status:503:0"]
    run = make_runner(kind, FAST)
    started = time.monotonic()
    assert run(lambda: get_json(core_server.url + "/json"))["ok"] is True
    assert core_server.hits["/json"] == 3
    assert time.monotonic() - started >= 0.9  # Retry-After: 1 was honoured


def test_retry_after_http_date(core_server: CoreServer, kind: str) -> None:
    from email.utils import formatdate

    core_server.plan["/json"] = [f"status:503:{formatdate(time.time() + 1, usegmt=True)}"]
    run = make_runner(kind, FAST)
    started = time.monotonic()
    assert run(lambda: get_json(core_server.url + "/json"))["ok"] is True
    assert time.monotonic() - started >= 0.01


def test_retries_spent_gives_typed_status_errors(core_server: CoreServer, kind: str) -> None:
    run = make_runner(kind, FAST)
    core_server.plan["/json"] = ["status:429:0"] * 4
    with pytest.raises(RateLimited) as limited:
        run(lambda: get_json(core_server.url + "/json"))
    assert limited.value.retry_after == 0.0
    assert limited.value.status == 429
    assert core_server.hits["/json"] == 4
    core_server.plan["/json"] = ["status:500"] * 4
    with pytest.raises(ServerError) as server:
        run(lambda: get_json(core_server.url + "/json"))
    assert server.value.url is not None and "/json" in server.value.url
    assert "scripted" in str(server.value)


def test_non_idempotent_requests_are_not_retried(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["status:503"]
    run = make_runner(kind, FAST)
    with pytest.raises(ServerError):
        run(lambda: get_json(core_server.url + "/json", method="POST"))
    assert core_server.hits["/json"] == 1


def test_404_is_not_found_and_not_retried(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["status:404"]
    with pytest.raises(NotFound):
        make_runner(kind, FAST)(lambda: get_json(core_server.url + "/json"))
    assert core_server.hits["/json"] == 1


def test_read_timeout(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["slow"] * 4
    config = FAST.replace(retry=RetryPolicy(max_attempts=1))
    with pytest.raises(ReadTimeout):
        make_runner(kind, config)(lambda: get_json(core_server.url + "/json"))


def test_connection_refused(kind: str) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = FAST.replace(retry=RetryPolicy(max_attempts=2, backoff=0.01))
    with pytest.raises(ConnectError):
        make_runner(kind, config)(lambda: get_json(f"http://127.0.0.1:{port}/json"))


def test_reset_then_success(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["reset", "truncate"]
    assert make_runner(kind, FAST)(lambda: get_json(core_server.url + "/json"))["ok"] is True
    assert core_server.hits["/json"] == 3


def test_reset_every_time(core_server: CoreServer, kind: str) -> None:
    # aiohttp itself re-sends an idempotent request once on a dropped connection, so the
    # server may see more than max_attempts requests; the outcome must still be the typed error.
    core_server.plan["/json"] = ["reset"] * 20
    with pytest.raises(NetworkError):
        make_runner(kind, FAST)(lambda: get_json(core_server.url + "/json"))
    assert core_server.hits["/json"] >= 4


def test_truncated_body(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["truncate"] * 4
    with pytest.raises(TruncatedBody) as info:
        make_runner(kind, FAST)(lambda: get_json(core_server.url + "/json"))
    assert info.value.expected == 100
    assert isinstance(info.value, DecodeError)


def test_bad_json_and_challenge(core_server: CoreServer, kind: str) -> None:
    run = make_runner(kind, FAST)
    core_server.plan["/json"] = ["badjson"]
    with pytest.raises(DecodeError, match="expected JSON"):
        run(lambda: get_json(core_server.url + "/json"))
    core_server.plan["/json"] = ["challenge"]
    with pytest.raises(Challenge):
        run(lambda: get_json(core_server.url + "/json"))


class PkgError(Exception):
    """A package root such as PixivError."""


class PkgHTTPError(HTTPStatusError, PkgError, requests.HTTPError):
    """A package's HTTP error that is also a requests exception, as the pixiv seed promises."""


def test_error_map_rebases_onto_package_classes(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["status:404"]
    run = make_runner(kind, FAST, errors=ErrorMap({HTTPStatusError: PkgHTTPError}))
    with pytest.raises(PkgHTTPError) as info:
        run(lambda: get_json(core_server.url + "/json"))
    err = info.value
    assert isinstance(err, PkgError)
    assert isinstance(err, requests.RequestException)
    assert isinstance(err, KemopixError)
    assert err.status == 404
    assert isinstance(err.__cause__, NotFound)


def test_slow_answer_that_keeps_coming_is_not_cut(core_server: CoreServer, kind: str) -> None:
    # 1.5 s in all, 0.15 s between pieces: a read timeout (0.5 s) is about silence, not length.
    core_server.plan["/json"] = ["trickle"]
    config = FAST.replace(retry=RetryPolicy(max_attempts=1))
    assert make_runner(kind, config)(lambda: get_json(core_server.url + "/json"))["ok"] is True


def test_stalled_body_is_a_read_timeout(core_server: CoreServer, kind: str) -> None:
    core_server.plan["/json"] = ["stall"]
    config = FAST.replace(retry=RetryPolicy(max_attempts=1))
    started = time.monotonic()
    with pytest.raises(ReadTimeout):
        make_runner(kind, config)(lambda: get_json(core_server.url + "/json"))
    assert time.monotonic() - started < 2.0  # the server stays silent for 3 s


def test_read_timeout_of_a_given_session(core_server: CoreServer) -> None:
    # A session the caller owns may queue requests for a connection: aiohttp's own read
    # timeout, counted from the sending, applies there.
    import aiohttp

    from kemopix._io import AiohttpTransport, AsyncRunner

    core_server.plan["/json"] = ["slow", "stall"]
    config = FAST.replace(retry=RetryPolicy(max_attempts=1))

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            runner = AsyncRunner(AiohttpTransport(config, session))
            for _ in range(2):
                with pytest.raises(ReadTimeout):
                    await runner.run(get_json(core_server.url + "/json"))

    asyncio.run(main())


def test_a_cancelled_exchange_stays_cancelled(core_server: CoreServer) -> None:
    # Cancelled from outside, an exchange under a read timeout raises CancelledError (not a
    # timeout), the task is left as cancelled as it was made, and the runner goes on working.
    from kemopix._io import AiohttpTransport, AsyncRunner

    core_server.plan["/json"] = ["slow", "slow"]
    config = FAST.replace(retry=RetryPolicy(max_attempts=1))

    async def main() -> None:
        runner = AsyncRunner(AiohttpTransport(config))
        try:
            task = asyncio.create_task(runner.run(get_json(core_server.url + "/json")))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert task.cancelled()
            with pytest.raises(ReadTimeout):
                await runner.run(get_json(core_server.url + "/json"))
            current = asyncio.current_task()
            assert current is not None and current.cancelling() == 0
            assert (await runner.run(get_json(core_server.url + "/json")))["ok"] is True
        finally:
            await runner.aclose()

    asyncio.run(main())


def test_a_deadline_and_a_cancellation_at_once_stay_a_cancellation() -> None:
    # The deadline fires in the same turn of the loop as a cancellation from outside: the
    # outside one wins (as with asyncio.timeout), and the deadline's own is withdrawn.
    from kemopix._io.deadlines import READ, Deadlines

    claims: list[str | None] = []

    async def main() -> None:
        deadlines = Deadlines(asyncio.get_running_loop())
        started = asyncio.Event()

        async def exchange(hold: float) -> None:
            task = asyncio.current_task()
            assert task is not None
            watched = deadlines.watch(task, 0.01, None)
            try:
                started.set()
                await asyncio.sleep(hold)
            except asyncio.CancelledError:
                claims.append(watched.claim())
                raise
            finally:
                deadlines.forget(watched)

        alone = asyncio.create_task(exchange(10))
        with pytest.raises(asyncio.CancelledError):
            await alone
        assert claims == [READ] and alone.cancelling() == 0
        started.clear()
        both = asyncio.create_task(exchange(10))
        await started.wait()
        time.sleep(0.05)  # noqa: ASYNC251 (the loop is held: the deadline is due when it turns)
        await asyncio.sleep(0)  # the sweep is queued behind this task's wake-up
        both.cancel()  # ...which cancels first, in the same turn
        with pytest.raises(asyncio.CancelledError):
            await both
        assert claims == [READ, None] and both.cancelling() == 1

    asyncio.run(main())


def _get(url: str, headers: dict[str, str] | None = None) -> Flow[Any]:
    response = yield Request.build("GET", url, headers=headers)
    return check_status(response).json()


def test_each_request_sends_its_own_headers(core_server: CoreServer, kind: str) -> None:
    # Request headers are converted once per distinct set (async): a logged-in request's
    # cookie goes with it, and with no other request.
    run = make_runner(kind, FAST)
    logged_in = {"Cookie": "session=s3cret", "Accept": "text/css"}
    for headers in (logged_in, None, logged_in, {"Accept": "application/json"}):
        assert run(functools.partial(_get, core_server.url + "/json", headers))["ok"]
        seen = core_server.seen_headers[-1]
        assert seen.get("Cookie") == (headers or {}).get("Cookie")
        assert seen.get("Accept") == (headers or {}).get("Accept", seen.get("Accept"))
    assert core_server.seen_headers[1].get("Cookie") is None
