"""The token endpoint and the PKCE login pages over real HTTP (pixiv-protocol.md §1.2-1.4)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from kemopix.emulators.pixiv import PixivEmulator

HASH_SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
IOS = ("MOBrBDS8blbauoSck0ZfDbtuzpyT", "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj")
ANDROID = ("KzEZED7aC0vird8jWyHM38mXjNTY", "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNlUGP")
CALLBACK = "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback"
TOKEN_KEYS = {"access_token", "expires_in", "token_type", "scope", "refresh_token", "user"}
USER_KEYS = {
    "profile_image_urls",
    "id",
    "name",
    "account",
    "mail_address",
    "is_premium",
    "x_restrict",
    "is_mail_authorized",
    "require_policy_agreement",
}
OAUTH_MESSAGE = "Error occurred at the OAuth process. Please check your Access Token to fix this."


@pytest.fixture(scope="module")
def server() -> Iterator[PixivEmulator]:
    with PixivEmulator(users=4, works_per_user=2) as emu:
        yield emu


@pytest.fixture
def emu(server: PixivEmulator) -> PixivEmulator:
    server.reset()
    return server


def client_headers(moment: str | None = None) -> dict[str, str]:
    moment = moment or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    digest = hashlib.md5((moment + HASH_SECRET).encode()).hexdigest()
    return {"X-Client-Time": moment, "X-Client-Hash": digest}


def grant(emu: PixivEmulator, client: tuple[str, str] = IOS, **fields: str) -> requests.Response:
    form = {"client_id": client[0], "client_secret": client[1], "get_secure_url": "1", **fields}
    return requests.post(f"{emu.url}/auth/token", data=form, headers=client_headers(), timeout=5)


def assert_oauth_failure(response: requests.Response, message: str, error: str) -> None:
    assert response.status_code == 400
    assert response.json() == {
        "has_error": True,
        "errors": {"system": {"message": message, "code": 1508}},
        "error": error,
    }


def test_refresh_grant_answers_the_live_token_shape(emu: PixivEmulator) -> None:
    response = grant(emu, grant_type="refresh_token", refresh_token=emu.demo_refresh_token)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == TOKEN_KEYS | {"response"}
    assert body["response"] == {k: body[k] for k in TOKEN_KEYS}
    assert body["expires_in"] == 3600 and body["token_type"] == "bearer" and body["scope"] == ""
    assert body["refresh_token"] == emu.demo_refresh_token
    user = body["response"]["user"]
    assert set(user) == USER_KEYS
    assert user["id"] == str(emu.demo_user_id)  # a string in the token answer
    assert set(user["profile_image_urls"]) == {"px_16x16", "px_50x50", "px_170x170"}


def test_password_grant_adds_a_device_token_and_the_seed_client_pair_works(
    emu: PixivEmulator,
) -> None:
    body = grant(
        emu, ANDROID, grant_type="password", username=emu.demo_username, password=emu.demo_password
    ).json()
    assert body["response"]["device_token"] and body["device_token"]
    by_mail = grant(emu, grant_type="password", username="demo@kemopix.invalid", password="x")
    assert_oauth_failure(
        by_mail, "103:pixiv ID、またはメールアドレス、パスワードが正しいかチェックしてください。", "invalid_grant"
    )


def test_failed_grants_answer_the_live_error_bodies(emu: PixivEmulator) -> None:
    assert_oauth_failure(
        grant(emu, grant_type="refresh_token", refresh_token="nope"),
        "Invalid refresh token",
        "invalid_grant",
    )
    assert_oauth_failure(
        grant(emu, grant_type="client_credentials"),
        "Invalid grant_type parameter or parameter missing",
        "unsupported_grant_type",
    )
    wrong_client = grant(emu, ("someone", "else"), grant_type="refresh_token", refresh_token="x")
    assert wrong_client.status_code == 400 and wrong_client.json()["error"] == "invalid_client"


def test_the_client_hash_is_checked_but_not_the_clock(emu: PixivEmulator) -> None:
    form = {"client_id": IOS[0], "client_secret": IOS[1], "grant_type": "refresh_token"}
    form["refresh_token"] = emu.demo_refresh_token
    missing = requests.post(f"{emu.url}/auth/token", data=form, timeout=5)
    assert missing.status_code == 400 and missing.json()["has_error"] is True
    forged = {"X-Client-Time": "2020-01-01T00:00:00+00:00", "X-Client-Hash": "0" * 32}
    assert requests.post(f"{emu.url}/auth/token", data=form, headers=forged).status_code == 400
    # pixivpy formats local time with a literal +00:00: any time with its right hash passes.
    old = client_headers("2001-02-03T04:05:06+00:00")
    assert requests.post(f"{emu.url}/auth/token", data=form, headers=old).status_code == 200


def test_a_server_configured_like_today_refuses_the_password_grant() -> None:
    with PixivEmulator(users=2, works_per_user=1, allow_password_grant=False) as emu:
        response = grant(emu, grant_type="password", username="kemopix_demo", password="x")
        assert_oauth_failure(
            response, "Invalid grant_type parameter or parameter missing", "invalid_grant"
        )


def api_get(emu: PixivEmulator, path: str, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(f"{emu.url}{path}", headers=headers, timeout=5)


def oauth_error(grant_name: str) -> dict[str, Any]:
    message = f"{OAUTH_MESSAGE} Error Message: {grant_name}"
    return {
        "error": {"user_message": "", "message": message, "reason": "", "user_message_details": {}}
    }


def test_missing_unknown_and_expired_tokens_answer_400(emu: PixivEmulator) -> None:
    path = "/v1/illust/detail?illust_id=75523989"
    none = api_get(emu, path, None)
    assert none.status_code == 400 and none.json() == oauth_error("invalid_request")
    unknown = api_get(emu, path, "made-up")
    assert unknown.status_code == 400 and unknown.json() == oauth_error("invalid_grant")
    token = grant(emu, grant_type="refresh_token", refresh_token=emu.demo_refresh_token).json()
    assert api_get(emu, path, token["access_token"]).status_code == 200
    assert emu.expire_tokens() >= 1
    expired = api_get(emu, path, token["access_token"])
    assert expired.status_code == 400 and expired.json() == oauth_error("invalid_grant")
    renewed = grant(emu, grant_type="refresh_token", refresh_token=token["refresh_token"]).json()
    assert api_get(emu, path, renewed["access_token"]).status_code == 200


def test_a_short_ttl_expires_tokens_on_the_clock(emu: PixivEmulator) -> None:
    emu.access_token_ttl = 0.2
    body = grant(emu, grant_type="refresh_token", refresh_token=emu.demo_refresh_token).json()
    assert body["expires_in"] == 1  # whole seconds, rounded up
    assert api_get(emu, "/v1/user/detail?user_id=1000", body["access_token"]).status_code == 200
    time.sleep(0.3)
    assert api_get(emu, "/v1/user/detail?user_id=1000", body["access_token"]).status_code == 400
    emu.reset()
    assert emu.access_token_ttl == 3600.0


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def browser_login(emu: PixivEmulator, challenge: str) -> str:
    """The login steps a browser takes; returns the code of the final pixiv:// redirect."""
    query = {"code_challenge": challenge, "code_challenge_method": "S256", "client": "pixiv-android"}
    page = requests.get(f"{emu.url}/web/v1/login", params=query, timeout=5)
    assert page.status_code == 200 and "<form" in page.text
    login = requests.post(
        f"{emu.url}/web/v1/login",
        data={**query, "username": emu.demo_username, "password": emu.demo_password},
        allow_redirects=False,
        timeout=5,
    )
    assert login.status_code == 302
    callback = urlsplit(login.headers["Location"])
    assert callback.path == "/web/v1/users/auth/pixiv/callback"
    assert {"state", "code"} <= set(parse_qs(callback.query))
    final = requests.get(f"{emu.url}{login.headers['Location']}", allow_redirects=False)
    assert final.status_code == 302
    target = urlsplit(final.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("pixiv", "account", "/login")
    params = parse_qs(target.query)
    assert params["via"] == ["login"]
    return params["code"][0]


def test_pkce_login_pages_and_code_exchange(emu: PixivEmulator) -> None:
    verifier, challenge = pkce()
    code = browser_login(emu, challenge)
    exchange = {"code": code, "code_verifier": verifier, "redirect_uri": CALLBACK}
    body = grant(emu, grant_type="authorization_code", include_policy="true", **exchange).json()
    assert body["response"]["user"]["id"] == str(emu.demo_user_id)
    assert body["device_token"]
    again = grant(emu, grant_type="authorization_code", **exchange)  # a code serves once
    assert_oauth_failure(again, "Invalid authorization code", "invalid_grant")


def test_pkce_refuses_a_wrong_verifier_redirect_or_stale_code(emu: PixivEmulator) -> None:
    verifier, challenge = pkce()
    wrong = grant(
        emu,
        grant_type="authorization_code",
        code=emu.issue_authorization_code(challenge),
        code_verifier="not-the-verifier",
        redirect_uri=CALLBACK,
    )
    assert_oauth_failure(wrong, "Invalid code_verifier", "invalid_grant")
    elsewhere = grant(
        emu,
        grant_type="authorization_code",
        code=emu.issue_authorization_code(challenge),
        code_verifier=verifier,
        redirect_uri="https://example.invalid/callback",
    )
    assert elsewhere.status_code == 400
    code = emu.issue_authorization_code(challenge)
    clock = emu.state.tokens.clock
    emu.state.tokens.clock = lambda: clock() + 31  # codes live about 30 s
    try:
        stale = grant(
            emu,
            grant_type="authorization_code",
            code=code,
            code_verifier=verifier,
            redirect_uri=CALLBACK,
        )
    finally:
        emu.state.tokens.clock = clock
    assert stale.status_code == 400


def test_login_page_shortcut_and_bad_password(emu: PixivEmulator) -> None:
    _, challenge = pkce()
    query = {"code_challenge": challenge, "code_challenge_method": "S256", "client": "pixiv-android"}
    shortcut = requests.get(
        f"{emu.url}/web/v1/login",
        params={**query, "user": emu.demo_username, "password": emu.demo_password},
        allow_redirects=False,
    )
    assert shortcut.status_code == 302
    refused = requests.get(
        f"{emu.url}/web/v1/login", params={**query, "user": "kemopix_demo", "password": "no"}
    )
    assert refused.status_code == 401 and "<form" in refused.text
    assert requests.get(f"{emu.url}/web/v1/login").status_code == 400


def test_created_accounts_log_in_every_way(emu: PixivEmulator) -> None:
    account = emu.create_account("Alice Example", password="pw-alice")
    assert account["account"] == "alice_example" and account["user_id"] >= 90_000_000
    by_password = grant(emu, grant_type="password", username="alice_example", password="pw-alice")
    assert by_password.json()["refresh_token"] == account["refresh_token"]
    by_refresh = grant(emu, grant_type="refresh_token", refresh_token=account["refresh_token"])
    assert by_refresh.json()["user"]["name"] == "Alice Example"
    emu.reset()  # created accounts belong to the run that made them
    gone = grant(emu, grant_type="refresh_token", refresh_token=account["refresh_token"])
    assert gone.status_code == 400
