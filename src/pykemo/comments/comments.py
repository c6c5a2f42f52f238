"""``Comment``: a comment under a post."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kemopix.sites.kemono.models import Comment as WireComment

from .._attach import Attached
from .._dates import to_date
from .comments_rev import CommentRevision

if TYPE_CHECKING:
    from ..creators.creators import Creator
    from ..posts.posts import Post
    from ..sessions.session import KemoSession

__all__ = ["Comment"]


@dataclass(kw_only=True, repr=False)
class Comment(Attached):
    """A comment; ``commenter`` is the commenting user's id (not the post's creator)."""

    id: str
    parent_id: str | None = None
    commenter_id: str | None = None
    commenter_name: str | None = None
    content: str = ""
    published: datetime | None = None
    revisions: list[CommentRevision] = field(default_factory=list)
    commenter: Creator | None = None
    post: Post | None = None

    @classmethod
    def from_wire(cls, wire: WireComment, post: Post | None, ks: KemoSession | None) -> Comment:
        comment = cls(
            id=str(wire.id),
            parent_id=None if wire.parent_id is None else str(wire.parent_id),
            commenter_id=None if wire.commenter is None else str(wire.commenter),
            commenter_name=wire.commenter_name,
            content=wire.content,
            published=to_date(wire.published),
            revisions=[CommentRevision.from_wire(r) for r in wire.revisions or []],
            post=post,
        )
        return comment.set_underlying_session(ks)

    @property
    def url(self) -> str:
        return f"{self.post.url if self.post else ''}#{self.id}"

    def __repr__(self) -> str:
        return f"Comment(id={self.id!r}, commenter_name={self.commenter_name!r})"
