"""The I/O layer: transports (requests, aiohttp), the two flow drivers, paging iterators."""

from typing import TYPE_CHECKING, Any

from .drivers import SYSTEM_CLOCK, AsyncRunner, SyncRunner, SystemClock
from .paging import aiter_items, aiter_pages, iter_items, iter_pages
from .transport_aiohttp import AiohttpTransport

if TYPE_CHECKING:
    from .transport_requests import RequestsTransport

__all__ = [
    "SYSTEM_CLOCK",
    "AiohttpTransport",
    "AsyncRunner",
    "RequestsTransport",
    "SyncRunner",
    "SystemClock",
    "aiter_items",
    "aiter_pages",
    "iter_items",
    "iter_pages",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: async-only programs (the downloader) never load requests.
    if name == "RequestsTransport":
        from .transport_requests import RequestsTransport

        return RequestsTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
