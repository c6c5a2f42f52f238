"""The SQLite database behind the emulator: schema, one lock, snapshot and fast reset.

The seeded state is kept as an in-memory template; :meth:`Store.reset` copies it back with the
SQLite backup API, and only when something changed since (milliseconds for the default dataset).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA", "Store"]

SCHEMA = """
CREATE TABLE creators(
    pk INTEGER PRIMARY KEY, service TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    indexed REAL NOT NULL, updated REAL NOT NULL, favorited INTEGER NOT NULL DEFAULT 0,
    public_id TEXT, relation_id INTEGER, has_chats INTEGER NOT NULL DEFAULT 0,
    UNIQUE(service, id));
CREATE TABLE posts(
    pk INTEGER PRIMARY KEY, service TEXT NOT NULL, user TEXT NOT NULL, id TEXT NOT NULL,
    published REAL NOT NULL, title TEXT NOT NULL, content TEXT NOT NULL, tags TEXT,
    fav_count INTEGER NOT NULL DEFAULT 0, body BLOB NOT NULL, UNIQUE(service, user, id));
CREATE INDEX posts_by_creator ON posts(service, user, published DESC, id);
CREATE INDEX posts_by_time ON posts(published DESC, id);
CREATE INDEX posts_by_id ON posts(service, id);
CREATE TABLE post_files(sha256 TEXT NOT NULL, post_pk INTEGER NOT NULL);
CREATE INDEX post_files_by_sha ON post_files(sha256);
CREATE TABLE revisions(
    revision_id INTEGER PRIMARY KEY, service TEXT, user TEXT, post_id TEXT, body BLOB NOT NULL);
CREATE INDEX revisions_by_post ON revisions(service, user, post_id);
CREATE TABLE comments(service TEXT, user TEXT, post_id TEXT, body BLOB NOT NULL,
    PRIMARY KEY(service, user, post_id));
CREATE TABLE announcements(service TEXT, user TEXT, body BLOB NOT NULL,
    PRIMARY KEY(service, user));
CREATE TABLE fancards(user TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE dms(service TEXT, user TEXT, published REAL, body BLOB NOT NULL);
CREATE INDEX dms_by_creator ON dms(service, user);
CREATE TABLE links(service TEXT, user TEXT, to_service TEXT, to_user TEXT,
    PRIMARY KEY(service, user, to_service, to_user));
CREATE TABLE discord_servers(id TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE discord_messages(channel TEXT, seq INTEGER, body BLOB NOT NULL,
    PRIMARY KEY(channel, seq));
CREATE TABLE discord_files(sha256 TEXT NOT NULL, channel TEXT, seq INTEGER);
CREATE INDEX discord_files_by_sha ON discord_files(sha256);
CREATE TABLE files(
    file_id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, ext TEXT NOT NULL,
    size INTEGER NOT NULL, mime TEXT NOT NULL, gen_key TEXT, added REAL NOT NULL);
CREATE TABLE blobs(sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE archives(sha256 TEXT PRIMARY KEY, file_list TEXT NOT NULL, password TEXT);
CREATE TABLE flags(service TEXT, user TEXT, post_id TEXT, reason TEXT,
    PRIMARY KEY(service, user, post_id));
CREATE TABLE accounts(
    id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, password_hash BLOB NOT NULL,
    salt BLOB NOT NULL, created_at TEXT NOT NULL, created REAL NOT NULL, role TEXT NOT NULL);
CREATE TABLE sessions(token_hash TEXT PRIMARY KEY, account_id INTEGER NOT NULL);
CREATE TABLE fav_creators(seq INTEGER PRIMARY KEY, account_id INTEGER, service TEXT,
    creator_id TEXT, UNIQUE(account_id, service, creator_id));
CREATE TABLE fav_posts(seq INTEGER PRIMARY KEY, account_id INTEGER, service TEXT,
    creator_id TEXT, post_id TEXT, UNIQUE(account_id, service, creator_id, post_id));
CREATE TABLE link_requests(id INTEGER PRIMARY KEY, from_service TEXT, from_id TEXT,
    to_service TEXT, to_id TEXT, reason TEXT, requester_id INTEGER, status TEXT);
CREATE TABLE notifications(id INTEGER PRIMARY KEY, account_id INTEGER, type INTEGER,
    extra_info TEXT, created_at TEXT, is_seen INTEGER NOT NULL DEFAULT 0);
CREATE TABLE login_failures(username TEXT, at REAL);
"""


class Store:
    """One SQLite connection (memory or ``db_path``) shared by the server and Python callers.

    Every access holds :attr:`lock`; writers call :meth:`touch` so :meth:`reset` knows it has
    work to do, and :attr:`generation` lets caches notice a change.
    """

    def __init__(self, db_path: str | Path | None = None) -> None:
        self.lock = threading.RLock()
        target = str(db_path) if db_path is not None else ":memory:"
        if db_path is not None:
            Path(db_path).unlink(missing_ok=True)
        self.db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=MEMORY" if db_path is None else "PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(SCHEMA)
        self._template: sqlite3.Connection | None = None
        self.dirty = False
        self.generation = 0

    def touch(self) -> None:
        """Record a change (call with the lock held)."""
        self.dirty = True
        self.generation += 1

    def snapshot(self) -> None:
        """Keep the current content as the state :meth:`reset` restores."""
        with self.lock:
            template = sqlite3.connect(":memory:", check_same_thread=False)
            self.db.backup(template)
            self._template = template
            self.dirty = False

    def reset(self) -> bool:
        """Restore the snapshot; returns whether anything had changed."""
        with self.lock:
            if not self.dirty or self._template is None:
                return False
            self._template.backup(self.db)
            self.dirty = False
            self.generation += 1
            return True

    def close(self) -> None:
        with self.lock:
            if self._template is not None:
                self._template.close()
            self.db.close()

    # -- small helpers (lock held by the caller or taken here) -------------------------------
    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self.lock:
            row: tuple[Any, ...] | None = self.db.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    def write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            cursor = self.db.execute(sql, params)
            self.touch()
            return cursor

    def write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.lock:
            self.db.execute("BEGIN")
            try:
                self.db.executemany(sql, rows)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            self.touch()
