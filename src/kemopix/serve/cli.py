"""``kemopix serve``: the archive as a local web gallery and JSON API, until Ctrl-C."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import webbrowser
from pathlib import Path

from .._protocol.errors import InvalidInput, KemopixError
from .._protocol.ratelimit import is_loopback
from ..cli.config import load_config
from ..cli.echo import echo
from ..cli.settings import output_root
from .server import ArchiveServer
from .source import ARCHIVE_NAME, ArchiveError

__all__ = ["ServeError", "serve_command"]


class ServeError(KemopixError):
    """The server could not start (address in use, not an address of this machine...)."""


def serve_command(args: argparse.Namespace) -> int:
    """Serve the archive folder until interrupted; the index is built or brought up to date."""
    config = load_config(Path(args.config) if args.config else None)
    root = output_root(args, config)
    if not (root / ARCHIVE_NAME).is_file():
        raise InvalidInput(f"no kemopix archive in {root} (run `kemopix download URL -o DIR`)")
    if not is_loopback(args.host):
        echo(
            f"kemopix: warning: serving on {args.host}: anyone who can reach this machine can "
            "browse the archive (there is no login)",
            file=sys.stderr,
        )
    server = ArchiveServer(root, args.host, args.port)
    echo(f"kemopix serve: indexing {root} ...", flush=True)
    try:
        server.start()
    except (RuntimeError, ArchiveError) as exc:
        cause = exc if isinstance(exc, ArchiveError) else exc.__cause__
        if isinstance(cause, ArchiveError) and isinstance(cause.__cause__, sqlite3.Error):
            raise cause.__cause__ from None  # a damaged archive: exit 5, like download's
        if isinstance(cause, OSError):  # port in use, not an address here: exit 5
            raise cause from None
        if isinstance(exc, ArchiveError):
            raise
        raise ServeError(f"cannot serve on {args.host}:{args.port}: {exc.__cause__}") from exc
    stats = server.stats
    assert stats is not None
    shown = f"[{server.host}]" if ":" in server.host else server.host
    url = f"http://{shown}:{server.port}/"
    echo(f"kemopix serve: {stats.posts} posts (re)indexed in {stats.seconds:.1f} s")
    echo(f"  {url}   (Ctrl-C stops)")
    if args.open:
        webbrowser.open(url)
    server.serve_forever()
    return 0
