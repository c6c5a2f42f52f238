"""Pixiv emulator App API endpoints: shapes, paging, visibility and mutations over real HTTP."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from kemopix.emulators.pixiv_server import PixivEmulator

SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
CLIENT = ("MOBrBDS8blbauoSck0ZfDbtuzpyT", "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj")
ILLUST_KEYS = {
    "id", "title", "type", "image_urls", "caption", "restrict", "user", "tags", "tools",
    "create_date", "page_count", "width", "height", "sanity_level", "x_restrict", "series",
    "meta_single_page", "meta_pages", "total_view", "total_bookmarks", "is_bookmarked",
    "visible", "is_muted", "illust_ai_type", "illust_book_style",
}  # fmt: skip
NOVEL_KEYS = {
    "id", "title", "caption", "restrict", "x_restrict", "is_original", "image_urls",
    "create_date", "tags", "page_count", "text_length", "user", "series", "is_bookmarked",
    "total_bookmarks", "total_view", "visible", "total_comments", "is_muted", "is_mypixiv_only",
    "is_x_restricted", "novel_ai_type",
}  # fmt: skip
USER_KEYS = {"id", "name", "account", "profile_image_urls", "is_followed"}


class Api:
    """A tiny requests wrapper holding one access token (not our client: plain HTTP)."""

    def __init__(self, emu: PixivEmulator, refresh_token: str | None = None) -> None:
        self.base = emu.url
        when = "2026-11-23T00:00:00+00:00"
        resp = requests.post(
            f"{emu.url}/auth/token",
            data={
                "client_id": CLIENT[0],
                "client_secret": CLIENT[1],
                "grant_type": "refresh_token",
                "refresh_token": refresh_token or emu.demo_account["refresh_token"],
            },
            headers={
                "X-Client-Time": when,
                "X-Client-Hash": hashlib.md5((when + SECRET).encode()).hexdigest(),
            },
            timeout=10,
        )
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"

    def get(self, path: str, status: int = 200, **params: Any) -> Any:
        url = path if path.startswith("http") else f"{self.base}{path}"
        resp = self.session.get(url, params=params, timeout=10)
        assert resp.status_code == status, resp.text
        return resp.json()

    def post(self, path: str, **form: Any) -> requests.Response:
        return self.session.post(f"{self.base}{path}", data=form, timeout=10)

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def api(pixiv_emulator: PixivEmulator) -> Any:
    client = Api(pixiv_emulator)
    yield client
    client.close()


def walk(api: Api, path: str, key: str, **params: Any) -> tuple[list[Any], list[str]]:
    """Follow next_url to the end; returns every item and every next_url seen."""
    body = api.get(path, **params)
    items, urls = list(body[key]), []
    while body["next_url"]:
        urls.append(body["next_url"])
        assert urls[-1].startswith(api.base)
        body = api.get(body["next_url"])
        items.extend(body[key])
    return items, urls


def test_illust_detail_shapes(api: Api) -> None:
    illust = api.get("/v1/illust/detail", illust_id=75523989)["illust"]
    assert ILLUST_KEYS <= set(illust)
    assert illust["total_comments"] == 3
    assert illust["page_count"] == 1 and illust["meta_pages"] == []
    assert illust["meta_single_page"]["original_image_url"].startswith(api.base + "/i/")
    assert USER_KEYS <= set(illust["user"])
    assert illust["user"]["id"] == 2188232
    assert illust["user"]["is_followed"] is True
    assert illust["create_date"] == "2019-07-01T00:00:00+09:00"
    assert illust["series"] is None
    assert all(t["translated_name"] is None for t in illust["tags"])
    english = api.session.get(
        f"{api.base}/v1/illust/detail",
        params={"illust_id": 75523989},
        headers={"Accept-Language": "English"},
        timeout=10,
    ).json()["illust"]
    assert {t["translated_name"] for t in english["tags"]} == {"original", "scenery", "girl"}
    multi = api.get("/v1/illust/detail", illust_id=76100001)["illust"]
    assert multi["meta_single_page"] == {}
    assert len(multi["meta_pages"]) == multi["page_count"] == 3
    assert multi["meta_pages"][2]["image_urls"]["original"].endswith("76100001_p2.jpg")
    missing = api.get("/v1/illust/detail", status=404, illust_id=1)
    assert missing["error"]["user_message"]
    assert api.get("/v1/illust/detail", status=400)["error"]["message"]


def test_unknown_endpoint(api: Api) -> None:
    body = api.get("/v1/does/not/exist", status=404)
    assert body["error"]["user_message"] == "指定されたエンドポイントは存在しません"


def test_user_illusts_paging_and_manga(api: Api) -> None:
    items, urls = walk(
        api, "/v1/user/illusts", "illusts", user_id=2188232, type="illust", filter="for_ios"
    )
    assert len(items) == 42 and len({i["id"] for i in items}) == 42
    assert dict(parse_qsl(urlsplit(urls[0]).query)) == {
        "user_id": "2188232",
        "type": "illust",
        "filter": "for_ios",
        "offset": "30",
    }
    assert [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)
    manga = api.get("/v1/user/illusts", user_id=2188232, type="manga")
    assert [i["type"] for i in manga["illusts"]] == ["manga", "manga"]
    assert manga["user"]["id"] == 2188232 and manga["next_url"] is None


def test_user_detail_and_novels(api: Api) -> None:
    body = api.get("/v1/user/detail", user_id=2188232, filter="for_ios")
    assert set(body) == {"user", "profile", "profile_publicity", "workspace"}
    assert body["user"]["comment"]
    assert body["profile"]["total_illusts"] == 42 and body["profile"]["total_manga"] == 2
    assert isinstance(body["profile"]["background_image_url"], str)
    novels = api.get("/v1/user/novels", user_id=3000002)
    assert len(novels["novels"]) == 4 and novels["user"]["id"] == 3000002
    assert NOVEL_KEYS <= set(novels["novels"][0])
    assert api.get("/v1/user/detail", status=404, user_id=999)["error"]["user_message"]


def test_comments(api: Api) -> None:
    v1 = api.get("/v1/illust/comments", illust_id=75523989, include_total_comments="true")
    assert v1["total_comments"] == 3 and len(v1["comments"]) == 3
    reply = next(c for c in v1["comments"] if c["parent_comment"])
    assert reply["parent_comment"]["comment"] == "Lovely colours!"
    assert all(c["parent_comment"] == {} for c in v1["comments"] if c is not reply)
    for version in ("v2", "v3"):
        top = api.get(f"/{version}/illust/comments", illust_id=75523989)
        assert len(top["comments"]) == 2
        assert any(c["has_replies"] for c in top["comments"])
    items, urls = walk(api, "/v1/illust/comments", "comments", illust_id=76100001)
    assert len(items) == 33 and len(urls) == 1
    # The seed: total_comments is 0 unless include_total_comments is true.
    assert api.get("/v1/illust/comments", illust_id=75523989)["total_comments"] == 0
    unflagged = api.get("/v1/illust/comments", illust_id=75523989, include_total_comments="false")
    assert unflagged["total_comments"] == 0


def test_bookmarks_paging_and_privacy(api: Api, pixiv_emulator: PixivEmulator) -> None:
    demo = pixiv_emulator.demo_account["user_id"]
    items, urls = walk(api, "/v1/user/bookmarks/illust", "illusts", user_id=demo, restrict="public")
    assert len(items) == 33
    assert "max_bookmark_id=" in urls[0] and "offset" not in urls[0]
    private = api.get("/v1/user/bookmarks/illust", user_id=demo, restrict="private")
    assert {i["id"] for i in private["illusts"]} == {44298467, 81000002}
    assert all(i["is_bookmarked"] for i in private["illusts"])
    # Someone else's private bookmarks stay hidden; their public ones are visible.
    other_private = api.get("/v1/user/bookmarks/illust", user_id=3000001, restrict="private")
    assert other_private["illusts"] == []
    other_public = api.get("/v1/user/bookmarks/illust", user_id=3000001, restrict="public")
    assert len(other_public["illusts"]) == 2
    tags = api.get("/v1/user/bookmark-tags/illust", user_id=demo, restrict="private")
    assert tags["bookmark_tags"] == [{"name": "secret", "count": 2}]
    # Live (the seed: "Will raise an error"): another user's private tags are an error.
    refused = api.get("/v1/user/bookmark-tags/illust", 400, user_id=3000001, restrict="private")
    assert refused["error"]["message"]
    assert api.get("/v1/user/bookmark-tags/illust", user_id=3000001, restrict="public")
    novels = api.get("/v1/user/bookmarks/novel", user_id=demo, restrict="private")
    assert [n["id"] for n in novels["novels"]] == [14000004]
    tagged = api.get("/v1/user/bookmarks/illust", user_id=demo, restrict="public", tag="風景")
    assert 0 < len(tagged["illusts"]) < 30


def test_bookmark_add_delete(api: Api) -> None:
    before = api.get("/v1/illust/detail", illust_id=80000002)["illust"]
    assert api.post("/v2/illust/bookmark/add", illust_id=80000002, restrict="public").json() == {}
    after = api.get("/v1/illust/detail", illust_id=80000002)["illust"]
    assert after["is_bookmarked"] is True
    assert after["total_bookmarks"] == before["total_bookmarks"] + 1
    bad = api.post("/v2/illust/bookmark/add", illust_id=1, restrict="public")
    assert bad.status_code == 404
    assert bad.json()["error"]["user_message"] == "不正なリクエストです。"
    assert api.post("/v1/illust/bookmark/delete", illust_id=80000002).json() == {}
    assert api.get("/v1/illust/detail", illust_id=80000002)["illust"]["is_bookmarked"] is False


def test_following_follower_and_follow_changes(api: Api, pixiv_emulator: PixivEmulator) -> None:
    demo = pixiv_emulator.demo_account["user_id"]
    public = api.get("/v1/user/following", user_id=demo, restrict="public")
    assert {p["user"]["id"] for p in public["user_previews"]} == {2188232, 3000001}
    preview = public["user_previews"][0]
    assert set(preview) == {"user", "illusts", "novels", "is_muted"}
    assert len(preview["illusts"]) <= 3
    mine = api.get("/v1/user/following", user_id=demo, restrict="private")
    assert [p["user"]["id"] for p in mine["user_previews"]] == [3000002]
    theirs = api.get("/v1/user/following", user_id=3000001, restrict="private")
    assert theirs["user_previews"] == []
    followers = api.get("/v1/user/follower", user_id=2188232)
    assert {p["user"]["id"] for p in followers["user_previews"]} == {demo, 3000001}
    assert api.post("/v1/user/follow/add", user_id=3000003, restrict="public").json() == {}
    feed = api.get("/v2/illust/follow", restrict="public")
    assert any(i["user"]["id"] == 3000003 for i in feed["illusts"])
    assert feed["next_url"] is not None
    api.post("/v1/user/follow/delete", user_id=3000003)
    again = api.get("/v1/user/following", user_id=demo, restrict="public")
    assert 3000003 not in {p["user"]["id"] for p in again["user_previews"]}
    private_feed = api.get("/v2/illust/follow", restrict="private")
    assert private_feed["illusts"] == []  # 3000002 writes novels only
    related = api.get("/v1/user/related", seed_user_id=2188232, offset=0)
    assert related["user_previews"] and all(
        p["user"]["id"] not in (2188232, demo) for p in related["user_previews"]
    )


def test_related_recommended_ranking_trending(api: Api) -> None:
    related, _ = walk(api, "/v2/illust/related", "illusts", illust_id=75523989)
    assert related and 75523989 not in {i["id"] for i in related}
    rec = api.get(
        "/v1/illust/recommended",
        content_type="illust",
        include_ranking_label="true",
        include_ranking_illusts="true",
    )
    assert {"illusts", "ranking_illusts", "contest_exists", "privacy_policy", "next_url"} <= set(
        rec
    )
    assert len(rec["ranking_illusts"]) == 3 and len(rec["illusts"]) == 30
    manga = api.get("/v1/illust/recommended", content_type="manga")
    assert {i["type"] for i in manga["illusts"]} == {"manga"}
    day, urls = walk(api, "/v1/illust/ranking", "illusts", mode="day", filter="for_ios")
    assert all(i["x_restrict"] == 0 for i in day) and "mode=day" in urls[0]
    r18 = api.get("/v1/illust/ranking", mode="day_r18")["illusts"]
    assert r18 and all(i["x_restrict"] == 1 for i in r18)
    assert api.get("/v1/illust/ranking", status=400, mode="yearly")["error"]["message"]
    assert api.get("/v1/illust/ranking", status=400, mode="day", date="05/02/2025")["error"]
    dated = api.get("/v1/illust/ranking", mode="week", date="2025-02-04")
    assert "date=2025-02-04" in dated["next_url"]
    trend = api.get("/v1/trending-tags/illust", filter="for_ios")["trend_tags"]
    assert trend and {"tag", "translated_name", "illust"} <= set(trend[0])


def test_search(api: Api) -> None:
    cats = api.get("/v1/search/illust", word="猫", search_target="exact_match_for_tags")
    assert all("猫" in {t["name"] for t in i["tags"]} for i in cats["illusts"])
    assert {44298467, *range(80000001, 80000006)} <= {i["id"] for i in cats["illusts"]}
    assert cats["search_span_limit"] > 0 and cats["show_ai"] is True
    by_title = api.get(
        "/v1/search/illust", word="summer lantern", search_target="title_and_caption"
    )
    assert [i["id"] for i in by_title["illusts"]] == [75523989]
    oldest = api.get("/v1/search/illust", word="cat", sort="date_asc")["illusts"]
    assert oldest[0]["id"] == 44298467
    dated = api.get("/v1/search/illust", word="cat", start_date="2020-01-01", end_date="2020-12-31")
    assert 44298467 not in {i["id"] for i in dated["illusts"]}
    everything, _ = walk(
        api, "/v1/search/illust", "illusts", word="thanks", search_target="title_and_caption"
    )
    assert len(everything) > 30
    assert api.get("/v1/search/illust", status=400, word="x", offset=5030)["error"]
    novels = api.get("/v1/search/novel", word="harbor", search_target="text")
    assert novels["novels"] and novels["show_ai"] is True
    users = api.get("/v1/search/user", word="artist")
    assert [p["user"]["id"] for p in users["user_previews"]] == [2188232]


def test_novel_detail_series_and_webview(api: Api) -> None:
    novel = api.get("/v2/novel/detail", novel_id=14000001)["novel"]
    assert NOVEL_KEYS <= set(novel) and novel["series"] == {
        "id": 7000001,
        "title": "The Lantern Road",
    }
    standalone = api.get("/v2/novel/detail", novel_id=14000004)["novel"]
    assert standalone["series"] == {}
    series = api.get("/v2/novel/series", series_id=7000001)
    assert series["novel_series_detail"]["content_count"] == 3
    assert [n["id"] for n in series["novels"]] == [14000001, 14000002, 14000003]
    assert series["novel_series_first_novel"]["id"] == 14000001
    page = api.session.get(f"{api.base}/webview/v2/novel", params={"id": 14000003}, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "novel: {" in page.text and "},\n        isOwnWork" in page.text


def test_ugoira_metadata(api: Api) -> None:
    meta = api.get("/v1/ugoira/metadata", illust_id=44298467)["ugoira_metadata"]
    assert meta["zip_urls"]["medium"].endswith("44298467_ugoira600x600.zip")
    assert [f["file"] for f in meta["frames"]] == [f"{n:06d}.jpg" for n in range(4)]
    assert api.get("/v1/ugoira/metadata", status=400, illust_id=75523989)["error"]


def test_add_illustration_and_reset(api: Api, pixiv_emulator: PixivEmulator) -> None:
    made = pixiv_emulator.add_illustration(2188232, title="Fresh", pages=2, tags=("猫",))
    assert made["page_count"] == 2 and made["title"] == "Fresh"
    fresh = api.get("/v1/illust/detail", illust_id=made["id"])["illust"]
    assert (
        fresh["meta_pages"][1]["image_urls"]["original"]
        == made["meta_pages"][1]["image_urls"]["original"]
    )
    first = api.get("/v1/user/illusts", user_id=2188232)["illusts"][0]
    assert first["id"] == made["id"]
    pixiv_emulator.reset()
    after = Api(pixiv_emulator)
    try:
        after.get("/v1/illust/detail", status=404, illust_id=made["id"])
    finally:
        after.close()


def test_novel_bookmarks(api: Api, pixiv_emulator: PixivEmulator) -> None:
    assert (
        api.get("/v2/novel/bookmark/detail", novel_id=14000003)["bookmark_detail"]["is_bookmarked"]
        is False
    )
    added = api.post("/v2/novel/bookmark/add", novel_id=14000003, restrict="private")
    assert added.json() == {}
    assert api.get("/v2/novel/detail", novel_id=14000003)["novel"]["is_bookmarked"] is True
    demo = pixiv_emulator.demo_account["user_id"]
    private = api.get("/v1/user/bookmarks/novel", user_id=demo, restrict="private")
    assert [n["id"] for n in private["novels"]] == [14000003, 14000004]
    assert api.post("/v2/novel/bookmark/add", novel_id=1).status_code == 404
    api.post("/v1/novel/bookmark/delete", novel_id=14000003)
    assert api.get("/v2/novel/detail", novel_id=14000003)["novel"]["is_bookmarked"] is False


def test_live_related_paging(api: Api) -> None:
    """Live related pages name the seed work and the works seen, never an offset."""
    first = api.get("/v2/illust/related", illust_id=75523989, filter="for_ios")
    url = first["next_url"]
    assert url and "offset" not in url and "seed_illust_ids%5B0%5D=75523989" in url
    assert url.count("viewed%5B") == 30
    items, urls = walk(api, "/v2/illust/related", "illusts", illust_id=75523989)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)) > 30 and all("offset" not in u for u in urls)
    # The seed's offset paging still gives the same works.
    by_offset = api.get("/v2/illust/related", illust_id=75523989, offset=30)["illusts"]
    assert [i["id"] for i in by_offset] == ids[30:60]


def test_live_work_and_user_shapes(api: Api) -> None:
    works, _ = walk(api, "/v1/illust/ranking", "illusts", mode="day")
    works += api.get("/v1/illust/ranking", mode="day_r18")["illusts"]
    with_attrs = [w for w in works if "restriction_attributes" in w]
    assert with_attrs and len(with_attrs) < len(works)  # present on some works only
    assert any(w["restriction_attributes"] == ["restricted_mode"] for w in with_attrs)
    assert {w["illust_ai_type"] for w in works} == {0, 1, 2}
    manga = api.get("/v1/illust/recommended", content_type="manga")["illusts"]
    assert all(set(w["series"]) == {"id", "title"} for w in manga)
    assert all(w["series"] is None for w in works if w["type"] != "manga")
    flags = {"is_accept_request", "is_access_blocking_user"}
    assert not any(flags & set(w["user"]) for w in works)  # users inside illust lists
    followers = api.get("/v1/user/follower", user_id=2188232)["user_previews"]
    assert all(flags <= set(p["user"]) for p in followers)


def test_live_ranking_and_recommended_next_url(api: Api) -> None:
    ranking = api.get("/v1/illust/ranking", mode="day")["next_url"]
    assert "filter=for_ios" in ranking and "date=" in ranking
    recommended = api.get("/v1/illust/recommended", content_type="illust")["next_url"]
    assert "filter=for_ios" in recommended and "date=" in recommended
