"""pixivpy3 (unchanged, from PyPI) against the Pixiv emulator: only ``set_api_proxy`` is set."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests

from kemopix.emulators.pixiv_server import PixivEmulator

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pixivpy3 import AppPixivAPI


@pytest.fixture
def api(pixiv_emulator: PixivEmulator) -> Any:
    client = AppPixivAPI(timeout=10)
    # pixivpy 3.7.5: a non-default ``hosts`` also moves auth() to ``{hosts}/auth/token``.
    client.set_api_proxy(pixiv_emulator.url)
    client.auth(refresh_token=pixiv_emulator.demo_account["refresh_token"])
    return client


def test_auth_sets_user(api: Any, pixiv_emulator: PixivEmulator) -> None:
    assert api.user_id == str(pixiv_emulator.demo_account["user_id"])
    assert api.access_token


def test_illust_detail_and_download(api: Any, tmp_path: Path) -> None:
    illust = api.illust_detail(75523989).illust
    assert illust.id == 75523989
    assert illust.user.id == 2188232
    url = illust.meta_single_page.original_image_url
    assert url.endswith("/img-original/img/2019/07/01/00/00/00/75523989_p0.png")
    assert api.download(url, path=str(tmp_path))
    saved = (tmp_path / "75523989_p0.png").read_bytes()
    direct = requests.get(url, headers={"Referer": "https://app-api.pixiv.net/"}, timeout=10)
    assert saved == direct.content
    assert saved.startswith(b"\x89PNG")


def test_user_illusts_paging(api: Any) -> None:
    seen: list[int] = []
    result = api.user_illusts(2188232)
    pages = 0
    while True:
        pages += 1
        seen.extend(i.id for i in result.illusts)
        if not result.next_url:
            break
        result = api.user_illusts(**api.parse_qs(result.next_url))
    assert pages == 2
    assert len(seen) == len(set(seen)) > 30
    assert 75523989 in seen


def test_search_ranking_ugoira(api: Any) -> None:
    found = api.search_illust("cat", search_target="partial_match_for_tags")
    assert found.illusts
    assert all(
        any(t.translated_name == "cat" or t.name == "猫" for t in i.tags) for i in found.illusts
    )
    ranking = api.illust_ranking("day")
    assert len(ranking.illusts) == 30
    follow = api.illust_ranking(**api.parse_qs(ranking.next_url))
    assert follow.illusts
    meta = api.ugoira_metadata(44298467).ugoira_metadata
    delays = [f.delay for f in meta.frames]
    assert delays == [100, 150, 100, 250]
    zipped = requests.get(
        meta.zip_urls.medium, headers={"Referer": "https://www.pixiv.net/"}, timeout=10
    )
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert archive.namelist() == [f.file for f in meta.frames]


def test_novel_text(api: Any) -> None:
    novel = api.novel_text(14000002)
    assert novel.novel_text == novel.text
    assert "[newpage]" in novel.text
    assert novel.seriesId == "7000001"
    assert novel.seriesNavigation.prevNovel.id == 14000001
    detail = api.novel_detail(14000002).novel
    assert detail.series.id == 7000001


def test_bookmark_round_trip(api: Any) -> None:
    assert api.illust_bookmark_detail(80000001).bookmark_detail.is_bookmarked is False
    assert api.illust_bookmark_add(80000001, restrict="private", tags=["cats", "mine"]) == {}
    detail = api.illust_bookmark_detail(80000001).bookmark_detail
    assert detail.is_bookmarked is True
    assert detail.restrict == "private"
    assert {t.name for t in detail.tags if t.is_registered} == {"cats", "mine"}
    api.illust_bookmark_delete(80000001)
    assert api.illust_bookmark_detail(80000001).bookmark_detail.is_bookmarked is False


def _drain(api: Any, first: Any, method: Any, key: str) -> list[Any]:
    """Follow next_url with pixivpy's own ``method(**api.parse_qs(next_url))`` idiom."""
    items, result = list(first[key]), first
    while result.next_url:
        result = method(**api.parse_qs(result.next_url))
        items.extend(result[key])
    return items


def test_parse_qs_paging_everywhere(api: Any, pixiv_emulator: PixivEmulator) -> None:
    demo = pixiv_emulator.demo_account["user_id"]
    marks = _drain(api, api.user_bookmarks_illust(demo), api.user_bookmarks_illust, "illusts")
    assert len(marks) == 33
    related = api.illust_related(75523989, seed_illust_ids=[75523989], viewed=["76100001"])
    assert "seed_illust_ids%5B0%5D=75523989" in (related.next_url or "")
    assert _drain(api, related, api.illust_related, "illusts")
    recommended = api.illust_recommended()
    assert "max_bookmark_id_for_recommend=-1" in recommended.next_url
    assert len(_drain(api, recommended, api.illust_recommended, "illusts")) > 30
    comments = _drain(api, api.illust_comments(76100001), api.illust_comments, "comments")
    assert len(comments) == 33
    found = api.search_illust("thanks", search_target="title_and_caption")
    assert len(_drain(api, found, api.search_illust, "illusts")) > 30
    following = api.user_following(demo)
    assert {p.user.id for p in following.user_previews} == {2188232, 3000001}
    assert api.user_detail(2188232).profile.total_manga == 2
    assert api.search_novel("harbor", search_target="text").novels
    assert api.trending_tags_illust().trend_tags
    assert api.user_related(2188232).user_previews
    assert api.illust_follow().illusts


def test_remaining_surface(api: Any, pixiv_emulator: PixivEmulator) -> None:
    new = api.illust_new()
    assert "max_illust_id=" in new.next_url
    everything = _drain(api, new, api.illust_new, "illusts")
    ids = [i.id for i in everything]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) > 30
    assert api.novel_new().novels[0].id == 14000010
    private = api.novel_follow(restrict="private").novels
    assert {n.user.id for n in private} == {3000002}
    comments = api.novel_comments(14000001)
    assert comments.comments == [] and comments.comment_access_control == 0
    assert api.user_mypixiv(2188232).user_previews == []
    demo = pixiv_emulator.demo_account["user_id"]
    recommended = api.user_recommended().user_previews
    assert {p.user.id for p in recommended} == {3000003}
    assert demo not in {p.user.id for p in recommended}
    assert api.user_edit_ai_show_settings("true") == {}
