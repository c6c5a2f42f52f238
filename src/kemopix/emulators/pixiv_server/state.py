"""Emulator state in SQLite (:mod:`.db`) with the decoded rows cached in memory.

The database is the source of truth: every change is written to it first (one transaction),
then the matching cache is swapped copy-on-write, so handlers iterating a cache on the server
thread never see it change under them. All database access holds one lock (tests change state
from another thread). ``reset()`` empties tokens and codes and, when anything else changed,
copies the seeded tables back and reloads the caches: a millisecond or two.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime

from . import db, rows
from .dataset import (
    JST,
    Account,
    Bookmark,
    Comment,
    Illust,
    IllustKind,
    Novel,
    NovelSeries,
    Restrict,
    User,
)
from .passwords import hash_password, verify_password

__all__ = ["PixivState", "Token"]

_CODE_TTL = 30.0  # pixiv-protocol.md §1.3: a login code expires in about 30 s
_FIRST_USER_ID = 50000001
_FIRST_ILLUST_ID = 90000000
_FIRST_BOOKMARK_ID = 8000001


@dataclass(frozen=True)
class Token:
    user_id: int
    expires_at: float  # Unix time, so that tokens in a database file survive a restart


class PixivState:
    """The dataset and everything requests can change, kept in ``database``.

    ``database`` is ``":memory:"`` (the default: gone when closed) or a file path. A file that
    already holds the dataset of ``seed`` is reused with its accounts, tokens, bookmarks and
    follows; otherwise the dataset is built from ``seed``. ``reset()`` restores the seed.
    """

    def __init__(
        self,
        seed: int = 0,
        access_token_ttl: float = 3600.0,
        database: str | os.PathLike[str] = ":memory:",
    ) -> None:
        self.seed = seed
        self.access_token_ttl = access_token_ttl
        self.database = database
        self.reused = False
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._dirty = False  # True when a mutable table may differ from its seed_ copy
        self.open()

    # ----- connection

    def open(self) -> None:
        """Connect (building or reusing the dataset) and load the caches; no-op when open."""
        with self._lock:
            if self._conn is not None:
                return
            conn, self.reused = db.open_database(self.database, self.seed)
            now = time.time()
            with db.transaction(conn):
                conn.execute("DELETE FROM tokens WHERE expires_at < ?", (now,))
                conn.execute("DELETE FROM auth_codes WHERE expires_at < ?", (now,))
            self._conn = conn
            self._dirty = self.reused
            self.novels: dict[int, Novel] = rows.load_novels(conn)
            self.series: dict[int, NovelSeries] = rows.load_series(conn)
            self.comments: dict[int, Comment] = rows.load_comments(conn)
            self.comment_counts: dict[int, int] = {}
            for comment in self.comments.values():
                counts = self.comment_counts
                counts[comment.illust_id] = counts.get(comment.illust_id, 0) + 1
            self.tokens: dict[str, Token] = {
                token: Token(user, expires)
                for token, (user, expires) in rows.load_tokens(conn).items()
            }
            self._load()

    def close(self) -> None:
        """Close the database (an in-memory one is gone; a later call reopens)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.open()
        assert self._conn is not None
        return self._conn

    def _load(self) -> None:
        conn = self._db
        self.users: dict[int, User] = rows.load_users(conn)
        self.accounts: dict[str, Account] = rows.load_accounts(conn)
        self.refresh_tokens: dict[str, Account] = {
            a.refresh_token: a for a in self.accounts.values()
        }
        self.translations: dict[str, str | None] = rows.load_tags(conn)
        self.illusts: dict[int, Illust] = rows.load_illusts(conn)
        self.illust_bookmarks = rows.load_bookmarks(conn, "illust")
        self.novel_bookmarks = rows.load_bookmarks(conn, "novel")
        self.follows = rows.load_follows(conn)

    def reset(self) -> None:
        """Forget every change since the seed (tokens, codes, accounts, bookmarks, follows)."""
        with self._lock:
            db.restore_seed(self._db, tables=self._dirty)
            self.tokens = {}
            if self._dirty:
                self._load()
                self._dirty = False

    def _next_id(self, sql: str, first: int) -> int:
        (top,) = self._db.execute(sql).fetchone()
        return max(first, int(top or 0) + 1)

    # ----- accounts and tokens

    def create_account(self, name: str, password: str) -> Account:
        """Register a user with a login (the password stored as a salted hash) and a refresh
        token."""
        password_hash = hash_password(password)
        with self._lock:
            if name in self.accounts:
                raise ValueError(f"account {name!r} already exists")
            conn = self._db
            with db.transaction(conn):
                user_id = self._next_id("SELECT MAX(id) FROM users", _FIRST_USER_ID)
                user = User(user_id, name, name)
                token = f"kemopix-rt-{secrets.token_hex(16)}"
                account = Account(user_id, name, password_hash, token)
                rows.insert_user(conn, user)
                rows.insert_account(conn, account)
            self._dirty = True
            self.users = {**self.users, user_id: user}
            self.accounts = {**self.accounts, name: account}
            self.refresh_tokens = {**self.refresh_tokens, account.refresh_token: account}
            return account

    def check_password(self, username: str, password: str) -> Account | None:
        """The account when ``password`` matches its stored hash."""
        account = self.accounts.get(username)
        if account is None or not verify_password(password, account.password_hash):
            return None
        return account

    def account_of(self, user_id: int) -> Account | None:
        for account in self.accounts.values():
            if account.user_id == user_id:
                return account
        return None

    def issue_token(self, user_id: int) -> str:
        token = secrets.token_urlsafe(24)
        expires = time.time() + self.access_token_ttl
        with self._lock:
            self._db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (token, user_id, expires))
            self.tokens[token] = Token(user_id, expires)
        return token

    def expire_tokens(self) -> None:
        """Make every access token issued so far expired (refresh tokens keep working)."""
        with self._lock:
            self._db.execute("UPDATE tokens SET expires_at = 0")
            self.tokens = {t: Token(v.user_id, 0.0) for t, v in self.tokens.items()}

    def issue_code(self, user_id: int, challenge: str) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._db.execute(
                "INSERT INTO auth_codes VALUES (?, ?, ?, ?)",
                (code, user_id, challenge, time.time() + _CODE_TTL),
            )
        return code

    def redeem_code(self, code: str, verifier: str) -> int | None:
        """The code's user when ``verifier`` matches its S256 challenge; codes are single-use."""
        with self._lock:
            conn = self._db
            with db.transaction(conn):
                row = conn.execute(
                    "SELECT user_id, challenge, expires_at FROM auth_codes WHERE code = ?", (code,)
                ).fetchone()
                conn.execute("DELETE FROM auth_codes WHERE code = ?", (code,))
        if row is None or row[2] < time.time():
            return None
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return int(row[0]) if secrets.compare_digest(challenge, str(row[1])) else None

    # ----- works

    def add_illustration(
        self,
        user_id: int,
        *,
        title: str,
        pages: int = 1,
        kind: IllustKind = "illust",
        tags: tuple[str, ...] = (),
    ) -> Illust:
        """Publish a new work (now, in JST) by ``user_id``; ids grow from 90000000."""
        if user_id not in self.users:
            raise KeyError(f"no user {user_id}")
        if kind not in ("illust", "manga", "ugoira"):
            raise ValueError(f"unknown kind {kind!r}")
        with self._lock:
            conn = self._db
            with db.transaction(conn):
                illust = Illust(
                    id=self._next_id("SELECT MAX(id) FROM illusts", _FIRST_ILLUST_ID),
                    user_id=user_id,
                    title=title,
                    kind=kind,
                    caption="",
                    tags=tuple(tags),
                    created=datetime.now(JST).replace(microsecond=0),
                    page_count=1 if kind == "ugoira" else max(1, pages),
                    ext="jpg" if kind != "illust" else "png",
                    frame_delays=(100, 200, 100) if kind == "ugoira" else (),
                )
                rows.insert_illust(conn, illust)
            self._dirty = True
            new_tags = {t: None for t in illust.tags if t not in self.translations}
            self.translations = {**self.translations, **new_tags}
            self.illusts = {**self.illusts, illust.id: illust}
            return illust

    # ----- bookmarks and follows

    def _bookmark(
        self,
        kind: rows.WorkKind,
        user_id: int,
        work_id: int,
        restrict: Restrict,
        tags: tuple[str, ...],
    ) -> bool:
        """Write a bookmark; True when it is new (not a change of an existing one)."""
        cache = self.illust_bookmarks if kind == "illust" else self.novel_bookmarks
        marks = cache.get(user_id, {})
        conn = self._db
        with db.transaction(conn):
            bookmark_id = self._next_id(
                "SELECT MAX(bookmark_id) FROM bookmarks", _FIRST_BOOKMARK_ID
            )
            mark = Bookmark(work_id, restrict, bookmark_id, tags)
            rows.insert_bookmark(conn, kind, user_id, mark)
            if kind == "illust" and work_id not in marks:
                conn.execute(
                    "UPDATE illusts SET total_bookmarks = total_bookmarks + 1 WHERE id = ?",
                    (work_id,),
                )
        self._dirty = True
        updated = {**cache, user_id: {**marks, work_id: mark}}
        if kind == "illust":
            self.illust_bookmarks = updated
        else:
            self.novel_bookmarks = updated
        return work_id not in marks

    def _unbookmark(self, kind: rows.WorkKind, user_id: int, work_id: int) -> bool:
        """Delete a bookmark; True when there was one."""
        cache = self.illust_bookmarks if kind == "illust" else self.novel_bookmarks
        marks = cache.get(user_id, {})
        if work_id not in marks:
            return False
        conn = self._db
        with db.transaction(conn):
            conn.execute(
                "DELETE FROM bookmarks WHERE kind = ? AND user_id = ? AND work_id = ?",
                (kind, user_id, work_id),
            )
            if kind == "illust":
                conn.execute(
                    "UPDATE illusts SET total_bookmarks = total_bookmarks - 1 WHERE id = ?",
                    (work_id,),
                )
        self._dirty = True
        remaining = {w: b for w, b in marks.items() if w != work_id}
        updated = {**cache, user_id: remaining}
        if kind == "illust":
            self.illust_bookmarks = updated
        else:
            self.novel_bookmarks = updated
        return True

    def _count_bookmark(self, illust_id: int, change: int) -> None:
        illust = self.illusts.get(illust_id)
        if illust is not None:
            counted = replace(illust, total_bookmarks=illust.total_bookmarks + change)
            self.illusts = {**self.illusts, illust_id: counted}

    def add_bookmark(
        self, user_id: int, illust_id: int, restrict: Restrict, tags: tuple[str, ...]
    ) -> None:
        with self._lock:
            if self._bookmark("illust", user_id, illust_id, restrict, tags):
                self._count_bookmark(illust_id, 1)

    def delete_bookmark(self, user_id: int, illust_id: int) -> None:
        with self._lock:
            if self._unbookmark("illust", user_id, illust_id):
                self._count_bookmark(illust_id, -1)

    def add_novel_bookmark(
        self, user_id: int, novel_id: int, restrict: Restrict, tags: tuple[str, ...]
    ) -> None:
        with self._lock:
            self._bookmark("novel", user_id, novel_id, restrict, tags)

    def delete_novel_bookmark(self, user_id: int, novel_id: int) -> None:
        with self._lock:
            self._unbookmark("novel", user_id, novel_id)

    def follow(self, user_id: int, target: int, restrict: Restrict) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO follows VALUES (?, ?, ?) ON CONFLICT (follower, followee)"
                " DO UPDATE SET restrict = excluded.restrict",
                (user_id, target, restrict),
            )
            self._dirty = True
            targets = {**self.follows.get(user_id, {}), target: restrict}
            self.follows = {**self.follows, user_id: targets}

    def unfollow(self, user_id: int, target: int) -> None:
        with self._lock:
            targets = self.follows.get(user_id, {})
            if target not in targets:
                return
            self._db.execute(
                "DELETE FROM follows WHERE follower = ? AND followee = ?", (user_id, target)
            )
            self._dirty = True
            remaining = {t: r for t, r in targets.items() if t != target}
            self.follows = {**self.follows, user_id: remaining}

    def is_followed(self, viewer: int, target: int) -> bool:
        return target in self.follows.get(viewer, {})
