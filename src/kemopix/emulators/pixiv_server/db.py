"""The emulator's SQLite database: schema, opening (reuse or build from the seed), seed restore.

One database holds the seeded dataset and everything requests change (accounts, tokens, codes,
bookmarks, follows, new works). A file is opened in WAL mode and reused when its ``meta`` table
records a fingerprint of the same seed's dataset; otherwise the dataset is built from the seed.
After the build, each table that requests can change is copied to ``seed_<table>``, so
:func:`restore_seed` brings the seeded state back with a few ``INSERT ... SELECT`` statements.
Row mapping lives in :mod:`.rows`.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from . import rows
from .dataset import Dataset, build_dataset

__all__ = [
    "MUTABLE_TABLES",
    "SCHEMA_VERSION",
    "is_memory",
    "open_database",
    "restore_seed",
    "transaction",
]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, account TEXT NOT NULL, comment TEXT NOT NULL,
    is_premium INTEGER NOT NULL, x_restrict INTEGER NOT NULL, webpage TEXT,
    region TEXT NOT NULL, country_code TEXT NOT NULL, job TEXT NOT NULL,
    twitter_account TEXT NOT NULL
);
CREATE TABLE user_workspace (
    user_id INTEGER NOT NULL REFERENCES users(id), position INTEGER NOT NULL,
    key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (user_id, position)
);
CREATE TABLE accounts (
    username TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL, refresh_token TEXT NOT NULL UNIQUE, mail_address TEXT NOT NULL
);
CREATE TABLE tokens (
    token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at REAL NOT NULL
);
CREATE TABLE auth_codes (
    code TEXT PRIMARY KEY, user_id INTEGER NOT NULL, challenge TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE tags (name TEXT PRIMARY KEY, translated_name TEXT);
CREATE TABLE illusts (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('illust', 'manga', 'ugoira')), caption TEXT NOT NULL,
    created TEXT NOT NULL, ext TEXT NOT NULL, x_restrict INTEGER NOT NULL,
    total_view INTEGER NOT NULL, total_bookmarks INTEGER NOT NULL, tools TEXT NOT NULL
);
CREATE TABLE illust_pages (
    illust_id INTEGER NOT NULL REFERENCES illusts(id), page INTEGER NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL, PRIMARY KEY (illust_id, page)
);
CREATE TABLE illust_tags (
    illust_id INTEGER NOT NULL REFERENCES illusts(id), position INTEGER NOT NULL,
    tag TEXT NOT NULL REFERENCES tags(name), PRIMARY KEY (illust_id, position)
);
CREATE TABLE ugoira_frames (
    illust_id INTEGER NOT NULL REFERENCES illusts(id), frame INTEGER NOT NULL,
    file TEXT NOT NULL, delay INTEGER NOT NULL, PRIMARY KEY (illust_id, frame)
);
CREATE TABLE novel_series (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, user_id INTEGER NOT NULL REFERENCES users(id),
    caption TEXT NOT NULL
);
CREATE TABLE novels (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL,
    caption TEXT NOT NULL, created TEXT NOT NULL, text TEXT NOT NULL,
    series_id INTEGER REFERENCES novel_series(id), x_restrict INTEGER NOT NULL,
    total_view INTEGER NOT NULL, total_bookmarks INTEGER NOT NULL, is_original INTEGER NOT NULL
);
CREATE TABLE novel_tags (
    novel_id INTEGER NOT NULL REFERENCES novels(id), position INTEGER NOT NULL,
    tag TEXT NOT NULL REFERENCES tags(name), PRIMARY KEY (novel_id, position)
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY, illust_id INTEGER NOT NULL REFERENCES illusts(id),
    user_id INTEGER NOT NULL REFERENCES users(id), text TEXT NOT NULL, created TEXT NOT NULL,
    parent_id INTEGER REFERENCES comments(id)
);
CREATE TABLE bookmarks (
    kind TEXT NOT NULL CHECK (kind IN ('illust', 'novel')), user_id INTEGER NOT NULL,
    work_id INTEGER NOT NULL, restrict TEXT NOT NULL CHECK (restrict IN ('public', 'private')),
    bookmark_id INTEGER NOT NULL UNIQUE, PRIMARY KEY (kind, user_id, work_id)
);
CREATE TABLE bookmark_tags (
    kind TEXT NOT NULL, user_id INTEGER NOT NULL, work_id INTEGER NOT NULL,
    position INTEGER NOT NULL, tag TEXT NOT NULL,
    PRIMARY KEY (kind, user_id, work_id, position),
    FOREIGN KEY (kind, user_id, work_id) REFERENCES bookmarks(kind, user_id, work_id)
        ON DELETE CASCADE
);
CREATE TABLE follows (
    follower INTEGER NOT NULL, followee INTEGER NOT NULL REFERENCES users(id),
    restrict TEXT NOT NULL CHECK (restrict IN ('public', 'private')),
    PRIMARY KEY (follower, followee)
);
"""

