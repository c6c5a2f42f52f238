"""What handlers share: the app keys, the live settings, the request's viewer and parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from .errors import MSG_NO_USER, ApiFailure, api_error, invalid_param
from .paging import build_next_url
from .ratelimit import RateLimiter
from .shapes import language_of
from .state import PixivState, Viewer
from .views import Ctx, Views

__all__ = [
    "CONFIG",
    "CTX",
    "LIMITER",
    "STATE",
    "VIEWER",
    "VIEWS",
    "EmulatorConfig",
    "bool_param",
    "ctx_of",
    "int_param",
    "next_url",
    "offset_param",
    "restrict_param",
    "str_param",
    "user_or_404",
]


@dataclass
class EmulatorConfig:
    """Settings the emulator may change while it runs (tests shorten the token TTL)."""

    public_url: str = ""
    access_token_ttl: float = 3600.0
    rate_limit: float | None = None
    rate_limit_status: int = 429
    require_client_hash: bool = True
    allow_password_grant: bool = True
    require_referer: bool = True


STATE = web.AppKey("pixiv_state", PixivState)
VIEWS = web.AppKey("pixiv_views", Views)
CONFIG = web.AppKey("pixiv_config", EmulatorConfig)
LIMITER = web.AppKey("pixiv_limiter", RateLimiter)
VIEWER = web.RequestKey("pixiv_viewer", Viewer)
CTX = web.RequestKey("pixiv_ctx", Ctx)


def ctx_of(request: web.Request) -> Ctx:
    """The request's viewer context (the auth middleware put the viewer there)."""
    ctx = request.get(CTX)
    if ctx is None:
        viewer = request[VIEWER]
        ctx = Ctx(viewer, language_of(request.headers.get("Accept-Language")), {})
        ctx.followees = request.app[STATE].followees(viewer.id)
        request[CTX] = ctx
    return ctx


def str_param(params: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = params.get(name)
    return value if value not in (None, "") else default


def int_param(params: Mapping[str, str], name: str, default: int | None = None) -> int:
    """An integer parameter; a missing one without default, or a non-integer, is a 400."""
    value = params.get(name)
    if value in (None, ""):
        if default is None:
            raise invalid_param(name)
        return default
    try:
        return int(str(value))
    except ValueError:
        raise invalid_param(name) from None


def offset_param(params: Mapping[str, str], name: str = "offset") -> int:
    offset = int_param(params, name, 0)
    if offset < 0:
        raise invalid_param(name)
    return offset


def bool_param(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value in (None, ""):
        return default
    return str(value).lower() in ("true", "1")


def restrict_param(params: Mapping[str, str], *, allow_all: bool = False) -> str:
    value = params.get("restrict") or "public"
    allowed = ("public", "private", "all") if allow_all else ("public", "private")
    if value not in allowed:
        raise invalid_param("restrict")
    return value


def user_or_404(request: web.Request, user_id: int) -> None:
    if request.app[STATE].user(user_id) is None:
        raise ApiFailure(api_error(404, user_message=MSG_NO_USER))


def next_url(
    request: web.Request, cursor: Mapping[str, object] | None, **arrays: list[object]
) -> str | None:
    """The page's ``next_url`` (None when ``cursor`` is None: the last page)."""
    if cursor is None:
        return None
    origin = request.app[CONFIG].public_url
    return build_next_url(origin, request.path, request.query, cursor, arrays=arrays or None)
