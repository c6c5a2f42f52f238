"""Patreon-specific names."""

from .announcements import ANN_DATE_FMT, Announcement

__all__ = ["ANN_DATE_FMT", "Announcement"]
