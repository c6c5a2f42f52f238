"""Offline emulators of Kemono and Pixiv, served over real HTTP on 127.0.0.1.

``with KemonoEmulator() as emu: ...`` and ``with PixivEmulator() as emu: ...`` start a server on a
free port; ``emu.url`` is its root. The emulators never import client code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kemono_server import KemonoEmulator
    from .pixiv_server import PixivEmulator

__all__ = ["KemonoEmulator", "PixivEmulator"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing one emulator does not build the other's dataset code.
    if name == "KemonoEmulator":
        from .kemono_server import KemonoEmulator

        return KemonoEmulator
    if name == "PixivEmulator":
        from .pixiv_server import PixivEmulator

        return PixivEmulator
    raise AttributeError(name)
