"""``DiscordUser``: the author of an archived Discord message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kemopix._protocol.raw import HasRaw
from kemopix.sites.kemono.models import DiscordAuthor

from ..core.urltypes import UrlType
from ..files.files import File

if TYPE_CHECKING:
    from ..sessions.session import KemoSession

__all__ = ["DiscordUser"]


@dataclass(kw_only=True)
class DiscordUser(HasRaw):
    id: str
    username: str | None = None
    global_name: str | None = None
    discriminator: str | None = None
    avatar: File | None = None
    avatar_decoration_data: Any = None
    clan: Any = None
    accent_color: int | None = None
    banner: str | None = None
    banner_color: str | None = None
    flags: int = 0
    public_flags: int = 0

    @classmethod
    def from_wire(cls, wire: DiscordAuthor, ks: KemoSession | None = None) -> DiscordUser:
        avatar = None
        if wire.avatar:
            path = f"/avatars/{wire.id}/{wire.avatar}"
            avatar = File(wire.avatar, path, url_source=UrlType.DISCORD).with_session(ks)
        return cls(
            id=str(wire.id),
            username=wire.username,
            global_name=wire.global_name,
            discriminator=wire.discriminator,
            avatar=avatar,
            avatar_decoration_data=wire.avatar_decoration_data,
            clan=wire.clan,
            accent_color=wire.accent_color,
            banner=wire.banner,
            banner_color=wire.banner_color,
            flags=wire.flags,
            public_flags=wire.public_flags,
        )
