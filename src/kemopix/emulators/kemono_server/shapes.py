"""JSON shapes of kemono-protocol.md §3, built from the stored full posts.

Every rule about which fields an answer carries lives here, per flavour, so that the handlers
and the seeded data stay shape-free. The facts marked "live" below come from answers captured
on kemono.cr (2025-26) and pawchive (2026) (docs/emulators-kemono.md, "Live captures").
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from typing import Any

from .dataset import Creator, Json
from .murmur import file_host_index
from .timefmt import iso_micro

__all__ = [
    "PAWCHIVE_LISTING_FIELDS",
    "creator_time",
    "detail_envelope",
    "file_host_name",
    "full_post",
    "listing_post",
    "post_summary",
    "profile",
    "recent_item",
]

_TAGS = re.compile(r"<[^>]+>")
# Live (pawchive): posts carry these; listings only the first three, detail all of them.
PAWCHIVE_LISTING_FIELDS = ("origin", "preview_state", "has_full")
_PAWCHIVE_DEFAULTS: Json = {
    "origin": "kemono",
    "preview_state": "full",
    "has_full": True,
    "preview_attempts": 0,
    "detail_fetched": True,
}


def creator_time(creator_id: str, epoch: float) -> str:
    """A creator's ``indexed``/``updated`` as an ISO date with microseconds (live: they carry
    them); the fraction is fixed per creator so every answer gives the same value."""
    return iso_micro(int(epoch) + (zlib.crc32(creator_id.encode()) % 1_000_000) / 1e6)


def full_post(post: Json, flavour: str) -> Json:
    """A stored post as the flavour's full Post: kemono/coomer add ``incomplete_rewards: null``
    (live), pawchive its import fields (live; a seeded post may override the defaults)."""
    if flavour == "pawchive":
        return {**post, **{k: post.get(k, v) for k, v in _PAWCHIVE_DEFAULTS.items()}}
    out = dict(post)
    out.setdefault("incomplete_rewards", None)
    return out


def listing_post(post: Json) -> Json:
    """A pawchive creator-listing item: the full post, no ``next``/``prev`` (live), and only the
    first three import fields."""
    out = {k: v for k, v in post.items() if k not in _PAWCHIVE_DEFAULTS}
    out.update({k: post.get(k, _PAWCHIVE_DEFAULTS[k]) for k in PAWCHIVE_LISTING_FIELDS})
    return out


def recent_item(post: Json, flavour: str) -> Json:
    """A site-wide ``/v1/posts`` item: a PostSummary on every flavour (live), pawchive's with
    the three listing import fields."""
    out = post_summary(post)
    if flavour == "pawchive":
        out.update({k: post.get(k, _PAWCHIVE_DEFAULTS[k]) for k in PAWCHIVE_LISTING_FIELDS})
    return out


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
    # Live: every props.revisions entry carries the post's neighbours and incomplete_rewards.
    around = {"next": post.get("next"), "prev": post.get("prev"), "incomplete_rewards": None}
    history: list[list[Any]] = [[0, dict(post, **around)]]
    history.extend([i + 1, dict(rev, **around)] for i, rev in enumerate(revisions))
    return {
        "post": full_post(post, "kemono"),
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
        "indexed": creator_time(creator.id, creator.indexed),
        "updated": creator_time(creator.id, creator.updated),
        # live: pawchive profiles carry a null public_id
        "public_id": creator.id if flavour != "pawchive" and not creator.id.isdigit() else None,
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
