"""JSON shapes of kemono-protocol.md §3, built from the stored full posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .dataset import Creator, Json
from .murmur import file_host_index
from .timefmt import iso

__all__ = [
    "detail_envelope",
    "file_host_name",
    "post_summary",
    "profile",
    "with_neighbours",
]

_TAGS = re.compile(r"<[^>]+>")


def file_host_name(path: str) -> str:
    """``n1``..``n4`` for a ``/xx/yy/<sha>.ext`` path (murmur2 of ``/data{path}``)."""
    return f"n{file_host_index('/data' + path) + 1}"


def post_summary(post: Json) -> Json:
    """PostSummary: the creator ``/posts`` and popular-list entry (no content/embed/tags)."""
    return {
        "id": post["id"],
        "user": post["user"],
        "service": post["service"],
        "title": post["title"],
        "substring": _TAGS.sub("", post["content"] or "")[:50],
        "published": post["published"],
        "file": post["file"],
        "attachments": post["attachments"],
    }


def with_neighbours(posts: list[Json], index: int) -> Json:
    """The post plus ``next`` (older) and ``prev`` (newer) ids (§3)."""
    post = dict(posts[index])
    post["next"] = posts[index + 1]["id"] if index + 1 < len(posts) else None
    post["prev"] = posts[index - 1]["id"] if index > 0 else None
    return post


def _split(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    return (stem, "." + ext) if dot and stem else (name, "")


def detail_envelope(
    host_for: Callable[[str], str], post: Json, revisions: list[Json], flagged: str | None
) -> Json:
    """PostDetail ``{post, attachments, previews, videos, props}`` (2025 shape)."""
    refs: list[Json] = []
    if isinstance(post.get("file"), dict) and post["file"].get("path"):
        refs.append(post["file"])
    refs.extend(a for a in post.get("attachments") or [] if isinstance(a, dict))
    attachments: list[Json] = []
    previews: list[Json] = []
    videos: list[Json] = []
    for ref in refs:
        path, name = ref["path"], ref["name"]
        server = host_for(path)
        stem, extension = _split(path.rsplit("/", 1)[-1])
        _, name_extension = _split(name)
        if extension in (".png", ".jpg", ".jpeg", ".gif", ".webp"):
            previews.append({"type": "thumbnail", "server": server, "name": name, "path": path})
        elif extension in (".mp4", ".webm", ".mov", ".m4v"):
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


def profile(creator: Creator, post_count: int, has_chats: bool, flavour: str) -> Json:
    """CreatorProfile: the 2025 shape, or pawchive's (§10: import fields, no counters)."""
    out: Json = {
        "id": creator.id,
        "name": creator.name,
        "service": creator.service,
        "indexed": iso(creator.indexed),
        "updated": iso(creator.updated),
        "public_id": creator.id if not creator.id.isdigit() else None,
        "relation_id": None,
    }
    if flavour == "pawchive":
        out.update(
            ever_imported=True,
            kemono_favorited=creator.favorited,
            last_import_favs=None,
            import_size_cap_gb=None,
        )
        return out
    out.update(has_chats=has_chats, post_count=post_count, dm_count=0, share_count=0, chat_count=0)
    return out
