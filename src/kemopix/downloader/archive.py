"""The archive: a SQLite file in the output folder recording posts, files and listing watermarks.

It makes re-runs incremental (a post whose signature is unchanged and whose files are all done
is not fetched again), lets ``retry-failed`` and ``verify`` work without listing anything, and
finds an already downloaded copy of a file by its SHA-256 (de-duplication). Paths are stored
relative to the output folder, so the folder can be moved.

The engine sees the archive through :class:`ArchiveStore` only, so another backend (PostgreSQL,
with ``SELECT ... FOR UPDATE SKIP LOCKED`` claims instead of one folder lock) can stand in.
One process at a time works in a folder: :class:`Archive` takes an exclusive lock on
``.kemopix-lock`` (released by the kernel whatever way the process ends) and a second
process is refused at once with :class:`FolderBusy`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Protocol, Self

from msgspec import Struct

from .._protocol.errors import InvalidInput
from .model import Post, PostKey, isoformat

__all__ = [
    "ARCHIVE_NAME",
    "LOCK_NAME",
    "SETTLED",
    "Archive",
    "ArchiveStore",
    "FileRecord",
    "FolderBusy",
    "Held",
    "PostState",
    "StateRow",
    "Watermark",
    "WriteRoute",
    "file_state",
]

ARCHIVE_NAME = ".kemopix-archive.sqlite3"
LOCK_NAME = ".kemopix-lock"
SCHEMA_VERSION = 4
# What is at a file's final path: "original" (size and hash checked), "thumbnail" (the site's
# smaller re-encoding, checked for size and image decode, while the original is unavailable),
# "nothing" (the reason is the row's error).
Held = Literal["original", "thumbnail", "nothing"]
# File statuses that leave nothing to do now: held (original or thumbnail), left out on
# purpose, or unavailable from the site at the moment (an upgrade tries again).
SETTLED = ("done", "skipped", "unavailable")
_SETTLED_SQL = ",".join(f"'{status}'" for status in SETTLED)
COMMIT_EVERY = 0.25  # seconds between commits of a busy run

_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    site TEXT NOT NULL, service TEXT NOT NULL, id TEXT NOT NULL,
    creator_id TEXT NOT NULL, title TEXT NOT NULL, published TEXT, added TEXT, edited TEXT,
    signature TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1,
    complete INTEGER NOT NULL DEFAULT 0, updated_at REAL NOT NULL,
    replan INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, service, id)
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    site TEXT NOT NULL, service TEXT NOT NULL, post_id TEXT NOT NULL, idx INTEGER NOT NULL,
    url TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    expected_sha256 TEXT, sha256 TEXT, size INTEGER, etag TEXT, headers TEXT NOT NULL,
    status TEXT NOT NULL, error TEXT, updated_at REAL NOT NULL,
    held TEXT NOT NULL DEFAULT 'nothing', thumbnail TEXT
);
CREATE INDEX IF NOT EXISTS files_by_post ON files (site, service, post_id);
CREATE INDEX IF NOT EXISTS files_by_hash ON files (sha256);
CREATE INDEX IF NOT EXISTS files_by_status ON files (status);
CREATE TABLE IF NOT EXISTS watermarks (
    listing TEXT PRIMARY KEY,
    newest_published TEXT, newest_added TEXT, newest_edited TEXT,
    complete INTEGER NOT NULL DEFAULT 0, synced_at REAL NOT NULL
);
"""


class StateRow(Struct, frozen=True):
    """A post and one of its files (``path`` None: a post without files), for the counts."""

    site: str
    service: str
    creator_id: str
    post_id: str
    complete: bool
    updated_at: float
    path: str | None
    status: str | None
    held: str | None


class PostState(Struct, frozen=True):
    """What the archive knows of a post. ``replan``: only planning the post again can
    complete it (its last planning left files out on purpose, a budget or a name that cannot
    be made safe, or did not write its sidecars, or has not closed); fetching its recorded
    files again cannot."""

    signature: str
    revision: int
    complete: bool
    replan: bool = False


class Watermark(Struct, frozen=True):
    """The newest dates a listing showed, and whether the last sweep reached its end."""

    listing: str
    newest_published: str | None
    newest_added: str | None
    newest_edited: str | None
    complete: bool


class FileRecord(Struct, frozen=True):
    """One planned or downloaded file. ``path`` is relative to the output folder."""

    path: str
    key: PostKey
    index: int
    url: str
    name: str
    kind: str
    expected_sha256: str | None
    headers: tuple[tuple[str, str], ...]
    status: str = "pending"  # pending, done, failed, skipped, unavailable
    sha256: str | None = None
    size: int | None = None
    etag: str | None = None
    error: str | None = None
    held: Held = "nothing"
    thumbnail: str | None = None  # the URL of a smaller re-encoding (images on Kemono sites)
    # Not stored: why the site says the original cannot be had now (pawchive preview-only or
    # deferred files), so no request is spent on it.
    unavailable: str | None = None


