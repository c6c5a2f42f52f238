"""Every model keeps the JSON it was built from (``raw``), over HTTP to the emulator.

Each model's ``raw`` is compared with the same answer fetched by hand: equal means every
field the emulator sent is there, the ones no attribute (and no wire Struct) names included.
"""

from __future__ import annotations

from typing import Any

import requests

from kemopix.emulators import PixivEmulator
from kemopix.sites.pixiv import PixivSite, illust, novel, user
from pixivapi import AsyncClient, Client, User

SEED_WORK = 75523989


def _answer(emu: PixivEmulator, client: Client | AsyncClient, cursor: str) -> Any:
    """The emulator's JSON for ``cursor``, fetched without pixivapi."""
    site = PixivSite.at(emu.url)
    reply = requests.get(site.api(cursor), headers=site.headers(client.access_token), timeout=10)
    reply.raise_for_status()
    return reply.json()


def test_illustration_detail_raw_is_the_answer(client: Client, emu: PixivEmulator) -> None:
    work = client.fetch_illustration(SEED_WORK)
    sent = _answer(emu, client, illust.illust_detail_query(SEED_WORK))["illust"]
    assert work.raw == sent
    # Fields the seed's model has no attribute for are in it, as sent.
    assert work.raw["total_comments"] == work.total_comments
    assert work.raw["image_urls"] == sent["image_urls"]
    assert work.user.raw == sent["user"]
    assert "is_followed" in work.user.raw


def test_listing_items_keep_their_own_json(client: Client, emu: PixivEmulator) -> None:
    author = client.fetch_illustration(SEED_WORK).user.id
    page = client.fetch_user_illustrations(author)
    sent = _answer(emu, client, user.user_illusts_query(author, "illust"))["illusts"]
    assert [w.raw for w in page["illustrations"]] == sent
    walked = list(client.iter_user_illustrations(author))
    assert [w.raw for w in walked[: len(sent)]] == sent
    assert [w.user.raw for w in walked[: len(sent)]] == [s["user"] for s in sent]


def test_ranking_raw_keeps_fields_present_on_some_works_only(client: Client) -> None:
    works = client.fetch_illustrations_ranking()["illustrations"]
    with_attrs = [w for w in works if "restriction_attributes" in w.raw]
    without = [w for w in works if "restriction_attributes" not in w.raw]
    assert with_attrs and without
    assert all(w.raw["restriction_attributes"] == w.restriction_attributes for w in with_attrs)
    assert all(w.raw["illust_ai_type"] == w.illust_ai_type for w in works)


def test_novel_raw_has_fields_the_model_does_not_name(client: Client, emu: PixivEmulator) -> None:
    author = client.fetch_illustration(SEED_WORK).user.id
    novels = client.fetch_user_novels(author)["novels"]
    assert novels
    sent = _answer(emu, client, novel.novel_detail_query(novels[0].id))["novel"]
    detail = client.fetch_novel(novels[0].id)
    assert detail.raw == sent
    # Novel has no is_original / novel_ai_type attributes; raw carries them.
    assert not hasattr(detail, "novel_ai_type")
    assert detail.raw["novel_ai_type"] == sent["novel_ai_type"]
    assert "is_original" in detail.raw
    listed = _answer(emu, client, user.user_novels_query(author))["novels"]
    assert [n.raw for n in novels] == listed
    assert [n.raw for n in client.iter_user_novels(author)][: len(listed)] == listed


def test_comment_raw_and_its_parent(client: Client, emu: PixivEmulator) -> None:
    answer = client.fetch_illustration_comments(SEED_WORK)
    sent = _answer(emu, client, illust.illust_comments_query(SEED_WORK))["comments"]
    assert [c.raw for c in answer["comments"]] == sent
    assert [c.user.raw for c in answer["comments"]] == [s["user"] for s in sent]
    replies = [c for c in answer["comments"] if c.parent_comment is not None]
    assert replies, "the emulator's seed work has a reply"
    for reply in replies:
        assert reply.parent_comment is not None
        assert reply.parent_comment.raw == reply.raw["parent_comment"]
    walked = list(client.iter_illustration_comments(SEED_WORK))
    assert [c.raw for c in walked][: len(sent)] == sent


def test_full_user_raw_is_the_whole_detail_answer(client: Client, emu: PixivEmulator) -> None:
    author = client.fetch_illustration(SEED_WORK).user.id
    full = client.fetch_user(author)
    sent = _answer(emu, client, user.user_detail_query(author))
    assert full.raw == sent
    assert set(full.raw) >= {"user", "profile", "profile_publicity", "workspace"}


def test_following_previews_keep_their_json(client: Client, emu: PixivEmulator) -> None:
    assert client.account is not None
    me = client.account.id
    previews = client.fetch_following(me)["user_previews"]
    assert previews
    sent = _answer(emu, client, user.user_following_query(me))["user_previews"]
    for preview, raw in zip(previews, sent, strict=True):
        assert preview["user"].raw == raw["user"]
        # Live: only these previews carry the request flags; raw keeps them.
        assert "is_accept_request" in preview["user"].raw
        assert [w.raw for w in preview["illustrations"]] == raw["illusts"]
        assert [n.raw for n in preview["novels"]] == raw["novels"]


def test_account_raw_is_the_token_user_without_tokens(client: Client) -> None:
    account = client.account
    assert account is not None
    raw = account.raw
    assert raw["id"] == str(account.id)  # as sent: a string
    assert raw["require_policy_agreement"] is False  # no attribute names it
    flat = repr(raw)
    assert client.access_token and client.refresh_token
    assert client.access_token not in flat and client.refresh_token not in flat


def test_models_built_by_hand_have_no_raw() -> None:
    assert User("acct", 1, "name", {}).raw is None


async def test_async_client_models_keep_raw(aclient: AsyncClient, emu: PixivEmulator) -> None:
    work = await aclient.fetch_illustration(SEED_WORK)
    sent = _answer(emu, aclient, illust.illust_detail_query(SEED_WORK))["illust"]
    assert work.raw == sent
    ranked = [w async for w in aclient.iter_illustrations_ranking()]
    assert ranked and all(isinstance(w.raw, dict) and w.raw["id"] == w.id for w in ranked)
