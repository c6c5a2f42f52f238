"""The JSON an answer was decoded from, kept as its bytes and decoded to Python on first use.

The typed decode (msgspec into the wire Structs) stays as fast as before: keeping the body
costs one reference, and a :class:`RawRef` names where an object sits in it (``("illusts", 3)``;
a step may also be a function of the value, e.g. "the list, bare or under ``posts``"). Only code
that reads ``raw`` pays for a second, plain JSON decode (once per answer). The client models
(``pixivapi``, ``pykemo``) expose it as their read-only ``raw`` attribute (:class:`HasRaw`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self, TypeVar

import msgspec

from .flow import Flow
from .http import Response

__all__ = ["HasRaw", "RawBody", "RawRef", "Step", "keep_body"]

T = TypeVar("T")
Step = str | int | Callable[[Any], Any]

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

    def at(self, *path: Step) -> RawRef:
        return RawRef(self, path)


class RawRef:
    """Where one object sits in a :class:`RawBody`: ``get()`` is that JSON object, or None."""

    __slots__ = ("body", "path")

    def __init__(self, body: RawBody, path: tuple[Step, ...] = ()) -> None:
        self.body = body
        self.path = path

    def child(self, *keys: Step) -> RawRef:
        return RawRef(self.body, self.path + keys)

    def get(self) -> Any:
        value = self.body.json()
        try:
            for key in self.path:
                value = key(value) if callable(key) else value[key]
        except (KeyError, IndexError, TypeError):
            return None  # a default the wire model filled in: nothing was sent
        return value


class HasRaw:
    """A client model that may know the JSON object it was built from."""

    _raw: RawRef | None = None
    _raw_at: int | None = None  # an index into ``_raw`` (a list shared by a page's items)

    @property
    def raw(self) -> Any:
        """The JSON object this was built from, as the site sent it (fields no attribute names
        included); None for an object built by hand. Shared with its page: read, don't change.
        """
        ref = self._raw
        if ref is None:
            return None
        return ref.get() if self._raw_at is None else ref.child(self._raw_at).get()

    def _keep_raw(self, ref: RawRef | None, at: int | None = None) -> Self:
        object.__setattr__(self, "_raw", ref)
        if at is not None:
            object.__setattr__(self, "_raw_at", at)
        return self


def keep_body(flow: Flow[T]) -> Flow[tuple[T, RawBody]]:
    """Run ``flow`` and keep the body of the last answer it read (the one it decoded)."""
    last = b"null"
    sent: Any = None
    error: BaseException | None = None
    while True:
        try:
            request = flow.send(sent) if error is None else flow.throw(error)
        except StopIteration as stop:
            return stop.value, RawBody(last)
        try:
            sent = yield request
            error = None
            if isinstance(sent, Response):
                last = sent.content
        except GeneratorExit:
            flow.close()
            raise
        except Exception as exc:  # a transport error the driver throws in: the flow's to handle
            sent, error = None, exc
