"""Discord archive endpoints (kemono-protocol.md §2.4) as flows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._protocol.flow import Flow
from ..._protocol.paging import Page
from ._common import answer_pages, fetch_list, fetch_optional, offset_pages
from .answers import Answer, Undecodable
from .models import ChannelRef, DiscordMessage, convert
from .paging import DISCORD_STEP
from .site import KemonoSite, seg

__all__ = [
    "channel_message_answers",
    "channel_messages",
    "channels",
    "server",
    "server_channels",
]


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
    return offset_pages(_messages_request(site, channel_id), DiscordMessage, DISCORD_STEP)


def _messages_request(site: KemonoSite, channel_id: str) -> Callable[[int], Any]:
    path = f"/discord/channel/{seg(channel_id)}"

    def build(offset: int) -> Any:
        return site.request("GET", path, params={"o": offset or None})

    return build


def server_channels(site: KemonoSite, server_id: str) -> Flow[tuple[str, list[ChannelRef]]]:
    """A server's name (empty when the site does not say) and its channels: the 2025 server
    record, else the channel lookup of older backends."""
    record = yield from server(site, server_id)
    if isinstance(record, dict) and isinstance(record.get("channels"), list):
        found: list[ChannelRef] = convert(record["channels"], list[ChannelRef])
        return str(record.get("name") or ""), found
    return "", (yield from channels(site, server_id))


def channel_message_answers(
    site: KemonoSite, channel_id: str
) -> Callable[[int], Flow[Page[Answer[DiscordMessage] | Undecodable, int]]]:
    """:func:`channel_messages` with each message's JSON; a bad item is ``Undecodable``."""
    return answer_pages(
        _messages_request(site, channel_id), DiscordMessage, DISCORD_STEP, "message"
    )
