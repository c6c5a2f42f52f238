"""What a site adapter gives the engine: listings of posts, and the detail of each post."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from ..model import Creator, Listed, Post
from ..targets import Target

__all__ = ["Listing", "Source"]


class Listing(Protocol):
    """One ordered listing (a creator's posts, a channel, a search), newest first.

    ``key`` names it in the archive's watermarks; ``incremental`` allows the engine to stop
    once it meets enough already archived, unchanged posts (listings sorted newest first).
    """

    key: str
    label: str
    incremental: bool
    creator: Creator | None

    def pages(self) -> AsyncIterator[list[Listed]]:
        """The listing's entries, a page at a time (the archive is asked about a page at once)."""
        ...

    async def complete(self, entry: Listed) -> Post | None:
        """The whole post behind ``entry`` (detail, comments, revisions); None if gone."""
        ...


class Source(Protocol):
    """A site adapter: turns a target into listings."""

    family: str

    def listings(self, target: Target) -> AsyncIterator[Listing]:
        """The listings ``target`` stands for (favorites and Discord servers give several)."""
        ...
