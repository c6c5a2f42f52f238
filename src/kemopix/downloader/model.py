"""What the downloader works on, whatever the site: creators, posts and the files they hold.

Site adapters (``kemopix.downloader.sources``) turn API answers into these values; everything
after that (filters, templates, archive, downloads, metadata) is site-independent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec
from msgspec import Struct, field

__all__ = [
    "Creator",
    "FileKind",
    "Listed",
    "Post",
    "PostKey",
    "RemoteFile",
    "UgoiraFrames",
    "isoformat",
    "signature_of",
]

FileKind = Literal["file", "attachment", "page", "ugoira", "inline", "cover"]


class PostKey(Struct, frozen=True):
    """Identifies a post in the archive: ``site`` (kemono, coomer, pawchive, pixiv), ``service``
    (patreon, fanbox, ... for Kemono; illust or novel for pixiv) and the site's post id."""

    site: str
    service: str
    id: str

    def __str__(self) -> str:
        return f"{self.site}/{self.service}/{self.id}"


class Creator(Struct, frozen=True):
    """A creator (artist, user, Discord server) whose works are archived together."""

    site: str
    service: str
    id: str
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


class UgoiraFrames(Struct, frozen=True):
    """An animation's frames: the zip's file names and each frame's delay in milliseconds."""

    files: tuple[str, ...]
    delays: tuple[int, ...]


class RemoteFile(Struct, frozen=True):
    """One file of a post: where it is, its original name and what is known of its bytes."""

    url: str
    name: str
    index: int
    kind: FileKind = "file"
    sha256: str | None = None
    size: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    ugoira: UgoiraFrames | None = None
    thumbnail: str | None = None  # a smaller re-encoding that loads where the original may not
    unavailable: str | None = None  # why the site says the original cannot be had now

    @property
    def extension(self) -> str:
        """Lower-case extension without the dot (``png``), from the name or the URL path."""
        return _extension(self.name) or _extension(self.url.partition("?")[0])


def _extension(path: str) -> str:
    """The lower-case extension of the last segment of ``path`` ("" when it has none)."""
    _stem, dot, ext = path.rpartition("/")[2].rpartition(".")
    ext = ext.lower()
    return ext if dot and ext.isalnum() and len(ext) <= 16 else ""


class Post(Struct):
    """A post (Kemono), a work (pixiv illustration, manga, ugoira, novel) or a Discord message.

    ``raw`` is the API's data as received (the JSON sidecar); ``content`` is HTML (Kemono
    content, pixiv caption); ``text`` is a novel's plain text.
    """

    key: PostKey
    creator: Creator
    title: str
    published: datetime | None
    files: list[RemoteFile]
    raw: Any
    added: datetime | None = None
    edited: datetime | None = None
    tags: list[str] = field(default_factory=list)
    content: str = ""
    text: str | None = None
    kind: str = "post"
    comments: Any = None
    revisions: list[Any] = field(default_factory=list)
    signature: str = ""

    def __post_init__(self) -> None:
        if not self.signature:
            self.signature = signature_of(self.title, self.edited, [f.url for f in self.files])


class Listed(Struct, frozen=True):
    """One entry of a listing page, before any detail is fetched.

    ``signature`` changes whenever the post does (title, edit date, file list), so an
    incremental run can tell new and edited posts from those already archived. An entry with
    a ``problem`` is reported as a failed post and leaves its listing unfinished.
    """

    key: PostKey
    signature: str
    published: datetime | None
    data: Any
    problem: str | None = None  # the entry could not be understood (wrong types): reported


def signature_of(*parts: Any) -> str:
    """A short stable digest of ``parts`` (JSON-encoded; datetimes as ISO strings)."""
    encoded = _SIGNATURE_JSON.encode(parts)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:32]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# json.dumps with these options, without making an encoder per call (a third of the cost).
_SIGNATURE_JSON = json.JSONEncoder(default=_encode, sort_keys=True, ensure_ascii=False)


def isoformat(when: datetime) -> str:
    """``when.isoformat()``; for a UTC date through msgspec's encoder, in a tenth of the time."""
    if when.tzinfo is UTC:
        return msgspec.json.encode(when)[1:-2].decode() + "+00:00"  # '"...Z"'
    return when.isoformat()
