"""Wire models of the Kemono API, tolerant of both generations (kemono-protocol.md §3, §10).

Unknown fields are ignored; nearly every field is optional; IDs may arrive as strings or
numbers; dates stay raw here (``dates.parse_date`` reads them); a revision's ``file`` and
``attachments`` may arrive as JSON strings (gallery-dl #8929), which ``files()`` decodes.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ..._protocol.errors import DecodeError
from .dates import RawDate

__all__ = [
    "Account",
    "Announcement",
    "ChannelRef",
    "Comment",
    "CommentRevision",
    "CreatorProfile",
    "DiscordAuthor",
    "DiscordMessage",
    "Fancard",
    "FileRef",
    "FileSearch",
    "LinkRequest",
    "MediaRef",
    "Post",
    "PostDetail",
    "PostRef",
    "RandomCreator",
    "TagCount",
    "convert",
]

Id = str | int


class _Wire(msgspec.Struct, kw_only=True, forbid_unknown_fields=False, gc=False):
    """Wire values hold no reference cycles, so the garbage collector need not track them."""


class FileRef(_Wire):
    """``{"name", "path"}``; ``{}`` (no file) decodes with both None.

    Pawchive adds ``id`` and the flags ``deferred`` (not fetched yet) and ``preview_only``
    (only a preview is held), §10.
    """

    name: str | None = None
    path: str | None = None
    server: str | None = None
    id: Id | None = None
    deferred: bool | None = None
    preview_only: bool | None = None


class MediaRef(_Wire):
    """An entry of the 2025 detail envelope's ``attachments``, ``previews`` or ``videos``.

    ``server`` is the data host that serves ``path``; embeds (``type == "embed"``) carry
    ``url``/``subject``/``description`` instead.
    """

    type: str | None = None
    server: str | None = None
    name: str | None = None
    path: str | None = None
    extension: str | None = None
    name_extension: str | None = None
    stem: str | None = None
    index: int | None = None
    url: str | None = None
    subject: str | None = None
    description: str | None = None


def _file_list(value: list[FileRef] | str | None) -> list[FileRef]:
    if value is None:
        return []
    if isinstance(value, str):
        decoded = _json_string(value, list[FileRef])
        return decoded or []
    return value


def _json_string(value: str, type_: Any) -> Any:
    if not value.strip():
        return None
    try:
        return msgspec.json.decode(value, type=type_)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


class Post(_Wire):
    """A post, post summary, favorite post or revision: all but the keys is optional."""

    id: Id
    user: Id | None = None
    service: str = ""
    title: str | None = None
    content: str | None = None
    substring: str | None = None
    embed: dict[str, Any] | None = None
    shared_file: bool | None = None
    added: RawDate = None
    published: RawDate = None
    edited: RawDate = None
    file: FileRef | str | None = None
    attachments: list[FileRef] | str | None = None
    tags: list[str] | str | None = None
    next: Id | None = None
    prev: Id | None = None
    revision_id: int | None = None
    faved_seq: int | None = None
    fav_count: int | None = None
    poll: dict[str, Any] | None = None
    captions: Any = None
    incomplete_rewards: Any = None
    # pawchive's import state (§10)
    origin: str | None = None
    preview_state: str | None = None
    has_full: bool | None = None
    preview_attempts: int | None = None
    detail_fetched: bool | None = None

    def main_file(self) -> FileRef | None:
        """The post's own file, or None when it has none (``{}``, no path)."""
        ref = self.file
        if isinstance(ref, str):
            ref = _json_string(ref, FileRef | None)
        if ref is None or not ref.path:
            return None
        return ref

    def files(self) -> list[FileRef]:
        """The attachments that have a path."""
        return [ref for ref in _file_list(self.attachments) if ref.path]

    def tag_list(self) -> list[str]:
        """Tags as a list (older answers send a Postgres array literal ``{a,b}``)."""
        if self.tags is None:
            return []
        if isinstance(self.tags, str):
            inner = self.tags.strip().removeprefix("{").removesuffix("}")
            return [t.strip().strip('"') for t in inner.split(",") if t.strip()]
        return list(self.tags)


class Props(_Wire):
    flagged: str | bool | None = None
    revisions: list[Any] = []


