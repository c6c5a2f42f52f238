"""The pawchive (older shapes, §10) and coomer flavours of the Kemono emulator."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import requests

from kemopix.emulators.kemono_server import KemonoEmulator

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def pawchive() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(creators=30, flavour="pawchive") as emu:
        yield emu


@pytest.fixture(scope="module")
def coomer() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(creators=30, flavour="coomer") as emu:
        yield emu


def test_pawchive_serves_json_without_text_css(pawchive: KemonoEmulator) -> None:
    response = requests.get(pawchive.api_url + "/creators", headers=JSON, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert len(response.json()) >= 30


def test_pawchive_creator_listing_is_full_posts(pawchive: KemonoEmulator) -> None:
    posts = requests.get(
        pawchive.api_url + "/patreon/user/demo-creator", headers=JSON, timeout=10
    ).json()
    assert len(posts) == 6
    # Live: full posts with the first three import fields, no next/prev.
    assert {"id", "user", "service", "content", "attachments"} <= set(posts[0])
    assert {"origin", "preview_state", "has_full"} <= set(posts[0])
    assert not {"next", "prev", "detail_fetched", "preview_attempts"} & set(posts[0])
    assert (
        requests.get(
            pawchive.api_url + "/patreon/user/demo-creator?o=3", headers=JSON, timeout=10
        ).status_code
        == 400
    )


def test_pawchive_single_post_is_plain(pawchive: KemonoEmulator) -> None:
    post = requests.get(
        pawchive.api_url + "/patreon/user/demo-creator/post/1000003", headers=JSON, timeout=10
    ).json()
    assert "post" not in post
    assert (post["id"], post["next"], post["prev"]) == ("1000003", "1000002", "1000004")
    assert {"origin", "preview_state", "has_full", "detail_fetched"} <= set(post)
    assert post["has_full"] is True and post["preview_state"] == "full"
    recent = requests.get(pawchive.api_url + "/posts", headers=JSON, timeout=10).json()
    assert isinstance(recent, list) and recent
    # Live: site-wide items are summaries (substring, not content) with the listing fields.
    assert "substring" in recent[0] and "content" not in recent[0]
    assert {"origin", "preview_state", "has_full"} <= set(recent[0])


def test_pawchive_creators_and_profile_fields(pawchive: KemonoEmulator) -> None:
    creators = requests.get(pawchive.api_url + "/creators", headers=JSON, timeout=10).json()
    assert all(c["ever_imported"] is True for c in creators)
    named = requests.get(
        pawchive.api_url + "/patreon/user/demo-creator/profile", headers=JSON, timeout=10
    ).json()
    assert named["public_id"] is None  # live: null even for a slug id
    assert named["ever_imported"] is True


def test_pawchive_preview_only_and_deferred_files(pawchive: KemonoEmulator) -> None:
    posts = requests.get(pawchive.api_url + "/fanbox/user/70050825", headers=JSON, timeout=10)
    by_id = {p["id"]: p for p in posts.json()}
    preview, deferred, full = by_id["5001"], by_id["5002"], by_id["5000"]
    assert (preview["has_full"], preview["preview_state"]) == (False, "preview")
    assert preview["file"]["preview_only"] is True
    assert (deferred["has_full"], deferred["preview_state"]) == (False, "pending")
    assert deferred["file"]["deferred"] is True
    assert full["has_full"] is True and "preview_only" not in full["file"]
    detail = requests.get(
        pawchive.api_url + "/fanbox/user/70050825/post/5002", headers=JSON, timeout=10
    ).json()
    assert detail["detail_fetched"] is False
    host = pawchive.file_host_urls[0]
    # The original of a preview-only or deferred file is not held; a full post's is.
    for post, status in ((preview, 404), (deferred, 404), (full, 200)):
        got = requests.get(host + "/data" + post["file"]["path"], timeout=10)
        assert got.status_code == status
    # Only the preview-only file has a thumbnail (on the site host for pawchive).
    thumb = requests.get(pawchive.thumbnail_url(preview["file"]["path"]), timeout=10)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert (
        requests.get(pawchive.thumbnail_url(deferred["file"]["path"]), timeout=10).status_code
        == 404
    )


def test_pawchive_single_file_host(pawchive: KemonoEmulator) -> None:
    assert len(pawchive.file_host_urls) == 1
    post = requests.get(
        pawchive.api_url + "/patreon/user/demo-creator/post/1000001", headers=JSON, timeout=10
    ).json()
    path = post["file"]["path"]
    redirect = requests.get(pawchive.url + "/data" + path, allow_redirects=False, timeout=10)
    assert redirect.headers["Location"] == pawchive.file_host_urls[0] + "/data" + path
    data = requests.get(pawchive.url + "/data" + path, timeout=10).content
    assert hashlib.sha256(data).hexdigest() in path


def test_coomer_services_and_shapes(coomer: KemonoEmulator) -> None:
    css = {"Accept": "text/css"}
    creators = requests.get(coomer.api_url + "/creators", headers=css, timeout=10).json()
    assert {c["service"] for c in creators} <= {"onlyfans", "fansly", "candfans"}
    assert coomer.demo_creator == ("onlyfans", "demo-creator")
    detail = requests.get(
        coomer.api_url + "/onlyfans/user/demo-creator/post/1000006", headers=css, timeout=10
    ).json()
    assert set(detail) == {"post", "attachments", "previews", "videos", "props"}
    assert requests.get(coomer.api_url + "/creators", headers=JSON, timeout=10).status_code == 403
