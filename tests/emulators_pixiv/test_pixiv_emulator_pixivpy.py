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
