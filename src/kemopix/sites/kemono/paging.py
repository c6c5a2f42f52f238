"""Kemono's page sizes: listings page by fixed offsets (kemono-protocol.md §1)."""

from __future__ import annotations

__all__ = ["DISCORD_STEP", "POSTS_STEP"]

POSTS_STEP = 50  # post lists page by 50
DISCORD_STEP = 150  # Discord channel messages page by 150
