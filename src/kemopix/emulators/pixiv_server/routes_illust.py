"""Illustration endpoints: detail, comments, related, follow feed, recommended, ranking,
trending tags, bookmarks (pixiv-protocol.md §2, §4)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from .context import (
    FORM,
    PAGE_SIZE,
    ApiError,
    ctx,
    int_param,
    next_url,
    paginate,
    restrict_param,
    translate,
    viewer,
)
from .dataset import Illust
from .errors import BAD_REQUEST_MESSAGE, WORK_MISSING, api_error, json_response

__all__ = ["RANKING_MODES", "find_illust", "routes"]

RANKING_MODES = (
    "day",
    "week",
    "month",
    "day_male",
    "day_female",
    "week_original",
    "week_rookie",
    "day_manga",
    "day_r18",
    "day_male_r18",
    "day_female_r18",
    "week_r18",
    "week_r18g",
)


def find_illust(request: web.Request, name: str = "illust_id") -> Illust:
    illust = ctx(request).state.illusts.get(int_param(request, name))
    if illust is None:
        raise ApiError(api_error(404, user_message=WORK_MISSING))
    return illust


def _live_cursor(request: web.Request) -> dict[str, object]:
    """Live ranking and recommended ``next_url`` always carry ``filter=for_ios`` and ``date=``
    (the request's date, empty when it had none: assumption)."""
    return {
        "filter": request.query.get("filter", "for_ios"),
        "date": request.query.get("date", ""),
    }


def _newest_first(illusts: list[Illust]) -> list[Illust]:
    return sorted(illusts, key=lambda i: i.id, reverse=True)


async def illust_detail(request: web.Request) -> web.Response:
    illust = find_illust(request)
    shapes = ctx(request).shapes_for(request)
    return json_response(
        {"illust": shapes.illust_detail(illust, viewer(request), translate(request))}
    )


def _comment_list(request: web.Request, *, v1: bool) -> web.Response:
    illust = find_illust(request)
    state = ctx(request).state
    everything = sorted(
        (c for c in state.comments.values() if c.illust_id == illust.id),
        key=lambda c: c.id,
        reverse=True,
    )
    listed = everything if v1 else [c for c in everything if c.parent_id is None]
    page, following = paginate(listed, int_param(request, "offset", 0))
    shapes = ctx(request).shapes_for(request)
    # The seed documents total_comments as 0 unless include_total_comments is set.
    counted = request.query.get("include_total_comments") == "true"
    body: dict[str, object] = {
        "total_comments": len(everything) if counted else 0,
        "comments": [shapes.comment(c, viewer(request), v1=v1) for c in page],
        "next_url": next_url(request, offset=following) if following is not None else None,
    }
    if not v1:
        body["comment_access_control"] = 0
    return json_response(body)


async def comments_v1(request: web.Request) -> web.Response:
    return _comment_list(request, v1=True)


async def comments_v2(request: web.Request) -> web.Response:
    return _comment_list(request, v1=False)


def _illust_page(
    request: web.Request,
    items: list[Illust],
    cursor: dict[str, object] | None = None,
    **extra: object,
) -> web.Response:
    page, following = paginate(items, int_param(request, "offset", 0))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    body: dict[str, object] = {
        "illusts": [shapes.illust(i, who, tr) for i in page],
        "next_url": next_url(request, **(cursor or {}), offset=following)
        if following is not None
        else None,
    }
    body.update(extra)
    return json_response(body)


def _visible(illusts: list[Illust], r18: bool = False) -> list[Illust]:
    return [i for i in illusts if (i.x_restrict > 0) == r18]


async def illust_related(request: web.Request) -> web.Response:
    illust = find_illust(request)
    state = ctx(request).state
    related = [
        i
        for i in state.illusts.values()
        if i.id != illust.id and i.x_restrict == 0 and set(i.tags) & set(illust.tags)
    ]
    related.sort(key=lambda i: (i.user_id != illust.user_id, -i.id))
    if "offset" in request.query:  # the seed's (and older clients') offset paging
        return _illust_page(request, related)
    # Live: no offset; next_url names the seed work and the 30 works just shown. The next
    # page starts after the furthest of them (pixivpy sends back only the last one).
    position = {i.id: n for n, i in enumerate(related)}
    viewed = [v for k, v in request.query.items() if k.startswith("viewed[")]
    start = 1 + max((position.get(int(v), -1) for v in viewed if v.isdigit()), default=-1)
    page = related[start : start + PAGE_SIZE]
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    following: str | None = None
    if start + PAGE_SIZE < len(related):
        pairs = [("illust_id", str(illust.id)), ("filter", request.query.get("filter", "for_ios"))]
        pairs.append(("seed_illust_ids[0]", str(illust.id)))
        pairs.extend((f"viewed[{n}]", str(i.id)) for n, i in enumerate(page))
        following = f"{shapes.base}{request.path}?{urlencode(pairs)}"
    return json_response(
        {"illusts": [shapes.illust(i, who, tr) for i in page], "next_url": following}
    )


async def illust_follow(request: web.Request) -> web.Response:
    state = ctx(request).state
    restrict = restrict_param(request)
    followed = {u for u, r in state.follows.get(viewer(request), {}).items() if r == restrict}
    works = [i for i in state.illusts.values() if i.user_id in followed]
    return _illust_page(request, _newest_first(_visible(works)))


async def illust_recommended(request: web.Request) -> web.Response:
    state = ctx(request).state
    kind = request.query.get("content_type", "illust")
    who = viewer(request)
    works = [
        i
        for i in state.illusts.values()
        if i.user_id != who and i.x_restrict == 0 and (i.kind == "manga") == (kind == "manga")
    ]
    works.sort(key=lambda i: (-i.total_bookmarks, i.id))
    shapes = ctx(request).shapes_for(request)
    ranking = []
    if request.query.get("include_ranking_illusts") == "true":
        ranking = [shapes.illust(i, who) for i in works[:3]]
    # §5: the live next_url carries both bookmark cursors (-1 when unused) and the offset.
    marks = ctx(request).state.illust_bookmarks.get(who, {}).values()
    recent = min((b.bookmark_id for b in marks), default=-1)
    cursor: dict[str, object] = {
        "min_bookmark_id_for_recent_illust": recent,
        "max_bookmark_id_for_recommend": -1,
        "include_privacy_policy": "false",
        **_live_cursor(request),
    }
    return _illust_page(
        request, works, cursor, ranking_illusts=ranking, contest_exists=False, privacy_policy={}
    )


def _ranked(request: web.Request, mode: str) -> list[Illust]:
    state = ctx(request).state
    r18 = "r18" in mode
    works = _visible(list(state.illusts.values()), r18)
    if mode == "day_manga":
        works = [i for i in works if i.kind == "manga"]
    # Each mode is its own deterministic ordering of the same works.
    salt = sum(map(ord, mode + request.query.get("date", "")))
    return sorted(works, key=lambda i: ((i.total_view * 31 + salt) % 9973, i.id))


async def illust_ranking(request: web.Request) -> web.Response:
    mode = request.query.get("mode", "day")
    if mode not in RANKING_MODES:
        raise ApiError(api_error(400, message=f"invalid mode: {mode}"))
    when = request.query.get("date")
    if when:
        try:
            date.fromisoformat(when)  # §2: YYYY-MM-DD
        except ValueError:
            raise ApiError(api_error(400, message="date must be YYYY-MM-DD")) from None
    return _illust_page(request, _ranked(request, mode), _live_cursor(request))


async def trending_tags(request: web.Request) -> web.Response:
    state = ctx(request).state
    shapes = ctx(request).shapes_for(request)
    tr, who = translate(request), viewer(request)
    best: dict[str, Illust] = {}
    for illust in _newest_first(_visible(list(state.illusts.values()))):
        for tag in illust.tags:
            best.setdefault(tag, illust)
    tags = shapes.tags(tuple(best), True)
    trend = [
        {
            "tag": t["name"],
            "translated_name": t["translated_name"],
            "illust": shapes.illust(best[t["name"]], who, tr),
        }
        for t in tags
    ]
    return json_response({"trend_tags": trend})


async def bookmark_detail(request: web.Request) -> web.Response:
    illust = find_illust(request)
    state = ctx(request).state
    mark = state.illust_bookmarks.get(viewer(request), {}).get(illust.id)
    mine = set(mark.tags) if mark else set()
    names = list(dict.fromkeys([*illust.tags, *sorted(mine)]))
    detail = {
        "is_bookmarked": mark is not None,
        "tags": [{"name": n, "is_registered": n in mine} for n in names],
        "restrict": mark.restrict if mark else "public",
    }
    return json_response({"bookmark_detail": detail})


async def bookmark_add(request: web.Request) -> web.Response:
    state = ctx(request).state
    form = request[FORM]
    try:
        illust = state.illusts[int(str(form.get("illust_id", "")))]
    except (KeyError, ValueError):
        return api_error(404, user_message=BAD_REQUEST_MESSAGE)
    restrict = restrict_param(request)
    raw_tags = " ".join(str(v) for k, v in form.items() if k in ("tags[]", "tags"))
    state.add_bookmark(viewer(request), illust.id, restrict, tuple(raw_tags.split()))  # type: ignore[arg-type]
    return json_response({})


async def bookmark_delete(request: web.Request) -> web.Response:
    state = ctx(request).state
    illust_id = int_param(request, "illust_id")
    state.delete_bookmark(viewer(request), illust_id)
    return json_response({})


routes = [
    web.get("/v1/illust/detail", illust_detail),
    web.get("/v1/illust/comments", comments_v1),
    web.get("/v2/illust/comments", comments_v2),
    web.get("/v3/illust/comments", comments_v2),
    web.get("/v2/illust/related", illust_related),
    web.get("/v2/illust/follow", illust_follow),
    web.get("/v1/illust/recommended", illust_recommended),
    web.get("/v1/illust/ranking", illust_ranking),
    web.get("/v1/trending-tags/illust", trending_tags),
    web.get("/v2/illust/bookmark/detail", bookmark_detail),
    web.post("/v2/illust/bookmark/add", bookmark_add),
    web.post("/v1/illust/bookmark/delete", bookmark_delete),
]
