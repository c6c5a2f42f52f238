"""File hosts, redirects and file lookups of the Kemono emulator (§2.3, §2.9, §6.8)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import requests

from kemopix.emulators.kemono_server import KemonoEmulator
from kemopix.emulators.kemono_server.murmur import file_host_index, murmur2
from kemopix.emulators.kemono_server.seeding import HOSTILE_NAMES

CSS = {"Accept": "text/css"}


def get(emu: KemonoEmulator, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(emu.api_url + path, headers=CSS, timeout=10, **kwargs)


def demo_refs(emu: KemonoEmulator) -> list[dict[str, str]]:
    posts = get(emu, "/patreon/user/demo-creator/posts").json()
    refs = [r for p in posts for r in [p["file"], *p["attachments"]] if r.get("path")]
    return refs


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", 0), (b"hello", 3848350155), (b"abcd", 646393889), (b"abcde", 1594468574)],
)
def test_murmur2_known_values(data: bytes, expected: int) -> None:
    # Values from Appleby's reference C MurmurHash2 (seed 0), compiled and run separately.
    assert murmur2(data) == expected


def test_every_file_hash_matches_its_bytes(kemono_emulator: KemonoEmulator) -> None:
    refs = demo_refs(kemono_emulator)
    assert len({r["path"] for r in refs}) >= 15
    for ref in refs:
        response = requests.get(kemono_emulator.url + "/data" + ref["path"], timeout=30)
        assert response.status_code == 200
        sha = ref["path"].rsplit("/", 1)[-1].split(".")[0]
        assert hashlib.sha256(response.content).hexdigest() == sha
        assert response.headers["Content-Length"] == str(len(response.content))


def test_real_images_and_big_file(kemono_emulator: KemonoEmulator) -> None:
    refs = {r["name"]: r["path"] for r in demo_refs(kemono_emulator)}
    png = requests.get(kemono_emulator.file_url(refs["page1.png"]), timeout=10).content
    assert png.startswith(b"\x89PNG") and 100_000 < len(png) < 1_000_000
    jpg = requests.get(kemono_emulator.file_url(refs["photo1.jpg"]), timeout=10).content
    assert jpg.startswith(b"\xff\xd8")
    big = requests.get(kemono_emulator.file_url(refs["bonus-pack.zip"]), timeout=30).content
    assert len(big) > 3_000_000


def test_redirect_goes_to_murmur2_host(kemono_emulator: KemonoEmulator) -> None:
    hosts = set()
    for ref in demo_refs(kemono_emulator):
        response = requests.get(
            kemono_emulator.url + "/data" + ref["path"] + "?f=x.bin",
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302
        index = file_host_index("/data" + ref["path"])
        expected = f"{kemono_emulator.file_host_urls[index]}/data{ref['path']}?f=x.bin"
        assert response.headers["Location"] == expected
        hosts.add(index)
    assert len(hosts) >= 2


def test_range_head_etag_and_disposition(kemono_emulator: KemonoEmulator) -> None:
    ref = next(r for r in demo_refs(kemono_emulator) if r["name"] == "notes.txt")
    url = kemono_emulator.file_url(ref["path"])
    full = requests.get(url, params={"f": "Notes ü.txt"}, timeout=10)
    assert "filename*=UTF-8''Notes%20%C3%BC.txt" in full.headers["Content-Disposition"]
    assert full.headers["ETag"].strip('"') in ref["path"]
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert part.status_code == 206
    assert part.content == full.content[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(full.content)}"
    tail = requests.get(url, headers={"Range": "bytes=-10"}, timeout=10)
    assert tail.content == full.content[-10:]
    beyond = requests.get(url, headers={"Range": "bytes=99999-"}, timeout=10)
    assert beyond.status_code == 416
    head = requests.head(url, timeout=10)
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(full.content))
    assert head.content == b""


def test_missing_file_answers_not_found(kemono_emulator: KemonoEmulator) -> None:
    path = "/ab/cd/" + "ab" + "cd" + "0" * 60 + ".png"
    response = requests.get(kemono_emulator.file_host_urls[0] + "/data" + path, timeout=10)
    assert response.status_code == 404
    assert response.content == b"not found"


def test_hostile_names_are_present(kemono_emulator: KemonoEmulator) -> None:
    post = get(kemono_emulator, "/patreon/user/demo-creator/post/1000005").json()["post"]
    names = [a["name"] for a in post["attachments"]]
    assert names == list(HOSTILE_NAMES)
    assert any(len(n) == 300 for n in names)
    assert post["file"] == {}


def test_search_hash_and_file_info(kemono_emulator: KemonoEmulator) -> None:
    ref = next(r for r in demo_refs(kemono_emulator) if r["name"] == "bonus-pack.zip")
    sha = ref["path"].rsplit("/", 1)[-1].split(".")[0]
    found = get(kemono_emulator, f"/search_hash/{sha}").json()
    assert found["hash"] == sha
    assert [p["id"] for p in found["posts"]] == ["1000006"]
    assert found["discord_posts"] == []
    assert get(kemono_emulator, "/search_hash/nothex").status_code == 400
    assert get(kemono_emulator, "/search_hash/" + "0" * 64).status_code == 404
    info = get(kemono_emulator, f"/file/{sha}").json()
    assert info["file"]["hash"] == sha and info["file_list"] and info["password"] is None


def test_app_version_is_text(kemono_emulator: KemonoEmulator) -> None:
    response = get(kemono_emulator, "/app_version")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text
