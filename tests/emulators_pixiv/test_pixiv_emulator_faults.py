"""Pixiv emulator faults, rate limiting and reset."""

from __future__ import annotations

import hashlib

import pytest
import requests

from kemopix.emulators.pixiv_server import PixivEmulator

SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
CLIENT = ("MOBrBDS8blbauoSck0ZfDbtuzpyT", "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj")
DETAIL = "/v1/illust/detail?illust_id=75523989"


def bearer(emu: PixivEmulator) -> dict[str, str]:
    when = "2026-11-23T00:00:00+00:00"
    resp = requests.post(
        f"{emu.url}/auth/token",
        data={
            "client_id": CLIENT[0],
            "client_secret": CLIENT[1],
            "grant_type": "refresh_token",
            "refresh_token": emu.demo_account["refresh_token"],
        },
        headers={
            "X-Client-Time": when,
            "X-Client-Hash": hashlib.md5((when + SECRET).encode()).hexdigest(),
        },
        timeout=10,
    )
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def test_status_fault_sequence(pixiv_emulator: PixivEmulator) -> None:
    headers = bearer(pixiv_emulator)
    pixiv_emulator.add_fault(
        kind="status", path="^/v1/illust/detail$", status=429, sequence=[True, False]
    )
    first = requests.get(f"{pixiv_emulator.url}{DETAIL}", headers=headers, timeout=10)
    assert first.status_code == 429
    assert first.json()["error"]["message"] == "Rate Limit"
    second = requests.get(f"{pixiv_emulator.url}{DETAIL}", headers=headers, timeout=10)
    assert second.status_code == 200


@pytest.mark.parametrize(("status", "key"), [(404, "user_message"), (500, "message")])
def test_status_fault_bodies(pixiv_emulator: PixivEmulator, status: int, key: str) -> None:
    headers = bearer(pixiv_emulator)
    pixiv_emulator.add_fault(kind="status", status=status, probability=1.0, times=1)
    resp = requests.get(f"{pixiv_emulator.url}{DETAIL}", headers=headers, timeout=10)
    assert resp.status_code == status
    assert resp.json()["error"][key]


def test_challenge_and_reset_faults(pixiv_emulator: PixivEmulator) -> None:
    headers = bearer(pixiv_emulator)
    pixiv_emulator.add_fault(kind="challenge", path="detail", times=1, probability=1.0)
    page = requests.get(f"{pixiv_emulator.url}{DETAIL}", headers=headers, timeout=10)
    assert page.status_code == 403 and "text/html" in page.headers["Content-Type"]
    pixiv_emulator.add_fault(kind="reset", path="detail", times=1, probability=1.0)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{pixiv_emulator.url}{DETAIL}", headers=headers, timeout=10)
    assert requests.get(f"{pixiv_emulator.url}{DETAIL}", headers=headers, timeout=10).ok


def test_truncated_image(pixiv_emulator: PixivEmulator) -> None:
    url = f"{pixiv_emulator.url}/i/img-original/img/2019/07/01/00/00/00/75523989_p0.png"
    pixiv_emulator.add_fault(kind="truncate", path="^/i/", times=1, probability=1.0)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, headers={"Referer": "https://www.pixiv.net/"}, timeout=10)


def test_fault_control_plane_and_reset(pixiv_emulator: PixivEmulator) -> None:
    base = pixiv_emulator.url
    headers = bearer(pixiv_emulator)
    created = requests.post(
        f"{base}/_emulator/faults",
        json={"kind": "status", "status": 503, "probability": 1},
        timeout=10,
    )
    assert created.status_code == 201
    assert len(pixiv_emulator.faults.rules()) == 1
    resp = requests.get(f"{base}{DETAIL}", headers=headers, timeout=10)
    assert resp.status_code == 503
    pixiv_emulator.clear_faults()
    assert requests.get(f"{base}/_emulator/faults", timeout=10).json() == {"faults": []}
    pixiv_emulator.add_fault(kind="status", status=503, probability=1.0)
    pixiv_emulator.reset()
    assert pixiv_emulator.faults.rules() == []


def test_rate_limit_per_token() -> None:
    with PixivEmulator(rate_limit=2.0) as emu:
        first, second = bearer(emu), bearer(emu)
        statuses = [
            requests.get(f"{emu.url}{DETAIL}", headers=first, timeout=10).status_code
            for _ in range(6)
        ]
        assert statuses[:2] == [200, 200] and 429 in statuses
        limited = requests.get(f"{emu.url}{DETAIL}", headers=first, timeout=10)
        assert limited.status_code == 429
        assert limited.json()["error"]["message"] == "Rate Limit"
        # Another token has its own bucket.
        assert requests.get(f"{emu.url}{DETAIL}", headers=second, timeout=10).status_code == 200


def test_token_endpoint_fault_uses_the_oauth_body(pixiv_emulator: PixivEmulator) -> None:
    pixiv_emulator.add_fault(
        kind="status", path="^/auth/token$", status=400, times=1, probability=1
    )
    resp = requests.post(f"{pixiv_emulator.url}/auth/token", data={}, timeout=10)
    assert resp.status_code == 400
    assert resp.json()["has_error"] is True
    assert resp.json()["error"] == "invalid_grant"
