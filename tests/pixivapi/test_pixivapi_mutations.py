"""The writing methods: bookmarks, novel bookmarks, follows (sync and async)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kemopix.sites.pixiv import make_pkce
from pixivapi import AsyncClient, Client, Visibility

if TYPE_CHECKING:
    from kemopix.emulators import PixivEmulator


def _first_work(client: Client) -> int:
    return int(client.fetch_illustrations_ranking()["illustrations"][0].id)


def test_bookmarks_are_added_and_deleted(client: Client) -> None:
    work = _first_work(client)
    client.delete_bookmark(work)
    assert client.fetch_bookmark(work)["is_bookmarked"] is False
    client.add_bookmark(work, Visibility.PRIVATE)
    state = client.fetch_bookmark(work)
    assert state["is_bookmarked"] is True and state["visibility"] is Visibility.PRIVATE
    assert client.fetch_illustration(work).is_bookmarked is True
    client.delete_bookmark(work)
    assert client.fetch_bookmark(work)["is_bookmarked"] is False


def test_follows_and_novel_bookmarks_succeed(client: Client) -> None:
    work = client.fetch_illustration(_first_work(client))
    client.follow_user(work.user.id, Visibility.PUBLIC)
    client.unfollow_user(work.user.id)
    novel = client.fetch_user_novels(work.user.id)["novels"] or client.search_novels("a")["novels"]
    if novel:
        client.add_novel_bookmark(novel[0].id)
        client.delete_novel_bookmark(novel[0].id)


async def test_async_writes(aclient: AsyncClient) -> None:
    works = (await aclient.fetch_illustrations_ranking())["illustrations"]
    work = works[0]
    await aclient.add_bookmark(work.id)
    assert (await aclient.fetch_bookmark(work.id))["is_bookmarked"] is True
    await aclient.delete_bookmark(work.id)
    assert (await aclient.fetch_bookmark(work.id))["is_bookmarked"] is False
    await aclient.follow_user(work.user.id)
    await aclient.unfollow_user(work.user.id)
    novels = (await aclient.search_novels(work.tags[0]["name"]))["novels"]
    if novels:
        await aclient.add_novel_bookmark(novels[0].id, Visibility.PRIVATE)
        await aclient.delete_novel_bookmark(novels[0].id)


def test_client_exchange_code_logs_in(anonymous: Client, emu: PixivEmulator) -> None:
    pkce = make_pkce()
    anonymous.exchange_code(emu.issue_authorization_code(pkce.challenge), pkce.verifier)
    assert anonymous.access_token and anonymous.account is not None


async def test_async_exchange_code_logs_in(emu: PixivEmulator) -> None:
    pkce = make_pkce()
    async with AsyncClient() as client:
        await client.exchange_code(emu.issue_authorization_code(pkce.challenge), pkce.verifier)
        assert client.refresh_token
