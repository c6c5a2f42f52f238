"""Accounts, favorites, moderator and administrator endpoints (kemono-protocol.md §2.5-§2.8)."""

from __future__ import annotations

import requests

from kemopix.emulators.kemono_server import KemonoEmulator

CSS = {"Accept": "text/css"}


def session_for(
    emu: KemonoEmulator, username: str, password: str = "pw-123456"
) -> requests.Session:
    """Register (if needed) and log in; returns a session carrying the ``session`` cookie."""
    session = requests.Session()
    session.headers.update(CSS)
    session.post(
        emu.api_url + "/authentication/register",
        timeout=10,
        json={
            "username": username,
            "password": password,
            "confirm_password": password,
            "favorites_json": "",
        },
    )
    response = session.post(
        emu.api_url + "/authentication/login",
        timeout=10,
        json={"username": username, "password": password},
    )
    assert response.status_code == 200, response.text
    return session


def post(emu: KemonoEmulator, path: str, body: object) -> requests.Response:
    return requests.post(emu.api_url + path, json=body, headers=CSS, timeout=10)


def test_register_validation(kemono_emulator: KemonoEmulator) -> None:
    ok = {"username": "alice", "password": "x1", "confirm_password": "x1", "favorites_json": ""}
    assert post(kemono_emulator, "/authentication/register", ok).status_code == 200
    assert post(kemono_emulator, "/authentication/register", ok).status_code == 400
    mismatch = dict(ok, username="bob", confirm_password="x2")
    assert post(kemono_emulator, "/authentication/register", mismatch).status_code == 400
    empty = dict(ok, username="")
    response = post(kemono_emulator, "/authentication/register", empty)
    assert response.status_code == 400
    assert "error" in response.json()


def test_login_cookie_account_and_conflict(kemono_emulator: KemonoEmulator) -> None:
    admin = session_for(kemono_emulator, "first")
    assert admin.cookies.get("session")
    me = admin.get(kemono_emulator.api_url + "/account", timeout=10).json()
    assert me["role"] == "administrator"
    assert set(me) == {"id", "username", "created_at", "role"}
    again = admin.post(
        kemono_emulator.api_url + "/authentication/login",
        timeout=10,
        json={"username": "first", "password": "pw-123456"},
    )
    assert again.status_code == 409
    second = session_for(kemono_emulator, "second")
    assert second.get(kemono_emulator.api_url + "/account", timeout=10).json()["role"] == (
        "consumer"
    )
    bad = post(kemono_emulator, "/authentication/login", {"username": "first", "password": "no"})
    assert bad.status_code == 400
    assert "pw-123456" not in bad.text
    admin.post(kemono_emulator.api_url + "/authentication/logout", timeout=10)
    assert admin.get(kemono_emulator.api_url + "/account", timeout=10).status_code == 401


def test_login_rate_limit(kemono_emulator: KemonoEmulator) -> None:
    session_for(kemono_emulator, "carol")
    statuses = [
        post(
            kemono_emulator, "/authentication/login", {"username": "carol", "password": "n"}
        ).status_code
        for _ in range(10)
    ]
    assert statuses[-1] == 429
    assert set(statuses[:9]) == {400}


def test_change_password(kemono_emulator: KemonoEmulator) -> None:
    session = session_for(kemono_emulator, "dave", "old-pass")
    url = kemono_emulator.api_url + "/account/change_password"
    wrong = {"current-password": "nope", "new-password": "n", "new-password-confirmation": "n"}
    assert session.post(url, json=wrong, timeout=10).status_code == 400
    good = dict(wrong, **{"current-password": "old-pass"})
    assert session.post(url, json=good, timeout=10).status_code == 200
    assert (
        post(
            kemono_emulator, "/authentication/login", {"username": "dave", "password": "n"}
        ).status_code
        == 200
    )


def test_favorites(kemono_emulator: KemonoEmulator) -> None:
    api = kemono_emulator.api_url
    assert requests.get(api + "/account/favorites", headers=CSS, timeout=10).status_code == 401
    session = session_for(kemono_emulator, "erin")
    for _ in range(2):  # idempotent
        assert session.post(api + "/favorites/creator/patreon/demo-creator", timeout=10).ok
        assert session.post(api + "/favorites/post/patreon/demo-creator/1000003", timeout=10).ok
    creators = session.get(api + "/account/favorites", timeout=10).json()
    assert [c["id"] for c in creators] == ["demo-creator"]
    assert {"faved_seq", "last_imported", "indexed", "updated"} <= set(creators[0])
    posts = session.get(api + "/account/favorites", params={"type": "post"}, timeout=10).json()
    assert [(p["id"], p["next"], p["prev"]) for p in posts] == [("1000003", "1000002", "1000004")]
    assert session.delete(api + "/favorites/creator/patreon/demo-creator", timeout=10).ok
    assert session.delete(api + "/favorites/creator/patreon/demo-creator", timeout=10).ok
    assert session.get(api + "/account/favorites", timeout=10).json() == []
    assert session.post(api + "/favorites/creator/patreon/ghost", timeout=10).status_code == 404


def test_roles_link_requests_and_admin(kemono_emulator: KemonoEmulator) -> None:
    api = kemono_emulator.api_url
    admin = session_for(kemono_emulator, "root")
    user = session_for(kemono_emulator, "user1")
    mod = session_for(kemono_emulator, "mod1")
    for name in ("a-user", "b-user", "c-user"):
        session_for(kemono_emulator, name)
    tasks = api + "/account/moderator/tasks/creator_links"
    assert user.get(tasks, timeout=10).status_code == 404
    assert user.get(api + "/account/administrator/accounts", timeout=10).status_code == 404
    assert user.delete(api + "/patreon/user/demo-creator/links", timeout=10).status_code == 404

    listing = admin.get(api + "/account/administrator/accounts", timeout=10).json()
    names = [a["username"] for a in listing["accounts"]]
    assert "root" not in names and "mod1" in names
    admins = admin.get(
        api + "/account/administrator/accounts", timeout=10, params={"role": "administrator"}
    ).json()
    assert [a["username"] for a in admins["accounts"]] == ["root"]
    paged = admin.get(
        api + "/account/administrator/accounts",
        timeout=10,
        params={"name": "-user", "page": "2", "limit": "2"},
    ).json()
    assert len(paged["accounts"]) == 1
    mod_id = next(a["id"] for a in listing["accounts"] if a["username"] == "mod1")
    changed = admin.post(
        api + "/account/administrator/accounts", json={"moderator": [mod_id]}, timeout=10
    )
    assert changed.status_code == 200

    target = kemono_emulator.add_creator("gumroad", "g1", "G")
    link = user.post(
        api + "/patreon/user/demo-creator/links/new",
        timeout=10,
        json={"service": "gumroad", "creator_id": target["id"], "reason": "same person"},
    )
    assert link.status_code == 200
    pending = mod.get(tasks, timeout=10).json()
    assert len(pending) == 1
    assert pending[0]["status"] == "pending" and pending[0]["to_id"] == "g1"
    decide = api + f"/account/moderator/creator_link_requests/{pending[0]['id']}/approve"
    assert mod.post(decide, timeout=10).status_code == 200
    assert mod.post(decide, timeout=10).status_code == 404
    assert mod.get(tasks, timeout=10).json() == []
    assert admin.delete(api + "/patreon/user/demo-creator/links", timeout=10).status_code == 204
