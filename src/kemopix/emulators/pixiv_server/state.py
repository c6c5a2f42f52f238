"""Mutable emulator state over the immutable dataset: accounts, tokens, bookmarks, follows.

Mutations go to small dicts that :meth:`PixivState.reset` rebuilds from the dataset, so a reset
costs microseconds. All mutators take a lock: tests change state from another thread.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from .dataset import (
    JST,
    Account,
    Bookmark,
    Dataset,
    Illust,
    IllustKind,
    Restrict,
    User,
    build_dataset,
)

__all__ = ["AuthCode", "PixivState", "Token"]

_CODE_TTL = 30.0  # pixiv-protocol.md §1.3: a login code expires in about 30 s


@dataclass
class Token:
    user_id: int
    expires_at: float


@dataclass(frozen=True)
class AuthCode:
    user_id: int
    challenge: str
    expires_at: float


class PixivState:
    """The dataset plus everything requests can change; ``reset()`` restores the seed."""

    def __init__(self, seed: int = 0, access_token_ttl: float = 3600.0) -> None:
        self.seed = seed
        self.access_token_ttl = access_token_ttl
        self.data: Dataset = build_dataset(seed)
        self._lock = threading.Lock()
        self.seed_bookmark_counts: Counter[int] = Counter(
            w for marks in self.data.illust_bookmarks.values() for w in marks
        )
        self.reset()

    def reset(self) -> None:
        """Forget every change since construction (tokens, accounts, bookmarks, follows)."""
        with self._lock:
            self.users: dict[int, User] = dict(self.data.users)
            self.accounts: dict[str, Account] = dict(self.data.accounts)
            self.refresh_tokens: dict[str, int] = {
                a.refresh_token: a.user_id for a in self.accounts.values()
            }
            self.tokens: dict[str, Token] = {}
            self.codes: dict[str, AuthCode] = {}
            self.illust_bookmarks = {u: dict(b) for u, b in self.data.illust_bookmarks.items()}
            self.novel_bookmarks = {u: dict(b) for u, b in self.data.novel_bookmarks.items()}
            self.follows = {u: dict(f) for u, f in self.data.follows.items()}
            self.illusts: dict[int, Illust] = dict(self.data.illusts)
            self.bookmark_counts: Counter[int] = Counter(self.seed_bookmark_counts)
            self._ids = itertools.count(90000000)
            self._user_ids = itertools.count(50000001)
            self._bookmark_ids = itertools.count(8000001)

    # ----- accounts and tokens

    def create_account(self, name: str, password: str) -> Account:
        """Register a user with a login and a refresh token."""
        with self._lock:
            if name in self.accounts:
                raise ValueError(f"account {name!r} already exists")
            user_id = next(self._user_ids)
            digest = hashlib.sha256(f"{self.seed}:{user_id}:{name}".encode()).hexdigest()
            account = Account(user_id, name, password, f"kemopix-rt-{digest[:32]}")
            # Copy-on-write: handlers on the server thread may be iterating these dicts.
            self.users = {**self.users, user_id: User(user_id, name, name)}
            self.accounts = {**self.accounts, name: account}
            self.refresh_tokens = {**self.refresh_tokens, account.refresh_token: user_id}
            return account

    def account_of(self, user_id: int) -> Account | None:
        for account in self.accounts.values():
            if account.user_id == user_id:
                return account
        return None

    def issue_token(self, user_id: int) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = Token(user_id, time.monotonic() + self.access_token_ttl)
        return token

    def expire_tokens(self) -> None:
        """Make every access token issued so far expired (refresh tokens keep working)."""
        with self._lock:
            for token in list(self.tokens.values()):
                token.expires_at = 0.0

    def issue_code(self, user_id: int, challenge: str) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self.codes[code] = AuthCode(user_id, challenge, time.monotonic() + _CODE_TTL)
        return code

    def redeem_code(self, code: str, verifier: str) -> int | None:
        """The code's user when ``verifier`` matches its S256 challenge; codes are single-use."""
        with self._lock:
            entry = self.codes.pop(code, None)
        if entry is None or entry.expires_at < time.monotonic():
            return None
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return entry.user_id if secrets.compare_digest(challenge, entry.challenge) else None

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
            illust = Illust(
                id=next(self._ids),
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
            self.illusts = {**self.illusts, illust.id: illust}  # copy-on-write, as above
            return illust

    # ----- bookmarks and follows

    def add_bookmark(
        self, user_id: int, illust_id: int, restrict: Restrict, tags: tuple[str, ...]
    ) -> None:
        with self._lock:
            marks = self.illust_bookmarks.setdefault(user_id, {})
            if illust_id not in marks:
                self.bookmark_counts[illust_id] += 1
            marks[illust_id] = Bookmark(illust_id, restrict, next(self._bookmark_ids), tags)

    def delete_bookmark(self, user_id: int, illust_id: int) -> None:
        with self._lock:
            if self.illust_bookmarks.get(user_id, {}).pop(illust_id, None) is not None:
                self.bookmark_counts[illust_id] -= 1

    def add_novel_bookmark(
        self, user_id: int, novel_id: int, restrict: Restrict, tags: tuple[str, ...]
    ) -> None:
        with self._lock:
            marks = self.novel_bookmarks.setdefault(user_id, {})
            marks[novel_id] = Bookmark(novel_id, restrict, next(self._bookmark_ids), tags)

    def delete_novel_bookmark(self, user_id: int, novel_id: int) -> None:
        with self._lock:
            self.novel_bookmarks.get(user_id, {}).pop(novel_id, None)

    def follow(self, user_id: int, target: int, restrict: Restrict) -> None:
        with self._lock:
            self.follows.setdefault(user_id, {})[target] = restrict

    def unfollow(self, user_id: int, target: int) -> None:
        with self._lock:
            self.follows.get(user_id, {}).pop(target, None)

    def is_followed(self, viewer: int, target: int) -> bool:
        return target in self.follows.get(viewer, {})
