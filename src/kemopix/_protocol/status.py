"""Turning error statuses into typed errors, and reading Retry-After."""

from __future__ import annotations

import email.utils
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

__all__ = ["check_status", "error_for", "is_challenge", "parse_retry_after"]

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
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


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
