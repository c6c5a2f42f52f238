"""pykemo decodes what live kemono.cr and pawchive answer, without loss (issue 13)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import requests
from pykemo_helpers import DEMO_ID, DEMO_SERVICE, session_for

import pykemo
from kemopix.emulators import KemonoEmulator
from kemopix.sites.kemono import KemonoSite
from kemopix.sites.kemono import posts as post_flows
from pykemo import KemoSession
from pykemo.exceptions import PyKemoChallenge


@pytest.fixture(scope="module")
def pawchive() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(creators=10, flavour="pawchive") as emu:
        yield emu


async def test_titles_are_kept_exactly(kemono_emulator: KemonoEmulator) -> None:
    kemono_emulator.add_post(DEMO_SERVICE, DEMO_ID, title="Quick watchparty ", post_id="4242")
    try:
        async with session_for(kemono_emulator) as ks:
            creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
            assert creator is not None
            listed = (await creator.posts(max_posts=1))[0]
            assert listed.title == "Quick watchparty "
            post = await creator.get_post("4242")
            assert post is not None and post.title == "Quick watchparty "
    finally:
        kemono_emulator.reset()


async def test_revisions_come_from_the_envelope(kemono_emulator: KemonoEmulator) -> None:
    # Any request to /revisions now fails: the client must not need it.
    ids = (DEMO_SERVICE, DEMO_ID, "1000006")
    async with session_for(kemono_emulator) as ks:
        assert len(await ks.run(post_flows.revisions(ks.site, *ids))) == 2
        kemono_emulator.add_fault(kind="status", status=404, path=".*/revisions$", probability=1)
        assert await ks.run(post_flows.revisions(ks.site, *ids)) == []  # the fault bites
    try:
        async with session_for(kemono_emulator) as ks:
            creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
            assert creator is not None
            post = await creator.get_post("1000006")
            assert post is not None
            revisions = await post.revisions()
            assert [r.revision_id for r in revisions] == ["7001", "7000"]
            # The first revision's main file arrives as JSON text and is still read.
            assert revisions[1].post.file is not None and post.file is not None
            assert revisions[0].post.title == "Sketch pack (draft)"
            # A post from a listing (no envelope yet) reads the detail, not /revisions.
            listed = (await creator.posts(max_posts=1))[0]
            assert [r.revision_id for r in await listed.revisions()] == ["7001", "7000"]
    finally:
        kemono_emulator.reset()


async def test_envelope_media_and_profile_counters(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
        assert creator is not None
        assert (creator.post_count, creator.dm_count, creator.has_chats) == (6, 0, True)
        assert (creator.share_count, creator.chat_count) == (0, 0)
        post = await creator.get_post("1000006")
        assert post is not None and post.incomplete_rewards is None
        assert {m.name for m in post.downloads} == {"bonus-pack.zip", "notes.txt"}
        assert all(m.server in kemono_emulator.file_host_urls for m in post.downloads)
        assert all(m.type == "thumbnail" and m.server for m in post.previews)
        video = await creator.get_post("1000004")
        assert video is not None and video.videos[0].extension == ".mp4"
        assert video.previews[0].type == "embed" and video.previews[0].url


async def test_pawchive_import_fields(pawchive: KemonoEmulator) -> None:
    async with KemoSession(KemonoSite(pawchive.url, "pawchive")) as ks:
        creator = await pykemo.get_creator("fanbox", "70050825", ks)
        assert creator is not None and creator.ever_imported is True
        assert creator.public_id is None
        listed = {p.id: p for p in await creator.posts(max_posts=None)}
        assert (listed["5001"].has_full, listed["5001"].preview_state) == (False, "preview")
        assert listed["5001"].file is not None and listed["5001"].file.preview_only is True
        deferred = await creator.get_post("5002")
        assert deferred is not None and deferred.detail_fetched is False
        assert deferred.file is not None and deferred.file.deferred is True
        assert deferred.origin == "kemono"


async def test_guard_refusal_is_a_challenge(kemono_emulator: KemonoEmulator) -> None:
    """The live 403 (plain text, octet-stream, Server: ddos-guard) is recognised."""
    async with KemoSession(KemonoSite(kemono_emulator.url, "pawchive")) as ks:
        with pytest.raises(PyKemoChallenge, match="text/css"):
            await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)


async def test_summaries_and_older_imports(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        recent = await pykemo.get_posts(max_posts=50, kemo_session=ks)
        assert all(p.content == "" and p.substring is not None for p in recent)
        older = next(p for p in recent if p.creator_id not in (DEMO_ID, "70050825"))
        creator = await pykemo.get_creator(str(older.service), older.creator_id, ks)
        assert creator is not None and creator.indexed is not None
        assert creator.indexed.microsecond != 0  # live: profile dates carry microseconds
        post = await creator.get_post(older.id)
        assert post is not None and post.added is None and post.tags == []
        assert post.content  # the detail has what the summary left out


def test_site_thumbnail_urls(kemono_emulator: KemonoEmulator) -> None:
    preset = KemonoSite.from_url("https://kemono.cr")
    assert (
        preset.thumbnail_url("/data/ab/cd/x.png")
        == "https://img.kemono.cr/thumbnail/data/ab/cd/x.png"
    )
    site = KemonoSite(kemono_emulator.url, "kemono")
    post = requests.get(
        kemono_emulator.api_url + "/patreon/user/demo-creator/post/1000006",
        headers={"Accept": "text/css"},
        timeout=10,
    ).json()["post"]
    path = post["file"]["path"]
    thumb = requests.get(site.thumbnail_url(path), timeout=10)
    assert thumb.headers["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(thumb.content).hexdigest() not in path
    direct = KemonoSite(kemono_emulator.url, images_url=kemono_emulator.img_url)
    assert requests.get(direct.thumbnail_url(path), timeout=10).content == thumb.content
