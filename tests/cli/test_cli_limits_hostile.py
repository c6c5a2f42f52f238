"""Endless bodies and decompression bombs: a typed error in seconds, memory bounded.

Each client runs in a child process over real sockets against a server that answers every path
with 512 MiB of gzip-compressed zeros or a JSON array that never ends; the child's peak RSS is
read from the kernel (``wait4``). The default cap (``Limits.body``, 256 MiB) must stop each one
within 60 s and under 512 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import HostileServer

RSS_LIMIT_KB = 512 * 1000  # 512 MB
TIME_LIMIT = 60.0

CHILDREN = {
    "cli": """
import sys
from kemopix.cli import main
url = sys.argv[1]
sys.exit(main(["download", url + "/patreon/user/1", "--kemono-url", url, "-o", sys.argv[2]]))
""",
    "pykemo": """
import asyncio, sys
import pykemo
from pykemo.exceptions import PyKemoLimitExceeded

async def main():
    async with pykemo.KemoSession(sys.argv[1]) as session:
        try:
            await pykemo.get_creator("patreon", "1", session)
        except PyKemoLimitExceeded as exc:
            print("typed:", exc)
            return 0
    return 1

sys.exit(asyncio.run(main()))
""",
    "pixivapi": """
import sys
from pixivapi import Client
from pixivapi.errors import PixivLimitExceeded

client = Client()
client.access_token = "token"
try:
    client.fetch_illustration(1)
except PixivLimitExceeded as exc:
    print("typed:", exc)
    sys.exit(0)
sys.exit(1)
""",
    "pixivapi-async": """
import asyncio, sys
from pixivapi import AsyncClient
from pixivapi.errors import PixivLimitExceeded

async def main():
    async with AsyncClient() as client:
        client.access_token = "token"
        try:
            await client.fetch_illustration(1)
        except PixivLimitExceeded as exc:
            print("typed:", exc)
            return 0
    return 1

sys.exit(asyncio.run(main()))
""",
}


def run_measured(code: str, url: str, out: Path) -> tuple[int, str, str, float, int]:
    """Exit status, stdout, stderr, seconds and peak RSS (kB, from ``wait4``) of ``code``."""
    env = {**os.environ, "KEMOPIX_PIXIV_URL": url, "KEMOPIX_CACHE_DIR": str(out / "cache")}
    env["KEMOPIX_CONFIG_DIR"] = str(out / "config")
    outputs = out / "stdout", out / "stderr"
    started = time.monotonic()
    with outputs[0].open("wb") as stdout, outputs[1].open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", code, url, str(out / "archive")],
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    deadline = started + TIME_LIMIT + 30
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            child.kill()
            os.wait4(child.pid, 0)
            pytest.fail("the client never gave up")
        time.sleep(0.05)
    child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
    return (
        child.returncode,
        outputs[0].read_text(),
        outputs[1].read_text(),
        time.monotonic() - started,
        usage.ru_maxrss,
    )


@pytest.fixture(scope="module", params=["endless", "bomb"])
def hostile(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    with HostileServer(request.param) as server:
        yield server


@pytest.mark.parametrize("client", list(CHILDREN))
def test_hostile_body_gives_a_typed_error_fast_and_small(
    hostile: HostileServer, client: str, tmp_path: Path
) -> None:
    code, stdout, stderr, seconds, rss_kb = run_measured(CHILDREN[client], hostile.url, tmp_path)
    print(f"{hostile.mode} {client}: exit {code}, {seconds:.1f}s, peak RSS {rss_kb / 1000:.0f} MB")
    assert seconds < TIME_LIMIT
    assert rss_kb < RSS_LIMIT_KB, f"peak RSS {rss_kb} kB"
    if client == "cli":
        assert code == 4, stderr  # network error or site unavailable
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and "larger than 256 MiB" in lines[0], stderr
    else:
        assert code == 0, stderr
        assert "typed:" in stdout and "larger than 256 MiB" in stdout
