"""The Pixiv emulator: App API, OAuth (password, refresh token, PKCE), images, control plane.

``with PixivEmulator() as emu:`` serves everything on ``emu.url``; see docs/emulators-pixiv.md.
"""

from __future__ import annotations

from .dataset import (
    DEMO_ACCOUNT,
    DEMO_ARTIST_ID,
    DEMO_PASSWORD,
    DEMO_REFRESH_TOKEN,
    DEMO_USER_ID,
    QUICKSTART_ARTIST_ID,
    QUICKSTART_ILLUST_ID,
    DatasetSpec,
)
from .emulator import PixivEmulator
from .state import StateError

__all__ = [
    "DEMO_ACCOUNT",
    "DEMO_ARTIST_ID",
    "DEMO_PASSWORD",
    "DEMO_REFRESH_TOKEN",
    "DEMO_USER_ID",
    "QUICKSTART_ARTIST_ID",
    "QUICKSTART_ILLUST_ID",
    "DatasetSpec",
    "PixivEmulator",
    "StateError",
]
