"""JSON shapes of kemono-protocol.md §3 (2025) and §10 (pawchive), built from stored posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .timefmt import iso

__all__ = [
    "Creator",
    "Json",
    "detail_envelope",
    "favorite_creator",
    "legacy_post",
    "post_summary",
    "profile",
    "split_name",
    "with_neighbours",
]

Json = dict[str, Any]
_TAGS = re.compile(r"<[^>]+>")
_IMAGE = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
_VIDEO = (".mp4", ".webm", ".mov", ".m4v", ".mkv")


@dataclass(frozen=True, slots=True)
class Creator:
    """A row of the creators table (B ``lookup``)."""

    service: str
    id: str
    name: str
    indexed: float
    updated: float
    favorited: int
    public_id: str | None
    relation_id: int | None
    has_chats: bool


def post_summary(post: Json) -> Json:
    """PostSummary: creator ``/posts`` and popular entries (no content/embed/added/tags)."""
    text = _TAGS.sub("", post.get("content") or "")
    return {
        "id": post["id"],
        "user": post["user"],
        "service": post["service"],
        "title": post["title"],
        "substring": text[:50],
        "published": post["published"],
        "file": post["file"],
        "attachments": post["attachments"],
    }


def with_neighbours(post: Json, next_id: str | None, prev_id: str | None) -> Json:
    """The post plus ``next`` (the older post) and ``prev`` (the newer one) (§3)."""
    out = dict(post)
    out["next"] = next_id
    out["prev"] = prev_id
    return out


def _legacy_ref(ref: Any) -> Any:
    if isinstance(ref, dict) and ref.get("path"):
        return {**ref, "deferred": False, "preview_only": False}
    return ref


def legacy_post(post: Json) -> Json:
    """A full Post as pawchive answers it (§10): Postgres-array tags and its extra fields.

    assumption: the older backend serialised ``tags`` as the Postgres array text ``{a,b}``
    (pykemo's ``parse_tags`` exists for it); unknown values of the extra fields are null.
    """
    out = dict(post)
    tags = post.get("tags")
    out["tags"] = "{" + ",".join(tags) + "}" if isinstance(tags, list) else tags
    out["file"] = _legacy_ref(post.get("file"))
    out["attachments"] = [_legacy_ref(a) for a in post.get("attachments") or []]
    out.update(
        origin=None,
        preview_state=None,
        has_full=True,
        preview_attempts=0,
        detail_fetched=True,
        import_size_cap_gb=None,
    )
    return out


def split_name(name: str) -> tuple[str, str]:
    """``("stem", ".ext")`` of a file name (no extension: ``(name, "")``)."""
    stem, dot, ext = name.rpartition(".")
    return (stem, "." + ext) if dot and stem else (name, "")


def detail_envelope(
    server_for: Callable[[str], str], post: Json, revisions: list[Json], flagged: str | None
) -> Json:
    """PostDetail ``{post, attachments, previews, videos, props}`` (2025 shape, §3)."""
    refs: list[Json] = []
    main = post.get("file")
    if isinstance(main, dict) and main.get("path"):
        refs.append(main)
    refs.extend(a for a in post.get("attachments") or [] if isinstance(a, dict) and a.get("path"))
    attachments: list[Json] = []
    previews: list[Json] = []
    videos: list[Json] = []
    for ref in refs:
        path, name = ref["path"], ref.get("name") or ""
        server = server_for(path)
        stem, extension = split_name(path.rsplit("/", 1)[-1])
        _, name_extension = split_name(name)
        if extension in _IMAGE:
            previews.append({"type": "thumbnail", "server": server, "name": name, "path": path})
        elif extension in _VIDEO:
            videos.append(
                {
                    "index": len(videos),
                    "path": path,
                    "name": name,
                    "extension": extension,
                    "name_extension": name_extension,
                    "server": server,
                }
            )
        else:
            attachments.append(
                {
                    "server": server,
                    "name": name,
                    "extension": extension,
                    "name_extension": name_extension,
                    "stem": stem,
                    "path": path,
                }
            )
    embed = post.get("embed") or {}
    if embed.get("url"):
        previews.append(
            {
                "type": "embed",
                "url": embed["url"],
                "subject": embed.get("subject"),
                "description": embed.get("description"),
            }
        )
    current = {k: v for k, v in post.items() if k not in ("next", "prev")}
    history: list[list[Any]] = [[0, current]]
    history.extend([i + 1, rev] for i, rev in enumerate(revisions))
    return {
        "post": post,
        "attachments": attachments,
        "previews": previews,
        "videos": videos,
        "props": {"flagged": flagged, "revisions": history},
    }


def profile(creator: Creator, counts: tuple[int, int], legacy: bool) -> Json:
    """CreatorProfile: the 2025 shape with counters, or pawchive's with its import fields."""
    post_count, dm_count = counts
    base: Json = {
        "id": creator.id,
        "name": creator.name,
        "service": creator.service,
        "indexed": iso(creator.indexed),
        "updated": iso(creator.updated),
        "public_id": creator.public_id,
        "relation_id": creator.relation_id,
    }
    if legacy:
        base.update(
            ever_imported=True,
            kemono_favorited=creator.favorited,
            last_import_favs=None,
            import_size_cap_gb=None,
        )
        return base
    base.update(
        has_chats=creator.has_chats,
        post_count=post_count,
        dm_count=dm_count,
        share_count=0,
        chat_count=0,
    )
    return base


def favorite_creator(creator: Creator, faved_seq: int) -> Json:
    """FavoriteCreator (§3); ``last_imported`` assumed to be the creator's ``updated``."""
    return {
        "id": creator.id,
        "name": creator.name,
        "service": creator.service,
        "indexed": iso(creator.indexed),
        "updated": iso(creator.updated),
        "public_id": creator.public_id,
        "relation_id": creator.relation_id,
        "faved_seq": faved_seq,
        "last_imported": iso(creator.updated),
    }
