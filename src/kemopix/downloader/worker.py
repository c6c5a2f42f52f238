"""A thread that runs blocking jobs in order for the event loop, cheaply.

``ThreadPoolExecutor`` plus ``asyncio.wrap_future`` costs a semaphore and two locks per job,
which the loop and the worker fight over for the GIL (measured: 6 % of the loop's time at
three jobs per post). Here a job is one put on a ``SimpleQueue`` and its result one
``call_soon_threadsafe``. :meth:`SerialWorker.aclose` ends the thread once the jobs given are
done. The thread is a daemon: a process that exits (a run stopped) does not wait for queued
jobs (each is a file written atomically or made empty, so a job not run loses nothing the
next run does not redo).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

__all__ = ["SerialWorker"]

T = TypeVar("T")
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


class SerialWorker:
    """One thread running jobs in the order they were given."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: SimpleQueue[_Job] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def run(self, work: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Queue ``work(*args)``; the future gives its result or raises its error."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._closed:
            future.cancel()
            return future
        self._jobs.put((loop, future, work, args))
        if self._thread is None:
            self._start()
        return future

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
                self._thread.start()

    async def aclose(self) -> None:
        """End the thread once the jobs given are done, and wait for it: nothing it was given
        writes after this; a job given later is cancelled."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is None or not thread.is_alive():
            return
        loop = asyncio.get_running_loop()
        gone: asyncio.Future[Any] = loop.create_future()
        self._jobs.put((loop, gone, _stop, ()))
        await gone
        thread.join(1.0)  # it returns right after saying so: microseconds

    def _serve(self) -> None:
        while True:
            loop, future, work, args = self._jobs.get()
            if work is _stop:
                _deliver(loop, future, None, None)
                return
            try:
                result = work(*args)
            except BaseException as exc:  # handed to the awaiting task, whatever it is
                _deliver(loop, future, None, exc)
            else:
                _deliver(loop, future, result, None)


def _stop() -> None:
    """The job that ends the thread."""


def _deliver(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    try:
        loop.call_soon_threadsafe(_settle, future, result, error)
    except RuntimeError:
        pass  # the loop is closed: nobody waits any more


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return  # cancelled meanwhile
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
