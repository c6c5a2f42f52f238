"""pixivapi against answers shaped as live pixiv's (issue 13), over HTTP to the emulator."""

from __future__ import annotations

import pytest

from kemopix.emulators import PixivEmulator
from kemopix.sites.pixiv import illust
from pixivapi import AsyncClient, BadApiResponse, Client, Visibility, _ops
from pixivapi.enums import ContentType

SEED_WORK = 75523989


def _seed_loop(client: Client, illust_id: int) -> list[int]:
    """The seed's documented paging loop: ``offset=response['next']``."""
    ids: list[int] = []
    response = client.fetch_illustration_related(illust_id)
    while True:
        ids += [i.id for i in response["illustrations"]]
        if response["next"] is None:
            return ids
        response = client.fetch_illustration_related(illust_id, offset=response["next"])


def test_related_seed_loop_walks_every_live_page(client: Client) -> None:
    ids = _seed_loop(client, SEED_WORK)
    assert len(ids) > 30 and len(ids) == len(set(ids))
    walked = [i.id for i in client.iter_illustration_related(SEED_WORK)]
    assert ids == walked
    # The offsets reported are plain ints a caller can keep (30, 60, ...).
    assert client.fetch_illustration_related(SEED_WORK)["next"] == 30


def test_comment_totals_follow_the_flag(client: Client) -> None:
    plain = client.fetch_illustration_comments(SEED_WORK)
    assert plain["total_comments"] == 0 and plain["comments"]
    counted = client.fetch_illustration_comments(SEED_WORK, include_total_comments=True)
    assert counted["total_comments"] == 3


def test_private_tags_of_another_user_raise(client: Client) -> None:
    with pytest.raises(BadApiResponse):
        client.fetch_user_bookmark_tags(3000001, Visibility.PRIVATE)
    assert client.fetch_user_bookmark_tags(3000001, Visibility.PUBLIC)["bookmark_tags"] is not None


def test_work_fields_are_exposed(client: Client) -> None:
    works = client.fetch_illustrations_ranking()["illustrations"]
    assert {w.illust_ai_type for w in works} <= {0, 1, 2}
    assert any(w.restriction_attributes is None for w in works)
    assert any(w.restriction_attributes == [] for w in works)
    manga = client.fetch_illustrations_recommended(content_type=ContentType.MANGA)
    series_works = [w for w in manga["illustrations"] if w.series]
    assert series_works and all(set(w.series) == {"id", "title"} for w in series_works)
    assert all(w.illust_book_style == 1 for w in series_works)
    detail = client.fetch_illustration(SEED_WORK)
    assert detail.comment_access_control == 0 and detail.request is None


def test_reprs_are_pixiv_apis(client: Client) -> None:
    work = client.fetch_illustration(SEED_WORK)
    assert repr(work) == f"<Illustration id={SEED_WORK} user={work.user.name}>"
    assert repr(work.user) == f"<User id={work.user.id} name={work.user.name}>"
    full = client.fetch_user(work.user.id)
    assert repr(full) == f"<FullUser id={full.id} name={full.name}>"
    comment = client.fetch_illustration_comments(SEED_WORK)["comments"][0]
    assert repr(comment) == f"<Comment id={comment.id} user={comment.user.name}>"


async def test_async_related_offsets_resume_live_cursors(emu: PixivEmulator) -> None:
    async with AsyncClient() as client:
        await client.authenticate(emu.demo_refresh_token)
        first = await client.fetch_illustration_related(SEED_WORK)
        second = await client.fetch_illustration_related(SEED_WORK, offset=first["next"])
        ids = [i.id for i in first["illustrations"] + second["illustrations"]]
        assert len(ids) == len(set(ids)) > 30
        # The offset stood for the live cursor (seed_illust_ids + viewed), which was sent.
        query = illust.illust_related_query(SEED_WORK, first["next"])
        assert "viewed%5B29%5D" in _ops._related_cursor(client, query)
