"""Ordinary conditions through a real `kemopix` process: one clear line, a documented status.

A port in use or out of range, a read-only or full disk, a damaged archive, a closed stdin and
Ctrl-C at any moment of start-up never show a traceback or "internal error".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kemopix.emulators import KemonoEmulator

KEMOPIX = [sys.executable, "-c", "import sys; from kemopix.cli import main; sys.exit(main())"]


def env(tmp_path: Path) -> dict[str, str]:
    out = dict(os.environ)
    out.update(KEMOPIX_CONFIG_DIR=str(tmp_path / "config"), KEMOPIX_CACHE_DIR=str(tmp_path / "c"))
    for name in ("KEMOPIX_KEMONO_URL", "KEMOPIX_DEBUG", "KEMOPIX_OUTPUT"):
        out.pop(name, None)
    return out


def process(
    tmp_path: Path,
    *argv: str,
    stdin: str = "",
    cwd: Path | None = None,
    wrap: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run kemopix (under the command ``wrap`` when given) to its end; whatever happened, no
    traceback, no "internal error", no dump."""
    done = subprocess.run(
        [*wrap, *KEMOPIX, *argv],
        env=env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        cwd=cwd,
    )
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert "Unclosed" not in done.stderr, done.stderr
    return done


def lines_of(
    tmp_path: Path, *argv: str, stdin: str = "", wrap: tuple[str, ...] = ()
) -> tuple[int, list[str]]:
    """Exit status and every non-blank stderr line."""
    done = process(tmp_path, *argv, stdin=stdin, wrap=wrap)
    return done.returncode, [line for line in done.stderr.splitlines() if line.strip()]


def kemopix(tmp_path: Path, *argv: str) -> tuple[int, str]:
    """Exit status and the last stderr line."""
    code, lines = lines_of(tmp_path, *argv)
    return code, lines[-1] if lines else ""


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


def in_own_tmpfs(where: Path, options: str) -> tuple[str, ...]:
    """A command prefix that runs its command with a tmpfs at ``where``, mounted in a mount
    namespace of its own inside an unprivileged user namespace: a small disk without root."""
    where.mkdir()
    mount = ["unshare", "--user", "--map-root-user", "--mount"]
    probe = subprocess.run([*mount, "true"], capture_output=True, check=False)
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip("no unprivileged user namespaces here (unshare)")
    script = f'mount -t tmpfs -o {options} tmpfs "$0" && exec "$@"'
    return (*mount, "sh", "-c", script, str(where))


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


@pytest.mark.parametrize("disk", ["mounted", "user-namespace"])
def test_disk_full(kemono_emulator: KemonoEmulator, tmp_path: Path, disk: str) -> None:
    # A real 1 MiB file system that fills up (ENOSPC): mounted here (root only), or in the
    # kemopix process's own namespaces (any user, where user namespaces are allowed).
    small = tmp_path / "small"
    argv = ("download", *creator(kemono_emulator), "-o", str(small))
    if disk == "mounted":
        with tmpfs(small, "size=1m"):
            code, lines = lines_of(tmp_path, *argv)
    else:
        code, lines = lines_of(tmp_path, *argv, wrap=in_own_tmpfs(small, "size=1m"))
    assert code == 5
    assert lines[-1].startswith("kemopix: no space left on the disk holding")
    assert "run the same command again" in lines[-1]
    # Files failing for the same reason: one line, then how many more (-v shows each).
    assert len([line for line in lines if "No space left on device" in line]) <= 1, lines
    assert len(lines) <= 4, lines


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


