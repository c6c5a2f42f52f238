"""``python -m kemopix.emulators.pixiv`` (and ``kemopix emulate pixiv``): serve in the foreground.

Prints the URL, the demo account and any account created with ``--create-account``, then serves
until Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .emulator import PixivEmulator

__all__ = ["add_cli_arguments", "main", "options_from_args", "run_from_args"]


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """The emulator's options, for this module's parser or ``kemopix emulate pixiv``."""
    group = parser.add_argument_group("pixiv emulator")
    group.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    group.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    group.add_argument("--seed", type=int, default=0, help="dataset seed (0)")
    group.add_argument("--db", metavar="PATH", help="keep the state in this SQLite file")
    group.add_argument(
        "--access-token-ttl", type=float, default=3600.0, metavar="S", help="(3600 s)"
    )
    group.add_argument("--rate-limit", type=float, metavar="N", help="requests/s per token")
    group.add_argument(
        "--rate-limit-status", type=int, default=429, choices=(403, 429), help="(429)"
    )
    group.add_argument("--fault-seed", type=int, default=0, help="seed of random faults (0)")
    group.add_argument(
        "--no-client-hash", action="store_true", help="accept token requests without X-Client-Hash"
    )
    group.add_argument(
        "--no-password-grant", action="store_true", help="refuse the password grant, as live"
    )
    group.add_argument(
        "--no-referer-check", action="store_true", help="serve images without a pixiv Referer"
    )
    group.add_argument("--users", type=int, default=40, help="random users in the dataset (40)")
    group.add_argument("--works-per-user", type=int, default=8, help="average works (8)")
    group.add_argument("--public-url", metavar="URL", help="origin to put in URLs (emu.url)")
    group.add_argument(
        "--create-account",
        action="append",
        default=[],
        metavar="NAME[:PASSWORD]",
        help="create an account at start and print its refresh token (repeatable)",
    )


def options_from_args(ns: argparse.Namespace) -> dict[str, Any]:
    """``PixivEmulator`` keyword arguments from parsed options (missing ones: defaults)."""
    return {
        "host": getattr(ns, "host", "127.0.0.1"),
        "port": getattr(ns, "port", 0),
        "seed": getattr(ns, "seed", 0),
        "db_path": getattr(ns, "db", None),
        "access_token_ttl": getattr(ns, "access_token_ttl", 3600.0),
        "rate_limit": getattr(ns, "rate_limit", None),
        "rate_limit_status": getattr(ns, "rate_limit_status", 429),
        "fault_seed": getattr(ns, "fault_seed", 0),
        "require_client_hash": not getattr(ns, "no_client_hash", False),
        "allow_password_grant": not getattr(ns, "no_password_grant", False),
        "require_referer": not getattr(ns, "no_referer_check", False),
        "users": getattr(ns, "users", 40),
        "works_per_user": getattr(ns, "works_per_user", 8),
        "public_url": getattr(ns, "public_url", None),
    }


def _announce(emu: PixivEmulator, created: list[dict[str, Any]], out: TextIO) -> None:
    demo = emu.demo_account
    lines = [
        f"Pixiv emulator on {emu.url} (seed {emu.spec.seed})",
        f"  pixivpy:  api.set_api_proxy({emu.url!r}); api.auth(refresh_token=...)",
        f"  kemopix:  KEMOPIX_PIXIV_URL={emu.url}",
        f"  demo account: user_id {demo['user_id']}, username {demo['account']!r},"
        f" password {demo['password']!r}",
        f"  demo refresh token: {demo['refresh_token']}",
    ]
    for account in created:
        lines.append(
            f"  account {account['account']!r} (user_id {account['user_id']}):"
            f" refresh token {account['refresh_token']}"
        )
    lines.append("Ctrl-C to stop.")
    out.write("\n".join(lines) + "\n")
    out.flush()


def run_from_args(ns: argparse.Namespace, out: TextIO | None = None) -> int:
    """Start the emulator, print how to reach it, serve until interrupted."""
    stream = out or sys.stdout
    emu = PixivEmulator(**options_from_args(ns))
    try:
        emu.start()
        created = []
        for spec in getattr(ns, "create_account", []) or []:
            name, _, password = str(spec).partition(":")
            created.append(emu.create_account(name, password=password or None))
        _announce(emu, created, stream)
        emu.serve_forever()
    finally:
        emu.stop()
        emu.state.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kemopix.emulators.pixiv",
        description="Serve the offline Pixiv emulator (App API, OAuth, images) until Ctrl-C.",
    )
    add_cli_arguments(parser)
    return run_from_args(parser.parse_args(argv))
