"""Authentication, account, favorites, moderator and administrator endpoints (§2.5-§2.8).

Sign-in is cookie based: the login answer sets ``session``, which the transport's cookie jar
keeps. Bodies carrying passwords are never put into errors (``redact_text`` masks them anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from ..._protocol.errors import InvalidInput, Unauthorized
from ..._protocol.flow import Flow
from ..._protocol.http import Response
from ._common import fetch_answers, fetch_list, unwrap
from .answers import Answer, Undecodable
from .errors import (
    InsufficientRole,
    InvalidCredentials,
    LoginConflict,
    LoginFailed,
    PasswordChangeFailed,
    RegistrationFailed,
    RegistrationRejected,
    api_error,
    expect_ok,
)
from .models import Account, CreatorProfile, LinkRequest, Post, convert
from .site import KemonoSite, seg

__all__ = [
    "FavoriteKind",
    "account",
    "approve_link_request",
    "change_password",
    "change_roles",
    "favorite_creators",
    "favorite_post_answers",
    "favorite_posts",
    "link_requests",
    "login",
    "login_flow",
    "logout",
    "register",
    "reject_link_request",
    "session_cookie",
    "set_favorite",
    "view_accounts",
]

FavoriteKind = Literal["creator", "post"]


def login(site: KemonoSite, username: str, password: str) -> Flow[Account]:
    """Sign in; 400 → ``InvalidCredentials``, 409 → ``LoginConflict``, else ``LoginFailed``."""
    body = {"username": username, "password": password}
    response = yield site.request("POST", "/authentication/login", json=body, retry=False)
    if response.status >= 400:
        klass = {400: InvalidCredentials, 409: LoginConflict}.get(response.status, LoginFailed)
        raise api_error(response, klass, "login failed")
    return _account(response)


def session_cookie(set_cookie: str | None) -> str | None:
    """The value of ``session`` in a Set-Cookie header (several may be joined by commas)."""
    match = re.search(r"(?:^|[,;]\s*)session=([^;,\s]+)", set_cookie or "")
    return match.group(1) if match else None


def login_flow(site: KemonoSite, username: str, password: str) -> Flow[str]:
    """:func:`login` for clients without a cookie jar: the ``session`` cookie it set (send it
    with ``KemonoSite.with_session_cookie``); the same typed errors."""
    inner = login(site, username, password)
    response = yield next(inner)
    try:
        inner.send(response)  # raises the typed login errors
    except StopIteration:
        pass
    cookie = session_cookie(response.headers.get("set-cookie"))
    if cookie is None:
        raise Unauthorized(f"{site.host}: the login answer set no session cookie", status=401)
    return cookie


def _account(response: Response) -> Account:
    # assumption: tolerate an ``{"account": ...}`` wrapper
    result: Account = convert(unwrap(response.json(), "account"), Account, response.url)
    return result


def register(site: KemonoSite, username: str, password: str) -> Flow[None]:
    """Create an account; 400 → ``RegistrationRejected``, other failures ``RegistrationFailed``."""
    body = {
        "username": username,
        "password": password,
        "confirm_password": password,
        "favorites_json": "",
    }
    response = yield site.request("POST", "/authentication/register", json=body, retry=False)
    if response.status >= 400:
        klass = RegistrationRejected if response.status == 400 else RegistrationFailed
        raise api_error(response, klass, "registration failed")


def logout(site: KemonoSite) -> Flow[None]:
    """Sign out (the server forgets the session cookie)."""
    expect_ok((yield site.request("POST", "/authentication/logout", retry=False)))


def account(site: KemonoSite) -> Flow[Account]:
    """The signed-in account (401 when signed out)."""
    response = expect_ok((yield site.request("GET", "/account")))
    return _account(response)


def change_password(site: KemonoSite, current: str, new: str) -> Flow[None]:
    """Change the password; any refusal is ``PasswordChangeFailed`` with the server's message."""
    body = {
        "current-password": current,
        "new-password": new,
        "new-password-confirmation": new,
    }
    response = yield site.request("POST", "/account/change_password", json=body, retry=False)
    if response.status >= 400:
        raise api_error(response, PasswordChangeFailed, "password change failed")


