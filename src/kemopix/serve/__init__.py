"""``kemopix serve``: an archive folder as a local web gallery and JSON API, read-only.

:class:`ArchiveSource` reads the archive (its SQLite state and sidecars), :class:`Index` keeps
the viewer's own index (FTS5) in the archive's hidden state, :func:`create_app` is the aiohttp
application and :class:`ArchiveServer` runs it in a thread.
"""

from __future__ import annotations

from .app import create_app
from .index import Index, RefreshStats
from .server import ArchiveServer, open_index
from .source import ArchiveSource

__all__ = ["ArchiveServer", "ArchiveSource", "Index", "RefreshStats", "create_app", "open_index"]
