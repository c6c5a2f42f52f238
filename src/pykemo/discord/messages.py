"""``DiscordMessage``: one archived Discord message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from kemopix._protocol.raw import HasRaw, RawRef
from kemopix.sites.kemono.models import DiscordMessage as WireMessage

from .._dates import is_before, is_since, to_date
from ..files.files import File
from .users import DiscordUser

if TYPE_CHECKING:
    from ..sessions.session import KemoSession
    from .channels import DiscordChannel

__all__ = ["DiscordMessage", "MessagesList"]


@dataclass(kw_only=True)
class DiscordMessage(HasRaw):
    id: str
    author: DiscordUser | None = None
    server_id: str | None = None
    channel: DiscordChannel | None = None
    content: str = ""
    added: datetime | None = None
    published: datetime | None = None
    edited: datetime | None = None
    embeds: list[Any] = field(default_factory=list)
    mentions: list[Any] = field(default_factory=list)
    attachments: list[File] = field(default_factory=list)

    @classmethod
    def from_wire(
        cls, wire: WireMessage, channel: DiscordChannel | None, ks: KemoSession | None = None
    ) -> DiscordMessage:
        return cls(
            id=str(wire.id),
            author=None if wire.author is None else DiscordUser.from_wire(wire.author, ks),
            server_id=None if wire.server is None else str(wire.server),
            channel=channel,
            content=wire.content,
            added=to_date(wire.added),
            published=to_date(wire.published),
            edited=to_date(wire.edited),
            embeds=list(wire.embeds),
            mentions=list(wire.mentions),
            attachments=[f for f in (File.from_ref(r, ks) for r in wire.attachments) if f],
        )

    def _keep_raw(self, ref: RawRef | None, at: int | None = None) -> Self:
        """The message's JSON, and its author's object in it."""
        super()._keep_raw(ref, at)
        if ref is not None and self.author is not None:
            self.author._keep_raw((ref if at is None else ref.child(at)).child("author"))
        return self

    def before(self, date: datetime) -> bool:
        return is_before(self.published, date)

    def since(self, date: datetime) -> bool:
        return is_since(self.published, date)


MessagesList = list[DiscordMessage]
