"""``FileHashResult``: where a file (by SHA-256) appears."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from kemopix._protocol.raw import HasRaw, RawRef

from ..discord.messages import DiscordMessage
from ..files.files import File
from ..posts.posts import Post

if TYPE_CHECKING:
    from kemopix.sites.kemono.models import FileSearch

    from ..sessions.session import KemoSession

__all__ = ["FileHashResult"]


@dataclass(kw_only=True)
class FileHashResult(HasRaw):
    file: File | None = None
    posts: list[Post] = field(default_factory=list)
    disc: list[DiscordMessage] = field(default_factory=list)

    @classmethod
    def empty(cls) -> FileHashResult:
        """No file, no posts, no messages."""
        return cls(file=None, posts=[], disc=[])

    def _keep_raw(self, ref: RawRef | None, at: int | None = None) -> Self:
        """The search answer, and each post's and message's entry in it."""
        super()._keep_raw(ref, at)
        if ref is not None:
            for n, post in enumerate(self.posts):
                post._keep_raw(ref.child("posts"), n)
            for n, message in enumerate(self.disc):
                message._keep_raw(ref.child("discord_posts"), n)
        return self

    @classmethod
    def from_wire(cls, wire: FileSearch, ks: KemoSession | None = None) -> FileHashResult:
        file = None
        if wire.hash:
            h, ext = wire.hash, wire.ext or ""
            file = File(f"{h}{ext}", f"/data/{h[0:2]}/{h[2:4]}/{h}{ext}", wire.mime)
            file.with_session(ks)
        return cls(
            file=file,
            posts=[Post.from_wire(p, ks) for p in wire.posts],
            disc=[DiscordMessage.from_wire(m, None, ks) for m in wire.discord_posts],
        )
