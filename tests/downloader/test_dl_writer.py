"""The downloader's transport writes bodies beside the loop: a large body is handed to the
writer pool in batches, and still resumes exactly where the disk left off, reports its
progress, and never runs more than ``MAX_QUEUED`` ahead of a slow disk (a real body larger
than that, from the emulator); a ``.part`` is made by its first write, and an empty body still
makes its (empty) file. Real sockets."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from core_runners import make_runner
from core_server import BLOB, BLOB_SHA256, CoreServer

from kemopix._io import AsyncRunner
from kemopix._protocol import Config, Flow, Request, RetryPolicy
from kemopix.downloader import writer
from kemopix.downloader.transport import PROGRESS, OffloadingTransport
from kemopix.emulators import KemonoEmulator
from kemopix.files import PART_SUFFIX, DownloadResult, download
from kemopix.files.part import PartFile

FAST = Config(retry=RetryPolicy(backoff=0.01, max_attempts=4))


class Progress:
    """A progress hook that compares the bytes that arrived with those on disk."""

    def __init__(self, part: PartFile | None = None) -> None:
        self.part = part
        self.arrived = 0
        self.opened_at: list[int] = []
        self.most_ahead = 0

    def opened(self, status: int, headers: Mapping[str, str], done: int, total: int | None) -> None:
        self.opened_at.append(done)
        self.arrived = done

    def advanced(self, size: int) -> None:
        self.arrived += size
        if self.part is not None:
            self.most_ahead = max(self.most_ahead, self.arrived - self.part.size)


def run(flow: Flow[object], hook: Progress) -> object:
    async def main() -> object:
        runner = AsyncRunner(OffloadingTransport(FAST))
        token = PROGRESS.set(hook)
        try:
            return await runner.run(flow)
        finally:
            PROGRESS.reset(token)
            await runner.aclose()

    return asyncio.run(main())


def test_a_cut_large_body_resumes_at_the_last_byte_that_arrived(
    core_server: CoreServer, tmp_path: Path
) -> None:
    # Each cut ends a body part-way through a batch: the bytes still queued are written
    # before the retry asks for its Range, which starts exactly after the last byte received.
    core_server.plan["/blob"] = ["cut", "cut"]
    dest = tmp_path / "file.bin"
    hook = Progress()
    result = run(download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256), hook)
    assert isinstance(result, DownloadResult) and result.sha256 == BLOB_SHA256
    assert dest.read_bytes() == BLOB
    first = len(BLOB) // 3
    second = first + (len(BLOB) - first) // 3
    assert core_server.ranges == [None, f"bytes={first}-", f"bytes={second}-"]
    assert hook.opened_at == [0, first, second] and hook.arrived == len(BLOB)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(PART_SUFFIX)]


class SlowDisk(PartFile):
    """A ``.part`` on a disk writing 64 MiB/s: well behind the loopback network."""

    def write(self, chunk: bytes) -> None:
        time.sleep(len(chunk) / (64 << 20))
        super().write(chunk)


def slow_download(url: str, part: PartFile) -> Flow[str]:
    response = yield part.request(Request.build("GET", url))
    assert response.status == 200
    return part.finish()


def test_a_slow_disk_holds_the_network_back(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    # A real body three times the writer's own bound, from the emulator's file host.
    body = os.urandom(3 * writer.MAX_QUEUED + 123)
    emu = kemono_emulator
    emu.add_creator("fanbox", "large", "Large")
    post = emu.add_post("fanbox", "large", title="large", files=[("large.bin", body)])
    sha256 = hashlib.sha256(body).hexdigest()
    part = SlowDisk(tmp_path / "large.bin", expected_sha256=sha256)
    hook = Progress(part)
    assert run(slow_download(emu.file_url(post["file"]["path"]), part), hook) == sha256
    assert (tmp_path / "large.bin").read_bytes() == body
    # The disk fell behind the network, up to the bound but never by more than MAX_QUEUED
    # and one read (aiohttp reads at most 256 KiB at a time; 1 MiB leaves room).
    assert writer.BATCH < hook.most_ahead <= writer.MAX_QUEUED + (1 << 20)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_an_empty_file_is_downloaded_as_an_empty_file(
    kemono_emulator: KemonoEmulator, kind: str, tmp_path: Path
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "blank", "Blank")
    post = emu.add_post("fanbox", "blank", title="nothing", files=[("empty.txt", b"")])
    url = f"{emu.url}/data{post['file']['path']}"
    dest = tmp_path / "empty.txt"
    empty = hashlib.sha256(b"").hexdigest()
    if kind == "sync":
        result = make_runner("sync", FAST)(lambda: download(url, dest, expected_sha256=empty))
    else:
        result = run(download(url, dest, expected_sha256=empty), Progress())
    assert isinstance(result, DownloadResult) and result.sha256 == empty and result.size == 0
    assert dest.is_file() and dest.read_bytes() == b""
    assert list(tmp_path.iterdir()) == [dest]


def test_a_whole_answer_empties_a_stale_part_before_its_first_byte(tmp_path: Path) -> None:
    dest = tmp_path / "file.bin"
    stale = Path(str(dest) + PART_SUFFIX)
    stale.write_bytes(b"an older version" * 100)
    part = PartFile(dest)
    # A 200 to the Range request (the file changed, or the server ignores ranges), and the
    # connection drops before its first byte: the old bytes must not be resumed later.
    part.open(200, {"content-length": "10"})
    part.close()
    assert stale.read_bytes() == b"" and part.size == 0
    # Nothing on disk yet: the part is made by the first write, where the bytes are.
    fresh = PartFile(tmp_path / "new.bin")
    fresh.open(200, {"content-length": "3"})
    assert not fresh.path.exists()
    fresh.write(b"abc")
    assert fresh.finish() == hashlib.sha256(b"abc").hexdigest()
    assert (tmp_path / "new.bin").read_bytes() == b"abc" and not fresh.path.exists()
