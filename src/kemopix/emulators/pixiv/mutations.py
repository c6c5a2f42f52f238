"""Writes to the state: bookmarks, follows, settings, new accounts and new works.

Every function takes the state's lock, commits, and marks the state changed so cached views are
rebuilt. New works are dated just after the dataset's clock, newest last.
"""

from __future__ import annotations

import json
import random
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

from .records import (
    AI_EPOCH,
    DATASET_NOW,
    IllustRecord,
    NovelRecord,
    UserRecord,
    insert_illust,
    insert_novel,
    insert_user,
    pick_frames,
    pick_size,
)
from .state import PixivState, StateError
from .texts import make_profile, make_workspace

__all__ = [
    "add_bookmark",
    "add_illustration",
    "add_novel",
    "create_account",
    "delete_bookmark",
    "follow",
    "set_show_ai",
    "unfollow",
]

WorkKind = Literal["illust", "manga", "ugoira"]
_FIRST_CREATED_ACCOUNT = 90_000_000


def add_bookmark(
    state: PixivState, user_id: int, kind: str, work_id: int, restrict: str, tags: list[str]
) -> bool:
    """Bookmark (or re-bookmark with new restrict and tags); False when the work is unknown."""
    table = "illusts" if kind == "illust" else "novels"
    with state.lock:
        conn = state.conn
        if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (work_id,)).fetchone() is None:
            return False
        tag_json = json.dumps(list(dict.fromkeys(tags)), ensure_ascii=False)
        existing = conn.execute(
            "SELECT id FROM bookmarks WHERE user_id = ? AND kind = ? AND work_id = ?",
            (user_id, kind, work_id),
        ).fetchone()
        if existing is not None:
            conn.execute(
                "UPDATE bookmarks SET restrict_ = ?, tags = ? WHERE id = ?",
                (restrict, tag_json, existing[0]),
            )
        else:
            top = conn.execute("SELECT COALESCE(MAX(id), 5000000000) FROM bookmarks").fetchone()
            conn.execute(
                "INSERT INTO bookmarks (id, user_id, kind, work_id, restrict_, tags)"
                " VALUES (?,?,?,?,?,?)",
                (int(top[0]) + 1000, user_id, kind, work_id, restrict, tag_json),
            )
            conn.execute(
                f"UPDATE {table} SET total_bookmarks = total_bookmarks + 1 WHERE id = ?",
                (work_id,),
            )
        conn.commit()
        state.touch()
        return True


def delete_bookmark(state: PixivState, user_id: int, kind: str, work_id: int) -> None:
    table = "illusts" if kind == "illust" else "novels"
    with state.lock:
        cursor = state.conn.execute(
            "DELETE FROM bookmarks WHERE user_id = ? AND kind = ? AND work_id = ?",
            (user_id, kind, work_id),
        )
        if cursor.rowcount:
            state.conn.execute(
                f"UPDATE {table} SET total_bookmarks = MAX(0, total_bookmarks - 1) WHERE id = ?",
                (work_id,),
            )
        state.conn.commit()
        state.touch()


def follow(state: PixivState, follower: int, followee: int, restrict: str) -> bool:
    """Follow (or change the restrict of a follow); False for an unknown user or oneself."""
    with state.lock:
        if follower == followee or state.user(followee) is None:
            return False
        top = state.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM follows").fetchone()
        state.conn.execute(
            "INSERT INTO follows (follower_id, followee_id, restrict_, seq) VALUES (?,?,?,?)"
            " ON CONFLICT (follower_id, followee_id) DO UPDATE SET restrict_ = excluded.restrict_",
            (follower, followee, restrict, int(top[0]) + 1),
        )
        state.conn.commit()
        state.touch()
        return True


def unfollow(state: PixivState, follower: int, followee: int) -> None:
    with state.lock:
        state.conn.execute(
            "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?", (follower, followee)
        )
        state.conn.commit()
        state.touch()


def set_show_ai(state: PixivState, user_id: int, show: bool) -> None:
    with state.lock:
        state.conn.execute("UPDATE users SET show_ai = ? WHERE id = ?", (int(show), user_id))
        state.conn.commit()
        state.touch()


def _account_name(state: PixivState, name: str) -> str:
    base = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "user"
    candidate, suffix = base[:24], 1
    while state.one("SELECT 1 FROM users WHERE account = ?", candidate) is not None:
        suffix += 1
        candidate = f"{base[:20]}_{suffix}"
    return candidate


