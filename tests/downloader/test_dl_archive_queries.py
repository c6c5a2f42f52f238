"""The archive's per-file lookups use an index: none reads the whole table once per file."""

from __future__ import annotations

from pathlib import Path

from kemopix.downloader import Archive, FileRecord, PostKey
from kemopix.downloader.archive import PostState
from kemopix.downloader.model import Creator, Post
from kemopix.downloader.status import held_counts


def _record(path: str, key: PostKey, sha: str) -> FileRecord:
    return FileRecord(path, key, 1, f"http://x/{path}", path, "file", sha, ())


def test_duplicate_lookup_uses_the_hash_index(tmp_path: Path) -> None:
    statements: list[str] = []
    with Archive(tmp_path) as archive:
        for n in range(50):
            key = PostKey("kemono", "patreon", str(n))
            archive.plan_file(_record(f"{n}.bin", key, f"{n:064x}"))
            archive.finish_file(f"{n}.bin", sha256=f"{n:064x}", size=1)
        assert archive.copy_of(f"{7:064x}", "7.bin") is None
        archive._db.set_trace_callback(statements.append)  # the statements as run
        found = archive.copy_of(f"{7:064x}", "other.bin")
        archive._db.set_trace_callback(None)
        assert found is not None and found.path == "7.bin"
        (query,) = [s for s in statements if s.startswith("SELECT")]
        plan = archive._db.execute("EXPLAIN QUERY PLAN " + query).fetchall()
    details = [str(tuple(row)) for row in plan]
    assert any("files_by_hash" in d for d in details), details


def test_settling_a_post_asks_its_own_rows_by_the_post_index(tmp_path: Path) -> None:
    statements: list[str] = []
    with Archive(tmp_path) as archive:
        key = PostKey("kemono", "patreon", "1")
        archive.plan_file(_record("a.bin", key, f"{1:064x}"))
        archive.plan_file(_record("b.bin", key, f"{2:064x}"))
        archive.finish_file("a.bin", sha256=f"{1:064x}", size=1)
        archive.record_post(
            Post(key, Creator("kemono", "patreon", "c", "C"), "t", None, [], {}, signature="s"),
            None,
        )
        archive._db.set_trace_callback(statements.append)
        assert archive.settle_post(key) is False  # b.bin is still pending
        archive._db.set_trace_callback(None)
        (query,) = [s for s in statements if s.startswith("UPDATE posts")]
        plan = archive._db.execute("EXPLAIN QUERY PLAN " + query).fetchall()
    details = [str(tuple(row)) for row in plan]
    assert any("files_by_post" in d for d in details), details


def test_a_post_settles_complete_only_with_every_file_settled_and_nothing_left_out(
    tmp_path: Path,
) -> None:
    key = PostKey("kemono", "patreon", "1")
    post = Post(key, Creator("kemono", "patreon", "c", "C"), "t", None, [], {}, signature="s")
    with Archive(tmp_path) as archive:
        archive.record_post(post, None)
        assert archive.settle_post(key) is True  # no files: nothing left
        archive.plan_file(_record("a.bin", key, f"{1:064x}"))
        archive.plan_file(_record("b.bin", key, f"{2:064x}"))
        archive.finish_file("a.bin", sha256=f"{1:064x}", size=1)
        assert archive.settle_post(key) is False
        assert archive.post_state(key) == PostState("s", 1, False, False)
        archive.fail_file("b.bin", "gone", status="unavailable")
        assert archive.settle_post(key, incomplete=True) is False  # a file was left out
        assert archive.post_state(key) == PostState("s", 1, False, True)
        assert archive.settle_post(key) is True
        assert archive.post_state(key) == PostState("s", 1, True, False)


def test_the_files_of_many_posts_are_read_by_the_hundred_through_the_indexes(
    tmp_path: Path,
) -> None:
    keys = [PostKey("pixiv", "illust", str(n)) for n in range(700)]
    statements: list[str] = []
    with Archive(tmp_path) as archive:
        for n, key in enumerate(keys):
            post = Post(key, Creator("pixiv", "pixiv", "u", "U"), "t", None, [], {}, signature="s")
            archive.record_post(post, None)
            archive.plan_file(_record(f"{n}.png", key, f"{n:064x}"))
            if n % 2:
                archive.finish_file(f"{n}.png", sha256=f"{n:064x}", size=1)
        archive.flush()
        archive._db.set_trace_callback(statements.append)
        rows = list(archive.held_files([], keys[:650]))
        archive._db.set_trace_callback(None)
        selects = [s for s in statements if s.startswith(("SELECT", "WITH"))]
        plan = archive._db.execute("EXPLAIN QUERY PLAN " + selects[0]).fetchall()
        # every row of those posts, each path once, whatever its status
        assert sorted(path for path, _, _ in rows) == sorted(f"{n}.png" for n in range(650))
        assert {status for _, status, _ in rows} == {"done", "pending"}
        assert len(selects) == 3  # 650 posts: 300 + 300 + 50
        assert sorted(archive.held_paths([], keys)) == sorted(f"{n}.png" for n in range(1, 700, 2))
    details = " ".join(str(tuple(row)) for row in plan)
    assert "files_by_post" in details and "SCAN f" not in details, details