class PostDetail(_Wire):
    """A post detail (the 2025 envelope's ``post`` plus its ``props``; plain on pawchive)."""

    post: Post
    props: Props | None = None
    attachments: list[MediaRef] = []
    previews: list[MediaRef] = []
    videos: list[MediaRef] = []


class PostRef(_Wire):
    """``/posts/random`` and ``/{service}/post/{id}``: where a post lives."""

    service: str = ""
    artist_id: Id | None = None
    user: Id | None = None
    post_id: Id | None = None
    id: Id | None = None

    def creator_id(self) -> str | None:
        value = self.artist_id if self.artist_id is not None else self.user
        return None if value is None else str(value)


class RandomCreator(_Wire):
    """``/artists/random``."""

    service: str
    artist_id: Id


class CreatorProfile(_Wire):
    """A creator: list item, profile, linked account or favorite (§3)."""

    id: Id
    name: str | None = None
    service: str = ""
    indexed: RawDate = None
    updated: RawDate = None
    public_id: str | None = None
    relation_id: int | None = None
    favorited: int | None = None
    post_count: int | None = None
    faved_seq: int | None = None
    has_chats: bool | None = None
    dm_count: int | None = None
    share_count: int | None = None
    chat_count: int | None = None
    # pawchive's import fields (§10)
    ever_imported: bool | None = None
    kemono_favorited: int | None = None
    last_import_favs: int | None = None
    import_size_cap_gb: float | None = None


class Announcement(_Wire):
    service: str = ""
    user_id: Id | None = None
    hash: str | None = None
    content: str = ""
    added: RawDate = None
    published: RawDate = None


class Fancard(_Wire):
    id: int
    user_id: Id | None = None
    file_id: int | None = None
    hash: str | None = None
    mtime: RawDate = None
    ctime: RawDate = None
    mime: str | None = None
    ext: str | None = None
    added: RawDate = None
    size: int | None = None
    ihash: str | None = None
    price: str | None = None
    last_checked_at: RawDate = None


class CommentRevision(_Wire):
    id: int
    content: str = ""
    added: RawDate = None


class Comment(_Wire):
    id: Id
    parent_id: Id | None = None
    commenter: Id | None = None
    commenter_name: str | None = None
    content: str = ""
    published: RawDate = None
    revisions: list[CommentRevision] | None = None


class TagCount(_Wire):
    tag: str
    post_count: int = 0


class ChannelRef(_Wire):
    id: Id
    name: str | None = None


class DiscordAuthor(_Wire):
    id: Id
    username: str | None = None
    global_name: str | None = None
    discriminator: str | None = None
    avatar: str | None = None
    avatar_decoration_data: Any = None
    clan: Any = None
    accent_color: int | None = None
    banner: str | None = None
    banner_color: str | None = None
    flags: int = 0
    public_flags: int = 0


class DiscordMessage(_Wire):
    id: Id
    author: DiscordAuthor | None = None
    server: Id | None = None
    channel: Id | None = None
    content: str = ""
    added: RawDate = None
    published: RawDate = None
    edited: RawDate = None
    embeds: list[Any] = []
    mentions: list[Any] = []
    attachments: list[FileRef] = []


class FileSearch(_Wire):
    """``/search_hash/{sha256}`` (§2.3)."""

    id: int | None = None
    hash: str | None = None
    ext: str | None = None
    mime: str | None = None
    size: int | None = None
    posts: list[Post] = []
    discord_posts: list[DiscordMessage] = []


class Account(_Wire):
    """The login answer and the administrator's account rows (§3)."""

    id: int
    username: str
    created_at: RawDate = None
    role: str = "consumer"


class LinkRequest(_Wire):
    """A pending creator link request (§3 LinkRequest)."""

    id: int
    from_service: str = ""
    from_id: Id = ""
    to_service: str = ""
    to_id: Id = ""
    reason: str | None = None
    requester_id: int | None = None
    status: str = "pending"


def convert(data: Any, type_: Any, url: str | None = None) -> Any:
    """Validate already-decoded JSON as ``type_``; a wrong shape is a ``DecodeError``."""
    try:
        return msgspec.convert(data, type_, strict=False)
    except msgspec.ValidationError as exc:
        raise DecodeError(f"unexpected JSON shape: {exc}", url=url) from exc
