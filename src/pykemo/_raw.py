"""Where each model's JSON sits in the answer it came from (the models' ``raw``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import msgspec

from kemopix._protocol.flow import Flow
from kemopix._protocol.paging import Page
from kemopix._protocol.raw import RawBody, RawRef, Step, keep_body
from kemopix.sites.kemono._common import unlist, unwrap, unwrap_list

__all__ = ["account_of", "file_at", "items", "listed", "paged", "post_of", "without_secrets"]

T = TypeVar("T")
C = TypeVar("C")


def items(*keys: str) -> Step:
    """The answer's list, bare or under one of ``keys`` (as the flows unwrap it)."""
    return lambda value: unwrap_list(value, *keys)


def post_of(value: Any) -> Any:
    """The post in a detail answer: the 2025 envelope's ``post``, a plain post, or a 1-list."""
    return unwrap(unlist(value), "post")


def account_of(value: Any) -> Any:
    """The account in a login answer: the object itself or its ``account`` (as the flow reads)."""
    return without_secrets(unwrap(value, "account"))


_SECRET_WORDS = ("password", "secret", "token", "session", "cookie")


def without_secrets(value: Any) -> Any:
    """An account object without credential-looking keys (``password_hash``, ``session``...).

    No site is known to send one (they send id, username, created_at, role), but an account's
    ``raw`` must never hold a secret if one ever did.
    """
    if not isinstance(value, dict):
        return value
    return {k: v for k, v in value.items() if not any(w in str(k).lower() for w in _SECRET_WORDS)}


def file_at(path: str) -> Step:
    """The entry of a post's ``file``/``attachments`` with this ``path``.

    An entry sent as JSON text (old revisions' ``file``) is the object that text holds.
    """

    want = _plain(path)

    def find(post: Any) -> Any:
        entries = post.get("attachments") or []
        for entry in map(_object, [post.get("file"), *entries]):
            if isinstance(entry, dict) and _plain(str(entry.get("path"))) == want:
                return entry
        return None

    return find


def _object(entry: Any) -> Any:
    if isinstance(entry, str) and entry.lstrip().startswith("{"):
        try:
            return msgspec.json.decode(entry)
        except msgspec.DecodeError:
            return None
    return entry


def _plain(path: str) -> str:
    # File normalises paths (backslashes, a /data prefix): compare what is left.
    return path.replace("\\", "/").removeprefix("/data")


def paged(
    step: Callable[[C], Flow[Page[T, C]]], *keys: str
) -> Callable[[C], Flow[Page[tuple[T, RawRef, int], C]]]:
    """A page step whose items come with where each sits in its page's JSON."""

    def raw_step(cursor: C) -> Flow[Page[tuple[T, RawRef, int], C]]:
        page, body = yield from keep_body(step(cursor))
        return Page(list(listed(page.items, body, *keys)), page.next)

    return raw_step


def listed(values: list[T], body: RawBody, *keys: str) -> Iterator[tuple[T, RawRef, int]]:
    """Each item of a list answer, the answer's list and the item's index in it.

    One shared reference and an int per item: no new object for the garbage collector to
    walk per item (300,000 creators would pay for it).
    """
    where = RawRef(body, (items(*keys),))
    for n, value in enumerate(values):
        yield value, where, n
