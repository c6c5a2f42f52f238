"""The ``kemopix`` command: ``main(argv) -> exit status``.

Every failure ends in a one-line message and a meaningful exit status, never a traceback
(``KEMOPIX_DEBUG=1`` shows the traceback of an unexpected error).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from .._protocol.errors import KemopixError
from ..downloader.engine import error_kind
from .echo import echo
from .parser import UsageError, parse_args

__all__ = ["EXIT_AUTH", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_NETWORK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NETWORK = 4
EXIT_INTERRUPTED = 130


def _emulator_hooks(site: str, parser: argparse.ArgumentParser) -> None:
    try:
        if site == "kemono":
            from ..emulators.kemono_server import cli as kemono_cli

            kemono_cli.add_cli_arguments(parser)
        else:
            from ..emulators.pixiv_server import cli as pixiv_cli

            pixiv_cli.add_cli_arguments(parser)
    except ImportError:
        parser.set_defaults(emulator_missing=True)


def _handler(name: str) -> Callable[[argparse.Namespace], int]:
    if name == "login":
        from .login import login_command

        return login_command
    if name in ("emulate", "demo"):
        from .demo import demo_command, emulate_command

        return emulate_command if name == "emulate" else demo_command
    if name == "serve":
        from ..serve.cli import serve_command

        return serve_command
    from . import commands

    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "download": commands.download_command,
        "plan": commands.plan_command,
        "verify": commands.verify_command,
        "retry": commands.retry_command,
    }
    return handlers[name]


def _fail(message: str) -> None:
    echo(f"kemopix: {' '.join(message.split())}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    try:
        args = parse_args(argv, _emulator_hooks)
        return _handler(args.handler)(args)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except KeyboardInterrupt:
        _fail("interrupted (run the same command again to resume)")
        return EXIT_INTERRUPTED
    except UsageError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    except KemopixError as exc:
        kind = error_kind(exc)
        _fail(str(exc))
        if isinstance(exc, ValueError):
            return EXIT_USAGE
        return {"auth": EXIT_AUTH, "network": EXIT_NETWORK}.get(kind, EXIT_FAILED)
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return EXIT_FAILED
    except Exception as exc:
        if os.environ.get("KEMOPIX_DEBUG"):
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc} (KEMOPIX_DEBUG=1 shows details)")
        return EXIT_FAILED
