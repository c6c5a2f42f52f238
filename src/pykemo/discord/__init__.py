"""Discord archive types."""

from .channels import OFFSET_STEPPING, ChannelsList, DiscordChannel
from .messages import DiscordMessage, MessagesList
from .users import DiscordUser

__all__ = [
    "OFFSET_STEPPING",
    "ChannelsList",
    "DiscordChannel",
    "DiscordMessage",
    "DiscordUser",
    "MessagesList",
]
