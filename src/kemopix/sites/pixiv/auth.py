"""Tokens: the three grants, PKCE, and the authorized call that refreshes an expired token.

pixiv-protocol.md §1.3: ``POST {oauth}/auth/token`` (form) with ``client_id``, ``client_secret``,
``get_secure_url=1`` and a grant: ``password`` (dead on the real site since 2021, kept for
servers that still take it), ``refresh_token``, or ``authorization_code`` (PKCE, today's login).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import msgspec
from msgspec import Struct

from ..._protocol.errors import DecodeError, excerpt
from ..._protocol.flow import Flow
from ..._protocol.http import Request, Response
from ..._protocol.raw import RawBody, keep_body
from ..._protocol.secrets import Secret
from .errors import (
    NotAuthenticated,
    OAuthError,
    api_message,
    is_invalid_token,
    is_rate_limit,
    parse,
    raise_for_error,
)
from .models import TokenEnvelope, TokenResponse, TokenUser
from .site import PKCE_REDIRECT_URI, PixivSite, client_time_headers

__all__ = [
    "PKCE_USER_AGENT",
    "PixivAuth",
    "Pkce",
    "authorized",
    "code_grant",
    "get",
    "make_pkce",
    "password_grant",
    "post",
    "refresh",
    "refresh_grant",
]

T = TypeVar("T")

# pixiv-protocol.md §1.3 step 3: the code grant goes out as the Android app.
PKCE_USER_AGENT = "PixivAndroidApp/5.0.234 (Android 11; Pixel 5)"
# Renew a little before the announced expiry so a request never races the deadline.
EXPIRY_MARGIN = 60.0


class Pkce(Struct, frozen=True):
    """One PKCE login: open ``url`` in a browser, then exchange the ``code`` with ``verifier``."""

    verifier: str
    challenge: str
    url: str

    def __repr__(self) -> str:
        return f"Pkce(challenge={self.challenge!r}, url={self.url!r})"


def make_pkce(site: PixivSite | None = None) -> Pkce:
    """A fresh code_verifier, its S256 challenge and the login URL to open."""
    site = site or PixivSite()
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    query = urlencode(
        {"code_challenge": challenge, "code_challenge_method": "S256", "client": "pixiv-android"}
    )
    return Pkce(verifier, challenge, f"{site.api_url}/web/v1/login?{query}")


class PixivAuth:
    """The tokens of one session, shared by every flow of a client (sync or async).

    ``clock`` is monotonic seconds; an access token is renewed ``EXPIRY_MARGIN`` seconds before
    the ``expires_in`` the server announced. ``generation`` counts renewals, so a flow that got
    an "invalid token" answer can tell whether another flow renewed the token meanwhile.
    """

    def __init__(
        self,
        refresh_token: str | None = None,
        access_token: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.refresh_token: Secret | None = Secret(refresh_token) if refresh_token else None
        self.access_token: Secret | None = Secret(access_token) if access_token else None
        self.expires_at: float | None = None
        self.user: TokenUser | None = None
        self.user_json: Any = None  # ``user`` as received
        self.generation = 0
        self.refreshing = False
        self.clock = clock

    def store(self, token: TokenResponse) -> None:
        """Keep the tokens of a successful grant."""
        self.access_token = Secret(token.access_token)
        self.refresh_token = Secret(token.refresh_token)
        self.expires_at = self.clock() + max(0, token.expires_in)
        if token.user is not None:
            self.user = token.user
            self.user_json = token.user_json
        self.generation += 1

    def clear(self) -> None:
        self.access_token = self.refresh_token = None
        self.expires_at = None
        self.user = self.user_json = None
        self.generation += 1

    @property
    def expired(self) -> bool:
        """No access token, or one at (or within the margin of) its announced expiry."""
        if self.access_token is None:
            return True
        return self.expires_at is not None and self.clock() >= self.expires_at - EXPIRY_MARGIN

    def bearer(self) -> str | None:
        return self.access_token.reveal() if self.access_token else None

    def __repr__(self) -> str:
        state = "authenticated" if self.access_token else "anonymous"
        return f"<PixivAuth {state} generation={self.generation}>"


# -- grants -----------------------------------------------------------------------------------
def _token_request(
    site: PixivSite, grant: dict[str, str], *, user_agent: str | None = None, retry: bool = False
) -> Request:
    headers = {**site.headers(), **client_time_headers()}
    if user_agent:
        headers["User-Agent"] = user_agent
    form = {
        "client_id": site.client_id,
        "client_secret": site.client_secret,
        "get_secure_url": "1",
        **grant,
    }
    return Request.build("POST", site.token_url, headers=headers, data=form, retry=retry)


def _parse_token(response: Response) -> TokenResponse:
    if 400 <= response.status < 500 and not is_rate_limit(response):
        raise OAuthError(
            api_message(response) or "the token endpoint refused the grant",
            status=response.status,
            url=response.url,
            body=excerpt(response.content),
            request_id=response.request_id,
        )
    token = parse(response, TokenEnvelope).token()  # rate limits and 5xx raise here
    if token is None:
        raise DecodeError(
            f"token answer without access_token/refresh_token: {excerpt(response.content, 120)}",
            url=response.url,
        )
    if token.user is not None:
        data = msgspec.json.decode(response.content)
        user = (data.get("response") or data).get("user")
        token.user_json = user if isinstance(user, dict) else None
    return token


def password_grant(site: PixivSite, username: str, password: str) -> Flow[TokenResponse]:
    """The seed's ``login``: dead on pixiv since 2021; emulators and old servers take it."""
    grant = {"grant_type": "password", "username": username, "password": password}
    response = yield _token_request(site, grant)
    return _parse_token(response)


