"""Kemono's error answers as typed errors: ``{"error": ...}`` bodies and per-endpoint statuses.

kemono-protocol.md §1: 404 means "not found" and, on moderator/administrator endpoints, "your
role is too low"; 409 means "already" (logged in, flagged); 400 means bad input.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ..._protocol.errors import Challenge, ClientError, HTTPStatusError, NotFound, excerpt
from ..._protocol.http import Response
from ..._protocol.status import error_for

__all__ = [
    "AlreadyFlagged",
    "InsufficientRole",
    "InvalidCredentials",
    "LoginConflict",
    "LoginFailed",
    "PasswordChangeFailed",
    "RegistrationFailed",
    "RegistrationRejected",
    "api_error",
    "expect_ok",
    "is_guard_refusal",
    "server_message",
]


class LoginFailed(HTTPStatusError):
    """The site refused a login."""


class InvalidCredentials(LoginFailed, ClientError):
    """400 on login: wrong user name or password."""


class LoginConflict(LoginFailed, ClientError):
    """409 on login: this client is already logged in."""


class RegistrationFailed(HTTPStatusError):
    """The site refused a registration."""


class RegistrationRejected(RegistrationFailed, ClientError):
    """400 on register: empty field, mismatch, or the name is taken."""


class PasswordChangeFailed(HTTPStatusError):
    """The site refused a password change (wrong current password, mismatch...)."""


class InsufficientRole(NotFound):
    """404 from a moderator/administrator endpoint: the account's role is too low."""


class AlreadyFlagged(ClientError):
    """409 on flagging a post that is already flagged."""


def server_message(response: Response) -> str | None:
    """The ``error`` field of a JSON error body, if there is one."""
    try:
        data: Any = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return None
    if isinstance(data, dict):
        message = data.get("error")
        if isinstance(message, str) and message:
            return message
    return None


def is_guard_refusal(response: Response) -> bool:
    """DDoS-Guard's 403 for a request without ``Accept: text/css``: a short plain-text (not
    HTML) body sent as ``application/octet-stream`` with ``Server: ddos-guard`` (live)."""
    return response.status == 403 and "ddos-guard" in response.headers.get("server", "").lower()


def api_error(
    response: Response,
    klass: type[HTTPStatusError] | None = None,
    message: str | None = None,
) -> HTTPStatusError:
    """The typed error for an error response; ``klass`` overrides the status-based class."""
    text = server_message(response) or message
    if klass is None and is_guard_refusal(response):
        klass, text = Challenge, "DDoS-Guard refused the request (it wants Accept: text/css)"
    if klass is None:
        return error_for(response, 0.0, text)
    return klass(
        text or f"HTTP {response.status}",
        status=response.status,
        url=response.url,
        body=excerpt(response.content),
        request_id=response.request_id,
    )


def expect_ok(response: Response) -> Response:
    """Return ``response`` if it succeeded, else raise the typed error it stands for."""
    if response.status < 400:
        return response
    raise api_error(response)
