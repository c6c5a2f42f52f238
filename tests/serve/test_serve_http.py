"""`kemopix serve` over HTTP: the JSON API, files by record id, headers, health, incremental index.

The archive is made by the real downloader against both emulators (serve_helpers).
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serve_helpers
from serve_helpers import UGOIRA_DELAYS, UGOIRA_ID, BuiltArchive, api, snapshot

from kemopix.emulators import KemonoEmulator
from kemopix.serve import ArchiveServer
from kemopix.serve.app import PAGE_CSP

archive = serve_helpers.archive  # the fixture: one archive made by the downloader per module


@pytest.fixture(scope="module")
def server(archive: BuiltArchive) -> Iterator[ArchiveServer]:
    with ArchiveServer(archive.root, refresh_interval=0.0) as running:
        yield running


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def post_of(server: ArchiveServer, site: str, service: str, post_id: str) -> dict[str, Any]:
    data: dict[str, Any] = api(f"{server.url}/api/posts/{site}/{service}/{post_id}")
    return data


def test_creators_posts_and_files_match_the_archive(
    server: ArchiveServer, archive: BuiltArchive
) -> None:
    creators = {c["name"]: c for c in api(server.url + "/api/creators")["creators"]}
    assert {"Demo Creator", "Hostile One", "Demo Artist"} <= set(creators)  # + the ugoira author
    demo = creators["Demo Creator"]
    assert (demo["posts"], demo["files"]) == (6, 18)
    page = api(f"{server.url}/api/creators/{demo['key']}")
    dates = [p["published"] for p in page["posts"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    post = post_of(server, "kemono", "patreon", page["posts"][0]["id"])
    names = [f["name"] for f in post["files"]]
    assert names == ["page1.png", "photo1.jpg", "page2.png", "bonus-pack.zip", "notes.txt"]
    assert all(f["verified"] and f["on_disk"] for f in post["files"])
    first = post["files"][0]
    status, headers, body = get(f"{server.url}/file/{first['id']}")
    assert status == 200 and hashlib.sha256(body).hexdigest() == first["sha256"]
    assert headers["Content-Type"] == "image/png"
    assert post["older"] is not None and post["newer"] is None
    assert post["post"]["original_url"].endswith(
        f"/patreon/user/demo-creator/post/{post['post']['id']}"
    )
    revisions = post["revisions"]
    assert {r["revision_id"] for r in revisions} == {7000, 7001}


def test_paths_from_the_url_never_reach_the_disk(server: ArchiveServer) -> None:
    for path in (
        "/file/..%2f..%2fetc%2fpasswd",
        "/file/../../etc/passwd",
        "/file/%2e%2e/%2e%2e/.kemopix-archive.sqlite3",
        "/file/-1",
        "/file/1e3",
        "/file/99999999",
        "/thumb/..%2f.kemopix-archive.sqlite3",
        "/ugoira/1/..%2f..%2fetc%2fpasswd",
        "/static/..%2f__init__.py",
        "/static/app.py",
        "/posts/kemono/patreon/..%2f..%2f..%2fetc%2fpasswd",
    ):
        status, _, body = get(server.url + path)
        assert status in (400, 404), path
        assert b"root:" not in body and b"SQLite format" not in body


def test_a_symbolic_link_out_of_the_folder_is_not_followed(
    server: ArchiveServer, archive: BuiltArchive, tmp_path: Path
) -> None:
    post = post_of(server, "kemono", "patreon", "1000006")
    notes = next(f for f in post["files"] if f["name"] == "notes.txt")
    victim = next(archive.root.rglob("*notes.txt"))
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the archive")
    saved = victim.read_bytes()
    victim.unlink()
    victim.symlink_to(secret)
    try:
        status, _, body = get(f"{server.url}/file/{notes['id']}")
        assert status == 404 and b"outside" not in body
    finally:
        victim.unlink()
        victim.write_bytes(saved)
    assert get(f"{server.url}/file/{notes['id']}")[2] == saved


def test_pages_forbid_inline_scripts_and_remote_loads(server: ArchiveServer) -> None:
    for path in ("/", "/search?q=sketch", "/health", "/posts/kemono/patreon/1000006"):
        status, headers, _ = get(server.url + path)
        assert status == 200
        csp = headers["Content-Security-Policy"]
        assert csp == PAGE_CSP and "'unsafe-inline'" not in csp and "http" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_hostile_post_is_sanitized(server: ArchiveServer, archive: BuiltArchive) -> None:
    post = post_of(server, "kemono", "fanbox", archive.hostile_id)
    html = post["content_html"]
    for bad in ("<script", "onerror", "javascript:", "<iframe", "<style", "onload", "style="):
        assert bad not in html.lower()
    assert archive.canary.url + "/remote.png" in html  # as a link ...
    assert "<img" not in html  # ... never as an image
    links = {link["host_label"] for link in post["external_links"]}
    assert {"MEGA", "Google Drive"} <= links
    inline = post_of(server, "kemono", "fanbox", archive.inline_id)
    local = [f["id"] for f in inline["files"] if f["name"] == "inline.png"]
    assert f'<img src="/file/{local[0]}"' in inline["content_html"]  # the archived copy


def test_video_is_served_with_ranges(server: ArchiveServer) -> None:
    post = post_of(server, "kemono", "patreon", "1000004")
    video = next(f for f in post["files"] if f["media"] == "video")
    status, headers, body = get(f"{server.url}/file/{video['id']}", {"Range": "bytes=10-19"})
    assert status == 206 and len(body) == 10
    assert headers["Content-Range"] == f"bytes 10-19/{video['size']}"
    assert headers["Content-Type"].startswith("video/")


def test_thumbnails_are_cached_with_validators(server: ArchiveServer) -> None:
    page = api(server.url + "/api/creators/kemono/patreon/demo-creator")
    cover = page["posts"][0]["cover"]
    status, headers, body = get(f"{server.url}/thumb/{cover}")
    assert status == 200 and headers["Content-Type"] == "image/webp"
    assert "max-age" in headers["Cache-Control"] and body[:4] == b"RIFF"
    status, _, _ = get(f"{server.url}/thumb/{cover}", {"If-None-Match": headers["ETag"]})
    assert status == 304


def test_ugoira_frames_and_delays(server: ArchiveServer) -> None:
    post = post_of(server, "pixiv", "illust", UGOIRA_ID)
    ugoira = post["ugoira"]
    assert ugoira["delays"] == UGOIRA_DELAYS
    for url in ugoira["frames"]:
        status, headers, body = get(server.url + url)
        assert status == 200 and headers["Content-Type"].startswith("image/") and body
    assert get(f"{server.url}/ugoira/{ugoira['zip']}/{len(UGOIRA_DELAYS)}")[0] == 404
    assert ugoira["animation"] is not None


def test_search_and_filters(server: ArchiveServer) -> None:
    found = api(server.url + "/api/search?q=sketch")
    assert "Sketch pack" in [p["title"] for p in found["posts"]]
    by_name = api(server.url + "/api/search?q=bonus-pack.zip")  # a file name
    assert [p["title"] for p in by_name["posts"]] == ["Sketch pack"]
    assert api(server.url + "/api/search?q=sket*")["paging"]["total"] >= 1
    novels = api(server.url + "/api/search?type=novel")
    assert novels["posts"] and all("novel" in p["types"] for p in novels["posts"])
    tagged = api(server.url + "/api/search?tag=hostile&site=kemono")
    assert [p["title"] for p in tagged["posts"]] == ["Hostile body"]
    assert api(server.url + "/api/search?q=sketch&before=2000-01-01")["posts"] == []
    mine = api(server.url + "/api/search?q=sketch&creator=kemono/patreon/demo-creator")
    assert "Sketch pack" in [p["title"] for p in mine["posts"]]
    assert {p["creator"] for p in mine["posts"]} == {"kemono/patreon/demo-creator"}
    assert api(server.url + "/api/search?q=sketch&creator=kemono/fanbox/hostile-one")["posts"] == []
    for bad in ("type=spaceship", "after=yesterday", "page=0", "page=x"):
        status, _, body = get(f"{server.url}/api/search?{bad}")
        assert status == 400 and json.loads(body)["error"]
    status, _, _ = get(server.url + "/api/search?q=%22unbalanced%20AND%20(%20NEAR%20*")
    assert status == 200  # user words are quoted, never FTS syntax


def test_health_counts_failed_then_missing(server: ArchiveServer, archive: BuiltArchive) -> None:
    health = api(server.url + "/api/health")
    assert health["total"]["failed"] == 1 and health["total"]["missing"] == 0
    hostile = next(c for c in health["creators"] if c["name"] == "Hostile One")
    assert hostile["health"]["failed"] == 1
    assert [p["name"] for p in health["problems"]] == [archive.failed_name]
    victim = next(archive.root.rglob("*photo1.jpg"))
    saved = victim.read_bytes()
    victim.unlink()
    try:
        health = api(server.url + "/api/health?recheck=1")
        assert health["total"]["missing"] == 1
        demo = next(c for c in health["creators"] if c["name"] == "Demo Creator")
        assert demo["health"]["missing"] == 1
    finally:
        victim.write_bytes(saved)
    assert api(server.url + "/api/health?recheck=1")["total"]["missing"] == 0


def test_openapi_names_every_api_path(server: ArchiveServer) -> None:
    document = api(server.url + "/api/openapi.json")
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/creators",
        "/api/creators/{site}/{service}/{id}",
        "/api/posts/{site}/{service}/{id}",
        "/api/files/{id}",
        "/api/search",
        "/api/health",
    }
    one = api(server.url + "/api/files/1")
    assert one["id"] == 1 and one["path"]


def test_index_follows_a_new_download_run(
    server: ArchiveServer,
    archive: BuiltArchive,
    kemono_emulator_server: KemonoEmulator,
    tmp_path: Path,
) -> None:
    from kemopix.cli import main

    before = snapshot(archive.root)
    service, creator = kemono_emulator_server.demo_creator
    kemono_emulator_server.add_post(
        service, creator, title="Brand new zebra", files=[("z.txt", b"zebra")]
    )
    kemono_emulator_server.edit_post(service, creator, "1000002", title="JPEG set, edited")
    url = f"{kemono_emulator_server.url}/{service}/user/{creator}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KEMOPIX_CONFIG_DIR", str(tmp_path / "config"))
        mp.setenv("KEMOPIX_CACHE_DIR", str(tmp_path / "cache"))
        code = main(["download", url, "-o", str(archive.root), "-q", "--no-shared-budget",
                     "--kemono-url", kemono_emulator_server.url])  # fmt: skip
    assert code == 0
    found = api(server.url + "/api/search?q=zebra")  # the running server sees it
    assert [p["title"] for p in found["posts"]] == ["Brand new zebra"]
    creators = {c["name"]: c for c in api(server.url + "/api/creators")["creators"]}
    assert creators["Demo Creator"]["posts"] == 7
    assert creators["Demo Creator"]["health"]["posts_edited"] == 1
    edited = post_of(server, "kemono", "patreon", "1000002")["post"]
    assert (edited["title"], edited["revision"]) == ("JPEG set, edited", 2)
    after = snapshot(archive.root)
    # The viewer changed nothing the downloader wrote: the new post and the edit's records
    # appeared, the previous sidecar was kept as 1000002.r1.json by the downloader.
    changed = {k for k, v in before.items() if after.get(k) != v}
    assert all("1000002" in k for k in changed), changed
    assert all("zebra" in k.lower() or "1000002" in k for k in set(after) - set(before))


def test_a_damaged_index_is_made_again(archive: BuiltArchive, tmp_path: Path) -> None:
    from kemopix.serve import ArchiveSource, Index

    state = tmp_path / "state"
    state.mkdir()
    (state / "index.sqlite3").write_bytes(b"not an index " * 500)
    stats = Index(ArchiveSource(archive.root), state).refresh()
    assert stats.full and stats.posts > 50
    again = Index(ArchiveSource(archive.root), state).refresh()
    assert not again.full and again.posts == 0
