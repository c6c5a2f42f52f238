"""UgoiraEncoder: encodes in worker processes, from threads or the event loop, and shuts down."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from concurrent.futures import Future, wait
from pathlib import Path

import pytest
from ugoira_samples import DELAYS, make_ugoira, pillow_timeline

from kemopix.ugoira import BadUgoira, EncodeFailed, Frame, UgoiraEncoder, UgoiraError, UgoiraFormat
from kemopix.ugoira.pool import default_workers


def test_default_workers_leave_a_core_for_downloads() -> None:
    assert 1 <= default_workers() <= 4
    with pytest.raises(ValueError, match="at least 1"):
        UgoiraEncoder(0)


def test_pool_encodes_several_at_once(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path)
    out = tmp_path / "out"
    jobs = {f"{i}-{fmt.value}{fmt.extension}": fmt for i in range(2) for fmt in UgoiraFormat}
    with UgoiraEncoder(max_workers=2) as encoder:
        futures = {
            name: encoder.submit(zip_path, frames, out / name, fmt) for name, fmt in jobs.items()
        }
        assert all(isinstance(f, Future) for f in futures.values())
        results = {name: future.result(timeout=60) for name, future in futures.items()}
    assert results == {name: out / name for name in jobs}
    assert sorted(p.name for p in out.iterdir()) == sorted(jobs)
    for name, fmt in jobs.items():
        if fmt in {UgoiraFormat.WEBP, UgoiraFormat.APNG}:
            assert pillow_timeline(out / name)[2] == [float(d) for d in DELAYS]


async def test_async_encode_leaves_the_event_loop_free(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS * 2, size=(160, 120))
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.create_task(heartbeat())
    async with UgoiraEncoder(max_workers=2) as encoder:
        started = time.monotonic()
        paths = await asyncio.gather(
            *(
                encoder.encode(zip_path, frames, tmp_path / f"a{fmt.extension}", fmt)
                for fmt in (UgoiraFormat.GIF, UgoiraFormat.APNG, UgoiraFormat.WEBM)
            )
        )
        elapsed = time.monotonic() - started
    beat.cancel()
    assert [p.name for p in paths] == ["a.gif", "a.png", "a.webm"]
    assert len(pillow_timeline(paths[1])[2]) == 16
    # the loop kept ticking while the encodes ran (a blocked loop would tick about once)
    assert ticks >= min(10, elapsed / 0.005 / 4)


async def test_errors_cross_the_process_boundary_typed(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:2])
    missing = (*frames, Frame("000042.jpg", 40))
    async with UgoiraEncoder(max_workers=1) as encoder:
        with pytest.raises(BadUgoira, match=r"000042\.jpg"):
            await encoder.encode(zip_path, missing, tmp_path / "a.webp", "webp")
        future = encoder.submit(zip_path, missing, tmp_path / "a.gif", UgoiraFormat.GIF)
        with pytest.raises(BadUgoira):
            await asyncio.wrap_future(future)
        good = await encoder.encode(zip_path, frames, tmp_path / "b.gif", "gif")
    assert good == tmp_path / "b.gif"
    assert not (tmp_path / "a.webp").exists() and not (tmp_path / "a.gif").exists()


def test_close_cancels_queued_work_and_refuses_more(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:3])
    encoder = UgoiraEncoder(max_workers=1)
    futures = [
        encoder.submit(zip_path, frames, tmp_path / "out" / f"{i}.webp", "webp") for i in range(6)
    ]
    assert futures[-1].cancel()  # still queued behind the others: dropped at once
    assert futures[-1].done() and futures[-1].cancelled()
    encoder.close(cancel_pending=True)
    assert not wait(futures, timeout=60).not_done
    assert futures[0].result() == tmp_path / "out" / "0.webp"
    assert sum(f.cancelled() for f in futures) >= 2, "queued jobs should have been dropped"
    assert not futures[0].cancel()  # a finished job cannot be cancelled
    for index, future in enumerate(futures):
        dest = tmp_path / "out" / f"{index}.webp"
        assert dest.exists() == (not future.cancelled())
    with pytest.raises(UgoiraError, match="closed"):
        encoder.submit(zip_path, frames, tmp_path / "late.webp", "webp")


def test_a_dead_worker_is_reported_and_replaced(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS * 4, size=(200, 150))
    with UgoiraEncoder(max_workers=1) as encoder:
        doomed = encoder.submit(zip_path, frames, tmp_path / "a.png", "apng")
        executor = encoder._executor
        assert executor is not None
        # the worker is started by submit(); kill it before it can finish the job
        for pid in list(executor._processes):
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(EncodeFailed, match="worker process died"):
            doomed.result(timeout=60)
        again = encoder.submit(zip_path, frames, tmp_path / "b.gif", "gif")
        assert again.result(timeout=60) == tmp_path / "b.gif"
    assert not (tmp_path / "a.png").exists()
