"""Pixiv emulator image host: Referer rule, Range, HEAD, ETag, ugoira zips, determinism."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
import requests
from PIL import Image

from kemopix.emulators.pixiv_server import PixivEmulator

REFERER = {"Referer": "https://app-api.pixiv.net/"}
ORIGINAL = "/i/img-original/img/2019/07/01/00/00/00/75523989_p0.png"


@pytest.mark.parametrize(
    ("referer", "status"),
    [
        (None, 403),
        ("https://example.com/", 403),
        ("https://evilpixiv.net/", 403),
        ("https://pixiv.net", 200),
        ("https://www.pixiv.net/member_illust.php?mode=medium&illust_id=75523989", 200),
        ("https://app-api.pixiv.net/", 200),
    ],
)
def test_referer_rule(pixiv_emulator: PixivEmulator, referer: str | None, status: int) -> None:
    headers = {"Referer": referer} if referer else {}
    resp = requests.get(f"{pixiv_emulator.url}{ORIGINAL}", headers=headers, timeout=10)
    assert resp.status_code == status


def test_original_is_a_real_png(pixiv_emulator: PixivEmulator) -> None:
    resp = requests.get(f"{pixiv_emulator.url}{ORIGINAL}", headers=REFERER, timeout=10)
    assert resp.headers["Content-Type"] == "image/png"
    assert int(resp.headers["Content-Length"]) == len(resp.content)
    with Image.open(io.BytesIO(resp.content)) as image:
        assert image.format == "PNG"
    with PixivEmulator() as other:
        again = requests.get(f"{other.url}{ORIGINAL}", headers=REFERER, timeout=10)
        assert again.content == resp.content  # deterministic from the seed
    with PixivEmulator(seed=1) as other:
        # A different seed renders other pixels (the URL is the same date path and id).
        seeded = requests.get(f"{other.url}{ORIGINAL}", headers=REFERER, timeout=10)
        assert seeded.status_code == 200
        assert seeded.content != resp.content


def test_head_range_etag(pixiv_emulator: PixivEmulator) -> None:
    url = f"{pixiv_emulator.url}{ORIGINAL}"
    full = requests.get(url, headers=REFERER, timeout=10).content
    head = requests.head(url, headers=REFERER, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(full)
    assert head.headers["Accept-Ranges"] == "bytes"
    etag = head.headers["ETag"]
    assert etag == '"' + hashlib.md5(full).hexdigest() + '"'
    part = requests.get(url, headers={**REFERER, "Range": "bytes=10-19"}, timeout=10)
    assert part.status_code == 206 and part.content == full[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(full)}"
    tail = requests.get(url, headers={**REFERER, "Range": "bytes=100-"}, timeout=10)
    assert tail.content == full[100:]
    suffix = requests.get(url, headers={**REFERER, "Range": "bytes=-7"}, timeout=10)
    assert suffix.content == full[-7:]
    bad = requests.get(url, headers={**REFERER, "Range": f"bytes={len(full)}-"}, timeout=10)
    assert bad.status_code == 416
    assert bad.headers["Content-Range"] == f"bytes */{len(full)}"
    cached = requests.get(url, headers={**REFERER, "If-None-Match": etag}, timeout=10)
    assert cached.status_code == 304


def test_samples_avatars_and_missing(pixiv_emulator: PixivEmulator) -> None:
    base = pixiv_emulator.url
    for path in (
        "/i/c/600x1200_90/img-master/img/2019/07/01/00/00/00/75523989_p0_master1200.jpg",
        "/i/c/360x360_70/img-master/img/2019/07/01/00/00/00/75523989_p0_square1200.jpg",
        "/i/user-profile/img/2019/01/01/00/00/00/2188232_170.jpg",
    ):
        resp = requests.get(f"{base}{path}", headers=REFERER, timeout=10)
        assert resp.status_code == 200, path
        assert resp.content.startswith(b"\xff\xd8")
    for path in (
        "/i/img-original/img/2019/07/01/00/00/00/75523989_p1.png",  # no such page
        "/i/img-original/img/2019/07/01/00/00/00/75523989_p0.jpg",  # wrong extension
        "/i/img-original/img/2020/01/01/00/00/00/75523989_p0.png",  # wrong date path
        "/i/img-original/img/2019/07/01/00/00/00/1_p0.png",
    ):
        assert requests.get(f"{base}{path}", headers=REFERER, timeout=10).status_code == 404


def test_ugoira_zip_frames(pixiv_emulator: PixivEmulator) -> None:
    dp = "2014/06/30/09/15/00"
    url = f"{pixiv_emulator.url}/i/img-zip-ugoira/img/{dp}/44298467_ugoira1920x1080.zip"
    resp = requests.get(url, headers=REFERER, timeout=10)
    assert resp.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(resp.content)) as archive:
        names = archive.namelist()
        assert names == ["000000.jpg", "000001.jpg", "000002.jpg", "000003.jpg"]
        with Image.open(io.BytesIO(archive.read(names[0]))) as frame:
            assert frame.format == "JPEG"
    first = f"{pixiv_emulator.url}/i/img-original/img/{dp}/44298467_ugoira0.jpg"
    assert requests.get(first, headers=REFERER, timeout=10).status_code == 200
