"""Command line: serve the Pixiv emulator in the foreground."""

from __future__ import annotations

import argparse
import sys

from ..._server import port
from .server import PixivEmulator

__all__ = ["add_cli_arguments", "main", "run_from_args"]


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options (``--host``, ``--port``, ``--seed``, ...) to ``parser``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=0, help="port (default: a free one)")
    parser.add_argument("--seed", type=int, default=0, help="dataset seed (default 0)")
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=":memory:",
        help="SQLite file for the dataset and state; reused across runs with the same seed"
        " (default: in memory)",
    )
    parser.add_argument(
        "--access-token-ttl", type=float, default=3600.0, help="access token lifetime, seconds"
    )
    parser.add_argument(
        "--rate-limit", type=float, default=None, help="requests per second per token"
    )
    parser.add_argument(
        "--password-grant",
        action="store_true",
        help="accept the password grant (login(user, password)), which pixiv refuses since 2021",
    )
    parser.add_argument(
        "--no-client-hash",
        action="store_true",
        help="do not check X-Client-Hash on /auth/token",
    )


def run_from_args(ns: argparse.Namespace) -> int:
    """Print the URL and the demo account, then serve until interrupted."""
    emulator = PixivEmulator(
        seed=ns.seed,
        access_token_ttl=ns.access_token_ttl,
        rate_limit=ns.rate_limit,
        require_client_hash=not ns.no_client_hash,
        host=ns.host,
        port=ns.port,
        database=getattr(ns, "db", ":memory:"),
        password_grant=getattr(ns, "password_grant", False),
    )
    # An interrupt may come before serve_forever() watches for one (while the lines are
    # printed): it stops the emulator just the same.
    try:
        emulator.start()
        demo = emulator.demo_account
        out = sys.stdout
        out.write(f"Pixiv emulator serving on {emulator.url}\n")
        out.write(f"  App API and OAuth: {emulator.url} (pixivpy: api.set_api_proxy(url))\n")
        out.write(f"  demo account: {demo['username']} / {demo['password']}\n")
        out.write(f"  demo refresh token: {demo['refresh_token']}\n")
        if emulator.database != ":memory:":
            out.write(f"  database: {emulator.database}\n")
        out.flush()
        emulator.serve_forever()
    except KeyboardInterrupt:
        emulator.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kemopix.emulators.pixiv_server")
    add_cli_arguments(parser)
    return run_from_args(parser.parse_args(argv))
