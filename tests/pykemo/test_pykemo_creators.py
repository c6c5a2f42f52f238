"""Creators over real HTTP against the Kemono emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pykemo_helpers import DEMO_ID, DEMO_SERVICE, session_for

import pykemo
from kemopix.emulators import KemonoEmulator
from pykemo import Creator, KemoSession, ServiceType, Tag
from pykemo.exceptions import NotDiscord, NotFanbox, PyKemoValueError, SessionRequired


async def demo(ks: KemoSession) -> Creator:
    creator = await pykemo.get_creator(DEMO_SERVICE, DEMO_ID, ks)
    assert creator is not None
    return creator


async def test_profile_and_missing_creator(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        creator = await demo(ks)
        assert (creator.id, creator.name, creator.service) == (
            DEMO_ID,
            "Demo Creator",
            ServiceType.PATREON,
        )
        assert creator.updated is not None and creator.updated.tzinfo is UTC
        assert creator.url == f"{kemono_emulator.url}/patreon/user/{DEMO_ID}"
        assert await pykemo.get_creator("patreon", "no-such-creator", ks) is None
        assert await Creator.from_profile(ServiceType.PATREON, DEMO_ID, ks) == creator


async def test_posts_newest_first_with_files(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        posts = await (await demo(ks)).posts(max_posts=None)
    assert len(posts) == 6
    published = [p.published for p in posts]
    assert all(d is not None for d in published)
    assert published == sorted(published, reverse=True)  # type: ignore[type-var]
    first = posts[0]
    assert first.file is not None and first.file.path.startswith("/data/")
    assert first.file.sha256 is not None and len(first.file.sha256) == 64
    assert first.creator is not None and first.creator.id == DEMO_ID


async def test_paging_crosses_the_50_post_boundary(kemono_emulator: KemonoEmulator) -> None:
    kemono_emulator.add_creator("fanbox", "pager", "Pager")
    for i in range(57):
        kemono_emulator.add_post("fanbox", "pager", title=f"p{i}", published=1.7e9 + i * 60)
    async with session_for(kemono_emulator) as ks:
        creator = await pykemo.get_creator("fanbox", "pager", ks)
        assert creator is not None
        seen = [p.title async for p in creator.iter_posts()]
        assert len(seen) == 57 and seen[0] == "p56" and seen[-1] == "p0"
        assert len(await creator.posts(max_posts=52)) == 52
        cut = datetime.fromtimestamp(1.7e9 + 10 * 60, UTC)
        window = await creator.posts(max_posts=None, since=cut, before=cut.replace(minute=59))
        assert [p.title for p in window][-1] == "p10"
        with pytest.raises(PyKemoValueError):
            await creator.posts(max_posts=0)
        with pytest.raises(ValueError, match="positive"):
            await creator.posts(max_posts=-1)


async def test_search_and_tags(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        creator = await demo(ks)
        tags = await creator.tags()
        counts = await creator.tags(as_dict=True)
        assert tags and counts[tags[0].value] == tags[0].post_count
        tag = tags[0]
        tagged = [p async for p in creator.iter_posts(tags=[tag])]
        assert len(tagged) == tag.post_count
        assert all(tag.value in p.tags for p in tagged if p.tags)
        found = [p async for p in creator.iter_posts(query="Sketch")]
        assert found and all("sketch" in p.title.lower() for p in found)


async def test_links_announcements_and_service_checks(
    kemono_emulator: KemonoEmulator, tmp_path: Path
) -> None:
    async with session_for(kemono_emulator) as ks:
        creator = await demo(ks)
        [fanbox] = await creator.other_links()
        assert fanbox.service == ServiceType.FANBOX
        assert await pykemo.get_creator_links("patreon", DEMO_ID, ks) == [fanbox]
        announcements = await creator.announcements()
        assert announcements and announcements[0].creator_id == DEMO_ID
        assert await creator.announcements() is announcements  # cached
        with pytest.raises(NotFanbox):
            await creator.fancards()
        with pytest.raises(NotDiscord):
            await creator.channels()
        cards = await fanbox.fancards()
        assert len(cards) == 3 and cards[0].price == "500 JPY"
        card_file = cards[0].file
        assert card_file is not None and card_file.path.startswith("/data/")
        assert await card_file.save(tmp_path)
        assert (tmp_path / card_file.name).stat().st_size == cards[0].file_size


async def test_random_creator_and_creator_list(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        creator = await Creator.random(ks)
        assert creator is not None and creator.name
        everyone = await pykemo.get_creators(ks)
        assert len(everyone) > 100
        assert any(c.id == DEMO_ID for c in everyone)


async def test_detached_creator_raises_instead_of_returning_empty() -> None:
    creator = Creator(id="1", service=ServiceType.PATREON)
    with pytest.raises(SessionRequired):
        await creator.posts()


async def test_short_queries_are_refused_before_sending(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        creator = await demo(ks)
        with pytest.raises(ValueError, match="at least 3"):
            await creator.posts(query="ab")
        with pytest.raises(PyKemoValueError):
            await pykemo.get_posts("x", kemo_session=ks)
        assert len(await creator.posts(query="   ")) == 6  # blank: no search


async def test_site_tags(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        every = await Tag.all(ks)
        counts = await Tag.all(ks, as_dict=True)
        assert every and counts[every[0].value] == every[0].post_count
        assert await Tag.with_name(every[0].value, ks, cache=counts) == every[0]
        assert await Tag.from_names(["no-such-tag-here"], ks) == [None]
