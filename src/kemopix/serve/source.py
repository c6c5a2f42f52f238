"""Everything ``kemopix serve`` reads of an archive folder, in one read-only place.

The archive's state (``.kemopix-archive.sqlite3``: posts, files), the post sidecars
(``<id>.json``, ``<id>.txt``, ``<id>.revisions.json``, ``<id>.comments.json``) and the Discord
channel transcripts (``messages.jsonl``) are read here and nowhere else in :mod:`kemopix.serve`,
so a change of the archive's schema touches this module only. The database is opened read-only
(``mode=ro``); nothing here writes to the folder.
"""

from __future__ import annotations

import contextlib
import html
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from .._protocol.errors import KemopixError
from ..downloader.archive import ARCHIVE_NAME

# One classification of file rows for `kemopix status`, run summaries and the health page.
from ..downloader.archive import file_state as held_state
from ..downloader.transcript import TRANSCRIPT_LOG
from ..ugoira.frames import parse_frames

__all__ = [
    "ARCHIVE_NAME",
    "ArchiveError",
    "ArchivePost",
    "ArchiveSource",
    "FileRow",
    "Sidecar",
    "TranscriptStamp",
    "held_state",
    "ugoira_frames",
]

_SIDECAR_SUFFIXES = (".revisions.json", ".comments.json")
TranscriptStamp = tuple[int, int]  # a transcript's mtime (ns) and size


class ArchiveError(KemopixError):
    """The archive's database cannot be read (not a kemopix archive, damaged, locked)."""


@dataclass(frozen=True, slots=True)
class ArchivePost:
    """A post row of the archive."""

    site: str
    service: str
    id: str
    creator_id: str
    title: str
    published: str | None
    added: str | None
    edited: str | None
    revision: int
    complete: bool
    deleted: bool
    updated_at: float


@dataclass(frozen=True, slots=True)
class FileRow:
    """A file row of the archive; ``state`` is what is held (see :func:`held_state`)."""

    path: str
    site: str
    service: str
    post_id: str
    index: int
    url: str
    name: str
    kind: str
    expected_sha256: str | None
    sha256: str | None
    size: int | None
    state: str
    error: str | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class Sidecar:
    """The parts of a post's sidecars the viewer shows."""

    folder: str  # relative to the root
    creator_name: str
    kind: str
    tags: list[str]
    content: str  # HTML as the site sent it (unsanitized)
    text: str | None  # a novel's text
    raw: Any  # None when read for the index only
    revisions: Any
    comments: Any
    author: str | None = None  # a Discord message's author


class _Who(msgspec.Struct):
    name: str = ""


class _Meta(msgspec.Struct):
    site: str
    service: str
    kind: str = "post"
    creator: _Who = msgspec.field(default_factory=_Who)
    tags: list[str] = msgspec.field(default_factory=list)


class _Body(msgspec.Struct):
    content: str | None = None
    caption: str | None = None
    post: _Body | None = None


class _Brief(msgspec.Struct):
    """What the index reads of ``<id>.json`` (unknown keys are skipped, not built)."""

    kemopix: _Meta
    data: _Body | None = None


class _Author(msgspec.Struct):
    id: str | int | None = None
    username: str | None = None
    global_name: str | None = None


class _Message(msgspec.Struct):
    """What the index reads of a Discord message (the line's ``message``)."""

    id: str | int = ""
    content: str | None = None
    author: _Author | None = None


class _Line(msgspec.Struct):
    message: _Message = msgspec.field(default_factory=_Message)


class _RawLine(msgspec.Struct):
    message: dict[str, Any] = msgspec.field(default_factory=dict)


def _author_name(author: Any) -> str | None:
    if isinstance(author, _Author):
        author = msgspec.structs.asdict(author)
    if not isinstance(author, dict):
        return None
    name = author.get("global_name") or author.get("username") or author.get("id")
    return str(name) if name not in (None, "") else None


def message_html(text: str) -> str:
    """A Discord message's text (plain text, never HTML) as HTML: escaped, lines kept."""
    return html.escape(text).replace("\n", "<br>\n")


