"""Run an aiohttp application in a background thread (or in the foreground).

The base of the emulators and of ``kemopix serve``; it imports nothing of kemopix, so both
sides of the layering (the emulators import nothing of the client side) may build on it.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from aiohttp import web  # imported when a server starts: `port` is the CLI parser's

__all__ = ["ThreadedServer", "port"]


def port(text: str) -> int:
    """``--port``'s argument type: a TCP port, 0 (any free port) to 65535."""
    number = int(text)  # argparse words a ValueError: "invalid port value: 'x'"
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"the port must be a number from 0 to 65535 (0 = any free port), not {number}"
        )
    return number


class ThreadedServer:
    """A context manager serving :meth:`build_app` on ``host:port`` (0: a free port).

    Subclasses build the application; this class owns the event loop, the thread and the socket.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def build_app(self) -> web.Application:
        """Return the application to serve (called once, inside the server's loop)."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        """The site root, e.g. ``http://127.0.0.1:41234``."""
        if not self.port:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return f"http://{self.host}:{self.port}"

    async def _start_site(self) -> None:
        from aiohttp import web

        # Access logs would cost ~15% of throughput and are noise in tests.
        runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=1024, reuse_address=True)
        await site.start()
        if self.port == 0:
            sockets: list[object] = list(getattr(site._server, "sockets", None) or [])
            self.port = int(sockets[0].getsockname()[1])  # type: ignore[attr-defined]
        self._runner = runner

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._start_site())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def start(self) -> Self:
        """Start serving in a daemon thread; returns once the port is bound."""
        if self._thread is not None:
            return self
        self._ready.clear()
        self._thread = threading.Thread(target=self._serve, name=type(self).__name__, daemon=True)
        self._thread.start()
        self._ready.wait()
        error, self._error = self._error, None
        if error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError(f"{type(self).__name__} could not start: {error}") from error
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._thread = None
        self._loop = None

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (``kemopix serve``, ``kemopix emulate``)."""
        self.start()
        try:
            assert self._thread is not None
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
