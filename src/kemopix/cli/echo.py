"""Writing lines to the terminal (the one place the CLI prints)."""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["echo"]


def echo(*parts: object, file: TextIO | None = None, flush: bool = True) -> None:
    """Write ``parts`` joined by spaces and a newline to ``file`` (stdout by default)."""
    stream = file if file is not None else sys.stdout
    stream.write(" ".join(str(part) for part in parts) + "\n")
    if flush:
        stream.flush()
