"""Kemono timestamps in every shape the two API generations send.

kemono-protocol.md §3, §10: ISO-8601 without a zone, with or without a fraction of any length;
epoch seconds (int or float) on creator lists; RFC 1123 dates on some old answers. A value
without a zone is taken as UTC (assumption: the backend stores UTC timestamps).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RawDate", "parse_date"]

RawDate = str | float | None


def parse_date(value: RawDate) -> datetime | None:
    """An aware datetime, or None for a missing or unreadable value."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = value.strip()
    if len(text) > 11 and text[4] == "-" and text[5] != "W":
        clock = text[11:]  # after YYYY-MM-DD and a separator
        if "+" not in clock and "-" not in clock and "Z" not in clock:
            # No zone: read with UTC's, as a naive date would be. The same fields, and UTC is
            # the singleton fromisoformat gives for +00:00; in a third of the time.
            try:
                return datetime.fromisoformat(text + "+00:00")
            except ValueError:
                pass  # not a date: the readers below decide
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is not None:
        return parsed
    # What parsed.replace(tzinfo=UTC) gives (fromisoformat leaves fold 0), in a third of the time.
    return datetime(
        parsed.year,
        parsed.month,
        parsed.day,
        parsed.hour,
        parsed.minute,
        parsed.second,
        parsed.microsecond,
        UTC,
    )
