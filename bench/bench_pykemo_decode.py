"""Typed decoding of Kemono listings, as pykemo does it, against plain ``json.loads``.

1. The full creators list (300,000 entries, ~37 MB from the Kemono emulator): the time of the
   ``kemopix.sites.kemono.creators`` flow's decoding into ``CreatorProfile`` Structs, as a ratio
   to ``json.loads`` of the same bytes in the same run (goal <= 0.5x).
2. Streaming 100,000 posts through the recent-posts page step (pages of 50 real post JSON from
   the emulator, decoded and dropped as ``iter_posts`` does): peak RSS growth (goal < 50 MB).

Run: ``.venv/bin/python bench/bench_pykemo_decode.py``.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from kemopix._protocol import Flow, Response
from kemopix.emulators import KemonoEmulator
from kemopix.sites.kemono import KemonoSite
from kemopix.sites.kemono.creators import creators
from kemopix.sites.kemono.posts import recent_posts

T = TypeVar("T")
HEADERS = {"Accept": "text/css"}


def answer(flow: Flow[T], body: bytes) -> T:
    """Drive a one-request flow with a ready response: only the decoding is timed."""
    request = next(flow)
    try:
        flow.send(Response(200, {"content-type": "text/css"}, body, request.url, request))
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    raise AssertionError("the flow asked for a second request")


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def compare(first: Callable[[], Any], second: Callable[[], Any], rounds: int = 7) -> list[float]:
    """Interleaved rounds (the machine is shared and noisy); the median of each side."""
    pairs = [(timed(first), timed(second)) for _ in range(rounds)]
    return [statistics.median(side) for side in zip(*pairs, strict=True)]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    with KemonoEmulator(creators=300_000) as emu:
        site = KemonoSite(emu.url, "kemono")
        listing = requests.get(f"{emu.api_url}/creators", headers=HEADERS, timeout=60).content
        page = requests.get(f"{emu.api_url}/posts", headers=HEADERS, timeout=60).content
    count = len(answer(creators(site), listing))
    untyped, typed = compare(lambda: json.loads(listing), lambda: answer(creators(site), listing))
    print(f"creators list: {count} entries, {len(listing) / 1e6:.1f} MB")
    print(f"  json.loads (dicts)        {untyped * 1000:7.1f} ms")
    print(f"  pykemo typed (Structs)    {typed * 1000:7.1f} ms")
    print(f"  ratio typed/json.loads    {typed / untyped:7.2f}x  (goal <= 0.5x)")

    step = recent_posts(site)
    per_page = len(answer(step(0), page).items)
    gc.collect()
    before = rss_mb()
    seen = 0
    started = time.perf_counter()
    while seen < 100_000:
        seen += len(answer(step(0), page).items)
    elapsed = time.perf_counter() - started
    print(f"streamed {seen} posts ({per_page} per page) in {elapsed:.2f} s")
    print(f"  peak RSS growth           {rss_mb() - before:7.1f} MB  (goal < 50 MB)")


if __name__ == "__main__":
    main()
