"""Fixtures of the pixivapi tests: clients pointed at the Pixiv emulator (kemopix.testing plugin).

Retries are fast here (milliseconds of backoff) so fault tests take well under a second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from kemopix._protocol import Config, RetryPolicy, Timeouts
from kemopix.sites.pixiv import PIXIV, PixivSite, is_rate_limit
from pixivapi import AsyncClient, Client

if TYPE_CHECKING:
    from kemopix.emulators import PixivEmulator

FAST_RETRY = RetryPolicy(
    max_attempts=3, backoff=0.01, max_backoff=0.05, max_retry_after=2.0, is_throttled=is_rate_limit
)
FAST = PIXIV.replace(retry=FAST_RETRY, timeout=Timeouts(connect=2.0, read=5.0, total=20.0))


@pytest.fixture
def fast() -> Config:
    """The configuration of these tests: fast retries, short timeouts."""
    return FAST


@pytest.fixture
def emu(pixiv_emulator: PixivEmulator, monkeypatch: pytest.MonkeyPatch) -> PixivEmulator:
    """The emulator, reset, with KEMOPIX_PIXIV_URL pointing every pixiv host at it."""
    monkeypatch.setenv("KEMOPIX_PIXIV_URL", pixiv_emulator.url)
    for name in ("KEMOPIX_PIXIV_API_URL", "KEMOPIX_PIXIV_OAUTH_URL", "KEMOPIX_PIXIV_IMAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    return pixiv_emulator


@pytest.fixture
def site(emu: PixivEmulator) -> PixivSite:
    return PixivSite.at(emu.url)


@pytest.fixture
def anonymous(emu: PixivEmulator) -> Iterator[Client]:
    """A sync client with no token yet."""
    client = Client()
    client.config = FAST
    yield client
    client.close()


@pytest.fixture
def client(anonymous: Client, emu: PixivEmulator) -> Client:
    """A sync client authenticated as the emulator's demo account."""
    anonymous.authenticate(emu.demo_refresh_token)
    return anonymous


@pytest.fixture
async def aclient(emu: PixivEmulator) -> AsyncIterator[AsyncClient]:
    """An async client authenticated as the demo account."""
    async with AsyncClient(config=FAST) as client:
        await client.authenticate(emu.demo_refresh_token)
        yield client
