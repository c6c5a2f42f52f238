"""The blocking facade over the same flows (requests + SyncRunner), against the emulator."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from pykemo_helpers import DEMO_ID, DEMO_SERVICE, PASSWORD, site_of

from kemopix._protocol import Flow
from kemopix.emulators import KemonoEmulator
from kemopix.sites.kemono import accounts
from pykemo.exceptions import InvalidLogin, PyKemoUnauthorized, SessionRequired
from pykemo.sync import KemoClient


def test_sync_reads_creators_posts_and_files(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    with KemoClient(site_of(kemono_emulator)) as kemo:
        creator = kemo.get_creator(DEMO_SERVICE, DEMO_ID)
        assert creator is not None and creator.url.startswith(kemono_emulator.url)
        assert kemo.get_creator(DEMO_SERVICE, "missing") is None
        posts = list(kemo.iter_creator_posts(DEMO_SERVICE, DEMO_ID))
        assert len(posts) == 6
        post = kemo.get_post(DEMO_SERVICE, posts[0].id)
        assert post is not None and post.content and post.url.startswith(kemono_emulator.url)
        assert kemo.comments(post)
        assert post.file is not None and post.file.url.startswith(kemono_emulator.url)
        result = kemo.save(post.file, tmp_path)
        assert hashlib.sha256(result.path.read_bytes()).hexdigest() == post.file.sha256
        assert kemo.save(post.file, tmp_path).outcome == "skipped"
        assert kemo.file_hash(post.file.sha256 or "").posts
        assert kemo.random_post() is not None
        assert len([p for _, p in zip(range(55), kemo.iter_posts(), strict=False)]) == 55
        assert kemo.app_version()
    with pytest.raises(SessionRequired):
        asyncio.run(post.comments())


def test_sync_accounts(kemono_emulator: KemonoEmulator) -> None:
    with KemoClient(site_of(kemono_emulator)) as kemo:
        with pytest.raises(PyKemoUnauthorized):
            kemo.favorite_posts()
        kemo.run(_register(kemono_emulator))
        with pytest.raises(InvalidLogin):
            kemo.login("sync-user", "nope")
        view = kemo.login("sync-user", PASSWORD)
        assert view.username == "sync-user"
        creator = kemo.get_creator(DEMO_SERVICE, DEMO_ID)
        assert creator is not None
        kemo.set_favorite(creator)
        assert [c.id for c in kemo.favorite_creators()] == [DEMO_ID]
        kemo.set_favorite(creator, add=False)
        assert kemo.favorite_creators() == []
        kemo.logout()


def _register(emu: KemonoEmulator) -> Flow[None]:
    return accounts.register(site_of(emu), "sync-user", PASSWORD)
