"""Posts, comments, revisions, files and downloads over real HTTP against the emulator."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pykemo_helpers import DEMO_ID, DEMO_SERVICE, session_for, site_of

import pykemo
from kemopix._protocol import KEMONO_CONFIG, RetryPolicy
from kemopix.emulators import KemonoEmulator
from pykemo import FileHashResult, KemoSession, Post
from pykemo.exceptions import (
    PyKemoHTTPError,
    PyKemoRateLimited,
    PyKemoServerError,
    PyKemoValueError,
)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


async def newest_demo_post(ks: KemoSession) -> Post:
    creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
    assert creator is not None
    summary = (await creator.posts(max_posts=1))[0]
    post = await creator.get_post(summary.id)
    assert post is not None
    return post


async def test_post_detail_and_neighbours(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        post = await newest_demo_post(ks)
        assert post.content and post.title == "Sketch pack"
        assert post.prev_id is None and post.next_id is not None
        older = await post.next_post()
        assert older is not None and older.id == post.next_id
        assert older.published is not None and post.published is not None
        assert older.published <= post.published
        assert await post.prev_post() is None
        assert post.url.endswith(f"/patreon/user/{DEMO_ID}/post/{post.id}")


async def test_get_post_by_service_and_id(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        post = await newest_demo_post(ks)
        again = await pykemo.get_post("patreon", post.id, ks)
        assert again == post
        assert again is not None and again.creator is not None
        assert again.creator.name == "Demo Creator"
        assert await pykemo.get_post("patreon", "999999999", ks) is None


async def test_comments_revisions_and_flags(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        post = await newest_demo_post(ks)
        comments = await post.comments()
        assert comments and comments[0].content
        assert comments[0].url.endswith(f"#{comments[0].id}")
        revisions = await post.revisions()
        assert revisions and all(r.post.is_revision for r in revisions)
        assert await revisions[0].post.revisions() == []
        assert await post.flagged() is False
        assert await post.flag() is True
        assert await post.flagged() is True
        with pytest.raises(PyKemoHTTPError) as info:
            await post.flag()
        assert info.value.status == 409


async def test_recent_posts_and_random(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        posts = await pykemo.get_posts(max_posts=60, kemo_session=ks)
        assert len(posts) == 60 and len({(p.service, p.id) for p in posts}) == 60
        assert all(p.creator is not None for p in posts)
        with pytest.raises(PyKemoValueError):
            await pykemo.get_posts(max_posts=1001, kemo_session=ks)
        post = await pykemo.random_post(ks)
        assert post is not None and post.creator is not None
        assert await pykemo.get_api_version(ks)


async def test_file_hash_lookup(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        post = await newest_demo_post(ks)
        assert post.file is not None and post.file.sha256 is not None
        result = await pykemo.get_file_hash(post.file.sha256, ks)
        assert result.file is not None and result.file.sha256 == post.file.sha256
        assert any(p.id == post.id for p in result.posts)
        missing = await pykemo.get_file_hash("0" * 64, ks)
        assert missing == FileHashResult.empty()


async def test_file_save_is_verified_and_confined(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    async with session_for(kemono_emulator) as ks:
        post = await newest_demo_post(ks)
        assert post.file is not None
        assert await post.file.save(tmp_path) is True
        saved = tmp_path / post.file.name
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == post.file.sha256
        assert await post.file.save(tmp_path, force=False) is False
        assert await post.save(str(tmp_path) + "/*") is True
        folder = tmp_path / post.sanitized_title()
        assert {p.name for p in folder.iterdir()} == {f.name for f in post.all_files()}
        assert not list(folder.glob("*.part"))
        older = await post.next_post()
        assert older is not None
        assert await pykemo.save_posts(tmp_path / "all", [post, older]) is True
        assert {p.name for p in (tmp_path / "all").iterdir()} == {
            post.sanitized_title(),
            older.sanitized_title(),
        }


async def test_server_errors_are_retried_then_typed(kemono_emulator: KemonoEmulator) -> None:
    fast = KEMONO_CONFIG.replace(retry=RetryPolicy(max_attempts=3, backoff=0.01, jitter=0))
    kemono_emulator.add_fault(kind="status", path="/api/v1/posts/random$", status=503, times=2)
    async with KemoSession(site_of(kemono_emulator), config=fast) as ks:
        assert await pykemo.random_post(ks) is not None  # two 503s, then success
        kemono_emulator.add_fault(
            kind="status", path="/api/v1/posts/random$", status=500, probability=1.0
        )
        with pytest.raises(PyKemoServerError) as info:
            await pykemo.random_post(ks)
    assert info.value.status == 500 and isinstance(info.value, PyKemoHTTPError)


async def test_rate_limit_is_honoured_then_typed(kemono_emulator: KemonoEmulator) -> None:
    fast = KEMONO_CONFIG.replace(retry=RetryPolicy(max_attempts=2, backoff=0.01, jitter=0))
    kemono_emulator.add_fault(
        kind="status", path="/api/v1/app_version$", status=429, retry_after=0.05, probability=1.0
    )
    async with KemoSession(site_of(kemono_emulator), config=fast) as ks:
        with pytest.raises(PyKemoRateLimited) as info:
            await pykemo.get_api_version(ks)
    assert info.value.status == 429 and info.value.retry_after == pytest.approx(0.05, abs=1)


async def test_hostile_names_stay_inside_the_folder(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    kemono_emulator.add_creator("patreon", "hostile", "Hostile")
    kemono_emulator.add_post(
        "patreon",
        "hostile",
        title="../../escape/..",
        files=[("../../../evil.png", b"payload"), ("..\\..\\win.txt", b"more")],
    )
    root = tmp_path / "root"
    async with session_for(kemono_emulator) as ks:
        creator = await pykemo.get_creator("patreon", "hostile", ks)
        assert creator is not None
        [post] = await creator.posts()
        assert await post.save(str(root) + "/*") is True
    written = files_under(tmp_path)
    assert len(written) == 2
    assert all(root in p.parents for p in written)
