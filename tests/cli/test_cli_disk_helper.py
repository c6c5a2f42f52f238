"""`kemopix download` starts its disk helper process right after parsing its command line, so
the helper starts while the downloader imports aiohttp. The run adopts it; whatever ends the
command first (a bad URL or folder, an archive it cannot open, Ctrl-C, kill -9), no helper
outlives it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kemopix.cli import main
from kemopix.downloader import disk_helper
from kemopix.downloader.disk_worker import DiskWorker
from kemopix.emulators import KemonoEmulator

pytestmark = [
    pytest.mark.usefixtures("private_kemopix_env"),
    pytest.mark.skipif(not os.path.isdir("/proc"), reason="helpers are found through /proc"),
]

_SCRIPT = [sys.executable, "-c", "from kemopix.cli import run; run()"]


def helpers_of(owner: int) -> list[int]:
    """The running disk helpers working for the process ``owner`` (their argv names it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        if any(a.endswith(b"disk_ops.py") for a in argv) and str(owner).encode() in argv:
            found.append(int(entry))
    return found


def assert_no_helper_of(owner: int) -> None:
    deadline = time.monotonic() + 5
    while helpers_of(owner):
        assert time.monotonic() < deadline, f"disk helpers left: {helpers_of(owner)}"
        time.sleep(0.01)


def wait_for_helper_of(owner: int) -> None:
    deadline = time.monotonic() + 30
    while not helpers_of(owner):
        assert time.monotonic() < deadline, "no disk helper started"
        time.sleep(0.001)


def first_part_by(tmp_path: Path) -> int | None:
    """The pid of the helper a new disk worker had make a part file (None: a thread did)."""

    async def run() -> int | None:
        disk = DiskWorker()
        await disk.make_parts([str(tmp_path / "post" / "01 a.bin")])
        pid = None if disk._proc is None else disk._proc.pid
        await disk.aclose()
        return pid

    return asyncio.run(run())


def test_the_run_adopts_the_helper_started_early(tmp_path: Path) -> None:
    assert_no_helper_of(os.getpid())  # those of earlier tests in this process have ended
    disk_helper.start_early()
    early = disk_helper._early
    assert early is not None
    wait_for_helper_of(os.getpid())  # (its argv is readable once its exec is done)
    assert helpers_of(os.getpid()) == [early.pid]

    assert first_part_by(tmp_path) == early.pid
    assert disk_helper._early is None and (tmp_path / "post" / "01 a.bin.part").exists()
    assert_no_helper_of(os.getpid())


def test_a_helper_that_died_before_the_run_is_replaced(tmp_path: Path) -> None:
    disk_helper.start_early()
    early = disk_helper._early
    assert early is not None
    early.kill()
    early.wait()

    pid = first_part_by(tmp_path)
    assert pid is not None and pid != early.pid
    assert (tmp_path / "post" / "01 a.bin.part").exists()
    assert_no_helper_of(os.getpid())


def test_a_download_leaves_no_helper(kemono_emulator: KemonoEmulator, tmp_path: Path) -> None:
    service, ident = kemono_emulator.demo_creator
    url = f"{kemono_emulator.url}/{service}/user/{ident}"
    argv = ["download", url, "--kemono-url", kemono_emulator.url, "-o", str(tmp_path / "o"), "-q"]
    assert main(argv) == 0
    assert disk_helper._early is None
    assert_no_helper_of(os.getpid())


@pytest.mark.parametrize("case", ["url", "folder", "archive"])
def test_a_command_failing_before_its_run_ends_the_helper(
    kemono_emulator: KemonoEmulator, tmp_path: Path, case: str
) -> None:
    # The helper was started before the URL, the folder and the archive were looked at.
    out = tmp_path / "o"
    service, ident = kemono_emulator.demo_creator
    url = f"{kemono_emulator.url}/{service}/user/{ident}"
    if case == "url":
        url = "https://example.org/nothing"
    elif case == "folder":
        out.write_bytes(b"a file where the folder should be")
    else:
        out.mkdir()
        (out / ".kemopix-archive.sqlite3").write_bytes(b"not sqlite at all " * 100)
    code = main(["download", url, "--kemono-url", kemono_emulator.url, "-o", str(out), "-q"])
    assert code == {"url": 2, "folder": 5, "archive": 5}[case]
    assert disk_helper._early is None
    assert_no_helper_of(os.getpid())
    if case == "folder":
        assert out.read_bytes() == b"a file where the folder should be"


@pytest.mark.parametrize("delay", [0.0, 0.005, 0.01, 0.02, 0.04])
def test_ctrl_c_while_the_helper_starts(
    kemono_emulator: KemonoEmulator, tmp_path: Path, delay: float
) -> None:
    # Ctrl-C reaches the terminal's whole process group: the helper, caught in its own
    # start-up, neither dies with a traceback nor outlives the interrupted command.
    kemono_emulator.add_fault(kind="slow", path="bonus-pack|3e9f59d6", delay=0.3, probability=1.0)
    service, ident = kemono_emulator.demo_creator
    url = f"{kemono_emulator.url}/{service}/user/{ident}"
    argv = [*_SCRIPT, "download", url, "--kemono-url", kemono_emulator.url, "-o", str(tmp_path)]
    child = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             text=True, start_new_session=True)  # fmt: skip
    try:
        wait_for_helper_of(child.pid)
        time.sleep(delay)  # somewhere in the helper's own start-up (~20-40 ms)
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert_no_helper_of(child.pid)


def test_kill_9_during_start_up_leaves_no_helper(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    service, ident = kemono_emulator.demo_creator
    url = f"{kemono_emulator.url}/{service}/user/{ident}"
    argv = [*_SCRIPT, "download", url, "--kemono-url", kemono_emulator.url, "-o", str(tmp_path)]
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_helper_of(child.pid)
        child.kill()
    finally:
        child.wait()
    assert_no_helper_of(child.pid)
