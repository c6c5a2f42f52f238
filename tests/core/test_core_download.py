"""The download flow over real HTTP: atomic, resumable, verified, never fetched twice."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import pytest
from core_runners import make_runner
from core_server import BLOB, BLOB_SHA256, CoreServer

from kemopix._protocol import Config, IntegrityError, NotFound, RetryPolicy, Timeouts
from kemopix.downloader import disk_ops
from kemopix.files import PART_SUFFIX, download, safe_join
from kemopix.files.part import HAND_BYTES

FAST = Config(retry=RetryPolicy(backoff=0.01, max_attempts=4))


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(PART_SUFFIX)]


def test_download_verifies_and_renames(core_server: CoreServer, kind: str, tmp_path: Path) -> None:
    dest = safe_join(tmp_path, "creator", "file.bin")
    run = make_runner(kind, FAST)
    result = run(lambda: download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256))
    assert result.outcome == "downloaded" and result.sha256 == BLOB_SHA256
    assert dest.read_bytes() == BLOB and not leftovers(tmp_path)
    again = run(lambda: download(core_server.url + "/blob", dest, expected_size=len(BLOB)))
    assert again.outcome == "skipped"
    assert core_server.hits["/blob"] == 1


def test_cut_body_resumes_with_range(core_server: CoreServer, kind: str, tmp_path: Path) -> None:
    core_server.plan["/blob"] = ["cut", "cut"]
    dest = tmp_path / "file.bin"
    result = make_runner(kind, FAST)(
        lambda: download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256)
    )
    assert dest.read_bytes() == BLOB and result.sha256 == BLOB_SHA256
    assert core_server.hits["/blob"] == 3
    # Retries continued where the cut left off instead of starting again.
    assert core_server.ranges[0] is None
    assert all(r is not None and int(r[6:-1]) > 0 for r in core_server.ranges[1:])
    assert not leftovers(tmp_path)


def test_stalled_body_times_out_and_resumes(
    core_server: CoreServer, kind: str, tmp_path: Path
) -> None:
    core_server.plan["/blob"] = ["stall"]
    dest = tmp_path / "file.bin"
    config = FAST.replace(timeout=Timeouts(read=0.5))
    started = time.monotonic()
    result = make_runner(kind, config)(
        lambda: download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256)
    )
    assert time.monotonic() - started < 2.5  # the stalled answer stays silent for 3 s
    assert dest.read_bytes() == BLOB and result.sha256 == BLOB_SHA256
    assert core_server.hits["/blob"] == 2
    assert core_server.ranges[1] is not None and int(core_server.ranges[1][6:-1]) > 0
    assert not leftovers(tmp_path)


def test_downloads_in_a_row_keep_their_connection(core_server: CoreServer, tmp_path: Path) -> None:
    # A body read to its declared length, and no further, still leaves the connection ready
    # for the next request.
    from kemopix._io import AiohttpTransport, AsyncRunner

    async def main() -> list[str | None]:
        runner = AsyncRunner(AiohttpTransport(FAST))
        try:
            return [
                (
                    await runner.run(download(core_server.url + "/blob", tmp_path / f"{n}.bin"))
                ).sha256
                for n in range(3)
            ]
        finally:
            await runner.aclose()

    assert asyncio.run(main()) == [BLOB_SHA256] * 3
    assert len(core_server.peers) == 3 and len(set(core_server.peers)) == 1
    assert all((tmp_path / f"{n}.bin").read_bytes() == BLOB for n in range(3))


def test_next_run_resumes_a_part_file(core_server: CoreServer, kind: str, tmp_path: Path) -> None:
    dest = tmp_path / "file.bin"
    Path(str(dest) + PART_SUFFIX).write_bytes(BLOB[:1_000_000])  # a run killed mid-file
    result = make_runner(kind, FAST)(
        lambda: download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256)
    )
    assert result.outcome == "resumed" and result.resumed_from == 1_000_000
    assert dest.read_bytes() == BLOB


def test_server_ignoring_range_restarts_cleanly(
    core_server: CoreServer, kind: str, tmp_path: Path
) -> None:
    core_server.ignore_range = True
    dest = tmp_path / "file.bin"
    Path(str(dest) + PART_SUFFIX).write_bytes(BLOB[:500_000])
    result = make_runner(kind, FAST)(
        lambda: download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256)
    )
    assert result.outcome == "downloaded" and dest.read_bytes() == BLOB


def test_complete_part_gets_416_and_is_finished(
    core_server: CoreServer, kind: str, tmp_path: Path
) -> None:
    dest = tmp_path / "file.bin"
    Path(str(dest) + PART_SUFFIX).write_bytes(BLOB)  # killed between last byte and rename
    result = make_runner(kind, FAST)(
        lambda: download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256)
    )
    assert dest.read_bytes() == BLOB and result.outcome == "resumed"


def test_hash_mismatch_keeps_nothing(core_server: CoreServer, kind: str, tmp_path: Path) -> None:
    core_server.plan["/blob"] = ["corrupt"]
    dest = tmp_path / "file.bin"
    with pytest.raises(IntegrityError, match="sha256"):
        make_runner(kind, FAST)(
            lambda: download(core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256)
        )
    assert not dest.exists() and not leftovers(tmp_path)


def test_error_status_writes_nothing(core_server: CoreServer, kind: str, tmp_path: Path) -> None:
    core_server.plan["/blob"] = ["status:404"]
    dest = tmp_path / "file.bin"
    with pytest.raises(NotFound):
        make_runner(kind, FAST)(lambda: download(core_server.url + "/blob", dest))
    assert not dest.exists()
    part = Path(str(dest) + PART_SUFFIX)
    assert not part.exists() or part.stat().st_size == 0


def test_existing_file_with_wrong_hash_is_fetched_again(
    core_server: CoreServer, kind: str, tmp_path: Path
) -> None:
    dest = tmp_path / "file.bin"
    dest.write_bytes(b"x" * len(BLOB))
    result = make_runner(kind, FAST)(
        lambda: download(
            core_server.url + "/blob", dest, expected_sha256=BLOB_SHA256, verify_existing=True
        )
    )
    assert result.outcome == "downloaded"
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == BLOB_SHA256


def test_a_fresh_folder_is_not_looked_in(
    core_server: CoreServer, kind: str, tmp_path: Path
) -> None:
    # fresh: the caller made the folder and its empty part (as the downloader's disk helper
    # does) and knows nothing else is there, so no file at the name is looked for.
    dest = tmp_path / "post" / "file.bin"
    dest.parent.mkdir()
    part = Path(str(dest) + PART_SUFFIX)
    part.write_bytes(b"")
    core_server.plan["/blob"] = ["cut"]  # a retry still resumes from the bytes it wrote
    run = make_runner(kind, FAST)
    url = core_server.url + "/blob"
    first = run(lambda: download(url, dest, expected_sha256=BLOB_SHA256, fresh=True))
    assert first.outcome == "downloaded" and first.sha256 == BLOB_SHA256
    assert dest.read_bytes() == BLOB and not leftovers(tmp_path)
    assert core_server.ranges[0] is None and core_server.ranges[1] is not None
    # Without the part, the first write makes it.
    other = tmp_path / "post" / "other.bin"
    second = run(lambda: download(url, other, expected_sha256=BLOB_SHA256, fresh=True))
    assert second.outcome == "downloaded" and other.read_bytes() == BLOB
    # What fresh skips: a whole file at the name is not seen (the caller vouched for none),
    # where the default looks, finds it, and fetches nothing.
    hits = core_server.hits["/blob"]
    assert run(lambda: download(url, dest, expected_sha256=BLOB_SHA256)).outcome == "skipped"
    assert core_server.hits["/blob"] == hits
    again = run(lambda: download(url, dest, expected_sha256=BLOB_SHA256, fresh=True))
    assert again.outcome == "downloaded" and core_server.hits["/blob"] == hits + 1
    assert dest.read_bytes() == BLOB and not leftovers(tmp_path)


# -- a small body handed over (the downloader's disk helper writes it) ----------------------
SMALL = 100_000  # at most HAND_BYTES: held in memory, verified, then handed over


class Handed:
    """A ``hand`` that writes with the disk helper's own function, noting what it was given
    and whether the part file existed at that moment."""

    def __init__(self, takes: bool = True) -> None:
        self.calls: list[tuple[str, int, float | None, bool]] = []
        self.takes = takes  # False: declines every body, as a helper that is behind does

    def __call__(self, final: str, data: bytes, mtime: float | None) -> bool:
        self.calls.append((final, len(data), mtime, Path(final + PART_SUFFIX).exists()))
        if self.takes:
            disk_ops.put_file(final, data, mtime)
        return self.takes


@pytest.mark.parametrize("takes", [True, False])
def test_a_small_body_is_verified_then_handed_over_or_written_here(
    core_server: CoreServer, kind: str, tmp_path: Path, takes: bool
) -> None:
    # Taken: written by the taker (the disk helper's function); declined (a helper that is
    # behind): written here after all. Either way one whole, verified, dated file.
    dest = tmp_path / "file.bin"
    hand = Handed(takes)
    url = f"{core_server.url}/blob?size={SMALL}"
    digest = hashlib.sha256(BLOB[:SMALL]).hexdigest()
    result = make_runner(kind, FAST)(
        lambda: download(url, dest, expected_sha256=digest, mtime=1_500_000_000.0, hand=hand)
    )
    assert result.outcome == "downloaded" and result.sha256 == digest and result.size == SMALL
    # One write, of the whole body, with no part file made on the way.
    assert hand.calls == [(str(dest), SMALL, 1_500_000_000.0, False)]
    assert dest.read_bytes() == BLOB[:SMALL] and dest.stat().st_mtime == 1_500_000_000.0
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("ignore_range", [False, True])
def test_a_cut_small_body_goes_on_from_the_bytes_held(
    core_server: CoreServer, kind: str, tmp_path: Path, ignore_range: bool
) -> None:
    # Cut after a third: the retry asks for the rest (206) or, from a server ignoring Range,
    # gets the whole body again (200), whose bytes replace the held ones.
    core_server.plan["/blob"] = ["cut"]
    core_server.ignore_range = ignore_range
    dest = tmp_path / "file.bin"
    hand = Handed()
    digest = hashlib.sha256(BLOB[:SMALL]).hexdigest()
    url = f"{core_server.url}/blob?size={SMALL}"
    make_runner(kind, FAST)(lambda: download(url, dest, expected_sha256=digest, hand=hand))
    if kind == "async":  # (requests may drop a cut body's last chunk: then it starts over)
        assert core_server.ranges[1] is not None and int(core_server.ranges[1][6:-1]) > 0
    assert core_server.hits["/blob"] == 2
    assert hand.calls == [(str(dest), SMALL, None, False)]
    assert dest.read_bytes() == BLOB[:SMALL] and not leftovers(tmp_path)


def test_a_small_body_that_fails_its_hash_is_never_handed_over(
    core_server: CoreServer, kind: str, tmp_path: Path
) -> None:
    core_server.plan["/blob"] = ["corrupt"]
    dest = tmp_path / "file.bin"
    hand = Handed()
    digest = hashlib.sha256(BLOB[:SMALL]).hexdigest()
    with pytest.raises(IntegrityError, match="sha256"):
        make_runner(kind, FAST)(
            lambda: download(
                f"{core_server.url}/blob?size={SMALL}", dest, expected_sha256=digest, hand=hand
            )
        )
    assert hand.calls == [] and not dest.exists() and not leftovers(tmp_path)


def test_large_bodies_and_resumed_parts_are_written_here(
    core_server: CoreServer, kind: str, tmp_path: Path
) -> None:
    hand = Handed()
    run = make_runner(kind, FAST)
    large = tmp_path / "large.bin"  # announced larger than HAND_BYTES
    run(lambda: download(core_server.url + "/blob", large, expected_sha256=BLOB_SHA256, hand=hand))
    resumed = tmp_path / "resumed.bin"  # bytes of a previous run on disk: the rest joins them
    Path(str(resumed) + PART_SUFFIX).write_bytes(BLOB[:1_000])
    url = f"{core_server.url}/blob?size={SMALL}"
    digest = hashlib.sha256(BLOB[:SMALL]).hexdigest()
    result = run(lambda: download(url, resumed, expected_sha256=digest, hand=hand))
    assert result.outcome == "resumed" and hand.calls == []
    unsaid = tmp_path / "unsaid.bin"  # no length said: held until past HAND_BYTES, then here
    size = HAND_BYTES + 100_000
    digest = hashlib.sha256(BLOB[:size]).hexdigest()
    url = f"{core_server.url}/blob?size={size}&chunked"
    assert run(lambda: download(url, unsaid, expected_sha256=digest, hand=hand)).size == size
    assert hand.calls == [] and unsaid.read_bytes() == BLOB[:size]
    assert large.read_bytes() == BLOB and resumed.read_bytes() == BLOB[:SMALL]
    assert HAND_BYTES < len(BLOB) and SMALL <= HAND_BYTES