def favorite_creators(site: KemonoSite) -> Flow[list[CreatorProfile]]:
    """The signed-in account's favorite creators (401 when signed out)."""
    request = site.request("GET", "/account/favorites", params={"type": "artist"})
    return fetch_list(request, CreatorProfile)


def favorite_posts(site: KemonoSite) -> Flow[list[Post]]:
    """The signed-in account's favorite posts (401 when signed out)."""
    request = site.request("GET", "/account/favorites", params={"type": "post"})
    return fetch_list(request, Post)


def favorite_post_answers(site: KemonoSite) -> Flow[list[Answer[Post] | Undecodable]]:
    """:func:`favorite_posts` with each post's JSON; a bad item is ``Undecodable``."""
    request = site.request("GET", "/account/favorites", params={"type": "post"})
    return fetch_answers(request, Post, "favorite post")


def set_favorite(
    site: KemonoSite,
    kind: FavoriteKind,
    service: str,
    creator_id: str,
    post_id: str | None = None,
    *,
    add: bool = True,
) -> Flow[None]:
    """Add (POST) or remove (DELETE) a favorite creator or post; both are idempotent (§2.6)."""
    path = f"/favorites/{kind}/{seg(service)}/{seg(creator_id)}"
    if kind == "post":
        if post_id is None:
            raise InvalidInput("a post favorite needs a post id")
        path += f"/{seg(post_id)}"
    expect_ok((yield site.request("POST" if add else "DELETE", path)))


def _privileged(response: Response, role: str) -> Response:
    if response.status == 404:
        raise api_error(response, InsufficientRole, f"{role} role required")
    return expect_ok(response)


def link_requests(site: KemonoSite) -> Flow[list[LinkRequest]]:
    """Moderator: pending creator link requests (404 → ``InsufficientRole``)."""
    response = _privileged(
        (yield site.request("GET", "/account/moderator/tasks/creator_links")), "moderator"
    )
    result: list[LinkRequest] = convert(response.json(), list[LinkRequest], response.url)
    return result


def _review(site: KemonoSite, request_id: int, verdict: str) -> Flow[bool]:
    path = f"/account/moderator/creator_link_requests/{seg(request_id)}/{verdict}"
    _privileged((yield site.request("POST", path, retry=False)), "moderator")
    return True


def approve_link_request(site: KemonoSite, request_id: int) -> Flow[bool]:
    """Moderator: approve a link request."""
    return _review(site, request_id, "approve")


def reject_link_request(site: KemonoSite, request_id: int) -> Flow[bool]:
    """Moderator: reject a link request."""
    return _review(site, request_id, "reject")


def view_accounts(
    site: KemonoSite,
    *,
    name: str | None = None,
    role: str | None = None,
    page: int | None = None,
    limit: int | None = None,
) -> Flow[list[Account]]:
    """Administrator: list accounts, only the given filters sent (404 → ``InsufficientRole``)."""
    for label, value in (("page", page), ("limit", limit)):
        if value is not None and value <= 0:
            raise InvalidInput(f"{label} must be at least 1, got {value}")
    params = {"name": name, "role": role, "page": page, "limit": limit}
    response = _privileged(
        (yield site.request("GET", "/account/administrator/accounts", params=params)),
        "administrator",
    )
    data = response.json()
    rows = data.get("accounts") if isinstance(data, dict) else data
    result: list[Account] = convert(rows, list[Account], response.url)
    return result


def change_roles(
    site: KemonoSite, moderators: Iterable[int | str], consumers: Iterable[int | str]
) -> Flow[bool]:
    """Administrator: make accounts moderators or consumers (404 → ``InsufficientRole``)."""
    body = {"moderator": [int(i) for i in moderators], "consumer": [int(i) for i in consumers]}
    request = site.request("POST", "/account/administrator/accounts", json=body, retry=False)
    _privileged((yield request), "administrator")
    return True
