"""A site that is down: a quick failure naming the host, with the retry shown as it happens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kemopix.cli import main
from kemopix.emulators import PixivEmulator

CLI = "import sys; from kemopix.cli import main; sys.exit(main(sys.argv[1:]))"


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(tmp_path: Path, *argv: str) -> tuple[int, list[str], float]:
    """Run ``kemopix`` in a real process: exit status, stderr lines, seconds."""
    env = {**os.environ, "KEMOPIX_CONFIG_DIR": str(tmp_path / "config")}
    env["KEMOPIX_CACHE_DIR"] = str(tmp_path / "cache")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CLI, *argv, "-o", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stderr.strip().splitlines(), time.monotonic() - started


def test_kemono_down_fails_fast(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    code, lines, seconds = cli(tmp_path, "download", f"{url}/patreon/user/1", "--kemono-url", url)
    assert code == 4  # network error or site unavailable
    host = url.removeprefix("http://")
    errors = [line for line in lines if line.startswith("kemopix:")]
    assert len(errors) == 1, lines
    assert errors[0].endswith(f"could not connect to {host}: connection refused"), lines
    retries = [line for line in lines if line.startswith("retry:")]
    assert len(retries) == 1 and "attempt 2 of 2" in retries[0]  # one quick retry, shown
    assert not any("ssl:default" in line for line in lines)
    assert seconds < 5


def test_pixiv_down_fails_fast(
    pixiv_emulator: PixivEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEMOPIX_CONFIG_DIR", str(tmp_path / "config"))
    token = pixiv_emulator.demo_account["refresh_token"]
    login = ["login", "pixiv", "--pixiv-url", pixiv_emulator.url, "--refresh-token", token]
    assert main(login) == 0
    url = f"http://127.0.0.1:{closed_port()}"
    code, lines, seconds = cli(tmp_path, "download", f"{url}/users/11", "--pixiv-url", url)
    assert code == 4, lines
    host = url.removeprefix("http://")
    errors = [line for line in lines if line.startswith("kemopix:")]
    assert errors and errors[0].endswith(f"could not connect to {host}: connection refused")
    assert all(line.startswith("retry:") for line in lines if line not in errors), lines
    assert seconds < 5


def test_quiet_run_shows_no_retries(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    code, lines, _ = cli(tmp_path, "download", f"{url}/patreon/user/1", "--kemono-url", url, "-q")
    assert code == 4 and len(lines) == 1 and "connection refused" in lines[0]
