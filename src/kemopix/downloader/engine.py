"""The engine: listings → new or edited posts → planned files → downloads, all concurrent.

For each target the site adapter gives listings (newest first). Each entry is compared with
the archive: an archived, complete post with the same signature is "known"; after ``overlap``
known posts in a row, on a listing whose previous sweep reached its end, the rest is known too
and the listing stops (Kemono's offset paging can shift by a few posts while new ones arrive,
hence the window rather than the first known post). New and edited posts get their detail
fetched, pass the filters, are planned through the template, get their sidecars, and their
files are queued; downloads run while the listing goes on.

A listing's watermark is marked complete only once every post the sweep covered is complete
(all its files verified on disk), so a run cut short at any instant leaves the next plain run
a listing to sweep again: whatever is unfinished gets finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from msgspec import Struct, field
from msgspec.structs import replace

from .._protocol.errors import (
    Challenge,
    ConnectError,
    DecodeError,
    Forbidden,
    KemopixError,
    TransportError,
    Unauthorized,
    UnsafePathError,
)
from ..files import Resolved
from ..files.paths import relative_posix
from .animation import Animations
from .archive import COMMIT_EVERY, SETTLED, ArchiveStore, FileRecord, PostState, Watermark
from .disk_ops import drop_empty_part
from .disk_worker import DiskWorker
from .fetcher import Fetcher
from .filters import Budget, Filters
from .metadata import (
    SidecarOptions,
    post_stamp,
    render_sidecars,
    set_mtime,
    sidecar_names,
)
from .model import Listed, Post, PostKey, RemoteFile, isoformat, signature_of
from .network import Network, head_size
from .quality import Quality
from .reporting import PlannedFile, Reporter, Summary
from .slots import Slots
from .sources.base import Listing, Source
from .status import absent, held_counts, missing_files
from .targets import Target
from .templates import Template, file_fields, post_fields
from .transcript import TRANSCRIPT_LOG, TRANSCRIPT_NAMES, Transcripts

__all__ = ["Engine", "Settings", "error_kind", "stops_the_run"]

T = TypeVar("T")

OPEN_POSTS = 256  # posts planned and not yet closed at once (64 downloads in flight need ~70)
INLINE_CHECKS = 2000  # held files looked for on disk on the loop; more go to a thread


class Settings(Struct, frozen=True):
    """How a run behaves (the CLI fills it from options, config file and environment)."""

    root: Path
    templates: Mapping[str, Template]
    filters: Filters = field(default_factory=Filters)
    max_files: int | None = None
    max_bytes: int | None = None
    dry_run: bool = False
    sizes: bool = False  # HEAD each file to learn its size (plan, size filters, --max-bytes)
    copy: bool = False
    full: bool = False
    overlap: int = 25
    sidecars: SidecarOptions = field(default_factory=SidecarOptions)
    workers: int = 64
    detail_concurrency: int = 8
    ugoira: str | None = "webp"  # what ugoira zips become (None or "zip": kept as zips)
    quality: Quality = "auto"  # original, thumbnail, or auto (the thumbnail when it must)
    keep_thumbnails: bool = False  # keep a replaced thumbnail beside its original


def stops_the_run(exc: BaseException) -> bool:
    """A disk that is full or read-only: every later write would fail too."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def error_kind(exc: BaseException) -> str:
    """``auth``, ``network`` or ``failed``: what an error means for the exit status."""
    if isinstance(exc, (Unauthorized, Forbidden)) and not isinstance(exc, Challenge):
        return "auth"
    if isinstance(exc, (TransportError, ConnectError, Challenge)):
        return "network"
    return "failed"


