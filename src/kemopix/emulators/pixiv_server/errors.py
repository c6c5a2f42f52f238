"""Pixiv's error bodies (pixiv-protocol.md §1.3 and §1.4) as aiohttp responses."""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

__all__ = [
    "BAD_REQUEST_MESSAGE",
    "ENDPOINT_MISSING",
    "PASSWORD_GRANT_REFUSED",
    "PRIVATE_TAGS_REFUSED",
    "WORK_MISSING",
    "api_error",
    "challenge_page",
    "error_page",
    "json_response",
    "oauth_error",
    "token_error",
]

_encoder = msgspec.json.Encoder()

ENDPOINT_MISSING = "指定されたエンドポイントは存在しません"
BAD_REQUEST_MESSAGE = "不正なリクエストです。"
# assumption: the live message for a deleted or unknown work id (seen in client bug reports).
WORK_MISSING = "該当作品は削除されたか、存在しない作品IDです。"
# assumption: the wording; the live answer is an error (the seed: "Will raise an error").
PRIVATE_TAGS_REFUSED = "Private bookmark tags of other users are not available"
# Live since 2021 (pixiv-protocol.md §1.3): the password grant is refused with this message.
PASSWORD_GRANT_REFUSED = "Invalid grant_type parameter or parameter missing"
_OAUTH_MESSAGE = (
    "Error occurred at the OAuth process. Please check your Access Token to fix this. "
    "Error Message: {}"
)


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response encoded with msgspec (the fast path of every endpoint)."""
    return web.Response(
        body=_encoder.encode(data),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


def api_error(
    status: int, user_message: str = "", message: str = "", reason: str = ""
) -> web.Response:
    """The App API's usual error body: ``{"error": {user_message, message, reason, ...}}``."""
    body = {
        "error": {
            "user_message": user_message,
            "message": message,
            "reason": reason,
            "user_message_details": {},
        }
    }
    return json_response(body, status)


def oauth_error(kind: str) -> web.Response:
    """No Bearer token (``invalid_request``) or a bad/expired one (``invalid_grant``): HTTP 400."""
    return api_error(400, message=_OAUTH_MESSAGE.format(kind))


def token_error(message: str, error: str = "invalid_grant", code: int = 1508) -> web.Response:
    """A failed ``/auth/token`` call: HTTP 400 with the documented ``has_error`` body."""
    body = {
        "has_error": True,
        "errors": {"system": {"message": message, "code": code}},
        "error": error,
    }
    return json_response(body, 400)


def challenge_page() -> web.Response:
    """An anti-bot interstitial (fault kind ``challenge``): HTML with status 403."""
    html = (
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
        "<body><h1>Checking your browser before accessing pixiv.net.</h1></body></html>"
    )
    return web.Response(text=html, status=403, content_type="text/html")


def error_page(status: int, request: web.Request) -> web.StreamResponse:
    """The body an injected fault answers with, shaped like the live site's for ``status``."""
    if status == -1:
        return challenge_page()
    if request.path == "/auth/token" and status == 400:
        return token_error("Invalid refresh token")
    if status == 404:
        return api_error(404, user_message=ENDPOINT_MISSING)
    if status in (403, 429):
        # pixiv-protocol.md §1.4: clients detect rate limiting by the "Rate Limit" text.
        return api_error(status, message="Rate Limit")
    if status == 400:
        return oauth_error("invalid_grant")
    return api_error(status, message=web.Response(status=status).reason or "Error")
