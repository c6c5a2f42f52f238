"""The raw-JSON flows that cover the downloader's stop-gap calls, run with ``SyncRunner``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pykemo_helpers import DEMO_ID, DEMO_SERVICE, site_of

from kemopix._io import RequestsTransport, SyncRunner
from kemopix._protocol import KEMONO_CONFIG, NotFound, Unauthorized
from kemopix.emulators import KemonoEmulator
from kemopix.emulators.kemono_server.seeding import DISCORD_SERVER_ID
from kemopix.sites.kemono import accounts, raw


@pytest.fixture
def runner() -> Iterator[SyncRunner]:
    runner = SyncRunner(RequestsTransport(KEMONO_CONFIG))
    yield runner
    runner.close()


def test_raw_calls(kemono_emulator: KemonoEmulator, runner: SyncRunner) -> None:
    site = site_of(kemono_emulator)
    assert runner.run(raw.profile(site, DEMO_SERVICE, DEMO_ID))["id"] == DEMO_ID
    page = runner.run(raw.posts_page(site, DEMO_SERVICE, DEMO_ID, 0))
    assert len(page) == 6 and "substring" in page[0]
    detail = runner.run(raw.post(site, DEMO_SERVICE, DEMO_ID, page[0]["id"]))
    assert detail["post"]["id"] == page[0]["id"]
    owner = runner.run(raw.post_owner(site, DEMO_SERVICE, page[0]["id"]))
    assert owner["artist_id"] == DEMO_ID
    assert runner.run(raw.post_comments(site, DEMO_SERVICE, DEMO_ID, page[0]["id"]))
    assert runner.run(raw.post_comments(site, DEMO_SERVICE, DEMO_ID, "404404")) is None
    assert runner.run(raw.discord_server(site, DISCORD_SERVER_ID))["channels"]
    channels = runner.run(raw.discord_lookup(site, DISCORD_SERVER_ID))
    general = next(c["id"] for c in channels if c["name"] == "general")
    assert len(runner.run(raw.discord_channel(site, general, 150))) == 10
    with pytest.raises(Unauthorized):
        runner.run(raw.favorites(site, "artist"))
    with pytest.raises(NotFound):
        runner.run(raw.profile(site, DEMO_SERVICE, "nobody"))


def test_raw_favorites_with_a_cookie_header(
    kemono_emulator: KemonoEmulator, runner: SyncRunner
) -> None:
    site = site_of(kemono_emulator)
    runner.run(accounts.register(site, "raw-user", "long enough password"))
    runner.run(accounts.login(site, "raw-user", "long enough password"))
    runner.run(accounts.set_favorite(site, "creator", DEMO_SERVICE, DEMO_ID))
    cookie = runner.transport.session.cookies.get("session")
    assert cookie
    fresh = SyncRunner(RequestsTransport(KEMONO_CONFIG))
    try:
        favorites = fresh.run(raw.favorites(site.with_session_cookie(cookie), "artist"))
    finally:
        fresh.close()
    assert [f["id"] for f in favorites] == [DEMO_ID]
