"""Creators, posts, revisions and flags, read from and written to the database, with caches.

The creators-list bytes, the site-wide post list and recent reads (creators, pages, posts) are
cached in memory and dropped by every content write (one emulator per database file); cached
values are shared, callers treat them as read-only. The posts of synthetic creators are
generated on first use and stored as seed rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from .dataset import Creator, Dataset, Json, file_ref, make_post, synthetic_posts
from .db import (
    CREATOR_COLUMNS,
    CREATOR_ORIG,
    Database,
    creator_from_row,
    decode,
    encode,
    file_row,
    post_row,
)
from .files import StoredFile
from .timefmt import iso

__all__ = ["State"]

_ORDER = "ORDER BY published DESC, id DESC"
_OF_CREATOR = "service = ? AND creator_id = ?"
_FIRST_REVISION = 9000
_FIRST_ADDED_POST = 20_000_000
_READ_CACHE_ITEMS = 4096
_T = TypeVar("_T")

# Upserts: a client's row is live 1; a changed seed row is live 2 and keeps the seed in `orig`.
_UPSERT_POST = (
    "INSERT INTO posts (service, creator_id, id, published, data, live) VALUES (?, ?, ?, ?, ?, 1)"
    " ON CONFLICT (service, creator_id, id) DO UPDATE SET"
    " orig = CASE WHEN live = 0 THEN data ELSE orig END,"
    " live = CASE WHEN live = 0 THEN 2 ELSE live END,"
    " published = excluded.published, data = excluded.data"
)
_UPSERT_CREATOR = (
    f"INSERT INTO creators ({CREATOR_COLUMNS}, posts_ready, live)"
    " VALUES (?, ?, ?, ?, ?, 0, 1, 1, 1) ON CONFLICT (service, id) DO UPDATE SET"
    f" orig = CASE WHEN live = 0 THEN {CREATOR_ORIG} ELSE orig END,"
    " live = CASE WHEN live = 0 THEN 2 ELSE live END,"
    " name = excluded.name, indexed = excluded.indexed, updated = excluded.updated,"
    " favorited = excluded.favorited, rich = excluded.rich"
)
_TOUCH_CREATOR = (
    f"UPDATE creators SET orig = CASE WHEN live = 0 THEN {CREATOR_ORIG} ELSE orig END,"
    " live = CASE WHEN live = 0 THEN 2 ELSE live END, updated = ?"
    " WHERE service = ? AND id = ? AND updated < ?"
)
_LIST = "INSERT OR IGNORE INTO listed (service, creator_id, live) VALUES (?, ?, 1)"
# The creators-list item columns; the seeded list reads the seed values of changed rows.
_ITEMS = "favorited, id, CAST(indexed AS INTEGER), name, service, CAST(updated AS INTEGER)"
_SEED_ITEMS = (
    "coalesce(json_extract(orig, '$[3]'), favorited), id,"
    " CAST(coalesce(json_extract(orig, '$[1]'), indexed) AS INTEGER),"
    " coalesce(json_extract(orig, '$[0]'), name), service,"
    " CAST(coalesce(json_extract(orig, '$[2]'), updated) AS INTEGER)"
)


class _ListItem(msgspec.Struct):
    """A creators-list entry (the field order is the site's)."""

    favorited: int
    id: str
    indexed: int
    name: str
    service: str
    updated: int


class _ImportedListItem(_ListItem):
    """Pawchive's entry: also ``ever_imported`` (live captures)."""

    ever_imported: bool = True


def _encode_items(rows: list[Any], flavour: str) -> bytes:
    item = _ImportedListItem if flavour == "pawchive" else _ListItem
    return msgspec.json.encode([item(*row) for row in rows])


class State:
    """The site's content over :class:`Database`; all methods are thread-safe."""

    def __init__(self, db: Database, dataset: Dataset) -> None:
        self.db = db
        self.ds = dataset
        self.lock = db.lock
        self._restore_files()
        self._seed_bytes = _encode_items(
            self._all(f"SELECT {_SEED_ITEMS} FROM creators WHERE live != 1 ORDER BY pk"),
            dataset.flavour,
        )
        self._creators_bytes: bytes | None = None
        self._every: list[Json] | None = None
        self._reads: dict[tuple[str, ...], Any] = {}

    def _all(self, sql: str, *args: Any) -> list[Any]:
        with self.lock:
            return self.db.conn.execute(sql, args).fetchall()

    def _one(self, sql: str, *args: Any) -> Any:
        with self.lock:
            return self.db.conn.execute(sql, args).fetchone()

    def _restore_files(self) -> None:
        """Make the files of a reused database servable (added and lazily made ones)."""
        files = self.ds.files
        rows = self._all("SELECT sha256, ext, size, name, kind, live, data FROM files")
        for sha, ext, size, name, kind, live, data in rows:
            if files.get(sha) is None:
                stored = StoredFile(sha, ext, size, name, files.seed, kind)
                files.restore(stored, data, permanent=not live)

    def _cached(self, key: tuple[str, ...], compute: Callable[[], _T]) -> _T:
        """``compute()``, remembered until the next content write."""
        with self.lock:
            try:
                value: _T = self._reads[key]
            except KeyError:
                value = compute()
                if len(self._reads) >= _READ_CACHE_ITEMS:
                    self._reads.clear()
                self._reads[key] = value
            return value

    def _changed(self, *, creators: bool = False) -> None:
        self._every = None
        self._reads.clear()
        if creators:
            self._creators_bytes = None

    def reset(self) -> None:
        """Back to the seed rows (the database's reset, the file overlay, the caches)."""
        with self.lock:
            self.db.reset()
            self.ds.files.reset()
            self._changed(creators=True)

    # -- creators -----------------------------------------------------------------------
    def creator(self, service: str, creator_id: str) -> Creator | None:
        row = self._one(
            f"SELECT {CREATOR_COLUMNS} FROM creators WHERE service = ? AND id = ?",
            service,
            creator_id,
        )
        return None if row is None else creator_from_row(row)

    def creators_json(self) -> bytes:
        """The creators list: the seeded bytes, spliced or re-encoded after changes (cached)."""
        with self.lock:
            if self._creators_bytes is None:
                self._creators_bytes = self._encode_creators()
            return self._creators_bytes

    def _encode_creators(self) -> bytes:
        (changed,) = self._one("SELECT max(live) FROM creators WHERE live > 0")
        if not changed:
            return self._seed_bytes
        if changed == 2:  # a seeded creator changed (e.g. `updated` after add_post)
            rows = self._all(f"SELECT {_ITEMS} FROM creators ORDER BY pk")
            return _encode_items(rows, self.ds.flavour)
        added = _encode_items(
            self._all(f"SELECT {_ITEMS} FROM creators WHERE live > 0 ORDER BY pk"),
            self.ds.flavour,
        )
        seed = self._seed_bytes
        return seed[:-1] + b"," + added[1:] if seed != b"[]" else added

    def add_creator(self, service: str, creator_id: str, name: str) -> Creator:
        now = time.time()
        creator = Creator(service, creator_id, name, now, now, 0, True)
        with self.lock:
            self._ready(service, creator_id)  # a synthetic creator's posts, from its seed name
            with self.db.transaction() as conn:
                conn.execute(_UPSERT_CREATOR, (service, creator_id, name, now, now))
                conn.execute(_LIST, (service, creator_id))
            self._changed(creators=True)
        return creator

    def listed_creators(self) -> list[tuple[str, str]]:
        """Creators whose posts feed the site-wide lists (featured, then changed ones)."""
        rows = self._all(
            "SELECT l.service, l.creator_id FROM listed l JOIN creators c"
            " ON c.service = l.service AND c.id = l.creator_id ORDER BY l.pk"
        )
        return [(s, c) for s, c in rows]

    # -- posts --------------------------------------------------------------------------
    def _ready(self, service: str, creator_id: str) -> bool:
        """Whether the creator exists; makes a synthetic creator's posts on first use."""
        with self.lock:
            row = self._one(
                f"SELECT {CREATOR_COLUMNS}, posts_ready FROM creators WHERE service = ? AND id = ?",
                service,
                creator_id,
            )
            if row is None:
                return False
            if not row[7]:
                self._make_synthetic_posts(creator_from_row(row))
            return True

    def _make_synthetic_posts(self, creator: Creator) -> int:
        """Store a synthetic creator's posts (seed rows) and their files; returns the count."""
        posts = synthetic_posts(self.ds.seed, self.ds.files, creator)
        files = self.ds.files
        with self.db.transaction() as conn:
            if posts:
                conn.executemany(
                    "INSERT OR IGNORE INTO posts (service, creator_id, id, published, data)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [post_row(post) for post in posts],
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        file_row(stored, 0, None)
                        for post in posts
                        if (stored := files.by_path(post["file"]["path"])) is not None
                    ],
                )
            conn.execute(
                "UPDATE creators SET posts_ready = 1 WHERE service = ? AND id = ?",
                (creator.service, creator.id),
            )
        return len({post["id"] for post in posts})

    def posts_of(self, service: str, creator_id: str) -> list[Json] | None:
        """All posts of a creator, newest first (None when the creator does not exist)."""
        with self.lock:
            if not self._ready(service, creator_id):
                return None
            rows = self._all(
                f"SELECT data FROM posts WHERE {_OF_CREATOR} {_ORDER}", service, creator_id
            )
        return [decode(data) for (data,) in rows]

    def posts_page(
        self, service: str, creator_id: str, offset: int, limit: int
    ) -> list[Json] | None:
        """``limit`` posts of a creator from ``offset``, newest first (None: no creator)."""
        return self._cached(
            ("page", service, creator_id, str(offset), str(limit)),
            lambda: self._posts_page(service, creator_id, offset, limit),
        )

    def _posts_page(
        self, service: str, creator_id: str, offset: int, limit: int
    ) -> list[Json] | None:
        with self.lock:
            if not self._ready(service, creator_id):
                return None
            rows = self._all(
                f"SELECT data FROM posts WHERE {_OF_CREATOR} {_ORDER} LIMIT ? OFFSET ?",
                service,
                creator_id,
                limit,
                offset,
            )
        return [decode(data) for (data,) in rows]

    def post_count(self, service: str, creator_id: str) -> int | None:
        with self.lock:
            if not self._ready(service, creator_id):
                return None
            (count,) = self._one(
                f"SELECT count(*) FROM posts WHERE {_OF_CREATOR}", service, creator_id
            )
        return int(count)

    def creator_and_count(self, service: str, creator_id: str) -> tuple[Creator, int] | None:
        """A creator and its number of posts (the profile endpoints)."""
        return self._cached(
            ("count", service, creator_id), lambda: self._creator_and_count(service, creator_id)
        )

    def _creator_and_count(self, service: str, creator_id: str) -> tuple[Creator, int] | None:
        with self.lock:
            row = self._one(
                f"SELECT {CREATOR_COLUMNS}, posts_ready, (SELECT count(*) FROM posts"
                " WHERE posts.service = creators.service AND posts.creator_id = creators.id)"
                " FROM creators WHERE service = ? AND id = ?",
                service,
                creator_id,
            )
            if row is None:
                return None
            creator = creator_from_row(row)
            if not row[7]:  # nothing was added to a creator whose posts were never made
                return creator, self._make_synthetic_posts(creator)
        return creator, int(row[8])

    def find_post(self, service: str, creator_id: str, post_id: str) -> Json | None:
        with self.lock:
            if not self._ready(service, creator_id):
                return None
            row = self._one(
                f"SELECT data FROM posts WHERE {_OF_CREATOR} AND id = ?",
                service,
                creator_id,
                post_id,
            )
        return None if row is None else dict[str, Any](decode(row[0]))

    def post_with_neighbours(self, service: str, creator_id: str, post_id: str) -> Json | None:
        """The post plus ``next`` (older) and ``prev`` (newer) ids (§3); None when missing."""
        found = self._cached(
            ("post", service, creator_id, post_id),
            lambda: self._post_with_neighbours(service, creator_id, post_id),
        )
        return None if found is None else dict(found)

    def _post_with_neighbours(self, service: str, creator_id: str, post_id: str) -> Json | None:
        with self.lock:
            post = self.find_post(service, creator_id, post_id)
            if post is None:
                return None
            here = (service, creator_id, post["published"] or "", post_id)
            older = self._one(
                f"SELECT id FROM posts WHERE {_OF_CREATOR} AND (published, id) < (?, ?)"
                f" {_ORDER} LIMIT 1",
                *here,
            )
            newer = self._one(
                f"SELECT id FROM posts WHERE {_OF_CREATOR} AND (published, id) > (?, ?)"
                " ORDER BY published, id LIMIT 1",
                *here,
            )
        post["next"] = older[0] if older else None
        post["prev"] = newer[0] if newer else None
        return post

    def every_post(self) -> list[Json]:
        """The posts of the listed creators, newest first (cached until the next write)."""
        with self.lock:
            if self._every is None:
                rows = self._all(
                    "SELECT p.data FROM listed l JOIN posts p"
                    " ON p.service = l.service AND p.creator_id = l.creator_id"
                    " ORDER BY p.published DESC, p.id DESC"
                )
                self._every = [decode(data) for (data,) in rows]
            return self._every

    def recent_page(self, offset: int, limit: int) -> tuple[int, list[Json]]:
        """(count, page) of :meth:`every_post` without decoding the other posts."""
        return self._cached(
            ("recent", str(offset), str(limit)), lambda: self._recent_page(offset, limit)
        )

    def _recent_page(self, offset: int, limit: int) -> tuple[int, list[Json]]:
        join = "FROM listed l JOIN posts p ON p.service = l.service AND p.creator_id = l.creator_id"
        with self.lock:
            (count,) = self._one(f"SELECT count(*) {join}")
            rows = self._all(
                f"SELECT p.data {join} ORDER BY p.published DESC, p.id DESC LIMIT ? OFFSET ?",
                limit,
                offset,
            )
        return int(count), [decode(data) for (data,) in rows]

    def creator_of_post(self, service: str, post_id: str) -> str | None:
        """The listed creator of ``service`` with a post ``post_id`` (first listed wins)."""
        row = self._one(
            "SELECT p.creator_id FROM posts p JOIN listed l"
            " ON l.service = p.service AND l.creator_id = p.creator_id"
            " WHERE p.service = ? AND p.id = ? ORDER BY l.pk LIMIT 1",
            service,
            post_id,
        )
        return None if row is None else str(row[0])

    def revisions_of(self, service: str, creator_id: str, post_id: str) -> list[Json]:
        """Older versions of a post, newest first."""
        rows = self._all(
            f"SELECT data FROM revisions WHERE {_OF_CREATOR} AND post_id = ?"
            " ORDER BY revision_id DESC",
            service,
            creator_id,
            post_id,
        )
        return [decode(data) for (data,) in rows]

    def add_post(
        self,
        service: str,
        creator_id: str,
        *,
        title: str,
        files: list[tuple[str, int | bytes]],
        published: float | None,
        content: str,
        post_id: str | None = None,
        tags: list[str] | None = None,
    ) -> Json:
        store = self.ds.files
        with self.lock:
            if not self._ready(service, creator_id):
                raise KeyError(f"no creator {service}/{creator_id}")
            stored = [
                (
                    store.add_bytes(name, spec)
                    if isinstance(spec, bytes)
                    else store.add_generated(name, spec),
                    name,
                )
                for name, spec in files
            ]
            when = time.time() if published is None else published
            post = make_post(
                (service, creator_id),
                post_id or self._new_post_id(service, creator_id),
                title,
                when,
                content=content,
                file=stored[0][0] if stored else None,
                attachments=stored[1:],
                tags=tags,
            )
            if stored:
                post["file"] = file_ref(stored[0][0], stored[0][1])
            added = [s for s, _ in stored if not store.permanent(s)]
            with self.db.transaction() as conn:
                conn.execute(_UPSERT_POST, post_row(post))
                conn.executemany(
                    "INSERT OR IGNORE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [file_row(s, 1, self._bytes_to_keep(s)) for s in added],
                )
                touched = conn.execute(_TOUCH_CREATOR, (when, service, creator_id, when))
                conn.execute(_LIST, (service, creator_id))
            self._changed(creators=touched.rowcount > 0)
        return post

    def _bytes_to_keep(self, stored: StoredFile) -> bytes | None:
        """Client-supplied bytes cannot be regenerated: a file database keeps them."""
        if stored.kind != "bytes" or not self.db.persistent:
            return None
        return self.ds.files.kept(stored)

    def _new_post_id(self, service: str, creator_id: str) -> str:
        """The next free id of the added posts (20000000, 20000001, ... again after a reset)."""
        while True:
            with self.db.transaction() as conn:
                ((number,),) = conn.execute(
                    "INSERT INTO counters VALUES ('post_seq', 0)"
                    " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value"
                ).fetchall()
            post_id = str(_FIRST_ADDED_POST + int(number))
            taken = self._one(
                f"SELECT 1 FROM posts WHERE {_OF_CREATOR} AND id = ?", service, creator_id, post_id
            )
            if not taken:
                return post_id

    def edit_post(self, service: str, creator_id: str, post_id: str, **changes: Any) -> Json:
        """Change fields of a post: sets ``edited`` and keeps the old version as a revision."""
        with self.lock:
            old = self.find_post(service, creator_id, post_id)
            if old is None:
                raise KeyError(f"no post {service}/{creator_id}/{post_id}")
            (top,) = self._one("SELECT max(revision_id) FROM revisions")
            revision_id = max(int(top or 0), _FIRST_REVISION) + 1
            new = dict(old, **changes)
            new["edited"] = iso(time.time())
            revision = encode(dict(old, revision_id=revision_id))
            with self.db.transaction() as conn:
                conn.execute(_UPSERT_POST, post_row(new))
                conn.execute(
                    "INSERT INTO revisions (service, creator_id, post_id, revision_id, data, live)"
                    " VALUES (?, ?, ?, ?, ?, 1)",
                    (service, creator_id, post_id, revision_id, revision),
                )
                conn.execute(_LIST, (service, creator_id))
            self._changed()
        return new

    # -- flags --------------------------------------------------------------------------
    def flag_reason(self, service: str, creator_id: str, post_id: str) -> str | None:
        row = self._one(
            f"SELECT reason FROM flags WHERE {_OF_CREATOR} AND post_id = ?",
            service,
            creator_id,
            post_id,
        )
        return None if row is None else str(row[0])

    def add_flag(self, service: str, creator_id: str, post_id: str, reason: str) -> bool:
        """Flag a post; False when it already is."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO flags VALUES (?, ?, ?, ?)",
                (service, creator_id, post_id, reason),
            )
            return cursor.rowcount > 0
