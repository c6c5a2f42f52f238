"""Ordinary conditions through a real `kemopix` process: one clear line, a documented status.

A port in use or out of range, a read-only or full disk, a damaged archive, a closed stdin and
Ctrl-C at any moment of start-up never show a traceback or "internal error".
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kemopix.emulators import KemonoEmulator

KEMOPIX = [sys.executable, "-c", "import sys; from kemopix.cli import main; sys.exit(main())"]


def env(tmp_path: Path) -> dict[str, str]:
    out = dict(os.environ)
    out.update(KEMOPIX_CONFIG_DIR=str(tmp_path / "config"), KEMOPIX_CACHE_DIR=str(tmp_path / "c"))
    for name in ("KEMOPIX_KEMONO_URL", "KEMOPIX_DEBUG", "KEMOPIX_OUTPUT"):
        out.pop(name, None)
    return out


def kemopix(tmp_path: Path, *argv: str, stdin: int | None = None) -> tuple[int, str]:
    """Exit status and the one line on stderr (asserted: one line, no traceback)."""
    done = subprocess.run(
        [*KEMOPIX, *argv],
        env=env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert "Unclosed" not in done.stderr, done.stderr
    return done.returncode, lines[-1] if lines else ""


@contextlib.contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def creator(emu: KemonoEmulator) -> list[str]:
    service, ident = emu.demo_creator
    return [f"{emu.url}/{service}/user/{ident}", "--kemono-url", emu.url, "--no-shared-budget"]


def test_emulator_port_out_of_range_or_in_use(tmp_path: Path) -> None:
    code, line = kemopix(tmp_path, "emulate", "kemono", "--port", "99999")
    assert code == 2 and "port must be a number from 0 to 65535" in line
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, line = kemopix(tmp_path, "emulate", "pixiv", "--port", str(port))
    assert code == 5 and "port is already in use" in line


def test_read_only_output(kemono_emulator: KemonoEmulator, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        ctx: contextlib.AbstractContextManager[Path] = tmpfs(tmp_path / "ro", "ro,size=1m")
    else:
        (tmp_path / "ro").mkdir(mode=0o500)
        ctx = contextlib.nullcontext(tmp_path / "ro")
    with ctx as ro:
        code, line = kemopix(tmp_path, "download", *creator(kemono_emulator), "-o", str(ro / "a"))
    assert code == 5
    assert "read-only file system" in line or "permission denied" in line
    assert "-o" in line


def test_disk_full(kemono_emulator: KemonoEmulator, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "size=1m") as small:
        code, line = kemopix(tmp_path, "download", *creator(kemono_emulator), "-o", str(small))
    assert code == 5
    assert line.startswith("kemopix: no space left on the disk holding")
    assert "run the same command again" in line


def test_damaged_archive(kemono_emulator: KemonoEmulator, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".kemopix-archive.sqlite3").write_bytes(b"not sqlite at all " * 100)
    code, line = kemopix(tmp_path, "download", *creator(kemono_emulator), "-o", str(out))
    assert code == 5
    assert "is damaged (file is not a database): move it away" in line


def test_login_with_closed_stdin(tmp_path: Path) -> None:
    code, line = kemopix(tmp_path, "login", "pixiv", "--pixiv-url", "http://127.0.0.1:9")
    assert code == 2 and "standard input is closed" in line and "--refresh-token" in line
    code, line = kemopix(tmp_path, "login", "kemono")
    assert code == 2 and "standard input is closed" in line


@pytest.mark.parametrize("delay", [0.15, 0.25, 0.4, 0.8])
def test_ctrl_c_at_any_moment(
    kemono_emulator: KemonoEmulator, tmp_path: Path, delay: float
) -> None:
    kemono_emulator.add_fault(kind="bandwidth", path="^/data/", rate=2_000_000.0)
    child = subprocess.Popen(
        [*KEMOPIX, "download", *creator(kemono_emulator), "-o", str(tmp_path / "o")],
        env=env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert "Traceback" not in err, err
    assert child.returncode in (130, 0), err  # 0: it had finished already
    if child.returncode == 130:
        assert err.splitlines()[-1].startswith("kemopix: interrupted"), err
