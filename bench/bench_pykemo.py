"""pykemo on the Kemono emulator: per-call cost, concurrency, paging, sync facade.

1. Per-call cost of ``get_creator`` (one profile GET + decode + model), async, sequential.
2. The same through the blocking facade ``pykemo.sync.KemoClient``.
3. Throughput of 32 concurrent ``get_creator`` calls with the default ``KEMONO_CONFIG`` (4
   connections per host) and with 32 connections per host.
4. Paging: 1,000 recent posts through ``iter_posts`` (20 pages of 50).

The emulator runs in its own process (two cores: one each). Run:
``.venv/bin/python bench/bench_pykemo.py [--calls N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from kemopix._protocol import KEMONO_CONFIG
from kemopix.sites.kemono import KemonoSite
from pykemo import KemoSession, get_creator, iter_posts
from pykemo.sync import KemoClient

CONCURRENCY = 32
DEMO = ("patreon", "demo-creator")

_SERVER = """
import json, sys
from kemopix.emulators import KemonoEmulator
emu = KemonoEmulator()
emu.start()
print(json.dumps({"url": emu.url}), flush=True)
sys.stdin.read()
emu.stop()
"""


@contextmanager
def emulator() -> Iterator[str]:
    """The Kemono emulator in a child process; yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator did not start")
        yield str(json.loads(line)["url"])
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=30)


async def async_sequential(site: KemonoSite, calls: int) -> list[float]:
    times: list[float] = []
    async with KemoSession(site) as ks:
        for _ in range(calls):
            start = time.perf_counter()
            assert await get_creator(*DEMO, ks) is not None
            times.append(time.perf_counter() - start)
    return times


def sync_sequential(site: KemonoSite, calls: int) -> list[float]:
    times: list[float] = []
    with KemoClient(site) as kemo:
        for _ in range(calls):
            start = time.perf_counter()
            assert kemo.get_creator(*DEMO) is not None
            times.append(time.perf_counter() - start)
    return times


async def async_concurrent(site: KemonoSite, calls: int, connections: int) -> float:
    config = KEMONO_CONFIG.replace(max_connections_per_host=connections)
    async with KemoSession(site, config=config) as ks:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one() -> None:
            async with gate:
                assert await get_creator(*DEMO, ks) is not None

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(calls)))
        return calls / (time.perf_counter() - start)


async def paging(site: KemonoSite, count: int) -> float:
    async with KemoSession(site) as ks:
        start = time.perf_counter()
        seen = 0
        async for _ in iter_posts(kemo_session=ks):
            seen += 1
            if seen >= count:
                break
        return seen / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    with emulator() as url:
        site = KemonoSite(url, "kemono")
        asyncio.run(async_sequential(site, 20))  # warm-up
        a = asyncio.run(async_sequential(site, args.calls))
        s = sync_sequential(site, args.calls)
        c4 = asyncio.run(async_concurrent(site, args.calls, 4))
        c32 = asyncio.run(async_concurrent(site, args.calls, 32))
        p = asyncio.run(paging(site, 1000))
    ms = 1000.0
    print(f"get_creator async sequential: median {statistics.median(a) * ms:.2f} ms/call")
    print(f"get_creator sync facade:      median {statistics.median(s) * ms:.2f} ms/call")
    print(f"32 concurrent, 4 conns/host:  {c4:.0f} calls/s")
    print(f"32 concurrent, 32 conns/host: {c32:.0f} calls/s")
    print(f"sequential baseline:          {1 / statistics.mean(a):.0f} calls/s")
    print(f"iter_posts paging:            {p:.0f} posts/s")


if __name__ == "__main__":
    main()
