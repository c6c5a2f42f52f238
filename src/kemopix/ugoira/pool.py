"""``UgoiraEncoder``: encode ugoira in worker processes while downloads go on.

Encoding is CPU work (Pillow holds the GIL for much of it), so it runs in a process pool and
the event loop, or the download threads, only wait on futures. Workers start with
``forkserver`` where the platform has it (``spawn`` elsewhere): forking a process that runs
threads or an event loop is unsafe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Self

from .._protocol.errors import InvalidInput
from .encode import encode_ugoira
from .errors import EncodeFailed, UgoiraError
from .frames import Frame, UgoiraFormat

__all__ = ["UgoiraEncoder", "default_workers"]


def default_workers() -> int:
    """One worker per core, less one for the downloads, between 1 and 4."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class _Job(Future[Path]):
    """The caller's future for one encode, mirroring the pool's future.

    ``cancel()`` cancels the pool's job, so it fails (returns False) once the encode runs, and
    a worker that died (``BrokenProcessPool``) is reported as :class:`EncodeFailed`.
    """

    def __init__(self, inner: Future[Path]) -> None:
        super().__init__()
        self._inner = inner
        inner.add_done_callback(self._relay)

    def cancel(self) -> bool:
        return self._inner.cancel()

    def running(self) -> bool:
        return self._inner.running()

    def _relay(self, inner: Future[Path]) -> None:
        if inner.cancelled():
            super().cancel()
            self.set_running_or_notify_cancel()  # wakes wait() / as_completed() callers
            return
        exc = inner.exception()
        if isinstance(exc, BrokenProcessPool):
            failed = EncodeFailed("an ugoira worker process died (killed, or out of memory)")
            failed.__cause__ = exc
            exc = failed
        if exc is None:
            self.set_result(inner.result())
        else:
            self.set_exception(exc)


class UgoiraEncoder:
    """A pool of processes running :func:`encode_ugoira`; use it as a (async) context manager.

    ``submit`` returns a :class:`concurrent.futures.Future`, ``await encode(...)`` the path.
    Workers start on first use. ``close`` waits for running encodes; ``cancel_pending=True``
    drops the queued ones. A pool broken by a dead worker is replaced on the next submit.
    """

    def __init__(self, max_workers: int | None = None, *, ffmpeg: str | None = None) -> None:
        if max_workers is not None and max_workers < 1:
            raise InvalidInput("max_workers must be at least 1")
        self.max_workers = max_workers or default_workers()
        self._ffmpeg = ffmpeg
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.max_workers, mp_context=_context())
        return self._executor

    def submit(
        self, zip_path: Path, frames: Sequence[Frame], dest: Path, fmt: UgoiraFormat | str
    ) -> Future[Path]:
        """Queue one encode; the future gives ``dest`` or raises what ``encode_ugoira`` raises."""
        args = (Path(zip_path), tuple(frames), Path(dest), UgoiraFormat.parse(fmt))
        with self._lock:
            if self._closed:
                raise UgoiraError("the ugoira encoder is closed")
            try:
                inner = self._pool().submit(encode_ugoira, *args, ffmpeg=self._ffmpeg)
            except BrokenProcessPool:
                broken, self._executor = self._executor, None
                if broken is not None:
                    broken.shutdown(wait=False, cancel_futures=True)
                inner = self._pool().submit(encode_ugoira, *args, ffmpeg=self._ffmpeg)
        return _Job(inner)

    async def encode(
        self, zip_path: Path, frames: Sequence[Frame], dest: Path, fmt: UgoiraFormat | str
    ) -> Path:
        """Encode in the pool without blocking the event loop; cancelling drops a queued job."""
        return await asyncio.wrap_future(self.submit(zip_path, frames, dest, fmt))

    def close(self, *, cancel_pending: bool = False) -> None:
        """Stop accepting work and wait for the workers to finish and exit."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=cancel_pending)

    async def aclose(self, *, cancel_pending: bool = False) -> None:
        """``close`` from async code, waiting in a thread so the loop keeps running."""
        await asyncio.to_thread(self.close, cancel_pending=cancel_pending)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(cancel_pending=exc_type is not None)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose(cancel_pending=exc_type is not None)
