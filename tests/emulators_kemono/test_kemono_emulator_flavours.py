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
    assert {"id", "user", "service", "content", "attachments", "next", "prev"} <= set(posts[0])
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
    recent = requests.get(pawchive.api_url + "/posts", headers=JSON, timeout=10).json()
    assert isinstance(recent, list) and recent


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
