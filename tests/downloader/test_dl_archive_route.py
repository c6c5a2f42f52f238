"""The archive's writes made by the disk helper process (``Archive.route_writes``): in order,
read back once committed, settled by the helper's answer, failures kept."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from kemopix.downloader import Archive, FileRecord, PostKey
from kemopix.downloader.disk_worker import DiskWorker
from kemopix.downloader.model import Creator, Post

KEY = PostKey("kemono", "patreon", "1")
POST = Post(KEY, Creator("kemono", "patreon", "c", "C"), "t", None, [], {}, signature="s")


def routed(archive: Archive) -> bool:
    return archive._route is not None


def _record(path: str, sha: str, key: PostKey = KEY) -> FileRecord:
    return FileRecord(path, key, 1, f"http://x/{path}", path, "file", sha, ())


def test_routed_writes_are_read_back_once_committed_and_settled_by_the_helper(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        disk = DiskWorker()
        with Archive(tmp_path) as archive:
            archive.route_writes(disk.route)
            assert routed(archive)  # a helper process writes
            archive.record_post(POST, None)
            archive.plan_file(_record("a.bin", f"{1:064x}"), None)
            archive.plan_file(_record("b.bin", f"{2:064x}"), None)
            archive.finish_file("a.bin", sha256=f"{1:064x}", size=3)
            # Not committed yet: this connection does not see it; the files just finished
            # are still found as copies (de-duplication within the run).
            assert archive.post_state(KEY) is None
            assert archive.held_copy(f"{1:064x}", "other.bin") == ("a.bin", 3)
            assert archive.held_copy(f"{1:064x}", "a.bin") is None
            assert await archive.settle(KEY) is False  # b.bin is still pending
            archive.finish_file("b.bin", sha256=f"{2:064x}", size=4)
            assert await archive.settle(KEY) is True
            await archive.synced()
            state = archive.post_state(KEY)
            assert state is not None and state.complete
            assert archive.held_copy(f"{2:064x}", "c.bin") == ("b.bin", 4)  # from the table
            await archive.unroute()
            assert not routed(archive)
            archive.fail_file("b.bin", "gone")  # written here again
            assert archive.settle_post(KEY) is False
        await disk.aclose()

    asyncio.run(main())
    with Archive(tmp_path) as archive:
        assert [(f.path, f.status) for f in archive.files_of(KEY)] == [
            ("a.bin", "done"),
            ("b.bin", "failed"),
        ]


def test_a_failed_statement_fails_every_later_write(tmp_path: Path) -> None:
    async def main() -> None:
        disk = DiskWorker()
        with Archive(tmp_path) as archive:
            archive.route_writes(disk.route)
            archive.record_post(POST, None)
            archive._write("INSERT INTO posts (site) VALUES (?)", ("x",))  # NOT NULL broken
            # Its answer comes back with the next one asked for: the settle fails...
            with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
                await archive.settle(KEY)
            # ...and so does every write after it (the transaction is gone).
            with pytest.raises(sqlite3.IntegrityError):
                archive.plan_file(_record("a.bin", f"{1:064x}"), None)
            with pytest.raises(sqlite3.IntegrityError):
                await archive.synced()
            await archive.unroute()  # nothing to commit: the route failed
        await disk.aclose()

    asyncio.run(main())
    with Archive(tmp_path) as archive:
        assert archive.post_state(KEY) is None  # the failed transaction left nothing


def test_without_a_helper_the_writes_stay_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEMOPIX_DISK_WORKER", "thread")  # as where no helper can start

    async def main() -> None:
        disk = DiskWorker()
        with Archive(tmp_path) as archive:
            archive.route_writes(disk.route)
            assert not routed(archive)
            archive.record_post(POST, None)
            assert archive.post_state(KEY) is not None  # written on this connection
            assert await archive.settle(KEY) is True
            await archive.unroute()
        await disk.aclose()

    asyncio.run(main())
