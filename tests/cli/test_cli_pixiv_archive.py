"""`kemopix login pixiv` and `kemopix download` against the pixiv emulator."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cli_helpers import run
from PIL import Image

from kemopix.cli import main
from kemopix.emulators import PixivEmulator
from kemopix.files import PART_SUFFIX

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def login(emu: PixivEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    token = emu.demo_account["refresh_token"]
    assert main(["login", "pixiv", "--pixiv-url", emu.url, "--refresh-token", token]) == 0
    out = capsys.readouterr()
    assert token not in out.out + out.err  # a secret is never printed


def test_needs_login_then_archives_a_user(
    pixiv_emulator: PixivEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu, out = pixiv_emulator, tmp_path / "out"
    user = f"{emu.url}/users/{emu.demo_account['artist_id']}"
    assert main(["download", user, "--pixiv-url", emu.url, "-o", str(out)]) == 3
    assert "kemopix login pixiv" in capsys.readouterr().err
    login(emu, capsys)
    token_file = tmp_path / "config" / "pixiv-token.json"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600

    code, first = run(capsys, "download", user, "--pixiv-url", emu.url, "-o", str(out))
    assert code == 0 and first["files_failed"] == 0 and first["posts_new"] > 30
    assert not [p for p in out.rglob("*") if p.name.endswith(PART_SUFFIX)]
    for image in out.rglob("*_p*.*"):
        if image.suffix in (".png", ".jpg"):
            with Image.open(image) as picture:
                picture.verify()  # whole, decodable images
    novel = next(out.rglob("*.txt"))
    assert novel.read_text().strip()
    sidecar = json.loads(next(out.rglob("*.json")).read_text())
    assert sidecar["data"]["tags"] is not None and sidecar["kemopix"]["tags"]

    code, again = run(capsys, "download", user, "--pixiv-url", emu.url, "-o", str(out))
    assert code == 0 and again["files_downloaded"] == 0 and again["posts_new"] == 0
    assert again["requests"] <= 5  # a token refresh and one page per listing

    emu.add_illustration(int(emu.demo_account["artist_id"]), title="Fresh work", pages=2)
    code, third = run(capsys, "download", user, "--pixiv-url", emu.url, "-o", str(out))
    assert code == 0 and (third["posts_new"], third["files_downloaded"]) == (1, 2)


def test_ugoira_becomes_an_animation(
    pixiv_emulator: PixivEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu, out = pixiv_emulator, tmp_path / "out"
    login(emu, capsys)
    work = f"{emu.url}/artworks/44298467"
    code, summary = run(capsys, "download", work, "--pixiv-url", emu.url, "-o", str(out))
    assert code == 0 and summary["animations"] == 1
    animation = next(out.rglob("*.webp"))
    with Image.open(animation) as image:
        assert getattr(image, "n_frames", 1) == 4
    assert next(out.rglob("*ugoira1920x1080.zip")).exists()  # the frames are kept too
    meta = json.loads(next(out.rglob("44298467.json")).read_text())
    assert [f["delay"] for f in meta["data"]["ugoira_metadata"]["frames"]] == [100, 150, 100, 250]


@pytest.mark.parametrize(
    "path",
    [
        "/ranking.php?mode=daily",
        "/tags/%E7%8C%AB/artworks",
        "/users/1000001/bookmarks/artworks",
        "/novel/show.php?id=14000010",
    ],
)
def test_other_pages_plan(
    pixiv_emulator: PixivEmulator, path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    login(pixiv_emulator, capsys)
    argv = ["plan", pixiv_emulator.url + path, "--pixiv-url", pixiv_emulator.url]
    code = main([*argv, "-o", str(tmp_path / "none")])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "+ new post pixiv/" in text and text.splitlines()[-1].startswith("plan: ")
