"""Hard conditions: injected faults, a kill -9 mid-file, a rate-limited site.

Whatever happens, every file ends byte-exact and no ``.part`` is left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import run

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator
from kemopix.files import PART_SUFFIX, file_sha256

BONUS_ZIP = "3e9f59d6897536c9ec2e9b7aca272306cda23f0d3cc4fe829c3d574ba116dbad"


pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def check_archive(root: Path) -> int:
    """Every file byte-exact against the hash in its Kemono path; no part file anywhere."""
    count = 0
    for sidecar in root.rglob("*.json"):
        if sidecar.stem.isdigit():
            for item in json.loads(sidecar.read_text())["kemopix"]["files"]:
                assert file_sha256(root / item["path"]) == item["sha256"], item["path"]
                count += 1
    assert not [p for p in root.rglob("*") if p.name.endswith(PART_SUFFIX)]
    return count


def test_faults_end_byte_exact(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "many", "Many Files")
    for n in range(24):
        emu.add_post("fanbox", "many", title=f"post {n}", files=[(f"f{n}.bin", 20_000 + n)])
    # About 14% of all requests, API and files alike, fail in one of four ways.
    for kind, extra in (
        ("status", {"status": 503}),
        ("status", {"status": 429}),
        ("reset", {}),
        ("truncate", {}),
    ):
        emu.add_fault(kind=kind, probability=0.035, path=r"^/(api|data)/", **extra)
    service, creator = emu.demo_creator
    urls = [f"{emu.url}/{service}/user/{creator}", f"{emu.url}/fanbox/user/many"]
    out = tmp_path / "out"
    code, summary = run(
        capsys, "download", *urls, "--kemono-url", emu.url, "-o", str(out), "--retries", "10"
    )
    assert emu.faults.fired > 0
    assert code == 0, summary
    assert summary["files_failed"] == 0 and summary["posts_new"] == 30
    assert check_archive(out) == 18 + 24


def test_resume_after_kill_9(kemono_emulator: KemonoEmulator, tmp_path: Path) -> None:
    emu = kemono_emulator
    # The 3 MB zip arrives in eight slow pieces, so the kill lands in the middle of it.
    emu.add_fault(kind="slow", path=BONUS_ZIP, delay=0.5, probability=1.0)
    out = tmp_path / "out"
    service, creator = emu.demo_creator
    argv = ["download", f"{emu.url}/{service}/user/{creator}", "--kemono-url", emu.url]
    argv += ["-o", str(out), "-q"]
    code = f"import sys; from kemopix.cli import main; sys.exit(main({argv!r}))"
    child = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))
    part: Path | None = None
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            parts = list(out.rglob("*bonus-pack.zip" + PART_SUFFIX)) if out.exists() else []
            if parts and parts[0].stat().st_size > 0:
                part = parts[0]
                break
            time.sleep(0.05)
        assert part is not None, "the download never started"
        helpers = _children(child.pid)  # the disk helper process
        assert helpers or not Path("/proc").is_dir()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # The helper reads end of input once its downloader is gone, and ends.
    for _ in range(100):
        if not any(_alive(pid) for pid in helpers):
            break
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in helpers), helpers
    held = part.stat().st_size
    assert 0 < held < 3 * 1024 * 1024 + 17
    emu.clear_faults()
    assert main([*argv[:-1], "--json"]) == 0
    zip_path = part.with_name(part.name.removesuffix(PART_SUFFIX))
    assert file_sha256(zip_path) == BONUS_ZIP
    assert check_archive(out) == 18


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(n) for n in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended (its parent, now init, reaps it)


def test_rate_limited_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with KemonoEmulator(creators=10, rate_limit=4) as emu:
        service, creator = emu.demo_creator
        out = tmp_path / "out"
        code, summary = run(
            capsys, "download", f"{emu.url}/{service}/user/{creator}", "--kemono-url", emu.url,
            "-o", str(out), "--comments",
        )  # fmt: skip
    assert code == 0
    assert check_archive(out) == 18
    # 14 API calls at 4 per second: only the opening burst, sent before the first 429 came
    # back, is refused; the learned pace keeps the rest under the limit.
    assert summary["statuses"].get("429", 0) <= 8
