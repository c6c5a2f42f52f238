"""The quality ladder over real sockets: originals down → thumbnails (fast), up → upgraded.

kemono.cr's data hosts have failed at the connection level since April 2026 while its image
host serves thumbnails; the emulator's ``originals`` switch reproduces that.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kemopix.cli import main
from kemopix.downloader.quality import THUMBNAIL_SUFFIX, check_thumbnail
from kemopix.emulators import KemonoEmulator
from kemopix.files import PART_SUFFIX, file_sha256

POSTS = 200


pytestmark = pytest.mark.usefixtures("private_kemopix_env")


@pytest.fixture
def emu(kemono_emulator: KemonoEmulator) -> Iterator[KemonoEmulator]:
    """The session's emulator with its originals back up afterwards (reset() keeps them)."""
    try:
        yield kemono_emulator
    finally:
        kemono_emulator.originals = "up"


def events(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    code = main([*argv, "--json"])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def download(
    capsys: pytest.CaptureFixture[str], emu: KemonoEmulator, url: str, out: Path, *extra: str
) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    code, seen = events(capsys, "download", url, "--kemono-url", emu.url, "-o", str(out), *extra)
    return code, [e for e in seen if e["event"] == "summary"][-1], time.monotonic() - started


def status(capsys: pytest.CaptureFixture[str], out: Path) -> dict[str, Any]:
    code, seen = events(capsys, "status", "-o", str(out))
    assert code == 0
    return seen[-1]


def sidecar_files(root: Path) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    for path in root.rglob("*.json"):
        if path.name.count(".") == 1 and path.stem.isdigit():
            files.extend(json.loads(path.read_text())["kemopix"]["files"])
    return files


def image_creator(emu: KemonoEmulator) -> str:
    """A creator of POSTS image posts."""
    emu.add_creator("gumroad", "many-images", "Many Images")
    for number in range(POSTS):
        emu.add_post(
            "gumroad",
            "many-images",
            title=f"picture {number}",
            files=[(f"picture-{number}.png", 2000 + number)],
            published=1_700_000_000 + number * 60,
        )
    return f"{emu.url}/gumroad/user/many-images"


def test_originals_down_thumbnails_then_upgrade(
    emu: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = image_creator(emu)
    emu.originals = "down"
    thumbs, auto = tmp_path / "thumbs", tmp_path / "auto"

    # The first run also has the emulator encode the thumbnails: the timed runs come after.
    code, first_thumbs, _ = download(capsys, emu, url, thumbs, "--quality", "thumbnail")
    assert code == 0 and first_thumbs["files_thumbnail"] == POSTS
    ref = tmp_path / "reference"
    code, reference, thumb_seconds = download(capsys, emu, url, ref, "--quality", "thumbnail")
    assert code == 0 and reference["files_thumbnail"] == POSTS

    code, first, auto_seconds = download(capsys, emu, url, auto)
    assert code == 0  # every file is held at the best quality the site gives now
    assert first["files_thumbnail"] == POSTS and first["files_unavailable"] == 0
    assert first["files_failed"] == 0 and first["held"]["thumbnail"] == POSTS
    # the breaker stops hammering dead hosts: no minutes of retries
    assert auto_seconds <= 3 * thumb_seconds, (auto_seconds, thumb_seconds)

    totals = status(capsys, auto)["total"]
    assert totals["files"]["thumbnail"] == POSTS and totals["files"]["original"] == 0
    assert totals["posts"]["thumbnail"] == POSTS
    assert totals["next_run"] == {
        "upgrade_thumbnails": POSTS,
        "try_unavailable": 0,
        "retry_failed": 0,
        "fetch_missing": 0,
    }
    # a thumbnail is a smaller re-encoding: its bytes are not the original's
    held = sidecar_files(auto)
    assert len(held) == POSTS
    assert all(file_sha256(auto / f["path"]) != f["sha256"] for f in held)

    # verify checks a thumbnail against its own hash
    code, seen = events(capsys, "verify", "-o", str(auto), "--check-only")
    assert code == 0 and seen[-1]["good"] == POSTS and seen[-1]["bad"] == 0
    # a file gone from the disk is counted as missing
    gone = auto / held[0]["path"]
    saved = gone.read_bytes()
    gone.unlink()
    assert status(capsys, auto)["total"]["files"]["missing"] == 1
    gone.write_bytes(saved)

    emu.originals = "up"
    code, second, _ = download(capsys, emu, url, auto)
    assert code == 0 and second["posts_known"] >= 1
    assert second["files_upgraded"] == POSTS and second["files_failed"] == 0
    assert second["held"]["original"] == POSTS
    for item in sidecar_files(auto):
        assert file_sha256(auto / item["path"]) == item["sha256"], item["path"]
    assert not [p for p in auto.rglob("*") if p.name.endswith((PART_SUFFIX, THUMBNAIL_SUFFIX))]
    totals = status(capsys, auto)["total"]
    assert totals["files"]["original"] == POSTS and totals["posts"]["original"] == POSTS
    assert sum(totals["next_run"].values()) == 0

    # `upgrade` does the same for a whole folder; --keep-thumbnails keeps them beside
    code, seen = events(capsys, "upgrade", "-o", str(thumbs), "--keep-thumbnails")
    assert code == 0
    summary = [e for e in seen if e["event"] == "summary"][-1]
    assert summary["files_upgraded"] == POSTS
    for item in sidecar_files(thumbs):
        assert file_sha256(thumbs / item["path"]) == item["sha256"]
    kept = [p for p in thumbs.rglob(f"*{THUMBNAIL_SUFFIX}")]
    assert len(kept) == POSTS
    code, seen = events(capsys, "verify", "-o", str(thumbs), "--check-only")
    assert code == 0 and seen[-1]["bad"] == 0 and seen[-1]["other"] == 0


def test_down_images_as_thumbnails_the_rest_unavailable(
    emu: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service, ident = emu.demo_creator
    url = f"{emu.url}/{service}/user/{ident}"
    emu.originals = "down"
    out, strict = tmp_path / "out", tmp_path / "strict"
    code, summary, seconds = download(capsys, emu, url, out)
    assert code == 0 and summary["files_thumbnail"] == 7 and summary["files_unavailable"] == 11
    assert seconds < 15
    files = status(capsys, out)["total"]["files"]
    assert files["thumbnail"] == 7 and files["unavailable"] == 11 and files["failed"] == 0
    # --quality original: nothing at a final name, every file recorded with the reason
    code, summary, _ = download(capsys, emu, url, strict, "--quality", "original")
    assert code == 0 and summary["files_unavailable"] == 18 and summary["files_thumbnail"] == 0
    assert status(capsys, strict)["total"]["files"]["unavailable"] == 18
    assert not [p for p in strict.rglob("*") if p.is_file() and p.suffix in (".png", ".jpg")]
    emu.originals = "up"
    for folder in (out, strict):
        code, _ = events(capsys, "upgrade", "-o", str(folder))
        assert code == 0
        assert status(capsys, folder)["total"]["files"]["original"] == 18


def test_pawchive_preview_only_and_deferred(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with KemonoEmulator(flavour="pawchive", creators=10) as emu:
        out = tmp_path / "out"
        url = f"{emu.url}/fanbox/user/70050825"
        code, seen = events(capsys, "download", url, "--pawchive-url", emu.url, "-o", str(out))
        summary = [e for e in seen if e["event"] == "summary"][-1]
        assert code == 0, seen
        assert summary["files_thumbnail"] == 1 and summary["files_unavailable"] == 1
        files = status(capsys, out)["total"]["files"]
        assert files["thumbnail"] == 1 and files["unavailable"] == 1 and files["failed"] == 0
        assert files["original"] >= 1
        # the next run tries both originals again (404: still not held) and changes nothing
        code, seen = events(capsys, "download", url, "--pawchive-url", emu.url, "-o", str(out))
        assert code == 0, seen
        assert status(capsys, out)["total"]["files"] == files


def test_an_upgrade_killed_at_random_instants_never_leaves_a_bad_file(
    emu: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.add_creator("gumroad", "killed-upgrade", "Killed Upgrade")
    for number in range(30):
        emu.add_post(
            "gumroad",
            "killed-upgrade",
            title=f"k{number}",
            files=[(f"k{number}.png", 80_000 + number)],
        )
    url = f"{emu.url}/gumroad/user/killed-upgrade"
    out = tmp_path / "out"
    emu.originals = "down"
    assert download(capsys, emu, url, out)[0] == 0
    emu.originals = "up"
    # Slow originals (~100 KB/s each, so an upgrade takes seconds): kills land mid-body,
    # between a body and its rename, between the rename and the archive's commit.
    emu.add_fault(kind="bandwidth", rate=100_000, path=r"^/data/", probability=1.0)
    argv = ["upgrade", "-o", str(out), "-q"]
    code = f"import sys; from kemopix.cli import main; sys.exit(main({argv!r}))"
    rng = random.Random(5)
    upgraded: list[int] = []
    for _ in range(4):
        child = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))
        time.sleep(rng.uniform(0.5, 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        # at every final name: the verified original, or a thumbnail that decodes
        for item in sidecar_files(out):
            path = out / item["path"]
            if file_sha256(path) != item["sha256"]:
                check_thumbnail(path)
        files = status(capsys, out)["total"]["files"]
        assert files["original"] + files["thumbnail"] == 30 and files["missing"] == 0
        upgraded.append(files["original"])
    # the first kill lands before the end; what was upgraded stays upgraded
    assert upgraded == sorted(upgraded) and upgraded[0] < 30, upgraded
    emu.clear_faults()
    code_, summary, _ = download(capsys, emu, url, out)
    assert code_ == 0 and summary["held"]["original"] == 30
    for item in sidecar_files(out):
        assert file_sha256(out / item["path"]) == item["sha256"]
    assert not [p for p in out.rglob("*") if p.name.endswith((PART_SUFFIX, ".kemopix-link"))]


def test_pawchive_files_from_the_file_host_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on pawchive.st (files on file.pawchive.st): no /data redirect per file.
    with KemonoEmulator(flavour="pawchive", creators=10) as emu:
        monkeypatch.setenv("KEMOPIX_PAWCHIVE_FILES_URL", emu.file_host_urls[0])
        out = tmp_path / "out"
        url = f"{emu.url}/fanbox/user/70050825"
        code, seen = events(capsys, "download", url, "--pawchive-url", emu.url, "-o", str(out))
        assert code == 0, seen
    with sqlite3.connect(out / ".kemopix-archive.sqlite3") as db:
        urls = [row[0] for row in db.execute("SELECT url FROM files")]
    assert urls
    assert all(u.startswith(emu.file_host_urls[0] + "/data/") for u in urls), urls[:3]
