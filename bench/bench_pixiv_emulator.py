"""Pixiv emulator throughput: ``/v1/illust/detail`` requests per second, against a bare aiohttp
hello-world measured in the same run (goal >= 2,000 req/s).

The emulator is measured twice: with its default in-memory SQLite database and with a database
file (WAL) in a temporary directory.

Each server runs in its own process (its own GIL) and the load comes from 32 concurrent aiohttp
clients in this one; the machine has two cores, one per side.
Run: ``.venv/bin/python bench/bench_pixiv_emulator.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import requests

from bench_common import HELLO_SERVER, serve

CONCURRENCY = 32
SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
CLIENT = ("MOBrBDS8blbauoSck0ZfDbtuzpyT", "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj")

_EMULATOR = """
import json, sys
from kemopix.emulators.pixiv_server import PixivEmulator
emu = PixivEmulator(database=sys.argv[1]).start()
print(json.dumps({"url": emu.url, "rt": emu.demo_account["refresh_token"]}), flush=True)
sys.stdin.read()
emu.stop()
"""


def access_token(url: str, refresh_token: str) -> str:
    when = "2026-01-01T00:00:00+00:00"
    response = requests.post(
        f"{url}/auth/token",
        data={
            "client_id": CLIENT[0],
            "client_secret": CLIENT[1],
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
        headers={
            "X-Client-Time": when,
            "X-Client-Hash": hashlib.md5((when + SECRET).encode()).hexdigest(),
        },
        timeout=10,
    )
    token: str = response.json()["access_token"]
    return token


async def _rate(url: str, seconds: float, headers: dict[str, str]) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return done / (time.perf_counter() - started)


def requests_per_second(url: str, seconds: float, headers: dict[str, str] | None = None) -> float:
    return asyncio.run(_rate(url, seconds, headers or {}))


def detail_rate(database: str, seconds: float) -> float:
    """``/v1/illust/detail`` req/s of an emulator serving from ``database``."""
    with serve(_EMULATOR, database) as info:
        bearer = {"Authorization": f"Bearer {access_token(info['url'], info['rt'])}"}
        detail = f"{info['url']}/v1/illust/detail?illust_id=75523989"
        return requests_per_second(detail, seconds, bearer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    out = sys.stdout
    with tempfile.TemporaryDirectory() as folder:
        ours = detail_rate(":memory:", args.seconds)
        on_file = detail_rate(str(Path(folder) / "pixiv.db"), args.seconds)
    with serve(HELLO_SERVER) as info:
        bare = requests_per_second(info["url"] + "/hello", args.seconds)
    out.write(f"illust_detail: {ours:,.0f} req/s (goal >= 2,000)\n")
    out.write(f"illust_detail, database file: {on_file:,.0f} req/s (goal >= 2,000)\n")
    out.write(f"bare aiohttp hello-world: {bare:,.0f} req/s; ratio ours/bare = {ours / bare:.2f}\n")
    ok = min(ours, on_file) >= 2000
    out.write("PASS\n" if ok else "FAIL\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
