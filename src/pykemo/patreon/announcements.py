"""The newest original kept ``Announcement`` here; same class as ``pykemo.announcements``."""

from ..announcements.announcements import ANN_DATE_FMT, Announcement

__all__ = ["ANN_DATE_FMT", "Announcement"]
