"""The viewer's own index of an archive: posts, files, creators, tags and full text (FTS5).

It lives in the archive's hidden state (``.kemopix-serve/index.sqlite3``) and is built from
:class:`~kemopix.serve.source.ArchiveSource` only. :meth:`Index.refresh` is incremental: it reads
the archive rows changed since the last refresh (by their ``updated_at``), re-reads those posts'
sidecars and recomputes the aggregates of the creators they belong to. A Discord message's text
comes from its channel's transcript; a transcript whose size or mtime changed since it was
last read is read again and its messages re-indexed. Pages read the index
through short read-only queries (``kemopix.serve.views``).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from .source import ArchivePost, ArchiveSource, FileRow, Sidecar, TranscriptStamp

__all__ = ["MEDIA", "STATE_DIR", "TYPE_FLAGS", "Index", "RefreshStats", "media_of"]

STATE_DIR = ".kemopix-serve"
SCHEMA_VERSION = "4"
OVERLAP = 2.0  # seconds: rows committed late with an earlier updated_at are looked at again
BODY_LIMIT = 200_000  # characters of a post's text that go into the full-text index

MEDIA: dict[str, str] = {
    **dict.fromkeys(("png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "apng"), "image"),
    **dict.fromkeys(("mp4", "webm", "mov", "m4v", "mkv", "ogv"), "video"),
    **dict.fromkeys(("mp3", "ogg", "oga", "wav", "flac", "m4a", "opus", "aac"), "audio"),
    **dict.fromkeys(("zip", "rar", "7z", "tar", "gz", "lzh", "xz", "bz2"), "archive"),
    **dict.fromkeys(("pdf", "txt", "doc", "docx", "psd", "clip", "epub", "md", "rtf"), "document"),
}
TYPE_FLAGS: dict[str, int] = {
    "image": 1,
    "video": 2,
    "audio": 4,
    "archive": 8,
    "document": 16,
    "ugoira": 32,
    "novel": 64,
    "text": 128,  # no file at all
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (
    pid INTEGER PRIMARY KEY, site TEXT NOT NULL, service TEXT NOT NULL, post_id TEXT NOT NULL,
    ckey TEXT NOT NULL, title TEXT NOT NULL, kind TEXT NOT NULL, published TEXT, added TEXT,
    edited TEXT, revision INTEGER NOT NULL, complete INTEGER NOT NULL, deleted INTEGER NOT NULL,
    folder TEXT, tags TEXT NOT NULL, types INTEGER NOT NULL, n_files INTEGER NOT NULL,
    bytes INTEGER NOT NULL, cover INTEGER, updated_at REAL NOT NULL,
    UNIQUE (site, service, post_id)
);
CREATE INDEX IF NOT EXISTS posts_by_creator ON posts (ckey, published DESC, pid DESC);
CREATE INDEX IF NOT EXISTS posts_by_date ON posts (published DESC, pid DESC);
CREATE TABLE IF NOT EXISTS files (
    fid INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, ckey TEXT NOT NULL,
    site TEXT NOT NULL, service TEXT NOT NULL, post_id TEXT NOT NULL, idx INTEGER NOT NULL,
    name TEXT NOT NULL, original_name TEXT NOT NULL, kind TEXT NOT NULL, media TEXT NOT NULL,
    url TEXT NOT NULL, expected_sha256 TEXT, sha256 TEXT, size INTEGER, state TEXT NOT NULL,
    error TEXT, on_disk INTEGER NOT NULL, updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_by_post ON files (site, service, post_id, idx);
CREATE INDEX IF NOT EXISTS files_by_creator ON files (ckey, state, on_disk);
CREATE INDEX IF NOT EXISTS files_by_state ON files (state, on_disk);
CREATE INDEX IF NOT EXISTS files_avatars ON files (ckey) WHERE kind IN ('avatar', 'icon');
CREATE TABLE IF NOT EXISTS tags (tag TEXT NOT NULL, pid INTEGER NOT NULL, PRIMARY KEY (tag, pid))
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_by_post ON tags (pid);
CREATE TABLE IF NOT EXISTS creators (
    ckey TEXT PRIMARY KEY, site TEXT NOT NULL, service TEXT NOT NULL, creator_id TEXT NOT NULL,
    name TEXT NOT NULL, posts INTEGER NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL,
    last_sync REAL, avatar INTEGER, health TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS channels (
    folder TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
    title, body, tags, names, tokenize = 'unicode61 remove_diacritics 2'
);
"""

