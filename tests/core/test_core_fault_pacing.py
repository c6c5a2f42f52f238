"""Pacing faults: ``latency`` (a round trip before the answer) and ``bandwidth`` (a slow link)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from kemopix.emulators import KemonoEmulator

CSS = {"Accept": "text/css"}


def test_latency_delays_each_request_without_serialising(kemono_emulator: KemonoEmulator) -> None:
    rule = {"kind": "latency", "path": "/app_version$", "probability": 1.0, "delay": 1.0}
    created = requests.post(kemono_emulator.url + "/_emulator/faults", json=rule, timeout=10)
    assert created.status_code == 201
    url = kemono_emulator.api_url + "/app_version"

    def fetch(_: int) -> tuple[int, float]:
        started = time.monotonic()
        answer = requests.get(url, headers=CSS, timeout=10)
        return answer.status_code, time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetch, range(8)))
    elapsed = time.monotonic() - started
    assert all(status == 200 for status, _ in results)
    assert min(seconds for _, seconds in results) >= 1.0
    assert elapsed < 4.0  # the waits overlap: latency, not a slower server

    other = requests.get(kemono_emulator.api_url + "/creators", headers=CSS, timeout=10)
    assert other.status_code == 200 and other.elapsed.total_seconds() < 1.0


def test_bandwidth_paces_whole_and_ranged_bodies(kemono_emulator: KemonoEmulator) -> None:
    service, creator = kemono_emulator.demo_creator
    data = bytes(range(256)) * 1000  # 256,000 bytes
    post = kemono_emulator.add_post(service, creator, title="paced", files=[("paced.bin", data)])
    url = kemono_emulator.file_url(post["file"]["path"])
    kemono_emulator.add_fault(kind="bandwidth", path=r"^/data/", probability=1.0, rate=500_000)

    started = time.monotonic()
    whole = requests.get(url, timeout=10)
    assert whole.content == data
    assert time.monotonic() - started >= 0.4  # 256 kB at 500 kB/s

    ranged = requests.get(url, headers={"Range": "bytes=200000-"}, timeout=10)
    assert ranged.status_code == 206 and ranged.content == data[200000:]
    head = requests.head(url, timeout=10)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(data)
