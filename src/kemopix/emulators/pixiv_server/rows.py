"""Row mapping between the SQLite tables of :mod:`.db` and the dataclasses of :mod:`.dataset`.

``insert_*`` write one object (and its child rows: pages, tags, frames, workspace, bookmark
tags); ``load_*`` read a whole table back as the dicts :mod:`.state` caches. Datetimes are ISO
8601 text with their offset (JST for the seed), tools a JSON list.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import datetime
from typing import Literal, cast

from .dataset import (
    Account,
    Bookmark,
    Comment,
    Dataset,
    Illust,
    IllustKind,
    Novel,
    NovelSeries,
    Restrict,
    User,
)
from .passwords import hash_password

__all__ = [
    "WorkKind",
    "insert_account",
    "insert_bookmark",
    "insert_dataset",
    "insert_illust",
    "insert_user",
    "load_accounts",
    "load_bookmarks",
    "load_comments",
    "load_follows",
    "load_illusts",
    "load_novels",
    "load_series",
    "load_tags",
    "load_tokens",
    "load_users",
]

WorkKind = Literal["illust", "novel"]


def _grouped(conn: sqlite3.Connection, sql: str) -> dict[int, list[tuple[object, ...]]]:
    """Child rows keyed by their first column (rows come ordered by the query)."""
    groups: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    for row in conn.execute(sql):
        groups[int(row[0])].append(tuple(row[1:]))
    return groups


# ----- users and accounts


def insert_user(conn: sqlite3.Connection, user: User) -> None:
    conn.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user.id,
            user.name,
            user.account,
            user.comment,
            int(user.is_premium),
            user.x_restrict,
            user.webpage,
            user.region,
            user.country_code,
            user.job,
            user.twitter_account,
        ),
    )
    conn.executemany(
        "INSERT INTO user_workspace VALUES (?, ?, ?, ?)",
        [(user.id, n, key, value) for n, (key, value) in enumerate(user.workspace)],
    )


def load_users(conn: sqlite3.Connection) -> dict[int, User]:
    workspace = _grouped(
        conn, "SELECT user_id, key, value FROM user_workspace ORDER BY user_id, position"
    )
    users: dict[int, User] = {}
    for row in conn.execute("SELECT * FROM users ORDER BY id"):
        uid, name, account, comment, premium, x_restrict, webpage, region, cc, job, tw = row
        users[uid] = User(
            id=uid,
            name=name,
            account=account,
            comment=comment,
            is_premium=bool(premium),
            x_restrict=x_restrict,
            webpage=webpage,
            region=region,
            country_code=cc,
            job=job,
            twitter_account=tw,
            workspace=tuple((str(k), str(v)) for k, v in workspace.get(uid, [])),
        )
    return users


def insert_account(conn: sqlite3.Connection, account: Account) -> None:
    conn.execute(
        "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)",
        (
            account.username,
            account.user_id,
            account.password_hash,
            account.refresh_token,
            account.mail_address,
        ),
    )


def load_accounts(conn: sqlite3.Connection) -> dict[str, Account]:
    rows = conn.execute(
        "SELECT user_id, username, password_hash, refresh_token, mail_address FROM accounts"
        " ORDER BY rowid"
    )
    return {row[1]: Account(*row) for row in rows}


def load_tokens(conn: sqlite3.Connection) -> dict[str, tuple[int, float]]:
    """Access token -> (user id, expiry as a Unix time)."""
    rows = conn.execute("SELECT token, user_id, expires_at FROM tokens")
    return {token: (user_id, expires) for token, user_id, expires in rows}


# ----- tags and works


def load_tags(conn: sqlite3.Connection) -> dict[str, str | None]:
    return dict(conn.execute("SELECT name, translated_name FROM tags ORDER BY rowid"))


def _ensure_tags(conn: sqlite3.Connection, names: tuple[str, ...]) -> None:
    conn.executemany("INSERT OR IGNORE INTO tags (name) VALUES (?)", [(n,) for n in names])


def insert_illust(conn: sqlite3.Connection, illust: Illust) -> None:
    _ensure_tags(conn, illust.tags)
    conn.execute(
        "INSERT INTO illusts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            illust.id,
            illust.user_id,
            illust.title,
            illust.kind,
            illust.caption,
            illust.created.isoformat(),
            illust.ext,
            illust.x_restrict,
            illust.total_view,
            illust.total_bookmarks,
            json.dumps(list(illust.tools)),
        ),
    )
    conn.executemany(
        "INSERT INTO illust_pages VALUES (?, ?, ?, ?)",
        [(illust.id, n, illust.width, illust.height) for n in range(illust.page_count)],
    )
    conn.executemany(
        "INSERT INTO illust_tags VALUES (?, ?, ?)",
        [(illust.id, n, tag) for n, tag in enumerate(illust.tags)],
    )
    conn.executemany(
        "INSERT INTO ugoira_frames VALUES (?, ?, ?, ?)",
        [(illust.id, n, f"{n:06d}.jpg", delay) for n, delay in enumerate(illust.frame_delays)],
    )


def load_illusts(conn: sqlite3.Connection) -> dict[int, Illust]:
    pages = _grouped(
        conn, "SELECT illust_id, width, height FROM illust_pages ORDER BY illust_id, page"
    )
    tags = _grouped(conn, "SELECT illust_id, tag FROM illust_tags ORDER BY illust_id, position")
    frames = _grouped(conn, "SELECT illust_id, delay FROM ugoira_frames ORDER BY illust_id, frame")
    illusts: dict[int, Illust] = {}
    for row in conn.execute("SELECT * FROM illusts ORDER BY id"):
        iid, uid, title, kind, caption, created, ext, x_restrict, views, marks, tools = row
        sizes = pages.get(iid) or [(64, 48)]
        illusts[iid] = Illust(
            id=iid,
            user_id=uid,
            title=title,
            kind=cast(IllustKind, kind),
            caption=caption,
            tags=tuple(str(t) for (t,) in tags.get(iid, [])),
            created=datetime.fromisoformat(created),
            page_count=len(sizes),
            width=int(cast(int, sizes[0][0])),
            height=int(cast(int, sizes[0][1])),
            ext=ext,
            x_restrict=x_restrict,
            total_view=views,
            total_bookmarks=marks,
            tools=tuple(json.loads(tools)),
            frame_delays=tuple(int(cast(int, d)) for (d,) in frames.get(iid, [])),
        )
    return illusts


def _insert_novel(conn: sqlite3.Connection, novel: Novel) -> None:
    _ensure_tags(conn, novel.tags)
    conn.execute(
        "INSERT INTO novels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            novel.id,
            novel.user_id,
            novel.title,
            novel.caption,
            novel.created.isoformat(),
            novel.text,
            novel.series_id,
            novel.x_restrict,
            novel.total_view,
            novel.total_bookmarks,
            int(novel.is_original),
        ),
    )
    conn.executemany(
        "INSERT INTO novel_tags VALUES (?, ?, ?)",
        [(novel.id, n, tag) for n, tag in enumerate(novel.tags)],
    )


def load_novels(conn: sqlite3.Connection) -> dict[int, Novel]:
    tags = _grouped(conn, "SELECT novel_id, tag FROM novel_tags ORDER BY novel_id, position")
    novels: dict[int, Novel] = {}
    for row in conn.execute("SELECT * FROM novels ORDER BY id"):
        nid, uid, title, caption, created, text, series, x_restrict, views, marks, original = row
        novels[nid] = Novel(
            id=nid,
            user_id=uid,
            title=title,
            caption=caption,
            tags=tuple(str(t) for (t,) in tags.get(nid, [])),
            created=datetime.fromisoformat(created),
            text=text,
            series_id=series,
            x_restrict=x_restrict,
            total_view=views,
            total_bookmarks=marks,
            is_original=bool(original),
        )
    return novels


def load_series(conn: sqlite3.Connection) -> dict[int, NovelSeries]:
    rows = conn.execute("SELECT id, title, user_id, caption FROM novel_series ORDER BY id")
    return {row[0]: NovelSeries(*row) for row in rows}


def load_comments(conn: sqlite3.Connection) -> dict[int, Comment]:
    rows = conn.execute(
        "SELECT id, illust_id, user_id, text, created, parent_id FROM comments ORDER BY id"
    )
    return {
        cid: Comment(cid, illust, user, text, datetime.fromisoformat(created), parent)
        for cid, illust, user, text, created, parent in rows
    }


# ----- bookmarks and follows


def insert_bookmark(
    conn: sqlite3.Connection, kind: WorkKind, owner: int, bookmark: Bookmark
) -> None:
    """Insert or replace ``owner``'s bookmark of a work, with its tags."""
    key = (kind, owner, bookmark.work_id)
    conn.execute("DELETE FROM bookmarks WHERE kind = ? AND user_id = ? AND work_id = ?", key)
    conn.execute(
        "INSERT INTO bookmarks VALUES (?, ?, ?, ?, ?)",
        (*key, bookmark.restrict, bookmark.bookmark_id),
    )
    conn.executemany(
        "INSERT INTO bookmark_tags VALUES (?, ?, ?, ?, ?)",
        [(*key, n, tag) for n, tag in enumerate(bookmark.tags)],
    )


