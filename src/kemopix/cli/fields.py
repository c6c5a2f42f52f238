"""``kemopix fields URL``: the template fields of a URL's first post and file, with values.

Like gallery-dl's ``-K``: it plans the URL (nothing is written), stops at the first post that
has a file, and prints every field a ``--template`` may use with the value it has there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from ..downloader.entry import run
from ..downloader.model import Post
from ..downloader.reporting import PlannedFile, Reporter
from ..downloader.templates import FIELDS, file_fields, post_fields
from .config import load_config
from .echo import echo
from .settings import origins_for, output_root, parse_targets, run_settings

__all__ = ["fields_command"]


class _FirstPost(Reporter):
    """Keeps the first planned post that has a file, then stops the run."""

    def __init__(self) -> None:
        self.post: Post | None = None
        self.file: PlannedFile | None = None
        self.outer: asyncio.Task[Any] | None = None
        self.warnings: list[str] = []

    def post_planned(self, post: Post, files: list[PlannedFile], *, update: bool) -> None:
        if self.post is None and files:
            self.post, self.file = post, files[0]
            # Stop everything in flight (listings, sizes), not only the run: no request may
            # start once the run has closed its network.
            for task in asyncio.all_tasks():
                if task is not self.outer:
                    task.cancel()

    def warning(self, message: str) -> None:
        self.warnings.append(message)


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


async def _first(args: argparse.Namespace) -> _FirstPost:
    config = load_config(Path(args.config) if args.config else None)
    targets = parse_targets(list(args.urls), origins_for(args, config))
    # An archive that does not exist: every post is new, so the first one shows (written: none).
    root = output_root(args, config) / ".kemopix-fields"
    settings = run_settings(args, config, root, dry_run=True, targets=targets)
    reporter = _FirstPost()
    reporter.outer = asyncio.current_task()
    task = asyncio.create_task(run(settings, targets, reporter))
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return reporter


def fields_command(args: argparse.Namespace) -> int:
    found = asyncio.run(_first(args))
    if found.post is None or found.file is None:
        reason = found.warnings[0] if found.warnings else "no post with a file there"
        echo(f"kemopix: no fields to show: {reason}", file=sys.stderr)
        return 1
    values = file_fields(post_fields(found.post), found.file.file)
    echo(f"post {found.post.key} {found.post.title!r}, file {found.file.file.name!r}:")
    width = max(len(name) for name in FIELDS) + 2
    for name in FIELDS:
        echo(f"  {{{name}}}".ljust(width + 3) + _show(values.get(name, "")))
    return 0
