"""The Kemono session."""

from .session import SITE_DOMAIN, KemoSession, TokenValue

__all__ = ["SITE_DOMAIN", "KemoSession", "TokenValue"]
