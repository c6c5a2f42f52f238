"""Transports and drivers against a real local server: retries, timeouts, resets, bad bodies."""

from __future__ import annotations

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