class ArchiveSource:
    """Read-only access to one archive folder's state and sidecars."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / ARCHIVE_NAME
        self._root_text = str(root)

    def exists(self) -> bool:
        return self.path.is_file()

    def stamp(self) -> tuple[int, ...]:
        """Changes whenever the archive's database may have changed (mtimes and sizes)."""
        out: list[int] = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(str(self.path) + suffix)
            except OSError:
                out += [0, 0]
            else:
                out += [st.st_mtime_ns, st.st_size]
        return tuple(out)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        uri = self.path.absolute().as_uri() + "?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=30.0)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open the archive {self.path}: {exc}") from exc
        db.row_factory = sqlite3.Row
        try:
            yield db
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot read the archive {self.path}: {exc}") from exc
        finally:
            db.close()

    @staticmethod
    def _columns(db: sqlite3.Connection, table: str) -> set[str]:
        return {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}

    def iter_posts(self, since: float = -1.0, batch: int = 2000) -> Iterator[list[ArchivePost]]:
        """Posts recorded or changed after ``since`` (an ``updated_at`` time), oldest
        publication first, ``batch`` at a time (a whole archive never sits in memory)."""
        if not self.exists():
            return
        with self._db() as db:
            deleted = "deleted" if "deleted" in self._columns(db, "posts") else "0"
            db.row_factory = None  # plain tuples: cheaper for a whole archive
            cursor = db.execute(
                "SELECT site, service, id, creator_id, title, published, added, edited,"
                f" revision, complete, {deleted}, updated_at FROM posts WHERE updated_at > ?"
                " ORDER BY published, site, service, id",
                (since,),
            )
            while rows := cursor.fetchmany(batch):
                yield [
                    ArchivePost(
                        r[0],
                        r[1],
                        r[2],
                        r[3],
                        r[4],
                        r[5],
                        r[6],
                        r[7],
                        int(r[8]),
                        bool(r[9]),
                        bool(r[10]),
                        float(r[11]),
                    )
                    for r in rows
                ]

    def _file_sql(self, db: sqlite3.Connection) -> str:
        held = "held" if "held" in self._columns(db, "files") else "NULL"
        return (
            "SELECT path, site, service, post_id, idx, url, name, kind, expected_sha256,"
            f" sha256, size, status, {held}, error, updated_at FROM files"
        )

    def iter_files(self, since: float = -1.0, batch: int = 5000) -> Iterator[list[FileRow]]:
        """Files recorded or changed after ``since``, ``batch`` at a time."""
        if not self.exists():
            return
        with self._db() as db:
            db.row_factory = None
            cursor = db.execute(self._file_sql(db) + " WHERE updated_at > ?", (since,))
            while rows := cursor.fetchmany(batch):
                yield [_file_row(r) for r in rows]

    def files_of(self, keys: list[tuple[str, str, str]]) -> list[FileRow]:
        """Every file of the posts ``keys`` (site, service, id)."""
        if not self.exists() or not keys:
            return []
        out: list[FileRow] = []
        with self._db() as db:
            db.row_factory = None
            sql = self._file_sql(db)
            for i in range(0, len(keys), 300):
                chunk = keys[i : i + 300]
                marks = ",".join(["(?,?,?)"] * len(chunk))
                # A join from the keys, so that SQLite looks each one up in files_by_post.
                rows = db.execute(
                    f"{sql} JOIN (VALUES {marks}) AS k ON files.site = k.column1"
                    " AND files.service = k.column2 AND files.post_id = k.column3",
                    [part for key in chunk for part in key],
                ).fetchall()
                out += [_file_row(r) for r in rows]
        return out

    def file_path(self, relative: str, *, strict: bool = False) -> Path | None:
        """The absolute path of an archive file, or None when it would leave the folder.

        Lexical checks always (no absolute path, no ``..``); ``strict`` also resolves symbolic
        links (used before serving bytes; the index's existence checks skip that cost).
        """
        if not _lexically_safe(relative):
            return None
        path = self.root / relative
        if strict:
            try:
                if not path.resolve().is_relative_to(self._real_root()):
                    return None
            except (OSError, RuntimeError):
                return None
        return path

    def _real_root(self) -> Path:
        real: Path | None = getattr(self, "_real", None)
        if real is None:
            real = self._real = self.root.resolve()
        return real

    def on_disk(self, relative: str) -> bool:
        """Whether the file is there (lexical checks only: called for every file of a build)."""
        if not _lexically_safe(relative):
            return False
        return os.path.isfile(f"{self._root_text}/{relative}")

    def sidecar_folders(self) -> Iterator[tuple[str, str]]:
        """Every ``(folder, post id)`` holding an ``<id>.json`` sidecar, by a walk of the tree."""
        root = str(self.root)
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                if not name.endswith(".json") or name.endswith(_SIDECAR_SUFFIXES):
                    continue
                stem = name[:-5]
                if "." in stem or not stem:  # <id>.rN.json: a previous revision
                    continue
                rel = os.path.relpath(folder, root)
                yield ("" if rel == "." else rel.replace(os.sep, "/")), stem

    def sidecar(
        self,
        folder: str,
        post_id: str,
        site: str,
        service: str,
        *,
        strict: bool = False,
        extras: bool = True,
    ) -> Sidecar | None:
        """The sidecars of post ``post_id`` in ``folder``, or None when there is none of it.

        ``strict``: the folder must resolve inside the archive (before showing its text).
        ``extras``: also read revisions and comments (the index needs neither).
        """
        name = f"{folder}/{post_id}.json" if folder else f"{post_id}.json"
        base = self.file_path(name, strict=strict)
        if base is None:
            return None
        try:
            data = base.read_bytes()
        except OSError:
            return None
        if not extras:  # the index's path: typed decoding skips the raw data it does not need
            with contextlib.suppress(msgspec.DecodeError):
                brief = msgspec.json.decode(data, type=_Brief)
                if (brief.kemopix.site, brief.kemopix.service) != (site, service):
                    return None
                body = brief.data.post if brief.data and brief.data.post else brief.data
                info = brief.kemopix
                text = self._text(base.with_suffix(".txt")) if info.kind == "novel" else None
                return Sidecar(
                    folder=folder,
                    creator_name=info.creator.name,
                    kind=info.kind,
                    tags=info.tags,
                    content=(body.content or body.caption or "") if body else "",
                    text=text,
                    raw=None,
                    revisions=None,
                    comments=None,
                )
        try:
            document = msgspec.json.decode(data)
        except msgspec.DecodeError:
            return None
        meta = document.get("kemopix") if isinstance(document, dict) else None
        if not isinstance(meta, dict) or (meta.get("site"), meta.get("service")) != (
            site,
            service,
        ):
            return None
        raw = document.get("data")
        creator = meta.get("creator") if isinstance(meta.get("creator"), dict) else {}
        kind = str(meta.get("kind") or "post")
        present: set[str] = set()
        if extras or kind == "novel":
            with contextlib.suppress(OSError):
                present = set(os.listdir(base.parent))
        return Sidecar(
            folder=folder,
            creator_name=str((creator or {}).get("name") or ""),
            kind=kind,
            tags=[str(t) for t in meta.get("tags") or []],
            content=_content(raw),
            text=self._text(base.with_suffix(".txt")) if f"{post_id}.txt" in present else None,
            raw=raw,
            revisions=self._extra(base, present, "revisions"),
            comments=self._extra(base, present, "comments"),
        )

    def transcript_folders(self) -> Iterator[str]:
        """Every folder holding a Discord transcript (``messages.jsonl``), by a walk of the tree."""
        root = str(self.root)
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            if TRANSCRIPT_LOG in names:
                rel = os.path.relpath(folder, root)
                yield "" if rel == "." else rel.replace(os.sep, "/")

    def transcript_stamp(self, folder: str) -> TranscriptStamp | None:
        """The transcript's mtime and size (it changes when a run appends), None when gone."""
        path = self.file_path(f"{folder}/{TRANSCRIPT_LOG}" if folder else TRANSCRIPT_LOG)
        try:
            st = os.stat(path) if path is not None else None
        except OSError:
            return None
        return None if st is None else (st.st_mtime_ns, st.st_size)

    def _transcript_lines(self, folder: str, strict: bool) -> list[bytes]:
        path = self.file_path(
            f"{folder}/{TRANSCRIPT_LOG}" if folder else TRANSCRIPT_LOG, strict=strict
        )
        if path is None:
            return []
        try:
            data = path.read_bytes()
        except OSError:
            return []
        # Whole lines only: a last line a killed run cut short is left out.
        return data[: data.rfind(b"\n") + 1].split(b"\n")

    def transcript(self, folder: str) -> dict[str, Sidecar]:
        """Each message of the channel transcript in ``folder`` (the last line of an id wins),
        as the index reads it: no raw data. A line that does not decode is skipped."""
        decoder = msgspec.json.Decoder(_Line)
        server = _server_name(folder)
        out: dict[str, Sidecar] = {}
        for raw in self._transcript_lines(folder, strict=False):
            try:
                message = decoder.decode(raw).message
            except msgspec.DecodeError:
                continue
            if message.id == "":
                continue
            out[str(message.id)] = Sidecar(
                folder=folder,
                creator_name=server,
                kind="message",
                tags=[],
                content=message_html(message.content or ""),
                text=None,
                raw=None,
                revisions=None,
                comments=None,
                author=_author_name(message.author),
            )
        return out

    def message(self, folder: str, message_id: str) -> Sidecar | None:
        """One message of the transcript in ``folder`` with its raw data (for its page); the
        folder must resolve inside the archive."""
        decoder = msgspec.json.Decoder(_RawLine)
        needle = message_id.encode()
        found: dict[str, Any] | None = None
        for raw in self._transcript_lines(folder, strict=True):
            if needle not in raw:  # most lines are other messages: not decoded
                continue
            try:
                message = decoder.decode(raw).message
            except msgspec.DecodeError:
                continue
            if str(message.get("id", "")) == message_id:
                found = message  # the last line of an id is its latest version
        if found is None:
            return None
        content = found.get("content")
        return Sidecar(
            folder=folder,
            creator_name=_server_name(folder),
            kind="message",
            tags=[],
            content=message_html(content if isinstance(content, str) else ""),
            text=None,
            raw=found,
            revisions=None,
            comments=None,
            author=_author_name(found.get("author")),
        )

    def _extra(self, base: Path, present: set[str], what: str) -> Any:
        name = f"{base.stem}.{what}.json"
        return self._json(base.with_name(name)) if name in present else None

    @staticmethod
    def _text(path: Path) -> str | None:
        try:
            return path.read_text("utf-8", errors="replace")
        except OSError:
            return None

    @staticmethod
    def _json(path: Path) -> Any:
        try:
            return msgspec.json.decode(path.read_bytes())
        except (OSError, msgspec.DecodeError):
            return None


