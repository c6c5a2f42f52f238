"""pytest plugin (entry point ``kemopix``): fixtures serving the emulators over real HTTP.

``kemono_emulator`` and ``pixiv_emulator`` are session-scoped servers on 127.0.0.1; each test that
uses them gets the dataset as seeded (the fixture resets state and faults before the test).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kemopix.emulators import KemonoEmulator, PixivEmulator

__all__ = ["kemono_emulator", "kemono_emulator_server", "pixiv_emulator", "pixiv_emulator_server"]


@pytest.fixture(scope="session")
def kemono_emulator_server() -> Iterator[KemonoEmulator]:
    """One Kemono emulator for the whole test session."""
    from kemopix.emulators import KemonoEmulator

    with KemonoEmulator() as emu:
        yield emu


@pytest.fixture
def kemono_emulator(kemono_emulator_server: KemonoEmulator) -> KemonoEmulator:
    """The session's Kemono emulator, reset to its seeded dataset with no faults."""
    kemono_emulator_server.reset()
    return kemono_emulator_server


@pytest.fixture(scope="session")
def pixiv_emulator_server() -> Iterator[PixivEmulator]:
    """One Pixiv emulator for the whole test session."""
    from kemopix.emulators import PixivEmulator

    with PixivEmulator() as emu:
        yield emu


@pytest.fixture
def pixiv_emulator(pixiv_emulator_server: PixivEmulator) -> PixivEmulator:
    """The session's Pixiv emulator, reset to its seeded dataset with no faults."""
    pixiv_emulator_server.reset()
    return pixiv_emulator_server
