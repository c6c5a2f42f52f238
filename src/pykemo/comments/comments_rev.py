"""``CommentRevision``: an earlier text of a comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kemopix.sites.kemono.models import CommentRevision as WireRevision

from .._dates import to_date

__all__ = ["CommentRevision"]


@dataclass(kw_only=True)
class CommentRevision:
    id: int
    content: str
    added: datetime | None = None

    @classmethod
    def from_wire(cls, wire: WireRevision) -> CommentRevision:
        return cls(id=wire.id, content=wire.content, added=to_date(wire.added))
