"""Module-level raw verbs: ``await get(ks, "/app_version")`` is ``await ks.get("/app_version")``.

assumption: the original's module functions took the session first; here they delegate to
``KemoSession``'s verbs (which add the site's Accept header and keep its cookies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp

from ._request_types import MethodLike

if TYPE_CHECKING:
    from ..sessions.session import KemoSession

__all__ = [
    "MOST_COMMON_DATA_SV",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
]

MOST_COMMON_DATA_SV = 3


async def request(
    kemo_session: KemoSession, method: MethodLike, endpoint: str, **kwargs: Any
) -> aiohttp.ClientResponse:
    """A raw request through ``kemo_session``; the caller reads and releases the response."""
    return await kemo_session.request(str(method), endpoint, **kwargs)


async def get(kemo_session: KemoSession, endpoint: str, **kwargs: Any) -> aiohttp.ClientResponse:
    return await kemo_session.request("GET", endpoint, **kwargs)


async def options(
    kemo_session: KemoSession, endpoint: str, **kwargs: Any
) -> aiohttp.ClientResponse:
    return await kemo_session.request("OPTIONS", endpoint, **kwargs)


async def head(kemo_session: KemoSession, endpoint: str, **kwargs: Any) -> aiohttp.ClientResponse:
    return await kemo_session.request("HEAD", endpoint, **kwargs)


async def post(kemo_session: KemoSession, endpoint: str, **kwargs: Any) -> aiohttp.ClientResponse:
    return await kemo_session.request("POST", endpoint, **kwargs)


async def put(kemo_session: KemoSession, endpoint: str, **kwargs: Any) -> aiohttp.ClientResponse:
    return await kemo_session.request("PUT", endpoint, **kwargs)


async def patch(kemo_session: KemoSession, endpoint: str, **kwargs: Any) -> aiohttp.ClientResponse:
    return await kemo_session.request("PATCH", endpoint, **kwargs)


async def delete(kemo_session: KemoSession, endpoint: str, **kwargs: Any) -> aiohttp.ClientResponse:
    return await kemo_session.request("DELETE", endpoint, **kwargs)
