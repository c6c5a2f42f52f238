"""Fanbox-specific names."""

from .fancards import FANC_DATE_FMT, Fancard

__all__ = ["FANC_DATE_FMT", "Fancard"]
