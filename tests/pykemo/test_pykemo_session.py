"""``KemoSession``: lifetime, raw verbs, cookies, and secrets kept out of reprs and errors."""

from __future__ import annotations

import pytest
from pykemo_helpers import DEMO_ID, PASSWORD, session_for, site_of

import pykemo
from kemopix.emulators import KemonoEmulator
from pykemo import APIVersion, Consumer, KemoSession, UrlType

TOKEN = "s3cr3t-session-cookie-value"


async def test_raw_verbs_reach_the_site(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        response = await ks.get(f"/patreon/user/{DEMO_ID}/profile")
        async with response:
            assert response.status == 200
            assert (await response.json(content_type=None))["id"] == DEMO_ID
        version = await ks.get("/app_version")
        async with version:
            assert version.status == 200
        health = await ks.get("/_emulator/health", base_url=UrlType.SITE, api_version=None)
        async with health:
            assert health.status == 200
        assert ks.url_for("/x", api_version=APIVersion.V2).endswith("/api/v2/x")
    assert ks.closed
    with pytest.raises(RuntimeError, match="closed"):
        await ks.get("/app_version")


async def test_token_is_sent_and_never_shown(
    kemono_emulator: KemonoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEMOPIX_KEMONO_URL", kemono_emulator.url)
    account = await pykemo.register("root", PASSWORD)
    cookie = next(c.value for c in account.session.client.cookie_jar if c.key == "session")
    async with KemoSession.with_token(cookie, site_of(kemono_emulator)) as ks:
        assert ks.logged_in and cookie not in repr(ks)
        favorites = await ks.get("/account/favorites")
        async with favorites:
            assert favorites.status == 200
    async with KemoSession.with_token(TOKEN, site_of(kemono_emulator)) as ks:
        assert TOKEN not in repr(ks)
        with pytest.raises(pykemo.exceptions.PyKemoUnauthorized) as info:
            await Consumer(
                id=1, username="x", created_at=account.created_at, session=ks
            ).favorite_posts()
        assert TOKEN not in str(info.value)
    assert PASSWORD not in repr(account)
    await account.logout()


async def test_closing_twice_and_sessions_made_lazily() -> None:
    ks = KemoSession("http://127.0.0.1:9")
    assert "anonymous" in repr(ks)
    await ks.close()
    await ks.close()
    assert "closed" in repr(ks)


async def test_module_verbs_and_service_checks(kemono_emulator: KemonoEmulator) -> None:
    from pykemo.checks import check_if_discord, check_if_fanbox, correct_service_check
    from pykemo.core import HTTPRequestMethod, request
    from pykemo.exceptions import IncorrectService, NotDiscord, NotFanbox

    async with session_for(kemono_emulator) as ks:
        response = await request(ks, HTTPRequestMethod.GET, "/posts/random")
        async with response:
            assert response.status == 200
    check_if_fanbox("fanbox")
    with pytest.raises(NotFanbox, match="patreon"):
        check_if_fanbox("patreon")
    with pytest.raises(NotDiscord):
        check_if_discord(pykemo.ServiceType.FANBOX)
    with pytest.raises(IncorrectService):
        correct_service_check("gumroad", "patreon")


def test_demo_main_prints_a_creator(
    kemono_emulator: KemonoEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pykemo.main import main

    monkeypatch.setenv("KEMOPIX_KEMONO_URL", kemono_emulator.url)
    assert main("patreon", DEMO_ID) == 0
    assert "Demo Creator" in capsys.readouterr().out
    assert main("patreon", "nobody") == 1
