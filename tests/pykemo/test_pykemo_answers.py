"""The typed flows that keep the JSON as received (the downloader's sidecars), with SyncRunner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pykemo_helpers import DEMO_ID, DEMO_SERVICE, site_of

from kemopix._io import RequestsTransport, SyncRunner, iter_items
from kemopix._protocol import KEMONO_CONFIG, DecodeError, Unauthorized
from kemopix.emulators import KemonoEmulator
from kemopix.emulators.kemono_server.seeding import DISCORD_SERVER_ID
from kemopix.sites.kemono import accounts, creators, discord, posts
from kemopix.sites.kemono.answers import Answer, Undecodable, decode, decode_items
from kemopix.sites.kemono.models import Post


@pytest.fixture
def runner() -> Iterator[SyncRunner]:
    runner = SyncRunner(RequestsTransport(KEMONO_CONFIG))
    yield runner
    runner.close()


def test_answers_carry_model_and_json(kemono_emulator: KemonoEmulator, runner: SyncRunner) -> None:
    site = site_of(kemono_emulator)
    step = creators.creator_post_answers(site, DEMO_SERVICE, DEMO_ID)
    listed = list(iter_items(runner.run, step, 0))
    assert len(listed) == 6 and all(isinstance(a, Answer) for a in listed)
    first = listed[0]
    assert isinstance(first, Answer) and "substring" in first.raw
    assert first.value.id == first.raw["id"]
    detail = runner.run(posts.post_answer(site, DEMO_SERVICE, DEMO_ID, str(first.value.id)))
    assert detail is not None and detail.raw["post"]["id"] == first.value.id
    assert detail.value.post.id == first.value.id
    assert runner.run(posts.post_answer(site, DEMO_SERVICE, DEMO_ID, "404404")) is None
    comments = runner.run(posts.comments_answer(site, DEMO_SERVICE, DEMO_ID, "1000006"))
    assert comments is not None and comments.value and isinstance(comments.raw, list)
    assert runner.run(posts.comments_answer(site, DEMO_SERVICE, DEMO_ID, "404404")) is None
    name, channels = runner.run(discord.server_channels(site, DISCORD_SERVER_ID))
    assert isinstance(name, str)
    general = next(str(c.id) for c in channels if c.name == "general")
    messages = list(iter_items(runner.run, discord.channel_message_answers(site, general), 0))
    assert messages and all(isinstance(m, Answer) for m in messages)
    with pytest.raises(Unauthorized):
        runner.run(accounts.favorite_post_answers(site))


def test_login_flow_gives_the_session_cookie(
    kemono_emulator: KemonoEmulator, runner: SyncRunner
) -> None:
    site = site_of(kemono_emulator)
    runner.run(accounts.register(site, "answer-user", "long enough password"))
    fresh = SyncRunner(RequestsTransport(KEMONO_CONFIG))
    try:
        cookie = fresh.run(accounts.login_flow(site, "answer-user", "long enough password"))
        assert cookie
        signed = site.with_session_cookie(cookie)
        fresh.run(accounts.set_favorite(signed, "creator", DEMO_SERVICE, DEMO_ID))
        favorites = fresh.run(accounts.favorite_creators(signed))
    finally:
        fresh.close()
    assert [str(f.id) for f in favorites] == [DEMO_ID]


def test_wrong_types_name_the_field() -> None:
    good = {"id": "1", "service": "patreon", "title": "fine"}
    items = decode_items([good, {**good, "title": ["a"]}, 5, None], Post, "listing entry")
    assert isinstance(items[0], Answer) and items[0].value.title == "fine"
    bad = [i for i in items if isinstance(i, Undecodable)]
    assert len(bad) == 3
    assert "'title' is list" in str(bad[0].error)
    assert "listing entry is int" in str(bad[1].error)
    assert "listing entry is null" in str(bad[2].error)
    with pytest.raises(DecodeError, match="'service' is int"):
        decode({"id": 1, "service": 3}, Post, "post 1")
    # attachments sent as JSON text and RFC 2822 / zoned dates are understood
    text = decode({"id": 2, "attachments": '[{"name": "a.png", "path": "/ab/a.png"}]'}, Post, "p")
    assert [f.path for f in text.value.files()] == ["/ab/a.png"]