def load_bookmarks(conn: sqlite3.Connection, kind: WorkKind) -> dict[int, dict[int, Bookmark]]:
    """Owner user id -> work id -> bookmark (in bookmark id order)."""
    tags: dict[tuple[int, int], list[str]] = defaultdict(list)
    for user_id, work_id, tag in conn.execute(
        "SELECT user_id, work_id, tag FROM bookmark_tags WHERE kind = ?"
        " ORDER BY user_id, work_id, position",
        (kind,),
    ):
        tags[user_id, work_id].append(tag)
    marks: dict[int, dict[int, Bookmark]] = {}
    for user_id, work_id, restrict, bookmark_id in conn.execute(
        "SELECT user_id, work_id, restrict, bookmark_id FROM bookmarks WHERE kind = ?"
        " ORDER BY bookmark_id",
        (kind,),
    ):
        mark = Bookmark(
            work_id, cast(Restrict, restrict), bookmark_id, tuple(tags.get((user_id, work_id), ()))
        )
        marks.setdefault(user_id, {})[work_id] = mark
    return marks


def load_follows(conn: sqlite3.Connection) -> dict[int, dict[int, Restrict]]:
    """Follower id -> followee id -> restrict."""
    follows: dict[int, dict[int, Restrict]] = {}
    for follower, followee, restrict in conn.execute(
        "SELECT follower, followee, restrict FROM follows ORDER BY rowid"
    ):
        follows.setdefault(follower, {})[followee] = cast(Restrict, restrict)
    return follows


