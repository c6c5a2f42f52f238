"""Shared helpers of the pykemo tests (a uniquely named module: no conftest, no package)."""

from __future__ import annotations

import pytest

from kemopix.emulators import KemonoEmulator
from kemopix.sites.kemono import ENV_URL, KemonoSite
from pykemo import KemoSession

DEMO_SERVICE = "patreon"
DEMO_ID = "demo-creator"
PASSWORD = "correct horse battery"


def site_of(emu: KemonoEmulator) -> KemonoSite:
    """The emulator as a ``KemonoSite`` of its flavour."""
    return KemonoSite(emu.url, emu.flavour)


def session_for(emu: KemonoEmulator) -> KemoSession:
    """A fresh ``KemoSession`` on the emulator (use it with ``async with``)."""
    return KemoSession(site_of(emu))


def point_default_site(monkeypatch: pytest.MonkeyPatch, emu: KemonoEmulator) -> None:
    """Make the default site (used by ``login``/``register`` without a session) the emulator."""
    monkeypatch.setenv(ENV_URL, emu.url)
