"""Date helpers shared by the models: aware datetimes and the before/since filters."""

from __future__ import annotations

from datetime import UTC, datetime

from kemopix.sites.kemono.dates import RawDate, parse_date

__all__ = ["DEFAULT_DATE_FMT", "MILI_DATE_FMT", "aware", "is_before", "is_since", "to_date"]

DEFAULT_DATE_FMT = "%Y-%m-%dT%H:%M:%S"
MILI_DATE_FMT = DEFAULT_DATE_FMT + ".%f"


def to_date(value: RawDate) -> datetime | None:
    """A wire date as an aware datetime (UTC when the site gave no zone)."""
    return parse_date(value)


def aware(value: datetime) -> datetime:
    """``value`` with UTC assumed when it is naive, so user dates compare with site dates."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def is_before(value: datetime | None, limit: datetime) -> bool:
    """Strictly before ``limit`` (a missing date is never before anything)."""
    return value is not None and value < aware(limit)


def is_since(value: datetime | None, limit: datetime) -> bool:
    """At or after ``limit``."""
    return value is not None and value >= aware(limit)
