"""Discord channels in `kemopix serve`: each message's text, author, date and attachments from
its channel's transcript (``messages.jsonl``), searchable, hostile text inert.

The archive is made by the real downloader against the Kemono emulator's Discord server.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from serve_helpers import api

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator
from kemopix.serve import ArchiveServer, ArchiveSource, Index

SERVER = "1000000000000000001"
GENERAL, ART = "1000000000000000011", "1000000000000000012"
HOSTILE = '<img src=x onerror=alert(1)> <script>alert("x")</script> & <b>bold</b>'
WORDY_ID, HOSTILE_ID = "3000011998", "3000011999"


@dataclass
class Discord:
    emu: KemonoEmulator
    root: Path
    config: Path
    server: ArchiveServer

    def download(self, *extra: str) -> None:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("KEMOPIX_CONFIG_DIR", str(self.config / "config"))
            mp.setenv("KEMOPIX_CACHE_DIR", str(self.config / "cache"))
            for env in ("KEMOPIX_KEMONO_URL", "KEMOPIX_OUTPUT", "KEMOPIX_TEMPLATE"):
                mp.delenv(env, raising=False)
            url = f"{self.emu.url}/discord/server/{SERVER}"
            argv = ["download", url, "--kemono-url", self.emu.url, "-o", str(self.root), "-q"]
            assert main([*argv, "--no-shared-budget", *extra]) == 0

    def post(self, message_id: str) -> dict[str, Any]:
        data: dict[str, Any] = api(f"{self.server.url}/api/posts/kemono/discord/{message_id}")
        return data

    def search(self, words: str) -> list[str]:
        found = api(f"{self.server.url}/api/search?q={quote(words)}")
        return [p["id"] for p in found["posts"]]


@pytest.fixture(scope="module")
def discord(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Discord]:
    base = tmp_path_factory.mktemp("discord")
    with KemonoEmulator(creators=10) as emu:
        general = emu.dataset.messages[GENERAL]
        newest = dict(general[0], published="2030-01-01T00:00:00.000000", attachments=[])
        general.insert(0, dict(newest, id=HOSTILE_ID, content=HOSTILE))
        general.insert(0, dict(newest, id=WORDY_ID, content="zanzibar walrus\nsecond line"))
        archive = Discord(emu, base / "archive", base, ArchiveServer(base / "archive"))
        archive.download()
        archive.server.refresh_interval = 0.0
        with archive.server:
            yield archive


def test_a_message_shows_its_text_author_date_and_attachments(discord: Discord) -> None:
    creators = api(discord.server.url + "/api/creators")["creators"]
    (server,) = [c for c in creators if c["service"] == "discord"]
    assert (server["name"], server["posts"], server["files"]) == ("Demo Server", 167, 5)
    wordy = discord.post(WORDY_ID)
    assert wordy["author"] == "Poster"
    assert wordy["content_html"] == "zanzibar walrus<br>\nsecond line"
    assert wordy["post"]["title"] == "#general"
    assert wordy["post"]["published"].startswith("2030-01-01")
    assert wordy["post"]["original_url"] == f"https://kemono.cr/discord/server/{SERVER}"
    page = api(f"{discord.server.url}/api/creators/{server['key']}?type=image")["posts"]
    assert len(page) == 5 and all(p["title"] == "#art" for p in page)
    art = discord.post(page[0]["id"])
    assert art["content_html"].startswith("message ") and art["author"] == "Poster"
    (attachment,) = art["files"]
    assert attachment["on_disk"] and attachment["verified"]
    with urllib.request.urlopen(f"{discord.server.url}/file/{attachment['id']}") as response:
        assert response.status == 200 and len(response.read()) == attachment["size"]
    with urllib.request.urlopen(f"{discord.server.url}/posts/kemono/discord/{WORDY_ID}") as r:
        html = r.read().decode()
    assert "zanzibar walrus<br>" in html and '<b class="author">Poster</b>' in html


def test_search_covers_message_text(discord: Discord) -> None:
    assert discord.search("zanzibar") == [WORDY_ID]
    assert discord.search("walrus second") == [WORDY_ID]
    assert discord.search("zanzibar bold") == []


def test_a_hostile_message_is_inert(discord: Discord) -> None:
    hostile = discord.post(HOSTILE_ID)["content_html"]
    for bad in ("<img", "<script", "<b>"):  # tags only as escaped text
        assert bad not in hostile.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile and "&lt;b&gt;bold" in hostile
    url = f"{discord.server.url}/posts/kemono/discord/{HOSTILE_ID}"
    with urllib.request.urlopen(url) as response:
        html = response.read().decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert discord.search("onerror") == [HOSTILE_ID]  # the text is searchable as text


def test_new_and_edited_messages_reach_the_running_server(discord: Discord) -> None:
    general = discord.emu.dataset.messages[GENERAL]
    wordy = next(m for m in general if m["id"] == WORDY_ID)
    wordy.update(content="quokka walrus, edited", edited="2030-01-02T00:00:00.000000")
    fresh = dict(wordy, id="3000011997", content="a fresh narwhal", edited=None)
    general.insert(0, dict(fresh, published="2030-01-03T00:00:00.000000"))
    discord.download("--full")  # an edit below the newest message is seen by a full listing
    assert discord.search("narwhal") == ["3000011997"]
    assert discord.search("quokka") == [WORDY_ID] and discord.search("zanzibar") == []
    assert discord.post(WORDY_ID)["content_html"] == "quokka walrus, edited"


def test_a_transcript_changed_alone_is_read_again_and_a_cut_line_skipped(
    discord: Discord, tmp_path: Path
) -> None:
    index = Index(ArchiveSource(discord.root), tmp_path / "state")
    assert index.refresh().posts == 168
    log = next(discord.root.rglob("#general/messages.jsonl"))
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    (line,) = [ln for ln in lines if ln["message"]["id"] == "3000011997"]
    line["message"]["content"] = "a fresh narwhal, seen again as an ibex"
    saved = log.read_bytes()
    try:
        with open(log, "ab") as fh:  # a later line of the id wins; a cut line is skipped
            fh.write(json.dumps(line).encode() + b"\n" + b'{"message": {"id": "3000011997", "co')
        stats = index.refresh()
        # Nothing changed in the archive; the one channel whose transcript changed is read again.
        assert (stats.posts, stats.channels) == (0, 1)
        db = index.reader()
        found = [tuple(r) for r in db.execute("SELECT rowid FROM fts WHERE fts MATCH 'ibex'")]
        (pid,) = db.execute("SELECT pid FROM posts WHERE post_id='3000011997'").fetchone()
        assert found == [(pid,)]
        again = index.refresh()
        assert (again.posts, again.channels) == (0, 0)  # unchanged: nothing read
    finally:
        log.write_bytes(saved)
