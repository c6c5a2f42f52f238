"""Discord archives over real HTTP: channel lookup and 150-message paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pykemo_helpers import session_for

from kemopix.emulators import KemonoEmulator
from kemopix.emulators.kemono_server.seeding import DISCORD_SERVER_ID
from pykemo import Creator, ServiceType
from pykemo.exceptions import PyKemoValueError


async def test_channels_and_messages(kemono_emulator: KemonoEmulator) -> None:
    async with session_for(kemono_emulator) as ks:
        server = Creator(id=DISCORD_SERVER_ID, service=ServiceType.DISCORD).with_session(ks)
        channels = await server.channels()
        names = {c.channel_name: c for c in channels}
        assert set(names) == {"general", "art"}
        general = names["general"]
        assert general.server_id == DISCORD_SERVER_ID
        assert general.url.endswith(f"/discord/server/{DISCORD_SERVER_ID}#{general.id}")
        assert await server.get_channel(general.id) is general
        every = await general.messages()
        assert len(every) == 160  # two pages: 150 + 10
        assert len({m.id for m in every}) == 160
        assert every[0].author is not None and every[0].author.username == "poster"
        assert every[0].author.avatar is not None
        assert every[0].author.avatar.url == "https://cdn.discordapp.com/avatars/2000/abc"
        assert len(await general.messages(max_msg=151)) == 151
        newest = every[0].published
        assert newest is not None
        recent = await general.messages(since=newest - timedelta(minutes=25))
        assert [m.id for m in recent] == [m.id for m in every[:3]]
        with pytest.raises(PyKemoValueError):
            await general.messages(max_msg=0)
        art = await names["art"].messages()
        assert all(m.attachments for m in art)
