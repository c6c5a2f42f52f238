"""The aiohttp application: middlewares (faults, errors, bearer auth, rate limit) and routes.

Routing is by path only, so a foreign ``Host`` (pixivpy sends ``Host: app-api.pixiv.net`` when
pointed elsewhere, pixiv-protocol.md §4) is fine. App API paths need a bearer token; the token
endpoint, the login pages, the image host and ``/_emulator`` do not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web

from .._faults import FaultInjector, fault_middleware, fault_routes
from .context import CONFIG, LIMITER, STATE, VIEWER, VIEWS, EmulatorConfig
from .errors import (
    MSG_NO_ENDPOINT,
    RATE_LIMIT_MESSAGE,
    ApiFailure,
    api_error,
    html_error,
    invalid_token,
    oauth_error,
)
from .images import IMAGE_PREFIXES, image_routes
from .oauth import oauth_routes
from .ratelimit import RateLimiter
from .routes_bookmarks import bookmark_routes
from .routes_comments import comment_routes
from .routes_control import Controller, control_routes
from .routes_illust import illust_routes
from .routes_novel import novel_routes
from .routes_search import search_routes
from .routes_user import user_routes
from .state import PixivState
from .views import Views

__all__ = ["API_PREFIXES", "build_app", "error_page"]

API_PREFIXES = ("/v1/", "/v2/", "/v3/", "/webview/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_CHALLENGE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head>'
    '<body><div class="main-wrapper" role="main"><h1>app-api.pixiv.net</h1>'
    "<p>Verifying you are human. This may take a few seconds.</p></div></body></html>"
)


def error_page(status: int, request: web.Request) -> web.StreamResponse:
    """What a fault answers, in the shape of the host it hits (``-1``: the anti-bot page)."""
    if status == -1:
        return web.Response(text=_CHALLENGE, status=403, content_type="text/html")
    path = request.path
    if path.startswith(IMAGE_PREFIXES):
        return html_error(status)
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    if path.startswith("/auth/"):
        return oauth_error(phrase, code=status, error="server_error", status=status)
    if status == 429 or status == request.app[CONFIG].rate_limit_status:
        return api_error(status, message=RATE_LIMIT_MESSAGE)
    if status == 404:
        return api_error(404, user_message=MSG_NO_ENDPOINT)
    return api_error(status, message=phrase)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown routes get the live 404; handlers' ``ApiFailure`` becomes its answer."""
    if request.match_info.http_exception is not None:
        if request.path.startswith(IMAGE_PREFIXES):
            return html_error(404)
        return api_error(404, user_message=MSG_NO_ENDPOINT)
    try:
        return await handler(request)
    except ApiFailure as failure:
        return failure.response


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer token on App API paths (400 invalid_request / invalid_grant), then the limit."""
    if not request.path.startswith(API_PREFIXES):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise invalid_token("invalid_request")
    state = request.app[STATE]
    user_id, _reason = state.tokens.resolve(token)
    viewer = state.viewer(user_id) if user_id is not None else None
    if viewer is None:
        raise invalid_token("invalid_grant")
    config = request.app[CONFIG]
    if config.rate_limit is not None and not request.app[LIMITER].allow(token, config.rate_limit):
        return api_error(config.rate_limit_status, message=RATE_LIMIT_MESSAGE)
    request[VIEWER] = viewer
    return await handler(request)


def build_app(
    state: PixivState,
    views: Views,
    config: EmulatorConfig,
    limiter: RateLimiter,
    faults: FaultInjector,
    controller: Controller,
) -> web.Application:
    """The whole emulator on one origin: App API, OAuth, login pages, images, control plane."""
    app = web.Application(
        middlewares=[fault_middleware(faults, error_page), errors_middleware, auth_middleware]
    )
    app[STATE] = state
    app[VIEWS] = views
    app[CONFIG] = config
    app[LIMITER] = limiter
    app.add_routes(control_routes(controller))
    app.add_routes(fault_routes(faults))
    app.add_routes(oauth_routes())
    for routes in (
        illust_routes(),
        comment_routes(),
        bookmark_routes(),
        user_routes(),
        novel_routes(),
        search_routes(),
        image_routes(),
    ):
        app.add_routes(routes)
    return app
