"""`kemopix serve` from the command line: the demo's archive, served, then stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from kemopix.cli import main
from kemopix.downloader.archive import Archive

PROGRAM = "import sys; from kemopix.cli import main; sys.exit(main(sys.argv[1:]))"


def kemopix(*argv: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PROGRAM, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    out = dict(os.environ)
    out["KEMOPIX_CONFIG_DIR"] = str(tmp_path / "config")
    out["KEMOPIX_CACHE_DIR"] = str(tmp_path / "cache")
    out.pop("KEMOPIX_OUTPUT", None)
    return out


def test_demo_then_serve_then_ctrl_c(
    tmp_path: Path, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo output"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KEMOPIX_CONFIG_DIR", env["KEMOPIX_CONFIG_DIR"])
        assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"kemopix serve -o '{out}'\n" in printed  # the demo ends with the command to browse it

    process = kemopix("serve", "-o", str(out), "--port", "0", env=env)
    try:
        assert process.stdout is not None
        first = "".join(process.stdout.readline() for _ in range(3))
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert match, first
        with urllib.request.urlopen(match.group(0) + "api/creators", timeout=30) as response:
            names = {c["name"] for c in json.loads(response.read())["creators"]}
        assert names == {"Demo Creator", "Demo Artist"}
        assert (out / ".kemopix-serve" / "index.sqlite3").is_file()  # in the hidden state
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)  # also closes the pipes
    assert process.returncode == 0, err


def test_public_host_warns(tmp_path: Path, env: dict[str, str]) -> None:
    Archive(tmp_path).close()  # an empty archive
    # A TEST-NET address: the warning comes first, then binding fails; nothing is exposed.
    process = kemopix("serve", "-o", str(tmp_path), "--host", "192.0.2.1", env=env)
    _, err = process.communicate(timeout=60)
    assert "warning: serving on 192.0.2.1" in err
    assert process.returncode == 5 and "internal error" not in err  # 5: a local failure


def test_folder_without_archive_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "-o", str(tmp_path / "nothing")]) == 2
    assert "no kemopix archive" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()  # nothing created
    assert main(["serve", "-o", str(tmp_path), "--port", "70000"]) == 2
    (tmp_path / ".kemopix-archive.sqlite3").write_bytes(b"not a database, but long enough" * 9)
    assert main(["serve", "-o", str(tmp_path), "--port", "0"]) == 5  # a local problem
    err = capsys.readouterr().err
    assert "is damaged" in err and "internal error" not in err
    assert "port must be a number from 0 to 65535" in err  # the --port 70000 above
