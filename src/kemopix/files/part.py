"""A ``.part`` file that receives a download, hashes it as it streams and is renamed when whole."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from .._protocol.errors import DecodeError, IntegrityError
from .._protocol.http import Request
from .paths import PART_SUFFIX

__all__ = ["HAND_BYTES", "Handoff", "PartFile", "file_sha256", "parse_content_range"]

_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")
_READ_CHUNK = 1 << 20
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # a part that became a link is refused, not followed
_WRITE = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | getattr(os, "O_BINARY", 0)
_APPEND, _TRUNCATE = _WRITE | os.O_APPEND, _WRITE | os.O_TRUNC  # how a part is opened
_UTIME_FD = os.utime in os.supports_fd  # a part is dated through its descriptor

# Takes a whole verified body to write to a final path, dated: ``(final, data, mtime)``;
# False when it cannot now (the body is then written here).
Handoff = Callable[[str, bytes, "float | None"], bool]
HAND_BYTES = 256 << 10  # the largest body held in memory to be handed over


def parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """``(start, total)`` from ``bytes 100-199/1000`` or ``bytes */1000`` (None where unknown)."""
    if not value:
        return None, None
    match = _CONTENT_RANGE.match(value.strip())
    if match is None:
        return None, None
    start = int(match.group(1)) if match.group(1) is not None else None
    total = int(match.group(3)) if match.group(3) != "*" else None
    return start, total


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class PartFile:
    """The ``Sink`` of one download: appends to ``<final>.part``, resumes with Range, verifies.

    ``finish()`` checks size and SHA-256 when they are known, then renames atomically; a
    mismatch deletes the part and raises :class:`IntegrityError`, so no bad file is ever kept.
    The part is opened by the first write, so that creating it happens where the bytes are
    written (a writer thread, for a large body) rather than where the answer is read.

    With ``hand``, a body of at most ``HAND_BYTES`` that starts on an empty part is held in
    memory instead, verified by ``finish()`` all the same, then given to ``hand`` to write
    and rename (the downloader's disk helper: the event loop makes no system call for it),
    or written here when ``hand`` declines it. A larger body, or one continuing bytes on
    disk, is written here as usual.
    """

    def __init__(
        self,
        final: Path,
        *,
        expected_sha256: str | None = None,
        expected_size: int | None = None,
        mtime: float | None = None,
        empty: bool = False,
        hand: Handoff | None = None,
    ) -> None:
        """``empty``: the caller knows the part is missing or empty (it just made the folder),
        so no previous run's bytes are looked for."""
        self.final = final
        self.mtime = mtime  # the final file's modification time (None: when it was written)
        self._final = os.fspath(final)  # strings: no Path made (or asked for its name) per file
        self._part = self._final + PART_SUFFIX
        self.expected_sha256 = expected_sha256.lower() if expected_sha256 else None
        self.expected_size = expected_size
        self.total: int | None = expected_size
        self._digest = hashlib.sha256()
        self._fd: int | None = None  # written with os.write: no file object, no buffer
        self._mode: Literal["ab", "wb"] | None = None  # how the first write opens the part
        self.size = 0
        self.resumed_from = 0
        self._hand = hand
        self._held: list[bytes] | None = None if hand is None else []  # the body, for hand
        if empty:
            return
        try:
            info = os.lstat(self._part)
        except FileNotFoundError:
            return
        if stat.S_ISLNK(info.st_mode):
            os.unlink(self._part)  # a link planted as the part: never written through
            return
        self.size = info.st_size
        if self.size:
            self._held = None  # bytes on disk to continue: the rest is written beside them
        if self.expected_size is not None and self.size > self.expected_size:
            self._truncate()
        elif self.size:
            with open(self._part, "rb") as fh:
                while chunk := fh.read(_READ_CHUNK):
                    self._digest.update(chunk)
        self.resumed_from = self.size

    @property
    def path(self) -> Path:
        """The ``.part`` file's path."""
        return Path(self._part)

    # -- Sink -------------------------------------------------------------------------------
    def open(self, status: int, headers: Mapping[str, str]) -> None:
        start, total = parse_content_range(headers.get("content-range"))
        if status == 206 and start == self.size:
            self.total = total if total is not None else self.total
            self.close()
            self._mode = "ab"
        elif status == 206 and start not in (0, None):
            self._truncate()
            raise DecodeError(f"server resumed at byte {start}, expected {self.size}")
        else:
            # A whole body: start the part afresh (one open, truncating).
            stale = self.size > 0
            if self._fd is not None:
                self.close()
            if stale:  # (an empty part has hashed nothing: its digest is still fresh)
                self._digest = hashlib.sha256()
                self.size = 0
            self.resumed_from = 0
            length = headers.get("content-length")
            if length and length.isdigit():
                self.total = int(length)
            if self._held is not None:
                self._held.clear()
                if self.total is not None and self.total > HAND_BYTES:
                    self._held = None  # known to be large: written as it comes
                stale = False  # (the stale bytes were only held: the part is empty)
            # An empty or missing part is appended to: truncating makes ext4 write the file
            # out when it is closed (its auto_da_alloc), ~40 us and an I/O per small file.
            self._mode = "wb" if stale else "ab"
            if stale:  # bytes of another body must not outlive this answer
                self._open()

    def write(self, chunk: bytes) -> None:
        held = self._held
        if held is not None:
            if self.size + len(chunk) <= HAND_BYTES:
                held.append(chunk)
                self._digest.update(chunk)
                self.size += len(chunk)
                return
            self._held = None  # past what is handed over: what was held goes to the part
            for piece in held:
                self._write(piece)
        self._write(chunk)
        self._digest.update(chunk)
        self.size += len(chunk)

    def _write(self, chunk: bytes) -> None:
        fd = self._fd if self._fd is not None else self._open()
        done = os.write(fd, chunk)
        if done < len(chunk):  # a short write (a signal, a disk nearly full): the rest, in turn
            view = memoryview(chunk)
            while done < len(chunk):
                done += os.write(fd, view[done:])

    def _open(self) -> int:
        assert self._mode is not None, "write before open"
        flags = _APPEND if self._mode == "ab" else _TRUNCATE
        try:
            fd = os.open(self._part, flags, 0o666)
        except FileNotFoundError:  # the folder is made with the first byte, not before
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._part, flags, 0o666)
        self._fd = fd
        return fd

    def resume(self, request: Request) -> Request:
        self.close()
        if self.size > 0:
            return request.with_headers(Range=f"bytes={self.size}-")
        if request.header("range") is None:
            return request
        headers = tuple((k, v) for k, v in request.headers if k.lower() != "range")
        return request.evolve(headers=headers)

    # -- life cycle -----------------------------------------------------------------------
    def request(self, request: Request) -> Request:
        """``request`` adjusted to resume whatever a previous run left in the part file."""
        return self.resume(request if request.sink is self else request.evolve(sink=self))

    @property
    def complete(self) -> bool:
        return self.total is not None and self.size == self.total

    def finish(self) -> str:
        """Verify, date and rename into place (or, for a held body, hand it over); returns the
        SHA-256 hex digest."""
        held = self._held
        if held is not None:
            self._held = None
            digest = self._digest.hexdigest()
            self._verify(digest)
            data = b"".join(held)
            if self._hand is not None and self._hand(self._final, data, self.mtime):
                self._mode = None
                return digest
            if data:  # declined (its taker is behind): written here after all
                self._write(data)
        if self._fd is None and self._mode is not None:
            self._open()  # an empty body still makes a file
        fd, mtime = self._fd, self.mtime
        dated = mtime is not None and fd is not None and _UTIME_FD
        if dated and mtime is not None and fd is not None:
            os.utime(fd, (mtime, mtime))  # every byte is written: nothing after changes it
        self.close()
        digest = self._digest.hexdigest()
        self._verify(digest)
        os.replace(self._part, self._final)
        if self.mtime is not None and not dated:
            os.utime(self._final, (self.mtime, self.mtime))
        return digest

    def _verify(self, digest: str) -> None:
        """Raise (the part removed) when the body is not the one expected or announced."""
        problem = None
        if self.expected_size is not None and self.size != self.expected_size:
            problem = f"size {self.size} != expected {self.expected_size}"
        elif self.total is not None and self.size != self.total:
            problem = f"size {self.size} != announced {self.total}"
        elif self.expected_sha256 is not None and digest != self.expected_sha256:
            problem = f"sha256 {digest} != expected {self.expected_sha256}"
        if problem is not None:
            self.discard()
            raise IntegrityError(f"{self.final.name}: {problem}; the partial file was removed")

    def discard(self) -> None:
        if self._held is not None:
            self._held.clear()
        self.close()
        self.path.unlink(missing_ok=True)
        self._digest = hashlib.sha256()
        self.size = 0

    def close(self) -> None:
        fd, self._fd = self._fd, None
        self._mode = None
        if fd is not None:
            os.close(fd)

    def _truncate(self) -> None:
        if self._held is not None:
            self._held.clear()
        self.close()
        self.path.write_bytes(b"")
        self._digest = hashlib.sha256()
        self.size = 0
