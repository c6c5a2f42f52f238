"""Cases where the archive once said "fine" while it was not: each through the real entry point.

Shared files whose download fails, names that collide (``.part``, one template name for many
files), hostile JSON types, a malformed URL, budgets per run, modes and dates, ``verify``
reading the disk, and an archive written by an older kemopix.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cli_helpers import run_with_stderr as run
from test_cli_integrity_runs import byte_exact

from kemopix.cli import main
from kemopix.downloader.archive import ARCHIVE_NAME, Archive
from kemopix.downloader.model import PostKey
from kemopix.emulators import KemonoEmulator

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def demo_url(emu: KemonoEmulator) -> str:
    service, ident = emu.demo_creator
    return f"{emu.url}/{service}/user/{ident}"


def test_three_posts_sharing_a_failing_file_fail_cleanly(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "triple", "Triple")
    shared = b"the same bytes in three posts" * 100
    paths = [
        emu.add_post("fanbox", "triple", title=f"p{n}", files=[(f"s{n}.bin", shared)])["file"][
            "path"
        ]
        for n in range(3)
    ]
    assert len(set(paths)) == 1
    sha = paths[0].rsplit("/", 1)[-1].split(".")[0]
    emu.add_fault(kind="status", status=500, path=sha, probability=1.0)
    out = tmp_path / "out"
    url = f"{emu.url}/fanbox/user/triple"
    code, summary, err = run(
        capsys, "download", url, "--kemono-url", emu.url, "-o", str(out), "--retries", "1"
    )
    assert code == 1 and summary["files_failed"] == 3
    assert "internal error" not in err and "Traceback" not in err
    emu.clear_faults()
    code, summary, _ = run(capsys, "download", url, "--kemono-url", emu.url, "-o", str(out))
    assert code == 0 and summary["files_downloaded"] + summary["files_linked"] == 3
    assert byte_exact(out) == 3


def test_a_file_named_like_another_files_part(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "evil", "Evil")
    one, two = b"A" * 3000, b"B" * 3000
    emu.add_post("fanbox", "evil", title="t", files=[("evil.png.part", one), ("evil.png", two)])
    out = tmp_path / "out"
    args = ["--kemono-url", emu.url, "-o", str(out), "--template", "{site}/{id}/{name}"]
    code, _, err = run(capsys, "download", f"{emu.url}/fanbox/user/evil", *args)
    assert code == 0, err
    folder = next(p for p in (out / "kemono").iterdir() if p.is_dir())
    assert (folder / "evil.png").read_bytes() == two
    assert (folder / "evil.png_part").read_bytes() == one
    assert byte_exact(out) == 2
    assert main(["verify", "--check-only", "-o", str(out)]) == 0


def test_a_template_giving_every_file_one_name_keeps_every_file(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["--kemono-url", kemono_emulator.url, "-o", str(out), "--template", "{creator}"]
    code, summary, err = run(capsys, "download", demo_url(kemono_emulator), *args)
    assert code == 0, err
    assert byte_exact(out) == 18
    names = {p.name for p in out.iterdir() if p.name.startswith("Demo Creator")}
    assert len(names) == 18
    code, summary, _ = run(capsys, "download", demo_url(kemono_emulator), *args, "--full")
    assert code == 0 and summary["files_downloaded"] == 0
    assert summary["files_present"] == 18 and summary["requests"] < 10  # no file re-read
    assert main(["verify", "--check-only", "-o", str(out)]) == 0


def test_max_files_is_new_work_per_run(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["--kemono-url", kemono_emulator.url, "-o", str(out), "--max-files", "3"]
    got = []
    for _ in range(3):
        code, summary, _ = run(capsys, "download", demo_url(kemono_emulator), *args)
        assert code == 0
        got.append(summary["files_downloaded"])
    assert got == [3, 3, 3]


@pytest.fixture
def hostile_site() -> Iterator[str]:
    """A Kemono-compatible API (older shapes) answering wrong types."""
    good = {
        "id": "2",
        "service": "patreon",
        "user": "123",
        "title": "fine",
        "published": "2024-01-02T00:00:00",
        "content": "text",
        "file": {},
        "attachments": [],
    }
    bad = {**good, "id": "1", "service": ["x"], "title": 7}
    posts: list[Any] = [bad, 5, None, "x", good]

    async def profile(request: web.Request) -> web.Response:
        return web.json_response({"id": "123", "name": "x", "service": "patreon"})

    async def listing(request: web.Request) -> web.Response:
        return web.json_response(posts if request.query.get("o", "0") == "0" else [])

    app = web.Application()
    app.router.add_get("/api/v1/patreon/user/123/profile", profile)
    app.router.add_get("/api/v1/patreon/user/123", listing)
    started = threading.Event()
    holder: dict[str, Any] = {}

    def serve() -> None:
        import asyncio

        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        holder["port"] = runner.addresses[0][1]
        holder["loop"], holder["runner"] = loop, runner
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    yield f"http://127.0.0.1:{holder['port']}"
    holder["loop"].call_soon_threadsafe(holder["loop"].stop)
    thread.join(10)


def test_wrong_types_from_the_server_are_decode_errors(
    hostile_site: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    url = f"{hostile_site}/patreon/user/123"
    code = main(["download", url, "--pawchive-url", hostile_site, "-o", str(out), "-v"])
    text = capsys.readouterr()
    assert code == 1
    everything = text.out + text.err
    assert "'service' is list" in everything and "'title'" not in everything.split("list")[0]
    assert "listing entry is int" in everything and "listing entry is null" in everything
    assert "internal error" not in everything
    folders = [p.name for p in out.rglob("*") if p.is_dir()]
    assert not [name for name in folders if "[" in name and "'" in name]  # no "['x']"
    assert any("[2]" in name for name in folders)  # the good post is archived
    with Archive(out) as archive:
        assert archive.watermark("pawchive/patreon/123") is not None
        mark = archive.watermark("pawchive/patreon/123")
        assert mark is not None and not mark.complete  # the next run looks again


def test_a_malformed_url_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["download", "https://[kemono.cr/patreon/user/1", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "malformed URL" in err[0] and "internal error" not in err[0]
    assert not out.exists()


def test_modes_follow_the_umask_and_refetched_files_keep_the_post_date(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["--kemono-url", kemono_emulator.url, "-o", str(out)]
    old = os.umask(0o022)
    try:
        code, _, err = run(capsys, "download", demo_url(kemono_emulator), *args)
    finally:
        os.umask(old)
    assert code == 0, err
    photo = next(out.rglob("02 photo1.jpg"))
    sidecar = next(photo.parent.glob("*.json"))
    assert sidecar.stat().st_mode & 0o777 == 0o644
    assert photo.stat().st_mode & 0o777 == 0o644
    date = sidecar.stat().st_mtime
    assert photo.stat().st_mtime == date
    photo.write_bytes(b"broken")
    code, summary, _ = run(capsys, "verify", *args)
    assert code == 0 and summary["files_downloaded"] == 1
    assert photo.stat().st_mtime == date
    assert byte_exact(out) == 18


def _demo_archive(
    emu: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, list[str]]:
    """The demo creator downloaded into ``tmp_path/out``; the folder and the site's options."""
    out = tmp_path / "out"
    args = ["--kemono-url", emu.url, "-o", str(out)]
    code, _, _ = run(capsys, "download", demo_url(emu), *args)
    assert code == 0
    return out, args


