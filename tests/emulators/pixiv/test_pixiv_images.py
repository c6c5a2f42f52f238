"""The image host: Referer rule, real image bytes, ranges, HEAD and conditional requests."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
import requests
from PIL import Image

from kemopix.emulators.pixiv import PixivEmulator

REFERER = {"Referer": "https://app-api.pixiv.net/"}
ORIGINAL = "/img-original/img/2019/07/01/00/00/00/75523989_p0.png"


@pytest.fixture(scope="module")
def server() -> Iterator[PixivEmulator]:
    with PixivEmulator(users=6, works_per_user=3) as emu:
        yield emu


@pytest.fixture
def emu(server: PixivEmulator) -> PixivEmulator:
    server.reset()
    return server


def illust(emu: PixivEmulator, work_id: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    body = requests.get(f"{emu.url}/v1/illust/detail?illust_id={work_id}", headers=headers)
    work: dict[str, Any] = body.json()["illust"]
    return work


def test_images_need_a_pixiv_referer(emu: PixivEmulator) -> None:
    url = emu.url + ORIGINAL
    bare = requests.get(url, timeout=5)
    assert bare.status_code == 403 and "403 Forbidden" in bare.text
    assert requests.get(url, headers={"Referer": "https://example.com/"}).status_code == 403
    for referer in ("https://app-api.pixiv.net/", "https://www.pixiv.net/", "https://pixiv.net"):
        assert requests.get(url, headers={"Referer": referer}).status_code == 200


def test_original_and_samples_are_real_images(emu: PixivEmulator) -> None:
    work = illust(emu, 75523989)
    original = requests.get(work["meta_single_page"]["original_image_url"], headers=REFERER)
    assert original.headers["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(original.content))
    assert picture.format == "PNG" and picture.size == (work["width"], work["height"])
    boxes = {"large": (600, 1200), "medium": (540, 540), "square_medium": (360, 360)}
    for size, (box_w, box_h) in boxes.items():
        sample = requests.get(work["image_urls"][size], headers=REFERER)
        image = Image.open(io.BytesIO(sample.content))
        assert image.format == "JPEG" and image.width <= box_w and image.height <= box_h
        if size == "square_medium":
            assert image.width == image.height


def test_bytes_are_deterministic_across_emulators(emu: PixivEmulator) -> None:
    first = requests.get(emu.url + ORIGINAL, headers=REFERER).content
    with PixivEmulator(users=2, works_per_user=1) as other:
        again = requests.get(other.url + ORIGINAL, headers=REFERER).content
    assert hashlib.sha256(first).digest() == hashlib.sha256(again).digest()


def test_range_head_and_validators(emu: PixivEmulator) -> None:
    url = emu.url + ORIGINAL
    whole = requests.get(url, headers=REFERER)
    data, etag = whole.content, whole.headers["ETag"]
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["Last-Modified"]
    assert int(whole.headers["Content-Length"]) == len(data)
    part = requests.get(url, headers={**REFERER, "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    tail = requests.get(url, headers={**REFERER, "Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == data[-5:]
    rest = requests.get(url, headers={**REFERER, "Range": f"bytes={len(data) - 3}-"})
    assert rest.content == data[-3:]
    beyond = requests.get(url, headers={**REFERER, "Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(data)}"
    stale = requests.get(url, headers={**REFERER, "Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.content == data
    head = requests.head(url, headers=REFERER)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(data) and head.headers["ETag"] == etag
    assert requests.get(url, headers={**REFERER, "If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": whole.headers["Last-Modified"]}
    assert requests.get(url, headers={**REFERER, **since}).status_code == 304


def test_paths_must_match_the_dataset(emu: PixivEmulator) -> None:
    wrong_date = "/img-original/img/2020/01/01/00/00/00/75523989_p0.png"
    wrong_ext = "/img-original/img/2019/07/01/00/00/00/75523989_p0.jpg"
    wrong_page = "/img-original/img/2019/07/01/00/00/00/75523989_p1.png"
    for path in (wrong_date, wrong_ext, wrong_page, "/img-original/img/nonsense"):
        response = requests.get(emu.url + path, headers=REFERER)
        assert response.status_code == 404 and "nginx" in response.text


def test_avatars_placeholders_and_covers(emu: PixivEmulator) -> None:
    work = illust(emu, 75523989)
    avatar = requests.get(work["user"]["profile_image_urls"]["medium"], headers=REFERER)
    assert Image.open(io.BytesIO(avatar.content)).size == (170, 170)
    placeholder = requests.get(f"{emu.url}/common/images/no_profile.png", headers=REFERER)
    assert placeholder.headers["Content-Type"] == "image/png"
    headers = {"Authorization": f"Bearer {emu.access_token_for()}"}
    novels = requests.get(f"{emu.url}/v1/user/novels?user_id=4242", headers=headers).json()
    cover = requests.get(novels["novels"][0]["image_urls"]["large"], headers=REFERER)
    assert cover.status_code == 200 and cover.content[:3] == b"\xff\xd8\xff"


async def test_multi_page_downloads_with_aiohttp(emu: PixivEmulator) -> None:
    work = emu.add_illustration(emu.demo_artist_id, title="Pages", pages=3, ext="jpg")
    urls = [page["image_urls"]["original"] for page in work["meta_pages"]]
    assert [u.rsplit("/", 1)[1] for u in urls] == [f"{work['id']}_p{n}.jpg" for n in range(3)]
    async with aiohttp.ClientSession(headers=REFERER) as session:
        bodies = []
        for url in urls:
            async with session.get(url) as response:
                assert response.status == 200
                bodies.append(await response.read())
    assert len(set(bodies)) == 3 and all(b[:3] == b"\xff\xd8\xff" for b in bodies)
