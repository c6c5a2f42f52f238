"""Random faults must cost retries, not a permanently slower run (and never a wrong byte).

450 files; six kinds of fault at 1.8% of requests each (429, 503, reset, truncated body, wrong
Content-Length, slow body). The faulty run may take at most max(5x the fault-free run,
fault-free + 20 s); the next fault-free run, sharing the rate-budget cache, at most 1.5x.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from test_cli_kemono_faults import check_archive

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator
from kemopix.emulators._faults import MIXED_FAULTS

POSTS, FILES_PER_POST = 150, 3


def download(capsys: pytest.CaptureFixture[str], emu: KemonoEmulator, out: Path) -> float:
    """One plain run into ``out``; its wall-clock seconds (checked: exit 0, every file exact)."""
    started = time.monotonic()
    target = f"{emu.url}/fanbox/user/bulk"
    code = main(["download", target, "--kemono-url", emu.url, "-o", str(out), "--json"])
    seconds = time.monotonic() - started
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    summary = next(e for e in reversed(events) if e["event"] == "summary")
    assert code == 0, summary
    assert check_archive(out) == POSTS * FILES_PER_POST
    return seconds


def test_random_faults_do_not_slow_this_run_or_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEMOPIX_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("KEMOPIX_CACHE_DIR", str(tmp_path / "cache"))  # shared by the three runs
    with KemonoEmulator(creators=0) as emu:
        emu.add_creator("fanbox", "bulk", "Bulk")
        for n in range(POSTS):
            files: list[tuple[str, int | bytes]] = [
                (f"p{n}-{k}.bin", 20_000 + n * FILES_PER_POST + k) for k in range(3)
            ]
            emu.add_post("fanbox", "bulk", title=f"post {n}", files=files)
        # The fault-free time: the slower of two runs, so that one lucky run on a busy
        # machine does not set the bar (the slowdowns guarded against are 50x, not 10%).
        clean = max(download(capsys, emu, tmp_path / f"clean{n}") for n in range(2))
        for fault in MIXED_FAULTS:
            emu.add_fault(**fault, probability=0.018, path=r"^/(api|data)/")
        faulty = download(capsys, emu, tmp_path / "faulty")
        fired = emu.faults.fired
        emu.clear_faults()
        after = download(capsys, emu, tmp_path / "after")
    print(f"fault-free {clean:.1f}s, faulty {faulty:.1f}s ({fired} faults), next {after:.1f}s")
    assert fired > 20
    assert faulty <= max(5 * clean, clean + 20)
    # A next run slowed by what this one learned would take minutes (600 requests at a learned
    # rate); a busy machine's noise is a fraction of a second: both bounds keep that apart.
    assert after <= max(1.5 * clean, clean + 2)
