"""The download flow: one file, atomic, resumable, verified, skipped when already complete."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from msgspec import Struct

from .._protocol.flow import Flow
from .._protocol.http import Request
from .._protocol.status import check_status
from .part import Handoff, PartFile, file_sha256, parse_content_range

__all__ = ["DownloadResult", "download"]

Outcome = Literal["downloaded", "resumed", "skipped"]

# What Path.is_file() takes for "no file there" (others, such as EACCES, are raised).
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_IDENTITY = {"Accept-Encoding": "identity"}


class DownloadResult(Struct, frozen=True):
    """Where a file went, how many bytes it has, its SHA-256 and what was done."""

    path: Path
    size: int
    sha256: str | None
    outcome: Outcome
    resumed_from: int = 0


def download(
    url: str,
    dest: Path,
    *,
    expected_sha256: str | None = None,
    expected_size: int | None = None,
    headers: Mapping[str, str] | None = None,
    verify_existing: bool = False,
    mtime: float | None = None,
    fresh: bool = False,
    hand: Handoff | None = None,
) -> Flow[DownloadResult]:
    """Download ``url`` to ``dest`` (a path already made safe with ``safe_join``).

    A complete ``dest`` is not fetched again: it is kept when its size matches (and, with
    ``verify_existing``, its SHA-256). Bytes stream into ``dest.part``; after an interrupt the
    next attempt, or the next run, continues with a Range request. The part is renamed onto
    ``dest`` only once size and hash check out, dated ``mtime`` (a POSIX timestamp) when given.
    ``fresh``: the caller just made ``dest``'s folder and knows it holds nothing of ``dest``
    but perhaps an empty part, so neither is looked for on disk (two system calls).
    ``hand``: who writes a small body once verified, instead of the part file here (see
    :class:`PartFile`); the file is in place once that write is.
    """
    if not fresh:
        existing = _existing(dest, expected_sha256, expected_size, verify_existing)
        if existing is not None:
            return existing
    part = PartFile(
        dest,
        expected_sha256=expected_sha256,
        expected_size=expected_size,
        mtime=mtime,
        empty=fresh,
        hand=hand,
    )
    # identity: the bytes on disk must be the bytes the hash and Content-Length describe.
    sent = {**headers, "Accept-Encoding": "identity"} if headers else _IDENTITY
    base = Request("GET", url, headers=tuple(sent.items()), sink=part)  # Request.build's value
    try:
        response = yield part.request(base)
        if response.status == 416:
            _, total = parse_content_range(response.headers.get("content-range"))
            if total is not None and total == part.size:
                part.total = total  # the previous run had every byte; only the rename was left
            else:
                part.discard()
                response = yield part.request(base)
        if response.status != 416:
            check_status(response)
        resumed_from = part.resumed_from
        digest = part.finish()  # closes the part file
    except BaseException:
        # The first error is the one to report: closing flushes, and on a full disk (or when
        # the flow is closed while a run stops) that fails too.
        with contextlib.suppress(OSError):
            part.close()
        raise
    outcome: Outcome = "resumed" if resumed_from else "downloaded"
    return DownloadResult(dest, part.size, digest, outcome, resumed_from)


def _existing(
    dest: Path, sha256: str | None, size: int | None, verify: bool
) -> DownloadResult | None:
    try:
        info = os.stat(dest)  # one call for Path.is_file() and .stat()
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise
    if not stat.S_ISREG(info.st_mode):
        return None
    actual = info.st_size
    if size is not None and actual != size:
        return None
    digest = None
    if verify and sha256 is not None:
        digest = file_sha256(dest)
        if digest != sha256.lower():
            return None
    return DownloadResult(dest, actual, digest, "skipped")
