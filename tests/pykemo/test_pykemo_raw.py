"""Every pykemo model keeps the JSON it was built from (``raw``), over HTTP to the emulator.

Each ``raw`` is compared with the same answer fetched by hand: equal means every field the
emulator sent is there, the ones no attribute names included.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from pykemo_helpers import (
    DEMO_ID,
    DEMO_SERVICE,
    PASSWORD,
    point_default_site,
    session_for,
    site_of,
)
from yarl import URL

import pykemo
from kemopix._protocol.errors import TransportError
from kemopix._protocol.flow import Flow
from kemopix._protocol.http import Request, Response
from kemopix._protocol.raw import keep_body
from kemopix.emulators import KemonoEmulator
from kemopix.emulators.kemono_server.seeding import DISCORD_SERVER_ID
from pykemo import (
    AccountRole,
    AccountView,
    Admin,
    Consumer,
    Creator,
    DiscordUser,
    Moderator,
    PostRevision,
    ServiceType,
    Tag,
)
from pykemo._raw import account_of
from pykemo.sync import KemoClient

POST_ID = "1000006"


def _answer(
    emu: KemonoEmulator, path: str, via: requests.Session | None = None, **params: Any
) -> Any:
    """The emulator's JSON for an API path, fetched without pykemo (``via`` a signed-in one)."""
    request = site_of(emu).request("GET", path)
    get = requests.get if via is None else via.get
    reply = get(request.url, params=params, headers=dict(request.headers), timeout=10)
    reply.raise_for_status()
    return reply.json()


def _signed_in(emu: KemonoEmulator, user: str) -> tuple[requests.Session, Any]:
    """A requests session logged in as ``user``, and the login answer's JSON."""
    http = requests.Session()
    return http, _post(emu, "/authentication/login", {"username": user, "password": PASSWORD}, http)


def _post(emu: KemonoEmulator, path: str, body: Any, http: requests.Session) -> Any:
    request = site_of(emu).request("POST", path)
    reply = http.post(request.url, json=body, headers=dict(request.headers), timeout=10)
    reply.raise_for_status()
    return reply.json()


async def test_creator_and_post_raw_are_the_answers(kemono_emulator: KemonoEmulator) -> None:
    user = f"/{DEMO_SERVICE}/user/{DEMO_ID}"
    async with session_for(kemono_emulator) as ks:
        creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
        assert creator is not None
        profile = _answer(kemono_emulator, f"{user}/profile")
        assert creator.raw == profile
        # The profile counters, as sent (kemono.cr sends them; the seed had no attribute).
        assert creator.raw["dm_count"] == profile["dm_count"] == 0

        listed = await creator.posts(max_posts=60)
        sent = _answer(kemono_emulator, f"{user}/posts")
        assert [p.raw for p in listed[: len(sent)]] == sent
        assert "content" not in listed[0].raw  # listings are summaries (issue 13, fact 1)

        post = await creator.get_post(POST_ID)
        assert post is not None
        envelope = _answer(kemono_emulator, f"{user}/post/{POST_ID}")
        assert post.raw == envelope["post"]
        files = [f for f in [post.file, *post.attachments] if f is not None]
        assert files
        entries = [envelope["post"]["file"], *envelope["post"]["attachments"]]
        for file in files:
            assert file.raw in entries and file.raw["name"] == file.name

        comments = await post.fetch_comments()
        assert comments
        assert [c.raw for c in comments] == _answer(
            kemono_emulator, f"{user}/post/{POST_ID}/comments"
        )


async def test_linked_announcements_fancards_raw(kemono_emulator: KemonoEmulator) -> None:
    user = f"/{DEMO_SERVICE}/user/{DEMO_ID}"
    async with session_for(kemono_emulator) as ks:
        creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
        assert creator is not None
        [fanbox] = await creator.other_links()
        assert [fanbox.raw] == _answer(kemono_emulator, f"{user}/links")
        sent = _answer(kemono_emulator, f"{user}/announcements")
        assert [a.raw for a in await creator.announcements()] == sent
        cards = await fanbox.fancards()
        assert [c.raw for c in cards] == _answer(
            kemono_emulator, f"/fanbox/user/{fanbox.id}/fancards"
        )
        assert all(c.raw["price"] for c in cards)


