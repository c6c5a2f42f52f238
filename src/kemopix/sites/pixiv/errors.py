"""pixiv's error answers as typed errors, and the retry policy that knows its throttling.

The App API answers errors as ``{"error": {"user_message", "message", "reason", ...}}`` and the
token endpoint as ``{"has_error": true, "errors": {"system": {"message", "code"}}}``
(pixiv-protocol.md §1.3-1.4). Every error raised here carries the API's own message.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

import msgspec

from ..._protocol.errors import (
    DecodeError,
    HTTPStatusError,
    KemopixError,
    RateLimited,
    Unauthorized,
    excerpt,
)
from ..._protocol.http import Response
from ..._protocol.retry import RetryPolicy
from ..._protocol.status import error_for, parse_retry_after

__all__ = [
    "PIXIV_RETRY",
    "InvalidToken",
    "NotAuthenticated",
    "OAuthError",
    "api_message",
    "check",
    "is_invalid_token",
    "is_rate_limit",
    "parse",
    "raise_for_error",
]

T = TypeVar("T")


class NotAuthenticated(KemopixError):
    """No access token and no refresh token: log in or authenticate first."""


class InvalidToken(Unauthorized):
    """The API refused the access token (pixiv answers 400, not 401) and it could not be renewed."""


class OAuthError(Unauthorized):
    """The token endpoint refused the grant (bad password, revoked refresh token, stale code)."""


class _ApiError(msgspec.Struct):
    user_message: str | None = None
    message: str | None = None
    reason: str | None = None


class _SystemError(msgspec.Struct):
    message: str | None = None
    code: int | None = None


class _OAuthErrors(msgspec.Struct):
    system: _SystemError | None = None


class _ErrorBody(msgspec.Struct):
    # "error" is an object on the API and a string ("invalid_grant") on the token endpoint.
    error: _ApiError | str | None = None
    errors: _OAuthErrors | None = None


_ERROR_DECODER = msgspec.json.Decoder(_ErrorBody)

# pixiv-protocol.md §1.4: an invalid or expired token is a 400 with this OAuth text.
_TOKEN_MARKERS = ("error occurred at the oauth process", "invalid_grant", "invalid_token")


def api_message(response: Response) -> str | None:
    """The human message of a pixiv error body (API or token endpoint), if there is one."""
    try:
        body = _ERROR_DECODER.decode(response.content)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if isinstance(body.error, _ApiError):
        err = body.error
        return err.message or err.user_message or err.reason or None
    if body.errors is not None and body.errors.system is not None:
        return body.errors.system.message or (body.error if isinstance(body.error, str) else None)
    return body.error if isinstance(body.error, str) else None


def is_rate_limit(response: Response) -> bool:
    """pixiv's throttling answer: 429, or a 403 whose error message says "Rate Limit"."""
    if response.status == 429:
        return True
    if response.status != 403 or b"rate limit" not in response.content.lower():
        return False
    message = api_message(response)
    return message is not None and "rate limit" in message.lower()


def is_invalid_token(response: Response) -> bool:
    """The API refused the bearer token (missing, malformed or expired)."""
    if response.status not in (400, 401):
        return False
    message = (api_message(response) or "").lower()
    return any(marker in message for marker in _TOKEN_MARKERS)


# The driver backs off on "Rate Limit" 403s as on 429s; Retry-After is honoured when sent.
PIXIV_RETRY = RetryPolicy(is_throttled=is_rate_limit)


def raise_for_error(response: Response, now: float | None = None) -> None:
    """Raise the typed error an error status stands for; return quietly on success."""
    if response.status < 400:
        return
    clock = time.time() if now is None else now
    message = api_message(response)
    body = excerpt(response.content)
    if is_rate_limit(response):
        raise RateLimited(
            message or "Rate Limit",
            status=response.status,
            url=response.url,
            body=body,
            request_id=response.request_id,
            retry_after=parse_retry_after(response.headers, clock),
        )
    if is_invalid_token(response):
        raise InvalidToken(
            message or "invalid access token",
            status=response.status,
            url=response.url,
            body=body,
            request_id=response.request_id,
        )
    error: HTTPStatusError = error_for(response, clock, message)
    raise error


_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


def parse(response: Response, type_: type[T]) -> T:
    """The body of a successful answer as ``type_``, or the typed error of a failed one."""
    raise_for_error(response)
    decoder = _DECODERS.get(type_)
    if decoder is None:
        decoder = _DECODERS[type_] = msgspec.json.Decoder(type_)
    try:
        return decoder.decode(response.content)  # type: ignore[no-any-return]
    except msgspec.ValidationError as exc:
        raise DecodeError(f"unexpected JSON shape: {exc}", url=response.url) from exc
    except msgspec.DecodeError as exc:
        raise DecodeError(
            f"expected JSON, got {excerpt(response.content, 120)!r}", url=response.url
        ) from exc


def check(response: Response) -> None:
    """Raise on an error answer; the body of a success (``{}`` for pixiv's POSTs) is ignored."""
    raise_for_error(response)
