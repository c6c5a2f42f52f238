"""`kemopix login kemono`, favorites, Discord servers and single posts against the emulator."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
import requests

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def test_login_then_favorites(
    kemono_emulator: KemonoEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emu = kemono_emulator
    api, accept = emu.api_url, {"Accept": "text/css"}
    account = {"username": "fan", "password": "s3cret-pass", "confirm_password": "s3cret-pass"}
    assert requests.post(f"{api}/authentication/register", json=account, headers=accept).ok
    favorites = emu.url + "/favorites"
    out = tmp_path / "out"
    assert main(["download", favorites, "--kemono-url", emu.url, "-o", str(out)]) == 3
    assert "kemopix login kemono" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    argv = ["login", "kemono", "--kemono-url", emu.url, "--username", "fan", "--password-stdin"]
    assert main(argv) == 3  # refused: authentication
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(argv) == 0
    shown = capsys.readouterr()
    sessions = tmp_path / "config" / "kemono-sessions.json"
    assert stat.S_IMODE(os.stat(sessions).st_mode) == 0o600
    cookie = json.loads(sessions.read_text())["kemono"]["session"]
    assert cookie and cookie not in shown.out + shown.err

    service, creator = emu.demo_creator
    mark = requests.post(
        f"{api}/favorites/creator/{service}/{creator}",
        headers={**accept, "Cookie": f"session={cookie}"},
    )
    assert mark.ok
    assert main(["download", favorites, "--kemono-url", emu.url, "-o", str(out), "-q"]) == 0
    posts = [p for p in out.rglob("*.json") if p.stem.isdigit()]
    assert len(posts) == 6  # the favorite creator's six posts


def test_single_post_and_discord(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = kemono_emulator
    service, creator = emu.demo_creator
    out = tmp_path / "out"
    post = f"{emu.url}/{service}/user/{creator}/post/1000002"
    assert main(["download", post, "--kemono-url", emu.url, "-o", str(out), "-q"]) == 0
    assert sorted(p.name for p in out.rglob("0*")) == [
        "01 photo2.jpg",
        "02 photo3.jpg",
        "03 page3.png",
    ]
    # The same post reached through its creator is already known.
    code = main(["download", f"{emu.url}/{service}/user/{creator}", "--kemono-url", emu.url,
                 "-o", str(out), "--json"])  # fmt: skip
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert code == 0 and summary["posts_known"] == 1 and summary["posts_new"] == 5

    server = f"{emu.url}/discord/server/1000000000000000001"
    assert main(["plan", server, "--kemono-url", emu.url, "-o", str(out / "d")]) == 0
    text = capsys.readouterr().out
    assert "+ new post kemono/discord/" in text