async def test_discord_channels_and_messages_raw(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        server = Creator(id=DISCORD_SERVER_ID, service=ServiceType.DISCORD).with_session(ks)
        channels = await server.fetch_channels()
        sent = _answer(kemono_emulator, f"/discord/channel/lookup/{DISCORD_SERVER_ID}")
        assert [c.raw for c in channels] == sent
        general = next(c for c in channels if c.channel_name == "general")
        every = await general.messages()
        first = _answer(kemono_emulator, f"/discord/channel/{general.id}")
        second = _answer(kemono_emulator, f"/discord/channel/{general.id}", o=150)
        assert [m.raw for m in every] == first + second


async def test_recent_posts_raw_and_hand_built_models(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        recent = [p async for p in pykemo.iter_posts(kemo_session=ks)][:50]
        sent = _answer(kemono_emulator, "/posts")
        items = sent["posts"] if isinstance(sent, dict) else sent
        assert [p.raw for p in recent] == items
        creators = await pykemo.get_creators(ks)
        assert [c.raw for c in creators] == _answer(kemono_emulator, "/creators")
    assert Creator(id="1", service=ServiceType.PATREON).raw is None


def test_sync_client_models_keep_raw(kemono_emulator: KemonoEmulator) -> None:
    user = f"/{DEMO_SERVICE}/user/{DEMO_ID}"
    with KemoClient(site_of(kemono_emulator)) as client:
        creator = client.get_creator(DEMO_SERVICE, DEMO_ID)
        assert creator is not None and creator.raw == _answer(kemono_emulator, f"{user}/profile")
        post = client.post(DEMO_SERVICE, DEMO_ID, POST_ID)
        assert post is not None
        assert post.raw == _answer(kemono_emulator, f"{user}/post/{POST_ID}")["post"]
        posts = list(client.iter_creator_posts(DEMO_SERVICE, DEMO_ID))
        assert [p.raw for p in posts[:50]] == _answer(kemono_emulator, f"{user}/posts")
        comments = client.comments(post)
        assert [c.raw for c in comments] == _answer(
            kemono_emulator, f"{user}/post/{POST_ID}/comments"
        )


async def test_tags_and_file_hash_raw(kemono_emulator: KemonoEmulator) -> None:
    user = f"/{DEMO_SERVICE}/user/{DEMO_ID}"
    async with session_for(kemono_emulator) as ks:
        creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
        assert creator is not None
        tags = await creator.tags()
        sent = _answer(kemono_emulator, f"{user}/tags")
        assert [t.raw for t in tags] == (sent["tags"] if isinstance(sent, dict) else sent)
        every = await Tag.all(ks)
        assert every and all(t.raw["tag"] == t.value for t in every)

        post = await creator.get_post(POST_ID)
        assert post is not None and post.file is not None and post.file.sha256 is not None
        result = await pykemo.get_file_hash(post.file.sha256, ks)
        found = _answer(kemono_emulator, f"/search_hash/{post.file.sha256}")
        assert result.raw == found
        assert [p.raw for p in result.posts] == found["posts"]
        assert all(f.raw is not None for p in result.posts for f in [p.file] if f is not None)


async def test_revisions_and_message_authors_raw(kemono_emulator: KemonoEmulator) -> None:
    user = f"/{DEMO_SERVICE}/user/{DEMO_ID}"
    async with session_for(kemono_emulator) as ks:
        creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
        assert creator is not None
        post = await creator.get_post(POST_ID)
        assert post is not None
        revisions = await post.revisions()
        sent = _answer(kemono_emulator, f"{user}/post/{POST_ID}")["props"]["revisions"]
        # ``[[index, post], ...]``: the current post first, then the revisions.
        earlier = [entry for _, entry in sent if entry.get("revision_id") is not None]
        assert len(revisions) == len(earlier) == len(sent) - 1 == 2
        assert [r.raw for r in revisions] == earlier
        assert all(r.post.raw == r.raw for r in revisions)
        assert [r.raw["revision_id"] for r in revisions] == [7001, 7000]
        # The first revision's ``file`` arrives as JSON text: its raw is the object it holds.
        first_file = revisions[1].post.file
        assert first_file is not None and isinstance(earlier[1]["file"], str)
        assert first_file.raw == json.loads(earlier[1]["file"])
        # A listed post reads the detail for its revisions: the same JSON.
        listed = (await creator.posts(max_posts=1))[0]
        assert [r.raw for r in await listed.revisions()] == earlier

        server = Creator(id=DISCORD_SERVER_ID, service=ServiceType.DISCORD).with_session(ks)
        general = next(c for c in await server.fetch_channels() if c.channel_name == "general")
        messages = await general.messages()
        first = _answer(kemono_emulator, f"/discord/channel/{general.id}")
        assert messages and all(m.author is not None for m in messages)
        assert [m.author.raw for m in messages[: len(first)] if m.author] == [
            m["author"] for m in first
        ]
    assert PostRevision(revision_id="1", post=post).raw is None
    assert DiscordUser(id="1").raw is None


async def test_revisions_from_the_revisions_endpoint_raw() -> None:
    user = f"/{DEMO_SERVICE}/user/{DEMO_ID}"
    with KemonoEmulator(creators=10, flavour="pawchive") as emu:
        async with session_for(emu) as ks:
            assert ks.site.legacy
            creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
            assert creator is not None
            post = await creator.get_post(POST_ID)
            assert post is not None
            revisions = await post.revisions()
            sent = _answer(emu, f"{user}/post/{POST_ID}/revisions")
            assert revisions and [r.raw for r in revisions] == sent
            assert all(r.post.raw == r.raw for r in revisions)


async def test_accounts_raw(
    kemono_emulator: KemonoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_default_site(monkeypatch, kemono_emulator)
    root = await pykemo.register("root", PASSWORD)
    alice = await Consumer.register("alice", PASSWORD)
    assert isinstance(root, Admin)
    as_root, root_answer = _signed_in(kemono_emulator, "root")
    as_alice, alice_answer = _signed_in(kemono_emulator, "alice")
    assert root.raw == root_answer == _answer(kemono_emulator, "/account", as_root)
    assert alice.raw == alice_answer and alice.raw["role"] == "consumer"
    cookie = alice.session.client.cookie_jar.filter_cookies(URL(kemono_emulator.url)).get("session")
    assert cookie is not None and cookie.value not in str(alice.raw)
    assert PASSWORD not in str(alice.raw)

    creator = await alice.get_creator(DEMO_SERVICE, DEMO_ID)
    assert creator is not None
    post = (await creator.posts(max_posts=1))[0]
    await creator.favorite()
    await post.favorite()
    favs = _answer(kemono_emulator, "/account/favorites", as_alice, type="artist")
    assert [c.raw for c in await alice.favorite_creators()] == favs
    favs = _answer(kemono_emulator, "/account/favorites", as_alice, type="post")
    assert [p.raw for p in await alice.favorite_posts()] == favs

    views = await root.view_accounts()
    listing = _answer(kemono_emulator, "/account/administrator/accounts", as_root)
    assert [v.raw for v in views] == listing["accounts"]
    assert (
        AccountView(id=1, username="x", created_at=root.created_at, role=AccountRole.CONSUMER).raw
        is None
    )
    assert Admin(id=1, username="x", created_at=root.created_at, session=root.session).raw is None

    assert await root.change_roles([str(alice.id)], []) is True
    await alice.logout()
    mod = await Moderator.login("alice", PASSWORD)
    demo = await mod.get_creator(DEMO_SERVICE, DEMO_ID)
    other = await mod.random_creator()
    assert demo is not None and other is not None
    await demo.request_link(other, "same artist")
    found = await mod.creator_link_requests()
    as_mod, _ = _signed_in(kemono_emulator, "alice")
    tasks = _answer(kemono_emulator, "/account/moderator/tasks/creator_links", as_mod)
    assert len(found) == 1 and [r.raw for r in found] == tasks
    assert found[0].raw["reason"] == "same artist"
    await mod.logout()
    await root.logout()


def test_sync_login_keeps_the_account_raw(kemono_emulator: KemonoEmulator) -> None:
    body = {"username": "carol", "password": PASSWORD, "confirm_password": PASSWORD}
    _post(kemono_emulator, "/authentication/register", body, requests.Session())
    with KemoClient(site_of(kemono_emulator)) as client:
        view = client.login("carol", PASSWORD)
        as_carol, answer = _signed_in(kemono_emulator, "carol")
        assert view.raw == answer == _answer(kemono_emulator, "/account", as_carol)
        assert view.raw["username"] == "carol" and PASSWORD not in str(view.raw)


# -- the flow tap behind ``raw`` (pure logic) ---------------------------------------------------
def _two_tries() -> Flow[str]:
    """Asks once; on a thrown transport error asks again; returns what the answer said."""
    first = Request.build("GET", "http://127.0.0.1:9/a")
    try:
        response = yield first
    except TransportError:
        response = yield Request.build("GET", "http://127.0.0.1:9/b")
    return str(response.json()["v"])


def _reply(request: Request, body: bytes) -> Response:
    return Response(200, {}, body, request.url, request)


def test_keep_body_forwards_thrown_errors_and_keeps_the_last_answer() -> None:
    tapped = keep_body(_two_tries())
    first = next(tapped)
    second = tapped.throw(TransportError("connection reset", url=first.url))
    assert second.url.endswith("/b")
    with pytest.raises(StopIteration) as stop:
        tapped.send(_reply(second, b'{"v": 2, "extra": [1]}'))
    value, body = stop.value.value
    assert value == "2"
    assert body.at().get() == {"v": 2, "extra": [1]}
    assert body.at("missing", 3).get() is None  # a default nothing was sent for


def test_keep_body_closes_the_inner_flow() -> None:
    closed: list[bool] = []

    def flow() -> Flow[None]:
        try:
            yield Request.build("GET", "http://127.0.0.1:9/")
        finally:
            closed.append(True)

    tapped = keep_body(flow())
    next(tapped)
    tapped.close()
    assert closed == [True]


def test_account_raw_never_holds_a_credential() -> None:
    sent = {"id": 1, "username": "a", "password_hash": "x", "Session": "y", "api_token": "z"}
    assert account_of({"account": sent}) == account_of(sent) == {"id": 1, "username": "a"}
    assert account_of([1]) == [1]
