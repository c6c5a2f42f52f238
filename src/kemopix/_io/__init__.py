"""The I/O layer: transports (requests, aiohttp), the two flow drivers, paging iterators."""

from .drivers import SYSTEM_CLOCK, AsyncRunner, SyncRunner, SystemClock
from .paging import aiter_items, aiter_pages, iter_items, iter_pages
from .transport_aiohttp import AiohttpTransport
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
