"""The rest of pixivpy's App API surface (pixiv-protocol.md §4): new works, novel feeds,
novel bookmarks and comments, mypixiv, user recommendations, the AI-display setting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from .context import (
    FORM,
    ApiError,
    ctx,
    int_param,
    next_url,
    paginate,
    restrict_param,
    translate,
    viewer,
)
from .errors import BAD_REQUEST_MESSAGE, WORK_MISSING, api_error, json_response
from .routes_user import find_user

__all__ = ["routes"]


class _Work(Protocol):
    @property
    def id(self) -> int: ...


def _by_max_id(
    request: web.Request, works: Sequence[_Work], name: str
) -> tuple[list[int], str | None]:
    """Newest first from ``name`` (an inclusive max id); next_url carries the next max id."""
    ordered = sorted((w.id for w in works), reverse=True)
    top = int_param(request, name, 0)
    if top:
        ordered = [i for i in ordered if i <= top]
    page, rest = ordered[:30], ordered[30:]
    return page, next_url(request, **{name: rest[0]}) if rest else None


async def illust_new(request: web.Request) -> web.Response:
    state = ctx(request).state
    kind = request.query.get("content_type", "illust")
    works = [
        i
        for i in state.illusts.values()
        if i.x_restrict == 0 and (i.kind == "manga") == (kind == "manga")
    ]
    ids, following = _by_max_id(request, works, "max_illust_id")
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    return json_response(
        {"illusts": [shapes.illust(state.illusts[i], who, tr) for i in ids], "next_url": following}
    )


async def novel_new(request: web.Request) -> web.Response:
    state = ctx(request).state
    works = [n for n in state.novels.values() if n.x_restrict == 0]
    ids, following = _by_max_id(request, works, "max_novel_id")
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    novels = [shapes.novel(state.novels[i], who, tr) for i in ids]
    return json_response({"novels": novels, "next_url": following})


async def novel_follow(request: web.Request) -> web.Response:
    state = ctx(request).state
    restrict = restrict_param(request)
    followed = {u for u, r in state.follows.get(viewer(request), {}).items() if r == restrict}
    works = sorted(
        (n for n in state.novels.values() if n.user_id in followed),
        key=lambda n: n.id,
        reverse=True,
    )
    page, following = paginate(works, int_param(request, "offset", 0))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    return json_response(
        {
            "novels": [shapes.novel(n, who, tr) for n in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
        }
    )


async def novel_comments(request: web.Request) -> web.Response:
    novel_id = int_param(request, "novel_id")
    if novel_id not in ctx(request).state.novels:
        raise ApiError(api_error(404, user_message=WORK_MISSING))
    # The seeded novels have no comments.
    return json_response(
        {"total_comments": 0, "comments": [], "next_url": None, "comment_access_control": 0}
    )


async def novel_bookmark_detail(request: web.Request) -> web.Response:
    state = ctx(request).state
    novel_id = int_param(request, "novel_id")
    if novel_id not in state.novels:
        raise ApiError(api_error(404, user_message=WORK_MISSING))
    mark = state.novel_bookmarks.get(viewer(request), {}).get(novel_id)
    detail = {
        "is_bookmarked": mark is not None,
        "tags": [{"name": t, "is_registered": True} for t in (mark.tags if mark else ())],
        "restrict": mark.restrict if mark else "public",
    }
    return json_response({"bookmark_detail": detail})


async def novel_bookmark_add(request: web.Request) -> web.Response:
    state = ctx(request).state
    form = request[FORM]
    try:
        novel = state.novels[int(str(form.get("novel_id", "")))]
    except (KeyError, ValueError):
        return api_error(404, user_message=BAD_REQUEST_MESSAGE)
    restrict = restrict_param(request)
    raw_tags = " ".join(str(v) for k, v in form.items() if k in ("tags[]", "tags"))
    state.add_novel_bookmark(viewer(request), novel.id, restrict, tuple(raw_tags.split()))  # type: ignore[arg-type]
    return json_response({})


async def novel_bookmark_delete(request: web.Request) -> web.Response:
    ctx(request).state.delete_novel_bookmark(viewer(request), int_param(request, "novel_id"))
    return json_response({})


async def user_mypixiv(request: web.Request) -> web.Response:
    find_user(request)
    # The dataset has no mypixiv relations.
    return json_response({"user_previews": [], "next_url": None})


async def user_recommended(request: web.Request) -> web.Response:
    state = ctx(request).state
    who = viewer(request)
    users = [
        u
        for uid, u in sorted(state.users.items())
        if uid != who and not state.is_followed(who, uid)
    ]
    page, following = paginate(users, int_param(request, "offset", 0))
    shapes = ctx(request).shapes_for(request)
    return json_response(
        {
            "user_previews": [shapes.user_preview(u, who) for u in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
        }
    )


async def ai_show_settings(request: web.Request) -> web.Response:
    return json_response({})


routes = [
    web.get("/v1/illust/new", illust_new),
    web.get("/v1/novel/new", novel_new),
    web.get("/v1/novel/follow", novel_follow),
    web.get("/v1/novel/comments", novel_comments),
    web.get("/v2/novel/bookmark/detail", novel_bookmark_detail),
    web.post("/v2/novel/bookmark/add", novel_bookmark_add),
    web.post("/v1/novel/bookmark/delete", novel_bookmark_delete),
    web.get("/v1/user/mypixiv", user_mypixiv),
    web.get("/v1/user/recommended", user_recommended),
    web.post("/v1/user/ai-show-settings/edit", ai_show_settings),
]
