"""Rows of the dataset: typed records and the SQL that inserts them (shared by the seeded build
and by the runtime additions of the Python API)."""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

__all__ = [
    "AI_EPOCH",
    "DATASET_NOW",
    "DATASET_START",
    "JST",
    "IllustRecord",
    "NovelRecord",
    "UserRecord",
    "insert_illust",
    "insert_novel",
    "insert_user",
    "iso",
    "pick_frames",
    "pick_size",
    "upload_path",
]

JST = timezone(timedelta(hours=9))
# The dataset's own clock: works are dated between these; "today" for rankings and durations.
DATASET_START = datetime(2018, 1, 1, tzinfo=JST)
DATASET_NOW = datetime(2024, 6, 30, 12, 0, tzinfo=JST)
# Works posted after pixiv introduced the AI flag say 1 (not AI) or 2 (AI); older ones say 0.
AI_EPOCH = datetime(2022, 10, 31, tzinfo=JST)

# Small originals keep the generated images cheap; the sample sizes still differ from them.
_SIZES = ((480, 640), (640, 480), (512, 512), (600, 400), (400, 600), (720, 405))
_DELAYS = (40, 60, 80, 100, 120, 150, 200)


def iso(moment: datetime) -> str:
    """``2019-07-01T00:00:00+09:00``, as the API writes dates."""
    return moment.astimezone(JST).replace(microsecond=0).isoformat()


def upload_path(moment: datetime) -> str:
    """The ``YYYY/MM/DD/hh/mm/ss`` part of image URLs (JST)."""
    return moment.astimezone(JST).strftime("%Y/%m/%d/%H/%M/%S")


def pick_size(rng: random.Random) -> tuple[int, int]:
    return rng.choice(_SIZES)


def pick_frames(rng: random.Random, count: int) -> list[int]:
    """Per-frame delays in ms: mostly one tempo, sometimes a held frame."""
    base = rng.choice(_DELAYS)
    return [base * 3 if rng.random() < 0.15 else base for _ in range(count)]


@dataclass
class UserRecord:
    id: int
    account: str
    name: str
    created: datetime
    comment: str = ""
    password: str | None = None
    mail_address: str = ""
    is_premium: bool = False
    x_restrict: int = 0
    avatar: str = ""
    profile: dict[str, object] = field(default_factory=dict)
    workspace: dict[str, object] = field(default_factory=dict)


@dataclass
class IllustRecord:
    id: int
    user_id: int
    title: str
    type: str
    created: datetime
    page_count: int
    width: int
    height: int
    exts: list[str]
    tags: list[str]
    caption: str = ""
    restrict: int = 0
    x_restrict: int = 0
    sanity_level: int = 2
    uploaded: datetime | None = None
    series_id: int | None = None
    total_view: int = 0
    total_bookmarks: int = 0
    ai_type: int = 0
    book_style: int = 0
    tools: list[str] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)


@dataclass
class NovelRecord:
    id: int
    user_id: int
    title: str
    text: str
    created: datetime
    cover: str
    tags: list[str]
    caption: str = ""
    restrict: int = 0
    x_restrict: int = 0
    is_original: bool = False
    series_id: int | None = None
    series_order: int | None = None
    total_view: int = 0
    total_bookmarks: int = 0
    ai_type: int = 0


def insert_user(conn: sqlite3.Connection, user: UserRecord) -> None:
    conn.execute(
        "INSERT INTO users (id, account, name, comment, password, mail_address, is_premium,"
        " x_restrict, avatar, profile, workspace, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            user.id,
            user.account,
            user.name,
            user.comment,
            user.password,
            user.mail_address,
            int(user.is_premium),
            user.x_restrict,
            user.avatar,
            json.dumps(user.profile, ensure_ascii=False),
            json.dumps(user.workspace, ensure_ascii=False),
            iso(user.created),
        ),
    )


def insert_illust(conn: sqlite3.Connection, work: IllustRecord) -> None:
    uploaded = work.uploaded or work.created
    conn.execute(
        "INSERT INTO illusts (id, user_id, title, type, caption, restrict_, x_restrict,"
        " sanity_level, create_date, upload_path, page_count, width, height, exts, series_id,"
        " total_view, total_bookmarks, ai_type, book_style, tools)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            work.id,
            work.user_id,
            work.title,
            work.type,
            work.caption,
            work.restrict,
            work.x_restrict,
            work.sanity_level,
            iso(work.created),
            upload_path(uploaded),
            work.page_count,
            work.width,
            work.height,
            ",".join(work.exts),
            work.series_id,
            work.total_view,
            work.total_bookmarks,
            work.ai_type,
            work.book_style,
            json.dumps(work.tools),
        ),
    )
    conn.executemany(
        "INSERT INTO illust_tags (illust_id, pos, tag) VALUES (?,?,?)",
        [(work.id, pos, tag) for pos, tag in enumerate(work.tags)],
    )
    conn.executemany(
        "INSERT INTO ugoira_frames (illust_id, idx, delay) VALUES (?,?,?)",
        [(work.id, idx, delay) for idx, delay in enumerate(work.frames)],
    )


def insert_novel(conn: sqlite3.Connection, novel: NovelRecord) -> None:
    conn.execute(
        "INSERT INTO novels (id, user_id, title, caption, text, restrict_, x_restrict,"
        " is_original, create_date, upload_path, cover, series_id, series_order, total_view,"
        " total_bookmarks, ai_type) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            novel.id,
            novel.user_id,
            novel.title,
            novel.caption,
            novel.text,
            novel.restrict,
            novel.x_restrict,
            int(novel.is_original),
            iso(novel.created),
            upload_path(novel.created),
            novel.cover,
            novel.series_id,
            novel.series_order,
            novel.total_view,
            novel.total_bookmarks,
            novel.ai_type,
        ),
    )
    conn.executemany(
        "INSERT INTO novel_tags (novel_id, pos, tag) VALUES (?,?,?)",
        [(novel.id, pos, tag) for pos, tag in enumerate(novel.tags)],
    )
