"""The archive's per-file lookups use an index: none reads the whole table once per file."""

from __future__ import annotations

from pathlib import Path

from kemopix.downloader import Archive, FileRecord, PostKey


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
