"""Where a run's post folders and sidecars are written: a helper process, else a thread.

Making a file costs the kernel an inode (0.1-0.7 ms each on the ext4 disks measured here), more
than all the Python a small download runs, so the event loop does not do it. A thread would
do it at a price: every system call a thread makes hands the GIL over, and the loop then
waits for it back after its own calls (measured, 2,000 posts: SQLite calls 18 -> 46 us,
socket sends 75 -> 192 us). So on POSIX a small helper process (``disk_ops.py``, started in
~20 ms on the standard library) does the work, finishes the sidecars the loop leaves to it
(indenting JSON, converting HTML to Markdown), writes the small bodies the downloader has
verified (a file's open, write, date, close and rename: a tenth of the loop's time per small
file) and, for a download, makes the archive's writes (:class:`Route`): jobs go to it
pickled, those of a few milliseconds in one frame, and its answers come back the same way.
Where the loop cannot watch a pipe (Windows' proactor loop) or the helper cannot start, the
same functions run in a thread.
"""

from __future__ import annotations

import _thread
import asyncio
import contextlib
import errno
import os
import sqlite3
import subprocess
from collections import deque
from itertools import islice
from typing import Any

from . import disk_helper, disk_ops
from .worker import SerialWorker

__all__ = ["DiskWorker", "Route"]

BATCH_SECONDS = 0.005
_IOV_MAX = 512  # buffers given to one writev (Linux takes 1,024)
# Bodies that may wait for the helper at once: a healthy one answers within its next look
# (at most about 20 at 2,000 files a second); more means a disk slower than the helper.
PUT_BACKLOG = 32
PIPE_BYTES = 1 << 20  # the jobs' pipe (64 KiB by default; 1 MiB is Linux's unprivileged most)


