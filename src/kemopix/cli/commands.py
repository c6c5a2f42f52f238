"""``download``, ``plan``, ``verify`` and ``retry-failed``: the commands that run the engine."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import time
from pathlib import Path

from .._protocol.errors import InvalidInput
from ..downloader.archive import ARCHIVE_NAME, Archive, FileRecord
from ..downloader.entry import refetch, run
from ..downloader.quality import THUMBNAIL_SUFFIX
from ..downloader.reporting import Reporter, Summary
from ..downloader.status import CreatorStatus, folder_status, held_text
from ..downloader.transcript import TRANSCRIPT_NAMES
from ..files import INTERNAL_PREFIX, PART_SUFFIX, file_sha256
from .config import FileConfig, load_config
from .echo import echo
from .output import make_reporter
from .settings import origins_for, output_root, parse_targets, run_settings

__all__ = [
    "download_command",
    "plan_command",
    "retry_command",
    "status_command",
    "upgrade_command",
    "verify_command",
]


def _config(args: argparse.Namespace) -> FileConfig:
    path = getattr(args, "config", None)
    return load_config(Path(path) if path else None)


def _reporter(args: argparse.Namespace, root: Path, *, plan: bool = False) -> Reporter:
    return make_reporter(
        root,
        quiet=bool(getattr(args, "quiet", False)),
        verbose=bool(getattr(args, "verbose", False)),
        json_lines=bool(getattr(args, "json", False)),
        plan=plan,
    )


def download_command(args: argparse.Namespace) -> int:
    config = _config(args)
    origins = origins_for(args, config)
    targets = parse_targets(list(args.urls), origins)
    root = output_root(args, config)
    dry = bool(getattr(args, "dry_run", False))
    settings = run_settings(args, config, root, dry_run=dry, targets=targets)
    reporter = _reporter(args, root, plan=dry)
    return asyncio.run(run(settings, targets, reporter)).exit_code()


def plan_command(args: argparse.Namespace) -> int:
    args.dry_run = True
    return download_command(args)


def _say(args: argparse.Namespace, text: str, event: str, **data: object) -> None:
    """A line for the user, or a JSON event with ``--json``; nothing with ``--quiet``."""
    if getattr(args, "json", False):
        echo(json.dumps({"event": event, **data}, ensure_ascii=False))
    elif not getattr(args, "quiet", False):
        echo(text)


def _existing_archive(root: Path) -> Archive:
    if not (root / ARCHIVE_NAME).exists():
        raise InvalidInput(f"no kemopix archive in {root} (download something there first)")
    return Archive(root)


async def _refetch(
    args: argparse.Namespace,
    config: FileConfig,
    archive: Archive,
    records: list[FileRecord],
    *,
    upgrade: bool = False,
) -> Summary:
    settings = run_settings(args, config, archive.root)
    reporter = _reporter(args, archive.root)
    return await refetch(settings, archive, records, reporter, upgrade=upgrade)


def retry_command(args: argparse.Namespace) -> int:
    config = _config(args)
    root = output_root(args, config)
    with _existing_archive(root) as archive:
        records = list(archive.files("failed", "pending"))
        if not records:
            _say(args, "nothing to retry: no failed or unfinished files in the archive", "nothing")
            return 0
        return asyncio.run(_refetch(args, config, archive, records)).exit_code()


def upgrade_command(args: argparse.Namespace) -> int:
    config = _config(args)
    root = output_root(args, config)
    with _existing_archive(root) as archive:
        records = archive.upgradable()
        if not records:
            _say(args, "nothing to upgrade: every file is held as its original", "nothing")
            return 0
        return asyncio.run(_refetch(args, config, archive, records, upgrade=True)).exit_code()


def _status_line(status: CreatorStatus) -> str:
    posts = held_text(status.posts, empty="none")
    nxt = status.next_run()
    todo = [
        f"{nxt['upgrade_thumbnails']} originals of thumbnails",
        f"{nxt['try_unavailable']} unavailable originals",
        f"{nxt['retry_failed']} failed or unfinished files",
        f"{nxt['fetch_missing']} files missing on disk",
    ]
    todo = [t for t in todo if not t.startswith("0 ")]
    return (
        f"posts: {sum(status.posts.values())} ({posts}); files: {sum(status.files.values())}"
        f" ({held_text(status.files)}); next run tries: {', '.join(todo) or 'nothing'}"
    )


def status_command(args: argparse.Namespace) -> int:
    config = _config(args)
    root = output_root(args, config)
    if not (root / ARCHIVE_NAME).exists():
        raise InvalidInput(f"no kemopix archive in {root} (download something there first)")
    with Archive(root, exclusive=False) as archive:
        status = folder_status(archive)
    if getattr(args, "json", False):
        echo(json.dumps({"event": "status", **status.as_dict()}, ensure_ascii=False))
        return 0
    for creator in status.creators:
        synced = _when(creator.last_sync)
        echo(f"{creator.site} {creator.service} {creator.creator_id} (last sync {synced})")
        echo(f"  {_status_line(creator)}")
    echo(f"total: {_status_line(status.total)}")
    return 0


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def _problem(root: Path, record: FileRecord) -> str | None:
    """What is wrong with an archived file on disk, or None."""
    path = root / record.path
    if record.status != "done":
        why = record.error or record.status
        if path.is_file():
            # A kill after the file's rename, before its record was saved: checked again.
            return f"not recorded as complete ({why}), a file is at its name"
        return f"missing (never completed: {why})"
    try:
        size = path.stat().st_size
    except OSError:
        return "missing"
    if record.size is not None and size != record.size:
        return f"truncated or wrong size: {size} bytes, expected {record.size}"
    # A thumbnail is checked against its own hash, not the original's.
    expected = record.sha256 if record.held == "thumbnail" else record.expected_sha256
    expected = expected or record.sha256
    if expected and file_sha256(path) != expected.lower():
        return "corrupt: SHA-256 mismatch"
    return None


# Patterns are compiled on first use (re's cache), not at import: most runs never use them.
_SIDECAR = r"^(?P<id>.+?)(?:\.r\d+)?\.(?:json|html|md|txt|comments\.json|revisions\.json)$"


def unknown_files(root: Path, archive: Archive) -> list[tuple[str, str]]:
    """Files in ``root`` the archive does not know: ``(relative path, what it looks like)``.

    Sidecars of archived posts and kemopix's own files (archive, lock) are known.
    """
    known = {r.path for r in archive.files()}
    posts = archive.post_ids()
    out: list[tuple[str, str]] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        base = Path(folder)
        for name in sorted(names):
            rel = (base / name).relative_to(root).as_posix()
            if rel in known or (folder == str(root) and name.startswith(INTERNAL_PREFIX)):
                continue
            if name.endswith(THUMBNAIL_SUFFIX) and rel.removesuffix(THUMBNAIL_SUFFIX) in known:
                continue  # a thumbnail kept beside its original (--keep-thumbnails)
            if name in TRANSCRIPT_NAMES:
                continue  # a Discord channel's transcript
            match = re.match(_SIDECAR, name)
            if match is not None and match.group("id") in posts:
                continue
            if name.endswith(PART_SUFFIX) and rel.removesuffix(PART_SUFFIX) in known:
                out.append((rel, "unfinished download (the next run resumes it)"))
            elif name.startswith(INTERNAL_PREFIX):
                out.append((rel, "temporary file of an interrupted run"))
            else:
                out.append((rel, "unknown to the archive"))
    return out


def verify_command(args: argparse.Namespace) -> int:
    config = _config(args)
    root = output_root(args, config)
    with _existing_archive(root) as archive:
        return _verify(args, config, archive)


def _verify(args: argparse.Namespace, config: FileConfig, archive: Archive) -> int:
    root = archive.root
    records = list(archive.files())
    bad: list[FileRecord] = []
    for record in records:
        if record.status in ("skipped", "unavailable"):
            # left out on purpose (an animation not wanted, an impossible name), or nothing to
            # be had now (`kemopix upgrade` and plain runs try those again)
            continue
        problem = _problem(root, record)
        if problem is None:
            continue
        bad.append(record)
        _say(args, f"{problem}: {record.path}", "bad_file", path=record.path, problem=problem)
    strays = unknown_files(root, archive)
    for rel, what in strays:
        _say(args, f"{what}: {rel}", "unknown_file", path=rel, problem=what)
    good = sum(r.status == "done" for r in records) - sum(r.status == "done" for r in bad)
    text = f"verified {good + len(bad)} files: {good} good, {len(bad)} bad"
    if strays:
        text += f", {len(strays)} other files not in the archive"
    _say(args, text, "verified", files=good + len(bad), good=good, bad=len(bad), other=len(strays))
    if not bad:
        return 0
    if getattr(args, "check_only", False):
        return 1
    for record in bad:
        path = root / record.path
        if record.status == "done" and path.exists():
            os.unlink(path)  # a corrupt copy must not pass for a complete file
    made = [r for r in bad if r.kind == "animation"]
    # An animation is encoded from its zip, not downloaded: the next `download` remakes it.
    for record in made:
        archive.fail_file(record.path, "removed by verify", status="skipped")
        archive.set_complete(record.key, False)
    fetch = [r for r in bad if r.kind != "animation"]
    if not fetch:
        return 1
    return asyncio.run(_refetch(args, config, archive, fetch)).exit_code()
