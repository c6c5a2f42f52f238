"""The pixiv access token kept between runs (a private file in the cache folder): the next run
skips the token exchange, a refused token is renewed, another login never uses it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from kemopix.cli import main
from kemopix.emulators import PixivEmulator

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def download(
    emu: PixivEmulator, out: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    user = f"{emu.url}/users/{emu.demo_account['artist_id']}"
    code = main(["download", user, "--pixiv-url", emu.url, "-o", str(out), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    return code, next((e for e in reversed(lines) if e["event"] == "summary"), {})


def log_in(tmp_path: Path, token: str) -> None:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "pixiv-token.json").write_text(json.dumps({"refresh_token": token}))


def test_the_next_run_needs_no_token_exchange_and_a_refused_token_is_renewed(
    pixiv_emulator: PixivEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu, out = pixiv_emulator, tmp_path / "out"
    refresh_token = emu.demo_account["refresh_token"]
    log_in(tmp_path, refresh_token)
    code, first = download(emu, out, capsys)
    assert code == 0 and first["files_downloaded"] > 0

    kept = tmp_path / "cache" / "pixiv-access-token.json"
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600  # a credential: the user's only
    assert refresh_token not in kept.read_text()
    access_token = json.loads(kept.read_text())["access_token"]

    # The token endpoint is down: a run that still works never asked it.
    emu.add_fault("status", path="^/auth/token", status=400, probability=1.0)
    code, second = download(emu, out, capsys)
    assert code == 0 and second["errors"] == {} and second["posts_known"] > 0
    assert second["requests"] == second["listings"]  # one page each, no token exchange

    # pixiv revokes the token before its hour is up: the run renews it and keeps the new one.
    emu.faults.clear()
    emu.expire_tokens()
    code, third = download(emu, out, capsys)
    assert code == 0 and third["errors"] == {}
    assert json.loads(kept.read_text())["access_token"] != access_token


def test_another_login_does_not_use_the_kept_token(
    pixiv_emulator: PixivEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = pixiv_emulator
    log_in(tmp_path, emu.demo_account["refresh_token"])
    assert download(emu, tmp_path / "a", capsys)[0] == 0
    other = emu.create_account("someone-else")
    log_in(tmp_path, other["refresh_token"])
    emu.add_fault("status", path="^/auth/token", status=400, probability=1.0)
    code, summary = download(emu, tmp_path / "b", capsys)
    assert code == 3 and summary["errors"].get("auth")  # it had to ask, and was refused
