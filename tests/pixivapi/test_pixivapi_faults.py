"""Rate limits, transient failures and the seed's documented exceptions, over real HTTP."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

import pytest
import requests

from kemopix._protocol import Config, RateLimited
from kemopix.sites.pixiv import PixivSite
from pixivapi import AsyncClient, BadApiResponse, Client, PixivError
from pixivapi.errors import PixivNotFound, PixivRateLimited

if TYPE_CHECKING:
    from kemopix.emulators import PixivEmulator

DETAIL = r"^/v1/illust/detail"


def _illust_id(client: Client) -> int:
    return int(client.fetch_illustrations_ranking()["illustrations"][0].id)


def test_a_rate_limit_answer_is_waited_out_then_retried(client: Client, emu: PixivEmulator) -> None:
    work = _illust_id(client)
    emu.add_fault("rate_limit", path=DETAIL, sequence=["fault", "ok"])
    assert client.fetch_illustration(work).id == work


def test_a_persistent_rate_limit_raises_rate_limited_with_the_api_message(
    client: Client, emu: PixivEmulator
) -> None:
    work = _illust_id(client)
    emu.add_fault("rate_limit", path=DETAIL, probability=1.0)
    with pytest.raises(PixivRateLimited) as info:
        client.fetch_illustration(work)
    error = info.value
    assert isinstance(error, RateLimited) and isinstance(error, BadApiResponse)
    assert isinstance(error, requests.RequestException)
    assert "Rate Limit" in str(error) and error.status in (403, 429)


@pytest.mark.parametrize("kind", ["reset", "truncate", "status"])
def test_transient_failures_are_retried(client: Client, emu: PixivEmulator, kind: str) -> None:
    work = _illust_id(client)
    emu.add_fault(kind, path=DETAIL, status=503, sequence=["fault", "ok"])
    assert client.fetch_illustration(work).id == work


def test_a_server_error_after_the_retries_is_a_bad_api_response(
    client: Client, emu: PixivEmulator
) -> None:
    work = _illust_id(client)
    emu.add_fault("status", path=DETAIL, status=500, probability=1.0)
    with pytest.raises(BadApiResponse) as info:
        client.fetch_illustration(work)
    assert isinstance(info.value, requests.HTTPError) and info.value.status == 500  # type: ignore[attr-defined]


def test_a_missing_work_is_a_bad_api_response_with_the_api_message(client: Client) -> None:
    with pytest.raises(PixivNotFound) as info:
        client.fetch_illustration(999_999_999_999)
    assert isinstance(info.value, BadApiResponse) and isinstance(info.value, requests.HTTPError)
    assert info.value.status == 404 and info.value.url
    assert "999999999999" in str(info.value)


def test_a_body_that_is_not_json_is_a_bad_api_response(client: Client, emu: PixivEmulator) -> None:
    work = _illust_id(client)
    emu.add_fault("challenge", path=DETAIL, probability=1.0)
    with pytest.raises(BadApiResponse):
        client.fetch_illustration(work)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_failed_request_is_a_requests_exception(fast: Config) -> None:
    client = Client.for_site(PixivSite.at(f"http://127.0.0.1:{_closed_port()}"), fast)
    client.access_token = "token"
    with client, pytest.raises(requests.ConnectionError) as info:
        client.fetch_illustration(1)
    assert isinstance(info.value, PixivError)
    assert "token" not in str(info.value).replace("access token", "")


async def test_async_client_raises_the_same_classes(
    aclient: AsyncClient, emu: PixivEmulator
) -> None:
    with pytest.raises(PixivNotFound):
        await aclient.fetch_illustration(999_999_999_999)
    emu.add_fault("rate_limit", path=DETAIL, probability=1.0)
    with pytest.raises(PixivRateLimited):
        await aclient.fetch_illustration(1)


def test_environment_settings_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.lower().endswith("_proxy")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/bundle.pem")
    with Client() as quiet:
        # Nothing for requests to re-read per request: done once instead.
        assert quiet.session.trust_env is False
        assert quiet.session.verify == "/etc/ssl/certs/bundle.pem"
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    with Client() as proxied:
        assert proxied.session.trust_env is True
