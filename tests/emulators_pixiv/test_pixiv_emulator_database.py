"""Pixiv emulator SQLite database: seeded rows in the file, persistence across restarts, reset,
password hashing, rebuilds for another seed, and ``--db`` on the command line."""

from __future__ import annotations

import argparse
import hashlib
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from kemopix.emulators.pixiv_server import PixivEmulator
from kemopix.emulators.pixiv_server.cli import add_cli_arguments

SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
CLIENT = ("MOBrBDS8blbauoSck0ZfDbtuzpyT", "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj")


def token_request(url: str, **fields: str) -> requests.Response:
    when = "2026-01-01T00:00:00+00:00"
    headers = {
        "X-Client-Time": when,
        "X-Client-Hash": hashlib.md5((when + SECRET).encode()).hexdigest(),
    }
    form = {"client_id": CLIENT[0], "client_secret": CLIENT[1], **fields}
    return requests.post(f"{url}/auth/token", data=form, headers=headers, timeout=10)


def refresh(url: str, refresh_token: str) -> requests.Response:
    return token_request(url, grant_type="refresh_token", refresh_token=refresh_token)


def api(url: str, access: str, path: str, data: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {access}"}
    if data is None:
        response = requests.get(f"{url}{path}", headers=headers, timeout=10)
    else:
        response = requests.post(f"{url}{path}", data=data, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


@contextmanager
def running(database: Path, seed: int = 0) -> Iterator[PixivEmulator]:
    with PixivEmulator(seed=seed, database=database, password_grant=True) as emu:
        yield emu


def query(database: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(database)) as conn:
        return conn.execute(sql, args).fetchall()


def make_changes(url: str) -> dict[str, Any]:
    """Over HTTP: create alice, log in, bookmark privately with tags, follow Mika."""
    created = requests.post(
        f"{url}/_emulator/accounts", json={"name": "alice", "password": "s3cret-pw"}, timeout=10
    )
    assert created.status_code == 201
    account = created.json()
    body = refresh(url, account["refresh_token"]).json()
    access = body["access_token"]
    mark = {"illust_id": "80000001", "restrict": "private", "tags[]": ["猫", "fav"]}
    api(url, access, "/v2/illust/bookmark/add", mark)
    api(url, access, "/v1/user/follow/add", {"user_id": "3000001", "restrict": "public"})
    return {**account, "access_token": access}


def test_seeded_dataset_is_rows_in_the_file(tmp_path: Path) -> None:
    database = tmp_path / "pixiv.db"
    with running(database) as emu:
        assert emu.database == database and not emu.state.reused
        access = refresh(emu.url, emu.demo_refresh_token).json()["access_token"]
        served = api(emu.url, access, "/v1/illust/detail?illust_id=76100001")["illust"]
    illusts = query(database, "SELECT id, title, kind, total_bookmarks FROM illusts")
    assert len(illusts) == 53  # 42 + 2 manga by the demo artist, 6 by Mika, 3 by Quiet
    assert (75523989, "Summer Lantern", "illust") in [row[:3] for row in illusts]
    assert query(database, "SELECT title, total_bookmarks FROM illusts WHERE id = 76100001") == [
        (served["title"], served["total_bookmarks"])
    ]
    pages = query(database, "SELECT COUNT(*) FROM illust_pages WHERE illust_id = 76100001")
    assert pages == [(3,)] == [(len(served["meta_pages"]),)]
    assert query(database, "SELECT kind FROM illusts WHERE id = 76200001") == [("manga",)]
    frames = query(
        database, "SELECT file, delay FROM ugoira_frames WHERE illust_id = 44298467 ORDER BY frame"
    )
    assert frames == [(f"{n:06d}.jpg", d) for n, d in enumerate((100, 150, 100, 250))]
    tags = query(
        database, "SELECT tag FROM illust_tags WHERE illust_id = 75523989 ORDER BY position"
    )
    assert tags == [("オリジナル",), ("風景",), ("女の子",)]
    assert ("猫", "cat") in query(database, "SELECT name, translated_name FROM tags")
    [(text,)] = query(database, "SELECT text FROM novels WHERE id = 14000001")
    assert "[newpage]" in text
    assert query(database, "SELECT parent_id FROM comments WHERE id = 90000003") == [(90000001,)]
    assert query(database, "SELECT COUNT(*) FROM comments WHERE illust_id = 76100001") == [(33,)]
    marks = query(
        database,
        "SELECT restrict, COUNT(*) FROM bookmarks WHERE kind = 'illust' AND user_id = 1000001"
        " GROUP BY restrict ORDER BY restrict",
    )
    assert marks == [("private", 2), ("public", 33)]
    assert query(
        database, "SELECT tag FROM bookmark_tags WHERE user_id = 1000001 AND work_id = 44298467"
    ) == [("secret",)]
    follow = "SELECT restrict FROM follows WHERE follower = ? AND followee = ?"
    assert query(database, follow, 1000001, 3000002) == [("private",)]
    tool = "SELECT value FROM user_workspace WHERE user_id = ? AND key = 'tool'"
    assert query(database, tool, 2188232) == [("CLIP STUDIO PAINT",)]
    assert query(database, "SELECT value FROM meta WHERE key = 'seed'") == [("0",)]


def test_accounts_tokens_bookmarks_and_follows_survive_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "pixiv.db"
    with running(database) as emu:
        alice = make_changes(emu.url)
    with running(database) as emu:
        assert emu.state.reused
        url = emu.url  # a new server (usually another port), the same data
        renewed = refresh(url, alice["refresh_token"])
        assert renewed.status_code == 200
        assert renewed.json()["user"]["id"] == str(alice["user_id"])
        assert renewed.json()["refresh_token"] == alice["refresh_token"]
        login = token_request(url, grant_type="password", username="alice", password="s3cret-pw")
        assert login.status_code == 200
        wrong = token_request(url, grant_type="password", username="alice", password="nope")
        assert wrong.status_code == 400
        # The access token of the first run is still valid too.
        access = alice["access_token"]
        detail = api(url, access, "/v2/illust/bookmark/detail?illust_id=80000001")
        detail = detail["bookmark_detail"]
        assert detail["is_bookmarked"] and detail["restrict"] == "private"
        assert {t["name"] for t in detail["tags"] if t["is_registered"]} == {"猫", "fav"}
        following = api(url, access, f"/v1/user/following?user_id={alice['user_id']}")
        assert [p["user"]["id"] for p in following["user_previews"]] == [3000001]
        work = api(url, access, "/v1/illust/detail?illust_id=80000001")["illust"]
        assert work["is_bookmarked"] and work["user"]["is_followed"]
        seeded = query(database, "SELECT total_bookmarks FROM seed_illusts WHERE id = 80000001")
        assert work["total_bookmarks"] == seeded[0][0] + 1


def test_restart_of_the_same_emulator_object_keeps_the_file(tmp_path: Path) -> None:
    emu = PixivEmulator(database=tmp_path / "pixiv.db").start()
    try:
        alice = make_changes(emu.url)
        emu.stop()
        emu.start()
        assert refresh(emu.url, alice["refresh_token"]).status_code == 200
    finally:
        emu.stop()


def test_reset_restores_the_seed_in_the_file(tmp_path: Path) -> None:
    database = tmp_path / "pixiv.db"
    with running(database) as emu:
        seeded = {
            table: query(database, f"SELECT * FROM {table} ORDER BY 1, 2")
            for table in ("users", "accounts", "illusts", "bookmarks", "bookmark_tags", "follows")
        }
        alice = make_changes(emu.url)
        emu.add_illustration(2188232, title="New work", pages=2, tags=("新しいタグ",))
        assert query(database, "SELECT COUNT(*) FROM tokens") != [(0,)]
        assert requests.post(f"{emu.url}/_emulator/reset", timeout=10).json() == {"status": "reset"}
        for table, rows in seeded.items():
            assert query(database, f"SELECT * FROM {table} ORDER BY 1, 2") == rows, table
        assert query(database, "SELECT COUNT(*) FROM tokens") == [(0,)]
        assert refresh(emu.url, alice["refresh_token"]).status_code == 400
        demo = refresh(emu.url, emu.demo_refresh_token)
        assert demo.status_code == 200
        access = demo.json()["access_token"]
        work = api(emu.url, access, "/v1/illust/detail?illust_id=80000001")["illust"]
        [(count,)] = query(database, "SELECT total_bookmarks FROM illusts WHERE id = 80000001")
        assert work["total_bookmarks"] == count
        emu.reset()  # the in-process reset too
    with running(database) as emu:  # the reset state is what the next run finds
        assert refresh(emu.url, alice["refresh_token"]).status_code == 400
        assert "alice" not in emu.state.accounts


def test_passwords_are_stored_only_as_salted_hashes(tmp_path: Path) -> None:
    database = tmp_path / "pixiv.db"
    with running(database) as emu:
        make_changes(emu.url)
        emu.create_account("bob", "s3cret-pw")  # the same password as alice
        rows = query(database, "SELECT username, password_hash FROM accounts ORDER BY username")
    hashes = dict(rows)
    assert set(hashes) == {"alice", "bob", "demo", "username"}
    for stored in hashes.values():
        assert stored.startswith("pbkdf2_sha256$")
    assert hashes["alice"] != hashes["bob"]  # salted
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in ("s3cret-pw", "demo-password"):
        assert secret.encode() not in raw


def test_another_seed_rebuilds_and_a_foreign_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "pixiv.db"
    with running(database) as emu:
        alice = make_changes(emu.url)
    with running(database, seed=1) as emu:
        assert not emu.state.reused
        assert refresh(emu.url, alice["refresh_token"]).status_code == 400
        assert refresh(emu.url, emu.demo_refresh_token).status_code == 200
    assert query(database, "SELECT value FROM meta WHERE key = 'seed'") == [("1",)]
    foreign = tmp_path / "other.db"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(ValueError, match="not the Pixiv emulator's"):
        PixivEmulator(database=foreign)
    assert query(foreign, "SELECT name FROM sqlite_master") == [("notes",)]


def test_default_database_is_in_memory(pixiv_emulator: PixivEmulator) -> None:
    assert pixiv_emulator.database == ":memory:"


def test_cli_db_option(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_cli_arguments(parser)
    assert parser.parse_args([]).db == ":memory:"
    assert parser.parse_args(["--db", "x.db"]).db == "x.db"
    database = tmp_path / "cli.db"

    def serve() -> tuple[subprocess.Popen[str], str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kemopix.emulators.pixiv_server", "--db", str(database)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert match
        return proc, match.group(0)

    def stop(proc: subprocess.Popen[str]) -> None:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        if proc.stdout is not None:
            proc.stdout.close()

    proc, url = serve()
    try:
        alice = make_changes(url)
    finally:
        stop(proc)
    proc, url = serve()
    try:
        assert refresh(url, alice["refresh_token"]).status_code == 200
    finally:
        stop(proc)
