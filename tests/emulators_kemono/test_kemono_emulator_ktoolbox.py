"""KToolBox (a real third-party Pawchive client) syncs a creator from the pawchive flavour.

KToolBox lives in its own virtualenv (``.venv-peers`` at the repository root, or the path in
``KTOOLBOX_BIN``); it is pointed at the emulator with its environment variables (§10).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kemopix.emulators.kemono_server import KemonoEmulator

REPO = Path(__file__).resolve().parents[2]


def ktoolbox_path() -> str | None:
    candidates = [os.environ.get("KTOOLBOX_BIN"), str(REPO / ".venv-peers/bin/ktoolbox")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("ktoolbox")


@pytest.fixture(scope="module")
def pawchive() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(creators=20, flavour="pawchive") as emu:
        yield emu


def test_ktoolbox_sync_is_byte_exact(pawchive: KemonoEmulator, tmp_path: Path) -> None:
    binary = ktoolbox_path()
    # `make test` installs it; a missing peer is a broken setup, not a reason to pass.
    assert binary is not None, "ktoolbox missing: run `make test` (it creates .venv-peers)"
    site = pawchive.url.split("//", 1)[1]
    env = dict(
        os.environ,
        KTOOLBOX_API__SCHEME="http",
        KTOOLBOX_API__NETLOC=site,
        KTOOLBOX_API__STATICS_NETLOC=site,
        KTOOLBOX_DOWNLOADER__SCHEME="http",
        KTOOLBOX_DOWNLOADER__FILES_NETLOC=pawchive.file_host_urls[0].split("//", 1)[1],
        KTOOLBOX_DOWNLOADER__FILE_PATH_PREFIX="/data",
        KTOOLBOX_JOB__COUNT="4",
    )
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [binary, "--plain", "sync", pawchive.url + "/patreon/user/demo-creator", "--output",
         str(out)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=100, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "drift" not in result.stderr.lower()

    posts = requests.get(pawchive.api_url + "/patreon/user/demo-creator", timeout=10).json()
    refs = [r for p in posts for r in [p["file"], *p["attachments"]] if r.get("path")]
    expected = {r["path"].rsplit("/", 1)[-1][:64] for r in refs}
    downloaded = [p for p in out.rglob("*") if p.is_file() and p.name != "post.json"]
    assert len(downloaded) == len(refs)
    got = {hashlib.sha256(p.read_bytes()).hexdigest() for p in downloaded}
    assert got == expected
    assert [p for p in tmp_path.iterdir() if p != out] == []
