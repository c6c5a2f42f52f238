"""pixivapi against pixivpy3 and sync against async, on the Pixiv emulator (same run).

1. Per-call cost of ``Client.fetch_illustration`` vs pixivpy3 ``AppPixivAPI.illust_detail``:
   1,000 calls each, alternated over PASSES passes; medians of wall and CPU time per call.
   Goal: ratio (ours / pixivpy3) <= 1.0.
2. Throughput of ``AsyncClient`` with 32 concurrent ``fetch_illustration`` calls vs the sync
   ``Client`` making the same calls one after the other. Goal: >= 5x. Measured twice:
   on bare loopback, where both sides are CPU-bound on two cores and the bare-library ceiling
   (32 concurrent aiohttp GETs vs sequential requests GETs, same URL) is printed next to it;
   and with the emulator's ``latency`` fault adding a round trip of LATENCY seconds to every
   call, as any real server does (app-api.pixiv.net is ~10 ms away from Tokyo, ~250 ms from
   Europe), which is what concurrency is for.

The emulator runs in its own process (so it does not share this process's GIL); the machine has
two cores, one for each side. Run: ``.venv/bin/python bench/bench_pixivapi.py [--calls N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

PASSES = 5
CONCURRENCY = 32
LATENCY = 0.02
LATENCY_CALLS = 200

_SERVER = """
import json, sys
from kemopix.emulators import PixivEmulator
emu = PixivEmulator()
emu.start()
print(json.dumps({"url": emu.url, "refresh_token": emu.demo_refresh_token}), flush=True)
sys.stdin.read()
emu.stop()
"""


@contextmanager
def emulator() -> Iterator[dict[str, Any]]:
    """The Pixiv emulator in a child process; yields its url and the demo refresh token."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator did not start")
        yield json.loads(line)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def per_call(fn: Callable[[int], object], ids: list[int], calls: int) -> tuple[float, float]:
    """Milliseconds per call: (wall, CPU of this process)."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(calls):
        fn(ids[i % len(ids)])
    return (
        (time.perf_counter() - wall0) / calls * 1e3,
        (time.process_time() - cpu0) / calls * 1e3,
    )


async def async_per_call(client: Any, ids: list[int], calls: int) -> tuple[float, float]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with gate:
            await client.fetch_illustration(ids[i % len(ids)])

    wall0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(i) for i in range(calls)))
    return (
        (time.perf_counter() - wall0) / calls * 1e3,
        (time.process_time() - cpu0) / calls * 1e3,
    )


async def run_async(
    url: str, token: str, ids: list[int], calls: int, passes: int = PASSES
) -> list[tuple[float, float]]:
    from kemopix import PIXIV_CONFIG
    from kemopix.sites.pixiv import PixivSite
    from pixivapi import AsyncClient

    results = []
    # The default allows 8 connections per host (a polite client); this run asks for 32.
    config = PIXIV_CONFIG.replace(max_connections_per_host=CONCURRENCY)
    async with AsyncClient(site=PixivSite.at(url), config=config) as client:
        await client.authenticate(token)
        await async_per_call(client, ids, 200)  # warm up: connections, caches
        for _ in range(passes):
            results.append(await async_per_call(client, ids, calls))
    return results


def bare_ceiling(url: str, access_token: str, ids: list[int], calls: int) -> float:
    """Speed-up of 32 concurrent bare aiohttp GETs over sequential bare requests GETs."""
    import aiohttp
    import requests

    headers = {"Authorization": f"Bearer {access_token}"}
    endpoint = url + "/v1/illust/detail"
    with requests.Session() as session:
        started = time.perf_counter()
        for i in range(calls):
            session.get(endpoint, params={"illust_id": ids[i % len(ids)]}, headers=headers).json()
        sequential = time.perf_counter() - started

    async def concurrent() -> float:
        gate = asyncio.Semaphore(CONCURRENCY)
        async with aiohttp.ClientSession(headers=headers) as session:

            async def one(i: int) -> None:
                async with (
                    gate,
                    session.get(endpoint, params={"illust_id": ids[i % len(ids)]}) as r,
                ):
                    await r.json()

            await asyncio.gather(*(one(i) for i in range(50)))  # warm up the pool
            begun = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(calls)))
            return time.perf_counter() - begun

    return sequential / asyncio.run(concurrent())


def set_latency(url: str, seconds: float) -> None:
    """Add (or, with 0, remove) the emulator's ``latency`` fault on every API call."""
    import requests

    faults = url + "/_emulator/faults"
    requests.delete(faults, timeout=10).raise_for_status()
    if seconds:
        rule = {"kind": "latency", "path": "^/v[0-9]/", "probability": 1.0, "delay": seconds}
        requests.post(faults, json=rule, timeout=10).raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per measurement")
    args = parser.parse_args(argv)
    calls: int = args.calls

    from pixivpy3 import AppPixivAPI

    from kemopix.sites.pixiv import PixivSite
    from pixivapi import Client

    with emulator() as emu:
        url, token = emu["url"], emu["refresh_token"]
        client = Client.for_site(PixivSite.at(url))
        client.authenticate(token)
        ids = [work.id for work in itertools.islice(client.iter_illustrations_ranking(), 50)]
        api = AppPixivAPI()
        api.set_api_proxy(url)
        api.auth(refresh_token=token)
        for i in range(100):  # warm up both
            client.fetch_illustration(ids[i % len(ids)])
            api.illust_detail(ids[i % len(ids)])

        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for _ in range(PASSES):
            ours.append(per_call(client.fetch_illustration, ids, calls))
            theirs.append(per_call(api.illust_detail, ids, calls))
        async_results = asyncio.run(run_async(url, token, ids, calls))
        ceiling = bare_ceiling(url, str(client.access_token), ids, calls)

        set_latency(url, LATENCY)
        far_sync = [per_call(client.fetch_illustration, ids, LATENCY_CALLS) for _ in range(3)]
        far_async = asyncio.run(run_async(url, token, ids, LATENCY_CALLS, passes=3))
        set_latency(url, 0)
        client.close()

    def med(rows: list[tuple[float, float]], col: int) -> float:
        return statistics.median(r[col] for r in rows)

    ratios = [o[0] / t[0] for o, t in zip(ours, theirs, strict=True)]
    cpu_ratios = [o[1] / t[1] for o, t in zip(ours, theirs, strict=True)]
    speedups = [o[0] / a[0] for o, a in zip(ours, async_results, strict=True)]
    print(f"illust_detail, {calls} calls x {PASSES} passes (medians, ms per call)")
    print(f"  pixivapi.Client        wall {med(ours, 0):.3f}  cpu {med(ours, 1):.3f}")
    print(f"  pixivpy3 AppPixivAPI   wall {med(theirs, 0):.3f}  cpu {med(theirs, 1):.3f}")
    print(
        f"  ratio ours/pixivpy3    wall {statistics.median(ratios):.2f}  "
        f"cpu {statistics.median(cpu_ratios):.2f}  (goal <= 1.0)"
    )
    print(f"AsyncClient, {CONCURRENCY} concurrent calls")
    wall, cpu = med(async_results, 0), med(async_results, 1)
    print(f"  AsyncClient            wall {wall:.3f}  cpu {cpu:.3f}")
    print(
        f"  throughput async/sync  {statistics.median(speedups):.1f}x  "
        f"({1e3 / med(async_results, 0):.0f} vs {1e3 / med(ours, 0):.0f} calls/s; goal >= 5x)"
    )
    print(
        f"  bare ceiling on loopback: aiohttp x{CONCURRENCY} / requests sequential = {ceiling:.1f}x"
    )
    far = med(far_sync, 0) / med(far_async, 0)
    print(f"with a {LATENCY * 1e3:.0f} ms round trip per call ({LATENCY_CALLS} calls x 3 passes)")
    print(f"  pixivapi.Client        wall {med(far_sync, 0):.3f}")
    print(f"  AsyncClient            wall {med(far_async, 0):.3f}")
    print(f"  throughput async/sync  {far:.1f}x  (goal >= 5x)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
