"""The ``latency`` fault: every matching request waits, in parallel, then answers normally."""

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
