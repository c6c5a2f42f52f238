"""Running the viewer: in a background thread (tests, benches) or in the foreground (the CLI)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Self

from aiohttp import web

from .._dirs import cache_dir
from .._server import ThreadedServer
from .app import create_app
from .index import Index, RefreshStats
from .source import ArchiveSource

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ArchiveServer", "open_index"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def open_index(root: Path) -> tuple[Index, RefreshStats]:
    """The archive's index, brought up to date.

    It lives in the archive's hidden state; a folder we may not write to (a read-only mount)
    keeps it in kemopix's cache folder instead, under a name derived from the folder's path.
    """
    source = ArchiveSource(root)
    try:
        index = Index(source)
    except (OSError, sqlite3.OperationalError):
        digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
        index = Index(source, cache_dir() / "serve" / digest)
    return index, index.refresh()


class ArchiveServer(ThreadedServer):
    """The viewer over ``root`` on ``host:port`` (0: any free port), served from a thread.

    The index is built or brought up to date by :meth:`start`, before the port opens.
    """

    def __init__(
        self, root: Path, host: str = DEFAULT_HOST, port: int = 0, *, refresh_interval: float = 1.0
    ) -> None:
        super().__init__(host=host, port=port)
        self.root = root
        self.refresh_interval = refresh_interval
        self.index: Index | None = None
        self.stats: RefreshStats | None = None

    def build_app(self) -> web.Application:
        assert self.index is not None
        return create_app(self.index, refresh_interval=self.refresh_interval)

    def start(self) -> Self:
        if self.index is None:
            self.index, self.stats = open_index(self.root)
        return super().start()
