"""Which host family a URL belongs to (the values name kemono.su, as the original did).

A ``KemoSession`` resolves each kind against its own site, so the values are labels, not
destinations: ``UrlType.API`` on a session for ``http://127.0.0.1:8000`` means that host's API.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["UrlLike", "UrlType"]

UrlLike = str


class UrlType(StrEnum):
    """Site pages, data (file) servers, the API, and Discord's CDN."""

    SITE = "https://kemono.su"
    DATA = "https://c{i}.kemono.su"
    API = "https://kemono.su/api"
    DISCORD = "https://cdn.discordapp.com"

    def is_data(self) -> bool:
        return self is UrlType.DATA

    def is_api(self) -> bool:
        return self is UrlType.API

    def format_data(self, value: int) -> str:
        """The value with ``{i}`` filled in (only DATA has one)."""
        return self.value.format(i=value) if self.is_data() else self.value