def create_account(
    state: PixivState,
    name: str,
    *,
    password: str | None = None,
    account: str | None = None,
    mail_address: str | None = None,
    x_restrict: int = 0,
    is_premium: bool = False,
) -> dict[str, Any]:
    """A new user who can log in; returns its ids and credentials (refresh token included)."""
    if x_restrict not in (0, 1, 2):
        raise StateError("x_restrict must be 0, 1 or 2")
    with state.lock:
        if account is not None and state.one("SELECT 1 FROM users WHERE account = ?", account):
            raise StateError(f"the account name {account!r} is taken")
        account = account or _account_name(state, name)
        top = state.one("SELECT MAX(id) FROM users WHERE id >= ?", _FIRST_CREATED_ACCOUNT)
        user_id = int(top[0]) + 1 if top is not None and top[0] is not None else 90_000_001
        rng = random.Random(user_id)
        password = password if password is not None else secrets.token_urlsafe(12)
        record = UserRecord(
            id=user_id,
            account=account,
            name=name,
            created=DATASET_NOW,
            password=password,
            mail_address=mail_address or f"{account}@example.invalid",
            is_premium=is_premium,
            x_restrict=x_restrict,
            profile=make_profile(rng, account, False),
            workspace=make_workspace(rng),
        )
        insert_user(state.conn, record)
        state.conn.commit()
        state.touch()
        token = state.refresh_token_of(user_id)
    return {
        "id": user_id,
        "user_id": user_id,
        "name": name,
        "account": account,
        "mail_address": record.mail_address,
        "password": password,
        "refresh_token": token,
        "x_restrict": x_restrict,
        "is_premium": is_premium,
    }


def _next_moment(state: PixivState) -> datetime:
    row = state.one(
        "SELECT MAX(d) FROM (SELECT MAX(create_date) AS d FROM illusts"
        " UNION ALL SELECT MAX(create_date) FROM novels)"
    )
    latest = datetime.fromisoformat(row[0]) if row is not None and row[0] else DATASET_NOW
    return max(latest, DATASET_NOW) + timedelta(minutes=1)


def _next_id(state: PixivState, table: str) -> int:
    row = state.one(f"SELECT MAX(id) FROM {table}")
    return int(row[0] if row is not None and row[0] is not None else 0) + 1000


def add_illustration(
    state: PixivState,
    user_id: int,
    *,
    title: str,
    pages: int = 1,
    kind: WorkKind = "illust",
    tags: list[str] | None = None,
    caption: str = "",
    x_restrict: int = 0,
    ext: str = "png",
    frames: list[int] | None = None,
) -> int:
    """A new work by ``user_id`` dated after every other one; returns its id."""
    if kind not in ("illust", "manga", "ugoira"):
        raise StateError("kind must be 'illust', 'manga' or 'ugoira'")
    if pages < 1 or (kind == "ugoira" and pages != 1):
        raise StateError("pages must be >= 1 (and 1 for an ugoira)")
    if ext not in ("png", "jpg", "gif"):
        raise StateError("ext must be 'png', 'jpg' or 'gif'")
    with state.lock:
        if state.user(user_id) is None:
            raise StateError(f"no user {user_id}")
        work_id = _next_id(state, "illusts")
        rng = random.Random(work_id)
        width, height = pick_size(rng)
        created = _next_moment(state)
        record = IllustRecord(
            id=work_id,
            user_id=user_id,
            title=title,
            type=kind,
            created=created,
            page_count=pages,
            width=width,
            height=height,
            exts=["jpg"] if kind == "ugoira" else [ext] * pages,
            tags=list(tags or []),
            caption=caption,
            x_restrict=x_restrict,
            sanity_level=6 if x_restrict else 2,
            ai_type=1 if created >= AI_EPOCH else 0,
            frames=(frames or pick_frames(rng, 6)) if kind == "ugoira" else [],
        )
        insert_illust(state.conn, record)
        state.conn.commit()
        state.touch()
        return work_id


def add_novel(
    state: PixivState,
    user_id: int,
    *,
    title: str,
    text: str,
    tags: list[str] | None = None,
    caption: str = "",
    series_id: int | None = None,
) -> int:
    """A new novel by ``user_id`` (appended to ``series_id`` when given); returns its id."""
    with state.lock:
        if state.user(user_id) is None:
            raise StateError(f"no user {user_id}")
        order = None
        if series_id is not None:
            row = state.one("SELECT user_id FROM novel_series WHERE id = ?", series_id)
            if row is None:
                raise StateError(f"no novel series {series_id}")
            last = state.one(
                "SELECT COALESCE(MAX(series_order), 0) FROM novels WHERE series_id = ?", series_id
            )
            order = int(last[0]) + 1 if last is not None else 1
        novel_id = _next_id(state, "novels")
        record = NovelRecord(
            id=novel_id,
            user_id=user_id,
            title=title,
            text=text,
            created=_next_moment(state),
            cover=f"{random.Random(novel_id).getrandbits(128):032x}",
            tags=list(tags or []),
            caption=caption,
            series_id=series_id,
            series_order=order,
            ai_type=1,
        )
        insert_novel(state.conn, record)
        state.conn.commit()
        state.touch()
        return novel_id
