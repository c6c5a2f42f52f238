"""Creators."""

from .creators import AnnouncementsList, Creator, CreatorDict, CreatorsList, FancardsList

__all__ = ["AnnouncementsList", "Creator", "CreatorDict", "CreatorsList", "FancardsList"]