@pytest.mark.parametrize("delay", [0.2, 0.3, 0.4, 0.8])
def test_ctrl_c_at_any_moment(
    kemono_emulator: KemonoEmulator, tmp_path: Path, delay: float
) -> None:
    # The 3 MB zip arrives in slow pieces, so the run is still going at every delay.
    kemono_emulator.add_fault(kind="slow", path="bonus-pack|3e9f59d6", delay=0.3, probability=1.0)
    child = subprocess.Popen(
        [*KEMOPIX, "download", *creator(kemono_emulator), "-o", str(tmp_path / "o")],
        env=env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    if child.returncode == -signal.SIGINT:
        # The signal came while the interpreter was closing, after the run had ended.
        assert out.startswith("done in"), (out, err)
    else:
        assert child.returncode == 130, err
        assert err.splitlines()[-1].startswith("kemopix: interrupted"), err


def test_ctrl_c_through_the_console_script_then_the_same_command_finishes(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    # `kemopix` ends its process at once after main(): the interrupted line, the status and
    # what was archived must all still be there, and the next run finishes the job.
    kemono_emulator.add_fault(kind="slow", path="bonus-pack|3e9f59d6", delay=0.3, probability=1.0)
    script = [sys.executable, "-c", "from kemopix.cli import run; run()"]
    argv = [*script, "download", *creator(kemono_emulator), "-o", str(tmp_path / "o")]
    child = subprocess.Popen(
        argv, env=env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(0.6)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert err.splitlines()[-1].startswith("kemopix: interrupted"), err
    assert "Traceback" not in err and "Warning" not in err, err
    kemono_emulator.clear_faults()
    done = subprocess.run([*argv, "-q"], env=env(tmp_path), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not list((tmp_path / "o").rglob("*.part"))


def test_no_command_is_one_plain_line(tmp_path: Path) -> None:
    code, lines = lines_of(tmp_path)
    assert code == 2 and lines == ["kemopix: a command is needed (see `kemopix --help`)"]
    code, lines = lines_of(tmp_path, "download", "--max-files", "x", "https://kemono.cr/a/user/1")
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("kemopix: download: argument --max-files: invalid int value")


def test_error_lines_are_short_and_details_need_v(
    kemono_emulator: KemonoEmulator, pixiv_emulator: Any, tmp_path: Path
) -> None:
    pixiv = ["--pixiv-url", pixiv_emulator.url, "-o", str(tmp_path / "o"), "--no-shared-budget"]
    missing = "https://www.pixiv.net/users/99999999"
    # Not logged in: what to do, without a made-up HTTP status.
    code, lines = lines_of(tmp_path, "download", missing, *pixiv)
    assert code == 3 and lines[-1].endswith("pixiv needs a login: run `kemopix login pixiv` first")
    assert not any("HTTP 401" in line for line in lines)
    token = str(pixiv_emulator.demo_account["refresh_token"])
    assert lines_of(tmp_path, "login", "pixiv", "--refresh-token", token, *pixiv[:2])[0] == 0
    # A missing user fails its three listings the same way: one line, no URL, no JSON body.
    code, lines = lines_of(tmp_path, "download", missing, *pixiv)
    warnings = [line for line in lines if line.startswith("kemopix:")]
    assert code == 1 and len(warnings) == 2, lines
    assert warnings[1] == "kemopix: 2 more errors like the ones above (-v shows each)"
    assert warnings[0].endswith("no such user, or the user is restricted (HTTP 404)")
    assert "{" not in warnings[0]
    assert "127.0.0.1" not in warnings[0]
    code, lines = lines_of(tmp_path, "download", missing, *pixiv, "-v")
    verbose = [line for line in lines if line.startswith("kemopix:")]
    assert len(verbose) == 3 and all('{"error"' in line for line in verbose)
    # pixiv's Japanese messages are put in English.
    code, lines = lines_of(tmp_path, "download", "https://www.pixiv.net/artworks/1", *pixiv)
    assert code == 1 and lines[-1].endswith(
        ": no such work (deleted, or the id is wrong) (HTTP 404)"
    )
    # A refused Kemono login: one line, the site's reason once.
    code, lines = lines_of(
        tmp_path,
        "login",
        "kemono",
        "--username",
        "nobody",
        "--password-stdin",
        "--kemono-url",
        kemono_emulator.url,
        stdin="wrong\n",
    )
    assert code == 3 and len(lines) == 1 and lines[0].count("HTTP") == 1


def test_fields_and_input_file(kemono_emulator: KemonoEmulator, tmp_path: Path) -> None:
    service, ident = kemono_emulator.demo_creator
    url = f"{kemono_emulator.url}/{service}/user/{ident}"
    done = process(tmp_path, "fields", url, "--kemono-url", kemono_emulator.url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "{creator}    Demo Creator" in done.stdout and "{sha256}" in done.stdout
    assert not list(tmp_path.glob("kemopix*"))  # nothing written
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# the demo creator\n\n  {url}  \n# {url}/post/1\n")
    out = tmp_path / "out"
    for argv in (["-i", str(listing)], ["-i", "-"]):
        plan = ["plan", *argv, "--kemono-url", kemono_emulator.url, "-o", str(out)]
        done = process(tmp_path, *plan, stdin=listing.read_text())
        assert done.returncode == 0, done.stderr
        assert "plan: 6 new and 0 edited posts, 18 files, 4.4 MiB" in done.stdout  # binary units
    code, line = kemopix(tmp_path, "plan", "-i", str(tmp_path / "none.txt"))
    assert code == 2 and "input file not found" in line


def test_type_words_through_a_plan(kemono_emulator: KemonoEmulator, tmp_path: Path) -> None:
    """A comma list is the same as repeating --type; both keep only those files."""
    base = [*creator(kemono_emulator), "-o", str(tmp_path / "o")]
    outputs = []
    for types in (["--type", "png,zip"], ["--type", "png", "--type", ".ZIP"]):
        done = process(tmp_path, "plan", *base, *types)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.splitlines()[-1])
    assert outputs[0] == outputs[1] and " 0 files," not in outputs[0]


def test_config_values_checked_like_options(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("[kemono]\nrate = -1\n")
    code, line = kemopix(tmp_path, "plan", "https://kemono.cr/fanbox/user/1", "-o", str(tmp_path))
    assert code == 2
    assert line == "kemopix: config: [kemono] rate must be more than 0 (like --rate), not -1"
