"""The data of every page, as plain JSON-ready dicts (the HTML templates and ``/api/`` share it).

Each function takes the :class:`~kemopix.serve.index.Index` and validated parameters and runs
a few indexed queries; the post page also reads that post's sidecars.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from ..sites.kemono.site import PRESETS
from .index import TYPE_FLAGS, Index
from .sanitize import external_links, sanitize
from .source import ugoira_frames

__all__ = [
    "PAGE_SIZE",
    "Filters",
    "NotFound",
    "creator_view",
    "creators_view",
    "file_view",
    "health_view",
    "post_view",
    "search_view",
]

PAGE_SIZE = 48
COUNT_LIMIT = 1_000  # search results counted exactly up to here ("1000+ posts")
HEALTH_KEYS = (
    "missing",
    "failed",
    "thumbnail",
    "unavailable",
    "pending",
    "skipped",
    "posts_edited",
    "posts_deleted",
)
ORIGINS: dict[str, str] = {site.flavour: site.url for site in PRESETS.values()}
_HASH = re.compile(r"([0-9a-f]{64})", re.IGNORECASE)
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class NotFound(LookupError):
    """No such creator, post or file in the archive."""


@dataclass(frozen=True, slots=True)
class Filters:
    """Filters of the creator and search pages (already validated)."""

    type: str | None = None
    tag: str | None = None
    after: str | None = None
    before: str | None = None
    site: str | None = None
    creator: str | None = None

    @classmethod
    def parse(cls, query: dict[str, str]) -> Filters:
        """From query parameters; anything malformed raises ``ValueError`` (a 400)."""

        def text(name: str) -> str | None:
            value = (query.get(name) or "").strip()
            if len(value) > 200:
                raise ValueError(f"{name} is too long")
            return value or None

        kind = text("type")
        if kind is not None and kind not in TYPE_FLAGS:
            raise ValueError(f"type must be one of {', '.join(TYPE_FLAGS)}")
        dates = {name: text(name) for name in ("after", "before")}
        for name, value in dates.items():
            if value is not None and not _DATE.fullmatch(value):
                raise ValueError(f"{name} must be a date YYYY[-MM[-DD]]")
        return cls(
            kind, text("tag"), dates["after"], dates["before"], text("site"), text("creator")
        )

    def where(self) -> tuple[list[str], list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.type is not None:
            clauses.append("p.types & ? != 0")
            params.append(TYPE_FLAGS[self.type])
        if self.tag is not None:
            clauses.append("EXISTS (SELECT 1 FROM tags t WHERE t.tag = ? AND t.pid = p.pid)")
            params.append(self.tag)
        if self.after is not None:
            clauses.append("p.published >= ?")
            params.append(self.after)
        if self.before is not None:
            clauses.append("p.published < ?")
            params.append(self.before)
        if self.site is not None:
            clauses.append("p.site = ?")
            params.append(self.site)
        if self.creator is not None:
            clauses.append("p.ckey = ?")
            params.append(self.creator)
        return clauses, params

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _health(raw: str) -> dict[str, int]:
    data = json.loads(raw or "{}")
    return {key: int(data.get(key, 0)) for key in (*HEALTH_KEYS, "original")}


def _creator(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "key": row["ckey"],
        "site": row["site"],
        "service": row["service"],
        "id": row["creator_id"],
        "name": row["name"],
        "posts": row["posts"],
        "files": row["files"],
        "bytes": row["bytes"],
        "last_sync": row["last_sync"],
        "avatar": row["avatar"],
        "health": _health(row["health"]),
    }


def _post_card(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "site": row["site"],
        "service": row["service"],
        "id": row["post_id"],
        "creator": row["ckey"],
        "title": row["title"],
        "kind": row["kind"],
        "published": row["published"] or None,
        "files": row["n_files"],
        "bytes": row["bytes"],
        "cover": row["cover"],
        "types": [name for name, flag in TYPE_FLAGS.items() if row["types"] & flag],
        "tags": json.loads(row["tags"]),
    }


def creators_view(index: Index) -> dict[str, Any]:
    db = index.reader()
    rows = db.execute("SELECT * FROM creators ORDER BY site, lower(name), ckey").fetchall()
    creators = [_creator(r) for r in rows]
    return {"creators": creators}


def _page(page: int, total: int) -> dict[str, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    return {"page": page, "pages": pages, "total": total, "size": PAGE_SIZE}


def creator_view(index: Index, ckey: str, filters: Filters, page: int) -> dict[str, Any]:
    db = index.reader()
    row = db.execute("SELECT * FROM creators WHERE ckey=?", (ckey,)).fetchone()
    if row is None:
        raise NotFound(f"no creator {ckey}")
    clauses, params = Filters(filters.type, filters.tag, filters.after, filters.before).where()
    where = " AND ".join(["p.ckey = ?", *clauses])
    total = db.execute(f"SELECT COUNT(*) FROM posts p WHERE {where}", [ckey, *params]).fetchone()[0]
    rows = db.execute(
        f"SELECT * FROM posts p WHERE {where} ORDER BY p.published DESC, p.pid DESC"
        " LIMIT ? OFFSET ?",
        [ckey, *params, PAGE_SIZE, (page - 1) * PAGE_SIZE],
    ).fetchall()
    tags = [
        r[0]
        for r in db.execute(
            "SELECT t.tag FROM tags t JOIN posts p ON p.pid = t.pid WHERE p.ckey = ?"
            " GROUP BY t.tag ORDER BY COUNT(*) DESC LIMIT 30",
            (ckey,),
        )
    ]
    return {
        "creator": _creator(row),
        "posts": [_post_card(r) for r in rows],
        "paging": _page(page, total),
        "filters": filters.as_query(),
        "tags": tags,
    }


def _file(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["fid"],
        "index": row["idx"],
        "name": row["original_name"] or row["name"],
        "stored_name": row["name"],
        "kind": row["kind"],
        "media": row["media"],
        "size": row["size"],
        "sha256": row["sha256"],
        "expected_sha256": row["expected_sha256"],
        "verified": bool(
            row["sha256"] and row["expected_sha256"] and row["sha256"] == row["expected_sha256"]
        ),
        "state": row["state"],
        "on_disk": bool(row["on_disk"]),
        "error": row["error"],
        "url": row["url"],
    }


def file_view(index: Index, fid: int) -> dict[str, Any]:
    row = index.reader().execute("SELECT * FROM files WHERE fid=?", (fid,)).fetchone()
    if row is None:
        raise NotFound(f"no file {fid}")
    out = _file(row)
    out["path"] = row["path"]
    out["post"] = {"site": row["site"], "service": row["service"], "id": row["post_id"]}
    return out


def original_url(site: str, service: str, post_id: str, creator_id: str) -> str | None:
    if site == "pixiv":
        if service == "novel":
            return f"https://www.pixiv.net/novel/show.php?id={post_id}"
        return f"https://www.pixiv.net/artworks/{post_id}"
    origin = ORIGINS.get(site)
    if origin is None:
        return None
    if service == "discord":  # a message: its server (the site has no page per message)
        return f"{origin}/discord/server/{creator_id}"
    return f"{origin}/{service}/user/{creator_id}/post/{post_id}"


def post_view(index: Index, site: str, service: str, post_id: str) -> dict[str, Any]:
    db = index.reader()
    row = db.execute(
        "SELECT * FROM posts WHERE site=? AND service=? AND post_id=?", (site, service, post_id)
    ).fetchone()
    if row is None:
        raise NotFound(f"no post {site}/{service}/{post_id}")
    files = [
        _file(f)
        for f in db.execute(
            "SELECT * FROM files WHERE site=? AND service=? AND post_id=? ORDER BY idx, fid",
            (site, service, post_id),
        )
    ]
    sidecar = None
    if row["folder"] is not None and service == "discord":  # a message of a transcript
        sidecar = index.source.message(row["folder"], post_id)
    elif row["folder"] is not None:
        sidecar = index.source.sidecar(row["folder"], post_id, site, service, strict=True)
    by_hash = {}
    for f in files:
        for digest in (f["sha256"], f["expected_sha256"]):
            if digest and f["state"] == "original":
                by_hash[digest.lower()] = f["id"]

    def local(url: str) -> str | None:
        match = _HASH.search(url)
        fid = by_hash.get(match.group(1).lower()) if match else None
        return None if fid is None else f"/file/{fid}"

    content = sanitize(sidecar.content, local) if sidecar else ""
    ugoira = None
    frames = ugoira_frames(sidecar.raw) if sidecar else []
    zip_file = next((f for f in files if f["media"] == "ugoira" and f["on_disk"]), None)
    if frames and zip_file is not None:
        ugoira = {
            "zip": zip_file["id"],
            "delays": [d for _, d in frames],
            "frames": [f"/ugoira/{zip_file['id']}/{n}" for n in range(len(frames))],
            "animation": next((f["id"] for f in files if f["kind"] == "animation"), None),
        }
    creator_id = row["ckey"].split("/", 2)[2]
    order = (row["published"], row["pid"])
    newer = db.execute(
        "SELECT site, service, post_id, title FROM posts WHERE ckey=? AND (published, pid) > (?, ?)"
        " ORDER BY published, pid LIMIT 1",
        (row["ckey"], *order),
    ).fetchone()
    older = db.execute(
        "SELECT site, service, post_id, title FROM posts WHERE ckey=? AND (published, pid) < (?, ?)"
        " ORDER BY published DESC, pid DESC LIMIT 1",
        (row["ckey"], *order),
    ).fetchone()
    creator = db.execute("SELECT * FROM creators WHERE ckey=?", (row["ckey"],)).fetchone()
    return {
        "post": {
            **_post_card(row),
            "added": row["added"],
            "edited": row["edited"],
            "revision": row["revision"],
            "complete": bool(row["complete"]),
            "deleted": bool(row["deleted"]),
            "original_url": original_url(site, service, post_id, creator_id),
        },
        "creator": _creator(creator) if creator is not None else None,
        "author": sidecar.author if sidecar else None,
        "content_html": content,
        "text": sidecar.text if sidecar else None,
        "files": files,
        "ugoira": ugoira,
        "external_links": [asdict(link) for link in external_links(content)],
        "revisions": sidecar.revisions if sidecar else None,
        "comments": sidecar.comments if sidecar else None,
        "newer": _ref(newer),
        "older": _ref(older),
    }


def _ref(row: sqlite3.Row | None) -> dict[str, str] | None:
    if row is None:
        return None
    return {
        "site": row["site"],
        "service": row["service"],
        "id": row["post_id"],
        "title": row["title"],
    }


def fts_query(text: str) -> str:
    """User words as an FTS5 query: every word must match (``word*`` keeps its prefix search)."""
    words = re.findall(r"[^\s\"]+", text)[:20]
    parts = []
    for word in words:
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*")
        if word:
            parts.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(parts)


def search_view(index: Index, text: str, filters: Filters, page: int) -> dict[str, Any]:
    """Matching posts, newest first in index order (publication order at a build, then arrival).

    Ordering by the FTS rowid lets SQLite stop after one page even when most posts match;
    the count stops at ``COUNT_LIMIT``.
    """
    db = index.reader()
    clauses, params = filters.where()
    match = fts_query(text)
    if match:
        join = " JOIN posts p ON p.pid = fts.rowid" if clauses else ""
        where = " AND ".join(["fts MATCH ?", *clauses])
        count_sql = f"SELECT 1 FROM fts{join} WHERE {where}"
        rows_sql = (
            f"SELECT p.* FROM fts JOIN posts p ON p.pid = fts.rowid WHERE {where}"
            " ORDER BY fts.rowid DESC"
        )
        args: list[object] = [match, *params]
    else:
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        count_sql = f"SELECT 1 FROM posts p{where}"
        rows_sql = f"SELECT p.* FROM posts p{where} ORDER BY p.published DESC, p.pid DESC"
        args = list(params)
    total = db.execute(
        f"SELECT COUNT(*) FROM ({count_sql} LIMIT {COUNT_LIMIT + 1})", args
    ).fetchone()[0]
    rows = db.execute(
        f"{rows_sql} LIMIT ? OFFSET ?", [*args, PAGE_SIZE, (page - 1) * PAGE_SIZE]
    ).fetchall()
    sites = [r[0] for r in db.execute("SELECT DISTINCT site FROM creators ORDER BY site")]
    paging = _page(page, min(total, COUNT_LIMIT))
    paging["more"] = int(total > COUNT_LIMIT)
    if paging["more"] and len(rows) == PAGE_SIZE:  # past the counted pages: one more at a time
        paging["pages"] = max(paging["pages"], page + 1)
    return {
        "query": text,
        "filters": filters.as_query(),
        "posts": [_post_card(r) for r in rows],
        "paging": paging,
        "sites": sites,
    }


def health_view(index: Index) -> dict[str, Any]:
    db = index.reader()
    creators = [_creator(r) for r in db.execute("SELECT * FROM creators ORDER BY site, name")]
    total = {key: 0 for key in (*HEALTH_KEYS, "original")}
    for creator in creators:
        for key, value in creator["health"].items():
            total[key] += value
    problems = [
        {
            "id": r["fid"],
            "name": r["original_name"] or r["name"],
            "path": r["path"],
            "state": "missing" if r["state"] == "original" else r["state"],
            "error": r["error"],
            "post": {"site": r["site"], "service": r["service"], "id": r["post_id"]},
        }
        for r in db.execute(
            "SELECT * FROM (SELECT * FROM files WHERE state = 'original' AND on_disk = 0"
            " UNION ALL SELECT * FROM files WHERE state IN ('failed', 'thumbnail', 'unavailable'))"
            " ORDER BY path LIMIT 200"
        )
    ]
    return {"total": total, "creators": creators, "problems": problems}
