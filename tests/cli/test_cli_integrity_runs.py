"""The archive's word under the ways users break runs: kill -9, two processes, slow hosts.

Real processes against the Kemono emulator (four file hosts): a run killed at random instants
and then run again plainly ends byte-exact; a second process on the same folder is refused
and never corrupts anything; many slow bodies at once cannot deadlock the writer.
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kemopix.emulators import KemonoEmulator
from kemopix.files import PART_SUFFIX, file_sha256

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def start(*argv: str, max_file_size: int | None = None) -> subprocess.Popen[str]:
    """``kemopix ARGV`` in its own process (output captured); ``max_file_size``: no file may
    grow past that many bytes (a disk that fills up, without needing to mount one)."""
    code = f"import sys; from kemopix.cli import main; sys.exit(main({list(argv)!r}))"

    def limit() -> None:
        if max_file_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead (EFBIG)
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_size, max_file_size))

    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )


def finish(child: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str, str]:
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"kemopix did not finish in {timeout} s (deadlock?)\n{err[-2000:]}")
    return child.returncode, out, err


def creator(emu: KemonoEmulator, name: str, posts: int, sizes: list[int]) -> str:
    """A new creator whose post 0 is the oldest (listed last)."""
    emu.add_creator("fanbox", name, name.title())
    for n in range(posts):
        files: list[tuple[str, int | bytes]] = [
            (f"{name}-{n}-{i}.bin", size + n) for i, size in enumerate(sizes)
        ]
        day = 1_700_000_000 + n * 86_400
        emu.add_post("fanbox", name, title=f"{name} {n}", files=files, published=day)
    return f"{emu.url}/fanbox/user/{name}"


def wait_for(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.05)


def byte_exact(root: Path) -> int:
    """Every file the sidecars list is whole (SHA-256 of its Kemono path); nothing temporary."""
    count = 0
    for sidecar in root.rglob("*.json"):
        if sidecar.name.count(".") == 1 and sidecar.stem.isdigit():
            for item in json.loads(sidecar.read_text())["kemopix"]["files"]:
                assert file_sha256(root / item["path"]) == item["sha256"], item["path"]
                count += 1
    leftovers = [
        p for p in root.rglob("*") if p.name.endswith((PART_SUFFIX, ".tmp", ".kemopix-link"))
    ]
    assert not leftovers
    return count


def test_kill_9_at_random_instants_then_one_plain_run(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    url = creator(emu, "killed", 60, [100_000])
    # Slow bodies (~300 KB/s each): a run takes a few seconds, so kills land everywhere:
    # in the listing, in details, mid-body, between a body's end and the archive's commit.
    emu.add_fault(kind="bandwidth", rate=300_000, path=r"^/data/", probability=1.0)
    out = tmp_path / "out"
    # --overlap 5: an incremental run stops after 5 known posts in a row (25 by default).
    argv = ["download", url, "--kemono-url", emu.url, "-o", str(out), "-q", "--overlap", "5"]
    # First the case that fooled the archive: the listing read, the newest posts done, the
    # oldest not yet. The listing was marked complete then, and the next runs stopped after
    # the known posts at its top, never reaching the rest.
    child = start(*argv)
    wait_for(lambda: len(list(out.rglob("*.bin"))) >= 35)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    rng = random.Random(11)
    for _ in range(6):
        child = start(*argv)
        time.sleep(rng.uniform(0.4, 2.0))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    emu.clear_faults()
    code, _, err = finish(start(*argv))
    assert code == 0, err
    assert byte_exact(out) == 60
    code, report, _ = finish(start("verify", "--check-only", "-o", str(out)))
    assert code == 0 and "60 good, 0 bad" in report


def test_a_second_process_is_refused_and_nothing_is_corrupt(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    url = creator(emu, "shared", 12, [200_000])
    # Slow enough that the first run is still going while the others start (~6 s).
    emu.add_fault(kind="bandwidth", rate=100_000, path=r"^/data/", probability=1.0)
    out = tmp_path / "out"
    argv = ["download", url, "--kemono-url", emu.url, "-o", str(out)]
    first = start(*argv, "-q")
    deadline = time.monotonic() + 20
    while not list(out.rglob("*" + PART_SUFFIX)) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = start(*argv)
    verify = start("verify", "-o", str(out))
    for other in (second, verify):
        started = time.monotonic()
        code, _, err = finish(other, timeout=30)
        assert code == 2
        assert time.monotonic() - started < 10  # refused at once, not after waiting
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "another kemopix is working in" in lines[0]
    code, _, err = finish(first)
    assert code == 0, err
    assert byte_exact(out) == 12
    emu.clear_faults()
    code, _, _ = finish(start(*argv, "-q"))
    assert code == 0
    code, report, _ = finish(start("verify", "-o", str(out)))
    assert code == 0 and "12 good, 0 bad" in report


def test_many_slow_bodies_on_four_hosts_cannot_deadlock(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    assert len(emu.file_host_urls) == 4
    url = creator(emu, "wide", 64, [700_000])
    # Each body arrives in many pieces, slowly: up to 4 hosts x 16 bodies are open at once,
    # far more than writer threads.
    emu.add_fault(kind="bandwidth", rate=1_000_000, path=r"^/data/", probability=1.0)
    out = tmp_path / "out"
    argv = ["download", url, "--kemono-url", emu.url, "-o", str(out), "--concurrency", "16"]
    code, _, err = finish(start(*argv, "-q"), timeout=120)
    assert code == 0, err
    assert byte_exact(out) == 64


def test_a_write_failure_is_one_line_and_the_next_run_finishes(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    service, ident = emu.demo_creator
    out = tmp_path / "out"
    argv = ["download", f"{emu.url}/{service}/user/{ident}", "--kemono-url", emu.url]
    argv += ["-o", str(out)]
    code, _, err = finish(start(*argv, max_file_size=1_000_000))
    assert code == 1
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("kemopix: ") for line in lines)
    assert "bonus-pack.zip: [Errno 27] File too large" in err
    assert "Traceback" not in err and "internal error" not in err
    assert list(out.rglob("*bonus-pack.zip" + PART_SUFFIX))  # what arrived is kept
    code, _, err = finish(start(*argv))
    assert code == 0, err
    assert byte_exact(out) == 18


def test_a_verify_killed_while_repairing_leaves_the_next_download_to_finish(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu = kemono_emulator
    service, ident = emu.demo_creator
    out = tmp_path / "out"
    argv = ["download", f"{emu.url}/{service}/user/{ident}", "--kemono-url", emu.url]
    argv += ["-o", str(out), "-q"]
    assert finish(start(*argv))[0] == 0
    bonus = next(out.rglob("*bonus-pack.zip"))
    bonus.write_bytes(b"damaged")
    bonus_sha = "3e9f59d6897536c9ec2e9b7aca272306cda23f0d3cc4fe829c3d574ba116dbad"
    emu.add_fault(kind="bandwidth", rate=200_000, path=bonus_sha, probability=1.0)
    child = start("verify", "-o", str(out), "--kemono-url", emu.url)
    part = bonus.with_name(bonus.name + PART_SUFFIX)
    wait_for(lambda: part.exists() and part.stat().st_size > 0)
    time.sleep(0.3)  # past the archive's commit interval
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert not bonus.exists()
    emu.clear_faults()
    code, _, err = finish(start(*argv))
    assert code == 0, err
    assert byte_exact(out) == 18


def test_an_archive_the_disk_will_not_grow_is_not_called_damaged(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    # Small files, many posts: the archive's database is the first file to reach the limit.
    url = creator(kemono_emulator, "limited", posts=200, sizes=[100])
    out = tmp_path / "out"
    argv = ["download", url]
    argv += ["--kemono-url", kemono_emulator.url, "-o", str(out), "-q"]
    code, _, err = finish(start(*argv, max_file_size=48 * 1024))
    assert code == 5, err
    assert err.startswith("kemopix: ") and len(err.strip().splitlines()) == 1
    assert "is damaged" not in err and "ulimit -f" in err
    code, _, err = finish(start(*argv))
    assert code == 0, err
    assert byte_exact(out) == 200
