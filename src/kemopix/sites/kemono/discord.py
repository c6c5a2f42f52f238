"""Discord archive endpoints (kemono-protocol.md §2.4) as flows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._protocol.flow import Flow
from ..._protocol.paging import Page
from ._common import fetch_list, fetch_optional, offset_pages
from .models import ChannelRef, DiscordMessage
from .paging import DISCORD_STEP
from .site import KemonoSite, seg

__all__ = ["channel_messages", "channels", "server"]


def channels(site: KemonoSite, server_id: str) -> Flow[list[ChannelRef]]:
    """The channels of a Discord server (a 404 means none archived)."""
    request = site.request("GET", f"/discord/channel/lookup/{seg(server_id)}")
    return fetch_list(request, ChannelRef, missing_is_empty=True)


def server(site: KemonoSite, server_id: str) -> Flow[dict[str, Any] | None]:
    """The server record with its channels (2025 backend); None when unknown."""
    return fetch_optional(site.request("GET", f"/discord/server/{seg(server_id)}"), dict[str, Any])


def channel_messages(
    site: KemonoSite, channel_id: str
) -> Callable[[int], Flow[Page[DiscordMessage, int]]]:
    """Page step over a channel's messages, newest first, 150 per page."""
    path = f"/discord/channel/{seg(channel_id)}"

    def build(offset: int) -> Any:
        return site.request("GET", path, params={"o": offset or None})

    return offset_pages(build, DiscordMessage, DISCORD_STEP)
