"""User endpoints: detail, works, bookmarks, bookmark tags, following, followers, mypixiv,
related and recommended users (pixiv-protocol.md §2-§4)."""

from __future__ import annotations

import json
from collections import Counter

from aiohttp import web

from .context import (
    STATE,
    VIEWS,
    ctx_of,
    int_param,
    next_url,
    offset_param,
    restrict_param,
    str_param,
    user_or_404,
)
from .errors import invalid_param, json_response
from .paging import PAGE_SIZE, page
from .shapes import JsonDict, profile_shape
from .views import Ctx

__all__ = ["user_previews", "user_routes"]

_TYPES = {"illust": ("illust", "ugoira"), "manga": ("manga",)}
_UNCATEGORIZED = "未分類"  # live's name for "bookmarks without a tag"
_PUBLICITY = {
    "gender": "public",
    "region": "public",
    "birth_day": "public",
    "birth_year": "public",
    "job": "public",
    "pawoo": True,
}


async def user_detail(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    user_id = int_param(request.query, "user_id")
    user_or_404(request, user_id)
    state, views = request.app[STATE], request.app[VIEWS]
    row = state.user(user_id)
    assert row is not None
    one = state.one
    counts = {
        "follow_users": _count(one("SELECT COUNT(*) FROM follows WHERE follower_id = ?", user_id)),
        "mypixiv_users": len(_mutuals(request, user_id)),
        "illusts": _count(
            one("SELECT COUNT(*) FROM illusts WHERE user_id = ? AND type != 'manga'", user_id)
        ),
        "manga": _count(
            one("SELECT COUNT(*) FROM illusts WHERE user_id = ? AND type = 'manga'", user_id)
        ),
        "novels": _count(one("SELECT COUNT(*) FROM novels WHERE user_id = ?", user_id)),
        "illust_bookmarks_public": _count(
            one(
                "SELECT COUNT(*) FROM bookmarks WHERE user_id = ? AND kind = 'illust'"
                " AND restrict_ = 'public'",
                user_id,
            )
        ),
        "illust_series": _count(
            one("SELECT COUNT(*) FROM illust_series WHERE user_id = ?", user_id)
        ),
        "novel_series": _count(one("SELECT COUNT(*) FROM novel_series WHERE user_id = ?", user_id)),
    }
    user = views.user(user_id, ctx)
    user["comment"] = row["comment"]
    user["is_access_blocking_user"] = False
    body = {
        "user": user,
        "profile": profile_shape(row, counts, views.images),
        "profile_publicity": dict(_PUBLICITY),
        "workspace": json.loads(row["workspace"]),
    }
    return json_response(body)


def _count(row: object) -> int:
    return int(row[0]) if row is not None else 0  # type: ignore[index]


def _mutuals(request: web.Request, user_id: int) -> list[int]:
    rows = request.app[STATE].all(
        "SELECT a.followee_id FROM follows a JOIN follows b ON b.follower_id = a.followee_id"
        " AND b.followee_id = a.follower_id WHERE a.follower_id = ? ORDER BY a.seq DESC",
        user_id,
    )
    return [int(r[0]) for r in rows]


def _owner_user(request: web.Request, user_id: int, ctx: Ctx) -> JsonDict:
    views = request.app[VIEWS]
    if views.user_base(user_id) is None:
        # pixiv-protocol.md §5: a gone user's listing carries user id 0 (gallery-dl checks it).
        return {
            "id": 0,
            "name": "",
            "account": "",
            "profile_image_urls": {"medium": views.images.common("no_profile")},
            "is_followed": False,
        }
    return views.user(user_id, ctx)


async def user_illusts(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    user_id = int_param(query, "user_id")
    kind = str_param(query, "type")
    if kind is not None and kind not in _TYPES:
        raise invalid_param("type")
    works = request.app[STATE].catalog().by_user.get(user_id, [])
    ids = [w.id for w in works if kind is None or w.type in _TYPES[kind]]
    chunk, following = page(ids, offset_param(query))
    cursor = {"offset": following} if following is not None else None
    body = {
        "user": _owner_user(request, user_id, ctx),
        "illusts": request.app[VIEWS].illusts(chunk, ctx),
        "next_url": next_url(request, cursor),
    }
    return json_response(body)


async def user_novels(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    user_id = int_param(request.query, "user_id")
    novels = request.app[STATE].catalog().novels_by_user.get(user_id, [])
    chunk, following = page([n.id for n in novels], offset_param(request.query))
    cursor = {"offset": following} if following is not None else None
    body = {
        "user": _owner_user(request, user_id, ctx),
        "novels": request.app[VIEWS].novels(chunk, ctx),
        "next_url": next_url(request, cursor),
    }
    return json_response(body)


def _visible_restrict(request: web.Request, ctx: Ctx, user_id: int) -> str:
    restrict = restrict_param(request.query)
    # Seed doc: asking for another user's private bookmarks returns their public ones.
    return restrict if user_id == ctx.viewer.id else "public"


async def _bookmarks(request: web.Request, kind: str) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    user_id = int_param(query, "user_id")
    user_or_404(request, user_id)
    restrict = _visible_restrict(request, ctx, user_id)
    limit = int_param(query, "max_bookmark_id", 0)
    tag = str_param(query, "tag")
    rows = request.app[STATE].all(
        "SELECT id, work_id, tags FROM bookmarks WHERE user_id = ? AND kind = ? AND restrict_ = ?"
        " AND (? = 0 OR id < ?) ORDER BY id DESC",
        user_id,
        kind,
        restrict,
        limit,
        limit,
    )
    if tag is not None:
        rows = [
            r
            for r in rows
            if (tag in json.loads(r["tags"]))
            or (tag == _UNCATEGORIZED and json.loads(r["tags"]) == [])
        ]
    chunk = rows[:PAGE_SIZE]
    # assumption: the next page holds the bookmarks older than the last one shown.
    cursor = {"max_bookmark_id": int(chunk[-1]["id"])} if len(rows) > PAGE_SIZE else None
    views = request.app[VIEWS]
    ids = [int(r["work_id"]) for r in chunk]
    key = "illusts" if kind == "illust" else "novels"
    items = views.illusts(ids, ctx) if kind == "illust" else views.novels(ids, ctx)
    return json_response({key: items, "next_url": next_url(request, cursor)})


async def _bookmark_tags(request: web.Request, kind: str) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    user_id = int_param(query, "user_id")
    restrict = restrict_param(query)
    if restrict == "private" and user_id != ctx.viewer.id:
        # Seed doc: another user's private tags are an error (the exact body is unknown).
        raise invalid_param("restrict")
    counter: Counter[str] = Counter()
    for row in request.app[STATE].all(
        "SELECT tags FROM bookmarks WHERE user_id = ? AND kind = ? AND restrict_ = ?",
        user_id,
        kind,
        restrict,
    ):
        counter.update(json.loads(row[0]))
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    positions, following = page(list(range(len(ordered))), offset_param(query))
    tags = [{"name": ordered[i][0], "count": ordered[i][1]} for i in positions]
    cursor = {"offset": following} if following is not None else None
    return json_response({"bookmark_tags": tags, "next_url": next_url(request, cursor)})


def user_previews(
    request: web.Request, ids: list[int], ctx: Ctx, *, listing: bool = False
) -> list[JsonDict]:
    """``user_previews`` entries: the user and up to 3 of their latest works and novels."""
    catalog = request.app[STATE].catalog()
    views = request.app[VIEWS]
    out = []
    for user_id in ids:
        if views.user_base(user_id) is None:
            continue
        works = [w.id for w in catalog.by_user.get(user_id, []) if views.can_see(w, ctx)][:3]
        novels = [n.id for n in catalog.novels_by_user.get(user_id, [])][:3]
        user = views.user(user_id, ctx)
        if listing:
            user["is_accept_request"] = False
        out.append(
            {
                "user": user,
                "illusts": views.illusts(works, ctx),
                "novels": views.novels(novels, ctx),
                "is_muted": False,
            }
        )
    return out


def previews_answer(
    request: web.Request, ids: list[int], ctx: Ctx, *, listing: bool = False
) -> web.Response:
    chunk, following = page(ids, offset_param(request.query))
    cursor = {"offset": following} if following is not None else None
    body = {
        "user_previews": user_previews(request, chunk, ctx, listing=listing),
        "next_url": next_url(request, cursor),
    }
    return json_response(body)


async def user_following(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    user_id = int_param(request.query, "user_id")
    user_or_404(request, user_id)
    restrict = _visible_restrict(request, ctx, user_id)
    rows = request.app[STATE].all(
        "SELECT followee_id FROM follows WHERE follower_id = ? AND restrict_ = ? ORDER BY seq DESC",
        user_id,
        restrict,
    )
    return previews_answer(request, [int(r[0]) for r in rows], ctx, listing=True)


async def user_follower(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    # The seed sends no user_id: the followers of the viewer (pixiv-protocol.md §2).
    user_id = int_param(request.query, "user_id", ctx.viewer.id)
    user_or_404(request, user_id)
    rows = request.app[STATE].all(
        "SELECT follower_id FROM follows WHERE followee_id = ? AND restrict_ = 'public'"
        " ORDER BY seq DESC",
        user_id,
    )
    return previews_answer(request, [int(r[0]) for r in rows], ctx, listing=True)


async def user_mypixiv(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    user_id = int_param(request.query, "user_id")
    user_or_404(request, user_id)
    return previews_answer(request, _mutuals(request, user_id), ctx)


async def user_related(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    seed_user = int_param(request.query, "seed_user_id")
    user_or_404(request, seed_user)
    catalog = request.app[STATE].catalog()
    tags = Counter(t for w in catalog.by_user.get(seed_user, []) for t in w.tags)
    scored = []
    for user_id, works in catalog.by_user.items():
        if user_id in (seed_user, ctx.viewer.id):
            continue
        shared = sum(tags[t] for w in works for t in w.tags)
        if shared:
            scored.append((-shared, user_id))
    return previews_answer(request, [uid for _, uid in sorted(scored)][:90], ctx)


async def user_recommended(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    catalog = request.app[STATE].catalog()
    ids = [
        uid
        for uid in sorted(catalog.by_user, key=lambda u: (-len(catalog.by_user[u]), u))
        if uid != ctx.viewer.id and uid not in ctx.followees
    ]
    return previews_answer(request, ids, ctx)


async def user_list(request: web.Request) -> web.Response:
    # pixiv-protocol.md §4 marks /v2/user/list UNCONFIRMED: nobody is ever listed here.
    ctx_of(request)
    int_param(request.query, "user_id")
    return json_response({"user_previews": [], "next_url": None})


def user_routes() -> list[web.RouteDef]:
    async def bookmarks_illust(request: web.Request) -> web.Response:
        return await _bookmarks(request, "illust")

    async def bookmarks_novel(request: web.Request) -> web.Response:
        return await _bookmarks(request, "novel")

    async def bookmark_tags_illust(request: web.Request) -> web.Response:
        return await _bookmark_tags(request, "illust")

    async def bookmark_tags_novel(request: web.Request) -> web.Response:
        return await _bookmark_tags(request, "novel")

    return [
        web.get("/v1/user/detail", user_detail),
        web.get("/v1/user/illusts", user_illusts),
        web.get("/v1/user/novels", user_novels),
        web.get("/v1/user/bookmarks/illust", bookmarks_illust),
        web.get("/v1/user/bookmarks/novel", bookmarks_novel),
        web.get("/v1/user/bookmark-tags/illust", bookmark_tags_illust),
        web.get("/v1/user/bookmark-tags/novel", bookmark_tags_novel),
        web.get("/v1/user/following", user_following),
        web.get("/v1/user/follower", user_follower),
        web.get("/v1/user/mypixiv", user_mypixiv),
        web.get("/v1/user/related", user_related),
        web.get("/v1/user/recommended", user_recommended),
        web.get("/v2/user/list", user_list),
    ]
