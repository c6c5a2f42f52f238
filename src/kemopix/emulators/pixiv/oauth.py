"""OAuth: ``POST /auth/token`` (password, refresh_token and PKCE authorization_code grants) and
the browser login steps that hand out a code (pixiv-protocol.md §1.2-1.3).

Login flow: ``GET /web/v1/login?code_challenge=…&code_challenge_method=S256&client=pixiv-android``
shows a form (or takes ``user``/``password`` in the query), then redirects to
``/web/v1/users/auth/pixiv/callback?state=…&code=…``, which redirects to
``pixiv://account/login?code=…&via=login`` as live.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import secrets
from collections.abc import Mapping

from aiohttp import web

from .context import CONFIG, STATE, VIEWS
from .errors import json_response, oauth_error
from .shapes import token_user_shape

__all__ = [
    "CLIENTS",
    "HASH_SECRET",
    "PKCE_REDIRECT_URI",
    "oauth_routes",
    "pkce_challenge",
    "token_body",
]

# (client_id, client_secret): the seed's old Android pair and the iOS pair of pixivpy,
# pixivpy-async and gallery-dl (pixiv-protocol.md §1.3; the seed text's capital I is a typo).
CLIENTS = {
    "KzEZED7aC0vird8jWyHM38mXjNTY": "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNlUGP",
    "MOBrBDS8blbauoSck0ZfDbtuzpyT": "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj",
}
HASH_SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
PKCE_REDIRECT_URI = "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback"
MSG_BAD_PASSWORD = "103:pixiv ID、またはメールアドレス、パスワードが正しいかチェックしてください。"
MSG_BAD_GRANT_TYPE = "Invalid grant_type parameter or parameter missing"


def pkce_challenge(verifier: str) -> str:
    """base64url(SHA-256(verifier)) without padding (S256)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _client_hash_ok(headers: Mapping[str, str]) -> bool:
    # pixiv-protocol.md §1.2: check the hash only, not the clock (pixivpy sends local time).
    moment, given = headers.get("X-Client-Time"), headers.get("X-Client-Hash")
    if not moment or not given:
        return False
    expected = hashlib.md5((moment + HASH_SECRET).encode("utf-8")).hexdigest()
    return secrets.compare_digest(expected, given.lower())


def token_body(request: web.Request, user_id: int, *, device: bool) -> dict[str, object]:
    """A token answer: the fields at the top level and again under ``response``."""
    app = request.app
    state, config = app[STATE], app[CONFIG]
    row = state.user(user_id)
    assert row is not None
    ttl = config.access_token_ttl
    inner: dict[str, object] = {
        "access_token": state.tokens.issue(user_id, ttl),
        "expires_in": max(1, math.ceil(ttl)),
        "token_type": "bearer",
        "scope": "",
        "refresh_token": state.refresh_token_of(user_id),
        "user": token_user_shape(row, app[VIEWS].images),
    }
    if device:
        inner["device_token"] = secrets.token_hex(16)
    return {**inner, "response": dict(inner)}


async def auth_token(request: web.Request) -> web.Response:
    app = request.app
    state, config = app[STATE], app[CONFIG]
    form = await request.post()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if config.require_client_hash and not _client_hash_ok(request.headers):
        # assumption: the docs name the check but not its failure body.
        return oauth_error("Invalid X-Client-Hash", error="invalid_request")
    client_id, secret = fields.get("client_id", ""), fields.get("client_secret", "")
    if client_id not in CLIENTS or not secrets.compare_digest(CLIENTS[client_id], secret):
        return oauth_error("Invalid client_id or client_secret", error="invalid_client")
    grant = fields.get("grant_type", "")
    if grant == "password":
        if not config.allow_password_grant:
            return oauth_error(MSG_BAD_GRANT_TYPE)
        user_id = state.login(fields.get("username", ""), fields.get("password", ""))
        if user_id is None:
            return oauth_error(MSG_BAD_PASSWORD)
        return json_response(token_body(request, user_id, device=True))
    if grant == "refresh_token":
        user_id = state.user_for_refresh_token(fields.get("refresh_token", ""))
        if user_id is None:
            return oauth_error("Invalid refresh token")
        return json_response(token_body(request, user_id, device=False))
    if grant == "authorization_code":
        code = state.tokens.take_code(fields.get("code", ""))
        if code is None or fields.get("redirect_uri") != PKCE_REDIRECT_URI:
            return oauth_error("Invalid authorization code")
        verifier = fields.get("code_verifier", "")
        expected = pkce_challenge(verifier) if code.method == "S256" else verifier
        if not verifier or not secrets.compare_digest(expected, code.challenge):
            return oauth_error("Invalid code_verifier")
        return json_response(token_body(request, code.user_id, device=True))
    return oauth_error(MSG_BAD_GRANT_TYPE, error="unsupported_grant_type")


def _login_form(params: Mapping[str, str], message: str = "") -> web.Response:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
        for name in ("code_challenge", "code_challenge_method", "client")
    )
    notice = f'<p class="error">{html.escape(message)}</p>' if message else ""
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>pixiv login (kemopix emulator)</title></head><body>"
        f'<h1>Log in</h1>{notice}<form method="post" action="/web/v1/login">{hidden}'
        '<label>pixiv ID or e-mail <input name="username" autocomplete="username"></label>'
        '<label>Password <input name="password" type="password"></label>'
        '<button type="submit">Log in</button></form></body></html>'
    )
    return web.Response(text=page, content_type="text/html", status=200 if not message else 401)


async def login_page(request: web.Request) -> web.Response:
    params: dict[str, str] = dict(request.query)
    if request.method == "POST":
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    challenge = params.get("code_challenge", "")
    method = params.get("code_challenge_method", "S256")
    if not challenge or method not in ("S256", "plain"):
        return web.Response(text="code_challenge is required", status=400)
    username = params.get("username") or params.get("user") or params.get("pixiv_id")
    password = params.get("password")
    if username is None or password is None:
        return _login_form(params)
    state = request.app[STATE]
    user_id = state.login(username, password)
    if user_id is None:
        return _login_form(params, MSG_BAD_PASSWORD)
    code = state.tokens.issue_code(user_id, challenge, method)
    target = f"/web/v1/users/auth/pixiv/callback?state={secrets.token_urlsafe(16)}&code={code}"
    return web.Response(status=302, headers={"Location": target})


async def login_callback(request: web.Request) -> web.Response:
    code = request.query.get("code", "")
    if not code:
        return web.Response(text="code is required", status=400)
    location = f"pixiv://account/login?code={code}&via=login"
    return web.Response(status=302, headers={"Location": location})


def oauth_routes() -> list[web.RouteDef]:
    return [
        web.post("/auth/token", auth_token),
        web.get("/web/v1/login", login_page),
        web.post("/web/v1/login", login_page),
        web.get("/web/v1/users/auth/pixiv/callback", login_callback),
    ]