def _file_row(r: Any) -> FileRow:
    return FileRow(
        r[0],
        r[1],
        r[2],
        r[3],
        int(r[4]),
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
        held_state(r[11], r[12]),
        r[13],
        float(r[14]),
    )


def _server_name(folder: str) -> str:
    """The server's name, from the folder above a ``#channel`` folder (as the default
    template lays them out); '' when the layout does not say."""
    parts = folder.split("/")
    return parts[-2] if len(parts) >= 2 and parts[-1].startswith("#") else ""


def _lexically_safe(relative: str) -> bool:
    """A relative path of plain names: not absolute, no ``.``, ``..`` or empty part, no NUL."""
    if not relative or "\x00" in relative or "\\" in relative or relative[0] == "/":
        return False
    return not any(part in ("", ".", "..") for part in relative.split("/"))


def _content(raw: Any) -> str:
    """The post's HTML: Kemono ``content`` (inside the 2025 envelope or not), pixiv ``caption``."""
    if not isinstance(raw, dict):
        return ""
    inner = raw.get("post")
    post: dict[str, Any] = inner if isinstance(inner, dict) else raw
    value = post.get("content") or post.get("caption") or ""
    return value if isinstance(value, str) else ""


def ugoira_frames(raw: Any) -> list[tuple[str, int]]:
    """A pixiv ugoira's frames (file name in the zip, delay in ms) from its raw data, or [] when
    it has none the converter would accept (:func:`kemopix.ugoira.frames.parse_frames`)."""
    meta = raw.get("ugoira_metadata") if isinstance(raw, dict) else None
    if not isinstance(meta, dict):
        return []
    try:
        return [(frame.file, frame.delay_ms) for frame in parse_frames(meta)]
    except KemopixError:  # BadUgoira, or a frame name that is not a plain file name
        return []
