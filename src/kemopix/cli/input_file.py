"""``-i/--input-file FILE``: URLs read from files (``-`` is standard input), as gallery-dl does.

One URL per line; blank lines and lines starting with ``#`` are skipped. The URLs come after
those given on the command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .parser import UsageError

__all__ = ["expand_input_files", "read_urls"]


def read_urls(text: str) -> list[str]:
    """The URLs in ``text``: one per line, ``#`` comment lines and blank lines skipped."""
    urls = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"input file not found: {name}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read input file {name}: {exc}") from None


def expand_input_files(args: argparse.Namespace) -> argparse.Namespace:
    """Add the URLs of ``args.input_file`` files to ``args.urls``; at least one URL in all."""
    if not hasattr(args, "urls"):
        return args
    urls = list(args.urls or [])
    for name in getattr(args, "input_file", None) or []:
        urls.extend(read_urls(_read(name)))
    if not urls:
        command = getattr(args, "command", "download")
        raise UsageError(
            f"give at least one URL (or -i FILE with one URL per line); see `kemopix {command} -h`"
        )
    args.urls = urls
    return args