PostKeyT = tuple[str, str, str]
T = TypeVar("T")
R = TypeVar("R")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def media_of(name: str, kind: str) -> str:
    """What a file is for the viewer: image, video, audio, archive, document, ugoira or other."""
    if kind == "ugoira":
        return "ugoira"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return MEDIA.get(ext, "other")


def creator_key(site: str, service: str, creator_id: str) -> str:
    """pixiv works of every type (illust, novel) belong to one creator."""
    return f"{site}/{'pixiv' if site == 'pixiv' else service}/{creator_id}"


def utc(value: str | None) -> str:
    """An ISO date in UTC (so dates of different zones sort right); '' when unknown."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def html_text(content: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", content))).strip()


@dataclass(slots=True)
class RefreshStats:
    """What one refresh did."""

    posts: int = 0
    files: int = 0
    creators: int = 0
    channels: int = 0  # Discord transcripts read again as they changed alone
    seconds: float = 0.0
    full: bool = False


class _Transcripts:
    """The channel transcripts one refresh reads, each once (thread-safe)."""

    def __init__(self, source: ArchiveSource) -> None:
        self.source = source
        self.read: dict[str, tuple[TranscriptStamp, dict[str, Sidecar]]] = {}
        self._folders: list[str] | None = None
        self._lock = threading.Lock()

    def find(self, folder: str, message_id: str) -> Sidecar | None:
        with self._lock:
            if folder not in self.read:
                stamp = self.source.transcript_stamp(folder)
                messages = self.source.transcript(folder) if stamp is not None else {}
                self.read[folder] = (stamp or (0, 0), messages)
            return self.read[folder][1].get(message_id)

    def folders(self) -> list[str]:
        """Every transcript of the archive (one walk of the tree per refresh)."""
        with self._lock:
            if self._folders is None:
                self._folders = list(self.source.transcript_folders())
            return self._folders


class Index:
    """The index database of one archive folder; thread-safe (one writer, many readers)."""

    def __init__(self, source: ArchiveSource, state_dir: Path | None = None) -> None:
        self.source = source
        self.state_dir = state_dir or source.root / STATE_DIR
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.state_dir / "index.sqlite3"
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stamp: tuple[int, ...] | None = None
        self._transcripts = _Transcripts(source)
        self._last_check = 0.0
        try:
            version = self._version()
        except sqlite3.DatabaseError:  # damaged: it is only a cache, made again
            version = "damaged"
        if version not in (None, SCHEMA_VERSION):
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        with contextlib.closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
            db.commit()

    def _version(self) -> str | None:
        with contextlib.closing(self._connect()) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if "meta" not in tables:
                return None if not tables else "unknown"
            row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            return str(row[0]) if row else "unknown"

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            db.execute("PRAGMA query_only=1")
            self._local.db = db
        return db

    # -- refresh ----------------------------------------------------------------------------
    def refresh_if_changed(self, min_interval: float = 1.0) -> RefreshStats | None:
        """Refresh when the archive changed since the last look (at most every ``min_interval``)."""
        now = time.monotonic()
        if now - self._last_check < min_interval:
            return None
        self._last_check = now
        stamp = self.source.stamp()
        if stamp == self._stamp:
            return None
        return self.refresh()

    def refresh(self, *, recheck_disk: bool = False) -> RefreshStats:
        """Bring the index up to date with the archive (all of it the first time)."""
        with self._lock:
            started = time.perf_counter()
            stamp = self.source.stamp()
            db = self._connect()
            db.execute("PRAGMA cache_size=-32768")  # 32 MB of pages for a build
            try:
                stats = self._refresh(db, recheck_disk)
            finally:
                db.close()
                self._transcripts = _Transcripts(self.source)  # the messages read: let go
            self._stamp = stamp
            stats.seconds = time.perf_counter() - started
            return stats

    def _refresh(self, db: sqlite3.Connection, recheck_disk: bool) -> RefreshStats:
        """Changed posts with all their files, batch by batch; then files changed alone."""
        row = db.execute("SELECT value FROM meta WHERE key='mark'").fetchone()
        mark = float(row[0]) if row else -1.0
        stats = RefreshStats(full=mark < 0)
        since = mark - OVERLAP if mark >= 0 else -1.0
        newest = mark
        done: set[PostKeyT] = set()
        creators: set[str] = set()
        self._transcripts = _Transcripts(self.source)
        db.execute("BEGIN")
        for batch in self.source.iter_posts(since):
            newest = max([newest, *(p.updated_at for p in batch)])
            posts = [p for p in batch if p.updated_at > mark or not self._indexed_post(db, p)]
            if not posts:
                continue
            keys = [(p.site, p.service, p.id) for p in posts]
            files = self.source.files_of(keys)
            newest = max([newest, *(f.updated_at for f in files)])
            owners = {
                key: creator_key(p.site, p.service, p.creator_id)
                for key, p in zip(keys, posts, strict=True)
            }
            self._upsert_files(db, files, owners)
            creators |= self._upsert_posts(db, posts, stats.full)
            stats.posts += len(posts)
            stats.files += len(files)
            if not stats.full:
                done.update(keys)
        if not stats.full:
            for changed in self.source.iter_files(since):
                newest = max([newest, *(f.updated_at for f in changed)])
                files = [
                    f
                    for f in changed
                    if (f.site, f.service, f.post_id) not in done
                    and (f.updated_at > mark or not self._indexed_file(db, f))
                ]
                if files:
                    creators |= self._files_alone(db, files)
                    stats.files += len(files)
        creators |= self._changed_channels(db, done, stats)
        if recheck_disk:
            self._recheck_disk(db)
            creators |= {r[0] for r in db.execute("SELECT ckey FROM creators")}
        self._update_creators(db, creators)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('mark', ?)", (repr(newest),))
        db.execute("COMMIT")
        stats.creators = len(creators)
        return stats

    def _changed_channels(
        self, db: sqlite3.Connection, done: set[PostKeyT], stats: RefreshStats
    ) -> set[str]:
        """Re-index the messages of each transcript appended to since it was last read (the
        posts this refresh indexed already are left alone); then note what was read."""
        creators: set[str] = set()
        for folder, mtime_ns, size in db.execute("SELECT * FROM channels").fetchall():
            if self.source.transcript_stamp(folder) == (mtime_ns, size):
                continue
            rows = db.execute(
                "SELECT * FROM posts WHERE folder=? AND service='discord'", (folder,)
            ).fetchall()
            posts = [p for p in map(_archive_post, rows) if (p.site, p.service, p.id) not in done]
            stats.channels += 1
            creators |= self._upsert_posts(db, posts, False) if posts else set()
            if folder not in self._transcripts.read:  # none of its messages is indexed
                db.execute("DELETE FROM channels WHERE folder=?", (folder,))
        for folder, (stamp, messages) in self._transcripts.read.items():
            if messages:
                db.execute("INSERT OR REPLACE INTO channels VALUES (?,?,?)", (folder, *stamp))
            else:  # gone, or not a transcript any more
                db.execute("DELETE FROM channels WHERE folder=?", (folder,))
        return creators

    def _files_alone(self, db: sqlite3.Connection, files: list[FileRow]) -> set[str]:
        """Files that changed while their post did not (a retry, a verify): re-add the post."""
        known: dict[PostKeyT, ArchivePost] = {}
        for f in files:
            key = (f.site, f.service, f.post_id)
            if key not in known:
                old = db.execute(
                    "SELECT * FROM posts WHERE site=? AND service=? AND post_id=?", key
                ).fetchone()
                if old is not None:
                    known[key] = _archive_post(old)
        owners = {key: creator_key(p.site, p.service, p.creator_id) for key, p in known.items()}
        files = [f for f in files if (f.site, f.service, f.post_id) in owners]
        self._upsert_files(db, files, owners)
        return self._upsert_posts(db, list(known.values()), False)

    @staticmethod
    def _indexed_post(db: sqlite3.Connection, p: ArchivePost) -> bool:
        """Whether the index already holds this version of the post (seen in the overlap)."""
        row = db.execute(
            "SELECT updated_at FROM posts WHERE site=? AND service=? AND post_id=?",
            (p.site, p.service, p.id),
        ).fetchone()
        return row is not None and row[0] == p.updated_at

    @staticmethod
    def _indexed_file(db: sqlite3.Connection, f: FileRow) -> bool:
        row = db.execute("SELECT updated_at FROM files WHERE path=?", (f.path,)).fetchone()
        return row is not None and row[0] == f.updated_at

    def _upsert_files(
        self, db: sqlite3.Connection, files: list[FileRow], owners: dict[PostKeyT, str]
    ) -> None:
        rows = []
        held = [f.path for f in files if f.state == "original"]
        present = {
            path
            for path, there in zip(held, _parallel(self.source.on_disk, held), strict=True)
            if there
        }
        for f in files:
            ckey = owners[(f.site, f.service, f.post_id)]
            on_disk = f.path in present
            name = f.path.rsplit("/", 1)[-1]
            rows.append(
                (
                    f.path,
                    ckey,
                    f.site,
                    f.service,
                    f.post_id,
                    f.index,
                    name,
                    f.name,
                    f.kind,
                    media_of(name, f.kind),
                    f.url,
                    f.expected_sha256,
                    f.sha256,
                    f.size,
                    f.state,
                    f.error,
                    int(on_disk),
                    f.updated_at,
                )
            )
        db.executemany(
            "INSERT INTO files (path, ckey, site, service, post_id, idx, name, original_name, kind,"
            " media, url, expected_sha256, sha256, size, state, error, on_disk, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (path) DO UPDATE SET"
            " ckey=excluded.ckey, site=excluded.site, service=excluded.service,"
            " post_id=excluded.post_id,"
            " idx=excluded.idx, name=excluded.name, original_name=excluded.original_name,"
            " kind=excluded.kind, media=excluded.media, url=excluded.url,"
            " expected_sha256=excluded.expected_sha256, sha256=excluded.sha256,"
            " size=excluded.size, state=excluded.state, error=excluded.error,"
            " on_disk=excluded.on_disk, updated_at=excluded.updated_at",
            rows,
        )

    def _recheck_disk(self, db: sqlite3.Connection) -> None:
        rows = db.execute("SELECT fid, path, state, on_disk FROM files").fetchall()
        changed = []
        for fid, path, state, on_disk in rows:
            now = int(state == "original" and self.source.on_disk(path))
            if now != on_disk:
                changed.append((now, fid))
        db.executemany("UPDATE files SET on_disk=? WHERE fid=?", changed)

    def _post_files(
        self, db: sqlite3.Connection, keys: list[PostKeyT]
    ) -> dict[PostKeyT, list[sqlite3.Row]]:
        out: dict[PostKeyT, list[sqlite3.Row]] = defaultdict(list)
        for key in keys:
            out[key] = db.execute(
                "SELECT fid, path, media, size, state, original_name, name FROM files"
                " WHERE site=? AND service=? AND post_id=? ORDER BY idx, fid",
                key,
            ).fetchall()
        return out

    def _old_posts(
        self, db: sqlite3.Connection, keys: list[PostKeyT]
    ) -> dict[PostKeyT, sqlite3.Row]:
        out: dict[PostKeyT, sqlite3.Row] = {}
        for key in keys:
            row = db.execute(
                "SELECT pid, folder, ckey FROM posts WHERE site=? AND service=? AND post_id=?",
                key,
            ).fetchone()
            if row is not None:
                out[key] = row
        return out

    def _sidecars(
        self,
        posts: list[ArchivePost],
        files: dict[PostKeyT, list[sqlite3.Row]],
        old: dict[PostKeyT, sqlite3.Row],
    ) -> list[Sidecar | None]:
        """Each post's sidecar, looked for where its files are, then by a walk of the tree."""

        def load(p: ArchivePost) -> Sidecar | None:
            key = (p.site, p.service, p.id)
            folders: list[str] = []
            previous = old.get(key)
            if previous is not None and previous["folder"] is not None:
                folders.append(previous["folder"])
            folders += [f["path"].rsplit("/", 1)[0] if "/" in f["path"] else "" for f in files[key]]
            for folder in dict.fromkeys(folders):
                found = find(folder, p)
                if found is not None:
                    return found
            return None

        def find(folder: str, p: ArchivePost) -> Sidecar | None:
            if p.service == "discord":  # a message: its text is in its channel's transcript
                return self._transcripts.find(folder, p.id)
            return self.source.sidecar(folder, p.id, p.site, p.service, extras=False)

        sidecars = _parallel(load, posts)
        lost = [i for i, found in enumerate(sidecars) if found is None]
        for i in [i for i in lost if posts[i].service == "discord"]:
            for folder in self._transcripts.folders():
                sidecars[i] = self._transcripts.find(folder, posts[i].id)
                if sidecars[i] is not None:
                    break
        lost = [i for i in lost if posts[i].service != "discord"]
        if lost:
            walked: dict[str, list[str]] = defaultdict(list)
            for folder, post_id in self.source.sidecar_folders():
                walked[post_id].append(folder)
            for i in lost:
                p = posts[i]
                for folder in walked.get(p.id, []):
                    sidecars[i] = self.source.sidecar(folder, p.id, p.site, p.service, extras=False)
                    if sidecars[i] is not None:
                        break
        return sidecars

    def _upsert_posts(
        self, db: sqlite3.Connection, posts: list[ArchivePost], full: bool
    ) -> set[str]:
        keys = [(p.site, p.service, p.id) for p in posts]
        files = self._post_files(db, keys)
        old = {} if full else self._old_posts(db, keys)
        sidecars = self._sidecars(posts, files, old)
        creators: set[str] = set()
        rows = []
        texts = []
        names = []
        for p, sidecar in zip(posts, sidecars, strict=True):
            key = (p.site, p.service, p.id)
            ckey = creator_key(p.site, p.service, p.creator_id)
            creators.add(ckey)
            previous = old.get(key)
            if previous is not None and previous["ckey"] != ckey:
                creators.add(previous["ckey"])
            if sidecar is not None and sidecar.creator_name:
                names.append((ckey, *ckey.split("/", 2), sidecar.creator_name))
            rows.append(_post_row(p, ckey, sidecar, files[key]))
            texts.append(_fts_row(p, sidecar, files[key]))
        db.executemany(
            "INSERT INTO posts (site, service, post_id, ckey, title, kind, published, added,"
            " edited, revision, complete, deleted, folder, tags, types, n_files, bytes, cover,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (site, service, post_id)"
            " DO UPDATE SET ckey=excluded.ckey, title=excluded.title, kind=excluded.kind,"
            " published=excluded.published, added=excluded.added, edited=excluded.edited,"
            " revision=excluded.revision, complete=excluded.complete, deleted=excluded.deleted,"
            " folder=COALESCE(excluded.folder, folder), tags=excluded.tags, types=excluded.types,"
            " n_files=excluded.n_files, bytes=excluded.bytes, cover=excluded.cover,"
            " updated_at=excluded.updated_at",
            rows,
        )
        pids = {
            key: int(
                db.execute(
                    "SELECT pid FROM posts WHERE site=? AND service=? AND post_id=?", key
                ).fetchone()[0]
            )
            for key in keys
        }
        ids = [(pids[key],) for key in keys]
        if not full:
            db.executemany("DELETE FROM tags WHERE pid=?", ids)
            db.executemany("DELETE FROM fts WHERE rowid=?", ids)
        db.executemany(
            "INSERT OR IGNORE INTO tags VALUES (?, ?)",
            [(tag, pids[key]) for key, row in zip(keys, rows, strict=True)
             for tag in json.loads(str(row[13]))],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO fts (rowid, title, body, tags, names) VALUES (?,?,?,?,?)",
            [(pids[key], *text) for key, text in zip(keys, texts, strict=True)],
        )
        if not full:  # a post may have moved to another creator
            db.executemany(
                "UPDATE files SET ckey=? WHERE site=? AND service=? AND post_id=? AND ckey<>?",
                [(row[3], *key, row[3]) for key, row in zip(keys, rows, strict=True)],
            )
        db.executemany(
            "INSERT INTO creators (ckey, site, service, creator_id, name, posts, files,"
            " bytes, health) VALUES (?,?,?,?,?,0,0,0,'{}') ON CONFLICT (ckey) DO UPDATE"
            " SET name=excluded.name",
            list({n[0]: n for n in names}.values()),
        )
        return creators

    def _update_creators(self, db: sqlite3.Connection, creators: set[str]) -> None:
        """Recount the creators in ``creators``: posts, files, bytes, last sync, health."""
        if not creators:
            return
        db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (ckey TEXT PRIMARY KEY)")
        db.execute("DELETE FROM touched")
        db.executemany("INSERT INTO touched VALUES (?)", [(c,) for c in creators])
        posts = {
            r[0]: r
            for r in db.execute(
                "SELECT ckey, COUNT(*), SUM(n_files), SUM(bytes), MAX(updated_at),"
                " SUM(revision > 1), SUM(deleted) FROM posts WHERE ckey IN touched GROUP BY ckey"
            )
        }
        health: dict[str, dict[str, int]] = {}
        for ckey, row in posts.items():
            health[ckey] = {
                "posts_edited": int(row[5] or 0),
                "posts_deleted": int(row[6] or 0),
                **dict.fromkeys(
                    ("missing", "failed", "thumbnail", "unavailable", "pending", "skipped"), 0
                ),
                "original": 0,
            }
        for ckey, state, on_disk, count in db.execute(
            "SELECT ckey, state, on_disk, COUNT(*) FROM files WHERE ckey IN touched"
            " GROUP BY ckey, state, on_disk"
        ):
            counts = health.get(ckey)
            if counts is None:
                continue
            if state == "original" and not on_disk:
                counts["missing"] += count
            elif state in counts:
                counts[state] += count
        avatars = dict(
            db.execute(
                "SELECT ckey, MIN(fid) FROM files WHERE kind IN ('avatar', 'icon')"
                " AND ckey IN touched GROUP BY ckey"
            ).fetchall()
        )
        db.executemany(
            "DELETE FROM creators WHERE ckey=?", [(c,) for c in creators if c not in posts]
        )
        db.executemany(
            "INSERT INTO creators (ckey, site, service, creator_id, name, posts, files, bytes,"
            " last_sync, avatar, health) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (ckey) DO UPDATE SET posts=excluded.posts, files=excluded.files,"
            " bytes=excluded.bytes, last_sync=excluded.last_sync, avatar=excluded.avatar,"
            " health=excluded.health",
            [
                (
                    ckey,
                    *ckey.split("/", 2),
                    ckey.split("/", 2)[2],
                    int(row[1]),
                    int(row[2] or 0),
                    int(row[3] or 0),
                    row[4],
                    avatars.get(ckey),
                    json.dumps(health[ckey]),
                )
                for ckey, row in posts.items()
            ],
        )

    def thumbs_dir(self) -> Path:
        path = self.state_dir / "thumbs"
        path.mkdir(exist_ok=True)
        return path


