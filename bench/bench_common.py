"""Shared by the benchmarks: servers in child processes, and the bare aiohttp reference server.

A server script prints one JSON line (at least ``{"url": ...}``) once it listens and stops when
its standard input closes, so each side of a measurement has its own process (and core).
"""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["HELLO_SERVER", "compiled", "serve", "serve_process"]


def compiled(*trees: Path) -> None:
    """Byte-compile the ``src`` of source trees, as installing a wheel does: with
    ``PYTHONDONTWRITEBYTECODE`` set (this machine, CI) an editable checkout would otherwise
    compile every module at each start (~0.1 s), which no installed kemopix pays."""
    for tree in trees:
        compileall.compile_dir(str(tree / "src"), quiet=1)


# The reference: the least an aiohttp.web server can do per request, on our server base.
HELLO_SERVER = """
import json, sys
from aiohttp import web
from kemopix.emulators._server import EmulatorServer

class Hello(EmulatorServer):
    def build_app(self):
        async def hello(request):
            return web.json_response({"hello": "world"})
        app = web.Application()
        app.router.add_get("/hello", hello)
        return app

server = Hello().start()
print(json.dumps({"url": server.url}), flush=True)
sys.stdin.read()
server.stop()
"""


@contextmanager
def serve(script: str, *args: str) -> Iterator[dict[str, Any]]:
    """Run a server script in a child process; yield what it printed; stop it on exit."""
    with serve_process([sys.executable, "-c", script, *args]) as info:
        yield info


@contextmanager
def serve_process(argv: list[str], timeout: float = 60) -> Iterator[dict[str, Any]]:
    """Run a server command; yield the JSON line it printed; close its input (it stops)."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info: dict[str, Any] = json.loads(proc.stdout.readline())
        yield info
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=timeout)