# Tables requests can change, children after parents; reset copies them back from seed_<name>.
MUTABLE_TABLES = (
    "users",
    "user_workspace",
    "accounts",
    "tags",
    "illusts",
    "illust_pages",
    "illust_tags",
    "ugoira_frames",
    "bookmarks",
    "bookmark_tags",
    "follows",
)
_SESSION_TABLES = ("tokens", "auth_codes")  # emptied by a reset
_OWN_TABLES = frozenset(re.findall(r"CREATE TABLE (\w+)", _SCHEMA))


def is_memory(database: str | os.PathLike[str]) -> bool:
    path = os.fspath(database)
    return path == ":memory:" or path.startswith("file::memory:") or path == ""


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def fingerprint(seed: int, dataset: Dataset) -> str:
    """Identifies the seed's dataset and the schema: a file with another one is rebuilt."""
    passwords = [a.password for a in dataset.accounts.values()]
    text = repr((SCHEMA_VERSION, seed, dataset, passwords))
    return hashlib.sha256(text.encode()).hexdigest()


def _tables(conn: sqlite3.Connection) -> set[str]:
    found = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(name) for (name,) in found}


def _stored_fingerprint(conn: sqlite3.Connection) -> str | None:
    tables = _tables(conn)
    if not tables:
        return None
    if "meta" not in tables:
        raise ValueError("the database holds tables that are not the Pixiv emulator's")
    row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    return str(row[0]) if row else None


def _build(conn: sqlite3.Connection, seed: int, dataset: Dataset, stamp: str) -> None:
    conn.execute("PRAGMA foreign_keys = OFF")  # old tables go in any order
    with transaction(conn):
        for name in sorted(_tables(conn)):
            if name in _OWN_TABLES or name.removeprefix("seed_") in _OWN_TABLES:
                conn.execute(f'DROP TABLE "{name}"')
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        rows.insert_dataset(conn, dataset)
        for name in MUTABLE_TABLES:
            conn.execute(f"CREATE TABLE seed_{name} AS SELECT * FROM {name}")
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("fingerprint", stamp), ("seed", str(seed)), ("schema_version", str(SCHEMA_VERSION))],
        )
    conn.execute("PRAGMA foreign_keys = ON")


def open_database(database: str | os.PathLike[str], seed: int) -> tuple[sqlite3.Connection, bool]:
    """Connect, then reuse the stored dataset of ``seed`` or build it; returns (conn, reused).

    The connection is in autocommit mode (:func:`transaction` groups writes) and may be used
    from any thread; callers serialise access with a lock.
    """
    conn = sqlite3.connect(os.fspath(database), check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if not is_memory(database):
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        dataset = build_dataset(seed)
        stamp = fingerprint(seed, dataset)
        if _stored_fingerprint(conn) == stamp:
            return conn, True
        _build(conn, seed, dataset, stamp)
        return conn, False
    except BaseException:
        conn.close()
        raise


def restore_seed(conn: sqlite3.Connection, *, tables: bool = True) -> None:
    """Empty the session tables and, with ``tables``, copy every mutable table back from its
    ``seed_`` copy (one transaction)."""
    with transaction(conn):
        # Novels and comments point at seeded users and works: check references at COMMIT.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for name in _SESSION_TABLES:
            conn.execute(f"DELETE FROM {name}")
        if tables:
            for name in reversed(MUTABLE_TABLES):
                conn.execute(f"DELETE FROM {name}")
            for name in MUTABLE_TABLES:
                conn.execute(f"INSERT INTO {name} SELECT * FROM seed_{name}")