class DiskWorker:
    """Runs ``disk_ops`` jobs for one event loop, in order; :meth:`aclose` when done."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: SerialWorker | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._serial = 0
        self._ledger_error: BaseException | None = None  # the archive's writes failed
        self._jobs: list[tuple[int, str, tuple[Any, ...]]] = []  # the next write's, one frame
        # What the helper has not read yet: frames (a header, then pickled jobs), in order.
        self._out: deque[bytes | memoryview] = deque()
        self._in = bytearray()
        self._puts: set[int] = set()  # the bodies given and not yet answered (their ids)
        self._flushing = False
        self._sent = float("-inf")  # when the last batch was written (the loop's clock)
        self._writing = False

    def make_parts(self, finals: list[str]) -> asyncio.Future[None]:
        """The folders and empty ``.part`` files of ``finals``."""
        return self._run("make_parts", finals)

    def put_file(self, final: str, data: bytes, mtime: float | None) -> asyncio.Future[None] | None:
        """A download's whole verified body, written to ``final`` (``disk_ops.put_file``);
        None, declined, while ``PUT_BACKLOG`` bodies wait for the helper (a slow disk: the
        loop then writes some files itself, beside the helper, rather than queue them all)."""
        if len(self._puts) >= PUT_BACKLOG:
            return None
        future = self._run("put_file", final, data, mtime)
        if self._proc is not None:
            self._puts.add(self._serial)
        return future

    @property
    def in_process(self) -> bool:
        """Whether a helper process does the work (not a thread, which would cost the loop the
        GIL for each of its system calls)."""
        return self._proc is not None

    def write_files(
        self,
        folder: str,
        files: list[tuple[str, bytes]],
        keep_previous: tuple[str, str] | None,
        mtime: float | None,
        fresh: bool,
        compact: tuple[str, ...] = (),
        markdown: tuple[str, str, str] | None = None,
    ) -> asyncio.Future[None]:
        """A post's sidecars (see :func:`disk_ops.write_files`)."""
        args = (folder, files, keep_previous, mtime, fresh, compact, markdown)
        return self._run("write_files", *args)

    def route(self, path: str) -> Route | None:
        """The archive at ``path`` written by the helper (None: there is no helper)."""
        self._begin(asyncio.get_running_loop())
        return None if self._proc is None else Route(self, path)

    def _begin(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is None:
            self._loop = loop
            self._start(loop)

    def _run(self, name: str, *args: Any, now: bool = False) -> asyncio.Future[Any]:
        loop = self._loop
        if loop is None:
            loop = asyncio.get_running_loop()
            self._begin(loop)
        if self._proc is None:
            if self._thread is None:
                self._thread = SerialWorker("kemopix-disk")
            return self._thread.run(disk_ops.OPERATIONS[name], *args)
        self._serial += 1
        future: asyncio.Future[Any] = loop.create_future()
        self._pending[self._serial] = future
        self._send(self._serial, name, args)
        if now:
            self._flush()  # not after the batch's few milliseconds (the run's last wait)
        return future

    def _send(self, ident: int, name: str, args: tuple[Any, ...]) -> None:
        self._jobs.append((ident, name, args))
        loop = self._loop
        if not self._flushing and loop is not None:
            self._flushing = True
            # The jobs of a few milliseconds in one write (the helper looks as often); the
            # first after a quiet spell (the run's first post, its last) goes with those of
            # the same turn of the loop, not a batch later.
            if loop.time() - self._sent >= BATCH_SECONDS:
                loop.call_soon(self._flush)
            else:
                loop.call_later(BATCH_SECONDS, self._flush)

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        # One started before the run (``kemopix download``: beside its imports), else now.
        proc = disk_helper.take_early() or disk_helper.spawn()
        if proc is None:
            return  # no helper: the thread does the work
        assert proc.stdin is not None
        assert proc.stdout is not None
        import fcntl  # (POSIX only)

        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: a batch of small bodies in one write
            with contextlib.suppress(OSError):
                fcntl.fcntl(proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        os.set_blocking(proc.stdin.fileno(), False)
        os.set_blocking(proc.stdout.fileno(), False)
        loop.add_reader(proc.stdout.fileno(), self._read)
        self._proc = proc

    def _flush(self) -> None:
        self._flushing = False
        proc, loop = self._proc, self._loop
        if loop is not None:
            self._sent = loop.time()
        if self._jobs:
            # The jobs of a few milliseconds pickled together (a frame each cost more; the
            # texts its jobs share, paths and statements, are pickled once).
            # (written as they are: a body in a job is copied once, by pickle)
            self._out.extend(disk_ops.frame_parts(self._jobs))
            self._jobs = []
        if proc is None or proc.stdin is None or loop is None or not self._out:
            return
        out = self._out
        try:
            sent = os.writev(proc.stdin.fileno(), list(islice(out, _IOV_MAX)))
        except BlockingIOError:
            sent = 0
        except OSError as exc:  # the helper is gone
            self._fail(exc)
            return
        while sent:
            first = out[0]
            if len(first) > sent:
                out[0] = memoryview(first)[sent:]
                break
            sent -= len(first)
            out.popleft()
        if out and not self._writing:
            self._writing = True  # the pipe is full: go on when the helper has read some
            loop.add_writer(proc.stdin.fileno(), self._flush)
        elif not out and self._writing:
            self._writing = False
            loop.remove_writer(proc.stdin.fileno())

    def _read(self) -> None:
        proc = self._proc
        assert proc is not None
        assert proc.stdout is not None
        try:
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(exc)
            return
        if not chunk:
            self._fail(OSError(errno.EPIPE, "the disk helper process ended"))
            return
        self._in += chunk
        pending = self._pending
        for answers in disk_ops.frames(self._in):
            for ident, error, *rows in answers:
                failure = None if error is None else _failure(error)
                if failure is not None and (ident == 0 or error[2] == disk_ops.LEDGER):
                    self._ledger_error = self._ledger_error or failure
                self._puts.discard(ident)
                future = pending.pop(ident, None)
                if future is None or future.done():
                    continue
                if failure is None:
                    future.set_result(rows[0] if rows else None)
                else:
                    future.set_exception(failure)

    def _fail(self, exc: OSError) -> None:
        """The helper is gone: its jobs fail (the engine reports them); new ones use a thread.
        The archive's writes it had are lost with it: every later one fails."""
        self._ledger_error = self._ledger_error or OSError(
            exc.errno, f"disk helper: {exc.strerror or exc}"
        )
        pending, self._pending = self._pending, {}
        self._puts.clear()
        self._out.clear()  # jobs never sent: they fail with the rest
        self._jobs.clear()
        for future in pending.values():
            if not future.done():
                future.set_exception(OSError(exc.errno, f"disk helper: {exc.strerror or exc}"))
        self._stop_watching()
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                proc.wait(timeout=1)
            disk_helper.close_pipes(proc)

    def _stop_watching(self) -> None:
        proc, loop = self._proc, self._loop
        if proc is None or loop is None or loop.is_closed():
            return
        assert proc.stdin is not None
        assert proc.stdout is not None
        with contextlib.suppress(Exception):
            loop.remove_reader(proc.stdout.fileno())
        if self._writing:
            with contextlib.suppress(Exception):
                loop.remove_writer(proc.stdin.fileno())
            self._writing = False

    async def aclose(self) -> None:
        """Wait for the answers of the jobs given, then end the helper (or the thread)."""
        if self._thread is not None:
            await self._thread.aclose()
        if self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)
        self._stop_watching()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        disk_helper.close_pipes(proc)
        # Every job answered: the helper has nothing left to write and ends when it sees the
        # end of its input (within its 5 ms look); the run need not wait for that (its polls
        # cost 5-15 ms at the end of every run), a thread collects the exit status. A job still
        # in _pending (answers take theirs out) had its waiter cancelled (Ctrl-C) and may be
        # running: then the helper must be gone before the folder's lock is, so no write of
        # this run lands beside the next one's.
        if self._pending:
            await asyncio.to_thread(disk_helper.reap, proc)
        else:
            # A bare thread: threading's start() waits until the new thread runs, up to a
            # few milliseconds at the end of every run on a busy machine.
            _thread.start_new_thread(disk_helper.reap, (proc,))


class Route:
    """An archive's writes, made by the disk helper in the order given (``disk_ops.Ledger``):
    the SQLite work of each record leaves the event loop. Statements are sent without waiting
    for them; :meth:`query` and :meth:`commit` answer. After a failure (a full disk, the
    helper gone) every write raises it: what was sent since the last commit is lost."""

    def __init__(self, worker: DiskWorker, path: str) -> None:
        self._worker = worker
        self._path = path

    def failure(self) -> BaseException | None:
        return self._worker._ledger_error

    def execute(self, sql: str, params: tuple[object, ...]) -> None:
        """Run ``sql`` in turn, no answer awaited (a failure is raised by a later call)."""
        self._check()
        self._worker._send(0, disk_ops.ARCHIVE_JOB, (self._path, sql, params))

    def query(self, sql: str, params: tuple[object, ...]) -> asyncio.Future[list[Any]]:
        """Run ``sql`` in turn; the rows it returns."""
        self._check()
        return self._worker._run(disk_ops.ARCHIVE_JOB, self._path, sql, params)

    def commit(self, *, close: bool = False) -> asyncio.Future[list[Any]]:
        """Commit what was sent (and, with ``close``, end the helper's connection)."""
        self._check()
        return self._worker._run(
            disk_ops.ARCHIVE_JOB, self._path, None, ("close",) if close else (), now=close
        )

    def _check(self) -> None:
        failure = self._worker._ledger_error
        if failure is not None:
            raise failure


def _failure(error: tuple[int | None, str, str | None]) -> BaseException:
    """The exception an answer's error stands for: an archive statement's sqlite3 error
    (named in its text), else an OSError."""
    code, message, filename = error
    if filename == disk_ops.LEDGER:
        name, _, text = message.partition(": ")
        kind = getattr(sqlite3, name, None)
        if isinstance(kind, type) and issubclass(kind, sqlite3.Error):
            return kind(text)
        return sqlite3.Error(message)
    return OSError(code, message, filename)
