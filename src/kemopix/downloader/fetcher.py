"""Getting one file onto disk: the core download flow, or a hard link to a copy already held.

De-duplication is by SHA-256: a Kemono file's hash is known before downloading (it is in its
path), so a second post or creator holding the same file gets a hard link (or, with ``copy``, a
copy) to the first and no request; a pixiv file's hash is known after, and a duplicate is then
replaced by a link. Two posts asking for the same hash in one run share one download.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from pathlib import Path

from .._protocol.errors import KemopixError
from ..download import LINK_SUFFIX, PART_SUFFIX, download
from .archive import ArchiveStore, FileRecord
from .network import Network
from .reporting import FileTask
from .transport import PROGRESS

__all__ = ["Fetcher", "place_copy"]


def place_copy(source: Path, dest: Path, *, copy: bool) -> str:
    """Put ``source``'s bytes at ``dest`` atomically: ``"linked"`` or ``"copied"``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if dest.exists() and os.path.samefile(source, dest):
            return "linked"
    tmp = dest.with_name(dest.name + LINK_SUFFIX)
    tmp.unlink(missing_ok=True)
    how = "copied"
    if not copy:
        try:
            os.link(source, tmp)
            how = "linked"
        except OSError:
            pass  # another file system, or links not supported: copy instead
    if how == "copied":
        shutil.copyfile(source, tmp)
    os.replace(tmp, dest)
    return how


class Fetcher:
    """Fetches files for the engine and records the outcome in the archive."""

    def __init__(self, root: Path, archive: ArchiveStore, network: Network, *, copy: bool) -> None:
        self.root = root
        self.archive = archive
        self.network = network
        self.copy = copy
        self._inflight: dict[str, asyncio.Future[None]] = {}

    def _held_copy(self, sha256: str, rel: str) -> Path | None:
        other = self.archive.copy_of(sha256, rel)
        if other is None:
            return None
        path = self.root / other.path
        try:
            if other.size is not None and path.stat().st_size != other.size:
                return None
        except OSError:
            return None
        return path

    async def fetch(self, family: str, record: FileRecord, task: FileTask) -> tuple[str, int]:
        """Bring ``record`` onto disk; the outcome (``downloaded``, ``resumed``, ``skipped``,
        ``linked``, ``copied``) and the file's size. Raises ``KemopixError`` when it cannot."""
        sha = record.expected_sha256
        if sha:
            # Several waiters may wake when one download of this hash ends (or fails): each
            # looks again, and only the first to find no copy and no download starts one.
            while (pending := self._inflight.get(sha)) is not None:
                await asyncio.shield(pending)
            held = self._held_copy(sha, record.path)
            if held is not None:
                return self._link(record, held, sha, task)
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._inflight[sha] = future
            try:
                return await self._download(family, record, task)
            finally:
                if self._inflight.get(sha) is future:
                    del self._inflight[sha]
                future.set_result(None)
        return await self._download(family, record, task)

    def _link(self, record: FileRecord, held: Path, sha: str, task: FileTask) -> tuple[str, int]:
        dest = self.root / record.path
        how = place_copy(held, dest, copy=self.copy)
        size = dest.stat().st_size
        self.archive.finish_file(record.path, sha256=sha, size=size)
        task.finished(how, size)
        return how, size

    async def _download(self, family: str, record: FileRecord, task: FileTask) -> tuple[str, int]:
        dest = self.root / record.path
        headers = dict(record.headers)
        part = dest.with_name(dest.name + PART_SUFFIX)
        if record.etag and part.exists():
            # A resumed body must be the same version of the file as the bytes already held.
            headers["If-Range"] = record.etag
        token = PROGRESS.set(task)
        try:
            result = await self.network.run(
                family,
                download(
                    record.url,
                    dest,
                    expected_sha256=record.expected_sha256,
                    expected_size=record.size,
                    headers=headers,
                    verify_existing=record.expected_sha256 is not None,
                ),
            )
        except KemopixError as exc:
            if task.etag:
                self.archive.set_etag(record.path, task.etag)
            task.failed(str(exc))
            raise
        finally:
            PROGRESS.reset(token)
        outcome: str = result.outcome
        digest = result.sha256
        if digest is None and outcome == "skipped":
            digest = await asyncio.to_thread(_sha256_of, dest)
        if digest and record.expected_sha256 is None and outcome != "skipped":
            held = self._held_copy(digest, record.path)
            if held is not None and not self.copy:
                place_copy(held, dest, copy=False)
                outcome = "linked"
        self.archive.finish_file(record.path, sha256=digest, size=result.size, etag=task.etag)
        task.finished(outcome, result.size)
        return outcome, result.size


def _sha256_of(path: Path) -> str:
    from ..download import file_sha256

    return file_sha256(path)
