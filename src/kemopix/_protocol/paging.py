"""Pure cursor steps shared by paged listings; the site-specific ones live in ``kemopix.sites``."""

from __future__ import annotations

from typing import Generic, TypeVar

from msgspec import Struct

from .errors import InvalidInput

__all__ = [
    "Page",
    "check_offset",
    "next_offset",
]

T = TypeVar("T")
C = TypeVar("C")


class Page(Struct, Generic[T, C], frozen=True):
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
