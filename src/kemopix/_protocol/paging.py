"""Pure cursor steps for the two paging styles: Kemono's offsets and Pixiv's ``next_url``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

from .errors import InvalidInput

__all__ = [
    "DISCORD_STEP",
    "POSTS_STEP",
    "Page",
    "check_offset",
    "next_offset",
    "next_url_params",
    "offset_from_next_url",
]

T = TypeVar("T")
C = TypeVar("C")

POSTS_STEP = 50  # kemono-protocol.md §1: post lists page by 50
DISCORD_STEP = 150  # kemono-protocol.md §1: Discord channel messages page by 150


@dataclass(frozen=True, slots=True)
class Page(Generic[T, C]):
    """One page of items and the cursor of the next page (None: this was the last)."""

    items: list[T]
    next: C | None


def check_offset(offset: int, step: int) -> int:
    """Validate a user-given offset: non-negative and a multiple of the site's step."""
    if offset < 0 or offset % step:
        raise InvalidInput(f"offset must be a non-negative multiple of {step}, got {offset}")
    return offset


def next_offset(offset: int, received: int, step: int) -> int | None:
    """The next offset, or None when this page was short (the site's last page)."""
    return offset + step if received >= step else None


def next_url_params(next_url: str | None) -> dict[str, str] | None:
    """The query parameters of a Pixiv ``next_url`` (None when there is no next page)."""
    if not next_url:
        return None
    return dict(parse_qsl(urlsplit(next_url).query, keep_blank_values=True))


def offset_from_next_url(next_url: str | None, key: str = "offset") -> int | None:
    """The offset a Pixiv ``next_url`` asks for (seed dicts report it as ``'next'``)."""
    params = next_url_params(next_url)
    if params is None:
        return None
    value = params.get(key)
    if value is None or not value.isdigit():
        return None
    return int(value)
