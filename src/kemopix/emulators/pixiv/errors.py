"""pixiv's error answers, byte for byte where the protocol notes know them.

App API errors are ``{"error": {"user_message", "message", "reason", "user_message_details"}}``
(pixiv-protocol.md §1.4); the token endpoint answers
``{"has_error": true, "errors": {"system": {"message", "code"}}, "error": "..."}`` (§1.3); the
image host answers nginx HTML pages.
"""

from __future__ import annotations

import json
from http import HTTPStatus

import msgspec
from aiohttp import web

__all__ = [
    "MSG_BAD_REQUEST",
    "MSG_NO_ENDPOINT",
    "MSG_NO_USER",
    "MSG_NO_WORK",
    "MSG_RESTRICTED",
    "OAUTH_INVALID_GRANT",
    "RATE_LIMIT_MESSAGE",
    "ApiFailure",
    "api_error",
    "html_error",
    "invalid_param",
    "invalid_token",
    "json_response",
    "oauth_error",
]

RATE_LIMIT_MESSAGE = "Rate Limit"
MSG_NO_ENDPOINT = "指定されたエンドポイントは存在しません"
MSG_NO_WORK = "該当作品は削除されたか、存在しない作品IDです。"
MSG_NO_USER = "該当ユーザーは既に退会したか、存在しないユーザーIDです"
MSG_BAD_REQUEST = "不正なリクエストです。"
MSG_RESTRICTED = "Your access is currently restricted."
OAUTH_PREFIX = "Error occurred at the OAuth process. Please check your Access Token to fix this."
OAUTH_INVALID_GRANT = f"{OAUTH_PREFIX} Error Message: invalid_grant"

_ENCODER = msgspec.json.Encoder()


def json_response(data: object, status: int = 200) -> web.Response:
    """A JSON answer as the App API sends it (``application/json; charset=utf-8``)."""
    return web.Response(
        body=_ENCODER.encode(data), status=status, content_type="application/json", charset="utf-8"
    )


def api_error(status: int, *, user_message: str = "", message: str = "") -> web.Response:
    body = {
        "error": {
            "user_message": user_message,
            "message": message,
            "reason": "",
            "user_message_details": {},
        }
    }
    return json_response(body, status)


class ApiFailure(Exception):
    """Raised by handlers with the error answer to send (a middleware returns it)."""

    def __init__(self, response: web.StreamResponse) -> None:
        super().__init__(getattr(response, "status", 0))
        self.response = response


def invalid_token(grant: str) -> ApiFailure:
    """400 for a missing (``invalid_request``) or bad/expired (``invalid_grant``) token."""
    return ApiFailure(api_error(400, message=f"{OAUTH_PREFIX} Error Message: {grant}"))


def invalid_param(name: str) -> ApiFailure:
    # assumption: the docs show no sample of a validation error; this follows the
    # field -> messages object pixiv's web API uses, serialized into "message".
    text = json.dumps({name: [f"Invalid {name}"]}, ensure_ascii=False)
    return ApiFailure(api_error(400, message=text))


def oauth_error(
    message: str, *, code: int = 1508, error: str = "invalid_grant", status: int = 400
) -> web.Response:
    """The token endpoint's failure body (pixiv-protocol.md §1.3)."""
    body = {"has_error": True, "errors": {"system": {"message": message, "code": code}}}
    body["error"] = error
    return json_response(body, status)


def html_error(status: int) -> web.Response:
    """The nginx page i.pximg.net answers errors with."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    text = (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return web.Response(text=text, status=status, content_type="text/html")
