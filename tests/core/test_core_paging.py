"""Page-by-page iteration from a pure cursor step, sync and async, over real HTTP."""

from __future__ import annotations

import asyncio

import pytest
from core_server import CoreServer

from kemopix._io import (
    AiohttpTransport,
    AsyncRunner,
    RequestsTransport,
    SyncRunner,
    aiter_items,
    iter_items,
)
from kemopix._protocol import (
    Config,
    Flow,
    InvalidInput,
    Page,
    Request,
    check_offset,
    check_status,
    next_offset,
)
from kemopix.sites.pixiv.paging import next_cursor_value


def numbers_page(base: str, offset: int) -> Flow[Page[int, int]]:
    response = yield Request.build("GET", base + "/pages", params={"o": offset})
    items: list[int] = check_status(response).json()
    return Page(items, next_offset(offset, len(items), 50))


def test_sync_and_async_stream_every_page(core_server: CoreServer) -> None:
    runner = SyncRunner(RequestsTransport(Config()))
    try:
        lazy = iter_items(runner.run, lambda o: numbers_page(core_server.url, o), 0)
        assert next(lazy) == 0  # only the first page was fetched so far
        assert [0, *lazy] == list(range(120))
    finally:
        runner.close()

    async def collect() -> list[int]:
        arunner = AsyncRunner(AiohttpTransport(Config()))
        try:
            step = lambda o: numbers_page(core_server.url, o)  # noqa: E731
            return [n async for n in aiter_items(arunner.run, step, 0)]
        finally:
            await arunner.aclose()

    assert asyncio.run(collect()) == list(range(120))


def test_cursor_steps() -> None:
    assert next_offset(0, 50, 50) == 50 and next_offset(50, 49, 50) is None
    next_url = "https://app-api.pixiv.net/v1/user/illusts?user_id=1&offset=30"
    assert next_cursor_value(next_url, "offset") == 30
    assert next_cursor_value(None, "offset") is None
    assert check_offset(100, 50) == 100
    for bad in (-50, 25):
        with pytest.raises(InvalidInput, match="multiple of 50"):
            check_offset(bad, 50)
