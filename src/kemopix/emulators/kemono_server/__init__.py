"""A faithful local Kemono server (kemono, coomer or pawchive flavour) for tests and demos."""

from __future__ import annotations

from .server import Flavour, KemonoEmulator

__all__ = ["Flavour", "KemonoEmulator"]
