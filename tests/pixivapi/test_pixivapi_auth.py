"""Logging in, token refresh on expiry, and the seed's auth exceptions, sync and async."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import requests

from kemopix._protocol import Config, KemopixError
from kemopix.sites.pixiv import PixivSite, make_pkce
from pixivapi import (
    Account,
    AsyncClient,
    AuthenticationRequired,
    BadApiResponse,
    Client,
    LoginError,
    PixivError,
)
from pixivapi import auth as pixiv_auth

if TYPE_CHECKING:
    from kemopix.emulators import PixivEmulator


def test_authenticate_assigns_tokens_and_account(anonymous: Client, emu: PixivEmulator) -> None:
    anonymous.authenticate(emu.demo_refresh_token)
    assert anonymous.access_token and anonymous.refresh_token
    assert isinstance(anonymous.account, Account) and isinstance(anonymous.account.id, int)
    assert anonymous.account.account and anonymous.account.mail_address is not None
    text = repr(anonymous) + repr(anonymous.account) + repr(anonymous._auth)
    assert anonymous.access_token not in text and anonymous.refresh_token not in text


def test_login_with_password_says_the_grant_is_gone(anonymous: Client, emu: PixivEmulator) -> None:
    """Live pixiv refuses the password grant since 2021; the error says what to do instead."""
    with pytest.raises(LoginError) as info:
        anonymous.login(emu.demo_username, emu.demo_password)
    message = str(info.value)
    assert "2021" in message and "pixivapi.auth" in message
    assert "kemopix login pixiv" in message and "refresh token" in message
    assert isinstance(info.value, PixivError) and info.value.status == 400  # type: ignore[attr-defined]
    assert emu.demo_password not in message
    assert anonymous.access_token is None


def test_login_with_password_where_the_server_allows_it(
    anonymous: Client, emu: PixivEmulator
) -> None:
    emu.password_grant = True
    anonymous.login(emu.demo_username, emu.demo_password)
    assert anonymous.access_token and anonymous.refresh_token
    assert anonymous.fetch_user(anonymous.account.id).id == anonymous.account.id  # type: ignore[union-attr]


def test_bad_credentials_raise_login_error_with_the_api_message(
    anonymous: Client, emu: PixivEmulator
) -> None:
    emu.password_grant = True
    with pytest.raises(LoginError) as info:
        anonymous.login(emu.demo_username, "wrong password")
    assert "wrong password" not in str(info.value)
    assert "2021" not in str(info.value)  # a refused password is not a refused grant
    with pytest.raises(LoginError) as refused:
        anonymous.authenticate("not-a-refresh-token")
    assert isinstance(refused.value, PixivError) and refused.value.__class__ is not LoginError
    assert "not-a-refresh-token" not in str(refused.value)
    assert anonymous.access_token is None


def test_login_network_failure_is_a_login_error(fast: Config) -> None:
    client = Client.for_site(PixivSite.at("http://127.0.0.1:9"), fast)
    with client, pytest.raises(LoginError) as info:
        client.authenticate("token")
    assert isinstance(info.value.__cause__, requests.RequestException)


def test_calls_without_a_token_raise_authentication_required(anonymous: Client) -> None:
    with pytest.raises(AuthenticationRequired):
        anonymous.fetch_illustration(1)
    with pytest.raises(KemopixError):
        anonymous.fetch_user(1)


def test_an_expired_access_token_is_renewed_then_the_call_replayed(
    anonymous: Client, emu: PixivEmulator
) -> None:
    emu.access_token_ttl = 1  # seconds
    anonymous.authenticate(emu.demo_refresh_token)
    first = anonymous.access_token
    emu.expire_access_tokens()
    # Our clock still thinks the token is valid: the API's "invalid_grant" answer triggers the
    # renewal, once, and the call goes through.
    anonymous._auth.expires_at = None
    anonymous.fetch_user(anonymous.account.id)  # type: ignore[union-attr]
    assert anonymous.access_token and anonymous.access_token != first


def test_a_token_past_its_expiry_is_renewed_before_the_call(
    anonymous: Client, emu: PixivEmulator
) -> None:
    anonymous.authenticate(emu.demo_refresh_token)
    first = anonymous.access_token
    anonymous._auth.expires_at = anonymous._auth.clock() - 1  # as if an hour went by
    anonymous.fetch_user(anonymous.account.id)  # type: ignore[union-attr]
    assert anonymous.access_token != first


def test_invalid_token_without_refresh_token_is_authentication_required(
    anonymous: Client, emu: PixivEmulator
) -> None:
    anonymous.access_token = "made-up-token"
    with pytest.raises(AuthenticationRequired) as info:
        anonymous.fetch_illustration(1)
    assert isinstance(info.value, BadApiResponse)
    assert isinstance(info.value, requests.HTTPError)
    assert "made-up-token" not in str(info.value)


async def test_async_login_refresh_and_concurrent_renewal(emu: PixivEmulator, fast: Config) -> None:
    emu.password_grant = True
    async with AsyncClient(config=fast) as client:
        with pytest.raises(AuthenticationRequired):
            await client.fetch_illustration(1)
        await client.login(emu.demo_username, emu.demo_password)
        user_id = client.account.id  # type: ignore[union-attr]
        first = client.access_token
        client._auth.expires_at = client._auth.clock() - 1
        import asyncio

        users = await asyncio.gather(*(client.fetch_user(user_id) for _ in range(8)))
        assert {u.id for u in users} == {user_id}
        assert client.access_token != first
        with pytest.raises(LoginError):
            await client.authenticate("nope")


def test_pkce_code_exchange(emu: PixivEmulator, fast: Config) -> None:
    pkce = make_pkce()
    code = emu.issue_authorization_code(pkce.challenge)
    token = pixiv_auth.exchange_code(code, pkce.verifier, config=fast)
    client = Client()
    client.config = fast
    with client:
        client.authenticate(token)
        assert client.account is not None
    with pytest.raises(LoginError):
        pixiv_auth.exchange_code(emu.issue_authorization_code(pkce.challenge), "wrong-verifier")


async def test_pkce_code_exchange_async_accepts_the_callback_url(
    emu: PixivEmulator, fast: Config
) -> None:
    pkce = make_pkce()
    code = emu.issue_authorization_code(pkce.challenge)
    url = f"pixiv://account/login?code={code}&via=login"
    token = await pixiv_auth.exchange_code_async(url, pkce.verifier, config=fast)
    assert token
