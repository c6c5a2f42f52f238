"""Response limits over real sockets: size, decompression and time caps, sync and async."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from core_runners import make_runner
from hostile_server import HostileServer

from kemopix._protocol import (
    MIB,
    Config,
    Flow,
    KemopixError,
    Limits,
    Request,
    ResponseTooLarge,
    ResponseTooSlow,
    TransportError,
    call,
)
from kemopix.files import download


def run_both(config: Config, make_flow: Callable[[], Flow[Any]]) -> list[KemopixError]:
    """The error each driver (sync, then async) ends with."""
    errors: list[KemopixError] = []
    for kind in ("sync", "async"):
        with pytest.raises(KemopixError) as caught:
            make_runner(kind, config)(make_flow)
        errors.append(caught.value)
    return errors


@pytest.fixture(scope="module")
def endless() -> Iterator[HostileServer]:
    with HostileServer("endless") as server:
        yield server


@pytest.fixture(scope="module")
def drip() -> Iterator[HostileServer]:
    with HostileServer("drip") as server:
        yield server


@pytest.fixture(scope="module")
def bomb() -> Iterator[HostileServer]:
    with HostileServer("bomb") as server:
        yield server


def test_body_cap_is_configurable(endless: HostileServer) -> None:
    config = Config(limits=Limits(body=4 * MIB))
    for outcome in run_both(config, lambda: call(Request.build("GET", endless.url + "/x"))):
        assert isinstance(outcome, ResponseTooLarge), outcome
        assert outcome.limit == 4 * MIB and "larger than 4 MiB" in str(outcome)
        assert isinstance(outcome, TransportError)


def test_bomb_is_stopped_at_the_cap(bomb: HostileServer) -> None:
    config = Config(limits=Limits(body=8 * MIB))
    for outcome in run_both(config, lambda: call(Request.build("GET", bomb.url + "/x"))):
        assert isinstance(outcome, ResponseTooLarge), outcome


def test_dripping_answer_meets_the_time_limit(drip: HostileServer) -> None:
    config = Config(limits=Limits(time=1.5))
    started = time.monotonic()
    outcomes = run_both(config, lambda: call(Request.build("GET", drip.url + "/x")))
    assert time.monotonic() - started < 8  # two clients, 1.5 s each, no retries
    for outcome in outcomes:
        assert isinstance(outcome, ResponseTooSlow), outcome
        assert "within 1.5s" in str(outcome)


def test_download_of_a_bomb_is_capped_by_inflated(bomb: HostileServer, tmp_path: Path) -> None:
    from kemopix._io import AiohttpTransport, AsyncRunner

    config = Config(limits=Limits(inflated=16 * MIB))
    runner = AsyncRunner(AiohttpTransport(config))

    async def fetch() -> None:
        try:
            await runner.run(download(bomb.url + "/file.bin", tmp_path / "file.bin"))
        finally:
            await runner.aclose()

    with pytest.raises(ResponseTooLarge, match="compressed body larger than 16 MiB"):
        asyncio.run(fetch())
    assert not (tmp_path / "file.bin").exists()


def test_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match=r"Limits\.body"):
        Limits(body=0)
