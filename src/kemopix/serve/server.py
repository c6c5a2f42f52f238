"""Running the viewer: in the foreground (``kemopix serve``) or in a thread (tests, benches)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

from .app import create_app
from .index import Index, RefreshStats
from .source import ArchiveSource

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ArchiveServer", "open_index"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def open_index(root: Path) -> tuple[Index, RefreshStats]:
    """The archive's index, brought up to date."""
    index = Index(ArchiveSource(root))
    return index, index.refresh()


class ArchiveServer:
    """The viewer over ``root`` on ``host:port`` (0: any free port) in a background thread."""

    def __init__(
        self, root: Path, host: str = DEFAULT_HOST, port: int = 0, *, refresh_interval: float = 1.0
    ) -> None:
        self.root = root
        self.host = host
        self.port = port
        self.refresh_interval = refresh_interval
        self.index: Index | None = None
        self.stats: RefreshStats | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start_async(self) -> None:
        """Build the index and start listening (in the running loop)."""
        index, self.stats = await asyncio.to_thread(open_index, self.root)
        self.index = index
        app = create_app(index, refresh_interval=self.refresh_interval)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        for address in self._runner.addresses:
            self.port = int(address[1])
            break

    async def stop_async(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self.start_async())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self.stop_async())
            loop.close()

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="kemopix-serve", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
