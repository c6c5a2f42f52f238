"""The same client against the older (pawchive) and the coomer API generations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pykemo_helpers import DEMO_ID, session_for

import pykemo
from kemopix.emulators import KemonoEmulator
from pykemo.exceptions import PyKemoChallenge, PyKemoHTTPError


@pytest.fixture(scope="module")
def pawchive() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(flavour="pawchive", creators=60) as emu:
        yield emu


@pytest.fixture(scope="module")
def coomer() -> Iterator[KemonoEmulator]:
    with KemonoEmulator(flavour="coomer", creators=60) as emu:
        yield emu


async def test_pawchive_full_posts_and_plain_detail(
    pawchive: KemonoEmulator, tmp_path: Path
) -> None:
    async with session_for(pawchive) as ks:
        assert ks.site.legacy and ks.site.headers()["Accept"] == "application/json"
        creator = await pykemo.get_creator("patreon", DEMO_ID, ks)
        assert creator is not None
        posts = await creator.posts(max_posts=None)
        assert len(posts) == 6 and posts[0].content  # full posts in the listing
        detail = await creator.get_post(posts[0].id)
        assert detail == posts[0] and detail is not None and detail.next_id == posts[1].id
        recent = await pykemo.get_posts(max_posts=10, kemo_session=ks)
        assert len(recent) == 10
        everyone = await pykemo.get_creators(ks)
        assert everyone and all(c.indexed is not None for c in everyone)  # epoch floats
        assert detail.file is not None and await detail.file.save(tmp_path)


async def test_coomer_services(coomer: KemonoEmulator) -> None:
    async with session_for(coomer) as ks:
        assert ks.site.flavour == "coomer" and ks.site.headers()["Accept"] == "text/css"
        creator = await pykemo.get_creator("onlyfans", DEMO_ID, ks)
        assert creator is not None and creator.service == pykemo.ServiceType.ONLYFANS
        assert (await creator.posts(max_posts=2))[0].service == "onlyfans"


async def test_wrong_accept_header_meets_the_guard(kemono_emulator: KemonoEmulator) -> None:
    """A kemono site addressed as if it were pawchive gets DDoS-Guard's 403 page, typed."""
    from kemopix.sites.kemono import KemonoSite
    from pykemo import KemoSession

    async with KemoSession(KemonoSite(kemono_emulator.url, "pawchive")) as ks:
        with pytest.raises(PyKemoChallenge) as info:
            await pykemo.get_creator("patreon", DEMO_ID, ks)
    assert info.value.status == 403 and isinstance(info.value, PyKemoHTTPError)
