"""Getting one file onto disk: the core download flow, or a hard link to a copy already held.

The quality ladder (``quality``): the original; when its host is down (connection-level
failures, see ``quality.Breaker``) or the site says it holds none (pawchive's preview-only and
deferred files), the thumbnail where one exists (``auto``); else the file is recorded as
unavailable. A file held as a thumbnail is replaced, atomically, once a verified original
arrives.

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
from collections.abc import Callable
from pathlib import Path

from .._protocol.errors import IntegrityError, KemopixError, NotFound
from ..files import LINK_SUFFIX, PART_SUFFIX, download, file_sha256
from .archive import ArchiveStore, FileRecord
from .network import Network
from .quality import Quality, check_thumbnail, host_failure, thumbnail_path
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


class _Pending:
    """A download of one hash in progress. Most have nobody waiting for them: the future to
    wait on is made by the first who waits."""

    __slots__ = ("_future",)

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def waiter(self) -> asyncio.Future[None]:
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        return self._future

    def done(self) -> None:
        if self._future is not None:
            self._future.set_result(None)


# Writes a verified body to its final path, dated (the disk helper's ``put_file``); None
# when it declines (the helper is behind).
PutFile = Callable[[str, bytes, "float | None"], "asyncio.Future[None] | None"]


class _Handed:
    """A download's body handed over to be written (``PartFile``'s ``hand``): the write to
    wait for before the file is on disk."""

    __slots__ = ("_put", "written")

    def __init__(self, put: PutFile) -> None:
        self._put = put
        self.written: asyncio.Future[None] | None = None

    def __call__(self, final: str, data: bytes, mtime: float | None) -> bool:
        self.written = self._put(final, data, mtime)
        return self.written is not None


class Fetcher:
    """Fetches files for the engine and records the outcome in the archive.

    ``put``, when set, writes the small bodies downloads hand over (the engine's disk helper
    process): the event loop then makes none of their system calls."""

    def __init__(
        self,
        root: Path,
        archive: ArchiveStore,
        network: Network,
        *,
        copy: bool,
        quality: Quality = "auto",
        keep_thumbnails: bool = False,
    ) -> None:
        self.root = root
        self.archive = archive
        self.network = network
        self.copy = copy
        self.quality = quality
        self.keep_thumbnails = keep_thumbnails
        self._inflight: dict[str, _Pending] = {}
        self.put: PutFile | None = None

    def _held_copy(self, sha256: str, rel: str) -> Path | None:
        other = self.archive.held_copy(sha256, rel)
        if other is None:
            return None
        held, size = other
        path = self.root / held
        try:
            if size is not None and path.stat().st_size != size:
                return None
        except OSError:
            return None
        return path

    async def fetch(
        self,
        family: str,
        record: FileRecord,
        task: FileTask,
        mtime: float | None = None,
        *,
        fresh: bool = False,
        dest: Path | None = None,
    ) -> tuple[str, int]:
        """Bring ``record`` onto disk at the best quality the site gives now, a file written
        dated ``mtime`` when given (a linked file keeps its copy's date); the outcome
        (``downloaded``, ``resumed``, ``skipped``, ``linked``, ``copied``; ``upgraded`` when an
        original replaced a thumbnail; ``thumbnail``, ``kept`` (the thumbnail already held),
        ``unavailable``) and the size. Raises ``KemopixError`` when it cannot. ``fresh``: the
        file's folder was just made by this run (it holds at most the file's empty part), so
        the download looks for no file there. ``dest``: the record's path under the root, when
        the caller has made it already."""
        if record.unavailable is not None or self.quality == "thumbnail":  # (else: the original)
            thumb = self._thumbnail_wanted(record)
            if thumb is not None:
                return await self._fallback(family, record, task, thumb, mtime)
        try:
            where = self.root / record.path if dest is None else dest
            outcome, size = await self._original(family, record, task, mtime, fresh, where)
        except KemopixError as exc:
            retried = record.held == "thumbnail" or record.status == "unavailable"
            if not (host_failure(exc) or retried):
                raise
            # The host is down (or an upgrade found the original still not to be had): the
            # next rung of the ladder, and what is held stays.
            reason = f"original unavailable: {exc}"
            return await self._fallback(family, record, task, reason, mtime)
        if record.held == "thumbnail" and outcome != "skipped":
            outcome = "upgraded"
        return outcome, size

    def _thumbnail_wanted(self, record: FileRecord) -> str | None:
        """Why the original is not even asked for, or None to ask for it."""
        if record.unavailable is not None:
            return f"original unavailable: {record.unavailable}"
        if self.quality == "thumbnail" and record.thumbnail:
            return "thumbnail wanted (--quality thumbnail)"
        return None

    async def _fallback(
        self, family: str, record: FileRecord, task: FileTask, reason: str, mtime: float | None
    ) -> tuple[str, int]:
        """The thumbnail (already held, or fetched now), else "unavailable" with ``reason``."""
        dest = self.root / record.path
        if record.held == "thumbnail" and record.status == "done" and dest.is_file():
            size = dest.stat().st_size
            self.archive.finish_file(
                record.path, sha256=record.sha256, size=size, held="thumbnail", note=reason
            )
            task.finished("kept", 0)
            return "kept", 0
        if record.thumbnail and self.quality != "original":
            try:
                size, digest = await self._thumbnail(family, record, task, mtime)
            except KemopixError as exc:
                if not (host_failure(exc) or isinstance(exc, NotFound)):
                    task.failed(str(exc))
                    raise
                reason = f"{reason}; no thumbnail: {exc}"
            else:
                self.archive.finish_file(
                    record.path, sha256=digest, size=size, held="thumbnail", note=reason
                )
                task.finished("thumbnail", size)
                return "thumbnail", size
        self.archive.fail_file(record.path, reason, status="unavailable")
        task.finished("unavailable", 0)
        return "unavailable", 0

    async def _thumbnail(
        self, family: str, record: FileRecord, task: FileTask, mtime: float | None
    ) -> tuple[int, str]:
        """Fetch the thumbnail beside the final name, check it decodes, then move it there."""
        assert record.thumbnail is not None
        dest = self.root / record.path
        tmp = dest.with_name(dest.name + LINK_SUFFIX)
        tmp.unlink(missing_ok=True)
        token = PROGRESS.set(task)
        try:
            result = await self.network.run(
                family,
                download(record.thumbnail, tmp, headers=dict(record.headers), mtime=mtime),
            )
        finally:
            PROGRESS.reset(token)
        try:
            await asyncio.to_thread(check_thumbnail, tmp)
            digest = result.sha256
            if digest is None:
                digest = await asyncio.to_thread(file_sha256, tmp)
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return result.size, digest

    async def _original(
        self,
        family: str,
        record: FileRecord,
        task: FileTask,
        mtime: float | None,
        fresh: bool,
        dest: Path,
    ) -> tuple[str, int]:
        sha = record.expected_sha256
        if record.held == "thumbnail" and not sha:
            # Without a hash, an original could not be told from the thumbnail at its name.
            raise IntegrityError(f"no SHA-256 to verify an original of {record.name}")
        if sha:
            # Several waiters may wake when one download of this hash ends (or fails): each
            # looks again, and only the first to find no copy and no download starts one.
            while (pending := self._inflight.get(sha)) is not None:
                await asyncio.shield(pending.waiter())
            held = self._held_copy(sha, record.path)
            if held is not None:
                return self._link(record, held, sha, task, mtime)
            mine = self._inflight[sha] = _Pending()
            try:
                return await self._download(family, record, task, mtime, fresh, dest)
            finally:
                if self._inflight.get(sha) is mine:
                    del self._inflight[sha]
                mine.done()
        return await self._download(family, record, task, mtime, fresh, dest)

    def _keep_thumbnail(self, record: FileRecord) -> Path | None:
        """With ``keep_thumbnails``, a link to the held thumbnail beside it, made before an
        original may replace it (removed again when none does)."""
        if not self.keep_thumbnails or record.held != "thumbnail":
            return None
        dest = self.root / record.path
        kept = thumbnail_path(dest)
        if dest.is_file():
            place_copy(dest, kept, copy=False)
            return kept
        return None

    def _link(
        self, record: FileRecord, held: Path, sha: str, task: FileTask, mtime: float | None
    ) -> tuple[str, int]:
        dest = self.root / record.path
        self._keep_thumbnail(record)
        how = place_copy(held, dest, copy=self.copy)
        if how == "copied" and mtime is not None:
            os.utime(dest, (mtime, mtime))
        size = dest.stat().st_size
        self.archive.finish_file(record.path, sha256=sha, size=size)
        task.finished(how, size)
        return how, size

    async def _download(
        self,
        family: str,
        record: FileRecord,
        task: FileTask,
        mtime: float | None,
        fresh: bool,
        dest: Path,
    ) -> tuple[str, int]:
        headers = dict(record.headers)
        thumbnail = record.held == "thumbnail"
        if record.etag and dest.with_name(dest.name + PART_SUFFIX).exists():
            # A resumed body must be the same version of the file as the bytes already held.
            headers["If-Range"] = record.etag
        kept = self._keep_thumbnail(record)
        handed = None if self.put is None else _Handed(self.put)
        token = PROGRESS.set(task)
        try:
            result = await self.network.run(
                family,
                download(
                    record.url,
                    dest,
                    expected_sha256=record.expected_sha256,
                    # a thumbnail's size and hash say nothing of the original's
                    expected_size=None if thumbnail else record.size,
                    headers=headers,
                    verify_existing=record.expected_sha256 is not None or thumbnail,
                    mtime=mtime,
                    fresh=fresh,
                    hand=handed,
                ),
            )
        except KemopixError as exc:
            if kept is not None:
                kept.unlink(missing_ok=True)
            if task.etag:
                self.archive.set_etag(record.path, task.etag)
            if not (host_failure(exc) or thumbnail):
                task.failed(str(exc))
            raise
        finally:
            PROGRESS.reset(token)
        if handed is not None and handed.written is not None:
            await handed.written  # on disk before anything says so (or its OSError)
        outcome: str = result.outcome
        digest = result.sha256
        if digest is None and outcome == "skipped":
            digest = await asyncio.to_thread(file_sha256, dest)
        if digest and record.expected_sha256 is None and outcome != "skipped":
            held = self._held_copy(digest, record.path)
            if held is not None and not self.copy:
                place_copy(held, dest, copy=False)
                outcome = "linked"
        self.archive.finish_file(record.path, sha256=digest, size=result.size, etag=task.etag)
        task.finished(outcome, result.size)
        return outcome, result.size