class _Written:
    """Keys a run may have written (posts, paths, hashes): a fixed bit array, so a key never
    added is told apart without a look at the archive, whatever the run's size (a few in a
    hundred others look added too once 100,000 are: those are looked up as before)."""

    __slots__ = ("_bits",)
    _SLOTS = 1 << 22  # 512 KiB

    def __init__(self) -> None:
        self._bits = bytearray(self._SLOTS >> 3)

    def add(self, key: Hashable) -> None:
        slot = hash(key) & (self._SLOTS - 1)
        self._bits[slot >> 3] |= 1 << (slot & 7)

    def __contains__(self, key: object) -> bool:
        slot = hash(key) & (self._SLOTS - 1)
        return bool(self._bits[slot >> 3] >> (slot & 7) & 1)


class FolderBusy(InvalidInput):
    """Another kemopix process is working in this output folder."""


class ArchiveStore(Protocol):
    """What the engine and the commands need of an archive (SQLite today)."""

    root: Path

    def flush(self) -> None: ...
    def commit_pending(self) -> None: ...
    async def synced(self) -> None: ...
    def route_writes(self, opener: Callable[[str], WriteRoute | None]) -> bool: ...
    async def unroute(self) -> None: ...
    def close(self) -> None: ...
    def post_state(self, key: PostKey) -> PostState | None: ...
    def post_states(self, keys: Iterable[PostKey]) -> dict[PostKey, PostState]: ...
    def record_post(self, post: Post, state: PostState | bool | None = True) -> int: ...
    def set_complete(
        self, key: PostKey, complete: bool = True, *, replan: bool | None = None
    ) -> None: ...
    def settle_post(self, key: PostKey, incomplete: bool = False) -> bool: ...
    async def settle(self, key: PostKey, incomplete: bool = False) -> bool: ...
    def post_published(self, key: PostKey) -> str | None: ...
    def post_ids(self) -> set[str]: ...
    def plan_file(
        self, record: FileRecord, prior: FileRecord | bool | None = True
    ) -> FileRecord: ...
    def finish_file(
        self,
        path: str,
        *,
        sha256: str | None,
        size: int,
        etag: str | None = None,
        held: Held = "original",
        note: str | None = None,
    ) -> None: ...
    def fail_file(self, path: str, error: str, status: str = "failed") -> None: ...
    def requeue_file(self, path: str) -> None: ...
    def set_etag(self, path: str, etag: str) -> None: ...
    def file(self, path: str) -> FileRecord | None: ...
    def files_of(self, key: PostKey) -> list[FileRecord]: ...
    def files(self, *statuses: str) -> Iterator[FileRecord]: ...
    def owners(self, paths: Iterable[str]) -> dict[str, PostKey]: ...
    def copy_of(self, sha256: str, exclude: str) -> FileRecord | None: ...
    def held_copy(self, sha256: str, exclude: str) -> tuple[str, int | None] | None: ...
    def counts(self) -> dict[str, int]: ...
    def upgradable(
        self, creator: tuple[str, str, str] | None = None, before: float | None = None
    ) -> list[FileRecord]: ...
    def state_rows(
        self,
        creators: Iterable[tuple[str, str, str]] | None = None,
        keys: Iterable[PostKey] = (),
    ) -> Iterator[StateRow]: ...
    def held_files(
        self,
        creators: Iterable[tuple[str, str, str]],
        keys: Iterable[PostKey] = (),
        before: float | None = None,
        since: float | None = None,
    ) -> Iterator[tuple[str, str, str]]: ...
    def held_paths(
        self,
        creators: Iterable[tuple[str, str, str]],
        keys: Iterable[PostKey] = (),
        before: float | None = None,
    ) -> list[str]: ...
    def sync_times(self) -> dict[str, float]: ...
    def watermark(self, listing: str) -> Watermark | None: ...
    def save_watermark(self, mark: Watermark) -> None: ...
    def reopen_listings(self) -> None: ...


class _FolderLock:
    """An exclusive, non-blocking lock on ``<root>/.kemopix-lock`` (held until closed)."""

    def __init__(self, root: Path) -> None:
        path = root / LOCK_NAME
        self._fh: IO[str] | None = open(path, "a+", encoding="utf-8")
        try:
            _lock(self._fh)
        except OSError:
            self._fh.seek(0)
            holder = self._fh.read().strip()
            self._fh.close()
            self._fh = None
            who = f" (process {holder})" if holder.isdigit() else ""
            raise FolderBusy(
                f"another kemopix is working in {root}{who}: wait for it to end, "
                "or choose another folder with -o"
            ) from None
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(str(os.getpid()))
        self._fh.flush()

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()  # closing the descriptor releases the lock
            self._fh = None


