"""What an archive folder holds, per creator and in total (``kemopix status``, run summaries).

Files are counted by state (:func:`kemopix.downloader.archive.file_state`, the same words
``kemopix serve``'s health page uses): ``original`` (verified), ``thumbnail`` (only the
thumbnail is held), ``unavailable`` (the original cannot be had now and there is no
thumbnail), ``failed``, ``pending``, ``skipped``, and ``missing`` (held by the archive's record,
absent from the disk). A post takes the state of its worst file.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from .archive import ArchiveStore, file_state
from .model import PostKey

__all__ = [
    "STATES",
    "CreatorStatus",
    "FolderStatus",
    "absent",
    "folder_status",
    "held_counts",
    "held_text",
    "missing_files",
]

# From best to worst: a post counts as its worst file.
STATES = ("original", "skipped", "thumbnail", "unavailable", "pending", "failed", "missing")


_HELD = ("original", "thumbnail")  # states that say a file is on disk: checked there


def _state(root: str, path: str, status: str, held: str | None) -> str:
    """The file's state; ``missing`` for one the archive holds that is not on disk."""
    state = file_state(status, held)
    # One stat per held file, no Path objects (run summaries count thousands).
    if state in _HELD and not os.path.isfile(os.path.join(root, path)):
        return "missing"
    return state


class CreatorStatus(Struct):
    """Counts of one creator's posts and files by state, and when it was last synced."""

    site: str
    service: str
    creator_id: str
    posts: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)
    last_sync: float | None = None

    def add(self, other: CreatorStatus) -> None:
        self.posts.update(other.posts)
        self.files.update(other.files)
        if other.last_sync is not None:
            self.last_sync = max(self.last_sync or 0.0, other.last_sync)

    def next_run(self) -> dict[str, int]:
        """What a plain ``download`` (or ``upgrade``) would try for these files."""
        return {
            "upgrade_thumbnails": self.files["thumbnail"],
            "try_unavailable": self.files["unavailable"],
            "retry_failed": self.files["failed"] + self.files["pending"],
            "fetch_missing": self.files["missing"],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "service": self.service,
            "creator_id": self.creator_id,
            "posts": {s: self.posts[s] for s in STATES},
            "files": {s: self.files[s] for s in STATES},
            "last_sync": self.last_sync,
            "next_run": self.next_run(),
        }


class FolderStatus(Struct):
    creators: list[CreatorStatus]
    total: CreatorStatus

    def as_dict(self) -> dict[str, Any]:
        return {
            "creators": [c.as_dict() for c in self.creators],
            "total": self.total.as_dict(),
        }


def folder_status(archive: ArchiveStore) -> FolderStatus:
    """Every creator of the archive with its counts, and the totals."""
    root = str(archive.root)
    creators: dict[tuple[str, str, str], CreatorStatus] = {}
    posts: dict[PostKey, tuple[tuple[str, str, str], list[str]]] = {}
    for row in archive.state_rows():
        ckey = (row.site, row.service, row.creator_id)
        status = creators.get(ckey)
        if status is None:
            status = creators[ckey] = CreatorStatus(*ckey)
        status.last_sync = max(status.last_sync or 0.0, row.updated_at)
        states = posts.setdefault(PostKey(row.site, row.service, row.post_id), (ckey, []))[1]
        if row.path is not None and row.status is not None:
            state = _state(root, row.path, row.status, row.held)
            status.files[state] += 1
            states.append(state)
    for ckey, states in posts.values():
        creators[ckey].posts[max(states, key=STATES.index) if states else "original"] += 1
    synced = archive.sync_times()
    for status in creators.values():
        mark = synced.get(f"{status.site}/{status.service}/{status.creator_id}")
        if mark is not None:
            status.last_sync = mark
    total = CreatorStatus("", "", "")
    for status in creators.values():
        total.add(status)
    return FolderStatus(
        sorted(creators.values(), key=lambda c: (c.site, c.service, c.creator_id)), total
    )


def held_counts(
    archive: ArchiveStore,
    creators: Iterable[tuple[str, str, str]],
    keys: Iterable[PostKey],
    since: float | None = None,
) -> dict[str, int]:
    """Files by state of ``creators`` (site, service, id) and of the posts ``keys``, ``missing``
    for a file the archive holds that is not on disk. With ``since`` (when a run began), the
    files whose record that run wrote are not looked for: it put each there or checked it
    there (one deleted since is found by the next run, as by the sweep's look for deleted
    files); a stat per file was about 1 % of a run's CPU."""
    root = str(archive.root)
    counts = Counter(
        _state(root, path, status, held)
        for path, status, held in archive.held_files(creators, keys, before=since)
    )
    if since is not None:
        counts.update(
            file_state(status, held)
            for _, status, held in archive.held_files(creators, keys, since=since)
        )
    return {s: counts[s] for s in STATES}


def missing_files(
    archive: ArchiveStore,
    creators: Iterable[tuple[str, str, str]],
    keys: Iterable[PostKey],
    before: float | None = None,
) -> list[str]:
    """The paths the archive holds for ``creators`` and ``keys`` that are not on disk (with
    ``before``, of the files whose record was not written since).

    The archive is read through a connection of its own and the disk is looked at path by
    path (a 100,000-file creator: ~0.1-0.2 s of system calls): a worker thread may run it,
    beside the event loop, once the archive is flushed."""
    return absent(archive.root, archive.held_paths(creators, keys, before))


def absent(root: Path, paths: Iterable[str]) -> list[str]:
    """Those of ``paths`` (relative to ``root``) that hold no file."""
    base = str(root)
    isfile, join = os.path.isfile, os.path.join  # one stat per path, no Path objects
    return [p for p in paths if not isfile(join(base, p))]


_WORDS = {"thumbnail": "thumbnail only", "missing": "missing on disk"}


def held_text(counts: dict[str, int] | Counter[str], empty: str = "no files") -> str:
    """``12 original, 3 thumbnail only, 1 unavailable`` (states with a count only)."""
    parts = [f"{counts[s]} {_WORDS.get(s, s)}" for s in STATES if counts.get(s)]
    return ", ".join(parts) or empty
