"""The emulators' server base: the neutral threaded aiohttp server (``kemopix._server``)."""

from __future__ import annotations

from .._server import ThreadedServer

__all__ = ["EmulatorServer"]


class EmulatorServer(ThreadedServer):
    """Base of the emulators: subclasses build the application, served on 127.0.0.1."""