# ----- the whole seed


def insert_dataset(conn: sqlite3.Connection, data: Dataset) -> None:
    """Write the seed's dataset (passwords as salted hashes) into empty tables."""
    conn.executemany("INSERT INTO tags VALUES (?, ?)", list(data.tags.items()))
    for user in data.users.values():
        insert_user(conn, user)
    for seeded in data.accounts.values():
        account = Account(
            seeded.user_id,
            seeded.username,
            hash_password(seeded.password),
            seeded.refresh_token,
            seeded.mail_address,
        )
        insert_account(conn, account)
    for illust in data.illusts.values():
        insert_illust(conn, illust)
    conn.executemany(
        "INSERT INTO novel_series VALUES (?, ?, ?, ?)",
        [(s.id, s.title, s.user_id, s.caption) for s in data.series.values()],
    )
    for novel in data.novels.values():
        _insert_novel(conn, novel)
    conn.executemany(
        "INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?)",
        [
            (c.id, c.illust_id, c.user_id, c.text, c.created.isoformat(), c.parent_id)
            for c in sorted(data.comments.values(), key=lambda c: c.parent_id or 0)
        ],
    )
    for owner, marks in data.illust_bookmarks.items():
        for mark in marks.values():
            insert_bookmark(conn, "illust", owner, mark)
    for owner, marks in data.novel_bookmarks.items():
        for mark in marks.values():
            insert_bookmark(conn, "novel", owner, mark)
    conn.executemany(
        "INSERT INTO follows VALUES (?, ?, ?)",
        [(f, t, r) for f, targets in data.follows.items() for t, r in targets.items()],
    )