class Engine:
    """Runs targets through their site adapters into one output folder."""

    def __init__(
        self,
        settings: Settings,
        archive: ArchiveStore,
        network: Network,
        sources: Mapping[str, Source],
        reporter: Reporter | None = None,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.network = network
        self.sources = sources
        self.reporter = reporter or Reporter()
        network.on_retry = self.reporter.retrying
        self.summary = Summary()
        self.budget = Budget(settings.max_files, settings.max_bytes)
        self.fetcher = Fetcher(
            settings.root,
            archive,
            network,
            copy=settings.copy,
            quality=settings.quality,
            keep_thumbnails=settings.keep_thumbnails,
        )
        self.animations = Animations(settings.root, archive, self.reporter, settings.ugoira)
        self._slots = Slots(settings.workers)
        self._tasks: set[asyncio.Task[None]] = set()
        # Tasks the run waits for (closings of posts and listings), each dropped once done: a
        # done task kept costs ~700 bytes, a list of them grows with the number of posts.
        self._post_waits: set[asyncio.Future[Any]] = set()
        self._failure: BaseException | None = None  # the first error of a dropped task
        # Posts planned and not yet closed: the listing waits beyond this many, so what a post
        # holds until it is closed (its JSON, tasks, rendered sidecars) stays bounded.
        self._open_posts = Slots(OPEN_POSTS)
        # Paths planned in this run and their post: two posts never get one path.
        # (Released when the post closes: the archive then says whose they are.)
        self._claimed: dict[str, PostKey] = {}
        # Routed archive writes (see run): closed posts' paths wait for the next commit.
        self._routed = False
        self._releasing: list[tuple[list[str], PostKey]] = []
        self._running: asyncio.AbstractEventLoop | None = None  # the run's event loop
        self._started = time.time()  # what the archive recorded since, this run did
        self._present: set[str] = set()  # final paths seen holding a file while planning
        self._kept_thumbnails: set[str] = set()  # upgrades over the budget, already reported
        self._resolved = Resolved()  # the folders' real paths, checked once per run
        self._base = os.path.abspath(settings.root)  # what planned paths start with
        # A planned file's Path is then the one a download of its record would make.
        self._plain_root = str(settings.root) == self._base
        self._disk = DiskWorker()  # makes post folders and writes sidecars beside the loop
        # Part of every stored signature: a post left out by one set of filters is looked at
        # again when the filters change.
        self._filters_id = signature_of(repr(settings.filters))[:8]
        # Whose files the summary counts by state (and the upgrade pass tries again): the
        # creators the run looked at, and the posts of listings without one.
        self._creators: set[tuple[str, str, str]] = set()
        self._keys: set[PostKey] = set()
        self._transcripts = Transcripts()  # Discord channels: one transcript each
        self._rendered = asyncio.Event()  # set once the listing's transcript pages are rebuilt
        self._transcribing: list[asyncio.Future[None]] = []  # the listing's messages being added

    # -- entry points -----------------------------------------------------------------------
    async def run(self, targets: list[Target]) -> Summary:
        """Archive every target; returns the summary (also given to the reporter)."""
        started = time.monotonic()
        if not self.settings.dry_run:
            # The archive's writes are made by the disk helper (SQLite's work off the loop).
            self._routed = self.archive.route_writes(self._disk.route)
            if self._disk.in_process:  # small bodies too: written by the helper (fetcher)
                self.fetcher.put = self._disk.put_file
        ticker = asyncio.create_task(self._commit_often())
        try:
            for target in targets:
                await self._target(target)
            await self._drain()
            await self._close()
        except asyncio.CancelledError:
            self.summary.interrupted = True
            raise
        finally:
            ticker.cancel()
            await self._stop_all()
            self.fetcher.put = None
            try:
                self._routed = False
                await self.archive.unroute()
            finally:
                await self._disk.aclose()
                self._finish(started)
        return self.summary

    async def _stop_all(self) -> None:
        """Cancel and wait for whatever still runs (after Ctrl-C or an error), so nothing
        touches the archive or the network once the caller closes them."""
        left = [t for t in (*self._tasks, *self._post_waits) if not t.done()]
        for task in left:
            task.cancel()
        if left:
            await asyncio.gather(*left, return_exceptions=True)

    async def _commit_often(self) -> None:
        """Commit the archive's pending records even when no new write comes to do it, so a
        kill loses at most ``COMMIT_EVERY`` seconds of bookkeeping."""
        while True:
            await asyncio.sleep(COMMIT_EVERY)
            with contextlib.suppress(sqlite3.Error, OSError):  # the next write reports it
                await self._synced()

    async def _synced(self) -> None:
        """Everything the archive was told is committed; the paths of the posts closed before
        are then released. Until then the archive's readers may see a path's older record (or
        none), and the sweep's looks at the archive leave claimed paths alone: so every record
        not yet committed is of a path still claimed."""
        releasing, self._releasing = self._releasing, []
        await self.archive.synced()
        for claimed, key in releasing:
            self._release_now(claimed, key)

    async def retry(self, records: list[FileRecord], *, upgrade: bool = False) -> Summary:
        """Fetch archived files again (``retry-failed``, ``verify``), without listing; with
        ``upgrade``, try the originals of files held as thumbnails or unavailable
        (``kemopix upgrade``): what is held stays until a verified original replaces it."""
        started = time.monotonic()
        ticker = asyncio.create_task(self._commit_often())
        try:
            if not upgrade:
                # Until these files are back, their posts are unfinished: a kill now must leave
                # a plain `download` something to finish, not a "complete" post with a hole.
                self.archive.reopen_listings()
                for record in records:
                    self.archive.requeue_file(record.path)
                    self.archive.set_complete(record.key, False)
            self._keys.update(r.key for r in records)
            self._refetch(records)
            await self._drain()
            await self._close()
        except asyncio.CancelledError:
            self.summary.interrupted = True
            raise
        finally:
            ticker.cancel()
            await self._stop_all()
            await self._disk.aclose()
            self._finish(started)
        return self.summary

    def _refetch(self, records: list[FileRecord]) -> asyncio.Future[bool] | None:
        """Fetch archived files, post by post (each post closed once its files are done);
        the future says whether every post ended complete."""
        by_post: dict[PostKey, list[FileRecord]] = {}
        for record in records:
            by_post.setdefault(record.key, []).append(record)
        return self._wait(self._refetch_posts(by_post)) if by_post else None

    async def _refetch_posts(self, by_post: dict[PostKey, list[FileRecord]]) -> bool:
        # As many posts open at once as a listing has (retry-failed or verify may bring
        # 100,000 records: a task each at once would hold them all in memory).
        closings: list[asyncio.Future[bool]] = []
        for key, recs in by_post.items():
            if not self._open_posts.take_now():
                await self._open_posts.take()
            jobs = [self._spawn(self._fetch(_family(rec.key), rec)) for rec in recs]
            closing = self._wait(self._close_retry(key, jobs, [r.path for r in recs]))
            closing.add_done_callback(lambda _: self._open_posts.give())
            closings.append(closing)
        return all(await asyncio.gather(*closings))

    async def _upgrade(self, listing: Listing, keys: set[PostKey]) -> asyncio.Future[bool] | None:
        """After a sweep: fetch again the listing's files the archive holds but the disk does
        not (deleted since), and try again the originals of those held as thumbnails or
        unavailable (the files the sweep planned are on their way already). Both are new
        work: within ``--max-files`` / ``--max-bytes`` like the sweep's."""
        if self.settings.dry_run:
            return None
        creator = listing.creator
        ckeys = [] if creator is None else [(creator.site, creator.service, creator.id)]
        gone = await self._missing(ckeys, keys)
        records = [r for r in map(self.archive.file, gone) if r is not None and r.status == "done"]
        if records:
            # Unfinished until they are back (over the budget, until a later run): a kill now
            # leaves the next run something to do. Every listing is swept whole next time, so
            # none stops early before the posts of these files, whoever lists them.
            self.archive.reopen_listings()
        for record in records:
            self.archive.requeue_file(record.path)
            self.archive.set_complete(record.key, False)
        records = await self._within_budget(records)
        if self.settings.quality != "thumbnail":
            # Not those this run tried already (a closed post's paths are no longer claimed).
            started = self._started
            if creator is not None:
                upgradable = self.archive.upgradable(ckeys[0], before=started)
            else:
                upgradable = [r for r in self.archive.upgradable(None, started) if r.key in keys]
            taken = {*gone, *self._kept_thumbnails}
            fresh = [r for r in upgradable if r.path not in self._claimed and r.path not in taken]
            records += await self._within_budget(fresh, sizes=True)
        for record in records:
            self._claimed[record.path] = record.key
        return self._refetch(records)

    async def _missing(self, creators: list[tuple[str, str, str]], keys: set[PostKey]) -> list[str]:
        """The files of ``creators`` and ``keys`` the archive holds and the disk lacks, and
        this run is not fetching. A few are looked at on the loop (a thread's hand-off costs
        more); many (a 100,000-file creator: ~0.1-0.2 s of system calls) beside it, through
        what the archive has committed, while downloads go on. Files recorded by this run are
        not looked at: each was checked on disk as it was planned or put there (one deleted
        since is found by the next run, as one deleted after the run would be)."""
        root, started = self.settings.root, self._started
        rows = self.archive.held_files(creators, keys, started)
        probe = list(itertools.islice(rows, INLINE_CHECKS + 1))
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # a cursor left open on the archive (a generator of its rows)
        if len(probe) <= INLINE_CHECKS:
            held = [path for path, status, _ in probe if status == "done"]
            return absent(root, [p for p in held if p not in self._claimed])
        self.archive.flush()
        gone = await asyncio.to_thread(missing_files, self.archive, creators, keys, started)
        # Claimed paths are this run's posts, still being fetched; a post that closed
        # meanwhile has its files back: looked at again.
        return absent(root, [p for p in gone if p not in self._claimed])

    async def _within_budget(
        self, records: list[FileRecord], *, sizes: bool = False
    ) -> list[FileRecord]:
        """The records the run's budget still has room for (each booked); the others are
        reported as left out. ``sizes``: the recorded size is not the one to fetch (that of
        a thumbnail, for its original), so a byte budget asks the server."""
        budget = self.budget
        if not records or (budget.max_files is None and budget.max_bytes is None):
            return records
        known: dict[str, int] = {}
        if sizes and budget.needs_sizes:
            known = await self._head_sizes([(r.url, r.headers, _family(r.key)) for r in records])
        out: list[FileRecord] = []
        for record in records:
            size = known.get(record.url) if sizes else record.size
            over = budget.take(size)
            if over is None:
                out.append(record)
                continue
            self.summary.files_skipped += 1
            file = RemoteFile(record.url, record.name, record.index, sha256=record.expected_sha256)
            self.reporter.file_skipped(self.settings.root / record.path, file, over)
        return out

    async def _close(self) -> None:
        await self.animations.aclose()
        self.summary.animations = self.animations.encoded
        self.summary.files_failed += self.animations.failed

    def _finish(self, started: float) -> None:
        if not self.settings.dry_run:
            self.archive.commit_pending()
            if self.reporter.wants_held:  # (a quiet run shows no counts)
                held = held_counts(self.archive, self._creators, self._keys, self._started)
                self.summary.held = held
        totals = self.network.traffic.totals()
        self.summary.requests = totals.requests
        self.summary.throttled = totals.throttled
        self.summary.statuses = totals.statuses
        self.summary.seconds = time.monotonic() - started
        self.reporter.finished(self.summary)

    async def _drain(self) -> None:
        while self._tasks or self._post_waits:
            self._raise_failure()
            await asyncio.wait(
                {*self._tasks, *self._post_waits}, return_when=asyncio.FIRST_EXCEPTION
            )
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    @property
    def _loop(self) -> asyncio.AbstractEventLoop:
        # Looked up once: asyncio's lookup of the running loop is a getpid() call (3.11).
        if self._running is None:
            self._running = asyncio.get_running_loop()
        return self._running

    def _wait(self, work: Awaitable[T]) -> asyncio.Future[T]:
        """A task the run waits for before it ends (a post's or a listing's closing)."""
        task = asyncio.ensure_future(work, loop=self._loop)
        self._post_waits.add(task)
        task.add_done_callback(self._waited)
        return task

    def _waited(self, task: asyncio.Future[Any]) -> None:
        self._post_waits.discard(task)
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        # The coroutine itself is the task: cancelled before its first step (a Ctrl-C), it is
        # closed, never left unawaited.
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._waited)
        return task

    def _error(self, exc: BaseException, where: str) -> None:
        kind = error_kind(exc)
        self.summary.errors[kind] += 1
        self.reporter.warning(f"{where}: {exc}")

    # -- listings ---------------------------------------------------------------------------
    async def _target(self, target: Target) -> None:
        source = self.sources.get("kemono" if target.is_kemono else target.site)
        if source is None:
            self._error(KemopixError(f"no adapter for {target.site}"), str(target))
            return
        try:
            async for listing in source.listings(target):
                await self._listing(listing)
        except KemopixError as exc:
            self._error(exc, target.url)

    async def _listing(self, listing: Listing) -> None:
        settings = self.settings
        self.summary.listings += 1
        self.reporter.listing(listing.label)
        creator = listing.creator
        if creator is not None:
            self._creators.add((creator.site, creator.service, creator.id))
        mark = self.archive.watermark(listing.key)
        may_stop = listing.incremental and not settings.full and mark is not None and mark.complete
        known_run, stopped, error, broken = 0, False, None, False
        seen: set[PostKey] = set()
        details = Slots(settings.detail_concurrency)
        newest: Watermark = Watermark(listing.key, None, None, None, False)
        sweep = _Sweep()
        own_keys: set[PostKey] = set()  # the posts of a listing without a creator
        try:
            try:
                async for page in listing.pages():
                    # The archive is asked about the page's posts at once.
                    states = self.archive.post_states(e.key for e in page if e.problem is None)
                    for entry in page:
                        if entry.problem is not None:
                            self._error(DecodeError(entry.problem), listing.label)
                            broken = True  # the listing stays unfinished: looked at again
                            continue
                        if entry.key in seen:
                            continue  # paging shifted: this entry was on the previous page
                        seen.add(entry.key)
                        if listing.creator is None:
                            self._keys.add(entry.key)  # a post URL, favorites: no creator
                            own_keys.add(entry.key)
                        self.summary.posts_listed += 1
                        newest = _newer(newest, entry)
                        state = states.get(entry.key)
                        known = (
                            state is not None
                            and state.complete
                            and state.signature == self._signature(entry)
                            and not settings.full
                        )
                        if known:
                            self.summary.posts_known += 1
                            known_run += 1
                            if may_stop and known_run >= settings.overlap:
                                stopped = True
                                break
                            continue
                        known_run = 0
                        # A Discord message closes once its channel's page is rebuilt, after
                        # the listing: it cannot hold a place the listing would wait for.
                        holds = entry.key.service != "discord"
                        if holds and not self._open_posts.take_now():
                            await self._open_posts.take()
                        if not details.take_now():
                            await details.take()
                        task = self._loop.create_task(
                            self._post(listing, entry, state, details, sweep)
                        )
                        sweep.planning.add(task)
                        task.add_done_callback(partial(self._posted, sweep, holds))
                    if stopped:
                        break
            except KemopixError as exc:
                error = str(exc)
                self._error(exc, listing.label)
            while sweep.planning:
                # Woken once no post is being planned (a planned post's task goes on closing).
                sweep.planned = self._loop.create_future()
                await sweep.planned
        finally:
            for planning in sweep.planning:
                planning.cancel()  # cancelled or failed: the run ends
        if sweep.failure is not None:
            raise sweep.failure
        await self._render_transcripts()
        refetching = await self._upgrade(listing, own_keys)
        if refetching is not None:
            # Files fetched again belong to the sweep: it is complete only once they are back.
            sweep.closing.add(refetching)
            refetching.add_done_callback(partial(self._refetched, sweep))
        if not settings.dry_run:
            swept = not broken and (error is None or (mark is not None and mark.complete))
            self._wait(self._close_listing(listing.key, newest, swept, sweep))
        self.summary.listings_stopped_early += int(stopped)
        self.reporter.listing_done(listing.label, stopped_early=stopped, error=error)

    async def _close_listing(
        self,
        key: str,
        newest: Watermark,
        swept: bool,
        sweep: _Sweep,
    ) -> None:
        """Save the watermark once the posts are done: complete only if every one is."""
        while sweep.closing:
            await asyncio.wait(set(sweep.closing))
        complete = swept and sweep.complete
        self.archive.save_watermark(Watermark(key, newest.newest_published, None, None, complete))

    def _posted(self, sweep: _Sweep, holds: bool, task: asyncio.Task[bool]) -> None:
        """A post's task ended (planned, and closed when it had something to close): its
        outcome. A failure while planning is the listing's to raise, one while closing the
        run's (as any task's the run waits for)."""
        closing = task in sweep.closing
        sweep.closing.discard(task)
        self._post_waits.discard(task)
        if not closing:
            sweep.not_planning(task)
        if task.cancelled():
            sweep.complete = False
        elif (exc := task.exception()) is not None:
            sweep.complete = False
            if closing:
                if self._failure is None:
                    self._failure = exc
            elif sweep.failure is None:
                sweep.failure = exc
        else:
            sweep.complete = sweep.complete and task.result()
        if holds:
            self._open_posts.give()

    def _refetched(self, sweep: _Sweep, closing: asyncio.Future[bool]) -> None:
        sweep.closing.discard(closing)
        ok = not closing.cancelled() and closing.exception() is None and closing.result()
        sweep.complete = sweep.complete and ok

    async def _post(
        self,
        listing: Listing,
        entry: Listed,
        state: PostState | None,
        details: Slots,
        sweep: _Sweep,
    ) -> bool:
        """Plan one post, then close it (its task goes on: one task per post, not two);
        whether it ends complete."""
        try:
            post = await listing.complete(entry)
        except KemopixError as exc:
            self._error(exc, f"post {entry.key}")
            return False
        finally:
            details.give()
        if post is None:
            return True
        post.signature = self._signature(entry)
        closing = await self._plan(post, state)
        if isinstance(closing, bool):
            return closing
        # Planned: from here the run waits for this task, as for any closing, the listing not.
        task = asyncio.current_task()
        assert task is not None
        sweep.not_planning(task)
        sweep.closing.add(task)
        self._post_waits.add(task)
        return await closing

    def _signature(self, entry: Listed) -> str:
        return f"{entry.signature}/{self._filters_id}"

    # -- planning ---------------------------------------------------------------------------
    def _template(self, post: Post) -> Template:
        templates = self.settings.templates
        if post.key.service == "discord" and "discord" in templates:
            return templates["discord"]
        return (
            templates.get(post.key.site)
            or templates.get("pixiv" if post.key.site == "pixiv" else "kemono")
            or next(iter(templates.values()))
        )

    async def _plan(self, post: Post, state: PostState | None) -> Coroutine[Any, Any, bool] | bool:
        settings = self.settings
        reason = settings.filters.skip_post(post)
        if reason is not None:
            self.summary.posts_skipped += 1
            self.reporter.post_skipped(post, reason)
            if not settings.dry_run:
                self.archive.record_post(post, state)
                self.archive.set_complete(post.key)
            return True
        # Archived with the same content but unfinished (killed, failed) is resumed, not edited.
        update = state is not None and _content(state.signature) != _content(post.signature)
        template = self._template(post)
        base = post_fields(post)
        want_sizes = settings.sizes or settings.filters.needs_sizes or self.budget.needs_sizes
        sizes = await self._sizes(post) if want_sizes else {}
        planned, placed, held, known, moment = self._plan_files(post, template, base, state, sizes)
        if update:
            self.summary.posts_updated += 1
        elif state is None:
            self.summary.posts_new += 1
        else:
            self.summary.posts_unfinished += 1
        self.reporter.post_planned(post, planned, update=update)
        if settings.dry_run:
            return True
        revision = self.archive.record_post(post, state)
        family = _family(post.key)
        # Each planned file's path, absolute and relative to the root (the archive's key); the
        # paths the post claimed; whether the budget or an impossible name left a file out.
        kept: list[tuple[PlannedFile, str, str]] = []
        claimed: list[str] = []
        incomplete = False
        for p, w in zip(planned, placed, strict=True):
            incomplete = incomplete or p.blocking
            if w:
                claimed.append(w[1])
                if p.reason is None:
                    kept.append((p, *w))
        jobs: list[asyncio.Task[None]] = []
        fetches: list[FileRecord] = []
        dests: list[Path | None] = []
        animated: list[bool] = []
        # The disk helper makes the new folders and their part files before the downloads
        # start (a folder that existed when planned may hold a part: the download looks).
        fresh: list[str] = []  # the paths of those parts
        made: set[str] = set()  # the folders the helper makes
        # A file in a folder this run found missing, and makes now, has nothing at its path
        # nor in its part to look for (an existing folder keeps every check).
        new: list[bool] = []
        for plan, path, rel in kept:
            file = plan.file
            record = self.archive.plan_file(
                FileRecord(
                    path=rel,
                    key=post.key,
                    index=file.index,
                    url=file.url,
                    name=file.name,
                    kind=file.kind,
                    expected_sha256=file.sha256,
                    headers=file.headers,
                    size=file.size,
                    thumbnail=file.thumbnail,
                ),
                held.get(rel),  # paths are claimed per post: no other post's row is here
            )
            if file.ugoira is not None:
                self.animations.want(record.path, file.ugoira)
            if file.unavailable or (file.thumbnail and file.thumbnail != record.thumbnail):
                record = replace(
                    record,
                    unavailable=file.unavailable,
                    thumbnail=file.thumbnail or record.thumbnail,
                )
            settled = record.held == "original" or settings.quality == "thumbnail"
            on_disk = record.status == "done" and path in self._present
            if on_disk and not settled:
                # Held as a thumbnail: its original is new work, within the run's budget; over
                # it, the thumbnail stays (the post is complete with it) for a later run.
                over = self.budget.take(plan.size)
                if over is not None:
                    self.summary.files_skipped += 1
                    self.reporter.file_skipped(plan.path, file, over)
                    self._kept_thumbnails.add(record.path)  # not again after the sweep
                    continue
            if on_disk and settled:
                self.summary.files_present += 1
                if file.ugoira is not None:
                    jobs.append(self._spawn(self.animations.after(record)))
                continue
            fetches.append(record)
            dests.append(plan.path if self._plain_root else None)
            animated.append(file.ugoira is not None)
            folder = os.path.dirname(path)
            if not moment.exists(folder):
                fresh.append(path)
                made.add(folder)
            new.append(moment.absent(folder))
        ready = self._disk.make_parts(fresh) if fresh else None
        stamp = post_stamp(post.published)
        fetch: Callable[[], Awaitable[None]] | None = None
        if len(fetches) == 1 and not jobs and post.key.service != "discord":
            # The usual post of one file: its closing fetches it, one task less per post (a
            # Discord message's closing waits for its channel's transcript: not its file).
            one = fetches[0]
            fetch = partial(
                self._fetch,
                family,
                one,
                ready,
                stamp,
                fresh=new[0],
                shared=False,
                dest=dests[0],
                animated=animated[0],
            )
        else:
            shared = len(fetches) > 1
            jobs.extend(
                self._spawn(
                    self._fetch(family, r, ready, stamp, fresh=n, shared=shared, dest=d, animated=a)
                )
                for r, n, d, a in zip(fetches, new, dests, animated, strict=True)
            )
        # Sidecars are rendered here (their paths were checked while planning) and written by
        # the disk helper while the downloads run; the post completes once they are on disk.
        sidecars: asyncio.Future[None] | None = None
        try:
            if not _left_out_by_type(settings.filters, planned):
                sidecars = self._metadata(post, template, base, known, kept, revision, moment)
        except UnsafePathError as exc:
            self._error(exc, f"metadata of {post.key}")
        for folder in made:
            moment.made(folder)
        # A file left out by the budget or an impossible name keeps the post incomplete (above),
        # so the next run comes back for it (a filter's choice does not).
        closing = self._close_post(post, jobs, sidecars, incomplete, claimed, fetch)
        if post.key.service == "discord":
            closing = _after(self._rendered, closing)
        return closing  # awaited by the post's task, which the run then waits for

    def _metadata(
        self,
        post: Post,
        template: Template,
        base: dict[str, object],
        known: dict[str, str],
        kept: list[tuple[PlannedFile, str, str]],
        revision: int,
        moment: Resolved,
    ) -> asyncio.Future[None] | None:
        """Start writing the post's sidecars, or adding a Discord message to its channel's
        transcript (in the folder the template gives it); awaiting gives the sidecars written."""
        root, options = self.settings.root, self.settings.sidecars

        def path(name: str) -> str:
            return known.get(name) or str(template.sidecar_path(root, base, name))

        if post.key.service == "discord":
            if not options.json:
                return None
            log = Path(path(TRANSCRIPT_LOG))
            files = [(p.file, Path(path)) for p, path, _ in kept]
            adding = asyncio.ensure_future(asyncio.to_thread(self._transcribe, log, post, files))
            self._transcribing.append(adding)
            return adding
        where = [(p.file, rel) for p, _, rel in kept]
        # JSON left compact and Markdown as HTML: the disk helper makes them (off the loop).
        rendered = render_sidecars(post, path, where, revision, options, defer=True)
        rendered.fresh = not moment.exists(rendered.folder)
        moment.made(rendered.folder)
        return self._disk.write_files(*rendered.job())

    def _transcribe(self, log: Path, post: Post, kept: list[tuple[RemoteFile, Path]]) -> None:
        self._transcripts.append(log, post, kept)  # counted once the listing's pages are rebuilt

    async def _render_transcripts(self) -> None:
        """Rebuild the readable page of the transcripts the listing added to; only then do
        its messages count as archived (a kill before leaves them to the next run)."""
        rendered, self._rendered = self._rendered, asyncio.Event()
        adding, self._transcribing = self._transcribing, []
        try:
            # Every message of the listing is in its transcript before the page is made from
            # them (an error adding one is the message's to report, when its post closes).
            await asyncio.gather(*adding, return_exceptions=True)
            if self._transcripts.stale():  # (a thread's hop, and the executor's, else)
                await asyncio.to_thread(self._transcripts.render)
        except OSError as exc:
            if stops_the_run(exc):
                raise
            self._error(exc, "Discord transcript")
        finally:
            rendered.set()

    def _plan_files(
        self,
        post: Post,
        template: Template,
        base: dict[str, object],
        state: PostState | None,
        sizes: dict[str, int],
    ) -> tuple[
        list[PlannedFile],
        list[tuple[str, str] | None],
        dict[str, FileRecord],
        dict[str, str],
        Resolved,
    ]:
        """The post's files with their paths (or why not), each planned file's path (absolute,
        and relative to the root), the archive's rows of the post, the paths of its sidecars
        and what the path checks saw of the folders; ``sizes``: those the servers announced."""
        settings = self.settings
        root = settings.root
        out: list[PlannedFile] = []
        paths: list[tuple[str, str] | None] = []
        # Path checks touch the disk (symlinks are resolved) but take microseconds: a thread
        # hop per post cost more (GIL hand-offs with the loop) than it saved.
        moment = self._resolved.moment()
        placed, known, present = _place(root, template, base, post.files, moment)
        sidecars = set(known.values())
        # No await from here to the end of _plan: paths are claimed without interleaving.
        self._present.update(present)
        # A post the archive never recorded has no file rows (they are written after it).
        held = {r.path: r for r in self.archive.files_of(post.key)} if state is not None else {}
        rels: dict[str, str] = {}
        unclaimed: list[str] = []  # the relative paths to ask the archive about
        for where in placed:
            if isinstance(where, str) and where not in rels:
                rel = rels[where] = relative_posix(self._base, where)
                if rel not in self._claimed:
                    unclaimed.append(rel)
        names = _Names(self._base, post.key, sidecars, self._claimed, self.archive)
        names.ask(unclaimed)
        for file, where in zip(post.files, placed, strict=True):
            size = file.size if file.size is not None else sizes.get(file.url)
            reason = settings.filters.skip_file(file, size)
            if reason is not None:
                out.append(PlannedFile(file, None, size, reason))
                paths.append(None)
                self.summary.files_skipped += 1
                self.reporter.file_skipped(None, file, reason)
                continue
            if isinstance(where, UnsafePathError):
                out.append(PlannedFile(file, None, size, str(where), blocking=True))
                paths.append(None)
                self.summary.files_failed += 1
                self.reporter.file_skipped(None, file, str(where))
                continue
            path, rel = names.claim(where, rels[where])
            if path != where and _is_file(path):  # a renamed path: rare, checked here
                self._present.add(path)
            prior = held.get(rel)
            already = (
                prior is not None
                and prior.status == "done"
                and prior.url == file.url
                and path in self._present
            )
            over = None if already else self.budget.take(size)
            paths.append((path, rel))
            if over is not None:
                out.append(PlannedFile(file, Path(path), size, over, blocking=True))
                self.summary.files_skipped += 1
                self.reporter.file_skipped(out[-1].path, file, over)
                continue
            out.append(PlannedFile(file, Path(path), size))
            self.summary.files_planned += 1
            self.summary.bytes_planned += size or 0
        return out, paths, held, known, moment

    async def _sizes(self, post: Post) -> dict[str, int]:
        family = _family(post.key)
        return await self._head_sizes(
            [(f.url, f.headers, family) for f in post.files if f.size is None]
        )

    async def _head_sizes(
        self, files: list[tuple[str, tuple[tuple[str, str], ...], str]]
    ) -> dict[str, int]:
        """The sizes the servers announce for ``(url, headers, family)`` (HEAD)."""

        async def one(url: str, headers: dict[str, str], family: str) -> tuple[str, int | None]:
            try:
                size = await self.network.run(family, head_size(url, headers))
            except KemopixError:
                size = None
            return url, size

        results = await asyncio.gather(*(one(u, dict(h), f) for u, h, f in files))
        return {url: size for url, size in results if size is not None}

    # -- downloads --------------------------------------------------------------------------
    async def _fetch(
        self,
        family: str,
        record: FileRecord,
        ready: asyncio.Future[None] | None = None,
        mtime: float | None = None,
        *,
        fresh: bool = False,
        shared: bool = True,
        dest: Path | None = None,
        animated: bool = True,
    ) -> None:
        """Fetch ``record``; ``animated``: an animation may be wanted of it (``False`` when
        planning knows none is)."""
        path = self.settings.root / record.path if dest is None else dest
        if ready is not None:
            with contextlib.suppress(OSError):  # else the download makes them, or says why not
                # Shared by the post's files: one cancelled must not cancel it for the others.
                await (asyncio.shield(ready) if shared else ready)
        slots = self._slots
        if not slots.take_now():
            await slots.take()
        try:
            task = self.reporter.file_task(path, record.size)
            outcome = "failed"
            try:
                outcome, size = await self.fetcher.fetch(
                    family, record, task, mtime, fresh=fresh, dest=path
                )
            except KemopixError as exc:
                self.archive.fail_file(record.path, str(exc))
                self.summary.files_failed += 1
                return
            except OSError as exc:
                task.failed(str(exc))
                if stops_the_run(exc):
                    raise  # no other file can be written either: one line, exit status 5
                self.archive.fail_file(record.path, f"disk: {exc}")
                self.summary.files_failed += 1
                return
            finally:
                if ready is not None and outcome not in ("downloaded", "resumed"):
                    drop_empty_part(str(path))
            if outcome == "downloaded":  # the usual outcome, looked at first
                self.summary.files_downloaded += 1
                self.summary.bytes_downloaded += size
            elif outcome in ("thumbnail", "kept"):
                self.summary.files_thumbnail += 1
                self.summary.bytes_downloaded += size
            elif outcome == "unavailable":
                self.summary.files_unavailable += 1
            elif outcome == "upgraded":
                self.summary.files_upgraded += 1
                self.summary.bytes_downloaded += size
            elif outcome in ("linked", "copied"):
                self.summary.files_linked += 1
            elif outcome == "skipped":
                self.summary.files_present += 1
            else:
                self.summary.files_resumed += int(outcome == "resumed")
                self.summary.bytes_downloaded += size
        finally:
            slots.give()
        if animated:
            await self.animations.after(record)

    async def _close_retry(
        self, key: PostKey, jobs: list[asyncio.Task[None]], claimed: list[str]
    ) -> bool:
        """Mark the post complete when every file is again; whether it is. A post whose last
        planning left something out (a budget, an unsafe name, its sidecars) is not: its
        recorded files are not all it needs, and only planning it again can tell."""
        try:
            if jobs:
                await asyncio.gather(*jobs)
            if self._routed:
                await self.archive.synced()  # the records of the files just fetched
            records = self.archive.files_of(key)
            state = self.archive.post_state(key)
            complete = (
                state is not None
                and not state.replan
                and bool(records)
                and all(r.status in SETTLED for r in records)
            )
            if complete:
                self.archive.set_complete(key)
            # A file fetched again gets the post's date, like the first time.
            published = _parse_iso(self.archive.post_published(key))
            done = [self.settings.root / r.path for r in records if r.status == "done"]
            await asyncio.to_thread(set_mtime, done, published)
            return complete
        finally:
            self._release(claimed, key)

    async def _close_post(
        self,
        post: Post,
        jobs: list[asyncio.Task[None]],
        writing: asyncio.Future[None] | None,
        incomplete: bool,
        claimed: list[str],
        fetch: Callable[[], Awaitable[None]] | None = None,
    ) -> bool:
        """Fetch the post's file when ``fetch`` is given, then mark the post complete when
        every file is; whether it is. The post's paths are no longer claimed in memory: the
        archive's records say whose they are."""
        try:
            if fetch is not None:
                try:
                    await fetch()
                except BaseException:
                    if writing is not None:  # its error, if any, is not the one to report
                        writing.add_done_callback(_retrieve)
                    raise
            if writing is not None:
                try:
                    await writing
                except (OSError, UnsafePathError) as exc:
                    if stops_the_run(exc):
                        raise
                    self._error(exc, f"metadata of {post.key}")
                    # Sidecars not written: the next run plans the post again and writes them.
                    incomplete = incomplete or isinstance(exc, OSError)
            if len(jobs) == 1:
                await jobs[0]  # the usual post of one file: no gathering future
            elif jobs:
                await asyncio.gather(*jobs)
            # Left unfinished on purpose (or without its sidecars): only planning it again may
            # complete it. Unfinished by its files alone: fetching them again may.
            return await self.archive.settle(post.key, incomplete)  # files dated as written
        finally:
            self._release(claimed, post.key)

    def _release(self, claimed: list[str], key: PostKey) -> None:
        """``key``'s paths are no longer claimed in memory (the archive says whose they are,
        once its writes are committed: routed, at the next commit)."""
        if self._routed:
            self._releasing.append((claimed, key))
        else:
            self._release_now(claimed, key)

    def _release_now(self, claimed: list[str], key: PostKey) -> None:
        for rel in claimed:
            if self._claimed.get(rel) == key:
                del self._claimed[rel]


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # looked at: asyncio does not log it as never retrieved


