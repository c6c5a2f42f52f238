"""API version path prefixes."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["APIVersion"]


class APIVersion(StrEnum):
    """``/v1`` (nearly everything) and ``/v2`` (a few newer endpoints)."""

    V1 = "/v1"
    V2 = "/v2"
