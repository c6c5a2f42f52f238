"""A local Pixiv: App API, OAuth and image host over real HTTP (pixiv-protocol.md)."""

from __future__ import annotations

from .server import PixivEmulator

__all__ = ["PixivEmulator"]
