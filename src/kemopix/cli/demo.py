"""``kemopix emulate SITE`` and ``kemopix demo``: the offline emulators, served or shown off."""

from __future__ import annotations

import argparse
import importlib

from .._protocol.errors import KemopixError

__all__ = ["demo_command", "emulate_command"]


def emulate_command(args: argparse.Namespace) -> int:
    """Serve one emulator in the foreground (its own options come from its CLI hooks)."""
    if getattr(args, "emulator_missing", False):
        raise KemopixError(f"the {args.site} emulator is not available in this installation")
    module = importlib.import_module(f"kemopix.emulators.{args.site}.cli")
    result = module.run_from_args(args)
    return int(result or 0)


def demo_command(args: argparse.Namespace) -> int:
    raise KemopixError("the demo needs both emulators")