def refresh_grant(site: PixivSite, refresh_token: str) -> Flow[TokenResponse]:
    """A new access token (and refresh token) from a refresh token."""
    grant = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    # Safe to send twice: a refresh token stays valid after use (pixiv-protocol.md §1.3).
    response = yield _token_request(site, grant, retry=True)
    return _parse_token(response)


def code_grant(site: PixivSite, code: str, verifier: str) -> Flow[TokenResponse]:
    """Exchange the PKCE ``code`` (valid about 30 s) and its ``verifier`` for tokens."""
    grant = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": PKCE_REDIRECT_URI,
        "include_policy": "true",
    }
    response = yield _token_request(site, grant, user_agent=PKCE_USER_AGENT)
    return _parse_token(response)


def refresh(site: PixivSite, auth: PixivAuth) -> Flow[TokenResponse]:
    """Renew ``auth``'s access token with its refresh token."""
    if auth.refresh_token is None:
        raise NotAuthenticated("no refresh token: log in or authenticate first")
    auth.refreshing = True
    try:
        token = yield from refresh_grant(site, auth.refresh_token.reveal())
    finally:
        auth.refreshing = False
    auth.store(token)
    return token


# -- authorized calls -------------------------------------------------------------------------
def authorized(
    site: PixivSite, auth: PixivAuth, build: Callable[[str | None], Request]
) -> Flow[Response]:
    """Send ``build(access_token)``, renewing the token first when it has expired, and once more
    (then replaying the request, once) when the API says the token is invalid.
    """
    if auth.expired:
        if auth.refresh_token is not None:
            # Another flow already renewing a still-usable token: use it meanwhile.
            if auth.access_token is None or not auth.refreshing:
                yield from refresh(site, auth)
        elif auth.access_token is None:
            raise NotAuthenticated("not authenticated: call login() or authenticate() first")
    generation = auth.generation
    response = yield build(auth.bearer())
    if auth.refresh_token is not None and is_invalid_token(response):
        if auth.generation == generation:
            yield from refresh(site, auth)
        response = yield build(auth.bearer())
    return response


def get(site: PixivSite, auth: PixivAuth, cursor: str, type_: type[T]) -> Flow[T]:
    """GET an API path (``/v1/...?query``, or a ``next_url``) and decode it as ``type_``."""
    url = site.api(cursor)

    def build(token: str | None) -> Request:
        return Request.build("GET", url, headers=site.headers(token))

    response = yield from authorized(site, auth, build)
    return parse(response, type_)


def get_raw(
    site: PixivSite, auth: PixivAuth, cursor: str, type_: type[T]
) -> Flow[tuple[T, RawBody]]:
    """``get``, and the answer's JSON as received (decoded only when read)."""
    return keep_body(get(site, auth, cursor, type_))


def post(site: PixivSite, auth: PixivAuth, path: str, form: dict[str, object]) -> Flow[None]:
    """POST a form to an API path; pixiv answers ``{}``, so only the status matters."""
    url = site.api(path)

    def build(token: str | None) -> Request:
        # Setting a bookmark or a follow twice is harmless: these POSTs may be retried.
        return Request.build("POST", url, headers=site.headers(token), data=form, retry=True)

    response = yield from authorized(site, auth, build)
    raise_for_error(response)
