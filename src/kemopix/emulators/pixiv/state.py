"""The emulator's state: the SQLite dataset plus tokens and login codes (no HTTP here).

The seeded database is built once per :class:`DatasetSpec` and process, kept as bytes, and a
reset deserializes it again (well under a millisecond). Every public method takes the lock:
requests run on the server's thread while tests call the Python API from theirs.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog, load_catalog
from .dataset import DatasetSpec, build_dataset
from .schema import SCHEMA, SCHEMA_VERSION
from .tokens import TokenStore

__all__ = ["PixivState", "StateError"]

_PRISTINE: dict[DatasetSpec, bytes] = {}
_PRISTINE_LOCK = threading.Lock()


class StateError(ValueError):
    """A request the state cannot honour (unknown user, bad option)."""


def pristine_bytes(spec: DatasetSpec) -> bytes:
    """The serialized seeded database of ``spec`` (built once per process)."""
    with _PRISTINE_LOCK:
        data = _PRISTINE.get(spec)
        if data is None:
            conn = sqlite3.connect(":memory:")
            conn.executescript(SCHEMA)
            build_dataset(conn, spec)
            _write_meta(conn, spec)
            conn.commit()
            data = _PRISTINE[spec] = conn.serialize()
            conn.close()
        return data


def _spec_key(spec: DatasetSpec) -> str:
    return repr((SCHEMA_VERSION, *vars(spec).values()))


def _write_meta(conn: sqlite3.Connection, spec: DatasetSpec) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('spec', ?)", (_spec_key(spec),))


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated user of a request, with what filters depend on."""

    id: int
    x_restrict: int
    show_ai: bool


class PixivState:
    """Dataset, social graph and credentials of one emulator."""

    def __init__(self, spec: DatasetSpec, db_path: str | Path | None = None) -> None:
        self.spec = spec
        self.lock = threading.RLock()
        self.tokens = TokenStore()
        self.generation = 0
        self._catalog: Catalog | None = None
        self._db_path = Path(db_path) if db_path is not None else None
        self.conn = self._open()

    # -- lifecycle --------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        pristine = pristine_bytes(self.spec)
        if self._db_path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            conn.deserialize(pristine)
        else:
            fresh = not self._db_path.exists() or self._db_path.stat().st_size == 0
            conn = sqlite3.connect(self._db_path, check_same_thread=False)
            if fresh:
                self._restore(conn, pristine)
            else:
                row = conn.execute("SELECT value FROM meta WHERE key = 'spec'").fetchone()
                if row is None or row[0] != _spec_key(self.spec):
                    conn.close()
                    raise StateError(
                        f"{self._db_path} holds a dataset built with other options;"
                        " pass the same seed and sizes, or delete the file"
                    )
        conn.row_factory = sqlite3.Row
        return conn

    @staticmethod
    def _restore(conn: sqlite3.Connection, pristine: bytes) -> None:
        source = sqlite3.connect(":memory:")
        source.deserialize(pristine)
        source.backup(conn)
        source.close()

    def reset(self) -> None:
        """Back to the seeded dataset: accounts, bookmarks, follows, tokens and codes."""
        with self.lock:
            pristine = pristine_bytes(self.spec)
            if self._db_path is None:
                self.conn.deserialize(pristine)
            else:
                self._restore(self.conn, pristine)
            self.tokens.clear()
            self.touch()

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def touch(self) -> None:
        """Note a write: cached views and the catalog are rebuilt on next use."""
        self.generation += 1
        self._catalog = None

    # -- reads ------------------------------------------------------------------------------
    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self.lock:
            row: sqlite3.Row | None = self.conn.execute(sql, args).fetchone()
            return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self.lock:
            return list(self.conn.execute(sql, args).fetchall())

    def catalog(self) -> Catalog:
        """Every work and novel in memory, for searches, rankings and feeds."""
        with self.lock:
            if self._catalog is None:
                self._catalog = load_catalog(self.conn)
            return self._catalog

    def user(self, user_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM users WHERE id = ?", user_id)

    def viewer(self, user_id: int) -> Viewer | None:
        row = self.one("SELECT id, x_restrict, show_ai FROM users WHERE id = ?", user_id)
        if row is None:
            return None
        return Viewer(int(row["id"]), int(row["x_restrict"]), bool(row["show_ai"]))

    def followees(self, user_id: int) -> dict[int, str]:
        rows = self.all("SELECT followee_id, restrict_ FROM follows WHERE follower_id = ?", user_id)
        return {int(r[0]): str(r[1]) for r in rows}

    def bookmarks_among(self, user_id: int, kind: str, ids: list[int]) -> dict[int, sqlite3.Row]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.all(
            f"SELECT work_id, restrict_, tags, id FROM bookmarks WHERE user_id = ? AND kind = ?"
            f" AND work_id IN ({marks})",
            user_id,
            kind,
            *ids,
        )
        return {int(r["work_id"]): r for r in rows}

    # -- credentials ------------------------------------------------------------------------
    def login(self, username: str, password: str) -> int | None:
        """The user whose account name or mail address and password match."""
        row = self.one(
            "SELECT id, password FROM users WHERE account = ? OR mail_address = ?",
            username,
            username,
        )
        if row is None or row["password"] is None or row["password"] != password:
            return None
        return int(row["id"])

    def user_for_refresh_token(self, token: str) -> int | None:
        row = self.one("SELECT user_id FROM refresh_tokens WHERE token = ?", token)
        return int(row[0]) if row is not None else None

    def refresh_token_of(self, user_id: int) -> str:
        """The account's refresh token (one per account, made on first login)."""
        with self.lock:
            row = self.one("SELECT token FROM refresh_tokens WHERE user_id = ?", user_id)
            if row is not None:
                return str(row[0])
            token = self.tokens.new_refresh_token()
            self.conn.execute(
                "INSERT INTO refresh_tokens (token, user_id) VALUES (?, ?)", (token, user_id)
            )
            self.conn.commit()
            return token
