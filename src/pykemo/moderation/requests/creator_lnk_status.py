"""The status of a creator link request."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CreatorLinkStatus"]


class CreatorLinkStatus(StrEnum):
    """``pending`` until a moderator decides; anything else is ``other``."""

    PENDING = "pending"
    OTHER = "other"

    @classmethod
    def parse(cls, value: str | None) -> CreatorLinkStatus:
        return cls.PENDING if (value or "").lower() == "pending" else cls.OTHER
