"""Moderation."""

from .requests import CreatorLinkRequest, CreatorLinkStatus, CreatorLnkReqID

__all__ = ["CreatorLinkRequest", "CreatorLinkStatus", "CreatorLnkReqID"]
