"""Ugoira: once a work's frames zip is on disk, encode it (``kemopix.ugoira``) in a process pool.

The zip is kept (with the exact delays in the sidecar); the animation lands beside it as
``<zip stem>.<format>``, verified against the frame metadata by the encoder, and is recorded
in the archive like any other file. Encoding runs while downloads go on.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import file_sha256
from ..ugoira.errors import UgoiraError
from ..ugoira.frames import Frame as UgoiraFrame
from ..ugoira.frames import UgoiraFormat
from .archive import ArchiveStore, FileRecord
from .model import UgoiraFrames
from .reporting import Reporter

if TYPE_CHECKING:
    from ..ugoira.pool import UgoiraEncoder

__all__ = ["Animations"]


class Animations:
    """Encodes downloaded ugoira zips into ``fmt`` (``None`` or ``zip``: keep the zip only)."""

    def __init__(
        self, root: Path, archive: ArchiveStore, reporter: Reporter, fmt: str | None
    ) -> None:
        self.root = root
        self.archive = archive
        self.reporter = reporter
        self.format = UgoiraFormat.parse(fmt) if fmt else None
        self._wanted: dict[str, UgoiraFrames] = {}
        self._encoder: UgoiraEncoder | None = None
        self.encoded = 0
        self.failed = 0

    @property
    def enabled(self) -> bool:
        return self.format is not None and self.format is not UgoiraFormat.ZIP

    def want(self, zip_path: str, frames: UgoiraFrames) -> None:
        """Encode the zip at ``zip_path`` (relative to the root) once it is downloaded."""
        if self.enabled:
            self._wanted[zip_path] = frames

    def target(self, zip_path: str) -> str:
        assert self.format is not None
        stem = zip_path[:-4] if zip_path.lower().endswith(".zip") else zip_path
        return stem + self.format.extension

    async def after(self, record: FileRecord) -> None:
        """Encode ``record``'s zip if it was asked for and the animation is not there yet."""
        frames = self._wanted.pop(record.path, None)
        if frames is None or self.format is None:
            return
        rel = self.target(record.path)
        dest = self.root / rel
        done = self.archive.file(rel)
        if done is not None and done.status == "done" and dest.exists():
            return
        self.archive.plan_file(
            FileRecord(
                rel,
                record.key,
                record.index,
                record.url,
                Path(rel).name,
                "animation",
                None,
                (),
            ),
            done,
        )
        try:
            timeline = [UgoiraFrame(f, d) for f, d in zip(frames.files, frames.delays, strict=True)]
            if self._encoder is None:
                from ..ugoira.pool import UgoiraEncoder  # Pillow and a process pool: on demand

                self._encoder = UgoiraEncoder()
            await self._encoder.encode(self.root / record.path, timeline, dest, self.format)
            digest = await asyncio.to_thread(file_sha256, dest)
        except (UgoiraError, ValueError, OSError) as exc:
            self.failed += 1
            # Not "failed": retry-failed re-downloads files, and this one is made, not fetched.
            self.archive.fail_file(rel, str(exc), status="skipped")
            self.reporter.warning(f"ugoira {record.path}: {exc}")
            return
        self.archive.finish_file(rel, sha256=digest, size=dest.stat().st_size)
        self.encoded += 1

    async def aclose(self) -> None:
        if self._encoder is not None:
            await self._encoder.aclose()
            self._encoder = None
