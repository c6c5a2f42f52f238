"""Fault injection, rate limiting and the control plane of the Kemono emulator."""

from __future__ import annotations

import http.client
import logging
import socket
import struct
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from kemopix.emulators.kemono_server import KemonoEmulator

CSS = {"Accept": "text/css"}


def demo_file(emu: KemonoEmulator, name: str) -> str:
    posts = requests.get(
        emu.api_url + "/patreon/user/demo-creator/posts", headers=CSS, timeout=10
    ).json()
    path = next(
        r["path"] for p in posts for r in [p["file"], *p["attachments"]] if r.get("name") == name
    )
    return emu.file_url(path)


def test_status_fault_sequence_with_retry_after(kemono_emulator: KemonoEmulator) -> None:
    kemono_emulator.add_fault(
        kind="status", path="/profile$", status=429, retry_after=3, sequence=[True, False]
    )
    url = kemono_emulator.api_url + "/patreon/user/demo-creator/profile"
    first = requests.get(url, headers=CSS, timeout=10)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "3"
    assert "error" in first.json()
    assert requests.get(url, headers=CSS, timeout=10).status_code == 200


def test_challenge_fault_is_ddos_guard_page(kemono_emulator: KemonoEmulator) -> None:
    kemono_emulator.add_fault(kind="challenge", path="/creators", times=1, probability=1.0)
    response = requests.get(kemono_emulator.api_url + "/creators", headers=CSS, timeout=10)
    assert response.status_code == 403
    assert response.headers["Server"] == "ddos-guard"
    assert requests.get(kemono_emulator.api_url + "/creators", headers=CSS, timeout=10).ok


def test_truncated_file_download(kemono_emulator: KemonoEmulator) -> None:
    url = demo_file(kemono_emulator, "notes.txt")
    kemono_emulator.add_fault(kind="truncate", path=r"^/data/", times=1, probability=1.0)
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", parts.path)
        response = conn.getresponse()
        assert response.getheader("Content-Length") == "2048"
        with pytest.raises(http.client.IncompleteRead):
            response.read()
    finally:
        conn.close()
    assert len(requests.get(url, timeout=10).content) == 2048


def test_slow_file_download_still_complete(kemono_emulator: KemonoEmulator) -> None:
    url = demo_file(kemono_emulator, "notes.txt")
    kemono_emulator.add_fault(kind="slow", path=r"^/data/", times=1, probability=1.0, delay=0.02)
    started = time.monotonic()
    body = requests.get(url, timeout=10).content
    assert len(body) == 2048
    assert time.monotonic() - started >= 0.1


def test_reset_fault_and_control_plane(kemono_emulator: KemonoEmulator) -> None:
    faults = kemono_emulator.url + "/_emulator/faults"
    created = requests.post(
        faults, json={"kind": "reset", "path": "/tags$", "sequence": ["fault"]}, timeout=10
    )
    assert created.status_code == 201
    with pytest.raises(requests.ConnectionError):
        requests.get(kemono_emulator.api_url + "/posts/tags", headers=CSS, timeout=10)
    assert requests.get(faults, timeout=10).json()["faults"][0]["kind"] == "reset"
    assert requests.delete(faults, timeout=10).status_code == 204
    health = requests.get(kemono_emulator.url + "/_emulator/health", timeout=10).json()
    assert health["status"] == "ok" and len(health["file_hosts"]) == 4


def test_reset_endpoint_restores_dataset(kemono_emulator: KemonoEmulator) -> None:
    flag = kemono_emulator.api_url + "/patreon/user/demo-creator/post/1000001/flag"
    assert requests.post(flag, headers=CSS, timeout=10).status_code == 201
    assert requests.post(kemono_emulator.url + "/_emulator/reset", timeout=10).ok
    assert requests.get(flag, headers=CSS, timeout=10).status_code == 404


def test_reset_is_fast(kemono_emulator: KemonoEmulator) -> None:
    kemono_emulator.add_post("patreon", "demo-creator", title="x", files=[("a.bin", 10)])
    started = time.perf_counter()
    kemono_emulator.reset()
    assert time.perf_counter() - started < 0.05


@pytest.fixture(scope="module")
def limited() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(creators=20, rate_limit=5) as emu:
        yield emu


def test_rate_limit_answers_429(limited: KemonoEmulator) -> None:
    responses = [
        requests.get(limited.api_url + "/app_version", headers=CSS, timeout=10) for _ in range(12)
    ]
    refused = [r for r in responses if r.status_code == 429]
    assert refused
    assert all(r.headers["Retry-After"] == "1" and "error" in r.json() for r in refused)


def test_file_rate_limit_answers_nginx_429_and_counts() -> None:
    with KemonoEmulator(creators=10, flavour="pawchive", file_rate_limit=3) as emu:
        url = demo_file(emu, "notes.txt")
        statuses = [requests.get(url, timeout=10) for _ in range(8)]
        refused = [r for r in statuses if r.status_code == 429]
        assert refused, [r.status_code for r in statuses]
        assert refused[0].headers["Retry-After"] == "1"
        assert "429 Too Many Requests" in refused[0].text
        assert emu.throttled == len(refused)
        api = requests.get(emu.api_url + "/creators", timeout=10)
        assert api.status_code == 200  # the file budget does not limit the API
        time.sleep(1.05)
        assert requests.get(url, timeout=10).status_code == 200


def test_client_leaving_a_slowed_download_logs_one_line(
    kemono_emulator: KemonoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 15 item 8: no "Cannot write to closing transport" tracebacks on the console."""
    post = requests.get(
        kemono_emulator.api_url + "/patreon/user/demo-creator/post/1000006",
        headers={"Accept": "text/css"},
        timeout=10,
    ).json()["post"]
    path = post["file"]["path"]
    url = kemono_emulator.file_url(path)
    kemono_emulator.add_fault(kind="slow", path="/data/.*", delay=0.1, probability=1.0)
    caplog.set_level(logging.DEBUG)
    parts = urlsplit(url)
    for _ in range(3):
        sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
        sock.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # a reset in the middle of the body
    time.sleep(0.6)  # the server tries its next pieces meanwhile
    kemono_emulator.clear_faults()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    lines = [r for r in caplog.records if r.name == "kemopix.emulators"]
    assert 1 <= len(lines) <= 3 and all("client left" in r.getMessage() for r in lines)
