"""Shared by the benchmarks: servers in child processes, and the bare aiohttp reference server.

A server script prints one JSON line (at least ``{"url": ...}``) once it listens and stops when
its standard input closes, so each side of a measurement has its own process (and core).
"""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "GALLERY_DL_AT",
    "HELLO_SERVER",
    "PEERS_PYTHON",
    "compiled",
    "disk_note",
    "gallery_dl",
    "kemono_origins",
    "quiet_start",
    "serve",
    "serve_process",
    "settle_disk",
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


# The disk's cost of making a file, when nothing disturbs it (ext4 on the 2-core machines
# measured: 45-65 us for a folder, a 3 KiB file and a rename).
SETTLED_US = 150.0


def _file_cost(where: Path, files: int = 100) -> float:
    """Microseconds per folder + 3 KiB file + rename, made in ``where`` (kept: a deletion
    would disturb the disk again)."""
    started = time.perf_counter()
    for n in range(files):
        folder = where / f"{time.time_ns()}-{n}"
        folder.mkdir(parents=True)
        tmp = folder / "f.tmp"
        tmp.write_bytes(b"x" * 3072)
        os.replace(tmp, folder / "f")
    return (time.perf_counter() - started) / files * 1e6


def settle_disk(where: Path, limit: float = 180.0) -> float:
    """Wait (at most ``limit`` seconds) until making a file in ``where`` costs what it costs on
    an undisturbed disk; returns the last cost measured (us per file).

    On the virtual machines here the root file system is ext4 mounted with ``discard``: for a
    minute or two after many files are deleted (a test run, a previous benchmark's cleanup),
    every file, folder and rename waits on the journal, at 5-25x its usual cost. A tool timed
    then is timed against that backlog, and more so the more files it makes per post (a folder
    and sidecars beside each file). So each timed run starts on a settled disk.
    """
    probe = where / ".disk-probe"
    started = time.monotonic()
    cost = _file_cost(probe)
    while cost > SETTLED_US and time.monotonic() - started < limit:
        time.sleep(2.0)
        cost = _file_cost(probe)
    _settled.append((cost, time.monotonic() - started))
    return cost


def quiet_start(where: Path | None) -> None:
    """Before a timed run: the last run's writes on disk, and the disk settled (in ``where``)."""
    os.sync()
    if where is not None:
        settle_disk(where)
        os.sync()


_settled: list[tuple[float, float]] = []  # (cost, seconds waited) of each settle_disk


def disk_note() -> str:
    """What :func:`settle_disk` found since the last note: for the report."""
    if not _settled:
        return ""
    costs = sorted(cost for cost, _ in _settled)
    waited = sum(seconds for _, seconds in _settled)
    unsettled = sum(1 for cost in costs if cost > SETTLED_US)
    _settled.clear()
    note = (
        f"  disk before each run: {costs[len(costs) // 2]:.0f} us per file (median), "
        f"{costs[-1]:.0f} us at most; waited {waited:.0f} s for it to settle"
    )
    if unsettled:
        note += f"; {unsettled} run(s) started on an unsettled disk"
    return note


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
