"""A Discord channel archived as one transcript with its attachments beside it, and posts a
``--type`` filter leaves out getting no folder, against the Kemono emulator."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from cli_helpers import summary_in

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator
from kemopix.emulators.kemono_server.dataset import file_ref
from kemopix.files import PART_SUFFIX, file_sha256

SERVER = "1000000000000000001"
GENERAL, ART = "1000000000000000011", "1000000000000000012"


pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def summary_of(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    found = summary_in(capsys.readouterr().out)
    assert found, "no summary event"
    return found


def log_lines(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "messages.jsonl").read_text().splitlines()]


def test_a_server_is_a_folder_per_channel_with_a_transcript(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu, out = kemono_emulator, tmp_path / "out"
    argv = ["download", f"{emu.url}/discord/server/{SERVER}", "--kemono-url", emu.url]
    argv += ["-o", str(out), "--json"]
    assert main(argv) == 0
    first = summary_of(capsys)
    assert first["posts_new"] == 165 and first["files_downloaded"] == 5
    server = out / "kemono" / "discord" / "Demo Server"
    folders = sorted(p for p in out.rglob("*") if p.is_dir())
    assert folders == [out / "kemono", out / "kemono" / "discord", server,
                       server / "#art", server / "#general"]  # fmt: skip
    assert sorted(p.name for p in (server / "#general").iterdir()) == [
        "messages.html",
        "messages.jsonl",
    ]
    art = log_lines(server / "#art")
    assert len(art) == 5
    api = emu.api_url
    answer = requests.get(f"{api}/discord/channel/{ART}", headers={"Accept": "text/css"}).json()
    assert sorted((line["message"] for line in art), key=lambda m: m["id"]) == sorted(
        answer, key=lambda m: m["id"]
    )  # each message as the site sent it
    for line in art:
        (ref,) = line["files"]
        attachment = server / "#art" / ref["path"]
        assert attachment.parent == server / "#art"
        # verified like every file: the Kemono path is the SHA-256 of the content
        assert file_sha256(attachment) in line["message"]["attachments"][0]["path"]
    assert len(log_lines(server / "#general")) == 160
    page = (server / "#general" / "messages.html").read_text()
    assert page.index("message 1<") < page.index("message 2<") < page.index("message 160<")
    assert main(["verify", "-o", str(out), "--json"]) == 0
    verified = [json.loads(x) for x in capsys.readouterr().out.splitlines()][-1]
    assert verified["bad"] == 0 and verified["other"] == 0

    # Nothing new: nothing appended, nothing fetched.
    assert main(argv) == 0
    again = summary_of(capsys)
    assert again["posts_new"] == 0 and again["files_downloaded"] == 0
    assert len(log_lines(server / "#general")) == 160


def test_new_messages_are_appended_once_and_hostile_text_stays_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    with KemonoEmulator(creators=10) as emu:
        argv = ["download", f"{emu.url}/discord/server/{SERVER}/{ART}", "--kemono-url", emu.url]
        argv += ["-o", str(out), "--json"]
        assert main(argv) == 0
        capsys.readouterr()
        messages = emu.dataset.messages[ART]
        stored = emu.dataset.files.add_bytes("evil.png", b"\x89PNG not really")
        hostile = dict(
            messages[0],
            id="3000012999",
            seq=6,
            published="2030-01-01T00:00:00.000000",
            content='<script>alert("x")</script> & <img src=x onerror=alert(1)>',
            attachments=[file_ref(stored, "../../../etc/<evil>.png")],
        )
        messages.insert(0, hostile)
        folder = out / "kemono" / "discord" / "Demo Server" / "#art"
        with open(folder / "messages.jsonl", "ab") as fh:
            fh.write(b'{"message": {"id": "30000')  # what a kill in mid-line would leave
        assert main(argv) == 0
        summary = summary_of(capsys)
    assert summary["posts_new"] == 1 and summary["files_downloaded"] == 1
    lines = log_lines(folder)
    assert len(lines) == 6 and len({line["message"]["id"] for line in lines}) == 6
    assert lines[-1]["message"]["content"] == hostile["content"]  # the log keeps it as sent
    page = (folder / "messages.html").read_text()
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert page.index("message 5<") < page.index("&lt;script&gt;")  # oldest first
    saved = folder / lines[-1]["files"][0]["path"]
    assert saved.parent == folder and saved.read_bytes() == b"\x89PNG not really"
    assert not (tmp_path / "etc").exists()
    assert 'href="../' not in page


def test_a_transcript_survives_kill_9_at_any_instant(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rng = random.Random(7)
    count = 2000
    with KemonoEmulator(creators=10) as emu:
        template = emu.dataset.messages[GENERAL][0]
        emu.dataset.messages[GENERAL] = [
            dict(
                template,
                id=str(4_000_000_000 + count - n),
                content=f"line {count - n}",
                published=f"2025-01-01T{(count - n) // 3600:02}:{(count - n) // 60 % 60:02}:"
                f"{(count - n) % 60:02}.000000",
            )
            for n in range(count)
        ]
        # Slow pages, so that the kills land while messages are being written.
        emu.add_fault(kind="latency", path=r"^/api/v1/discord/", delay=0.03, probability=1.0)
        argv = ["download", f"{emu.url}/discord/server/{SERVER}", "--kemono-url", emu.url]
        argv += ["-o", str(out), "-q"]
        code = f"import sys; from kemopix.cli import main; sys.exit(main({argv!r}))"
        log = out / "kemono" / "discord" / "Demo Server" / "#general" / "messages.jsonl"
        kills = 0
        for _ in range(4):
            before = log.stat().st_size if log.exists() else 0
            child = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and child.poll() is None:
                if log.exists() and log.stat().st_size > before:
                    break  # this run is writing messages
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.3))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            kills += child.returncode == -signal.SIGKILL
        assert kills >= 3
        assert 0 < len(log.read_bytes().splitlines()) < count  # cut short, not finished
        emu.clear_faults()
        assert main(argv) == 0
    server = out / "kemono" / "discord" / "Demo Server"
    for channel, expected in (("#general", count), ("#art", 5)):
        lines = log_lines(server / channel)
        ids = Counter(line["message"]["id"] for line in lines)
        assert len(ids) == expected and max(ids.values()) == 1, channel
        page = (server / channel / "messages.html").read_text()
        assert page.count('<div class="m"') == expected
    assert not [p for p in out.rglob("*") if p.name.endswith(PART_SUFFIX)]
    assert main(["verify", "-o", str(out), "-q"]) == 0


def test_a_post_left_out_by_type_gets_no_folder(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu, out = kemono_emulator, tmp_path / "out"
    service, creator = emu.demo_creator
    argv = ["download", f"{emu.url}/{service}/user/{creator}", "--kemono-url", emu.url]
    argv += ["-o", str(out), "--type", "video", "--json"]
    assert main(argv) == 0
    first = summary_of(capsys)
    assert first["files_downloaded"] == 1
    posts = [p for p in out.rglob("*") if p.is_dir() and p.name.endswith("]")]
    assert len(posts) == 1  # only the post with a video
    suffixes = sorted(p.suffix for p in posts[0].iterdir())
    assert suffixes in ([".json", ".mp4"], [".json", ".md", ".mp4"])
    # The others are archived as looked at: the next run does not fetch them again.
    assert main(argv) == 0
    again = summary_of(capsys)
    assert again["posts_new"] == 0 and again["files_downloaded"] == 0
    assert [p for p in out.rglob("*") if p.is_dir() and p.name.endswith("]")] == posts


def test_exclude_type_keeps_a_post_without_files(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    emu, out = kemono_emulator, tmp_path / "out"
    emu.add_creator("fanbox", "texts", "Texts")
    emu.add_post("fanbox", "texts", title="words only", content="<p>hello</p>", post_id="77")
    emu.add_post("fanbox", "texts", title="a clip", files=[("c.mp4", 500)], post_id="78")
    argv = ["download", f"{emu.url}/fanbox/user/texts", "--kemono-url", emu.url]
    assert main([*argv, "-o", str(out), "-q", "--exclude-type", "video"]) == 0
    assert sorted(p.name for p in out.rglob("7*.*")) == ["77.json", "77.md"]
    assert main([*argv, "-o", str(tmp_path / "only"), "-q", "--type", "video"]) == 0
    assert sorted(p.name for p in (tmp_path / "only").rglob("7*.*")) == ["78.json"]
