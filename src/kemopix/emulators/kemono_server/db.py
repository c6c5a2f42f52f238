"""The emulator's SQLite database: schema, building it from the seed, reset, row helpers.

One connection (``check_same_thread=False``) serves the aiohttp thread and the caller's thread;
every use holds :attr:`Database.lock`. In memory by default; a file (WAL journal) on request,
reused when it already holds the dataset of the same seed, size and flavour.

Seeded rows have ``live = 0``. Rows clients add have ``live = 1``; seeded rows clients change
have ``live = 2`` and keep the seeded values in ``orig`` (JSON), so :meth:`Database.reset` only
touches the changed rows (found through partial indexes) and the per-user tables.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec

from .dataset import Creator, Dataset, Json
from .files import StoredFile

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "Database",
    "creator_from_row",
    "decode",
    "encode",
    "file_row",
    "post_row",
]

APPLICATION_ID = 0x4B454D4F  # "KEMO" in the file header: refuse to overwrite other databases
SCHEMA_VERSION = 2
CREATOR_COLUMNS = "service, id, name, indexed, updated, favorited, rich"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE creators (
    pk INTEGER PRIMARY KEY,  -- the creators-list order
    service TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    indexed REAL NOT NULL, updated REAL NOT NULL, favorited INTEGER NOT NULL,
    rich INTEGER NOT NULL,
    posts_ready INTEGER NOT NULL,  -- 0: a synthetic creator whose posts are not made yet
    live INTEGER NOT NULL DEFAULT 0, orig TEXT,
    UNIQUE (service, id)
);
CREATE INDEX creators_live ON creators (live) WHERE live > 0;
CREATE TABLE posts (
    pk INTEGER PRIMARY KEY,
    service TEXT NOT NULL, creator_id TEXT NOT NULL, id TEXT NOT NULL,
    published TEXT NOT NULL,  -- '' when null: the newest-first sort key with id
    data TEXT NOT NULL,  -- the full Post JSON
    live INTEGER NOT NULL DEFAULT 0, orig TEXT,
    UNIQUE (service, creator_id, id)
);
CREATE INDEX posts_order ON posts (service, creator_id, published DESC, id DESC);
CREATE INDEX posts_by_id ON posts (service, id);
CREATE INDEX posts_live ON posts (live) WHERE live > 0;
CREATE TABLE listed (  -- creators whose posts feed the site-wide lists, in order
    pk INTEGER PRIMARY KEY, service TEXT NOT NULL, creator_id TEXT NOT NULL,
    live INTEGER NOT NULL DEFAULT 0, UNIQUE (service, creator_id)
);
CREATE TABLE revisions (
    pk INTEGER PRIMARY KEY, service TEXT NOT NULL, creator_id TEXT NOT NULL,
    post_id TEXT NOT NULL, revision_id INTEGER NOT NULL, data TEXT NOT NULL,
    live INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX revisions_of ON revisions (service, creator_id, post_id, revision_id);
CREATE INDEX revisions_live ON revisions (live) WHERE live > 0;
CREATE TABLE files (  -- metadata (bytes only for client-supplied files in a file database)
    sha256 TEXT PRIMARY KEY, ext TEXT NOT NULL, size INTEGER NOT NULL, name TEXT NOT NULL,
    kind TEXT NOT NULL, live INTEGER NOT NULL DEFAULT 0, data BLOB
) WITHOUT ROWID;
CREATE INDEX files_live ON files (live) WHERE live > 0;
CREATE TABLE flags (
    service TEXT NOT NULL, creator_id TEXT NOT NULL, post_id TEXT NOT NULL,
    reason TEXT NOT NULL, PRIMARY KEY (service, creator_id, post_id)
) WITHOUT ROWID;
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
    password_hash BLOB NOT NULL, salt BLOB NOT NULL,  -- salted PBKDF2-SHA256, never passwords
    created_at TEXT NOT NULL, role TEXT NOT NULL
);
CREATE TABLE sessions (
    token TEXT PRIMARY KEY, account_id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE login_attempts (
    pk INTEGER PRIMARY KEY, username TEXT NOT NULL, at REAL NOT NULL
);
CREATE INDEX login_attempts_by_name ON login_attempts (username, at);
CREATE TABLE fav_creators (
    account_id INTEGER NOT NULL, service TEXT NOT NULL, creator_id TEXT NOT NULL,
    seq INTEGER NOT NULL, PRIMARY KEY (account_id, service, creator_id)
) WITHOUT ROWID;
CREATE TABLE fav_posts (
    account_id INTEGER NOT NULL, service TEXT NOT NULL, creator_id TEXT NOT NULL,
    post_id TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (account_id, service, creator_id, post_id)
) WITHOUT ROWID;
CREATE TABLE link_requests (
    id INTEGER PRIMARY KEY, from_service TEXT NOT NULL, from_id TEXT NOT NULL,
    to_service TEXT NOT NULL, to_id TEXT NOT NULL, reason TEXT NOT NULL,
    requester_id INTEGER NOT NULL, status TEXT NOT NULL
);
CREATE TABLE notifications (
    pk INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

# Each statement names `live > 0` so that the partial indexes find the few changed rows.
_RESET = (
    "DELETE FROM creators WHERE live > 0 AND orig IS NULL",
    "UPDATE creators SET name = json_extract(orig, '$[0]'), indexed = json_extract(orig, '$[1]'),"
    " updated = json_extract(orig, '$[2]'), favorited = json_extract(orig, '$[3]'),"
    " rich = json_extract(orig, '$[4]'), live = 0, orig = NULL WHERE live > 0",
    "DELETE FROM posts WHERE live > 0 AND orig IS NULL",
    "UPDATE posts SET data = orig, published = coalesce(json_extract(orig, '$.published'), ''),"
    " live = 0, orig = NULL WHERE live > 0",
    "DELETE FROM listed WHERE live > 0",
    "DELETE FROM revisions WHERE live > 0",
    "DELETE FROM files WHERE live > 0",
    "DELETE FROM flags",
    "DELETE FROM accounts",
    "DELETE FROM sessions",
    "DELETE FROM login_attempts",
    "DELETE FROM fav_creators",
    "DELETE FROM fav_posts",
    "DELETE FROM link_requests",
    "DELETE FROM notifications",
    "DELETE FROM counters",
)

# The seeded values of a creator row, kept in `orig` when a client changes it.
CREATOR_ORIG = "json_array(name, indexed, updated, favorited, rich)"


def encode(value: Any) -> str:
    """JSON text for a ``data``/``orig`` column (SQLite's JSON functions read text)."""
    return msgspec.json.encode(value).decode("utf-8")


def decode(text: str) -> Any:
    return msgspec.json.decode(text)


def creator_from_row(row: tuple[Any, ...]) -> Creator:
    """A :class:`Creator` from the first seven columns (``CREATOR_COLUMNS`` order)."""
    service, creator_id, name, indexed, updated, favorited, rich = row[:7]
    return Creator(service, creator_id, name, indexed, updated, favorited, bool(rich))


def post_row(post: Json) -> tuple[str, str, str, str, str]:
    """(service, creator_id, id, published, data) of a Post."""
    return post["service"], post["user"], post["id"], post["published"] or "", encode(post)


def file_row(stored: StoredFile, live: int, data: bytes | None) -> tuple[Any, ...]:
    return stored.sha256, stored.ext, stored.size, stored.name, stored.kind, live, data


class Database:
    """The SQLite connection, its lock, and the whole-database operations."""

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = os.fspath(path)
        self.persistent = self.path != ":memory:" and "mode=memory" not in self.path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(
            self.path,
            check_same_thread=False,
            isolation_level=None,
            uri=self.path.startswith("file:"),
        )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the lock (rolled back on error)."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def holds(self, fingerprint: Json) -> bool:
        """Whether the database already holds the dataset described by ``fingerprint``.

        Raises ValueError for a database some other program made (it is left untouched);
        otherwise a file database is switched to the WAL journal.
        """
        with self.lock:
            (app,) = self.conn.execute("PRAGMA application_id").fetchone()
            (tables,) = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if (app != APPLICATION_ID and tables) or app not in (0, APPLICATION_ID):
                raise ValueError(f"{self.path} is not a Kemono emulator database")
            if self.persistent:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            has_meta = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
            if not has_meta:
                return False
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'dataset'").fetchone()
            return row is not None and bool(row[0] == encode(fingerprint))

    def build(self, ds: Dataset, synthetic: Iterable[Creator], fingerprint: Json) -> None:
        """(Re)create the schema and write the seed rows, in one transaction."""
        ready = set(ds.posts)
        creators = (
            (c.service, c.id, c.name, c.indexed, c.updated, c.favorited, int(c.rich), posts_ready)
            for source in (synthetic, ds.creators.values())
            for c in source
            for posts_ready in (int((c.service, c.id) in ready),)
        )
        with self.transaction() as conn:
            old = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            for (name,) in old:
                conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.executemany(
                f"INSERT INTO creators ({CREATOR_COLUMNS}, posts_ready)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                creators,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO posts (service, creator_id, id, published, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (post_row(post) for posts in ds.posts.values() for post in posts),
            )
            conn.executemany("INSERT INTO listed (service, creator_id) VALUES (?, ?)", ds.featured)
            conn.executemany(
                "INSERT INTO revisions (service, creator_id, post_id, revision_id, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    (*key, rev["revision_id"], encode(rev))
                    for key, revs in ds.revisions.items()
                    for rev in revs
                ),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                (file_row(stored, 0, None) for stored in ds.files.entries()),
            )
            conn.execute(
                "INSERT INTO meta VALUES ('dataset', ?)",
                (encode(fingerprint),),
            )

    def reset(self) -> None:
        """Back to the seed rows: drop added rows, restore changed ones, empty per-user tables."""
        with self.transaction() as conn:
            for statement in _RESET:
                conn.execute(statement)

    def close(self) -> None:
        with self.lock:
            self.conn.close()
