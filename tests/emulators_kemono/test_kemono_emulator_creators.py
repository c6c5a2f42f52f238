"""Creator endpoints of the Kemono emulator over real HTTP (kemono-protocol.md §2.1)."""

from __future__ import annotations

from typing import Any

import requests

from kemopix.emulators.kemono_server import KemonoEmulator

CSS = {"Accept": "text/css"}
DEMO = "/patreon/user/demo-creator"


def get(emu: KemonoEmulator, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(emu.api_url + path, headers=CSS, timeout=10, **kwargs)


def test_creators_list_fields_and_content_type(kemono_emulator: KemonoEmulator) -> None:
    response = get(kemono_emulator, "/creators")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    creators = response.json()
    assert len(creators) >= 2000
    assert set(creators[0]) == {"favorited", "id", "indexed", "name", "service", "updated"}
    assert all(isinstance(c["indexed"], int) and isinstance(c["id"], str) for c in creators)
    assert {"service": "patreon", "id": "demo-creator"}.items() <= next(
        c for c in creators if c["id"] == "demo-creator"
    ).items()
    assert get(kemono_emulator, "/creators.txt").status_code == 404


def test_profile_and_missing_creator(kemono_emulator: KemonoEmulator) -> None:
    profile = get(kemono_emulator, DEMO + "/profile").json()
    assert profile["name"] == "Demo Creator"
    assert profile["post_count"] == 6
    for field in ("indexed", "updated", "public_id", "relation_id", "has_chats", "dm_count"):
        assert field in profile
    missing = get(kemono_emulator, "/patreon/user/nobody-here/profile")
    assert missing.status_code == 404
    assert "error" in missing.json()


def test_posts_summaries_paging_and_filters(kemono_emulator: KemonoEmulator) -> None:
    posts = get(kemono_emulator, DEMO + "/posts").json()
    assert [p["id"] for p in posts] == [
        "1000006",
        "1000005",
        "1000004",
        "1000003",
        "1000002",
        "1000001",
    ]
    assert set(posts[0]) == {
        "id",
        "user",
        "service",
        "title",
        "substring",
        "published",
        "file",
        "attachments",
    }
    assert get(kemono_emulator, DEMO + "/posts", params={"o": 25}).status_code == 400
    assert get(kemono_emulator, DEMO + "/posts", params={"o": 50}).json() == []
    assert get(kemono_emulator, DEMO + "/posts", params={"q": "ab"}).status_code == 400
    found = get(kemono_emulator, DEMO + "/posts", params={"q": "sketch"}).json()
    assert [p["id"] for p in found] == ["1000006"]
    tagged = get(kemono_emulator, DEMO + "/posts", params=[("tag", "sketch"), ("tag", "photo")])
    assert [p["id"] for p in tagged.json()] == ["1000002"]
    assert get(kemono_emulator, "/patreon/user/nobody-here/posts").status_code == 404


def test_legacy_listing_has_full_posts(kemono_emulator: KemonoEmulator) -> None:
    posts = get(kemono_emulator, DEMO).json()
    assert len(posts) == 6
    assert {"content", "embed", "added", "edited", "tags", "shared_file"} <= set(posts[0])


def test_many_posts_page_in_steps_of_50(kemono_emulator: KemonoEmulator) -> None:
    kemono_emulator.add_creator("gumroad", "prolific", "Prolific")
    for n in range(120):
        kemono_emulator.add_post("gumroad", "prolific", title=f"P{n}", published=1e9 + n)
    pages = [
        get(kemono_emulator, "/gumroad/user/prolific/posts", params={"o": o}).json()
        for o in (0, 50, 100)
    ]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert pages[0][0]["title"] == "P119"


def test_links_tags_announcements_dms(kemono_emulator: KemonoEmulator) -> None:
    links = get(kemono_emulator, DEMO + "/links").json()
    assert [(c["service"], c["id"]) for c in links] == [("fanbox", "70050825")]
    tags = get(kemono_emulator, DEMO + "/tags").json()
    assert {"tag": "sketch", "post_count": 2} in tags
    announcements = get(kemono_emulator, DEMO + "/announcements").json()
    assert {"service", "user_id", "hash", "content", "added", "published"} == set(announcements[0])
    dms = get(kemono_emulator, DEMO + "/dms").json()
    assert {
        "hash",
        "user",
        "service",
        "content",
        "embed",
        "file",
        "added",
        "published",
        "artist",
    } == set(dms[0])


def test_fancards_only_for_fanbox(kemono_emulator: KemonoEmulator) -> None:
    cards = get(kemono_emulator, "/fanbox/user/70050825/fancards").json()
    assert len(cards) == 3
    assert isinstance(cards[0]["id"], int) and isinstance(cards[0]["size"], int)
    assert get(kemono_emulator, DEMO + "/fancards").status_code == 404
    assert get(kemono_emulator, "/fanbox/user/404404/fancards").status_code == 404


def test_random_artist(kemono_emulator: KemonoEmulator) -> None:
    body = get(kemono_emulator, "/artists/random").json()
    assert set(body) == {"service", "artist_id"}
    assert get(kemono_emulator, f"/{body['service']}/user/{body['artist_id']}/profile").ok


def test_ddos_guard_without_text_css(kemono_emulator: KemonoEmulator) -> None:
    response = requests.get(kemono_emulator.api_url + "/creators", timeout=10)
    assert response.status_code == 403
    assert response.headers["Server"] == "ddos-guard"
    # Live: a short plain-text hint sent as octet-stream, not an HTML page.
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert 150 <= len(response.content) <= 230 and b"<html" not in response.content.lower()
    assert b"text/css" in response.content


def test_added_creator_is_listed_and_reset_drops_it(kemono_emulator: KemonoEmulator) -> None:
    item = kemono_emulator.add_creator("fantia", "newbie", "Newbie")
    assert item["id"] == "newbie"
    ids = {c["id"] for c in get(kemono_emulator, "/creators").json()}
    assert "newbie" in ids
    kemono_emulator.reset()
    ids = {c["id"] for c in get(kemono_emulator, "/creators").json()}
    assert "newbie" not in ids
    assert get(kemono_emulator, "/fantia/user/newbie/profile").status_code == 404


def test_add_post_updates_seeded_creator_once(kemono_emulator: KemonoEmulator) -> None:
    kemono_emulator.add_post("patreon", "demo-creator", title="Later", published=2_000_000_000)
    demo = [c for c in get(kemono_emulator, "/creators").json() if c["id"] == "demo-creator"]
    assert len(demo) == 1
    assert demo[0]["updated"] == 2_000_000_000


def test_unknown_api_path_is_json_404(kemono_emulator: KemonoEmulator) -> None:
    response = get(kemono_emulator, "/no/such/endpoint/here/at/all")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}
    wrong_method = requests.put(kemono_emulator.api_url + "/creators", headers=CSS, timeout=10)
    assert wrong_method.status_code == 405


def test_lazy_synthetic_posts_survive_reset(kemono_emulator: KemonoEmulator) -> None:
    creators = get(kemono_emulator, "/creators").json()
    refs = []
    for creator in creators[-300:]:  # past the featured ones: generated on first request
        path = f"/{creator['service']}/user/{creator['id']}"
        refs = [p["file"] for p in get(kemono_emulator, path + "/posts").json()]
        if refs:
            break
    assert refs
    kemono_emulator.reset()
    response = requests.get(kemono_emulator.file_url(refs[0]["path"]), timeout=10)
    assert response.status_code == 200


def test_api_responses_come_from_ddos_guard(kemono_emulator: KemonoEmulator) -> None:
    assert get(kemono_emulator, "/app_version").headers["Server"] == "ddos-guard"
    assert get(kemono_emulator, "/posts/popular", params={"date": "bad"}).status_code == 400
