"""Illust endpoints over real HTTP, checked against the shapes of pixiv-protocol.md §2-§5."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from kemopix.emulators.pixiv import PixivEmulator

ILLUST_KEYS = {
    "id",
    "title",
    "type",
    "image_urls",
    "caption",
    "restrict",
    "user",
    "tags",
    "tools",
    "create_date",
    "page_count",
    "width",
    "height",
    "sanity_level",
    "x_restrict",
    "series",
    "meta_single_page",
    "meta_pages",
    "total_view",
    "total_bookmarks",
    "is_bookmarked",
    "visible",
    "is_muted",
    "illust_ai_type",
    "illust_book_style",
    "comment_access_control",
    "restriction_attributes",
}
ERROR_KEYS = {"user_message", "message", "reason", "user_message_details"}


@pytest.fixture(scope="module")
def server() -> Iterator[PixivEmulator]:
    with PixivEmulator() as emu:
        yield emu


@pytest.fixture
def emu(server: PixivEmulator) -> PixivEmulator:
    server.reset()
    return server


def get(emu: PixivEmulator, path: str, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    return requests.get(f"{emu.url}{path}", params=params, headers=headers, timeout=5)


def post(emu: PixivEmulator, path: str, **form: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    return requests.post(f"{emu.url}{path}", data=form, headers=headers, timeout=5)


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def ranking(emu: PixivEmulator) -> list[dict[str, Any]]:
    works: list[dict[str, Any]] = get(emu, "/v1/illust/ranking", mode="day").json()["illusts"]
    return works


def test_illust_detail_single_page(emu: PixivEmulator) -> None:
    illust = get(emu, "/v1/illust/detail", illust_id=75523989).json()["illust"]
    assert set(illust) == ILLUST_KEYS | {"total_comments"}  # total_comments: detail only
    assert illust["page_count"] == 1 and illust["meta_pages"] == []
    original = illust["meta_single_page"]["original_image_url"]
    assert original == f"{emu.url}/img-original/img/2019/07/01/00/00/00/75523989_p0.png"
    assert set(illust["image_urls"]) == {"square_medium", "medium", "large"}
    assert illust["image_urls"]["large"].endswith(
        "/c/600x1200_90/img-master/img/2019/07/01/00/00/00/75523989_p0_master1200.jpg"
    )
    assert illust["create_date"] == "2019-07-01T00:00:00+09:00"
    assert illust["series"] is None and illust["total_comments"] == 42
    assert set(illust["user"]) == {"id", "name", "account", "profile_image_urls", "is_followed"}
    assert illust["user"]["id"] == 2188232 and illust["user"]["is_followed"] is True
    assert all(set(t) == {"name", "translated_name"} for t in illust["tags"])


def test_multi_page_and_ugoira_urls(emu: PixivEmulator) -> None:
    works = ranking(emu)
    multi = next(w for w in works if w["page_count"] > 1)
    assert multi["meta_single_page"] == {}
    assert len(multi["meta_pages"]) == multi["page_count"]
    for index, page in enumerate(multi["meta_pages"]):
        assert set(page["image_urls"]) == {"square_medium", "medium", "large", "original"}
        assert f"/{multi['id']}_p{index}." in page["image_urls"]["original"]
    assert multi["image_urls"]["medium"] == multi["meta_pages"][0]["image_urls"]["medium"]
    ugoira = next(w for w in works if w["type"] == "ugoira")
    assert ugoira["meta_single_page"]["original_image_url"].endswith(f"/{ugoira['id']}_ugoira0.jpg")


def test_missing_work_and_unknown_endpoint_bodies(emu: PixivEmulator) -> None:
    missing = get(emu, "/v1/illust/detail", illust_id=1)
    assert missing.status_code == 404
    assert missing.json()["error"]["user_message"] == "該当作品は削除されたか、存在しない作品IDです。"
    unknown = get(emu, "/v1/novel/text", novel_id=1)  # gone live
    assert unknown.status_code == 404 and set(unknown.json()["error"]) == ERROR_KEYS
    assert unknown.json()["error"]["user_message"] == "指定されたエンドポイントは存在しません"
    bad = get(emu, "/v1/illust/detail", illust_id="abc")
    assert bad.status_code == 400 and set(bad.json()["error"]) == ERROR_KEYS


def test_comments_v1_pages_with_parents_and_totals(emu: PixivEmulator) -> None:
    first = get(emu, "/v1/illust/comments", illust_id=75523989, include_total_comments="true")
    body = first.json()
    assert list(body) == ["total_comments", "comments", "next_url"]
    assert body["total_comments"] == 42 and len(body["comments"]) == 30
    assert query_of(body["next_url"]) == [
        ("illust_id", "75523989"),
        ("include_total_comments", "true"),
        ("offset", "30"),
    ]
    comment = body["comments"][0]
    assert set(comment) == {"id", "comment", "date", "user", "parent_comment"}
    assert "is_followed" not in comment["user"]
    rest = requests.get(
        body["next_url"], headers={"Authorization": f"Bearer {emu.access_token_for()}"}
    ).json()
    assert len(rest["comments"]) == 12 and rest["next_url"] is None
    everything = body["comments"] + rest["comments"]
    replies = [c for c in everything if c["parent_comment"]]
    assert replies and all(c["parent_comment"] == {} or "id" in c["parent_comment"] for c in everything)
    assert set(replies[0]["parent_comment"]) == {"id", "comment", "date", "user", "parent_comment"}
    hidden = get(emu, "/v1/illust/comments", illust_id=75523989).json()
    assert hidden["total_comments"] == 0  # seed doc: 0 unless include_total_comments


def test_comments_v3_and_replies(emu: PixivEmulator) -> None:
    body = get(emu, "/v3/illust/comments", illust_id=75523989).json()
    assert all(set(c) == {"id", "comment", "date", "user", "has_replies", "stamp"} for c in body["comments"])
    threads = [c for c in body["comments"] if c["has_replies"]]
    assert threads
    replies = get(emu, "/v2/illust/comment/replies", comment_id=threads[0]["id"]).json()
    assert replies["comments"] and replies["next_url"] is None


def test_related_next_url_carries_seed_and_viewed(emu: PixivEmulator) -> None:
    body = get(emu, "/v2/illust/related", illust_id=75523989, filter="for_ios").json()
    assert len(body["illusts"]) == 30 and all(set(i) == ILLUST_KEYS for i in body["illusts"])
    pairs = query_of(body["next_url"])
    assert pairs[:3] == [("illust_id", "75523989"), ("filter", "for_ios"), ("seed_illust_ids[0]", "75523989")]
    assert pairs[-1] == ("offset", "30")
    assert [v for k, v in pairs if k.startswith("viewed[")] == [str(i["id"]) for i in body["illusts"]]
    assert "seed_illust_ids%5B0%5D" in body["next_url"]


def test_ranking_pages_modes_and_dates(emu: PixivEmulator) -> None:
    first = get(emu, "/v1/illust/ranking", mode="day", filter="for_ios").json()
    assert set(first) == {"illusts", "next_url"} and len(first["illusts"]) == 30
    assert first["next_url"] == f"{emu.url}/v1/illust/ranking?mode=day&filter=for_ios&offset=30"
    dated = get(emu, "/v1/illust/ranking", mode="week", filter="for_ios", date="2024-06-01").json()
    assert query_of(dated["next_url"]) == [
        ("mode", "week"),
        ("filter", "for_ios"),
        ("date", "2024-06-01"),
        ("offset", "30"),
    ]
    manga = get(emu, "/v1/illust/ranking", mode="day_manga").json()["illusts"]
    assert manga and {w["type"] for w in manga} == {"manga"}
    assert get(emu, "/v1/illust/ranking", mode="day", date="2099-01-01").json()["illusts"] == []
    assert get(emu, "/v1/illust/ranking", mode="day_r18").json()["illusts"] == []  # R-18 off
    assert get(emu, "/v1/illust/ranking", mode="hourly").status_code == 400
    assert get(emu, "/v1/illust/ranking", date="yesterday").status_code == 400


def test_recommended_shape_and_cursor(emu: PixivEmulator) -> None:
    body = get(
        emu,
        "/v1/illust/recommended",
        content_type="illust",
        include_ranking_label="true",
        filter="for_ios",
        include_ranking_illusts="true",
    ).json()
    assert set(body) == {"illusts", "ranking_illusts", "contest_exists", "privacy_policy", "next_url"}
    assert body["contest_exists"] is False and len(body["ranking_illusts"]) == 10
    keys = [k for k, _ in query_of(body["next_url"])]
    assert {"min_bookmark_id_for_recent_illust", "max_bookmark_id_for_recommend", "offset"} <= set(keys)
    assert "viewed[0]" in keys and "include_privacy_policy" in keys
    own = {i["user"]["id"] for i in body["illusts"]}
    assert emu.demo_user_id not in own and not any(i["is_bookmarked"] for i in body["illusts"])


def test_follow_feed_and_new_illusts(emu: PixivEmulator) -> None:
    feed = get(emu, "/v2/illust/follow", restrict="public").json()
    assert feed["illusts"] and all(i["user"]["is_followed"] for i in feed["illusts"])
    newest = get(emu, "/v1/illust/new", content_type="illust", filter="for_ios").json()
    ids = [i["id"] for i in newest["illusts"]]
    assert ids == sorted(ids, reverse=True)
    assert dict(query_of(newest["next_url"]))["max_illust_id"] == str(ids[-1] - 1)


def test_trending_tags_follow_accept_language(emu: PixivEmulator) -> None:
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    url = f"{emu.url}/v1/trending-tags/illust?filter=for_ios"
    plain = requests.get(url, headers=headers).json()["trend_tags"]
    assert plain and all(set(t) == {"tag", "translated_name", "illust"} for t in plain)
    english = requests.get(url, headers={**headers, "Accept-Language": "English"}).json()
    chinese = requests.get(url, headers={**headers, "Accept-Language": "zh-CN"}).json()
    by_tag = {t["tag"]: t["translated_name"] for t in english["trend_tags"]}
    assert all(t["translated_name"] is None for t in plain)
    translated = [tag for tag, name in by_tag.items() if name]
    assert translated and by_tag.get("オリジナル") in (None, "original")
    zh = {t["tag"]: t["translated_name"] for t in chinese["trend_tags"]}
    assert any(zh[tag] != by_tag[tag] for tag in translated)


def test_ugoira_metadata_matches_the_zip(emu: PixivEmulator) -> None:
    ugoira = next(w for w in ranking(emu) if w["type"] == "ugoira")
    meta = get(emu, "/v1/ugoira/metadata", illust_id=ugoira["id"]).json()["ugoira_metadata"]
    zip_url = meta["zip_urls"]["medium"]
    assert zip_url.endswith(f"/{ugoira['id']}_ugoira600x600.zip") and "/img-zip-ugoira/img/" in zip_url
    frames = meta["frames"]
    assert [f["file"] for f in frames] == [f"{i:06d}.jpg" for i in range(len(frames))]
    assert all(isinstance(f["delay"], int) and f["delay"] > 0 for f in frames)
    referer = {"Referer": "https://app-api.pixiv.net/"}
    for url in (zip_url, zip_url.replace("600x600", "1920x1080")):
        archive = zipfile.ZipFile(io.BytesIO(requests.get(url, headers=referer).content))
        assert archive.namelist() == [f["file"] for f in frames]
        assert archive.read("000000.jpg")[:3] == b"\xff\xd8\xff"
    assert get(emu, "/v1/ugoira/metadata", illust_id=75523989).status_code == 404


def test_bookmark_detail_add_and_delete(emu: PixivEmulator) -> None:
    work = 75523989
    before = get(emu, "/v2/illust/bookmark/detail", illust_id=work).json()["bookmark_detail"]
    assert list(before) == ["is_bookmarked", "tags", "restrict"] and before["is_bookmarked"] is False
    total = get(emu, "/v1/illust/detail", illust_id=work).json()["illust"]["total_bookmarks"]
    added = post(emu, "/v2/illust/bookmark/add", illust_id=work, restrict="private", **{"tags[]": "資料 wip"})
    assert added.status_code == 200 and added.json() == {}
    after = get(emu, "/v2/illust/bookmark/detail", illust_id=work).json()["bookmark_detail"]
    assert after["is_bookmarked"] is True and after["restrict"] == "private"
    assert {t["name"] for t in after["tags"] if t["is_registered"]} == {"資料", "wip"}
    detail = get(emu, "/v1/illust/detail", illust_id=work).json()["illust"]
    assert detail["is_bookmarked"] is True and detail["total_bookmarks"] == total + 1
    assert post(emu, "/v1/illust/bookmark/delete", illust_id=work).json() == {}
    assert get(emu, "/v2/illust/bookmark/detail", illust_id=work).json()["bookmark_detail"]["is_bookmarked"] is False
    bad = post(emu, "/v2/illust/bookmark/add", illust_id=1, restrict="public")
    assert bad.status_code == 404 and bad.json()["error"]["user_message"] == "不正なリクエストです。"


def test_illust_series(emu: PixivEmulator) -> None:
    works = get(emu, "/v1/user/illusts", user_id=emu.demo_artist_id, type="manga").json()["illusts"]
    series = next(w["series"] for w in works if w["series"])
    body = get(emu, "/v1/illust/series", illust_series_id=series["id"]).json()
    assert body["illust_series_detail"]["title"] == series["title"]
    assert body["illust_series_detail"]["series_work_count"] == len(body["illusts"]) == 2
    assert body["illust_series_first_illust"]["id"] == min(i["id"] for i in body["illusts"])


def test_restricted_works_show_placeholders(emu: PixivEmulator) -> None:
    row = emu.state.one("SELECT id FROM illusts WHERE x_restrict = 1 LIMIT 1")
    assert row is not None
    hidden = get(emu, "/v1/illust/detail", illust_id=row[0]).json()["illust"]
    assert hidden["visible"] is False and hidden["title"] == "" and hidden["tags"] == []
    assert hidden["image_urls"]["medium"].endswith("/common/images/limit_sanity_level_360.png")
    adult = emu.create_account("Adult", x_restrict=1)
    token = emu.access_token_for(adult["user_id"])
    shown = requests.get(
        f"{emu.url}/v1/illust/detail",
        params={"illust_id": row[0]},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["illust"]
    assert shown["visible"] is True and shown["title"]
    assert shown["meta_single_page"] or shown["meta_pages"]