class _Sweep:
    """What a listing's posts come to: whether every one is complete, and the posts still
    being planned or closed (their tasks, each dropped once done)."""

    __slots__ = ("closing", "complete", "failure", "planned", "planning")

    def __init__(self) -> None:
        self.complete = True
        self.failure: BaseException | None = None
        self.planning: set[asyncio.Future[bool]] = set()
        self.closing: set[asyncio.Future[bool]] = set()
        self.planned: asyncio.Future[None] | None = None  # set once planning is empty

    def not_planning(self, task: asyncio.Future[bool]) -> None:
        """``task`` plans no more (it closes its post, or ended)."""
        self.planning.discard(task)
        planned = self.planned
        if not self.planning and planned is not None and not planned.done():
            planned.set_result(None)


def _content(signature: str) -> str:
    return signature.split("/", 1)[0]


def _family(key: PostKey) -> str:
    return "pixiv" if key.site == "pixiv" else "kemono"


def _newer(mark: Watermark, entry: Listed) -> Watermark:
    if entry.published is None:
        return mark
    stamp = isoformat(entry.published)
    if mark.newest_published is None or stamp > mark.newest_published:
        return Watermark(mark.listing, stamp, None, None, False)
    return mark


def _place(
    root: Path,
    template: Template,
    base: dict[str, object],
    files: list[RemoteFile],
    resolved: Resolved,
) -> tuple[list[str | UnsafePathError], dict[str, str], set[str]]:
    """Each file's safe path (or the reason it cannot have one), the post's sidecar paths, and
    which of the files' paths already hold a file."""
    out: list[str | UnsafePathError] = []
    present: set[str] = set()
    folder = template.folder(root, base, resolved)  # the post's: cleaned and checked once
    for file in files:
        fields = file_fields(base, file)
        try:
            if template.per_post:
                path = folder.path(template.file_name(fields))
            else:
                path = str(template.file_path(root, fields, resolved))
        except UnsafePathError as exc:
            out.append(exc)
            continue
        out.append(path)
        # A new post's folder does not exist yet: no file in it to look for.
        if resolved.exists(os.path.dirname(path)) and _is_file(path):
            present.add(path)
    sidecars: dict[str, str] = {}
    names = sidecar_names(str(base["id"]))
    if base.get("service") == "discord":
        names = TRANSCRIPT_NAMES  # a Discord message's metadata is its channel's transcript
    try:
        sidecars = dict(zip(names, folder.paths(names, part=False), strict=True))
    except UnsafePathError:
        pass  # reported when the sidecars are written
    return out, sidecars, present


