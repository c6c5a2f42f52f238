"""The ``kemopix`` command: ``main(argv) -> exit status``.

Every failure ends in a one-line message and a meaningful exit status, never a traceback
(``KEMOPIX_DEBUG=1`` shows the traceback of an unexpected error). Imports happen inside
``main``, so ``--version`` is quick and a Ctrl-C at start-up is an ordinary interruption.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from .echo import echo

__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_LOCAL",
    "EXIT_NETWORK",
    "EXIT_USAGE",
    "main",
    "run",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NETWORK = 4
EXIT_LOCAL = 5
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
    if name == "fields":
        from .fields import fields_command

        return fields_command
    from . import commands

    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "download": commands.download_command,
        "plan": commands.plan_command,
        "verify": commands.verify_command,
        "retry": commands.retry_command,
        "upgrade": commands.upgrade_command,
        "status": commands.status_command,
    }
    return handlers[name]


def _fail(message: str) -> None:
    echo(f"kemopix: {' '.join(message.split())}", file=sys.stderr, flush=True)


def _version(argv: Sequence[str] | None) -> bool:
    words = list(sys.argv[1:] if argv is None else argv)
    if words != ["--version"]:
        return False
    from .. import __version__

    echo(f"kemopix {__version__}")
    return True


def _exit_on_interrupt() -> None:
    """From now on (interpreter shutdown: joining worker threads), Ctrl-C ends the process at
    once with status 130 instead of printing a traceback from ``threading._shutdown``."""
    import signal

    def leave(signum: int, frame: object) -> None:
        os._exit(EXIT_INTERRUPTED)

    signal.signal(signal.SIGINT, leave)


def _quiet_asyncio() -> None:
    """No asyncio or aiohttp dumps (tasks cut by Ctrl-C, "Unclosed client session") on the
    terminal: the outcome is already the one line main() prints. KEMOPIX_DEBUG shows them."""
    import logging

    logging.getLogger("asyncio").setLevel(logging.CRITICAL + 1)


def _start_disk_helper(args: argparse.Namespace) -> bool:
    """A download's disk helper process started now, before the engine's imports (aiohttp
    most of them), so its own start-up is off the run's path; whether one was."""
    if args.handler != "download" or getattr(args, "dry_run", False):
        return False
    from ..downloader.disk_helper import start_early

    start_early()
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    args: argparse.Namespace | None = None
    early = False
    try:
        if _version(argv):
            return EXIT_OK
        if not os.environ.get("KEMOPIX_DEBUG"):
            _quiet_asyncio()
        from .input_file import expand_input_files
        from .parser import parse_args

        args = expand_input_files(parse_args(argv, _emulator_hooks))
        early = _start_disk_helper(args)
        return _handler(args.handler)(args)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except KeyboardInterrupt:
        _fail("interrupted (run the same command again to resume)")
        return EXIT_INTERRUPTED
    except BaseException as exc:
        from .failures import describe

        message, status = describe(exc, args)
        if os.environ.get("KEMOPIX_DEBUG"):
            import traceback

            traceback.print_exc()
        _fail(message)
        return status
    finally:
        if early:  # the run adopted it, or it ends here (the command failed before)
            from ..downloader.disk_helper import discard_early

            try:
                discard_early()
            except KeyboardInterrupt:
                pass  # a second Ctrl-C: the command ends anyway (and the helper with it)
        if argv is None:
            _exit_on_interrupt()


def run() -> NoReturn:
    """The ``kemopix`` console script: :func:`main` on ``sys.argv``, then the process ends.

    Everything is closed by then (files, archive, threads; the disk helper, its input closed,
    ends by itself), so the exit skips the interpreter's teardown of the heap, tens of
    milliseconds after a large run: output and log handlers are flushed, and nothing else is
    pending. The process is kemopix's alone, so it is tuned for the command (see
    ``kemopix._tls``, the collector's threshold and the allocator's below)."""
    import gc

    from .._tls import lean_process

    lean_process()
    # A young-generation collection every 10,000 allocations instead of 700: a run allocates
    # millions of short-lived objects (reference counting frees them), and the collector's
    # passes over them were about 3% of a run's instructions. Older generations are unchanged.
    gc.set_threshold(10_000, *gc.get_threshold()[1:])
    # asyncio reads a socket into a new 256 KiB buffer and cuts it to what came. At that size
    # glibc maps each buffer from the kernel and unmaps it again (mmap, mremap, munmap: ~12 us
    # a read here, more than the read). Freeing one mapped block raises glibc's threshold to
    # its size (malloc's documented dynamic threshold), so from then on such buffers come from
    # the heap. Elsewhere this is an allocation and nothing more. (Reading less at a time
    # instead made 2 MiB downloads 1.5x slower: four times the callbacks and writes.)
    bytes(320 << 10)
    status = main()
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more can be said on it
    os._exit(status)
