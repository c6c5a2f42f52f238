"""The seeded dataset model, post construction, and the synthetic creators and their posts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .files import FileStore, StoredFile
from .timefmt import BASE_EPOCH, iso, iso_micro

__all__ = [
    "FEATURED_SYNTHETIC",
    "Creator",
    "Dataset",
    "Json",
    "file_ref",
    "make_post",
    "services_for",
    "synthetic_creators",
    "synthetic_posts",
]

_KEMONO_SERVICES = (
    "patreon",
    "fanbox",
    "gumroad",
    "subscribestar",
    "fantia",
    "boosty",
    "afdian",
    "dlsite",
)
_COOMER_SERVICES = ("onlyfans", "fansly", "candfans")
FEATURED_SYNTHETIC = 100

Json = dict[str, Any]


def services_for(flavour: str) -> tuple[str, ...]:
    """The paysites a flavour lists (discord is a server, not a creator list entry)."""
    return _COOMER_SERVICES if flavour == "coomer" else _KEMONO_SERVICES


@dataclass(slots=True)
class Creator:
    """A row of the creators list (``lookup`` table)."""

    service: str
    id: str
    name: str
    indexed: float
    updated: float
    favorited: int
    rich: bool = False

    def list_item(self) -> Json:
        return {
            "favorited": self.favorited,
            "id": self.id,
            "indexed": int(self.indexed),
            "name": self.name,
            "service": self.service,
            "updated": int(self.updated),
        }


@dataclass
class Dataset:
    """What is generated from the seed and kept in memory (fast to rebuild, read-only).

    ``creators`` (the hand-made ones), ``posts``, ``revisions`` and ``featured`` are the seed rows
    written to the database when it is built (the synthetic creators are streamed there by
    :func:`synthetic_creators`); requests read those from the database. The other content
    (comments, announcements, fancards, DMs, links, Discord) cannot be changed by clients and is
    served from here. ``files`` holds the file metadata and bytes (deterministic from the seed).
    """

    seed: int
    flavour: str
    demo_service: str
    files: FileStore
    synthetic_count: int = 0
    creators: dict[tuple[str, str], Creator] = field(default_factory=dict)
    posts: dict[tuple[str, str], list[Json]] = field(default_factory=dict)
    revisions: dict[tuple[str, str, str], list[Json]] = field(default_factory=dict)
    comments: dict[tuple[str, str, str], list[Json]] = field(default_factory=dict)
    announcements: dict[tuple[str, str], list[Json]] = field(default_factory=dict)
    fancards: dict[str, list[Json]] = field(default_factory=dict)
    dms: dict[tuple[str, str], list[Json]] = field(default_factory=dict)
    links: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    servers: dict[str, Json] = field(default_factory=dict)
    messages: dict[str, list[Json]] = field(default_factory=dict)
    fav_counts: dict[str, int] = field(default_factory=dict)
    # Pawchive: files whose original the site does not hold, sha256 -> "preview_only" (only
    # the thumbnail exists) or "deferred" (nothing fetched yet).
    unheld: dict[str, str] = field(default_factory=dict)
    # Creators whose posts feed the site-wide lists (recent, popular, random, search_hash);
    # other synthetic creators' posts are made lazily and stay out of those lists.
    featured: list[tuple[str, str]] = field(default_factory=list)


def synthetic_posts(seed: int, files: FileStore, creator: Creator) -> list[Json]:
    """Posts of a synthetic creator (0-3, one small file each), the same for the same seed."""
    key = (creator.service, creator.id)
    rng = random.Random(f"{seed}/posts/{key[0]}/{key[1]}")
    posts: list[Json] = []
    for n in range(rng.randrange(4)):
        post_id = str(rng.randrange(10**7, 10**8))
        published = creator.updated - n * 86_400
        size = rng.randrange(256, 4096)
        stored = files.add_generated(f"{post_id}_p0.bin", size, permanent=True)
        posts.append(
            make_post(
                key,
                post_id,
                f"Post {n + 1} of {creator.name}",
                published,
                content=f"<p>Synthetic post {post_id}.</p>",
                file=stored,
                attachments=[],
                tags=None,
            )
        )
        posts[-1]["added"] = None  # live: older imports have `added: null` (and `tags: null`)
    return posts


def file_ref(stored: StoredFile, name: str | None = None) -> Json:
    return {"name": name if name is not None else stored.name, "path": stored.path}


def make_post(
    key: tuple[str, str],
    post_id: str,
    title: str,
    published: float,
    *,
    content: str = "",
    file: StoredFile | None = None,
    attachments: list[tuple[StoredFile, str]] | list[StoredFile],
    tags: list[str] | None = None,
    embed: Json | None = None,
    edited: float | None = None,
) -> Json:
    """A full Post (kemono-protocol.md §3) in the site's field order."""
    refs: list[Json] = []
    for item in attachments:
        refs.append(file_ref(item[0], item[1]) if isinstance(item, tuple) else file_ref(item))
    return {
        "id": post_id,
        "user": key[1],
        "service": key[0],
        "title": title,
        "content": content,
        "embed": embed or {},
        "shared_file": False,
        "added": iso_micro(published + 3600.25),
        "published": iso(published),
        "edited": iso(edited) if edited is not None else None,
        "file": file_ref(file) if file is not None else {},
        "attachments": refs,
        "poll": None,
        "captions": None,
        "tags": tags,
    }


def synthetic_creators(seed: int, flavour: str, count: int) -> Iterator[Creator]:
    """The ``count`` synthetic creators, in list order (a prefix does not depend on ``count``)."""
    rng = random.Random(f"{seed}/creators")
    services = services_for(flavour)
    for i in range(count):
        service = services[i % len(services)]
        if rng.random() < 0.75:
            creator_id = str(10_000_000 + i * 10 + rng.randrange(10))
        else:
            creator_id = f"artist{i}{rng.choice('abcdefgh')}"
        indexed = BASE_EPOCH - rng.randrange(0, 3 * 365 * 86_400)
        updated = indexed + rng.randrange(0, 365 * 86_400)
        yield Creator(service, creator_id, f"Creator {i}", indexed, updated, rng.randrange(0, 5000))
