"""Accounts with all three roles, over real HTTP against the Kemono emulator."""

from __future__ import annotations

import pytest
from pykemo_helpers import DEMO_ID, DEMO_SERVICE, PASSWORD, point_default_site, session_for

import kemopix
import pykemo
from kemopix.emulators import KemonoEmulator
from pykemo import AccountRole, Admin, Consumer, Moderator
from pykemo.exceptions import (
    AlreadyLoggedIn,
    InsufficientPrivileges,
    InvalidLogin,
    InvalidRegister,
    InvalidRole,
    LoginError,
    PyKemoException,
    PyKemoUnauthorized,
)


@pytest.fixture
def site(kemono_emulator: KemonoEmulator, monkeypatch: pytest.MonkeyPatch) -> KemonoEmulator:
    """The emulator, also as the default site (``register``/``login`` take no session)."""
    point_default_site(monkeypatch, kemono_emulator)
    return kemono_emulator


async def make_admin_and_consumer(site: KemonoEmulator) -> tuple[Admin, Consumer]:
    root = await pykemo.register("root", PASSWORD)  # the first account is the administrator
    assert isinstance(root, Admin)
    user = await Consumer.register("alice", PASSWORD)
    return root, user


async def test_register_and_login_pick_the_kind(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    assert root.role() is AccountRole.ADMINISTRATOR and alice.username == "alice"
    assert repr(alice) == f"Consumer(id={alice.id!r}, username='alice')"
    await root.logout()
    await alice.logout()
    assert alice.session.closed
    again = await pykemo.login("alice", PASSWORD)
    assert isinstance(again, Consumer) and again.id == alice.id
    async with again:
        assert again.session.logged_in
    assert again.session.closed


async def test_login_errors_are_typed_and_leak_nothing(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    with pytest.raises(InvalidLogin) as info:
        await Consumer.login("alice", "wrong password")
    assert isinstance(info.value, LoginError) and isinstance(info.value, kemopix.ClientError)
    assert info.value.status == 400 and "wrong password" not in str(info.value)
    with pytest.raises(InvalidRole):
        await Admin.login("alice", PASSWORD)
    with pytest.raises(AlreadyLoggedIn):
        await Consumer.login("alice", PASSWORD, alice.session)
    with pytest.raises(InvalidRegister):
        await Consumer.register("alice", PASSWORD)
    await root.logout()
    await alice.logout()


async def test_change_password(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    await alice.change_password(PASSWORD, "new secret words")
    await alice.logout()
    bob = await Consumer.login("alice", "new secret words")
    with pytest.raises(PyKemoException) as info:
        await bob.change_password("not the password", "x" * 12)
    assert "not the password" not in str(info.value)
    assert bob.session.closed  # close_on_fail
    kept = await Consumer.login("alice", "new secret words")
    with pytest.raises(PyKemoException):
        await kept.change_password("not the password", "y" * 12, close_on_fail=False)
    assert not kept.session.closed
    await kept.logout()
    await root.logout()


async def test_favorites_round_trip(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    creator = await alice.get_creator(DEMO_SERVICE, DEMO_ID)
    assert creator is not None
    post = (await creator.posts(max_posts=1))[0]
    await creator.favorite()
    await post.favorite()
    assert [c.id for c in await alice.favorite_creators()] == [DEMO_ID]
    assert await alice.favorite_artists() == await alice.favorite_creators()
    assert [p.id for p in await alice.favorite_posts()] == [post.id]
    await creator.unfavorite()
    await post.unfavorite()
    assert await alice.favorite_creators() == []
    assert await alice.favorite_posts() == []
    await alice.logout()
    await root.logout()
    async with session_for(site) as anonymous:
        detached = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, anonymous)
        assert detached is not None
        with pytest.raises(PyKemoUnauthorized):
            await detached.favorite()


async def test_account_lookups(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    assert await alice.random_creator() is not None
    post = await alice.random_post()
    assert post is not None
    assert await alice.get_post(post.service, post.id) == post
    assert await alice.get_creator("patreon", "nobody-here") is None
    await alice.logout()
    await root.logout()


async def test_moderator_reviews_link_requests(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    assert await root.change_roles([str(alice.id)], []) is True
    await alice.logout()
    mod = await Moderator.login("alice", PASSWORD)
    demo = await mod.get_creator(DEMO_SERVICE, DEMO_ID)
    other = await mod.random_creator()
    while other == demo:  # the site picks at random: it may pick the demo creator itself
        other = await mod.random_creator()
    assert demo is not None and other is not None
    await demo.request_link(other, "same artist")
    requests = await mod.creator_link_requests()
    assert len(requests) == 1 and requests[0].pending()
    assert requests[0].from_creator == demo and requests[0].to_creator == other
    assert await requests[0].approve() is True and not requests[0].pending()
    assert await mod.creator_link_requests() == []
    with pytest.raises(InsufficientPrivileges):
        await Admin(
            id=mod.id, username=mod.username, created_at=mod.created_at, session=mod.session
        ).view_accounts()
    await mod.logout()
    await root.logout()


async def test_consumer_is_refused_moderation(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    posing = Moderator(
        id=alice.id, username=alice.username, created_at=alice.created_at, session=alice.session
    )
    with pytest.raises(InsufficientPrivileges) as info:
        await posing.creator_link_requests()
    assert isinstance(info.value, kemopix.NotFound) and info.value.status == 404
    await alice.logout()
    await root.logout()


async def test_administrator_views_and_unlinks(site: KemonoEmulator) -> None:
    root, alice = await make_admin_and_consumer(site)
    bob = await Consumer.register("bob", PASSWORD)
    await bob.logout()
    views = await root.view_accounts()
    assert {v.username for v in views} >= {"alice", "bob"}
    assert all(v.role is AccountRole.CONSUMER for v in views)
    assert [v.username for v in await root.view_accounts(name="ali")] == ["alice"]
    assert len(await root.view_accounts(limit=1, page=2)) == 1
    assert await root.view_accounts(role=AccountRole.MODERATOR) == []
    for bad in ({"page": 0}, {"limit": -1}):
        with pytest.raises(ValueError, match="at least 1"):
            await root.view_accounts(**bad)  # type: ignore[arg-type]
    demo = await root.get_creator(DEMO_SERVICE, DEMO_ID)
    assert demo is not None
    assert await root.remove_creator(demo) is True
    assert await root.remove_creator_link("patreon", DEMO_ID) is True
    await alice.logout()
    await root.logout()
