"""Kemono emulator throughput, against a bare aiohttp hello-world measured in the same run.

0. Building the SQLite database of a 300,000-creator dataset (reusing it with ``--db`` again).
1. The full creators list of that dataset: time of one GET (goal < 1 s).
2. Small JSON requests per second (a creator profile) with 32 concurrent aiohttp clients,
   against the same client load on a bare aiohttp "hello world" (goal >= 2,000 req/s); also
   profiles of 20,000 different creators (cold: database reads, posts made on first use).

Each server runs in its own process (its own GIL); the machine has two cores, one per side.
Run: ``.venv/bin/python bench/bench_kemono_emulator.py [--creators N] [--seconds S] [--db F]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import aiohttp
import requests

from bench_common import HELLO_SERVER, serve

CONCURRENCY = 32
COLD_CREATORS = 20_000
CSS = {"Accept": "text/css"}

_EMULATOR = """
import json, sys, time
from kemopix.emulators.kemono_server import KemonoEmulator
started = time.perf_counter()
emu = KemonoEmulator(creators=int(sys.argv[1]), database=sys.argv[2])
built = time.perf_counter() - started
emu.start()
print(json.dumps({"url": emu.url, "build_seconds": built}), flush=True)
sys.stdin.read()
emu.stop()
"""


async def _rate(urls: list[str], seconds: float) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, headers=CSS) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                url = urls[done % len(urls)]
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return done / (time.perf_counter() - started)


def requests_per_second(url: str | list[str], seconds: float) -> float:
    """Requests per second over ``seconds`` (a list of URLs is taken in turn)."""
    return asyncio.run(_rate([url] if isinstance(url, str) else url, seconds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    args = parser.parse_args(argv)
    out = sys.stdout
    with serve(_EMULATOR, str(args.creators), args.db) as info:
        url = str(info["url"])
        api = url + "/api/v1"
        out.write(f"database ({args.db}): ready in {info['build_seconds']:.2f} s\n")
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            response = requests.get(api + "/creators", headers=CSS, timeout=60)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        listed = response.json()
        count = len(listed)
        out.write(
            f"creators list: {count:,} creators, {len(response.content) / 1e6:.1f} MB, "
            f"best {min(timings) * 1000:.0f} ms (goal < 1000 ms)\n"
        )
        ours = requests_per_second(api + "/patreon/user/demo-creator/profile", args.seconds)
        step = max(1, count // COLD_CREATORS)
        cold_urls = [f"{api}/{c['service']}/user/{c['id']}/profile" for c in listed[::step]]
        cold = requests_per_second(cold_urls, args.seconds)
    with serve(HELLO_SERVER) as info:
        url = str(info["url"])
        bare = requests_per_second(url + "/hello", args.seconds)
    out.write(f"profile JSON: {ours:,.0f} req/s (goal >= 2,000)\n")
    out.write(f"profiles of {len(cold_urls):,} creators (cold): {cold:,.0f} req/s\n")
    out.write(f"bare aiohttp hello-world: {bare:,.0f} req/s; ratio ours/bare = {ours / bare:.2f}\n")
    ok = min(timings) < 1.0 and ours >= 2000 and cold >= 2000
    out.write("PASS\n" if ok else "FAIL\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
