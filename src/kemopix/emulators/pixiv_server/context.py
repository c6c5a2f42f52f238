"""Per-application context, request helpers (params, paging, next_url) and the API middleware."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.web_request import FileField
from multidict import MultiDict, MultiDictProxy

from .errors import ENDPOINT_MISSING, api_error, oauth_error
from .ratelimit import RateLimiter
from .shapes import Shapes
from .state import PixivState

__all__ = [
    "CTX",
    "FORM",
    "PAGE_SIZE",
    "VIEWER",
    "ApiError",
    "Context",
    "api_middleware",
    "ctx",
    "int_param",
    "next_url",
    "paginate",
    "restrict_param",
    "translate",
    "viewer",
]

_EMPTY: MultiDictProxy[str | bytes | bytearray | FileField] = MultiDictProxy(MultiDict())
PAGE_SIZE = 30  # pixiv-protocol.md §5: pages hold 30 items
T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Paths that need a Bearer token (the App API proper).
_API_PREFIXES = ("/v1/", "/v2/", "/v3/", "/webview/")


class ApiError(Exception):
    """Raised by handlers to answer with a ready-made error response."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


class Context:
    """What the handlers share: the state, the shapes and the emulator's settings."""

    def __init__(
        self,
        state: PixivState,
        *,
        rate_limit: float | None,
        require_client_hash: bool,
    ) -> None:
        self.state = state
        self.limiter = RateLimiter(rate_limit) if rate_limit else None
        self.require_client_hash = require_client_hash
        self.password_grant = False
        self.base = ""
        self._shapes: Shapes | None = None

    def shapes_for(self, request: web.Request) -> Shapes:
        if self._shapes is None:
            base = self.base
            if not base:  # a request raced the start-up; use the socket's own address
                host, port = request.transport.get_extra_info("sockname")[:2]  # type: ignore[union-attr]
                base = f"http://{host}:{port}"
            self._shapes = Shapes(self.state, base)
        return self._shapes

    def reset(self) -> None:
        if self._shapes is not None:
            self._shapes.clear()
        if self.limiter is not None:
            self.limiter.reset()


CTX = web.AppKey("pixiv_ctx", Context)
VIEWER = web.RequestKey("pixiv_viewer", int)
FORM = web.RequestKey("pixiv_form", MultiDictProxy[str | bytes | bytearray | FileField])


def ctx(request: web.Request) -> Context:
    return request.app[CTX]


def viewer(request: web.Request) -> int:
    """The user id of the request's access token (set by :func:`api_middleware`)."""
    return request[VIEWER]


def translate(request: web.Request) -> bool:
    # assumption (§1.2, UNCONFIRMED): any non-Japanese Accept-Language fills translated_name.
    lang = request.headers.get("Accept-Language", "")
    return bool(lang) and not lang.lower().startswith("ja")


def int_param(request: web.Request, name: str, default: int | None = None) -> int:
    raw = request.query.get(name) if request.method == "GET" else None
    if raw is None:
        raw = request.get(FORM, _EMPTY).get(name)
    if raw is None or raw == "":
        if default is not None:
            return default
        raise ApiError(api_error(400, message=f"{name} is required", reason=f"invalid {name}"))
    try:
        return int(raw)
    except ValueError:
        raise ApiError(api_error(400, message=f"{name} must be an integer")) from None


def restrict_param(request: web.Request, default: str = "public") -> str:
    value = request.query.get("restrict") or request.get(FORM, _EMPTY).get("restrict") or default
    if value not in ("public", "private"):
        raise ApiError(api_error(400, message="restrict must be public or private"))
    return str(value)


def paginate(items: Sequence[T], offset: int, size: int = PAGE_SIZE) -> tuple[list[T], int | None]:
    """One page from ``offset`` and the next page's offset (``None`` on the last page)."""
    offset = max(0, offset)
    page = list(items[offset : offset + size])
    return page, (offset + size if offset + size < len(items) else None)


def next_url(request: web.Request, **cursor: object) -> str:
    """The request's own URL on the emulator, with its parameters repeated and the cursor set."""
    pairs: list[tuple[str, str]] = []
    counters: dict[str, int] = {}
    for key, value in request.query.items():
        if key in cursor:
            continue
        if key.endswith("[]"):  # §5: the live next_url numbers PHP-style arrays, key[0], key[1]
            index = counters.get(key, 0)
            counters[key] = index + 1
            key = f"{key[:-2]}[{index}]"
        pairs.append((key, value))
    pairs.extend((k, str(v)) for k, v in cursor.items())
    return f"{ctx(request).shapes_for(request).base}{request.path}?{urlencode(pairs)}"


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown endpoints (404), Bearer checks (400), rate limiting (429), handler errors."""
    match = request.match_info
    if match.http_exception is not None:
        if isinstance(match.http_exception, web.HTTPMethodNotAllowed):
            return api_error(405, user_message=ENDPOINT_MISSING)
        return api_error(404, user_message=ENDPOINT_MISSING)
    if request.path.startswith(_API_PREFIXES):
        context = request.app[CTX]
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            return oauth_error("invalid_request")
        access = header[7:].strip()
        token = context.state.tokens.get(access)
        if token is None or token.expires_at < time.time():
            return oauth_error("invalid_grant")
        if context.limiter is not None and not context.limiter.allow(access):
            return api_error(429, message="Rate Limit", reason="rate limited")
        request[VIEWER] = token.user_id
        if request.method == "POST":
            form: MultiDictProxy[str | bytes | bytearray | FileField] = await request.post()
            request[FORM] = form
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response
