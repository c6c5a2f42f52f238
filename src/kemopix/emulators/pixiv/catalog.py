"""Every work and novel as small in-memory records: what searches, rankings and feeds scan.

Rebuilt from SQLite after each write (a few milliseconds for the default dataset).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["Catalog", "NovelInfo", "WorkInfo", "load_catalog"]


@dataclass(frozen=True, slots=True)
class WorkInfo:
    id: int
    user_id: int
    type: str
    x_restrict: int
    restrict: int
    created: str
    total_bookmarks: int
    ai_type: int
    page_count: int
    tags: tuple[str, ...]
    title: str
    caption: str


@dataclass(frozen=True, slots=True)
class NovelInfo:
    id: int
    user_id: int
    x_restrict: int
    restrict: int
    created: str
    total_bookmarks: int
    ai_type: int
    tags: tuple[str, ...]
    title: str
    caption: str
    text: str
    series_id: int | None
    series_order: int | None


@dataclass
class Catalog:
    """Works and novels newest first, with lookups by id and by author."""

    illusts: list[WorkInfo]
    novels: list[NovelInfo]
    translations: dict[str, tuple[str | None, str | None]]
    users: dict[int, tuple[str, str]]
    by_id: dict[int, WorkInfo] = field(default_factory=dict)
    novel_by_id: dict[int, NovelInfo] = field(default_factory=dict)
    by_user: dict[int, list[WorkInfo]] = field(default_factory=dict)
    novels_by_user: dict[int, list[NovelInfo]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {w.id: w for w in self.illusts}
        self.novel_by_id = {n.id: n for n in self.novels}
        by_user: defaultdict[int, list[WorkInfo]] = defaultdict(list)
        for work in self.illusts:
            by_user[work.user_id].append(work)
        self.by_user = dict(by_user)
        novels_by_user: defaultdict[int, list[NovelInfo]] = defaultdict(list)
        for novel in self.novels:
            novels_by_user[novel.user_id].append(novel)
        self.novels_by_user = dict(novels_by_user)


def _tags(conn: sqlite3.Connection, table: str, column: str) -> dict[int, tuple[str, ...]]:
    out: defaultdict[int, list[str]] = defaultdict(list)
    for work_id, tag in conn.execute(f"SELECT {column}, tag FROM {table} ORDER BY {column}, pos"):
        out[int(work_id)].append(str(tag))
    return {k: tuple(v) for k, v in out.items()}


def load_catalog(conn: sqlite3.Connection) -> Catalog:
    illust_tags = _tags(conn, "illust_tags", "illust_id")
    novel_tags = _tags(conn, "novel_tags", "novel_id")
    illusts = [
        WorkInfo(
            int(r[0]),
            int(r[1]),
            str(r[2]),
            int(r[3]),
            int(r[4]),
            str(r[5]),
            int(r[6]),
            int(r[7]),
            int(r[8]),
            illust_tags.get(int(r[0]), ()),
            str(r[9]),
            str(r[10]),
        )
        for r in conn.execute(
            "SELECT id, user_id, type, x_restrict, restrict_, create_date, total_bookmarks,"
            " ai_type, page_count, title, caption FROM illusts ORDER BY id DESC"
        )
    ]
    novels = [
        NovelInfo(
            int(r[0]),
            int(r[1]),
            int(r[2]),
            int(r[3]),
            str(r[4]),
            int(r[5]),
            int(r[6]),
            novel_tags.get(int(r[0]), ()),
            str(r[7]),
            str(r[8]),
            str(r[9]),
            None if r[10] is None else int(r[10]),
            None if r[11] is None else int(r[11]),
        )
        for r in conn.execute(
            "SELECT id, user_id, x_restrict, restrict_, create_date, total_bookmarks, ai_type,"
            " title, caption, text, series_id, series_order FROM novels ORDER BY id DESC"
        )
    ]
    translations = {str(r[0]): (r[1], r[2]) for r in conn.execute("SELECT name, en, zh FROM tags")}
    users = {
        int(r[0]): (str(r[1]), str(r[2]))
        for r in conn.execute("SELECT id, name, account FROM users")
    }
    return Catalog(illusts, novels, translations, users)
