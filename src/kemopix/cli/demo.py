"""``kemopix emulate SITE`` and ``kemopix demo``: the offline emulators, served or shown off.

The demo needs no config and no network: it starts both emulators on 127.0.0.1, archives the
Kemono demo creator and the pixiv demo artist (through the emulator's demo account, whose
token is used for this run only and never stored) into ``./demo-output``, then shows where
everything went. It touches nothing outside that folder: no config, no shared rate budget.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import shlex
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from .._protocol.errors import KemopixError
from ..downloader.archive import ARCHIVE_NAME, Archive
from ..downloader.entry import run
from ..downloader.reporting import Summary
from .config import FileConfig
from .output import human_size, make_reporter
from .parser import parse_args
from .settings import origins_for, output_root, parse_targets, run_settings

__all__ = ["demo_command", "emulate_command", "folder_tree"]

MAX_CHILDREN = 6


def emulate_command(args: argparse.Namespace) -> int:
    """Serve one emulator in the foreground (its own options come from its CLI hooks)."""
    if getattr(args, "emulator_missing", False):
        raise KemopixError(f"the {args.site} emulator is not available in this installation")
    module = importlib.import_module(f"kemopix.emulators.{args.site}_server.cli")
    result = module.run_from_args(args)
    return int(result or 0)


def _media_paths(root: Path) -> set[Path]:
    """The media files the archive holds (everything else in the folder is metadata)."""
    if not (root / ARCHIVE_NAME).exists():
        return set()
    with Archive(root) as archive:
        return {root / record.path for record in archive.files("done")}


def _stats(folder: Path, media: set[Path]) -> tuple[int, int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(ARCHIVE_NAME)]
    return len(files), sum(p in media for p in files), sum(p.stat().st_size for p in files)


def folder_tree(root: Path) -> Tree:
    """A tree of the archive: sites, creators, then posts with their media and metadata files."""
    media = _media_paths(root)
    tree = Tree(f"[bold]{escape(str(root))}")

    def add(node: Tree, folder: Path, depth: int) -> None:
        children = sorted(p for p in folder.iterdir() if p.name != ARCHIVE_NAME)
        dirs = [p for p in children if p.is_dir()]
        files = [p for p in children if p.is_file()]
        if depth >= 6 or not dirs:
            kinds = Counter(p.suffix.lower() or "(none)" for p in files)
            summary = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
            if summary:
                node.add(f"[dim]{escape(summary)}")
            return
        for child in dirs[:MAX_CHILDREN]:
            count, held, size = _stats(child, media)
            what = f"{held} media + {count - held} metadata, {human_size(size)}"
            add(node.add(f"{escape(child.name)}  [dim]{what}[/]"), child, depth + 1)
        if len(dirs) > MAX_CHILDREN:
            node.add(f"[dim]… {len(dirs) - MAX_CHILDREN} more")

    add(tree, root, 0)
    total, held, size = _stats(root, media)
    tree.add(
        f"[bold]{held} media files and {total - held} metadata files[/] "
        f"(JSON and Markdown beside each post), {human_size(size)} in all"
    )
    return tree


async def _archive(args: argparse.Namespace, urls: list[str], token: str) -> Summary:
    config = FileConfig()  # the demo ignores the user's config file
    origins = origins_for(args, config)
    targets = parse_targets(urls, origins)
    root = output_root(args, config)
    settings = run_settings(args, config, root, targets=targets, pixiv_token=token)
    reporter = make_reporter(
        root, quiet=bool(args.quiet), verbose=bool(args.verbose), json_lines=bool(args.json)
    )
    return await run(settings, targets, reporter)


def demo_command(args: argparse.Namespace) -> int:
    """Start both emulators, archive a creator from each, show the result."""
    from ..emulators import KemonoEmulator, PixivEmulator

    console = Console()
    output = str(Path(args.output).absolute())
    with KemonoEmulator(creators=50) as kemono, PixivEmulator() as pixiv:
        service, creator = kemono.demo_creator
        account = pixiv.demo_account
        urls = [
            f"{kemono.url}/{service}/user/{creator}",
            f"{pixiv.url}/users/{account['artist_id']}",
        ]
        if not (args.quiet or args.json):
            console.print(
                f"[bold]kemopix demo[/]: Kemono emulator at {kemono.url}, "
                f"pixiv emulator at {pixiv.url}\n  archiving {urls[0]}\n  archiving {urls[1]}"
            )
        argv = ["download", *urls, "-o", output, "--no-shared-budget"]
        argv += ["--kemono-url", kemono.url, "--pixiv-url", pixiv.url]
        argv += ["-q"] if args.quiet else ["--json"] if args.json else []
        run = parse_args(argv)
        summary = asyncio.run(_archive(run, urls, str(account["refresh_token"])))
    if not (args.quiet or args.json):
        console.print(folder_tree(Path(output)))
        console.print(
            "Each post folder holds its files, the raw API data (<id>.json) and the text as "
            "Markdown. Run the demo again: nothing is fetched twice."
        )
        console.print(
            f"Browse: [bold]kemopix serve -o {escape(shlex.quote(output))}", soft_wrap=True
        )
    return summary.exit_code()
