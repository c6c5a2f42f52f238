"""Novels (detail, web view text, series, feeds) and searches over real HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from kemopix.emulators.pixiv import PixivEmulator

NOVEL_KEYS = {
    "id",
    "title",
    "caption",
    "restrict",
    "x_restrict",
    "is_original",
    "image_urls",
    "create_date",
    "tags",
    "page_count",
    "text_length",
    "user",
    "series",
    "is_bookmarked",
    "total_bookmarks",
    "total_view",
    "visible",
    "total_comments",
    "is_muted",
    "is_mypixiv_only",
    "is_x_restricted",
    "novel_ai_type",
}
WEBVIEW_KEYS = {
    "id",
    "title",
    "seriesId",
    "seriesTitle",
    "seriesIsWatched",
    "userId",
    "coverUrl",
    "tags",
    "caption",
    "cdate",
    "rating",
    "text",
    "marker",
    "illusts",
    "images",
    "seriesNavigation",
    "glossaryItems",
    "replaceableItemIds",
    "aiType",
    "isOriginal",
}


@pytest.fixture(scope="module")
def server() -> Iterator[PixivEmulator]:
    with PixivEmulator() as emu:
        yield emu


@pytest.fixture
def emu(server: PixivEmulator) -> PixivEmulator:
    server.reset()
    return server


def call(emu: PixivEmulator, path: str, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    return requests.get(f"{emu.url}{path}", params=params, headers=headers, timeout=5)


def demo_novels(emu: PixivEmulator) -> list[dict[str, Any]]:
    novels: list[dict[str, Any]] = call(emu, "/v1/user/novels", user_id=4242).json()["novels"]
    return novels


def test_novel_detail_shape(emu: PixivEmulator) -> None:
    novel = demo_novels(emu)[0]
    body = call(emu, "/v2/novel/detail", novel_id=novel["id"]).json()
    assert set(body) == {"novel"} and set(body["novel"]) == NOVEL_KEYS
    assert set(body["novel"]["image_urls"]) == {"square_medium", "medium", "large"}  # no original
    assert body["novel"]["series"] == {}  # {} rather than null on novels
    assert all(set(t) == {"name", "translated_name", "added_by_uploaded_user"} for t in body["novel"]["tags"])
    in_series = [n for n in demo_novels(emu) if n["series"]]
    assert len(in_series) == 2 and set(in_series[0]["series"]) == {"id", "title"}
    assert call(emu, "/v2/novel/detail", novel_id=1).status_code == 404


def test_webview_page_parses_like_pixivpy_and_gallery_dl(emu: PixivEmulator) -> None:
    novel = next(n for n in demo_novels(emu) if n["series"])
    page = call(emu, "/webview/v2/novel", id=novel["id"], viewer_version="20221031_ai")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    # pixivpy 3.7.5: one-line regex up to ",\s+isOwnWork".
    match = re.search(r"novel:\s({.+}),\s+isOwnWork", page.text)
    assert match is not None
    data = json.loads(match.group(1))
    # gallery-dl: cut from "novel: " to the first ",\n".
    start = page.text.index("novel: ") + len("novel: ")
    assert json.loads(page.text[start : page.text.index(",\n", start)]) == data
    assert set(data) == WEBVIEW_KEYS
    assert data["id"] == str(novel["id"]) and data["userId"] == "4242"
    assert data["text"] and data["text"].count("[newpage]") + 1 == novel["page_count"]
    assert len(data["text"]) == novel["text_length"]
    assert set(data["rating"]) == {"like", "bookmark", "view"}
    navigation = data["seriesNavigation"]
    assert set(navigation) == {"nextNovel", "prevNovel"}
    assert call(emu, "/webview/v2/novel", id=1).status_code == 404


def test_novel_series_pages_by_last_order(emu: PixivEmulator) -> None:
    series_id = next(n["series"]["id"] for n in demo_novels(emu) if n["series"])
    body = call(emu, "/v2/novel/series", series_id=series_id, filter="for_ios").json()
    assert set(body) == {
        "novel_series_detail",
        "novel_series_first_novel",
        "novel_series_latest_novel",
        "novels",
        "next_url",
    }
    detail = body["novel_series_detail"]
    assert detail["content_count"] == 2 == len(body["novels"]) and body["next_url"] is None
    assert body["novel_series_first_novel"]["id"] == body["novels"][0]["id"]
    assert call(emu, "/v2/novel/series", series_id=1).status_code == 404


def test_novel_comments_and_feeds(emu: PixivEmulator) -> None:
    novel = demo_novels(emu)[0]
    comments = call(emu, "/v1/novel/comments", novel_id=novel["id"], include_total_comments="true")
    body = comments.json()
    assert set(body) == {"total_comments", "comments", "next_url", "comment_access_control"}
    assert body["total_comments"] == novel["total_comments"]
    follow = call(emu, "/v1/novel/follow", restrict="public").json()
    assert set(follow) == {"novels", "next_url"}
    assert all(n["user"]["is_followed"] for n in follow["novels"])
    newest = call(emu, "/v1/novel/new", filter="for_ios").json()["novels"]
    assert [n["id"] for n in newest] == sorted((n["id"] for n in newest), reverse=True)
    recommended = call(emu, "/v1/novel/recommended", include_ranking_novels="true").json()
    assert set(recommended) == {"novels", "ranking_novels", "privacy_policy", "next_url"}


def test_novel_bookmarks(emu: PixivEmulator) -> None:
    novel = demo_novels(emu)[0]
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    requests.post(f"{emu.url}/v1/novel/bookmark/delete", data={"novel_id": novel["id"]}, headers=headers)
    added = requests.post(
        f"{emu.url}/v2/novel/bookmark/add",
        data={"novel_id": novel["id"], "restrict": "public"},
        headers=headers,
    )
    assert added.json() == {}
    detail = call(emu, "/v2/novel/bookmark/detail", novel_id=novel["id"]).json()
    assert detail["bookmark_detail"]["is_bookmarked"] is True
    listed = call(emu, "/v1/user/bookmarks/novel", user_id=emu.demo_user_id, restrict="public")
    assert novel["id"] in {n["id"] for n in listed.json()["novels"]}


def test_search_illust_targets_sorts_and_paging(emu: PixivEmulator) -> None:
    first = call(
        emu,
        "/v1/search/illust",
        word="ghostblade",
        search_target="partial_match_for_tags",
        sort="date_desc",
        filter="for_ios",
    ).json()
    assert set(first) == {"illusts", "next_url", "search_span_limit", "show_ai"}
    assert first["search_span_limit"] == 31536000 and len(first["illusts"]) == 30
    assert [k for k, _ in parse_qsl(urlsplit(first["next_url"]).query)] == [
        "word",
        "search_target",
        "sort",
        "filter",
        "offset",
    ]
    ids = [i["id"] for i in first["illusts"]]
    assert ids == sorted(ids, reverse=True)
    oldest = call(emu, "/v1/search/illust", word="ghostblade", sort="date_asc").json()["illusts"]
    assert [i["id"] for i in oldest] == sorted(i["id"] for i in oldest)
    popular = call(emu, "/v1/search/illust", word="ghostblade", sort="popular_desc").json()
    counts = [i["total_bookmarks"] for i in popular["illusts"]]
    assert counts == sorted(counts, reverse=True)
    # Translated names match too, and several words must all match.
    english = call(emu, "/v1/search/illust", word="Cat", search_target="exact_match_for_tags")
    assert english.json()["illusts"] and all(
        "猫" in {t["name"] for t in i["tags"]} for i in english.json()["illusts"]
    )
    both = call(emu, "/v1/search/illust", word="ghostblade 女の子").json()["illusts"]
    assert all({"ghostblade", "女の子"} <= {t["name"] for t in i["tags"]} for i in both)


def test_search_validation(emu: PixivEmulator) -> None:
    assert call(emu, "/v1/search/illust").status_code == 400
    assert call(emu, "/v1/search/illust", word="a", sort="random").status_code == 400
    deep = call(emu, "/v1/search/illust", word="a", offset=5030)
    assert deep.status_code == 400 and "5000" in deep.json()["error"]["message"]
    week = call(emu, "/v1/search/illust", word="ghostblade", duration="within_last_week").json()
    assert all(i["create_date"] >= "2024-06-23" for i in week["illusts"])
    window = call(
        emu, "/v1/search/illust", word="ghostblade", start_date="2019-07-01", end_date="2019-07-01"
    ).json()["illusts"]
    assert [i["id"] for i in window] == [75523989]


def test_search_novels_and_users(emu: PixivEmulator) -> None:
    novels = call(emu, "/v1/search/novel", word="オリジナル", merge_plain_keyword_results="true")
    body = novels.json()
    assert set(body) == {"novels", "next_url", "search_span_limit", "show_ai"} and body["novels"]
    text = call(emu, "/v1/search/novel", word="汽笛", search_target="text").json()["novels"]
    assert text
    users = call(emu, "/v1/search/user", word="demo").json()
    assert set(users) == {"user_previews", "next_url"}
    assert {p["user"]["id"] for p in users["user_previews"]} >= {emu.demo_user_id, 4242}
