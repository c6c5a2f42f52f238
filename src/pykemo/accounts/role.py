"""Account roles, by rank."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["AccountRole"]


class AccountRole(StrEnum):
    """``consumer`` < ``moderator`` < ``administrator`` (kemono-protocol.md §4)."""

    CONSUMER = "consumer"
    MODERATOR = "moderator"
    ADMINISTRATOR = "administrator"

    @classmethod
    def parse(cls, value: str | None) -> AccountRole:
        """The role for ``value``; unknown roles are consumers (as the original did)."""
        try:
            return cls((value or "").lower())
        except ValueError:
            return cls.CONSUMER
