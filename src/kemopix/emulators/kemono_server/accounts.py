"""Accounts, sessions, login attempts, favorites, link requests and notifications (in SQLite)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .dataset import Json
from .db import Database, decode, encode
from .timefmt import iso_micro

__all__ = ["LOGIN_TRIES", "LOGIN_WINDOW", "Account", "Accounts", "LinkRequest", "hash_password"]

_PBKDF2_ROUNDS = 20_000
LOGIN_TRIES = 10
LOGIN_WINDOW = 300.0
_ACCOUNT_COLUMNS = "id, username, password_hash, salt, created_at, role"


@dataclass
class Account:
    """A registered account; ``password_hash`` is salted PBKDF2-SHA256, never the password."""

    id: int
    username: str
    password_hash: bytes = field(repr=False)
    salt: bytes = field(repr=False)
    created_at: str
    role: str

    def public(self) -> Json:
        return {
            "id": self.id,
            "username": self.username,
            "created_at": self.created_at,
            "role": self.role,
        }


@dataclass
class LinkRequest:
    id: int
    from_service: str
    from_id: str
    to_service: str
    to_id: str
    reason: str
    requester_id: int
    status: str = "pending"

    def public(self) -> Json:
        return {
            "id": self.id,
            "from_service": self.from_service,
            "from_id": self.from_id,
            "to_service": self.to_service,
            "to_id": self.to_id,
            "reason": self.reason,
            "requester_id": self.requester_id,
            "status": self.status,
        }


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBKDF2_ROUNDS)


def _account(row: tuple[Any, ...] | None) -> Account | None:
    return None if row is None else Account(*row)


class Accounts:
    """Everything per user; rows live in :class:`Database` (emptied by its reset)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, sql: str, *args: Any) -> Any:
        with self.db.lock:
            return self.db.conn.execute(sql, args).fetchone()

    def _all(self, sql: str, *args: Any) -> list[Any]:
        with self.db.lock:
            return self.db.conn.execute(sql, args).fetchall()

    # -- accounts and sessions ----------------------------------------------------------
    def register(self, username: str, password: str) -> Account | None:
        """A new account (None when the name is taken); the first one is administrator."""
        salt = secrets.token_bytes(16)
        digest = hash_password(password, salt)
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
                return None
            (count,) = conn.execute("SELECT count(*) FROM accounts").fetchone()
            # kemono-protocol.md §4: the first account created becomes administrator.
            role = "administrator" if count == 0 else "consumer"
            row = conn.execute(
                "INSERT INTO accounts (username, password_hash, salt, created_at, role)"
                f" VALUES (?, ?, ?, ?, ?) RETURNING {_ACCOUNT_COLUMNS}",
                (username, digest, salt, iso_micro(time.time()), role),
            ).fetchall()[0]
        return Account(*row)

    def named(self, username: str) -> Account | None:
        return _account(
            self._one(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE username = ?", username)
        )

    def get(self, account_id: int) -> Account | None:
        return _account(
            self._one(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", account_id)
        )

    def all(self) -> list[Account]:
        return [Account(*row) for row in self._all(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts")]

    def check_password(self, account: Account, password: str) -> bool:
        return hmac.compare_digest(account.password_hash, hash_password(password, account.salt))

    def set_password(self, account: Account, password: str) -> None:
        account.salt = secrets.token_bytes(16)
        account.password_hash = hash_password(password, account.salt)
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE accounts SET password_hash = ?, salt = ? WHERE id = ?",
                (account.password_hash, account.salt, account.id),
            )

    def login_allowed(self, username: str) -> bool:
        """Count one try; False past 10 tries in 300 s for this account name (§6.6)."""
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM login_attempts WHERE username = ? AND at <= ?",
                (username, now - LOGIN_WINDOW),
            )
            conn.execute("INSERT INTO login_attempts (username, at) VALUES (?, ?)", (username, now))
            (tries,) = conn.execute(
                "SELECT count(*) FROM login_attempts WHERE username = ?", (username,)
            ).fetchone()
        return bool(tries <= LOGIN_TRIES)

    def new_session(self, account: Account) -> str:
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO sessions VALUES (?, ?)", (token, account.id))
        return token

    def end_session(self, token: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token = ?", (token,))

    def account_for(self, token: str | None) -> Account | None:
        if not token:
            return None
        columns = ", ".join(f"a.{c.strip()}" for c in _ACCOUNT_COLUMNS.split(","))
        return _account(
            self._one(
                f"SELECT {columns} FROM sessions s JOIN accounts a ON a.id = s.account_id"
                " WHERE s.token = ?",
                token,
            )
        )

    def set_role(self, account_id: int, role: str) -> bool:
        """Change a role and notify the account; False when nothing changed."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT role FROM accounts WHERE id = ?", (account_id,)).fetchone()
            if row is None or row[0] == role:
                return False
            conn.execute("UPDATE accounts SET role = ? WHERE id = ?", (role, account_id))
            notice = {
                "type": 1,
                "created_at": iso_micro(0),
                "extra_info": {"old_role": row[0], "new_role": role},
            }
            conn.execute(
                "INSERT INTO notifications (account_id, data) VALUES (?, ?)",
                (account_id, encode(notice)),
            )
        return True

    def notifications(self, account_id: int) -> list[Json]:
        rows = self._all(
            "SELECT data FROM notifications WHERE account_id = ? ORDER BY pk", account_id
        )
        return [decode(data) for (data,) in rows]

    # -- favorites ----------------------------------------------------------------------
    def _next_seq(self, conn: Any) -> int:
        (value,) = conn.execute(
            "INSERT INTO counters VALUES ('fav_seq', 1)"
            " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value"
        ).fetchall()[0]
        return int(value)

    def favorite_creator(self, account_id: int, key: tuple[str, str], on: bool) -> None:
        """Add (idempotent) or remove a favorite creator."""
        with self.db.transaction() as conn:
            if not on:
                conn.execute(
                    "DELETE FROM fav_creators WHERE account_id = ? AND service = ?"
                    " AND creator_id = ?",
                    (account_id, *key),
                )
            elif not conn.execute(
                "SELECT 1 FROM fav_creators WHERE account_id = ? AND service = ?"
                " AND creator_id = ?",
                (account_id, *key),
            ).fetchone():
                conn.execute(
                    "INSERT INTO fav_creators VALUES (?, ?, ?, ?)",
                    (account_id, *key, self._next_seq(conn)),
                )

    def favorite_post(self, account_id: int, key: tuple[str, str, str], on: bool) -> None:
        """Add (idempotent) or remove a favorite post."""
        where = "account_id = ? AND service = ? AND creator_id = ? AND post_id = ?"
        with self.db.transaction() as conn:
            if not on:
                conn.execute(f"DELETE FROM fav_posts WHERE {where}", (account_id, *key))
            elif not conn.execute(
                f"SELECT 1 FROM fav_posts WHERE {where}", (account_id, *key)
            ).fetchone():
                conn.execute(
                    "INSERT INTO fav_posts VALUES (?, ?, ?, ?, ?)",
                    (account_id, *key, self._next_seq(conn)),
                )

    def favorite_creators(self, account_id: int) -> list[tuple[str, str, int]]:
        """(service, creator_id, faved_seq), oldest favorite first."""
        rows = self._all(
            "SELECT service, creator_id, seq FROM fav_creators WHERE account_id = ? ORDER BY seq",
            account_id,
        )
        return [(s, c, q) for s, c, q in rows]

    def favorite_posts(self, account_id: int) -> list[tuple[str, str, str, int]]:
        """(service, creator_id, post_id, faved_seq), oldest favorite first."""
        rows = self._all(
            "SELECT service, creator_id, post_id, seq FROM fav_posts WHERE account_id = ?"
            " ORDER BY seq",
            account_id,
        )
        return [(s, c, p, q) for s, c, p, q in rows]

    # -- creator link requests ----------------------------------------------------------
    def add_link_request(
        self, source: tuple[str, str], target: tuple[str, str], reason: str, requester_id: int
    ) -> int:
        with self.db.transaction() as conn:
            (rid,) = conn.execute(
                "INSERT INTO link_requests (from_service, from_id, to_service, to_id, reason,"
                " requester_id, status) VALUES (?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
                (*source, *target, reason, requester_id),
            ).fetchall()[0]
        return int(rid)

    def pending_link_requests(self) -> list[LinkRequest]:
        rows = self._all(
            "SELECT id, from_service, from_id, to_service, to_id, reason, requester_id, status"
            " FROM link_requests WHERE status = 'pending' ORDER BY id"
        )
        return [LinkRequest(*row) for row in rows]

    def decide_link_request(self, request_id: int, approve: bool) -> str | None:
        """Approve or reject a pending request; its new status (None when not pending)."""
        status = "approved" if approve else "rejected"
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE link_requests SET status = ? WHERE id = ? AND status = 'pending'"
                " RETURNING id",
                (status, request_id),
            ).fetchall()
        return status if row else None
