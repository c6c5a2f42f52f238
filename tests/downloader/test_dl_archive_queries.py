"""The archive's per-file lookups use an index: none reads the whole table once per file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kemopix.downloader import Archive, FileRecord, PostKey
from kemopix.downloader.archive import PostState, _Written
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


def _four_held_files(archive: Archive) -> None:
    """Four posts of creator ``c``, each with its file ``<n>.bin`` held (recorded done)."""
    creator = Creator("kemono", "patreon", "c", "C")
    for n in range(4):
        key = PostKey("kemono", "patreon", str(n))
        archive.record_post(Post(key, creator, "t", None, [], {}, signature="s"), None)
        archive.plan_file(_record(f"{n}.bin", key, f"{n:064x}"))
        archive.finish_file(f"{n}.bin", sha256=f"{n:064x}", size=1)


def test_held_files_since_a_time_leave_out_the_records_written_since(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        _four_held_files(archive)
        archive.flush()
        # a run starts: what it writes now is its own; the rest was recorded before it
        (last,) = archive._db.execute("SELECT MAX(updated_at) FROM files").fetchone()
        started = last + 0.001
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


def _selects(archive: Archive, ask: Callable[[], object]) -> tuple[object, int]:
    """What ``ask()`` gives, and how many queries it ran on the archive."""
    statements: list[str] = []
    archive._db.set_trace_callback(statements.append)
    try:
        answer = ask()
    finally:
        archive._db.set_trace_callback(None)
    return answer, sum(s.startswith(("SELECT", "WITH")) for s in statements)


def test_a_first_run_asks_the_archive_only_about_what_it_recorded(tmp_path: Path) -> None:
    key = PostKey("kemono", "patreon", "1")
    sha = f"{1:064x}"
    post = Post(key, Creator("kemono", "patreon", "c", "C"), "t", None, [], {}, signature="s")
    other = PostKey("kemono", "patreon", "2")
    with Archive(tmp_path) as archive:  # a new folder: every row is this archive's
        assert _selects(archive, lambda: archive.post_states([key, other])) == ({}, 0)
        archive.record_post(post, None)
        states, asked = _selects(archive, lambda: archive.post_states([key, other]))
        assert states == {key: PostState("s", 1, False, True)} and asked == 1
        assert _selects(archive, lambda: archive.owners(["a.bin", "b.bin"])) == ({}, 0)
        assert _selects(archive, lambda: archive.copy_of(sha, "b.bin")) == (None, 0)
        archive.plan_file(_record("a.bin", key, sha))
        assert _selects(archive, lambda: archive.owners(["a.bin", "b.bin"])) == ({"a.bin": key}, 1)
        assert _selects(archive, lambda: archive.copy_of(sha, "b.bin")) == (None, 0)
        archive.finish_file("a.bin", sha256=sha.upper(), size=1)
        found, asked = _selects(archive, lambda: archive.copy_of(sha, "b.bin"))
        assert isinstance(found, FileRecord) and found.path == "a.bin" and asked == 1
        archive.fail_file("a.bin", "gone")  # recorded once, no longer held: the archive says
        assert archive.copy_of(sha, "b.bin") is None
    with Archive(tmp_path) as archive:  # a folder with rows: every question is asked
        assert archive.owners(["a.bin", "c.bin"]) == {"a.bin": key}
        assert _selects(archive, lambda: archive.post_states([other])) == ({}, 1)
        assert _selects(archive, lambda: archive.copy_of(f"{2:064x}", "b.bin")) == (None, 1)


def test_an_archive_another_process_may_write_asks_about_every_path(tmp_path: Path) -> None:
    key = PostKey("kemono", "patreon", "1")
    with Archive(tmp_path, exclusive=False) as reader:  # opened on an empty folder (plan)
        with Archive(tmp_path) as writer:
            writer.plan_file(_record("a.bin", key, f"{1:064x}"))
            writer.finish_file("a.bin", sha256=f"{1:064x}", size=1)
        assert reader.owners(["a.bin"]) == {"a.bin": key}
        found = reader.copy_of(f"{1:064x}", "b.bin")
        assert found is not None and found.path == "a.bin"


def test_the_written_bits_never_miss_a_string_added() -> None:
    written = _Written()
    added = [f"kemono/patreon/c/{n}/01 f.bin" for n in range(20_000)]
    for key in added:
        written.add(key)
    assert all(key in written for key in added)
    others = sum(f"other/{n}" in written for n in range(20_000))
    assert others < 400  # about 0.5 % look added (they are then asked about)


def test_a_run_summary_looks_on_disk_for_the_files_recorded_before_the_run(
    tmp_path: Path,
) -> None:
    everyone = [("kemono", "patreon", "c")]
    with Archive(tmp_path) as archive:
        _four_held_files(archive)
        for n in range(4):
            (tmp_path / f"{n}.bin").write_bytes(b"x")
        archive.fail_file("3.bin", "gone")
        archive.flush()
        (last,) = archive._db.execute("SELECT MAX(updated_at) FROM files").fetchone()
        started = last + 0.001  # a run starts; it records 1.bin and 2.bin again
        archive._db.execute(
            "UPDATE files SET updated_at=? WHERE path IN ('1.bin', '2.bin')", (started + 5,)
        )
        (tmp_path / "0.bin").unlink()  # recorded before the run, gone: looked for, missing
        (tmp_path / "2.bin").unlink()  # put there by the run: counted by its record
        counts = held_counts(archive, everyone, [], started)
        assert (counts["original"], counts["missing"], counts["failed"]) == (2, 1, 1)
        counts = held_counts(archive, everyone, [])  # every file looked for
        assert (counts["original"], counts["missing"], counts["failed"]) == (1, 2, 1)
