"""Timestamps as the site writes them: ISO-8601 without a timezone (kemono-protocol.md §3)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["BASE_EPOCH", "iso", "iso_micro"]

# 2024-01-01T00:00:00 UTC: every seeded date is an offset from here, so datasets never depend on
# the wall clock.
BASE_EPOCH = 1_704_067_200


def iso(epoch: float) -> str:
    """``2024-06-04T23:53:36`` (seconds precision, as ``published`` usually is)."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%S")


def iso_micro(epoch: float) -> str:
    """``2024-10-24T05:52:59.498767`` (microseconds, as ``added`` usually is)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