def _four_files_then_a_run(archive: Archive) -> float:
    """Four posts of one file each, recorded; the time a run starts just after."""
    creator = Creator("kemono", "patreon", "c", "C")
    for n in range(4):
        key = PostKey("kemono", "patreon", str(n))
        archive.record_post(Post(key, creator, "t", None, [], {}, signature="s"), None)
        archive.plan_file(_record(f"{n}.bin", key, f"{n:064x}"))
        archive.finish_file(f"{n}.bin", sha256=f"{n:064x}", size=1)
    archive.flush()
    (last,) = archive._db.execute("SELECT MAX(updated_at) FROM files").fetchone()
    return float(last) + 0.001


def test_held_files_since_a_time_leave_out_the_records_written_since(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        # a run starts: what it writes now is its own; the rest was recorded before it
        started = _four_files_then_a_run(archive)
        archive._db.execute("UPDATE files SET updated_at=? WHERE path='1.bin'", (started + 5,))
        archive.requeue_file("2.bin")
        archive.finish_file("2.bin", sha256=f"{2:064x}", size=1)
        archive._db.execute("UPDATE files SET updated_at=? WHERE path='2.bin'", (started + 6,))
        archive.flush()
        everyone = [("kemono", "patreon", "c")]
        assert sorted(p for p, _, _ in archive.held_files(everyone)) == [
            f"{n}.bin" for n in range(4)
        ]
        assert sorted(p for p, _, _ in archive.held_files(everyone, (), started)) == [
            "0.bin",
            "3.bin",
        ]
        assert sorted(archive.held_paths(everyone, (), started)) == ["0.bin", "3.bin"]
        marked = sorted(
            (p, recent) for p, _, _, recent in archive.held_since(everyone, (), started)
        )
        assert marked == [("0.bin", 0), ("1.bin", 1), ("2.bin", 1), ("3.bin", 0)]


def test_a_runs_summary_looks_on_disk_only_for_the_files_recorded_before_it(
    tmp_path: Path,
) -> None:
    # The files a run recorded were written or checked by it: its summary counts them as
    # held without a stat each; a file recorded before the run and gone since is missing.
    with Archive(tmp_path) as archive:
        started = _four_files_then_a_run(archive)
        archive._db.execute("UPDATE files SET updated_at=? WHERE path IN ('2.bin', '3.bin')",
                            (started + 5,))  # fmt: skip
        archive.flush()
        (tmp_path / "0.bin").write_bytes(b"x")
        (tmp_path / "2.bin").write_bytes(b"x")  # 1.bin (before) and 3.bin (since) are not there
        everyone = [("kemono", "patreon", "c")]
        counts = held_counts(archive, everyone, [], started)
        assert (counts["original"], counts["missing"]) == (3, 1)
        counts = held_counts(archive, everyone, [])  # a status: every file looked at
        assert (counts["original"], counts["missing"]) == (2, 2)


def test_a_pages_post_states_come_in_one_query_per_300_posts(tmp_path: Path) -> None:
    creator = Creator("kemono", "patreon", "c", "C")
    keys = [PostKey("kemono", "patreon", str(n)) for n in range(400)]
    statements: list[str] = []
    with Archive(tmp_path) as archive:
        for n, key in enumerate(keys[:350]):
            archive.record_post(Post(key, creator, "t", None, [], {}, signature=f"s{n}"), None)
        archive.settle_post(keys[1])
        archive._db.set_trace_callback(statements.append)
        states = archive.post_states(keys)
        archive._db.set_trace_callback(None)
        queries = [s for s in statements if s.startswith("WITH")]
        assert len(queries) == 2
        plan = archive._db.execute("EXPLAIN QUERY PLAN " + queries[0]).fetchall()
        details = " ".join(str(tuple(row)) for row in plan)
        assert "SEARCH p" in details and "SCAN p" not in details, details
        assert set(states) == set(keys[:350])  # the posts never recorded are left out
        for key in keys[:350]:
            assert states[key] == archive.post_state(key)
        assert states[keys[1]].complete and not states[keys[2]].complete
