"""Post and Discord endpoints of the Kemono emulator (kemono-protocol.md §2.2, §2.4)."""

from __future__ import annotations

import json
from typing import Any

import requests

from kemopix.emulators.kemono_server import KemonoEmulator

CSS = {"Accept": "text/css"}
POST = "/patreon/user/demo-creator/post/"
SERVER = "1000000000000000001"


def get(emu: KemonoEmulator, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(emu.api_url + path, headers=CSS, timeout=10, **kwargs)


def test_recent_posts_envelope(kemono_emulator: KemonoEmulator) -> None:
    body = get(kemono_emulator, "/posts").json()
    assert set(body) == {"count", "true_count", "posts"}
    assert len(body["posts"]) == 50
    assert body["count"] >= 50
    assert get(kemono_emulator, "/posts", params={"o": 7}).status_code == 400
    assert get(kemono_emulator, "/posts", params={"q": "xy"}).status_code == 400
    hostile = get(kemono_emulator, "/posts", params={"q": "Hostile"}).json()
    assert [p["id"] for p in hostile["posts"]] == ["1000005"]


def test_popular_tags_random(kemono_emulator: KemonoEmulator) -> None:
    popular = get(kemono_emulator, "/posts/popular", params={"period": "week"}).json()
    assert set(popular) == {"info", "props", "posts"}
    assert popular["posts"][0]["fav_count"] >= popular["posts"][1]["fav_count"]
    assert "substring" in popular["posts"][0]
    assert get(kemono_emulator, "/posts/popular", params={"period": "year"}).status_code == 400
    tags = get(kemono_emulator, "/posts/tags").json()
    assert {"tag", "post_count"} == set(tags[0])
    rand = get(kemono_emulator, "/posts/random").json()
    assert set(rand) == {"service", "artist_id", "post_id"}
    assert get(
        kemono_emulator, f"/{rand['service']}/user/{rand['artist_id']}/post/{rand['post_id']}"
    ).ok


def test_post_detail_envelope(kemono_emulator: KemonoEmulator) -> None:
    body = get(kemono_emulator, POST + "1000005").json()
    assert set(body) == {"post", "attachments", "previews", "videos", "props"}
    post = body["post"]
    assert post["next"] == "1000004"
    assert post["prev"] == "1000006"
    assert body["props"]["flagged"] is None
    assert body["props"]["revisions"][0][0] == 0
    newest = get(kemono_emulator, POST + "1000006").json()
    assert newest["post"]["prev"] is None
    assert {p["type"] for p in newest["previews"]} == {"thumbnail"}
    assert all(p["server"] in kemono_emulator.file_host_urls for p in newest["previews"])
    assert {"server", "name", "extension", "name_extension", "stem", "path"} == set(
        newest["attachments"][0]
    )
    video = get(kemono_emulator, POST + "1000004").json()
    assert video["videos"][0]["extension"] == ".mp4"
    assert video["previews"][0]["type"] == "embed"
    assert get(kemono_emulator, POST + "999").status_code == 404


def test_post_lookup_by_id(kemono_emulator: KemonoEmulator) -> None:
    body = get(kemono_emulator, "/patreon/post/1000003").json()
    assert body["artist_id"] == "demo-creator"
    assert get(kemono_emulator, "/patreon/post/nope").status_code == 404


def test_revisions_with_json_string_file(kemono_emulator: KemonoEmulator) -> None:
    revisions = get(kemono_emulator, POST + "1000006/revisions").json()
    assert [r["revision_id"] for r in revisions] == [7001, 7000]
    assert isinstance(revisions[1]["file"], str)
    assert json.loads(revisions[1]["file"])["name"] == "page1.png"
    single = get(kemono_emulator, POST + "1000006/revision/7001").json()
    assert single["post"]["title"] == "Sketch pack (draft)"
    assert get(kemono_emulator, POST + "1000006/revision/1").status_code == 404
    assert get(kemono_emulator, POST + "1000001/revisions").status_code == 404
    detail = get(kemono_emulator, POST + "1000006").json()
    assert [i for i, _ in detail["props"]["revisions"]] == [0, 1, 2]


def test_edit_post_adds_revision(kemono_emulator: KemonoEmulator) -> None:
    edited = kemono_emulator.edit_post("patreon", "demo-creator", "1000001", title="Renamed")
    assert edited["edited"] is not None
    post = get(kemono_emulator, POST + "1000001").json()["post"]
    assert post["title"] == "Renamed"
    revisions = get(kemono_emulator, POST + "1000001/revisions").json()
    assert revisions[0]["title"] == "First post"


def test_comments(kemono_emulator: KemonoEmulator) -> None:
    comments = get(kemono_emulator, POST + "1000006/comments").json()
    assert len(comments) == 2
    assert {
        "id",
        "parent_id",
        "commenter",
        "commenter_name",
        "content",
        "published",
        "revisions",
    } == set(comments[0])
    assert get(kemono_emulator, POST + "1000002/comments").status_code == 404


def test_flag_lifecycle(kemono_emulator: KemonoEmulator) -> None:
    url = kemono_emulator.api_url + POST + "1000002/flag"
    assert requests.get(url, headers=CSS, timeout=10).status_code == 404
    assert requests.post(url, headers=CSS, timeout=10).status_code == 201
    assert requests.post(url, headers=CSS, timeout=10).status_code == 409
    assert requests.get(url, headers=CSS, timeout=10).status_code == 200
    missing = kemono_emulator.api_url + POST + "404/flag"
    assert requests.post(missing, headers=CSS, timeout=10).status_code == 404
    detail = get(kemono_emulator, POST + "1000002").json()
    assert detail["props"]["flagged"] == "reason-other"


def test_discord_server_lookup_and_paging(kemono_emulator: KemonoEmulator) -> None:
    server = get(kemono_emulator, f"/discord/server/{SERVER}").json()
    channel = server["channels"][0]
    assert {"id", "name", "is_nsfw", "type", "topic", "parent_channel_id", "post_count"} <= set(
        channel
    )
    lookup = get(kemono_emulator, f"/discord/channel/lookup/{SERVER}").json()
    assert lookup[0] == {"id": channel["id"], "name": "general"}
    first = get(kemono_emulator, f"/discord/channel/{channel['id']}").json()
    second = get(kemono_emulator, f"/discord/channel/{channel['id']}", params={"o": 150}).json()
    assert (len(first), len(second)) == (150, 10)
    assert first[0]["published"] > first[1]["published"]
    assert get(kemono_emulator, f"/discord/channel/{channel['id']}?o=50").status_code == 400
    assert get(kemono_emulator, "/discord/channel/1").status_code == 404
    assert get(kemono_emulator, "/discord/server/1").status_code == 404


def test_added_post_appears_with_paths(kemono_emulator: KemonoEmulator) -> None:
    post = kemono_emulator.add_post(
        "patreon", "demo-creator", title="Fresh", files=[("a.png", 1000), ("b.txt", b"hello")]
    )
    assert post["file"]["name"] == "a.png"
    assert post["attachments"][0]["path"].endswith(".txt")
    listed = get(kemono_emulator, "/patreon/user/demo-creator/posts").json()
    assert listed[0]["title"] == "Fresh"
    data = requests.get(kemono_emulator.file_url(post["attachments"][0]["path"]), timeout=10)
    assert data.content == b"hello"
