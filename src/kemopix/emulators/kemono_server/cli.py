"""Command line: ``python -m kemopix.emulators.kemono_server [--flavour ...] [--db PATH]``."""

from __future__ import annotations

import argparse
import sys
from typing import cast

from ..._server import port
from .server import Flavour, KemonoEmulator, Originals

__all__ = ["add_cli_arguments", "main", "run_from_args"]


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to ``parser`` (shared with ``kemopix emulate kemono``)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=0, help="site port (0 = any free port)")
    parser.add_argument("--seed", type=int, default=0, help="dataset seed")
    parser.add_argument("--creators", type=int, default=2000, help="synthetic creators to list")
    parser.add_argument(
        "--flavour", choices=("kemono", "coomer", "pawchive"), default="kemono", help="site kind"
    )
    parser.add_argument(
        "--rate-limit", type=float, default=None, help="API requests per second before 429"
    )
    parser.add_argument(
        "--file-rate-limit",
        type=float,
        default=None,
        help="file requests per second (all file hosts together) before 429",
    )
    parser.add_argument(
        "--originals",
        choices=("up", "down"),
        default="up",
        help="down: the data hosts fail at connection level, as kemono.cr's since April 2026",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=":memory:",
        help="SQLite file holding the state, reused across runs (default: in memory)",
    )


def run_from_args(ns: argparse.Namespace) -> int:
    """Serve in the foreground until interrupted; prints the URLs first."""
    emulator = KemonoEmulator(
        seed=ns.seed,
        creators=ns.creators,
        flavour=cast(Flavour, ns.flavour),
        rate_limit=ns.rate_limit,
        file_rate_limit=ns.file_rate_limit,
        host=ns.host,
        port=ns.port,
        database=ns.db,
        originals=cast(Originals, ns.originals),
    )
    # An interrupt may come before serve_forever() watches for one (while the lines are
    # printed): it stops the emulator just the same.
    try:
        emulator.start()
        sys.stdout.write(f"Kemono emulator ({ns.flavour}) at {emulator.url}\n")
        sys.stdout.write(f"API root: {emulator.api_url}\n")
        if emulator.database_path != ":memory:":
            sys.stdout.write(f"database: {emulator.database_path}\n")
        for url in emulator.file_host_urls:
            sys.stdout.write(f"file host: {url}\n")
        sys.stdout.write(f"image host: {emulator.img_url}\n")
        if emulator.originals == "down":
            sys.stdout.write("originals: down (the file hosts reset or refuse connections)\n")
        sys.stdout.flush()
        emulator.serve_forever()
    except KeyboardInterrupt:
        emulator.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kemopix.emulators.kemono_server")
    add_cli_arguments(parser)
    return run_from_args(parser.parse_args(argv))
