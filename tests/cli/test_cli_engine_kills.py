"""The engine under the ways users break runs, in real processes over real sockets: kill -9
while files deleted from the disk are fetched again, kill -9 with the disk helper behind and
the next run started at once, and a site whose every file body is cut mid-stream.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import summary_in
from test_cli_integrity_runs import byte_exact, creator, finish, start, wait_for

from kemopix.downloader.archive import Archive
from kemopix.downloader.writer import BATCH
from kemopix.emulators import KemonoEmulator
from kemopix.files import PART_SUFFIX

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def the_same_command_finishes_then_fetches_nothing(
    argv: list[str], out: Path, files: int
) -> dict[str, Any]:
    """The interrupted command run again completes ``files`` byte-exact, and once more
    downloads nothing; the last run's summary."""
    code, _, err = finish(start(*argv, "-q"))
    assert code == 0, err
    assert byte_exact(out) == files
    code, stdout, _ = finish(start(*argv, "--json"))
    summary = summary_in(stdout)
    assert code == 0 and summary["files_downloaded"] == 0
    return summary


def test_kill_9_while_files_gone_from_disk_are_fetched_again(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    # Large bodies: their first BATCH bytes are on disk (in their parts) long before the rest.
    url = creator(emu, "regained", 30, [2 * BATCH + 50_000])
    out = tmp_path / "out"
    # --overlap 5: a listing whose last sweep was complete stops after 5 known posts.
    argv = ["download", url, "--kemono-url", emu.url, "-o", str(out), "--overlap", "5"]
    code, _, err = finish(start(*argv, "-q"))
    assert code == 0, err
    # The oldest posts' files are deleted: far below where an incremental listing stops.
    gone = sorted(out.rglob("* regained-*-0.bin"), key=lambda p: int(p.name.split("-")[1]))[:12]
    for path in gone:
        path.unlink()
    emu.add_fault(kind="bandwidth", rate=1_000_000, path=r"^/data/", probability=1.0)
    child = start(*argv, "-q")
    # Killed while the pass after the sweep fetches them again: some back, some parts.
    wait_for(lambda: any(Path(str(p) + PART_SUFFIX).exists() for p in gone))
    time.sleep(0.6)  # the requeued records committed (every 0.25 s), bodies arriving
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert not all(p.is_file() for p in gone)
    emu.clear_faults()
    summary = the_same_command_finishes_then_fetches_nothing(argv, out, 30)
    assert all(p.is_file() for p in gone) and summary["files_resumed"] == 0
    assert summary["held"] == {**summary["held"], "original": 30, "missing": 0}


def helpers_of(pid: int) -> list[int]:
    """The disk helper processes a downloader started (by their command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"disk_ops.py") for a in argv) and str(pid).encode() in argv:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
def test_kill_9_with_the_disk_helper_behind_and_an_immediate_rerun(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "wordy", "Wordy")
    text = "<p>" + "many words " * 10_000 + "</p>"  # ~110 kB of sidecars per post
    for n in range(120):
        emu.add_post(
            "fanbox",
            "wordy",
            title=f"wordy {n}",
            files=[(f"wordy-{n}.bin", 500 + n)],
            published=1_700_000_000 + n * 3600,
            content=text,
        )
    url = f"{emu.url}/fanbox/user/wordy"
    out = tmp_path / "out"
    argv = ["download", url, "--kemono-url", emu.url, "-o", str(out), "-q"]
    killed = 0
    child = start(*argv)
    for _ in range(3):
        pid = child.pid
        wait_for(lambda: bool(helpers_of(pid)) or child.poll() is not None)  # noqa: B023
        helpers = helpers_of(pid)
        # Killed once the helper writes this run's sidecars, far behind its downloads.
        written = len(list(out.rglob("*.md")))

        def behind(running: subprocess.Popen[str] = child, written: int = written) -> bool:
            return len(list(out.rglob("*.md"))) >= written + 5 or running.poll() is not None

        wait_for(behind)
        if child.poll() is not None:
            break  # the run ended first: nothing left to kill
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        killed += 1
        # The next run at once: it takes the folder's lock; the old helper must be gone by
        # then, or end without writing beside the new run.
        child = start(*argv)
        deadline = time.monotonic() + 2
        while any(alive(h) for h in helpers) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not any(alive(h) for h in helpers), "the killed run's helper lives on"
    code, _, err = finish(child)
    assert code == 0, err
    assert killed and byte_exact(out) == 120
    code, stdout, _ = finish(start(*argv[:-1], "--json"))
    assert code == 0 and summary_in(stdout)["files_downloaded"] == 0
    assert len(list(out.rglob("*.md"))) == 120


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
def test_the_disk_helper_killed_mid_run_stops_the_run_and_no_post_is_called_complete(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    # The helper writes the archive's records too: with it, the records it had not committed
    # are gone. The run must stop (not go on recording posts complete over missing rows), and
    # what the archive calls complete must be on disk.
    emu = kemono_emulator
    url = creator(emu, "orphan", 40, [30_000, 20_000])
    out = tmp_path / "out"
    argv = ["download", url, "--kemono-url", emu.url, "-o", str(out)]
    emu.add_fault(kind="bandwidth", rate=400_000, path=r"^/data/", probability=1.0)
    child = start(*argv, "-q")
    wait_for(lambda: bool(helpers_of(child.pid)) and len(list(out.rglob("*.bin"))) >= 6)
    for helper in helpers_of(child.pid):
        os.kill(helper, signal.SIGKILL)
    code, _, err = finish(child)
    assert code != 0 and "disk helper" in err, err
    with Archive(out) as archive:
        complete = [row for row in archive.state_rows() if row.complete]
    for row in complete:
        assert row.path is not None and row.status == "done", row
        assert (out / row.path).is_file(), row.path
    emu.clear_faults()
    the_same_command_finishes_then_fetches_nothing(argv, out, 80)


def test_every_body_cut_mid_stream_fails_cleanly_then_a_clean_run_completes(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    url = creator(emu, "cut", 6, [60_000, 40_000])
    out = tmp_path / "out"
    argv = ["download", url, "--kemono-url", emu.url, "-o", str(out), "--retries", "2"]
    emu.add_fault(kind="truncate", path=r"^/data/", probability=1.0)
    code, stdout, err = finish(start(*argv, "--json"))
    assert code == 1, err
    summary = summary_in(stdout)
    assert summary["files_failed"] == 12 and summary["files_downloaded"] == 0, summary
    failed = [json.loads(x) for x in stdout.splitlines() if '"file_failed"' in x]
    assert sorted(e["path"].rsplit(" ", 1)[1] for e in failed) == sorted(  # each one named
        f"cut-{n}-{i}.bin" for n in range(6) for i in range(2)
    )
    assert not [p for p in out.rglob("*.bin") if not p.name.endswith(PART_SUFFIX)]
    with Archive(out, exclusive=False) as archive:
        assert archive.counts() == {"failed": 12}
        assert not any(archive.post_state(r.key).complete for r in archive.files())  # type: ignore[union-attr]
        mark = archive.watermark("kemono/fanbox/cut")
        assert mark is not None and not mark.complete
    emu.clear_faults()
    the_same_command_finishes_then_fetches_nothing(argv, out, 12)
    assert os.listdir(out)
