"""The Kemono emulator answers what live kemono.cr answered in captured responses (issue 13)."""

from __future__ import annotations

import hashlib
import io
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from kemopix.emulators.kemono_server import KemonoEmulator

CSS = {"Accept": "text/css"}
POST = "/patreon/user/demo-creator/post/"
SUMMARY = {"id", "user", "service", "title", "substring", "published", "file", "attachments"}
MICROS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")


def get(emu: KemonoEmulator, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(emu.api_url + path, headers=CSS, timeout=10, **kwargs)


def test_listings_are_summaries(kemono_emulator: KemonoEmulator) -> None:
    recent = get(kemono_emulator, "/posts").json()
    assert set(recent) == {"count", "true_count", "posts"}
    assert all(set(p) == SUMMARY for p in recent["posts"])
    creator = get(kemono_emulator, "/patreon/user/demo-creator/posts").json()
    assert all(set(p) == SUMMARY for p in creator)
    assert creator[0]["substring"].startswith("Five sketches")


def test_envelope_files_and_revision_entries(kemono_emulator: KemonoEmulator) -> None:
    body = get(kemono_emulator, POST + "1000006").json()
    assert body["post"]["incomplete_rewards"] is None
    names = {a["name"] for a in body["attachments"]}
    assert names == {"bonus-pack.zip", "notes.txt"}  # the files that are not previewable
    for entry in body["attachments"]:
        assert entry["server"] in kemono_emulator.file_host_urls
        assert entry["path"].endswith(entry["extension"]) and entry["stem"] in entry["path"]
    assert {p["server"] for p in body["previews"]} <= set(kemono_emulator.file_host_urls)
    revisions = body["props"]["revisions"]
    assert len(revisions) == 3
    for _index, entry in revisions:
        assert {"next", "prev", "incomplete_rewards"} <= set(entry)
        assert (entry["next"], entry["prev"]) == ("1000005", None)
    # The earlier revision names a main file the current post does not have.
    assert revisions[2][1]["revision_id"] == 7000


def test_older_imports_and_precise_dates(kemono_emulator: KemonoEmulator) -> None:
    posts = get(kemono_emulator, "/posts").json()["posts"]
    synthetic = next(p for p in posts if p["user"] != "demo-creator" and p["service"] != "fanbox")
    path = f"/{synthetic['service']}/user/{synthetic['user']}/post/{synthetic['id']}"
    post = get(kemono_emulator, path).json()["post"]
    assert post["tags"] is None and post["added"] is None
    profile = get(
        kemono_emulator, f"/{synthetic['service']}/user/{synthetic['user']}/profile"
    ).json()
    assert MICROS.match(profile["indexed"]) and MICROS.match(profile["updated"])
    assert (
        profile
        == get(kemono_emulator, f"/{synthetic['service']}/user/{synthetic['user']}/profile").json()
    )


# -- the image host ---------------------------------------------------------------------------
def _paths(emu: KemonoEmulator) -> dict[str, str]:
    post = get(emu, POST + "1000006").json()["post"]
    out = {ref["name"]: ref["path"] for ref in [post["file"], *post["attachments"]]}
    return out


def test_thumbnails_are_smaller_images_not_the_original(kemono_emulator: KemonoEmulator) -> None:
    paths = _paths(kemono_emulator)
    for name in ("page1.png", "photo1.jpg"):
        path = paths[name]
        original = requests.get(kemono_emulator.file_url(path), timeout=10).content
        thumb = requests.get(kemono_emulator.thumbnail_url(path), timeout=10)
        assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
        assert hashlib.sha256(thumb.content).hexdigest() not in path
        assert len(thumb.content) < len(original)
        with Image.open(io.BytesIO(thumb.content)) as image:
            assert max(image.size) <= 180
        assert requests.get(kemono_emulator.thumbnail_url(path), timeout=10).content == (
            thumb.content
        )
    for name in ("bonus-pack.zip", "notes.txt"):
        assert (
            requests.get(kemono_emulator.thumbnail_url(paths[name]), timeout=10).status_code == 404
        )
    assert (
        requests.get(
            kemono_emulator.thumbnail_url("/ab/cd/" + "0" * 64 + ".png"), timeout=10
        ).status_code
        == 404
    )


def test_site_sends_image_paths_to_the_image_host(kemono_emulator: KemonoEmulator) -> None:
    path = _paths(kemono_emulator)["page1.png"]
    for tail in ("/thumbnail/data" + path, "/icons/patreon/demo-creator"):
        hop = requests.get(kemono_emulator.url + tail, allow_redirects=False, timeout=10)
        assert (hop.status_code, hop.headers["Location"]) == (302, kemono_emulator.img_url + tail)
    thumb = requests.get(kemono_emulator.url + "/thumbnail/data" + path, timeout=10)
    assert thumb.content == requests.get(kemono_emulator.thumbnail_url(path), timeout=10).content


def test_icons_and_banners(kemono_emulator: KemonoEmulator) -> None:
    icon = requests.get(kemono_emulator.img_url + "/icons/patreon/demo-creator", timeout=10)
    banner = requests.get(kemono_emulator.img_url + "/banners/patreon/demo-creator", timeout=10)
    assert (
        icon.headers["Content-Type"] == "image/png"
        and banner.headers["Content-Type"] == "image/jpeg"
    )
    with Image.open(io.BytesIO(banner.content)) as image:
        assert image.size[0] > image.size[1]
    assert (
        requests.get(kemono_emulator.img_url + "/icons/patreon/nobody", timeout=10).status_code
        == 404
    )


# -- originals up / down ----------------------------------------------------------------------
@pytest.fixture
def down_emulator() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(creators=10, originals="down") as emu:
        yield emu


def _connection_failure(url: str) -> str:
    with pytest.raises(requests.ConnectionError) as info:
        requests.get(url, timeout=5)
    text = repr(info.value)
    return "refused" if "refused" in text.lower() else "reset"


def test_originals_down_fail_at_connection_level_then_come_back(
    down_emulator: KemonoEmulator,
) -> None:
    emu = down_emulator
    assert emu.originals == "down"
    paths = _paths(emu)
    path = paths["page1.png"]
    # Every data host fails without an HTTP answer: n1/n3 reset, n2/n4 refuse.
    seen = set()
    for index, host in enumerate(emu.file_host_urls):
        started = time.monotonic()
        kind = _connection_failure(host + "/data" + path)
        assert time.monotonic() - started < 3
        assert kind == ("reset" if index % 2 == 0 else "refused")
        seen.add(kind)
    assert seen == {"reset", "refused"}
    # The site's /data redirect still answers; its target fails.
    redirect = requests.get(emu.url + "/data" + path, allow_redirects=False, timeout=10)
    assert redirect.status_code == 302
    _connection_failure(redirect.headers["Location"])
    # The API and the thumbnails keep working.
    assert get(emu, "/creators").ok
    assert requests.get(emu.thumbnail_url(path), timeout=10).ok
    emu.originals = "up"
    with requests.Session() as session:  # a kept-alive connection does not outlive "down"
        data = session.get(emu.file_url(path), timeout=10).content
        assert hashlib.sha256(data).hexdigest() in path
        emu.originals = "down"
        with pytest.raises(requests.ConnectionError):
            session.get(emu.file_url(path), timeout=5)


def test_originals_switch_validates_and_is_in_health() -> None:
    with pytest.raises(ValueError, match="originals"):
        KemonoEmulator(creators=1, originals="sideways")  # type: ignore[arg-type]
    with KemonoEmulator(creators=1) as emu:
        health = requests.get(emu.url + "/_emulator/health", timeout=10).json()
        assert (health["originals"], health["img_host"]) == ("up", emu.img_url)
        with pytest.raises(ValueError, match="originals"):
            emu.originals = "maybe"  # type: ignore[assignment]
        emu.originals = "down"
        assert requests.get(emu.url + "/_emulator/health", timeout=10).json()["originals"] == "down"
        # A refusing host really refuses: nothing listens on its port.
        port = int(emu.file_host_urls[1].rsplit(":", 1)[1])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_cli_originals_down() -> None:
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "kemopix.emulators.kemono_server", "--creators", "5",
         "--originals", "down"],
        stdout=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        try:
            assert proc.stdout is not None
            lines = [proc.stdout.readline() for _ in range(8)]
            site = lines[0].rsplit(" ", 1)[1].strip()
            assert any(line.startswith("image host: http://") for line in lines)
            assert any(line.startswith("originals: down") for line in lines)
            health = requests.get(site + "/_emulator/health", timeout=10).json()
            assert health["originals"] == "down"
        finally:
            proc.terminate()
            proc.wait(timeout=30)
