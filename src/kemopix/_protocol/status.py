"""Turning error statuses into typed errors, and reading Retry-After."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping

from .errors import (
    Challenge,
    ClientError,
    Forbidden,
    HTTPStatusError,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    excerpt,
)
from .http import Response

__all__ = ["check_status", "error_for", "is_challenge", "parse_http_date", "parse_retry_after"]

_CHALLENGE_MARKERS = (b"ddos-guard", b"just a moment", b"cf-chl", b"challenge-platform")


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), if present."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = parse_http_date(value)
    return None if when is None else max(0.0, when - now)


_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
# IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT",
# asctime "Sun Nov  6 08:49:37 1994" (RFC 9110 §5.6.7). email.utils would pull in socket.
_HTTP_DATES = (
    re.compile(r"\w+, (\d{1,2})[ -](\w{3})[ -](\d{2,4}) (\d\d):(\d\d):(\d\d) GMT"),
    re.compile(r"\w+ (\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})"),
)


def parse_http_date(value: str) -> float | None:
    """Seconds since the epoch for an HTTP-date, or None if it is not one."""
    fixed = _HTTP_DATES[0].fullmatch(value)
    if fixed is not None:
        day, mon, year, hh, mm, ss = fixed.groups()
        year_num = int(year) + (1900 if len(year) == 2 and int(year) >= 70 else 0)
        year_num += 2000 if len(year) == 2 and int(year) < 70 else 0
    else:
        asc = _HTTP_DATES[1].fullmatch(value)
        if asc is None:
            return None
        mon, day, hh, mm, ss, year = asc.groups()
        year_num = int(year)
    month = _MONTHS.get(mon.title())
    if month is None:
        return None
    try:
        return float(calendar.timegm((year_num, month, int(day), int(hh), int(mm), int(ss))))
    except (ValueError, OverflowError):
        return None


def is_challenge(response: Response) -> bool:
    """An anti-bot interstitial (DDoS-Guard, Cloudflare) rather than the site's own answer."""
    if response.status not in (403, 429, 503):
        return False
    if response.headers.get("server", "").lower() in ("ddos-guard", "cloudflare"):
        ctype = response.headers.get("content-type", "")
        if "html" in ctype:
            return True
    head = response.content[:4096].lower()
    return b"<html" in head and any(marker in head for marker in _CHALLENGE_MARKERS)


def error_for(response: Response, now: float, message: str | None = None) -> HTTPStatusError:
    """The typed error an error response stands for (the caller decides whether to raise it)."""
    status = response.status
    url, body, request_id = response.url, excerpt(response.content), response.request_id
    if is_challenge(response):
        return Challenge(
            message or "anti-bot challenge page",
            status=status,
            url=url,
            body=body,
            request_id=request_id,
        )
    if status == 429:
        return RateLimited(
            message or "rate limited",
            url=url,
            body=body,
            request_id=request_id,
            retry_after=parse_retry_after(response.headers, now),
        )
    classes: dict[int, type[HTTPStatusError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound}
    klass = classes.get(status) or (ServerError if status >= 500 else ClientError)
    return klass(
        message or _reason(status), status=status, url=url, body=body, request_id=request_id
    )


def check_status(response: Response, now: float = 0.0) -> Response:
    """Return ``response`` if it succeeded (1xx-3xx), else raise its typed error."""
    if response.status < 400:
        return response
    raise error_for(response, now)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"
