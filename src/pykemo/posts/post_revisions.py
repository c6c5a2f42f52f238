"""``PostRevision``: an earlier version of a post."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kemopix.sites.kemono.models import Post as WirePost

from .posts import Post

if TYPE_CHECKING:
    from ..creators.creators import Creator
    from ..sessions.session import KemoSession

__all__ = ["PostRevision"]


@dataclass(kw_only=True)
class PostRevision:
    """``revision_id`` and the post as it was (``post.is_revision`` is True)."""

    revision_id: str
    post: Post

    @classmethod
    def from_wire(
        cls, wire: WirePost, ks: KemoSession | None = None, *, creator: Creator | None = None
    ) -> PostRevision:
        post = Post.from_wire(wire, ks, creator=creator, is_revision=True)
        return cls(revision_id=str(wire.revision_id or ""), post=post)
