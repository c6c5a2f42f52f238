"""User endpoints over real HTTP: detail, works paging, bookmarks, follows (pixiv-protocol.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from kemopix.emulators.pixiv import PixivEmulator

PROFILE_KEYS = {
    "webpage",
    "gender",
    "birth",
    "birth_day",
    "birth_year",
    "region",
    "address_id",
    "country_code",
    "job",
    "job_id",
    "total_follow_users",
    "total_mypixiv_users",
    "total_illusts",
    "total_manga",
    "total_novels",
    "total_illust_bookmarks_public",
    "total_illust_series",
    "total_novel_series",
    "background_image_url",
    "twitter_account",
    "twitter_url",
    "pawoo_url",
    "is_premium",
    "is_using_custom_profile_image",
}
WORKSPACE_KEYS = {
    "pc",
    "monitor",
    "tool",
    "scanner",
    "tablet",
    "mouse",
    "printer",
    "desktop",
    "music",
    "desk",
    "chair",
    "comment",
    "workspace_image_url",
}
PREVIEW_KEYS = {"user", "illusts", "novels", "is_muted"}


@pytest.fixture(scope="module")
def server() -> Iterator[PixivEmulator]:
    with PixivEmulator() as emu:
        yield emu


@pytest.fixture
def emu(server: PixivEmulator) -> PixivEmulator:
    server.reset()
    return server


def get(emu: PixivEmulator, path: str, user: int | None = None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {emu.access_token_for(user)}"}
    response = requests.get(f"{emu.url}{path}", params=params, headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def follow_pages(emu: PixivEmulator, body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = list(body[key])
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    while body["next_url"]:
        body = requests.get(body["next_url"], headers=headers, timeout=5).json()
        items += body[key]
    return items


def test_user_detail_blocks(emu: PixivEmulator) -> None:
    body = get(emu, "/v1/user/detail", user_id=2188232, filter="for_ios")
    assert set(body) == {"user", "profile", "profile_publicity", "workspace"}
    assert set(body["user"]) == {
        "id",
        "name",
        "account",
        "profile_image_urls",
        "is_followed",
        "comment",
        "is_access_blocking_user",
    }
    assert set(body["profile"]) == PROFILE_KEYS and set(body["workspace"]) == WORKSPACE_KEYS
    assert body["profile"]["total_illusts"] == 40 and body["profile"]["total_manga"] == 5
    assert isinstance(body["profile"]["background_image_url"], str)
    assert set(body["profile_publicity"]) == {
        "gender",
        "region",
        "birth_day",
        "birth_year",
        "job",
        "pawoo",
    }
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    missing = requests.get(f"{emu.url}/v1/user/detail?user_id=3", headers=headers)
    assert missing.status_code == 404
    assert "存在しないユーザーID" in missing.json()["error"]["user_message"]


def test_user_illusts_pages_like_live(emu: PixivEmulator) -> None:
    first = get(emu, "/v1/user/illusts", user_id=2188232, type="illust", filter="for_ios")
    assert set(first) == {"user", "illusts", "next_url"} and first["user"]["id"] == 2188232
    assert first["next_url"] == (
        f"{emu.url}/v1/user/illusts?user_id=2188232&type=illust&filter=for_ios&offset=30"
    )
    works = follow_pages(emu, first, "illusts")
    assert len(works) == 40 and {w["type"] for w in works} == {"illust", "ugoira"}
    assert [w["id"] for w in works] == sorted((w["id"] for w in works), reverse=True)
    manga = get(emu, "/v1/user/illusts", user_id=2188232, type="manga")["illusts"]
    assert len(manga) == 5 and {w["type"] for w in manga} == {"manga"}
    gone = get(emu, "/v1/user/illusts", user_id=3, type="illust")
    assert gone["user"]["id"] == 0 and gone["illusts"] == [] and gone["next_url"] is None


def test_demo_artist_catalogue(emu: PixivEmulator) -> None:
    catalogue = get(emu, "/v1/user/illusts", user_id=emu.demo_artist_id)["illusts"]
    assert 10 <= len(catalogue) <= 20
    assert {w["type"] for w in catalogue} == {"illust", "manga", "ugoira"}
    assert any(w["page_count"] > 1 for w in catalogue)
    novels = get(emu, "/v1/user/novels", user_id=emu.demo_artist_id)
    assert set(novels) == {"user", "novels", "next_url"} and len(novels["novels"]) == 3


def test_bookmarks_page_by_max_bookmark_id(emu: PixivEmulator) -> None:
    me = emu.demo_user_id
    first = get(emu, "/v1/user/bookmarks/illust", user_id=me, restrict="public", filter="for_ios")
    assert set(first) == {"illusts", "next_url"} and len(first["illusts"]) == 30
    pairs = parse_qsl(urlsplit(first["next_url"]).query)
    assert [k for k, _ in pairs] == ["user_id", "restrict", "filter", "max_bookmark_id"]
    public = follow_pages(emu, first, "illusts")
    private = get(emu, "/v1/user/bookmarks/illust", user_id=me, restrict="private")["illusts"]
    assert len(public) == 50 and len(private) == 25
    assert all(i["is_bookmarked"] for i in public + private)
    assert not {i["id"] for i in public} & {i["id"] for i in private}
    # Seed doc: another user asking for private bookmarks gets the public ones.
    other = emu.create_account("Other")
    seen = get(emu, "/v1/user/bookmarks/illust", other["user_id"], user_id=me, restrict="private")
    assert {i["id"] for i in seen["illusts"]} <= {i["id"] for i in public}


def test_bookmark_tags_and_tag_filter(emu: PixivEmulator) -> None:
    me = emu.demo_user_id
    tags = get(emu, "/v1/user/bookmark-tags/illust", user_id=me, restrict="public")
    assert set(tags) == {"bookmark_tags", "next_url"}
    assert all(set(t) == {"name", "count"} for t in tags["bookmark_tags"])
    name, count = tags["bookmark_tags"][0]["name"], tags["bookmark_tags"][0]["count"]
    tagged = get(emu, "/v1/user/bookmarks/illust", user_id=me, restrict="public", tag=name)
    assert len(tagged["illusts"]) == count
    other = emu.create_account("Snoop")
    headers = {"Authorization": f"Bearer {emu.access_token_for(other['user_id'])}"}
    refused = requests.get(
        f"{emu.url}/v1/user/bookmark-tags/illust",
        params={"user_id": me, "restrict": "private"},
        headers=headers,
    )
    assert refused.status_code == 400


def test_following_followers_and_mypixiv(emu: PixivEmulator) -> None:
    me = emu.demo_user_id
    public = get(emu, "/v1/user/following", user_id=me, restrict="public")
    assert set(public) == {"user_previews", "next_url"}
    preview = public["user_previews"][0]
    assert set(preview) == PREVIEW_KEYS and len(preview["illusts"]) <= 3
    assert preview["user"]["is_followed"] is True
    private = get(emu, "/v1/user/following", user_id=me, restrict="private")["user_previews"]
    assert private and not {p["user"]["id"] for p in private} & {
        p["user"]["id"] for p in public["user_previews"]
    }
    # The seed sends no user_id: the viewer's own followers.
    followers = get(emu, "/v1/user/follower", filter="for_ios")["user_previews"]
    assert followers == get(emu, "/v1/user/follower", user_id=me)["user_previews"]
    mypixiv = get(emu, "/v1/user/mypixiv", user_id=me)["user_previews"]
    assert {p["user"]["id"] for p in mypixiv} <= {p["user"]["id"] for p in followers}


def test_follow_add_and_delete(emu: PixivEmulator) -> None:
    token = emu.access_token_for()
    headers = {"Authorization": f"Bearer {token}"}
    target = get(emu, "/v1/user/recommended", filter="for_ios")["user_previews"][0]["user"]
    assert target["is_followed"] is False
    added = requests.post(
        f"{emu.url}/v1/user/follow/add",
        data={"user_id": target["id"], "restrict": "private"},
        headers=headers,
    )
    assert added.status_code == 200 and added.json() == {}
    private = get(emu, "/v1/user/following", user_id=emu.demo_user_id, restrict="private")
    assert target["id"] in {p["user"]["id"] for p in private["user_previews"]}
    assert requests.post(
        f"{emu.url}/v1/user/follow/delete", data={"user_id": target["id"]}, headers=headers
    ).json() == {}
    assert get(emu, "/v1/user/detail", user_id=target["id"])["user"]["is_followed"] is False
    bad = requests.post(f"{emu.url}/v1/user/follow/add", data={"user_id": 3}, headers=headers)
    assert bad.status_code == 404


def test_related_and_recommended_users(emu: PixivEmulator) -> None:
    related = get(emu, "/v1/user/related", filter="for_ios", offset=0, seed_user_id=2188232)
    assert related["user_previews"] and 2188232 not in {
        p["user"]["id"] for p in related["user_previews"]
    }
    if related["next_url"]:
        keys = [k for k, _ in parse_qsl(urlsplit(related["next_url"]).query)]
        assert keys == ["filter", "offset", "seed_user_id"]  # seed_user_id last, as live
    recommended = get(emu, "/v1/user/recommended")["user_previews"]
    assert all(not p["user"]["is_followed"] for p in recommended)


def test_ai_setting_changes_show_ai(emu: PixivEmulator) -> None:
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    response = requests.post(
        f"{emu.url}/v1/user/ai-show-settings/edit", data={"show_ai": "false"}, headers=headers
    )
    assert response.json() == {}
    found = get(emu, "/v1/search/illust", word="AI生成", search_target="exact_match_for_tags")
    assert found["show_ai"] is False and found["illusts"] == []
    shown = get(emu, "/v1/search/illust", word="AI生成", search_ai_type=1)
    assert shown["illusts"] and all(i["illust_ai_type"] == 2 for i in shown["illusts"])
