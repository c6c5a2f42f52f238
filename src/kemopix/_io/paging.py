"""Page-by-page iteration over paged flows, sync and async: the only twin loops of paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

from .._protocol.flow import Flow
from .._protocol.paging import Page

__all__ = ["aiter_items", "aiter_pages", "iter_items", "iter_pages"]

T = TypeVar("T")
C = TypeVar("C")

PageStep = Callable[[C], Flow[Page[T, C]]]
SyncRun = Callable[[Flow[Page[T, C]]], Page[T, C]]
AsyncRun = Callable[[Flow[Page[T, C]]], Awaitable[Page[T, C]]]


def iter_pages(
    run: Callable[[Flow[Page[T, C]]], Page[T, C]], step: PageStep[C, T], start: C
) -> Iterator[Page[T, C]]:
    """Fetch pages lazily: one request when the previous page has been consumed."""
    cursor: C | None = start
    while cursor is not None:
        page = run(step(cursor))
        yield page
        cursor = page.next


async def aiter_pages(
    run: AsyncRun[T, C], step: PageStep[C, T], start: C
) -> AsyncIterator[Page[T, C]]:
    """The async twin of :func:`iter_pages`."""
    cursor: C | None = start
    while cursor is not None:
        page = await run(step(cursor))
        yield page
        cursor = page.next


def iter_items(
    run: Callable[[Flow[Page[T, C]]], Page[T, C]], step: PageStep[C, T], start: C
) -> Iterator[T]:
    """Every item of every page, streaming."""
    for page in iter_pages(run, step, start):
        yield from page.items


async def aiter_items(run: AsyncRun[T, C], step: PageStep[C, T], start: C) -> AsyncIterator[T]:
    """The async twin of :func:`iter_items`."""
    async for page in aiter_pages(run, step, start):
        for item in page.items:
            yield item
