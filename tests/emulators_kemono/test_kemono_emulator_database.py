"""The SQLite state: a file database survives restarts, reset restores the seed (real HTTP)."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import requests

from kemopix.emulators.kemono_server import KemonoEmulator
from kemopix.emulators.kemono_server.cli import add_cli_arguments

CSS = {"Accept": "text/css"}
PASSWORD = "correct horse battery staple"
DEMO = "/patreon/user/demo-creator"


def get(emu: KemonoEmulator, path: str, **kwargs: object) -> requests.Response:
    return requests.get(emu.api_url + path, headers=CSS, timeout=10, **kwargs)  # type: ignore[arg-type]


def login(emu: KemonoEmulator, username: str, *, register: bool) -> requests.Session:
    session = requests.Session()
    session.headers.update(CSS)
    body = {"username": username, "password": PASSWORD, "confirm_password": PASSWORD}
    if register:
        assert session.post(emu.api_url + "/authentication/register", json=body).ok
    response = session.post(emu.api_url + "/authentication/login", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return session


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_file_database_keeps_changes_across_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "kemono.sqlite"
    with KemonoEmulator(creators=150, database=db) as emu:
        session = login(emu, "keeper", register=True)
        assert session.post(emu.api_url + "/favorites/creator/fanbox/70050825").ok
        emu.add_creator("gumroad", "kept", "Kept")
        post = emu.add_post("gumroad", "kept", title="Kept post", files=[("k.txt", b"kept bytes")])
        emu.edit_post("patreon", "demo-creator", "1000001", title="Renamed once")
        lazy_path, lazy_posts = "", []
        for lazy in get(emu, "/creators").json()[100:150]:  # not featured: posts made on demand
            lazy_path = f"/{lazy['service']}/user/{lazy['id']}/posts"
            lazy_posts = get(emu, lazy_path).json()
            if lazy_posts:
                break
        assert lazy_posts

    with KemonoEmulator(creators=150, database=db) as emu:
        session = login(emu, "keeper", register=False)  # the account and its password survived
        favorites = session.get(emu.api_url + "/account/favorites", timeout=10).json()
        assert [(f["service"], f["id"]) for f in favorites] == [("fanbox", "70050825")]
        assert "kept" in {c["id"] for c in get(emu, "/creators").json()}
        listed = get(emu, "/gumroad/user/kept/posts").json()
        assert [p["title"] for p in listed] == ["Kept post"]
        served = requests.get(emu.file_url(post["file"]["path"]), timeout=10)
        assert served.content == b"kept bytes"
        detail = get(emu, DEMO + "/post/1000001").json()
        assert detail["post"]["title"] == "Renamed once"
        assert get(emu, DEMO + "/post/1000001/revisions").ok
        again = get(emu, lazy_path).json()
        assert again == lazy_posts
        for item in again:
            assert requests.get(emu.file_url(item["file"]["path"]), timeout=10).ok
    made = rows(
        db, "SELECT count(*) FROM creators WHERE posts_ready = 1 AND pk BETWEEN 101 AND 150"
    )
    assert made[0][0] >= 1


def test_same_emulator_restarts_on_its_file(tmp_path: Path) -> None:
    emu = KemonoEmulator(creators=20, database=tmp_path / "again.sqlite")
    with emu:
        login(emu, "twice", register=True)
        assert rows(tmp_path / "again.sqlite", "PRAGMA journal_mode") == [("wal",)]
    with emu:  # stop() closed the database; start() reopens it
        login(emu, "twice", register=False)


def test_reset_restores_the_seed_state(tmp_path: Path) -> None:
    db = tmp_path / "reset.sqlite"
    with KemonoEmulator(creators=50, database=db) as emu:
        seeded = get(emu, "/creators").content
        first = get(emu, DEMO + "/posts").json()
        session = login(emu, "someone", register=True)
        assert session.post(emu.api_url + "/favorites/creator/fanbox/70050825").ok
        assert session.post(emu.api_url + "/patreon/user/demo-creator/post/1000002/flag").ok
        emu.add_creator("fantia", "temporary", "Temporary")
        emu.add_post("patreon", "demo-creator", title="Later", published=2_000_000_000)
        emu.edit_post("patreon", "demo-creator", "1000006", title="Changed")
        assert get(emu, "/creators").content != seeded

        assert requests.post(emu.url + "/_emulator/reset", timeout=10).ok
        assert get(emu, "/creators").content == seeded
        assert get(emu, DEMO + "/posts").json() == first
        revisions = get(emu, DEMO + "/post/1000006/revisions").json()
        assert [r["revision_id"] for r in revisions] == [7001, 7000]
        assert get(emu, DEMO + "/post/1000002/flag").status_code == 404
        gone = session.get(emu.api_url + "/account", timeout=10)
        assert gone.status_code == 401
        assert rows(db, "SELECT count(*) FROM accounts") == [(0,)]
        assert rows(db, "SELECT count(*) FROM creators WHERE live > 0") == [(0,)]


def test_database_file_holds_the_seeded_creators(tmp_path: Path) -> None:
    db = tmp_path / "seeded.sqlite"
    with KemonoEmulator(seed=7, creators=300, database=db) as emu:
        listed = get(emu, "/creators").json()
    stored = rows(db, "SELECT service, id, name FROM creators ORDER BY pk")
    assert len(stored) == 302  # 300 synthetic + the demo and fanbox creators
    assert [(c["service"], c["id"], c["name"]) for c in listed] == stored
    assert ("patreon", "demo-creator", "Demo Creator") in stored
    posts = rows(db, "SELECT id FROM posts WHERE creator_id = 'demo-creator' ORDER BY id")
    assert [p for (p,) in posts] == [str(n) for n in range(1000001, 1000007)]
    # Deterministic from the seed: a second build writes the same rows.
    with KemonoEmulator(seed=7, creators=300, database=tmp_path / "twin.sqlite"):
        pass
    twin = rows(tmp_path / "twin.sqlite", "SELECT service, id, name FROM creators ORDER BY pk")
    assert twin == stored


def test_passwords_are_not_stored_in_plain_text(tmp_path: Path) -> None:
    db = tmp_path / "secrets.sqlite"
    with KemonoEmulator(creators=10, database=db) as emu:
        login(emu, "private", register=True)
    ((username, digest, salt),) = rows(db, "SELECT username, password_hash, salt FROM accounts")
    assert username == "private"
    assert isinstance(digest, bytes) and len(digest) == 32 and len(salt) == 16
    assert PASSWORD.encode() not in digest
    for file in tmp_path.iterdir():  # the database and any journal left beside it
        assert PASSWORD.encode() not in file.read_bytes()


def test_another_seed_rebuilds_the_file(tmp_path: Path) -> None:
    db = tmp_path / "seeds.sqlite"
    with KemonoEmulator(seed=1, creators=30, database=db) as emu:
        login(emu, "seed-one", register=True)
    with KemonoEmulator(seed=2, creators=30, database=db) as emu:
        assert emu.ctx.accounts.named("seed-one") is None
        assert len(get(emu, "/creators").json()) == 32


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE precious (x)")
    with pytest.raises(ValueError, match="not a Kemono emulator database"):
        KemonoEmulator(creators=5, database=db)
    assert rows(db, "SELECT name FROM sqlite_master") == [("precious",)]
    assert rows(db, "PRAGMA journal_mode") == [("delete",)]


def test_cli_db_option() -> None:
    parser = argparse.ArgumentParser()
    add_cli_arguments(parser)
    assert parser.parse_args([]).db == ":memory:"
    assert parser.parse_args(["--db", "world.sqlite"]).db == "world.sqlite"