def test_verify_reads_the_disk(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, args = _demo_archive(kemono_emulator, tmp_path, capsys)
    shorter = next(out.rglob("02 photo1.jpg"))
    shorter.write_bytes(shorter.read_bytes()[:1000])
    same_size = next(out.rglob("*bonus-pack.zip"))
    data = bytearray(same_size.read_bytes())
    data[100] ^= 0xFF
    same_size.write_bytes(bytes(data))
    next(out.rglob("01 hello.txt")).unlink()
    (out / "kemono" / "notes.txt").write_text("mine")
    assert main(["verify", "--check-only", "-o", str(out)]) == 1
    report = capsys.readouterr().out
    assert "truncated or wrong size" in report and "photo1.jpg" in report
    assert "corrupt: SHA-256 mismatch" in report and "bonus-pack.zip" in report
    assert "missing: " in report and "hello.txt" in report
    assert "unknown to the archive: kemono/notes.txt" in report
    assert "15 good, 3 bad, 1 other files not in the archive" in report
    code, summary, _ = run(capsys, "verify", *args)
    assert code == 0 and summary["files_downloaded"] == 3
    assert byte_exact(out) == 18
    assert (out / "kemono" / "notes.txt").read_text() == "mine"  # never touched


def test_verify_tells_a_file_whose_record_a_kill_lost_from_a_missing_one(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, args = _demo_archive(kemono_emulator, tmp_path, capsys)
    present = next(out.rglob("02 photo1.jpg"))
    gone = next(out.rglob("01 hello.txt"))
    # What a kill -9 leaves: the file renamed into place, its record not yet saved as done;
    # and a download that never finished.
    with Archive(out) as archive:
        for path in (present, gone):
            archive.requeue_file(path.relative_to(out).as_posix())
    gone.unlink()
    assert main(["verify", "--check-only", "-o", str(out)]) == 1
    report = capsys.readouterr().out
    rel = present.relative_to(out).as_posix()
    assert f"not recorded as complete (pending), a file is at its name: {rel}" in report
    assert f"missing (never completed: pending): {gone.relative_to(out).as_posix()}" in report
    code, summary, _ = run(capsys, "verify", *args)
    # the file at its name is checked and kept (not fetched again), the missing one fetched
    assert code == 0 and summary["files_present"] == 1 and summary["files_downloaded"] == 1
    assert byte_exact(out) == 18


OLD_SCHEMA = """
CREATE TABLE posts (
    site TEXT NOT NULL, service TEXT NOT NULL, id TEXT NOT NULL,
    creator_id TEXT NOT NULL, title TEXT NOT NULL, published TEXT, added TEXT, edited TEXT,
    signature TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1,
    complete INTEGER NOT NULL DEFAULT 0, updated_at REAL NOT NULL,
    PRIMARY KEY (site, service, id)
);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    site TEXT NOT NULL, service TEXT NOT NULL, post_id TEXT NOT NULL, idx INTEGER NOT NULL,
    url TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    expected_sha256 TEXT, sha256 TEXT, size INTEGER, etag TEXT, headers TEXT NOT NULL,
    status TEXT NOT NULL, error TEXT, updated_at REAL NOT NULL
);
CREATE TABLE watermarks (
    listing TEXT PRIMARY KEY,
    newest_published TEXT, newest_added TEXT, newest_edited TEXT,
    complete INTEGER NOT NULL DEFAULT 0, synced_at REAL NOT NULL
);
INSERT INTO files VALUES ('a/b.png', 'kemono', 'patreon', '1', 1, 'http://x/b.png', 'b.png',
    'file', NULL, 'ab', 3, NULL, '[]', 'done', NULL, 0);
INSERT INTO files VALUES ('a/c.png', 'kemono', 'patreon', '1', 2, 'http://x/c.png', 'c.png',
    'file', NULL, NULL, NULL, NULL, '[]', 'failed', '404', 0);
INSERT INTO watermarks VALUES ('kemono/patreon/1', '2024-01-01', NULL, NULL, 1, 0);
"""


def test_an_archive_of_the_previous_schema_keeps_working(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / ARCHIVE_NAME)
    db.executescript(OLD_SCHEMA)
    db.close()
    with Archive(tmp_path) as archive:
        done, failed = archive.files_of(PostKey("kemono", "patreon", "1"))
        assert (done.status, done.held, failed.status, failed.held) == (
            "done",
            "original",
            "failed",
            "nothing",
        )
        mark = archive.watermark("kemono/patreon/1")
        assert mark is not None and not mark.complete  # swept again once, by the new rules
        archive.finish_file("a/c.png", sha256="cd", size=4)
    with Archive(tmp_path) as archive:
        record = archive.file("a/c.png")
        assert record is not None and record.held == "original"
