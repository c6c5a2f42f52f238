"""Mutable state over the seeded dataset: added/edited content, flags, accounts (reset cheaply)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec

from .dataset import Creator, Dataset, Json, file_ref, make_post
from .timefmt import iso, iso_micro

__all__ = ["Account", "LinkRequest", "State"]

_PBKDF2_ROUNDS = 20_000
LOGIN_TRIES = 10
LOGIN_WINDOW = 300.0


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


class State:
    """Copy-on-write view of a :class:`Dataset` plus everything clients can change."""

    def __init__(self, dataset: Dataset) -> None:
        self.ds = dataset
        self.lock = threading.RLock()
        self.extra_creators: dict[tuple[str, str], Creator] = {}
        self.posts: dict[tuple[str, str], list[Json]] = {}
        self.revisions: dict[tuple[str, str, str], list[Json]] = {}
        self.flags: dict[tuple[str, str, str], str] = {}
        self.accounts: dict[int, Account] = {}
        self.by_name: dict[str, Account] = {}
        self.sessions: dict[str, int] = {}
        self.fav_creators: dict[int, dict[tuple[str, str], int]] = {}
        self.fav_posts: dict[int, dict[tuple[str, str, str], int]] = {}
        self.fav_seq = 0
        self.link_requests: dict[int, LinkRequest] = {}
        self.login_tries: dict[str, list[float]] = {}
        self.notifications: dict[int, list[Json]] = {}
        self._next_revision = 9000
        self._creators_bytes: bytes | None = None

    # -- creators and posts -------------------------------------------------------------
    def creator(self, service: str, creator_id: str) -> Creator | None:
        key = (service, creator_id)
        return self.extra_creators.get(key) or self.ds.creators.get(key)

    def creators_json(self, base: bytes) -> bytes:
        """The creators list: the prebuilt base bytes, spliced with added creators if any."""
        with self.lock:
            if not self.extra_creators:
                return base
            if self._creators_bytes is None:
                self._creators_bytes = self._encode_creators(base)
            return self._creators_bytes

    def _encode_creators(self, base: bytes) -> bytes:
        extra = self.extra_creators
        if any(key in self.ds.creators for key in extra):
            # A seeded creator changed (e.g. `updated` after add_post): re-encode everything.
            merged = [extra.get(key, c).list_item() for key, c in self.ds.creators.items()]
            merged += [c.list_item() for k, c in extra.items() if k not in self.ds.creators]
            return msgspec.json.encode(merged)
        added = msgspec.json.encode([c.list_item() for c in extra.values()])
        return base[:-1] + b"," + added[1:] if base != b"[]" else added

    def posts_of(self, service: str, creator_id: str) -> list[Json] | None:
        """All posts of a creator, newest first (None when the creator does not exist)."""
        key = (service, creator_id)
        own = self.posts.get(key)
        if own is not None:
            return own
        if self.creator(service, creator_id) is None:
            return None
        return self.ds.posts.get(key) or self.ds.synthetic_posts(key)

    def all_posted_creators(self) -> list[tuple[str, str]]:
        keys = dict.fromkeys(self.ds.featured + list(self.posts))
        return [k for k in keys if self.creator(*k) is not None]

    def find_post(self, service: str, creator_id: str, post_id: str) -> tuple[int, Json] | None:
        posts = self.posts_of(service, creator_id) or []
        for index, post in enumerate(posts):
            if post["id"] == post_id:
                return index, post
        return None

    def revisions_of(self, service: str, creator_id: str, post_id: str) -> list[Json]:
        key = (service, creator_id, post_id)
        own = self.revisions.get(key)
        return own if own is not None else self.ds.revisions.get(key, [])

    def add_creator(self, service: str, creator_id: str, name: str) -> Creator:
        now = time.time()
        creator = Creator(service, creator_id, name, now, now, 0, True)
        with self.lock:
            self.extra_creators[(service, creator_id)] = creator
            self.posts.setdefault((service, creator_id), [])
            self._creators_bytes = None
        return creator

    def add_post(
        self,
        service: str,
        creator_id: str,
        *,
        title: str,
        files: list[tuple[str, int | bytes]],
        published: float | None,
        content: str,
        post_id: str | None = None,
        tags: list[str] | None = None,
    ) -> Json:
        with self.lock:
            posts = self.posts_of(service, creator_id)
            if posts is None:
                raise KeyError(f"no creator {service}/{creator_id}")
            stored = [
                (
                    self.ds.files.add_bytes(name, spec)
                    if isinstance(spec, bytes)
                    else self.ds.files.add_generated(name, spec),
                    name,
                )
                for name, spec in files
            ]
            when = time.time() if published is None else published
            new_id = post_id or str(20_000_000 + sum(len(p) for p in self.posts.values()))
            post = make_post(
                (service, creator_id),
                new_id,
                title,
                when,
                content=content,
                file=stored[0][0] if stored else None,
                attachments=stored[1:],
                tags=tags,
            )
            if stored:
                post["file"] = file_ref(stored[0][0], stored[0][1])
            merged = [*posts, post]
            merged.sort(key=lambda p: (p["published"] or "", p["id"]), reverse=True)
            self.posts[(service, creator_id)] = merged
            creator = self.creator(service, creator_id)
            if creator is not None and when > creator.updated:
                creator = Creator(**{**_fields(creator), "updated": when})
                self.extra_creators[(service, creator_id)] = creator
                self._creators_bytes = None
            return post

    def edit_post(self, service: str, creator_id: str, post_id: str, **changes: Any) -> Json:
        with self.lock:
            found = self.find_post(service, creator_id, post_id)
            if found is None:
                raise KeyError(f"no post {service}/{creator_id}/{post_id}")
            index, old = found
            self._next_revision += 1
            revision = dict(old, revision_id=self._next_revision)
            new = dict(old, **changes)
            new["edited"] = iso(time.time())
            posts = list(self.posts_of(service, creator_id) or [])
            posts[index] = new
            self.posts[(service, creator_id)] = posts
            key = (service, creator_id, post_id)
            self.revisions[key] = [revision, *self.revisions_of(*key)]
            return new

    # -- accounts -----------------------------------------------------------------------
    def register(self, username: str, password: str) -> Account:
        with self.lock:
            salt = secrets.token_bytes(16)
            account_id = len(self.accounts) + 1
            # kemono-protocol.md §4: the first account created becomes administrator.
            role = "administrator" if account_id == 1 else "consumer"
            account = Account(
                account_id,
                username,
                hash_password(password, salt),
                salt,
                iso_micro(time.time()),
                role,
            )
            self.accounts[account_id] = account
            self.by_name[username] = account
            return account

    def check_password(self, account: Account, password: str) -> bool:
        return hmac.compare_digest(account.password_hash, hash_password(password, account.salt))

    def set_password(self, account: Account, password: str) -> None:
        account.salt = secrets.token_bytes(16)
        account.password_hash = hash_password(password, account.salt)

    def login_allowed(self, username: str) -> bool:
        """Count one try; False past 10 tries in 300 s for this account name (§6.6)."""
        now = time.monotonic()
        with self.lock:
            tries = [t for t in self.login_tries.get(username, []) if now - t < LOGIN_WINDOW]
            tries.append(now)
            self.login_tries[username] = tries
            return len(tries) <= LOGIN_TRIES

    def new_session(self, account: Account) -> str:
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.sessions[token] = account.id
        return token

    def account_for(self, token: str | None) -> Account | None:
        if not token:
            return None
        account_id = self.sessions.get(token)
        return None if account_id is None else self.accounts.get(account_id)

    def next_fav_seq(self) -> int:
        self.fav_seq += 1
        return self.fav_seq


def _fields(creator: Creator) -> dict[str, Any]:
    return {name: getattr(creator, name) for name in Creator.__slots__}
