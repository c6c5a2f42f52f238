"""Pixiv emulator OAuth: token grants, PKCE login, Bearer checks, control plane."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from kemopix.emulators.pixiv_server import PixivEmulator

SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
PIXIVPY_CLIENT = ("MOBrBDS8blbauoSck0ZfDbtuzpyT", "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj")
SEED_CLIENT = ("KzEZED7aC0vird8jWyHM38mXjNTY", "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNlUGP")
REDIRECT = "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback"
OAUTH_PREFIX = "Error occurred at the OAuth process. Please check your Access Token to fix this."


def hash_headers(when: str = "2026-11-23T00:34:04+00:00") -> dict[str, str]:
    digest = hashlib.md5((when + SECRET).encode()).hexdigest()
    return {"X-Client-Time": when, "X-Client-Hash": digest}


def post_token(
    emu: PixivEmulator,
    *,
    client: tuple[str, str] = PIXIVPY_CLIENT,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> requests.Response:
    form = {"client_id": client[0], "client_secret": client[1], "get_secure_url": "1", **fields}
    return requests.post(
        f"{emu.oauth_url}/auth/token",
        data=form,
        headers=hash_headers() if headers is None else headers,
        timeout=10,
    )


def assert_token_body(body: dict[str, Any], user_id: int) -> None:
    for level in (body, body["response"]):
        assert level["token_type"] == "bearer"
        assert level["expires_in"] == 3600
        assert level["scope"] == ""
        assert level["access_token"]
        assert level["refresh_token"]
        user = level["user"]
        assert user["id"] == str(user_id)
        assert set(user["profile_image_urls"]) == {"px_16x16", "px_50x50", "px_170x170"}
        assert "require_policy_agreement" in user
        assert "is_mail_authorized" in user


def test_refresh_grant_ok_with_both_clients(pixiv_emulator: PixivEmulator) -> None:
    demo = pixiv_emulator.demo_account
    for client in (PIXIVPY_CLIENT, SEED_CLIENT):
        resp = post_token(
            pixiv_emulator,
            client=client,
            grant_type="refresh_token",
            refresh_token=demo["refresh_token"],
        )
        assert resp.status_code == 200
        assert_token_body(resp.json(), demo["user_id"])
        assert "device_token" not in resp.json()


def test_password_grant_is_refused_as_on_live_pixiv(pixiv_emulator: PixivEmulator) -> None:
    demo = pixiv_emulator.demo_account
    assert pixiv_emulator.password_grant is False
    refused = post_token(
        pixiv_emulator, grant_type="password", username="demo", password=demo["password"]
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "has_error": True,
        "errors": {
            "system": {"message": "Invalid grant_type parameter or parameter missing", "code": 1508}
        },
        "error": "invalid_grant",
    }
    # The refresh and code grants are untouched.
    refresh = post_token(
        pixiv_emulator, grant_type="refresh_token", refresh_token=demo["refresh_token"]
    )
    assert refresh.status_code == 200


def test_password_grant_switch_is_reset(pixiv_emulator: PixivEmulator) -> None:
    pixiv_emulator.password_grant = True
    pixiv_emulator.reset()
    assert pixiv_emulator.password_grant is False
    with PixivEmulator(password_grant=True) as emu:
        assert emu.password_grant is True
        emu.reset()
        assert emu.password_grant is True


def test_password_grant(pixiv_emulator: PixivEmulator) -> None:
    pixiv_emulator.password_grant = True  # the seed's login(), kept reachable
    demo = pixiv_emulator.demo_account
    ok = post_token(
        pixiv_emulator, grant_type="password", username="demo", password=demo["password"]
    )
    assert ok.status_code == 200
    assert_token_body(ok.json(), demo["user_id"])
    assert ok.json()["response"]["device_token"]
    bad = post_token(pixiv_emulator, grant_type="password", username="demo", password="nope")
    assert bad.status_code == 400
    assert bad.json()["has_error"] is True
    assert bad.json()["error"] == "invalid_grant"


def test_bad_refresh_token_body(pixiv_emulator: PixivEmulator) -> None:
    resp = post_token(pixiv_emulator, grant_type="refresh_token", refresh_token="wrong")
    assert resp.status_code == 400
    assert resp.json() == {
        "has_error": True,
        "errors": {"system": {"message": "Invalid refresh token", "code": 1508}},
        "error": "invalid_grant",
    }


def test_bad_client_hash_and_grant(pixiv_emulator: PixivEmulator) -> None:
    rt = pixiv_emulator.demo_account["refresh_token"]
    bad_client = post_token(
        pixiv_emulator, client=("x", "y"), grant_type="refresh_token", refresh_token=rt
    )
    assert bad_client.status_code == 400
    no_hash = post_token(pixiv_emulator, headers={}, grant_type="refresh_token", refresh_token=rt)
    assert no_hash.status_code == 400
    wrong_hash = post_token(
        pixiv_emulator,
        headers={"X-Client-Time": "2026-01-01T00:00:00+00:00", "X-Client-Hash": "0" * 32},
        grant_type="refresh_token",
        refresh_token=rt,
    )
    assert wrong_hash.status_code == 400
    # Only the hash is checked, never the clock.
    old = post_token(
        pixiv_emulator,
        headers=hash_headers("1999-01-01T00:00:00+00:00"),
        grant_type="refresh_token",
        refresh_token=rt,
    )
    assert old.status_code == 200
    unknown = post_token(pixiv_emulator, grant_type="client_credentials")
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["system"]["message"].startswith("Invalid grant_type")


def test_hash_not_required_when_disabled() -> None:
    with PixivEmulator(require_client_hash=False) as emu:
        resp = post_token(
            emu,
            headers={},
            grant_type="refresh_token",
            refresh_token=emu.demo_account["refresh_token"],
        )
        assert resp.status_code == 200


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _login(emu: PixivEmulator, challenge: str, password: str) -> requests.Response:
    params = {
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "client": "pixiv-android",
        "username": "demo",
        "password": password,
    }
    return requests.get(f"{emu.url}/web/v1/login", params=params, allow_redirects=False, timeout=10)


def test_pkce_authorization_code_flow(pixiv_emulator: PixivEmulator) -> None:
    verifier, challenge = _pkce()
    page = _login(pixiv_emulator, challenge, pixiv_emulator.demo_account["password"])
    assert page.status_code == 302
    location = urlsplit(page.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("pixiv", "account", "/login")
    query = parse_qs(location.query)
    assert query["via"] == ["login"]
    code = query["code"][0]
    wrong = post_token(
        pixiv_emulator,
        grant_type="authorization_code",
        code=code,
        code_verifier="not-the-verifier",
        redirect_uri=REDIRECT,
        include_policy="true",
    )
    assert wrong.status_code == 400  # and the code is now spent
    verifier, challenge = _pkce()
    code = parse_qs(
        urlsplit(_login(pixiv_emulator, challenge, "demo-password").headers["Location"]).query
    )["code"][0]
    ok = post_token(
        pixiv_emulator,
        grant_type="authorization_code",
        code=code,
        code_verifier=verifier,
        redirect_uri=REDIRECT,
    )
    assert ok.status_code == 200
    assert_token_body(ok.json(), pixiv_emulator.demo_account["user_id"])
    again = post_token(
        pixiv_emulator,
        grant_type="authorization_code",
        code=code,
        code_verifier=verifier,
        redirect_uri=REDIRECT,
    )
    assert again.status_code == 400


def test_login_page_rejects_bad_password(pixiv_emulator: PixivEmulator) -> None:
    page = _login(pixiv_emulator, _pkce()[1], "wrong")
    assert page.status_code == 200
    assert "incorrect" in page.text
    assert "wrong" not in page.text  # the password is never echoed


def _token(emu: PixivEmulator, refresh_token: str | None = None) -> str:
    rt = refresh_token or emu.demo_account["refresh_token"]
    resp = post_token(emu, grant_type="refresh_token", refresh_token=rt)
    token: str = resp.json()["access_token"]
    return token


def test_bearer_errors(pixiv_emulator: PixivEmulator) -> None:
    url = f"{pixiv_emulator.api_url}/v1/illust/detail?illust_id=75523989"
    missing = requests.get(url, timeout=10)
    assert missing.status_code == 400
    assert missing.json()["error"]["message"] == f"{OAUTH_PREFIX} Error Message: invalid_request"
    assert set(missing.json()["error"]) == {
        "user_message",
        "message",
        "reason",
        "user_message_details",
    }
    invalid = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert invalid.status_code == 400
    assert invalid.json()["error"]["message"].endswith("invalid_grant")
    token = _token(pixiv_emulator)
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    pixiv_emulator.expire_tokens()
    expired = requests.get(url, headers=headers, timeout=10)
    assert expired.status_code == 400
    assert expired.json()["error"]["message"].endswith("invalid_grant")
    fresh = {"Authorization": f"Bearer {_token(pixiv_emulator)}"}
    assert requests.get(url, headers=fresh, timeout=10).status_code == 200


def test_short_token_ttl() -> None:
    with PixivEmulator(access_token_ttl=0.0) as emu:
        body = post_token(
            emu, grant_type="refresh_token", refresh_token=emu.demo_account["refresh_token"]
        ).json()
        assert body["expires_in"] == 0
        resp = requests.get(
            f"{emu.url}/v1/user/detail?user_id=2188232",
            headers={"Authorization": f"Bearer {body['access_token']}"},
            timeout=10,
        )
        assert resp.json()["error"]["message"].endswith("invalid_grant")


def test_create_account_and_control_plane(pixiv_emulator: PixivEmulator) -> None:
    pixiv_emulator.password_grant = True
    account = pixiv_emulator.create_account("alice", password="s3cret")
    assert _token(pixiv_emulator, account["refresh_token"])
    ok = post_token(pixiv_emulator, grant_type="password", username="alice", password="s3cret")
    assert ok.json()["user"]["id"] == str(account["user_id"])
    base = pixiv_emulator.url
    created = requests.post(
        f"{base}/_emulator/accounts", json={"name": "bob", "password": "pw"}, timeout=10
    )
    assert created.status_code == 201
    assert _token(pixiv_emulator, created.json()["refresh_token"])
    assert requests.get(f"{base}/_emulator/health", timeout=10).json()["status"] == "ok"
    assert requests.post(f"{base}/_emulator/reset", timeout=10).status_code == 200
    pixiv_emulator.password_grant = True
    gone = post_token(pixiv_emulator, grant_type="password", username="bob", password="pw")
    assert gone.status_code == 400


def test_quickstart_placeholders_open_the_demo_user(pixiv_emulator: PixivEmulator) -> None:
    pixiv_emulator.password_grant = True
    demo = pixiv_emulator.demo_account["user_id"]
    login = post_token(
        pixiv_emulator, grant_type="password", username="username", password="password"
    )
    assert login.json()["response"]["user"]["id"] == str(demo)
    assert login.json()["response"]["refresh_token"] == "refresh_token"
    refresh = post_token(pixiv_emulator, grant_type="refresh_token", refresh_token="refresh_token")
    assert refresh.json()["refresh_token"] == "refresh_token"


def test_convenience_helpers(pixiv_emulator: PixivEmulator) -> None:
    assert pixiv_emulator.demo_refresh_token == pixiv_emulator.demo_account["refresh_token"]
    assert (pixiv_emulator.demo_username, pixiv_emulator.demo_password) == (
        "demo",
        "demo-password",
    )
    verifier, challenge = _pkce()
    code = pixiv_emulator.issue_authorization_code(challenge)
    ok = post_token(
        pixiv_emulator,
        grant_type="authorization_code",
        code=code,
        code_verifier=verifier,
        redirect_uri=REDIRECT,
    )
    assert ok.status_code == 200
    pixiv_emulator.access_token_ttl = 5
    assert (
        post_token(
            pixiv_emulator, grant_type="refresh_token", refresh_token="refresh_token"
        ).json()["expires_in"]
        == 5
    )
    pixiv_emulator.reset()
    assert pixiv_emulator.access_token_ttl == 3600.0
    rule = pixiv_emulator.add_fault("rate_limit", path="detail", sequence=["fault", "ok"])
    assert (rule.kind, rule.status, rule.sequence) == ("status", 429, [True, False])
