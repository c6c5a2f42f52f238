"""``PostRevision``: an earlier version of a post."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from kemopix._protocol.raw import HasRaw, RawRef
from kemopix.sites.kemono.models import Post as WirePost

from .posts import Post

if TYPE_CHECKING:
    from ..creators.creators import Creator
    from ..sessions.session import KemoSession

__all__ = ["PostRevision"]


@dataclass(kw_only=True)
class PostRevision(HasRaw):
    """``revision_id`` and the post as it was (``post.is_revision`` is True).

    ``raw`` is the revision's JSON object, which is also its ``post``'s.
    """

    revision_id: str
    post: Post

    @classmethod
    def from_wire(
        cls, wire: WirePost, ks: KemoSession | None = None, *, creator: Creator | None = None
    ) -> PostRevision:
        post = Post.from_wire(wire, ks, creator=creator, is_revision=True)
        return cls(revision_id=str(wire.revision_id or ""), post=post)

    def _keep_raw(self, ref: RawRef | None, at: int | None = None) -> Self:
        super()._keep_raw(ref, at)
        self.post._keep_raw(ref, at)
        return self
