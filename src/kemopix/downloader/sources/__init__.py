"""Site adapters: Kemono-compatible sites and pixiv, each turning targets into listings."""

from .base import Listing, Source

__all__ = ["Listing", "Source"]
