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

__all__ = [
    "GALLERY_DL_AT",
    "HELLO_SERVER",
    "PEERS_PYTHON",
    "compiled",
    "gallery_dl",
    "kemono_origins",
    "serve",
    "serve_process",
]

REPO = Path(__file__).resolve().parent.parent
PEERS_PYTHON = REPO / ".venv-peers" / "bin" / "python"
GALLERY_DL_AT = REPO / "bench" / "peers" / "gallery_dl_at.py"


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


def gallery_dl(mapping: dict[str, str], url: str, dest: Path, *options: str) -> list[str]:
    """The command running the pinned gallery-dl with the site origins of ``mapping``
    rewritten to the emulator (``bench/peers/gallery_dl_at.py``), no config file and no
    token cache across runs, downloading ``url`` into ``dest``."""
    argv = [str(PEERS_PYTHON), str(GALLERY_DL_AT)]
    argv += [f"{origin}={local}" for origin, local in mapping.items()]
    argv += ["--", "--config-ignore", "-q", "-o", "cache.file=null", "-d", str(dest)]
    return [*argv, *options, url]


def kemono_origins(flavour: str, info: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The real site's origin of a Kemono emulator's ``flavour``, and the mapping of the
    origins gallery-dl talks to (site, pawchive's file host, kemono's image host) to the
    emulator's (``info``: ``url``, ``file_hosts``, optionally ``img``)."""
    if flavour == "pawchive":
        site = "https://pawchive.pw"
        return site, {site: info["url"], "https://file.pawchive.pw": info["file_hosts"][0]}
    site = "https://kemono.cr"
    mapping = {site: info["url"]}
    if info.get("img"):
        mapping["https://img.kemono.cr"] = info["img"]
    return site, mapping
