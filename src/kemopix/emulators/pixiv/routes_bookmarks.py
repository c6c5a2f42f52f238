"""The writing endpoints: bookmarks (illust and novel), follows, the AI display setting.

POST bodies are form-encoded; success is ``{}``; a bad bookmark request is the live 404
"不正なリクエストです。" (pixiv-protocol.md §1.4, §2, §4).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

from aiohttp import web
from multidict import MultiMapping

from . import mutations
from .context import STATE, bool_param, ctx_of, int_param
from .errors import MSG_BAD_REQUEST, ApiFailure, api_error, json_response

__all__ = ["bookmark_routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
KindAction = Callable[[web.Request, str], Awaitable[web.Response]]
_SPACES = re.compile(r"[\s\u3000]+")
_TAG_KEY = re.compile(r"^tags(\[\d*\])?$")


def _bad_request() -> ApiFailure:
    return ApiFailure(api_error(404, user_message=MSG_BAD_REQUEST))


def _form_tags(form: MultiMapping[str | bytes | object]) -> list[str]:
    """``tags[]`` values (pixivpy and the seed 1.0 send one, space-joined; apps send many)."""
    tags: list[str] = []
    for key, value in form.items():
        if isinstance(value, str) and _TAG_KEY.match(key):
            tags.extend(t for t in _SPACES.split(value) if t)
    return tags


def _work_tags(request: web.Request, kind: str, work_id: int) -> list[str]:
    table, column = ("illust_tags", "illust_id") if kind == "illust" else ("novel_tags", "novel_id")
    rows = request.app[STATE].all(
        f"SELECT tag FROM {table} WHERE {column} = ? ORDER BY pos", work_id
    )
    return [str(r[0]) for r in rows]


async def _detail(request: web.Request, kind: str) -> web.Response:
    ctx = ctx_of(request)
    work_id = int_param(request.query, f"{kind}_id")
    state = request.app[STATE]
    table = "illusts" if kind == "illust" else "novels"
    if state.one(f"SELECT 1 FROM {table} WHERE id = ?", work_id) is None:
        raise _bad_request()
    mark = state.bookmarks_among(ctx.viewer.id, kind, [work_id]).get(work_id)
    registered: list[str] = json.loads(mark["tags"]) if mark is not None else []
    names = list(dict.fromkeys([*_work_tags(request, kind, work_id), *registered]))
    detail = {
        "is_bookmarked": mark is not None,
        "tags": [{"name": name, "is_registered": name in registered} for name in names],
        "restrict": str(mark["restrict_"]) if mark is not None else "public",
    }
    return json_response({"bookmark_detail": detail})


async def _add(request: web.Request, kind: str) -> web.Response:
    ctx = ctx_of(request)
    form = await request.post()
    try:
        work_id = int(str(form.get(f"{kind}_id", "")))
    except ValueError:
        raise _bad_request() from None
    restrict = str(form.get("restrict") or "public")
    if restrict not in ("public", "private"):
        raise _bad_request()
    state = request.app[STATE]
    if not mutations.add_bookmark(state, ctx.viewer.id, kind, work_id, restrict, _form_tags(form)):
        raise _bad_request()
    return json_response({})


async def _delete(request: web.Request, kind: str) -> web.Response:
    ctx = ctx_of(request)
    form = await request.post()
    try:
        work_id = int(str(form.get(f"{kind}_id", "")))
    except ValueError:
        raise _bad_request() from None
    mutations.delete_bookmark(request.app[STATE], ctx.viewer.id, kind, work_id)
    return json_response({})


async def follow_add(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    form = await request.post()
    try:
        user_id = int(str(form.get("user_id", "")))
    except ValueError:
        raise _bad_request() from None
    restrict = str(form.get("restrict") or "public")
    if restrict not in ("public", "private"):
        raise _bad_request()
    if not mutations.follow(request.app[STATE], ctx.viewer.id, user_id, restrict):
        raise _bad_request()
    return json_response({})


async def follow_delete(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    form = await request.post()
    try:
        user_id = int(str(form.get("user_id", "")))
    except ValueError:
        raise _bad_request() from None
    mutations.unfollow(request.app[STATE], ctx.viewer.id, user_id)
    return json_response({})


async def ai_show_settings(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    form = await request.post()
    show = bool_param({"show_ai": str(form.get("show_ai", "true"))}, "show_ai", True)
    mutations.set_show_ai(request.app[STATE], ctx.viewer.id, show)
    return json_response({})


def _bind(action: KindAction, kind: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await action(request, kind)

    return handler


def bookmark_routes() -> list[web.RouteDef]:
    routes: list[web.RouteDef] = []
    for kind in ("illust", "novel"):
        routes += [
            web.get(f"/v2/{kind}/bookmark/detail", _bind(_detail, kind)),
            web.post(f"/v2/{kind}/bookmark/add", _bind(_add, kind)),
            web.post(f"/v1/{kind}/bookmark/delete", _bind(_delete, kind)),
        ]
    routes += [
        web.post("/v1/user/follow/add", follow_add),
        web.post("/v1/user/follow/delete", follow_delete),
        web.post("/v1/user/ai-show-settings/edit", ai_show_settings),
    ]
    return routes