def _is_file(path: str) -> bool:
    return Path(path).is_file()


class _Names:
    """Gives each file of a post a path no other file has: not another file of this post, not
    a sidecar, not a file another post holds (in this run or in the archive). A taken path
    becomes ``name (2).ext``, ``name (3).ext``...; so any template keeps every file."""

    def __init__(
        self,
        base: str,
        key: PostKey,
        sidecars: set[str],
        claimed: dict[str, PostKey],
        archive: ArchiveStore,
    ) -> None:
        self.base = base  # the root's absolute path
        self.key = key
        self.taken = sidecars  # the caller's own set, grown with the files' paths
        self.claimed = claimed
        self.archive = archive
        self.asked: set[str] = set()
        self.known: dict[str, PostKey] = {}  # owners in the archive of the paths asked about

    def ask(self, rels: Iterable[str]) -> None:
        """Learn the archive's owners of ``rels`` in one query."""
        wanted = [r for r in rels if r not in self.asked]
        self.asked.update(wanted)
        self.known.update(self.archive.owners(wanted))

    def _free(self, path: str, rel: str) -> bool:
        if path in self.taken:
            return False
        if rel not in self.claimed and rel not in self.asked:
            self.ask([rel])  # a renamed candidate: rare
        owner = self.claimed.get(rel) or self.known.get(rel)
        return owner is None or owner == self.key

    def claim(self, path: str, rel: str) -> tuple[str, str]:
        """A free path for ``path`` (``rel``: its relative path), and its relative path."""
        candidate, number = path, 1
        while not self._free(candidate, rel):
            number += 1
            first = Path(path)
            candidate = str(first.with_name(f"{first.stem} ({number}){first.suffix}"))
            rel = relative_posix(self.base, candidate)
        self.taken.add(candidate)
        self.claimed[rel] = self.key
        return candidate, rel


async def _after(event: asyncio.Event, work: Awaitable[T]) -> T:
    await event.wait()
    return await work


def _left_out_by_type(filters: Filters, planned: list[PlannedFile]) -> bool:
    """A ``--type``/``--exclude-type`` run and not one file of the post is wanted: the post
    gets no folder and no sidecars (it is still recorded, so it is not looked at again)."""
    if not planned:
        return bool(filters.types)  # a text post has no video; it is no excluded type either
    if not (filters.types or filters.exclude_types):
        return False
    return all(p.path is None and not p.blocking for p in planned)


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
