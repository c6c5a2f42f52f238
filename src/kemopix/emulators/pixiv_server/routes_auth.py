"""OAuth: ``POST /auth/token`` (password, refresh_token, authorization_code grants) and the
emulator's simplified login page ``GET /web/v1/login`` (pixiv-protocol.md §1.3)."""

from __future__ import annotations

import hashlib
import html
import secrets
from urllib.parse import urlencode

from aiohttp import web

from .context import ctx
from .errors import PASSWORD_GRANT_REFUSED, json_response, token_error

__all__ = ["CLIENTS", "HASH_SECRET", "REDIRECT_URI", "routes"]

# §1.3: the old Android pair (the seed's default) and the pair pixivpy and gallery-dl send.
CLIENTS: dict[str, str] = {
    "KzEZED7aC0vird8jWyHM38mXjNTY": "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNlUGP",
    "MOBrBDS8blbauoSck0ZfDbtuzpyT": "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj",
}
HASH_SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
REDIRECT_URI = "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback"


def _hash_ok(request: web.Request) -> bool:
    # §1.2: check the hash only, never the clock (pixivpy formats local time as UTC).
    client_time = request.headers.get("X-Client-Time", "")
    client_hash = request.headers.get("X-Client-Hash", "")
    expected = hashlib.md5((client_time + HASH_SECRET).encode()).hexdigest()
    return bool(client_time) and secrets.compare_digest(client_hash.lower(), expected)


async def token(request: web.Request) -> web.Response:
    context = ctx(request)
    state = context.state
    form = await request.post()
    client_id = str(form.get("client_id", ""))
    secret = CLIENTS.get(client_id)
    if secret is None or not secrets.compare_digest(secret, str(form.get("client_secret", ""))):
        # assumption: the live server's wording for unknown client credentials.
        return token_error("Invalid client_id or client_secret", "invalid_client")
    if context.require_client_hash and not _hash_ok(request):
        # assumption: wording for a missing or wrong X-Client-Hash.
        return token_error("Invalid X-Client-Hash", "invalid_request")
    grant = form.get("grant_type")
    user_id: int | None = None
    with_device = False
    account = None
    if grant == "password" and not context.password_grant:
        # Live since 2021: refused like an unknown grant (PixivEmulator(password_grant=True)
        # brings the seed's login back).
        return token_error(PASSWORD_GRANT_REFUSED)
    if grant == "password":
        account = state.check_password(str(form.get("username", "")), str(form.get("password", "")))
        if account is None:
            return token_error("Invalid username or password")
        user_id = account.user_id
        with_device = True
    elif grant == "refresh_token":
        account = state.refresh_tokens.get(str(form.get("refresh_token", "")))
        if account is None:
            return token_error("Invalid refresh token")
        user_id = account.user_id
    elif grant == "authorization_code":
        if form.get("redirect_uri", REDIRECT_URI) != REDIRECT_URI:
            return token_error("Invalid redirect_uri")
        user_id = state.redeem_code(str(form.get("code", "")), str(form.get("code_verifier", "")))
        if user_id is None:
            return token_error("Invalid authorization code")
        with_device = True
    else:
        return token_error(PASSWORD_GRANT_REFUSED, "unsupported_grant_type")
    account = account or state.account_of(user_id)
    access = state.issue_token(user_id)
    payload: dict[str, object] = {
        "access_token": access,
        "expires_in": int(state.access_token_ttl),
        "token_type": "bearer",
        "scope": "",
        "refresh_token": account.refresh_token if account else "",
        "user": context.shapes_for(request).account_user(
            state.users[user_id], account.mail_address if account else ""
        ),
    }
    if with_device:
        payload["device_token"] = hashlib.md5(f"device:{user_id}".encode()).hexdigest()
    return json_response({**payload, "response": payload})


_LOGIN_FORM = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pixiv login (emulator)</title></head><body>
<h1>Log in to the Pixiv emulator</h1>{error}
<form method="get" action="/web/v1/login">{hidden}
<label>pixiv ID <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Login</button></form></body></html>"""


async def login(request: web.Request) -> web.Response:
    """Emulator simplification: credentials come as ``username``/``password`` query params.

    On success the answer is the final redirect of the real flow,
    ``302 pixiv://account/login?code=...&via=login``; otherwise an HTML form.
    """
    query = request.query
    challenge = query.get("code_challenge", "")
    if not challenge or query.get("code_challenge_method") != "S256":
        return web.Response(
            text="code_challenge with code_challenge_method=S256 is required", status=400
        )
    state = ctx(request).state
    username, password = query.get("username"), query.get("password")
    error = ""
    if username is not None and password is not None:
        account = state.check_password(username, password)
        if account is not None:
            code = state.issue_code(account.user_id, challenge)
            location = "pixiv://account/login?" + urlencode({"code": code, "via": "login"})
            raise web.HTTPFound(location)
        error = "<p class='error'>The pixiv ID or password is incorrect.</p>"
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in query.items()
        if k not in ("username", "password")
    )
    page = _LOGIN_FORM.format(error=error, hidden=hidden)
    return web.Response(text=page, content_type="text/html", status=200)


routes = [web.post("/auth/token", token), web.get("/web/v1/login", login)]
