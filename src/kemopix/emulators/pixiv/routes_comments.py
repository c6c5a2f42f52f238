"""Comments of illusts and novels: v1 (flat, with ``parent_comment``), v2/v3 (top level with
``has_replies``) and the replies endpoints (pixiv-protocol.md §3 "Comment")."""

from __future__ import annotations

import sqlite3

from aiohttp import web

from .context import STATE, VIEWS, bool_param, ctx_of, int_param, next_url, offset_param
from .errors import MSG_NO_WORK, ApiFailure, api_error, json_response
from .paging import page
from .shapes import JsonDict, comment_shape
from .views import Views

__all__ = ["comment_routes"]

_EMPTY_USER: JsonDict = {"id": 0, "name": "", "account": "", "profile_image_urls": {}}


def _author(views: Views, row: sqlite3.Row) -> JsonDict:
    # Comment authors carry no is_followed (pixiv-protocol.md §3).
    return views.user_base(int(row["user_id"])) or _EMPTY_USER


def _shape(views: Views, row: sqlite3.Row, by_id: dict[int, sqlite3.Row], v3: bool) -> JsonDict:
    parent = None
    if not v3 and row["parent_id"] is not None and int(row["parent_id"]) in by_id:
        parent_row = by_id[int(row["parent_id"])]
        parent = comment_shape(parent_row, _author(views, parent_row), None)
    return comment_shape(row, _author(views, row), parent, v3=v3)


async def _comments(request: web.Request, kind: str, id_name: str, v3: bool) -> web.Response:
    ctx_of(request)
    query = request.query
    work_id = int_param(query, id_name)
    state, views = request.app[STATE], request.app[VIEWS]
    table = "illusts" if kind == "illust" else "novels"
    if state.one(f"SELECT 1 FROM {table} WHERE id = ?", work_id) is None:
        raise ApiFailure(api_error(404, user_message=MSG_NO_WORK))
    rows = state.all(
        "SELECT * FROM comments WHERE kind = ? AND work_id = ? ORDER BY date DESC, id DESC",
        kind,
        work_id,
    )
    by_id = {int(r["id"]): r for r in rows}
    listed = [r for r in rows if r["parent_id"] is None] if v3 else rows
    parents = {int(r["parent_id"]) for r in rows if r["parent_id"] is not None}
    positions = list(range(len(listed)))
    chunk, following = page(positions, offset_param(query))
    comments = []
    for index in chunk:
        shape = _shape(views, listed[index], by_id, v3)
        if v3:
            shape["has_replies"] = int(listed[index]["id"]) in parents
        comments.append(shape)
    # Seed doc: without include_total_comments the total reads 0.
    total = len(rows) if bool_param(query, "include_total_comments") else 0
    cursor = {"offset": following} if following is not None else None
    body: JsonDict = {"total_comments": total, "comments": comments}
    body["next_url"] = next_url(request, cursor)
    if kind == "novel":
        body["comment_access_control"] = 0
    return json_response(body)


async def _replies(request: web.Request) -> web.Response:
    ctx_of(request)
    comment_id = int_param(request.query, "comment_id")
    state, views = request.app[STATE], request.app[VIEWS]
    if state.one("SELECT 1 FROM comments WHERE id = ?", comment_id) is None:
        raise ApiFailure(api_error(404, user_message=MSG_NO_WORK))
    rows = state.all("SELECT * FROM comments WHERE parent_id = ? ORDER BY date, id", comment_id)
    chunk, following = page(list(range(len(rows))), offset_param(request.query))
    comments = [comment_shape(rows[i], _author(views, rows[i]), None, v3=True) for i in chunk]
    cursor = {"offset": following} if following is not None else None
    return json_response({"comments": comments, "next_url": next_url(request, cursor)})


def comment_routes() -> list[web.RouteDef]:
    async def illust_v1(request: web.Request) -> web.Response:
        return await _comments(request, "illust", "illust_id", v3=False)

    async def illust_v3(request: web.Request) -> web.Response:
        return await _comments(request, "illust", "illust_id", v3=True)

    async def novel_v1(request: web.Request) -> web.Response:
        return await _comments(request, "novel", "novel_id", v3=False)

    async def novel_v3(request: web.Request) -> web.Response:
        return await _comments(request, "novel", "novel_id", v3=True)

    return [
        web.get("/v1/illust/comments", illust_v1),
        web.get("/v2/illust/comments", illust_v3),
        web.get("/v3/illust/comments", illust_v3),
        web.get("/v2/illust/comment/replies", _replies),
        web.get("/v1/novel/comments", novel_v1),
        web.get("/v3/novel/comments", novel_v3),
        web.get("/v1/novel/comment/replies", _replies),
    ]
