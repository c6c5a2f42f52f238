"""The disk worker: post folders and sidecars written by a helper process (or a thread)."""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from kemopix.downloader import disk_ops
from kemopix.downloader.disk_worker import PUT_BACKLOG, DiskWorker
from kemopix.downloader.markdown import html_to_markdown
from kemopix.files import PART_SUFFIX


def test_the_helper_uses_the_part_suffix_of_the_downloads() -> None:
    assert disk_ops.PART_SUFFIX == PART_SUFFIX


def _post(root: Path, n: int) -> tuple[str, list[tuple[str, bytes]]]:
    folder = root / "creator" / f"post {n}"
    return str(folder), [(str(folder / f"{n}.json"), b"{}\n"), (str(folder / f"{n}.md"), b"# t\n")]


@pytest.fixture(params=["process", "thread"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the disk work runs: the helper process, or the thread that stands in for it."""
    if request.param == "thread":
        monkeypatch.setenv("KEMOPIX_DISK_WORKER", "thread")
    return str(request.param)


def test_folders_parts_and_dated_sidecars(tmp_path: Path, mode: str) -> None:
    async def main() -> DiskWorker:
        disk = DiskWorker()
        jobs = []
        for n in range(50):
            folder, files = _post(tmp_path, n)
            jobs.append(disk.make_parts([f"{folder}/01 a.png"]))
            jobs.append(disk.write_files(folder, files, None, 1_700_000_000.0, True))
        await asyncio.gather(*jobs)
        await disk.aclose()
        return disk

    disk = asyncio.run(main())
    assert (disk._proc is None) and (mode == "process") == (disk._thread is None)
    if disk._thread is not None:  # closed with its engine, not left behind
        assert disk._thread._thread is not None and not disk._thread._thread.is_alive()
    for n in range(50):
        folder = tmp_path / "creator" / f"post {n}"
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted([f"{n}.json", f"{n}.md", "01 a.png.part"])
        assert (folder / "01 a.png.part").stat().st_size == 0
        assert (folder / f"{n}.json").stat().st_mtime == 1_700_000_000.0
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.usefixtures("mode")
def test_deferred_sidecars_are_finished_where_written(tmp_path: Path) -> None:
    # JSON indented, Markdown converted: the helper process starts without site-packages (it
    # finds msgspec where it is told) and without kemopix (it loads the converter's file).
    document = {"id": "1", "title": 'q"\\\u3042 é', "n": [1, 2.5, None, True], "e": {}, "l": []}
    compact = msgspec.json.encode(document)
    folder = tmp_path / "post"
    files = [(str(folder / "1.json"), compact), (str(folder / "1.txt"), b'{"a":1}')]
    html = '<p>a &amp; <a href="https://x.test/">b</a></p><ul><li>c</li></ul>'
    markdown = (str(folder / "1.md"), "# T\n\n", html)

    async def main() -> None:
        disk = DiskWorker()
        compact_paths = (str(folder / "1.json"),)
        await disk.write_files(str(folder), files, None, None, True, compact_paths, markdown)
        await disk.aclose()

    asyncio.run(main())
    expected = msgspec.json.format(compact, indent=2) + b"\n"
    assert (folder / "1.json").read_bytes() == expected
    assert (folder / "1.txt").read_bytes() == b'{"a":1}'  # not named: written as it is
    text = "# T\n\n\n" + html_to_markdown(html)
    assert (folder / "1.md").read_bytes() == text.encode()


def test_an_error_comes_back_as_the_os_error(tmp_path: Path) -> None:
    (tmp_path / "creator").write_text("a file where a folder should be")

    async def main() -> None:
        disk = DiskWorker()
        try:
            with pytest.raises(NotADirectoryError) as caught:
                await disk.write_files(*_post(tmp_path, 1), None, None, True)
            assert caught.value.errno == errno.ENOTDIR
        finally:
            await disk.aclose()

    asyncio.run(main())


def test_a_killed_helper_fails_its_jobs_and_the_rest_go_to_a_thread(tmp_path: Path) -> None:
    async def main() -> None:
        disk = DiskWorker()
        await disk.make_parts([str(tmp_path / "a" / "x")])  # the helper is up
        assert disk._proc is not None
        disk._proc.kill()
        disk._proc.wait()
        lost = disk.make_parts([str(tmp_path / "b" / "x")])
        with pytest.raises(OSError, match="disk helper"):
            await lost
        await disk.write_files(*_post(tmp_path, 2), None, None, True)  # in the thread now
        await disk.aclose()

    asyncio.run(main())
    assert (tmp_path / "creator" / "post 2" / "2.json").read_bytes() == b"{}\n"


def test_the_helper_ends_with_its_downloader(tmp_path: Path) -> None:
    # However the downloader ends, the helper reads end of input and exits.
    async def main() -> int:
        disk = DiskWorker()
        await disk.make_parts([str(tmp_path / "a" / "x")])
        proc = disk._proc
        assert proc is not None
        assert proc.stdin is not None
        proc.stdin.close()  # what the kernel does when the downloader is killed
        for _ in range(200):
            if proc.poll() is not None:
                break
            await asyncio.sleep(0.01)
        assert proc.returncode == 0
        await disk.aclose()
        return proc.pid

    pid = asyncio.run(main())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_closed_helper_exits_and_is_reaped_by_a_thread(tmp_path: Path) -> None:
    # aclose returns once every job is answered, without waiting for the helper to exit (it
    # looks at its input every 5 ms): a thread collects its exit status, so no zombie stays.
    async def main() -> subprocess.Popen[bytes]:
        disk = DiskWorker()
        await disk.make_parts([str(tmp_path / "a" / "x")])
        proc = disk._proc
        assert proc is not None
        await disk.aclose()
        assert disk._proc is None
        return proc

    proc = asyncio.run(main())
    for _ in range(400):
        if proc.returncode is not None:
            break
        time.sleep(0.005)
    assert proc.returncode == 0
    with pytest.raises(ChildProcessError):
        os.waitpid(proc.pid, os.WNOHANG)  # already collected


def test_a_job_whose_waiter_was_cancelled_ends_before_closing_does(tmp_path: Path) -> None:
    # Ctrl-C cancels what waits on a job the helper may be running: closing then waits for
    # the helper to exit, so nothing it writes lands after the folder is released.
    folder = tmp_path / "post"
    files = [(str(folder / f"{n}.json"), b"{}\n" * 64) for n in range(3000)]

    async def main() -> subprocess.Popen[bytes]:
        disk = DiskWorker()
        await disk.make_parts([str(folder / "x")])  # the helper is up
        job = disk.write_files(str(folder), files, None, None, True)
        await asyncio.sleep(0.1)  # sent, and the helper well into it
        job.cancel()
        proc = disk._proc
        assert proc is not None
        await disk.aclose()
        assert proc.poll() is not None  # gone: not still writing
        return proc

    asyncio.run(main())
    written = len(list(folder.glob("*.json")))
    time.sleep(0.2)
    assert len(list(folder.glob("*.json"))) == written  # nothing written after the close


@pytest.mark.parametrize("orphaned", [False, True])
def test_an_orphaned_helper_runs_no_job(tmp_path: Path, orphaned: bool) -> None:
    # Jobs read just before its downloader was killed are not run: the next run holds the
    # folder by then. (A helper told another process is its downloader is an orphan.)
    owner = os.getpid() + (1 if orphaned else 0)
    helper = subprocess.Popen(
        [sys.executable, "-I", "-S", disk_ops.__file__, str(owner)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    final = str(tmp_path / "post" / "01 a.bin")
    out, _ = helper.communicate(disk_ops.frame([(1, "make_parts", ([final],))]), timeout=30)
    assert helper.returncode == 0
    assert os.path.exists(final + PART_SUFFIX) is not orphaned
    assert bool(out) is not orphaned  # answered only when run


def test_a_helper_that_does_not_end_when_told_is_killed() -> None:
    # The reaper waits for the end of the process without looking every few milliseconds
    # (a pidfd on Linux); one still running 2 s after its input was closed is killed.
    from kemopix.downloader.disk_helper import reap

    stuck = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.PIPE
    )
    assert stuck.stdin is not None
    stuck.stdin.close()
    reap(stuck)
    assert stuck.returncode == -9
    quick = subprocess.Popen([sys.executable, "-c", "pass"])
    reap(quick)
    assert quick.returncode == 0


def _taken(disk: DiskWorker, final: str, data: bytes, mtime: float | None) -> asyncio.Future[None]:
    written = disk.put_file(final, data, mtime)
    assert written is not None, "the body was declined"
    return written


def test_a_handed_body_is_written_dated_and_renamed_into_place(tmp_path: Path, mode: str) -> None:
    folder = tmp_path / "creator" / "post"
    made = str(folder / "made.bin")  # its folder and empty part made first, as for a download
    stale = str(folder / "stale.bin")
    elsewhere = str(tmp_path / "new folder" / "late.bin")  # its folder gone: made again
    bodies = {made: os.urandom(20_000), stale: b"fresh", elsewhere: b""}

    async def main() -> None:
        disk = DiskWorker()
        await disk.make_parts([made, stale])
        with open(stale + PART_SUFFIX, "wb") as part:  # noqa: ASYNC230 (a test's setup)
            part.write(b"another body's bytes, longer than this one")
        await asyncio.gather(*(_taken(disk, f, b, 1_600_000_000.0) for f, b in bodies.items()))
        await disk.aclose()

    asyncio.run(main())
    for final, body in bodies.items():
        assert Path(final).read_bytes() == body
        assert Path(final).stat().st_mtime == 1_600_000_000.0
        assert not Path(final + PART_SUFFIX).exists()


def test_a_handed_body_never_follows_a_link_planted_as_its_part(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "outside.txt"
    target.write_bytes(b"not yours")
    folder = tmp_path / "post"
    folder.mkdir()
    (folder / "a.bin.part").symlink_to(target)

    async def main() -> None:
        disk = DiskWorker()
        try:
            await _taken(disk, str(folder / "a.bin"), b"body", None)
        finally:
            await disk.aclose()

    with pytest.raises(OSError, match="links") as failed:
        asyncio.run(main())
    assert failed.value.errno == errno.ELOOP
    assert target.read_bytes() == b"not yours" and not (folder / "a.bin").exists()


def test_the_helper_takes_bodies_up_to_its_backlog_and_writes_them_before_a_later_answer(
    tmp_path: Path,
) -> None:
    # More bodies at once than may wait for the helper (several MiB through the pipe): those
    # past the backlog are declined (their downloads write them), the others are on disk by
    # the time a later job is answered (jobs run in order); answered, it takes bodies again.
    bodies = {str(tmp_path / f"p{n}" / f"{n}.bin"): os.urandom(200_000 + n) for n in range(40)}
    db = str(tmp_path / "a.sqlite3")

    async def main() -> tuple[list[str], bool, bool]:
        disk = DiskWorker()
        route = disk.route(db)
        assert route is not None and disk.in_process
        writes = {f: disk.put_file(f, b, None) for f, b in bodies.items()}
        rows = await route.query("SELECT 1", ())
        taken = [f for f, w in writes.items() if w is not None]
        on_disk = all(os.path.isfile(f) for f in taken)  # noqa: ASYNC240 (the point)
        await asyncio.gather(*(w for w in writes.values() if w is not None))
        late = str(tmp_path / "late.bin")
        await _taken(disk, late, b"late", None)
        await route.commit(close=True)
        await disk.aclose()
        return taken, rows == [(1,)] and on_disk, os.path.isfile(late)  # noqa: ASYNC240

    taken, in_order, again = asyncio.run(main())
    assert len(taken) == PUT_BACKLOG and in_order and again
    assert all(Path(f).read_bytes() == bodies[f] for f in taken)
    assert not any(Path(f).exists() for f in bodies if f not in taken)
