"""The JSON an answer was decoded from, kept as its bytes and decoded to Python on first use.

The typed decode (msgspec into the wire Structs) stays as fast as before: keeping the body
costs one reference, and a :class:`RawRef` names where an object sits in it (``("illusts", 3)``).
Only code that reads ``raw`` pays for a second, plain JSON decode (once per answer).
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["RawBody", "RawRef"]

_UNSET: Any = object()


class RawBody:
    """One answer's JSON: bytes until first read, then the decoded value (kept)."""

    __slots__ = ("_body", "_json")

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._json: Any = _UNSET

    @classmethod
    def decoded(cls, value: Any) -> RawBody:
        """A body already decoded to Python values."""
        self = cls(b"")
        self._json = value
        return self

    def json(self) -> Any:
        if self._json is _UNSET:
            self._json = msgspec.json.decode(self._body)
            self._body = b""
        return self._json

    def at(self, *path: str | int) -> RawRef:
        return RawRef(self, path)


class RawRef:
    """Where one object sits in a :class:`RawBody`: ``get()`` is that JSON object, or None."""

    __slots__ = ("body", "path")

    def __init__(self, body: RawBody, path: tuple[str | int, ...] = ()) -> None:
        self.body = body
        self.path = path

    def child(self, *keys: str | int) -> RawRef:
        return RawRef(self.body, self.path + keys)

    def get(self) -> Any:
        value = self.body.json()
        try:
            for key in self.path:
                value = value[key]
        except (KeyError, IndexError, TypeError):
            return None  # a default the wire model filled in: nothing was sent
        return value