def _lock(fh: IO[str]) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


class WriteRoute(Protocol):
    """Where a routed archive's writes go: another process running them in order
    (``disk_worker.Route``), so that SQLite's work leaves the event loop."""

    def failure(self) -> BaseException | None: ...
    def execute(self, sql: str, params: tuple[object, ...]) -> None: ...
    def query(self, sql: str, params: tuple[object, ...]) -> Awaitable[list[Any]]: ...
    def commit(self, *, close: bool = False) -> Awaitable[list[Any]]: ...


class Archive:
    """A connection to one output folder's archive. Use as a context manager.

    ``exclusive`` (the default for a folder on disk) takes the folder's lock first: a second
    process gets :class:`FolderBusy`. Read-only uses (``plan``) pass ``exclusive=False``.
    """

    def __init__(self, root: Path, *, memory: bool = False, exclusive: bool = True) -> None:
        self.root = root
        self.path = root / ARCHIVE_NAME
        self._lock: _FolderLock | None = None
        if not memory:
            root.mkdir(parents=True, exist_ok=True)
            if exclusive:
                self._lock = _FolderLock(root)
        target = ":memory:" if memory else str(self.path)
        try:
            self._db = sqlite3.connect(target, timeout=30.0, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            # The cursor of the writes and the per-file reads: each statement it runs is read
            # to its end (a cursor per statement, as ``Connection.execute`` makes, cost a fifth
            # of a write's Python).
            self._cursor = self._db.cursor()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._migrate()
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise  # sqlite3.DatabaseError: the CLI says the archive is damaged
        self._opened = 0.0
        self._memory = memory
        # A folder's first run: its archive held no post and no file, and no other process
        # writes it (the folder's lock, or an archive in memory), so every row is one this
        # object writes. The posts, paths and SHA-256 it recorded are remembered (as bits):
        # one it never recorded is in no row, and a listing's page, a new post's planning and
        # each download do not ask the archive about it (a post's state, an owner of a path,
        # a copy to link).
        self._posts: _Written | None = None
        self._paths: _Written | None = None
        self._hashes: _Written | None = None
        if exclusive or memory:
            if self._db.execute("SELECT 1 FROM posts LIMIT 1").fetchone() is None:
                self._posts = _Written()
            if self._db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None:
                self._paths, self._hashes = _Written(), _Written()
        # Routed (see route_writes): the files finished since the last commit was asked for,
        # by SHA-256, then those of commits not yet answered (the archive cannot see them).
        self._route: WriteRoute | None = None
        self._recent: dict[str, tuple[str, int]] = {}
        self._sealed: list[dict[str, tuple[str, int]]] = []

    def _migrate(self) -> None:
        """Bring an archive written by an older kemopix to this schema (in place, once)."""
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version >= SCHEMA_VERSION:
            return
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(files)")}
        self._db.execute("BEGIN IMMEDIATE")
        if "held" not in columns:
            self._db.execute("ALTER TABLE files ADD COLUMN held TEXT NOT NULL DEFAULT 'nothing'")
            self._db.execute("UPDATE files SET held='original' WHERE status='done'")
        if "thumbnail" not in columns:
            self._db.execute("ALTER TABLE files ADD COLUMN thumbnail TEXT")
        if version < 2:
            # Version 1 marked a listing complete before its posts were: sweep them again.
            self._db.execute("UPDATE watermarks SET complete=0")
        if "replan" not in {row[1] for row in self._db.execute("PRAGMA table_info(posts)")}:
            self._db.execute("ALTER TABLE posts ADD COLUMN replan INTEGER NOT NULL DEFAULT 0")
            # Why an unfinished post is unfinished was not recorded: only a new planning of
            # it (the next plain run) may say it is complete.
            self._db.execute("UPDATE posts SET replan=1 WHERE complete=0")
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._db.execute("COMMIT")

    @classmethod
    def in_memory(cls, root: Path) -> Archive:
        """An empty archive that writes nothing to disk (for plans of a new folder)."""
        return cls(root, memory=True)

    def route_writes(self, opener: Callable[[str], WriteRoute | None]) -> bool:
        """From now on the writes go to the route ``opener`` gives for the archive's file
        (None, or an archive in memory: they stay here) until :meth:`unroute` is awaited;
        whether they do. Reads see what the route has committed: a caller that reads back a
        write of its own awaits :meth:`synced` first."""
        if self._memory:
            return False
        self.flush()
        self._route = opener(str(self.path))
        if self._route is not None:
            # Reads in one transaction, renewed as the route commits: a read transaction per
            # statement cost two file-lock system calls and the page cache each time.
            self._db.execute("BEGIN")
        return self._route is not None

    async def unroute(self) -> None:
        """Commit what was routed, end the route's connection, and write here again."""
        route, self._route = self._route, None
        self._recent.clear()
        self._sealed.clear()
        if self._db.in_transaction:
            self._db.execute("COMMIT")  # the reads' transaction: the checkpoint can go past it
        if route is not None and route.failure() is None:
            await route.commit(close=True)

    async def synced(self) -> None:
        """Everything written so far is committed (routed: the route's answer awaited)."""
        route = self._route
        if route is None:
            self.flush()
            return
        await self._commit_routed(route)
        failure = route.failure()
        if failure is not None:
            raise failure

    def _commit_routed(self, route: WriteRoute) -> Awaitable[None]:
        sealed, self._recent = self._recent, {}
        self._sealed.append(sealed)
        answered = route.commit()

        async def wait() -> None:
            try:
                await answered
                self._renew_reads()
            except (sqlite3.Error, OSError):
                pass  # kept by the route: every later write raises it, and synced() does
            finally:
                with contextlib.suppress(ValueError):
                    self._sealed.remove(sealed)

        return asyncio.ensure_future(wait())

    def _renew_reads(self) -> None:
        """The reads' transaction ended and begun again: what the route committed is seen."""
        if self._route is not None and self._db.in_transaction:
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")

    def _write(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        """Run a write inside a transaction committed every ``COMMIT_EVERY`` seconds; the rows
        it returns (``RETURNING``; none when routed).

        One commit per statement cost a fifth of the run time on a large creator. A kill
        loses at most the last fraction of a second of records: the next run finds those
        files on disk, checks them (size, SHA-256) and records them then.
        """
        if self._route is not None:
            self._route.execute(sql, params)
            return []
        cursor = self._cursor
        if not self._db.in_transaction:
            cursor.execute("BEGIN")
            self._opened = time.monotonic()
        rows = cursor.execute(sql, params).fetchall()  # RETURNING rows; ended before a commit
        if time.monotonic() - self._opened >= COMMIT_EVERY:
            cursor.execute("COMMIT")
        return rows

    def flush(self) -> None:
        """Commit what is pending (routed: ask for it; :meth:`synced` waits for it)."""
        if self._route is not None:
            self._commit_routed(self._route)
        elif self._db.in_transaction:
            self._db.execute("COMMIT")

    def commit_pending(self) -> None:
        """Commit what is pending, best effort: a failure (full disk) is left for the next
        write to report."""
        with contextlib.suppress(sqlite3.Error, OSError):
            self.flush()

    def close(self) -> None:
        self._route = None  # not unrouted: what it had not committed is lost, as in a kill
        try:
            self.commit_pending()
            self._db.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- posts ------------------------------------------------------------------------------
    def post_state(self, key: PostKey) -> PostState | None:
        row = self._db.execute(
            "SELECT signature, revision, complete, replan FROM posts"
            " WHERE site=? AND service=? AND id=?",
            (key.site, key.service, key.id),
        ).fetchone()
        if row is None:
            return None
        return PostState(
            row["signature"], row["revision"], bool(row["complete"]), bool(row["replan"])
        )

    def post_states(self, keys: Iterable[PostKey]) -> dict[PostKey, PostState]:
        """What the archive knows of each of ``keys`` (those it never recorded are left out),
        in one query per 300 posts: a listing's page at once."""
        out: dict[PostKey, PostState] = {}
        if self._posts is not None:
            keys = [key for key in keys if key in self._posts]
        for wanted, params in _wanted(keys):
            query = (
                f"{wanted} SELECT p.site, p.service, p.id, p.signature, p.revision, p.complete,"
                " p.replan FROM wanted w CROSS JOIN posts p ON p.site=w.site"
                " AND p.service=w.service AND p.id=w.id"
            )
            for site, service, ident, signature, revision, complete, replan in self._db.execute(
                query, params
            ).fetchall():
                key = PostKey(site, service, ident)
                out[key] = PostState(signature, revision, bool(complete), bool(replan))
        return out

    def record_post(self, post: Post, state: PostState | bool | None = True) -> int:
        """Insert or update a post; returns its revision (bumped when its content changed).

        ``state`` is the post's state as just read (None: not archived); by default it is read.
        The post is unfinished, and only its planning's close can complete it (``replan``).
        """
        if state is True or state is False:
            state = self.post_state(post.key)
        if self._posts is not None:
            self._posts.add(post.key)
        revision = 1 if state is None else state.revision
        # The part after "/" names the filters in force, not the post's content.
        if state is not None and _content(state.signature) != _content(post.signature):
            revision += 1
        self._write(
            "INSERT INTO posts (site, service, id, creator_id, title, published, added, edited,"
            " signature, revision, complete, updated_at, replan)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,0,?,1)"
            " ON CONFLICT (site, service, id) DO UPDATE SET creator_id=excluded.creator_id,"
            " title=excluded.title, published=excluded.published, added=excluded.added,"
            " edited=excluded.edited, signature=excluded.signature, revision=excluded.revision,"
            " complete=0, updated_at=excluded.updated_at, replan=1",
            (
                post.key.site,
                post.key.service,
                post.key.id,
                post.creator.id,
                post.title,
                _iso(post.published),
                _iso(post.added),
                _iso(post.edited),
                post.signature,
                revision,
                time.time(),
            ),
        )
        return revision

    def set_complete(
        self, key: PostKey, complete: bool = True, *, replan: bool | None = None
    ) -> None:
        """Mark the post complete (which ends its need to be planned again), or not; ``replan``
        says whether only planning it again can complete it (None: as it was)."""
        if complete:
            replan = False
        self._write(
            "UPDATE posts SET complete=?, replan=COALESCE(?, replan), updated_at=?"
            " WHERE site=? AND service=? AND id=?",
            (
                int(complete),
                None if replan is None else int(replan),
                time.time(),
                key.site,
                key.service,
                key.id,
            ),
        )

    def settle_post(self, key: PostKey, incomplete: bool = False) -> bool:
        """Mark the post complete if nothing is left: not ``incomplete`` (its planning left
        something out) and every file of it settled; else unfinished, to be planned again
        when ``incomplete``. Whether it is complete."""
        if self._route is not None:
            raise RuntimeError("a routed archive settles posts with settle()")
        rows = self._write(*_settle_statement(key, incomplete))
        return bool(rows and rows[0][0])

    async def settle(self, key: PostKey, incomplete: bool = False) -> bool:
        """:meth:`settle_post`, also when routed (the route's answer awaited)."""
        if self._route is None:
            return self.settle_post(key, incomplete)
        rows = await self._route.query(*_settle_statement(key, incomplete))
        return bool(rows and rows[0][0])

    def post_published(self, key: PostKey) -> str | None:
        """The post's publication date as stored (ISO), or None."""
        row = self._db.execute(
            "SELECT published FROM posts WHERE site=? AND service=? AND id=?",
            (key.site, key.service, key.id),
        ).fetchone()
        return None if row is None else row[0]

    def post_ids(self) -> set[str]:
        return {str(row[0]) for row in self._db.execute("SELECT DISTINCT id FROM posts")}

    def post_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM posts").fetchone()[0])

    # -- files ------------------------------------------------------------------------------
    def plan_file(self, record: FileRecord, prior: FileRecord | bool | None = True) -> FileRecord:
        """Record a file the run means to fetch; a file already done at that path stays done.

        ``prior`` is the path's record as just read (None: none); by default it is read.
        """
        existing = self.file(record.path) if prior is True or prior is False else prior
        if existing is not None and existing.status == "done" and existing.url == record.url:
            return existing
        if self._paths is not None:
            self._paths.add(record.path)
        self._write(
            "INSERT OR REPLACE INTO files (path, site, service, post_id, idx, url, name, kind,"
            " expected_sha256, sha256, size, etag, headers, status, error, updated_at, held,"
            " thumbnail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'nothing',?)",
            (
                record.path,
                record.key.site,
                record.key.service,
                record.key.id,
                record.index,
                record.url,
                record.name,
                record.kind,
                record.expected_sha256,
                None,
                record.size,
                existing.etag if existing is not None else None,
                _headers_json(record.headers),
                "pending",
                None,
                time.time(),
                record.thumbnail,
            ),
        )
        return record

    def finish_file(
        self,
        path: str,
        *,
        sha256: str | None,
        size: int,
        etag: str | None = None,
        held: Held = "original",
        note: str | None = None,
    ) -> None:
        """The file at ``path`` is held: its original (checked) or, ``held="thumbnail"``, the
        thumbnail (its own size and SHA-256; ``note`` says why not the original)."""
        self._write(
            "UPDATE files SET status='done', held=?, sha256=?, size=?,"
            " etag=COALESCE(?, etag), error=?, updated_at=? WHERE path=?",
            (held, sha256, size, etag, note and note[:500], time.time(), path),
        )
        if held == "original" and sha256:
            if self._hashes is not None:
                self._hashes.add(sha256.lower())
            if self._route is not None:
                self._recent[sha256.lower()] = (path, size)

    def fail_file(self, path: str, error: str, status: str = "failed") -> None:
        self._write(
            "UPDATE files SET status=?, held='nothing', error=?, updated_at=? WHERE path=?",
            (status, error[:500], time.time(), path),
        )

    def requeue_file(self, path: str) -> None:
        self._write(
            "UPDATE files SET status='pending', held='nothing', error=NULL, updated_at=?"
            " WHERE path=?",
            (time.time(), path),
        )

    def set_etag(self, path: str, etag: str) -> None:
        self._write("UPDATE files SET etag=? WHERE path=?", (etag, path))

    def file(self, path: str) -> FileRecord | None:
        row = self._db.execute("SELECT * FROM files WHERE path=?", (path,)).fetchone()
        return None if row is None else _file(row)

    def files_of(self, key: PostKey) -> list[FileRecord]:
        rows = self._db.execute(
            "SELECT * FROM files WHERE site=? AND service=? AND post_id=? ORDER BY idx",
            (key.site, key.service, key.id),
        ).fetchall()
        return [_file(row) for row in rows]

    def files(self, *statuses: str) -> Iterator[FileRecord]:
        """Every file, or those with one of ``statuses``, in path order."""
        if statuses:
            marks = ",".join("?" * len(statuses))
            query = f"SELECT * FROM files WHERE status IN ({marks}) ORDER BY path"
            rows = self._db.execute(query, statuses).fetchall()
        else:
            rows = self._db.execute("SELECT * FROM files ORDER BY path").fetchall()
        for row in rows:
            yield _file(row)

    def owners(self, paths: Iterable[str]) -> dict[str, PostKey]:
        """The post each of ``paths`` already belongs to (paths nobody holds are left out)."""
        wanted = paths if isinstance(paths, list) else list(paths)
        if self._paths is not None:
            wanted = [path for path in wanted if path in self._paths]
        out: dict[str, PostKey] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = _OWNERS.get(len(chunk)) or _owners_query(len(chunk))
            for row in self._cursor.execute(query, chunk).fetchall():
                out[row[0]] = PostKey(row[1], row[2], row[3])
        return out

    def held_copy(self, sha256: str, exclude: str) -> tuple[str, int | None] | None:
        """The path and size of a downloaded file with this SHA-256 at another path."""
        sha = sha256.lower()
        if self._hashes is not None and sha not in self._hashes:
            return None  # never recorded as held, committed or not
        if self._route is not None:
            for finished in (self._recent, *reversed(self._sealed)):
                found = finished.get(sha)
                if found is not None and found[0] != exclude:
                    return found
        other = self.copy_of(sha, exclude)
        return None if other is None else (other.path, other.size)

    def copy_of(self, sha256: str, exclude: str) -> FileRecord | None:
        """A downloaded file with this SHA-256 at another path (de-duplication source)."""
        sha = sha256.lower()
        if self._hashes is not None and sha not in self._hashes:
            return None
        # "+status": without it SQLite may pick the status index and read every done file,
        # once per file downloaded (quadratic in the archive's size).
        rows = self._cursor.execute(
            "SELECT * FROM files WHERE sha256=? AND +status='done' AND held='original'"
            " AND path<>? LIMIT 1",
            (sha, exclude),
        ).fetchall()  # (read to its end: the cursor is shared)
        return _file(rows[0]) if rows else None

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall()
        return {row[0]: int(row[1]) for row in rows}

    def upgradable(
        self, creator: tuple[str, str, str] | None = None, before: float | None = None
    ) -> list[FileRecord]:
        """Files held as thumbnails or unavailable, whose originals a run tries again: all of
        them, or those of ``creator`` (site, service, id; pixiv creators span services);
        with ``before`` (a time), only those whose record was not written since."""
        query = (
            "SELECT f.* FROM files f WHERE ((f.status='done' AND f.held='thumbnail')"
            " OR f.status='unavailable')"
        )
        if before is not None:
            query += f" AND f.updated_at < {float(before)!r}"
        params: tuple[str, ...] = ()
        if creator is not None:
            query += (
                " AND EXISTS (SELECT 1 FROM posts p WHERE p.site=f.site AND p.service=f.service"
                " AND p.id=f.post_id AND p.site=? AND p.creator_id=?"
                " AND (p.service=? OR p.site='pixiv'))"
            )
            params = (creator[0], creator[2], creator[1])
        rows = self._db.execute(query + " ORDER BY f.path", params).fetchall()
        return [_file(row) for row in rows]

    def state_rows(
        self,
        creators: Iterable[tuple[str, str, str]] | None = None,
        keys: Iterable[PostKey] = (),
    ) -> Iterator[StateRow]:
        """Posts with each of their files (``kemopix status``, the run summary): all, or those
        of ``creators`` (site, service, id; pixiv creators span services) and the posts
        ``keys``."""
        query = (
            "SELECT p.site, p.service, p.creator_id, p.id, p.complete, p.updated_at, f.path,"
            " f.status, f.held FROM posts p LEFT JOIN files f ON f.site=p.site"
            " AND f.service=p.service AND f.post_id=p.id"
        )
        # Rows streamed from the cursor: a 100,000-file creator as a list costs ~65 MB.
        if creators is None:
            for row in self._db.execute(query + " ORDER BY p.site, p.service, p.id"):
                yield StateRow(*tuple(row))
            return
        for site, service, creator_id in set(creators):
            where = " WHERE p.site=? AND p.creator_id=? AND (p.service=? OR p.site='pixiv')"
            for row in self._db.execute(query + where, (site, creator_id, service)):
                yield StateRow(*tuple(row))
        for key in set(keys):
            where = " WHERE p.site=? AND p.service=? AND p.id=?"
            for row in self._db.execute(query + where, (key.site, key.service, key.id)):
                yield StateRow(*tuple(row))

    def held_files(
        self,
        creators: Iterable[tuple[str, str, str]],
        keys: Iterable[PostKey] = (),
        before: float | None = None,
        since: float | None = None,
    ) -> Iterator[tuple[str, str, str]]:
        """``(path, status, held)`` of each file of ``creators`` (as in :meth:`state_rows`)
        and of the posts ``keys``, each path once: the run summary's counts, in one query per
        creator, streamed (this may be a 100,000-file creator) and without a row object per
        file; only several sources of rows are gathered, to give each path once. With
        ``before`` (a time), only the files whose record was not written since; with
        ``since``, only those whose record was."""
        condition = _written_before(before)
        if since is not None:
            condition += f"f.updated_at >= {float(since)!r} AND "
        yield from _file_rows(self._db, "f.path, f.status, f.held", condition, creators, keys)

    def held_paths(
        self,
        creators: Iterable[tuple[str, str, str]],
        keys: Iterable[PostKey] = (),
        before: float | None = None,
    ) -> list[str]:
        """The paths of the files of ``creators`` and of the posts ``keys`` (as in
        :meth:`state_rows`) that the archive holds, each once: what should be on disk (with
        ``before``, as in :meth:`held_files`).

        Read through a connection of its own, so a worker thread may ask (the event loop's
        connection stays on the loop); it sees what is committed: :meth:`flush` first. An
        archive in memory has no other connection: ask it on its own thread.
        """
        if self._memory:
            db = self._db
        else:
            uri = Path(os.path.abspath(self.path)).as_uri() + "?mode=ro"
            db = sqlite3.connect(uri, uri=True, timeout=30.0, check_same_thread=False)
        try:
            condition = "f.status='done' AND " + _written_before(before)
            rows = _file_rows(db, "f.path", condition, creators, keys)
            return [row[0] for row in rows]
        finally:
            if db is not self._db:
                db.close()

    def sync_times(self) -> dict[str, float]:
        """When each listing was last swept (its watermark saved), by listing key."""
        rows = self._db.execute("SELECT listing, synced_at FROM watermarks").fetchall()
        return {str(row[0]): float(row[1]) for row in rows}

    # -- watermarks -------------------------------------------------------------------------
    def watermark(self, listing: str) -> Watermark | None:
        row = self._db.execute("SELECT * FROM watermarks WHERE listing=?", (listing,)).fetchone()
        if row is None:
            return None
        return Watermark(
            listing,
            row["newest_published"],
            row["newest_added"],
            row["newest_edited"],
            bool(row["complete"]),
        )

    def reopen_listings(self) -> None:
        """Mark every listing unfinished: the next run sweeps each one whole (after files were
        found bad or requeued outside a listing, so no early stop can pass them by)."""
        self._write("UPDATE watermarks SET complete=0")

    def save_watermark(self, mark: Watermark) -> None:
        self._write(
            "INSERT OR REPLACE INTO watermarks (listing, newest_published, newest_added,"
            " newest_edited, complete, synced_at) VALUES (?,?,?,?,?,?)",
            (
                mark.listing,
                mark.newest_published,
                mark.newest_added,
                mark.newest_edited,
                int(mark.complete),
                time.time(),
            ),
        )


def _owners_query(count: int) -> str:
    marks = ",".join("?" * count)
    return f"SELECT path, site, service, post_id FROM files WHERE path IN ({marks})"


_OWNERS = {count: _owners_query(count) for count in range(1, 9)}  # a post's few paths


def _written_before(before: float | None) -> str:
    """The SQL condition (ending in ``AND``, or empty) of file rows not written since ``before``."""
    return "" if before is None else f"f.updated_at < {float(before)!r} AND "


def _content(signature: str) -> str:
    return signature.split("/", 1)[0]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else isoformat(value)


def _headers_json(headers: tuple[tuple[str, str], ...]) -> str:
    """``json.dumps(headers)``; most files have none (``[]``, without the encoder's call)."""
    return json.dumps(headers) if headers else "[]"


def _file(row: sqlite3.Row) -> FileRecord:
    headers = tuple((str(k), str(v)) for k, v in json.loads(row["headers"] or "[]"))
    return FileRecord(
        path=row["path"],
        key=PostKey(row["site"], row["service"], row["post_id"]),
        index=row["idx"],
        url=row["url"],
        name=row["name"],
        kind=row["kind"],
        expected_sha256=row["expected_sha256"],
        headers=headers,
        status=row["status"],
        sha256=row["sha256"],
        size=row["size"],
        etag=row["etag"],
        error=row["error"],
        held=_held(row["held"]),
        thumbnail=row["thumbnail"],
    )


def _held(value: object) -> Held:
    return "original" if value == "original" else "thumbnail" if value == "thumbnail" else "nothing"


def file_state(status: str, held: str | None = None) -> str:
    """One word for a file row: ``original``, ``thumbnail``, ``unavailable``, ``failed``,
    ``pending`` or ``skipped`` (``kemopix status``, the run summary and ``kemopix serve``'s
    health page count these; a held file missing on disk is counted apart by the caller)."""
    if status == "done":
        return "thumbnail" if held == "thumbnail" else "original"
    if status in ("unavailable", "failed", "skipped"):
        return status
    return "pending"


_KEYS_PER_QUERY = 300  # x 3 values: within SQLite's oldest limit of 999 per statement


def _wanted(keys: Iterable[PostKey]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """The posts ``keys`` (each once) as a ``wanted(site, service, id)`` table to join, and
    its parameters, ``_KEYS_PER_QUERY`` at a time."""
    posts = list(set(keys))
    for start in range(0, len(posts), _KEYS_PER_QUERY):
        chunk = posts[start : start + _KEYS_PER_QUERY]
        marks = ",".join(["(?,?,?)"] * len(chunk))
        params = tuple(v for k in chunk for v in (k.site, k.service, k.id))
        yield f"WITH wanted(site, service, id) AS (VALUES {marks})", params


def _file_rows(
    db: sqlite3.Connection,
    columns: str,
    condition: str,
    creators: Iterable[tuple[str, str, str]],
    keys: Iterable[PostKey],
) -> Iterator[tuple[Any, ...]]:
    """``columns`` of the files (``f``) of ``creators`` (site, service, id; pixiv creators
    span services) and of the posts ``keys`` (``p``) matching ``condition`` (SQL ending in
    ``AND``, or empty), as plain tuples: streamed from one source, each path (the first
    column) once from several."""
    query = (
        f"SELECT {columns} FROM posts p JOIN files f ON f.site=p.site"
        f" AND f.service=p.service AND f.post_id=p.id WHERE {condition}"
    )
    by_creator = "p.site=? AND p.creator_id=? AND (p.service=? OR p.site='pixiv')"
    sources: list[tuple[str, tuple[str, ...]]] = [
        (query + by_creator, (site, ident, service)) for site, service, ident in set(creators)
    ]
    # Posts by the hundred, not one query each (a pixiv user's listings name their posts):
    # the posts' list is read first, each post's files then found by their index.
    for wanted, params in _wanted(keys):
        keyed = (
            f"{wanted} SELECT {columns}"
            " FROM wanted w CROSS JOIN files f ON f.site=w.site AND f.service=w.service"
            " AND f.post_id=w.id JOIN posts p ON p.site=f.site AND p.service=f.service"
            f" AND p.id=f.post_id WHERE {condition}1"
        )
        sources.append((keyed, params))
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples
    if len(sources) == 1:
        yield from cursor.execute(*sources[0])
        return
    out: dict[str, tuple[Any, ...]] = {}
    for sql, params in sources:
        for row in cursor.execute(sql, params):
            out[row[0]] = row
    yield from out.values()


# The one statement that settles a post: its files are looked at as it is updated. (One
# text for every post: a routed statement's text is then sent once per batch.)
_SETTLE = (
    "UPDATE posts SET complete=(? AND NOT EXISTS (SELECT 1 FROM files WHERE"
    # "+status": the post's index, not the status one, finds its few rows
    f" site=? AND service=? AND post_id=? AND +status NOT IN ({_SETTLED_SQL}))),"
    " replan=?, updated_at=? WHERE site=? AND service=? AND id=? RETURNING complete"
)


def _settle_statement(key: PostKey, incomplete: bool) -> tuple[str, tuple[object, ...]]:
    """:data:`_SETTLE` and its parameters for ``key``."""
    return (
        _SETTLE,
        (
            int(not incomplete),
            key.site,
            key.service,
            key.id,
            int(incomplete),
            time.time(),
            key.site,
            key.service,
            key.id,
        ),
    )
