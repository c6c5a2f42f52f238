"""Downloads through the shared engine: seed layout, seed exceptions, resume, safety."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pixivapi import AsyncClient, Client, ContentType, Illustration, Size

if TYPE_CHECKING:
    from kemopix.emulators import PixivEmulator


def _works(client: Client) -> list[Illustration]:
    works: list[Illustration] = client.fetch_illustrations_ranking()["illustrations"]
    return works


def _single(client: Client) -> Illustration:
    return next(
        w for w in _works(client) if w.page_count == 1 and w.type is ContentType.ILLUSTRATION
    )


def _multi(client: Client) -> Illustration:
    return next(w for w in _works(client) if w.page_count > 1)


def test_single_page_download_names_the_file_after_the_id(client: Client, tmp_path: Path) -> None:
    work = _single(client)
    target = tmp_path / "new" / "folder"
    work.download(target)  # created, as the seed did
    original = work.image_urls[Size.ORIGINAL]
    assert original is not None
    files = list(target.iterdir())
    assert [f.name for f in files] == [f"{work.id}{Path(original).suffix}"]
    assert files[0].stat().st_size > 0
    work.download(target, size=Size.MEDIUM, filename="cover")
    assert (target / "cover.jpg").exists()


def test_multi_page_download_makes_a_folder_of_pages(client: Client, tmp_path: Path) -> None:
    work = _multi(client)
    work.download(tmp_path)
    pages = sorted(p.name for p in (tmp_path / str(work.id)).iterdir())
    assert len(pages) == work.page_count
    assert all(p.startswith(f"{work.id}_p") for p in pages)
    results = client.download_illustration(work, tmp_path, Size.LARGE, "large")
    assert {r.path.suffix for r in results} == {".jpg"} and len(results) == work.page_count


def test_client_download_checks_the_destination_like_the_seed(
    client: Client, tmp_path: Path
) -> None:
    url = _single(client).image_urls[Size.MEDIUM]
    assert url is not None
    with pytest.raises(FileNotFoundError):
        client.download(url, tmp_path / "missing" / "x.jpg")
    client.download(url, tmp_path / "x.jpg")
    assert (tmp_path / "x.jpg").stat().st_size > 0
    assert not list(tmp_path.glob("*.part"))


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    immutable = False
    if os.access(folder, os.W_OK):  # root ignores modes: make it immutable instead
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(folder)]).returncode != 0:
            folder.chmod(0o700)
            pytest.skip("cannot make a read-only folder here")
        immutable = True
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o700)


def test_unwritable_destinations_raise_permission_error(
    client: Client, read_only_dir: Path
) -> None:
    work = _single(client)
    url = work.image_urls[Size.MEDIUM]
    assert url is not None
    with pytest.raises(PermissionError):
        client.download(url, read_only_dir / "x.jpg")
    with pytest.raises(PermissionError):
        work.download(read_only_dir)


def test_names_from_the_user_cannot_escape_the_folder(client: Client, tmp_path: Path) -> None:
    work = _single(client)
    work.download(tmp_path / "in", filename="../../escape")
    assert not (tmp_path / "escape.jpg").exists() and not list(tmp_path.glob("escape*"))
    assert len(list((tmp_path / "in").iterdir())) == 1


def test_an_interrupted_download_is_resumed(
    client: Client, emu: PixivEmulator, tmp_path: Path
) -> None:
    work = _single(client)
    emu.add_fault("truncate", path=r"\.(png|jpg|gif)$", sequence=["fault", "ok"])
    work.download(tmp_path)
    (done,) = tmp_path.iterdir()
    fresh = tmp_path / "again"
    fresh.mkdir()
    work.download(fresh)
    assert done.read_bytes() == next(fresh.iterdir()).read_bytes()


def test_image_hosts_want_the_referer(client: Client, tmp_path: Path) -> None:
    url = _single(client).image_urls[Size.MEDIUM]
    assert url is not None
    import requests

    assert requests.get(url, timeout=5).status_code == 403  # no Referer: refused
    client.download(url, tmp_path / "ok.jpg", referer="https://www.pixiv.net/")
    assert (tmp_path / "ok.jpg").stat().st_size > 0


async def test_async_downloads(aclient: AsyncClient, tmp_path: Path) -> None:
    works = (await aclient.fetch_illustrations_ranking())["illustrations"]
    multi = next(w for w in works if w.page_count > 1)
    await multi.adownload(tmp_path)
    assert len(list((tmp_path / str(multi.id)).iterdir())) == multi.page_count
    with pytest.raises(FileNotFoundError):
        await aclient.download(multi.meta_pages[0][Size.MEDIUM] or "", tmp_path / "no" / "x")
    from pixivapi import PixivError

    with pytest.raises(PixivError):
        multi.download(tmp_path)  # a sync download of an async client's work
