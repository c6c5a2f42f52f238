"""``DiscordChannel``: an archived channel of a Discord server, with its messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kemopix._io import aiter_items
from kemopix.sites.kemono import discord as discord_flows
from kemopix.sites.kemono.paging import DISCORD_STEP

from .._attach import Attached
from .._dates import aware
from .._raw import paged
from ..exceptions.general import PyKemoValueError
from .messages import DiscordMessage

if TYPE_CHECKING:
    from ..creators.creators import Creator

__all__ = ["OFFSET_STEPPING", "ChannelsList", "DiscordChannel"]

OFFSET_STEPPING = DISCORD_STEP


@dataclass(kw_only=True, repr=False)
class DiscordChannel(Attached):
    id: str
    channel_name: str | None
    owner: Creator

    @property
    def server_id(self) -> str:
        return self.owner.id

    @property
    def url(self) -> str:
        return f"{self.owner.site_url('discord', 'server', self.server_id)}#{self.id}"

    def __repr__(self) -> str:
        return f"DiscordChannel(id={self.id!r}, channel_name={self.channel_name!r})"

    async def iter_messages(self) -> AsyncIterator[DiscordMessage]:
        """Every message, newest first, fetched page by page (150 a page)."""
        ks = self._ks()
        step = discord_flows.channel_messages(ks.site, self.id)
        async for wire, raw, at in aiter_items(ks.run, paged(step), 0):
            yield DiscordMessage.from_wire(wire, self, ks)._keep_raw(raw, at)

    async def messages(
        self,
        *,
        max_msg: int | None = None,
        before: datetime | None = None,
        since: datetime | None = None,
    ) -> list[DiscordMessage]:
        """Up to ``max_msg`` messages (None: all), optionally only those in a date window."""
        if max_msg is not None and max_msg <= 0:
            raise PyKemoValueError(f"max_msg must be positive, got {max_msg}")
        out: list[DiscordMessage] = []
        async for message in self.iter_messages():
            if since is not None and message.published and message.published < aware(since):
                break  # newest first: everything after this is older still
            if before is not None and not message.before(before):
                continue
            out.append(message)
            if max_msg is not None and len(out) >= max_msg:
                break
        return out


ChannelsList = list[DiscordChannel]
