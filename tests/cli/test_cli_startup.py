"""What `kemopix download` loads: each run in a fresh interpreter against an emulator, then the
modules it imported. Start-up is most of a re-run with nothing new, so what a run does not use
(Pillow and the ugoira encoders, requests and pixivapi's clients, the other site family, rich
off a terminal, the TOML parser without a config file) must stay unloaded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kemopix.downloader.archive import Archive, StateRow
from kemopix.emulators import KemonoEmulator, PixivEmulator

pytestmark = pytest.mark.usefixtures("private_kemopix_env")

# Runs the CLI, then prints the loaded modules (last line) and returns the CLI's status.
_PROBE = """
import json, os, sys
if os.environ.get("PROBE_LEAN"):  # as the console script does
    from kemopix._tls import lean_process
    lean_process()
from kemopix.cli import main
code = main(sys.argv[1:])
modules = sorted(sys.modules)
if "aiohttp.connector" in sys.modules:  # how many CAs aiohttp's own context read
    stats = sys.modules["aiohttp.connector"]._SSL_CONTEXT_VERIFIED.cert_store_stats()
    modules.append(f"aiohttp-ca-certificates={stats['x509_ca']}")
print(json.dumps(modules))
sys.exit(code)
"""

NEVER = ("PIL", "requests", "rich", "tomllib", "multiprocessing", "zipfile", "kemopix.serve")


def loaded(*argv: str, lean: bool = False) -> tuple[int, set[str], str]:
    """Exit status, loaded modules and stdout of one ``kemopix`` run in a fresh process
    (``lean``: in the console script's way, see ``kemopix._tls``)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PROBE_LEAN", None)
    if lean:
        env["PROBE_LEAN"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, env=env, timeout=60
    )
    lines = done.stdout.splitlines()
    assert lines, done.stderr
    return done.returncode, set(json.loads(lines[-1])), "\n".join(lines[:-1])


def families(modules: set[str]) -> set[str]:
    return {m for m in modules for top in NEVER if m == top or m.startswith(top + ".")}


def test_a_kemono_run_and_its_rerun_load_neither_pixiv_nor_pillow(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    service, ident = kemono_emulator.demo_creator
    url, out = f"{kemono_emulator.url}/{service}/user/{ident}", tmp_path / "out"
    for _ in range(2):  # the first run downloads; the second finds nothing new
        code, modules, stdout = loaded("download", url, "--kemono-url", kemono_emulator.url,
                                       "-o", str(out), "--json")  # fmt: skip
        assert code == 0, stdout
        assert families(modules) == set()
        assert not {m for m in modules if m.startswith(("kemopix.sites.pixiv", "pixivapi"))}
    summary = json.loads(stdout.splitlines()[-1])
    assert summary["event"] == "summary" and summary["files_downloaded"] == 0
    assert summary["held"]["original"] > 0


def test_a_pixiv_run_reads_the_token_without_the_clients(
    pixiv_emulator: PixivEmulator, tmp_path: Path
) -> None:
    token = pixiv_emulator.demo_account["refresh_token"]
    config = tmp_path / "config"
    config.mkdir()
    (config / "pixiv-token.json").write_text(json.dumps({"refresh_token": token}))
    os.chmod(config / "pixiv-token.json", 0o600)
    user = f"{pixiv_emulator.url}/users/{pixiv_emulator.demo_account['artist_id']}"
    out = str(tmp_path / "out")
    code, modules, stdout = loaded("download", user, "--pixiv-url", pixiv_emulator.url,
                                   "-o", out, "--ugoira", "zip", "--json")  # fmt: skip
    assert code == 0, stdout
    assert json.loads(stdout.splitlines()[-1])["files_downloaded"] > 0
    assert "pixivapi.auth" in modules  # the saved token is pixivapi's
    assert families(modules) == set()
    assert not {"pixivapi.client", "pixivapi.aio", "kemopix.sites.kemono"} & modules


def test_json_lines_stream_while_the_run_goes_on_and_all_arrive_after_ctrl_c(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    # The JSON lines are written in batches: a reader still gets them as the run goes, not at
    # its end, and an interrupted run still ends with its summary line.
    kemono_emulator.add_fault(kind="slow", path="bonus-pack|3e9f59d6", delay=0.3, probability=1.0)
    service, ident = kemono_emulator.demo_creator
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; from kemopix.cli import main; sys.exit(main())",
         "download", f"{kemono_emulator.url}/{service}/user/{ident}",
         "--kemono-url", kemono_emulator.url, "-o", str(tmp_path / "out"), "--json",
         "--no-shared-budget"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        got = b""
        while b"\n" not in got:  # unbuffered: what is read here is not read again below
            chunk = os.read(child.stdout.fileno(), 65536)
            assert chunk, child.communicate(timeout=60)[1]
            got += chunk
        first = json.loads(got.split(b"\n", 1)[0])
        assert first["event"] == "listing" and child.poll() is None  # live, not at the end
        child.send_signal(signal.SIGINT)
        more, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    rest = (got + more).decode()
    events = [json.loads(line) for line in rest.splitlines()]
    assert child.returncode == 130, err.decode()
    assert events[-1]["event"] == "summary" and events[-1]["interrupted"] is True


def test_a_rerun_fetches_a_file_deleted_since(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A known, complete post is not planned again, but its files are checked on disk: one
    # deleted since is fetched again, so `status` never promises what a run does not do.
    from kemopix.cli import main

    service, ident = kemono_emulator.demo_creator
    argv = ["download", f"{kemono_emulator.url}/{service}/user/{ident}",
            "--kemono-url", kemono_emulator.url, "-o", str(tmp_path / "out"), "--json"]  # fmt: skip

    def summary() -> dict[str, Any]:
        assert main(argv) == 0
        lines = capsys.readouterr().out.splitlines()
        return dict(json.loads(lines[-1]))

    first = summary()
    out = tmp_path / "out"
    media = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".png", ".jpg")]
    data = media[0].read_bytes()
    media[0].unlink()
    again = summary()
    assert again["posts_known"] == first["posts_new"] and again["files_downloaded"] == 1
    assert again["held"]["missing"] == 0
    assert again["held"]["original"] == first["held"]["original"]
    assert media[0].read_bytes() == data
    with Archive(out) as archive:  # its post is complete again (read back after the fetch)
        assert all(row.complete for row in archive.state_rows())
    assert summary()["files_downloaded"] == 0


def _archived_then_a_media_file_deleted(
    emu: KemonoEmulator, out: Path, *options: str
) -> tuple[list[str], Path, bytes]:
    """The demo creator downloaded into ``out``, then one of its images deleted: the
    command (run again by the test), the image's path and its bytes."""
    from kemopix.cli import main

    service, ident = emu.demo_creator
    argv = ["download", f"{emu.url}/{service}/user/{ident}", "--kemono-url", emu.url]
    argv += ["-o", str(out), *options]
    assert main(argv) == 0
    media = next(p for p in out.rglob("*") if p.is_file() and p.suffix in (".png", ".jpg"))
    data = media.read_bytes()
    media.unlink()
    return argv, media, data


def _the_row_of(out: Path, path: Path) -> tuple[StateRow, list[StateRow]]:
    """The archive's row of the file at ``path``, and all its rows."""
    with Archive(out) as archive:
        rows = list(archive.state_rows())
    [row] = [row for row in rows if row.path is not None and out / row.path == path]
    return row, rows


def test_a_file_deleted_since_that_cannot_be_fetched_again_leaves_its_post_unfinished(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The archive still holds the file as done when its new fetch fails: the post must not
    # be called complete from that record (the failure is read back, not the old "done").
    from kemopix.cli import main

    out = tmp_path / "out"
    argv, media, _ = _archived_then_a_media_file_deleted(kemono_emulator, out, "--retries", "1")
    kemono_emulator.add_fault(kind="status", status=500, path=r"^/data/", probability=1.0)
    try:
        assert main(argv) == 1
    finally:
        kemono_emulator.clear_faults()
    capsys.readouterr()
    lost, _ = _the_row_of(out, media)
    assert lost.status == "failed" and not lost.complete
    assert main(argv) == 0
    with Archive(out) as archive:
        assert all(row.complete for row in archive.state_rows())


def test_a_file_that_cannot_be_put_in_place_fails_alone_and_is_fetched_by_the_next_run(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A folder now stands where a small file was: its body, verified and handed to the disk
    # helper, cannot be renamed there. That file fails (and its post stays unfinished); the
    # rest of the run goes on; once the folder is gone, the next run fetches it.
    from kemopix.cli import main

    out = tmp_path / "out"
    argv, media, data = _archived_then_a_media_file_deleted(kemono_emulator, out, "--json")
    capsys.readouterr()
    media.mkdir()
    (media / "in the way").write_bytes(b"x")
    assert main(argv) == 1
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["files_failed"] == 1 and summary["files_downloaded"] == 0
    lost, rows = _the_row_of(out, media)
    assert lost.status == "failed" and not lost.complete
    assert all(row.complete for row in rows if row.post_id != lost.post_id)
    (media / "in the way").unlink()
    media.rmdir()
    assert main(argv) == 0
    assert media.read_bytes() == data and not list(out.rglob("*.part"))


# The console script ends the process right after main() (no interpreter teardown).
_SCRIPT = [sys.executable, "-c", "from kemopix.cli import run; run()"]


def test_the_console_script_says_everything_then_exits_with_the_status(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    service, ident = kemono_emulator.demo_creator
    url, out = f"{kemono_emulator.url}/{service}/user/{ident}", tmp_path / "out"
    argv = [*_SCRIPT, "download", url, "--kemono-url", kemono_emulator.url, "-o", str(out)]
    # Through a pipe, stdout is block-buffered: every event and the summary must still arrive.
    done = subprocess.run([*argv, "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1]["event"] == "summary"
    files = [e for e in events if e["event"] == "file"]
    assert len(files) == events[-1]["files_downloaded"] > 0
    assert not list(out.rglob("*.part"))
    # A failing command's status and its one-line message come through as well.
    bad = subprocess.run([*_SCRIPT, "download", "https://example.org/nothing", "-o", str(out)],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith("kemopix: ") and len(bad.stderr.splitlines()) == 1


def test_parsing_a_command_loads_no_http_library() -> None:
    code, modules, _ = loaded("download", "--help")
    assert code == 0
    assert not {m for m in modules if m.split(".")[0] in ("aiohttp", "requests", "yarl")}


def test_a_plain_http_run_of_the_command_reads_no_ca_store(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    service, ident = kemono_emulator.demo_creator
    url, out = f"{kemono_emulator.url}/{service}/user/{ident}", str(tmp_path / "out")
    argv = ("download", url, "--kemono-url", kemono_emulator.url, "-o", out, "-q")
    code, modules, _ = loaded(*argv, lean=True)
    assert code == 0
    assert "aiohttp-ca-certificates=0" in modules  # aiohttp's contexts were made bare
    code, modules, _ = loaded(*argv)  # imported as any program would: aiohttp's own way
    assert code == 0
    assert "aiohttp-ca-certificates=0" not in modules
