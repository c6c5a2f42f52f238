"""From an exception to the one line the user reads and the exit status.

Ordinary conditions (a full or read-only disk, a damaged archive, a port in use, a closed
stdin) get a sentence saying what to do next; details (URL, body) only with ``-v``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3

from .._protocol.errors import (
    Challenge,
    Forbidden,
    HTTPStatusError,
    InvalidInput,
    KemopixError,
    TransportError,
    Unauthorized,
)

__all__ = ["PIXIV_MESSAGES", "describe", "in_english", "short_message"]

EXIT_FAILED, EXIT_USAGE, EXIT_AUTH, EXIT_NETWORK, EXIT_LOCAL = 1, 2, 3, 4, 5
_ARCHIVE = ".kemopix-archive.sqlite3"


# pixiv answers some errors in Japanese whatever the Accept-Language; the CLI speaks English
# (``-v`` shows the site's own words).
PIXIV_MESSAGES = {
    "該当作品は削除されたか、存在しない作品IDです。": "no such work (deleted, or the id is wrong)",
    "指定されたエンドポイントは存在しません": "no such API endpoint",
    "不正なリクエストです。": "the site refused the request as invalid",
    "Your access is currently restricted.": "no such user, or the user is restricted",
}


def in_english(text: str) -> str:
    """``text`` with pixiv's Japanese (and cryptic) error messages put in plain English."""
    for site_words, english in PIXIV_MESSAGES.items():
        text = text.replace(site_words, english)
    return text


def short_message(exc: BaseException, *, verbose: bool = False) -> str:
    """The error's own sentence: HTTP errors without URL and body unless ``verbose``."""
    text = str(exc)
    if verbose or not isinstance(exc, HTTPStatusError):
        return text
    cut = text.find(f" (HTTP {exc.status}")
    head = in_english(text[:cut] if cut > 0 else text)
    if isinstance(exc, Unauthorized | Forbidden) and "login" in head:
        return head  # says what to do; the status adds nothing
    return f"{head} (HTTP {exc.status})"


def _folder(args: argparse.Namespace | None) -> str:
    value = getattr(args, "output", None) or os.environ.get("KEMOPIX_OUTPUT") or "./kemopix"
    return str(value)


def _os_error(exc: OSError, args: argparse.Namespace | None) -> tuple[str, int]:
    where = exc.filename or _folder(args)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"no space left on the disk holding {where}: free some space, then run the same "
            "command again to resume",
            EXIT_LOCAL,
        )
    if exc.errno == errno.EROFS:
        return f"{where} is on a read-only file system: choose another folder with -o", EXIT_LOCAL
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: {where} (choose another folder with -o)", EXIT_LOCAL
    if exc.errno == errno.EADDRINUSE:
        return "the port is already in use: choose another with --port (0 = any)", EXIT_LOCAL
    if exc.errno == errno.EADDRNOTAVAIL:
        return "that address is not one of this machine's: choose another with --host", EXIT_LOCAL
    reason = exc.strerror or str(exc)
    return f"{reason}: {where}", EXIT_LOCAL


def _database_error(exc: sqlite3.Error, args: argparse.Namespace | None) -> tuple[str, int]:
    text = str(exc)
    archive = os.path.join(_folder(args), _ARCHIVE)
    if "full" in text:
        return _os_error(OSError(errno.ENOSPC, "disk full", _folder(args)), args)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return (
            f"cannot write the archive {archive} ({text}): choose a writable folder with -o",
            EXIT_LOCAL,
        )
    if "disk I/O error" in text:
        # The disk refused a read or write (a file-size limit, a failing or vanished disk):
        # the archive itself may be whole, so it is not called damaged.
        return (
            f"cannot read or write the archive {archive} ({text}): check the disk and any "
            "file-size limit (ulimit -f), then run again",
            EXIT_LOCAL,
        )
    return (
        f"the archive {archive} is damaged ({text}): move it away and run again "
        "(files already there are checked, not fetched again)",
        EXIT_LOCAL,
    )


def describe(exc: BaseException, args: argparse.Namespace | None) -> tuple[str, int]:
    """The line to print (without the ``kemopix:`` prefix) and the exit status."""
    verbose = bool(getattr(args, "verbose", False))
    if isinstance(exc, InvalidInput):
        return str(exc), EXIT_USAGE
    if isinstance(exc, KemopixError):
        message = short_message(exc, verbose=verbose)
        if isinstance(exc, Unauthorized | Forbidden) and not isinstance(exc, Challenge):
            return message, EXIT_AUTH
        if isinstance(exc, TransportError | Challenge):
            return message, EXIT_NETWORK
        return message, EXIT_FAILED
    if isinstance(exc, EOFError):
        return "no answer: standard input is closed (see the command's --help)", EXIT_USAGE
    if isinstance(exc, OSError):
        return _os_error(exc, args)
    if isinstance(exc, sqlite3.Error):
        return _database_error(exc, args)
    cause = exc.__cause__
    if isinstance(exc, RuntimeError) and isinstance(cause, OSError):
        # An emulator that could not bind its port (RuntimeError from the server thread).
        return _os_error(cause, args)
    return (
        f"internal error: {type(exc).__name__}: {exc} (KEMOPIX_DEBUG=1 shows details)",
        EXIT_FAILED,
    )
