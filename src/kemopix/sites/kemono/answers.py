"""Typed answers that keep the JSON they came from (for callers that store it: sidecars).

``Answer.value`` is the wire model; ``Answer.raw`` the decoded JSON as the site sent it, fields
the model does not name included. In a list, an item of the wrong shape does not sink the
page: it becomes an :class:`Undecodable` naming the field and the kind of value found.
"""

from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

import msgspec
from msgspec import Struct

from ..._protocol.errors import DecodeError
from .models import convert

__all__ = ["Answer", "Undecodable", "decode", "decode_items", "json_kind"]

T = TypeVar("T")

_AT = re.compile(r"at `\$\.?([A-Za-z_][\w]*)")


class Answer(Struct, Generic[T], frozen=True):
    """A decoded wire value and its JSON as received."""

    value: T
    raw: Any


class Undecodable(Struct, frozen=True):
    """A list item that is not the expected shape: its JSON and the reason."""

    raw: Any
    error: DecodeError


def json_kind(value: Any) -> str:
    """``null``, ``list``, ``dict``, ``int``, ... : how a JSON value is named in errors."""
    return "null" if value is None else type(value).__name__


def decode(data: Any, type_: type[T], what: str, url: str | None = None) -> Answer[T]:
    """``data`` as ``type_``; a wrong shape is a ``DecodeError`` naming the field, e.g.
    ``post 12: 'title' is list ['a'], expected text``."""
    if not isinstance(data, dict):
        raise DecodeError(f"{what} is {json_kind(data)}, not an object", url=url)
    try:
        value: T = convert(data, type_, url)
    except DecodeError as exc:
        cause = exc.__cause__  # the msgspec error, which names the field
        match = _AT.search(str(cause))
        if match is not None and match.group(1) in data:
            key = match.group(1)
            found = data[key]
            raise DecodeError(
                f"{what}: {key!r} is {json_kind(found)} {str(found)[:40]} ({cause})", url=url
            ) from cause
        raise DecodeError(f"{what}: {exc}", url=url) from cause
    return Answer(value, data)


def decode_items(
    items: list[Any], type_: type[T], what: str, url: str | None = None
) -> list[Answer[T] | Undecodable]:
    """Each item decoded on its own: a bad one is an :class:`Undecodable`, the rest stay."""
    out: list[Answer[T] | Undecodable] = []
    for item in items:
        if type(item) is dict:
            try:  # the usual item: decoded without making the name its error would give
                out.append(Answer(msgspec.convert(item, type_, strict=False), item))
                continue
            except msgspec.ValidationError:
                pass  # decoded again below, for the error naming the item and its field
        ident = str(item.get("id"))[:40] if isinstance(item, dict) else ""
        try:
            out.append(decode(item, type_, f"{what} {ident}".strip(), url))
        except DecodeError as exc:
            out.append(Undecodable(item, exc))
    return out
