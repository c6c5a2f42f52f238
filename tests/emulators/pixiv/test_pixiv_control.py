"""Control plane, faults, rate limiting, reset, determinism and dataset growth."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kemopix.emulators.pixiv import PixivEmulator, StateError

DETAIL = "/v1/illust/detail?illust_id=75523989"
IMAGE = "/img-original/img/2019/07/01/00/00/00/75523989_p0.png"
REFERER = {"Referer": "https://app-api.pixiv.net/"}


@pytest.fixture(scope="module")
def server() -> Iterator[PixivEmulator]:
    with PixivEmulator(users=8, works_per_user=4) as emu:
        yield emu


@pytest.fixture
def emu(server: PixivEmulator) -> PixivEmulator:
    server.reset()
    return server


def auth(emu: PixivEmulator, user: int | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {emu.access_token_for(user)}"}


def test_health_and_reset_over_http(emu: PixivEmulator) -> None:
    health = requests.get(f"{emu.url}/_emulator/health").json()
    assert health["status"] == "ok" and health["emulator"] == "pixiv" and health["url"] == emu.url
    headers = auth(emu)
    requests.post(f"{emu.url}/v2/illust/bookmark/add", data={"illust_id": 75523989}, headers=headers)
    marked = requests.get(f"{emu.url}/v2/illust/bookmark/detail?illust_id=75523989", headers=headers)
    assert marked.json()["bookmark_detail"]["is_bookmarked"] is True
    assert requests.post(f"{emu.url}/_emulator/reset").json() == {"status": "reset"}
    # A reset forgets tokens too: log in again.
    assert requests.get(f"{emu.url}{DETAIL}", headers=headers).status_code == 400
    fresh = auth(emu)
    again = requests.get(f"{emu.url}/v2/illust/bookmark/detail?illust_id=75523989", headers=fresh)
    assert again.json()["bookmark_detail"]["is_bookmarked"] is False


def test_reset_takes_milliseconds(emu: PixivEmulator) -> None:
    started = time.perf_counter()
    for _ in range(20):
        emu.reset()
    assert (time.perf_counter() - started) / 20 < 0.02


def test_accounts_over_http(emu: PixivEmulator) -> None:
    created = requests.post(
        f"{emu.url}/_emulator/accounts", json={"name": "bob", "password": "pw", "x_restrict": 1}
    )
    assert created.status_code == 201
    account = created.json()
    assert {"user_id", "account", "password", "refresh_token"} <= set(account)
    detail = requests.get(
        f"{emu.url}/v1/user/detail?user_id={account['user_id']}", headers=auth(emu)
    ).json()
    assert detail["user"]["account"] == "bob"
    taken = requests.post(f"{emu.url}/_emulator/accounts", json={"name": "b", "account": "bob"})
    assert taken.status_code == 400
    assert requests.post(f"{emu.url}/_emulator/accounts", json={}).status_code == 400


def test_dataset_growth_from_python_and_http(emu: PixivEmulator) -> None:
    work = emu.add_illustration(
        emu.demo_artist_id, title="Fresh", pages=2, kind="manga", tags=["漫画", "新作"]
    )
    assert work["title"] == "Fresh" and work["type"] == "manga" and len(work["meta_pages"]) == 2
    listed = requests.get(
        f"{emu.url}/v1/user/illusts?user_id={emu.demo_artist_id}&type=manga", headers=auth(emu)
    ).json()["illusts"]
    assert listed[0]["id"] == work["id"] and listed[0]["create_date"] > "2024-06-30"
    ugoira = requests.post(
        f"{emu.url}/_emulator/illusts",
        json={"user_id": 2188232, "title": "Loop", "kind": "ugoira", "frames": [50, 50, 200]},
    )
    assert ugoira.status_code == 201 and ugoira.json()["id"] > work["id"]
    meta = requests.get(
        f"{emu.url}/v1/ugoira/metadata?illust_id={ugoira.json()['id']}", headers=auth(emu)
    ).json()
    assert [f["delay"] for f in meta["ugoira_metadata"]["frames"]] == [50, 50, 200]
    novel = emu.add_novel(emu.demo_artist_id, title="Short", text="一行目[newpage]二行目")
    assert novel["page_count"] == 2 and novel["text_length"] == len("一行目[newpage]二行目")
    with pytest.raises(StateError):
        emu.add_illustration(3, title="nobody")
    bad = requests.post(f"{emu.url}/_emulator/illusts", json={"user_id": 4242, "title": "x", "kind": "video"})
    assert bad.status_code == 400
    emu.reset()
    assert requests.get(f"{emu.url}/v1/illust/detail?illust_id={work['id']}", headers=auth(emu)).status_code == 404


def test_status_and_rate_limit_faults(emu: PixivEmulator) -> None:
    headers = auth(emu)
    emu.add_fault("status", path="^/v1/illust/detail$", status=503, sequence=["fault", "ok"])
    failed = requests.get(f"{emu.url}{DETAIL}", headers=headers)
    assert failed.status_code == 503 and set(failed.json()["error"]) == {
        "user_message",
        "message",
        "reason",
        "user_message_details",
    }
    assert requests.get(f"{emu.url}{DETAIL}", headers=headers).status_code == 200
    emu.add_fault("rate_limit", path="^/v1/illust/detail$", times=1)
    limited = requests.get(f"{emu.url}{DETAIL}", headers=headers)
    assert limited.status_code == 429 and limited.json()["error"]["message"] == "Rate Limit"
    assert requests.get(f"{emu.url}{DETAIL}", headers=headers).status_code == 200
    emu.add_fault("challenge", path="^/v1/illust/detail$", times=1)
    challenge = requests.get(f"{emu.url}{DETAIL}", headers=headers)
    assert challenge.status_code == 403 and "Just a moment" in challenge.text


def test_connection_faults_hit_api_and_images(emu: PixivEmulator) -> None:
    emu.add_fault("reset", path="^/v1/illust/detail$", times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{emu.url}{DETAIL}", headers=auth(emu), timeout=5)
    emu.add_fault("truncate", path=r"\.png$", times=1)
    with pytest.raises(requests.RequestException):
        requests.get(f"{emu.url}{IMAGE}", headers=REFERER, timeout=5)
    whole = requests.get(f"{emu.url}{IMAGE}", headers=REFERER, timeout=5).content
    emu.add_fault("slow", path=r"\.png$", times=1, delay=0.03)
    started = time.perf_counter()
    slow = requests.get(f"{emu.url}{IMAGE}", headers=REFERER, timeout=5).content
    assert slow == whole and time.perf_counter() - started >= 0.2


def test_faults_over_the_control_plane(emu: PixivEmulator) -> None:
    rule = {"kind": "status", "path": "^/v1/user/detail$", "status": 500, "probability": 1.0}
    assert requests.post(f"{emu.url}/_emulator/faults", json=rule).status_code == 201
    listed = requests.get(f"{emu.url}/_emulator/faults").json()["faults"]
    assert listed[0]["status"] == 500
    failed = requests.get(f"{emu.url}/v1/user/detail?user_id=1000", headers=auth(emu))
    assert failed.status_code == 500
    assert requests.delete(f"{emu.url}/_emulator/faults").status_code == 204
    assert requests.get(f"{emu.url}/v1/user/detail?user_id=1000", headers=auth(emu)).ok


def test_rate_limit_per_token(emu: PixivEmulator) -> None:
    emu.rate_limit = 2.0
    mine, theirs = auth(emu), auth(emu)
    answers = [requests.get(f"{emu.url}{DETAIL}", headers=mine).status_code for _ in range(3)]
    assert answers[:2] == [200, 200] and answers[2] == 429
    limited: Any = requests.get(f"{emu.url}{DETAIL}", headers=mine).json()
    assert limited["error"]["message"] == "Rate Limit"
    assert requests.get(f"{emu.url}{DETAIL}", headers=theirs).status_code == 200
    time.sleep(0.6)
    assert requests.get(f"{emu.url}{DETAIL}", headers=mine).status_code == 200
    emu.reset()
    assert emu.rate_limit is None


def test_same_seed_same_answers_other_seed_others() -> None:
    def snapshot(emu: PixivEmulator) -> str:
        headers = auth(emu)
        texts = [
            requests.get(f"{emu.url}{path}", headers=headers).text
            for path in (DETAIL, "/v1/illust/ranking?mode=day", "/v1/illust/comments?illust_id=75523989")
        ]
        return "".join(texts).replace(emu.url, "ORIGIN")

    with PixivEmulator(seed=7, users=5) as first, PixivEmulator(seed=7, users=5) as second:
        assert snapshot(first) == snapshot(second)
        with PixivEmulator(seed=8, users=5) as other:
            assert snapshot(other) != snapshot(first)


def test_state_persists_in_a_database_file(tmp_path: Path) -> None:
    db = tmp_path / "pixiv.db"
    with PixivEmulator(users=3, works_per_user=2, db_path=db) as emu:
        account = emu.create_account("Keeper", password="pw")
    with PixivEmulator(users=3, works_per_user=2, db_path=db) as emu:
        assert emu.state.user_for_refresh_token(account["refresh_token"]) == account["user_id"]
        emu.reset()
        assert emu.state.user_for_refresh_token(account["refresh_token"]) is None
    with pytest.raises(StateError):
        PixivEmulator(seed=1, users=3, works_per_user=2, db_path=db)