def _parallel(fn: Callable[[T], R], items: list[T], threads: int = 4) -> list[R]:
    """``[fn(x) for x in items]`` in a few threads (for file-system calls, which drop the GIL)."""
    if len(items) < 64:
        return [fn(item) for item in items]
    size = -(-len(items) // threads)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ThreadPoolExecutor(threads) as pool:
        parts = pool.map(lambda chunk: [fn(item) for item in chunk], chunks)
        return [result for part in parts for result in part]


def _post_row(
    p: ArchivePost, ckey: str, sidecar: Sidecar | None, files: list[sqlite3.Row]
) -> tuple[object, ...]:
    kind = sidecar.kind if sidecar else "post"
    types = 0
    for f in files:
        types |= TYPE_FLAGS.get(f["media"], 0)
    if kind == "novel":
        types |= TYPE_FLAGS["novel"]
    if not files:
        types |= TYPE_FLAGS["text"]
    held = [f for f in files if f["state"] != "pending"]
    cover = next(
        (f["fid"] for f in held if f["media"] == "image"),
        next((f["fid"] for f in held if f["media"] == "ugoira"), None),
    )
    return (
        p.site,
        p.service,
        p.id,
        ckey,
        p.title,
        kind,
        utc(p.published),
        p.added,
        p.edited,
        p.revision,
        int(p.complete),
        int(p.deleted),
        sidecar.folder if sidecar else None,
        json.dumps(sidecar.tags if sidecar else [], ensure_ascii=False),
        types,
        len(files),
        sum(f["size"] or 0 for f in held),
        cover,
        p.updated_at,
    )


def _fts_row(p: ArchivePost, sidecar: Sidecar | None, files: list[sqlite3.Row]) -> tuple[str, ...]:
    body = ""
    if sidecar is not None:
        body = html_text(sidecar.content)
        if sidecar.text:
            body += "\n" + sidecar.text[:BODY_LIMIT]
    names = " ".join(dict.fromkeys(n for f in files for n in (f["original_name"], f["name"]) if n))
    tags = " ".join(sidecar.tags) if sidecar else ""
    return (p.title, body, tags, names)


def _archive_post(row: sqlite3.Row) -> ArchivePost:
    return ArchivePost(
        row["site"],
        row["service"],
        row["post_id"],
        row["ckey"].split("/", 2)[2],
        row["title"],
        row["published"],
        row["added"],
        row["edited"],
        int(row["revision"]),
        bool(row["complete"]),
        bool(row["deleted"]),
        float(row["updated_at"]),
    )
