"""Illust endpoints: detail, related, follow feed, recommended, ranking, new, trending tags,
ugoira metadata and illust series (pixiv-protocol.md §2 and §4)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from aiohttp import web

from .context import (
    STATE,
    VIEWS,
    bool_param,
    ctx_of,
    int_param,
    next_url,
    offset_param,
    restrict_param,
    str_param,
)
from .errors import MSG_NO_WORK, ApiFailure, api_error, invalid_param, json_response
from .feeds import (
    RANKING_MODES,
    default_ranking_date,
    ranking_ids,
    recommended_ids,
    related_ids,
    trending_tags,
)
from .paging import PAGE_SIZE, page
from .shapes import tag_shape
from .views import Ctx

__all__ = ["illust_routes"]

_TYPES = {"illust": frozenset({"illust", "ugoira"}), "manga": frozenset({"manga"})}


def _no_work() -> ApiFailure:
    return ApiFailure(api_error(404, user_message=MSG_NO_WORK))


async def illust_detail(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    work_id = int_param(request.query, "illust_id")
    shape = request.app[VIEWS].illust(work_id, ctx, detail=True)
    if shape is None:
        raise _no_work()
    return json_response({"illust": shape})


async def illust_related(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    work_id = int_param(request.query, "illust_id")
    catalog = request.app[STATE].catalog()
    work = catalog.by_id.get(work_id)
    if work is None:
        raise _no_work()
    views = request.app[VIEWS]
    seed = request.app[STATE].spec.seed
    ids = views.memo(
        ("related", work_id, ctx.viewer),
        lambda: related_ids(catalog, work, seed, lambda w: views.can_see(w, ctx)),
    )
    chunk, following = page(ids, offset_param(request.query))
    illusts = views.illusts(chunk, ctx)
    # Live repeats the seed work and lists what this page showed as viewed[N].
    cursor = {"offset": following} if following is not None else None
    url = next_url(request, cursor, seed_illust_ids=[work_id], viewed=list(chunk))
    return json_response({"illusts": illusts, "next_url": url})


async def illust_follow(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    restrict = restrict_param(request.query, allow_all=True)
    followed = {uid for uid, r in ctx.followees.items() if restrict in ("all", r)}
    views = request.app[VIEWS]
    ids = [
        w.id
        for w in request.app[STATE].catalog().illusts
        if w.user_id in followed and views.can_see(w, ctx)
    ]
    chunk, following = page(ids, offset_param(request.query))
    cursor = {"offset": following} if following is not None else None
    return json_response(
        {"illusts": views.illusts(chunk, ctx), "next_url": next_url(request, cursor)}
    )


def _bookmark_ids(request: web.Request, ctx: Ctx) -> list[tuple[int, int, str]]:
    rows = request.app[STATE].all(
        "SELECT id, work_id, restrict_ FROM bookmarks WHERE user_id = ? AND kind = 'illust'"
        " ORDER BY id DESC",
        ctx.viewer.id,
    )
    return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]


async def illust_recommended(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    content_type = str_param(query, "content_type", "illust") or "illust"
    if content_type not in _TYPES:
        raise invalid_param("content_type")
    state, views = request.app[STATE], request.app[VIEWS]
    catalog = state.catalog()
    marks = _bookmark_ids(request, ctx)
    liked: Counter[str] = Counter()
    for _, work_id, _ in marks[:50]:
        if work_id in catalog.by_id:
            liked.update(catalog.by_id[work_id].tags)
    exclude = {work_id for _, work_id, _ in marks}
    ids = views.memo(
        ("recommended", content_type, ctx.viewer),
        lambda: recommended_ids(
            catalog,
            ctx.viewer.id,
            _TYPES[content_type],
            liked,
            exclude,
            state.spec.seed,
            lambda w: views.can_see(w, ctx),
        ),
    )
    offset = offset_param(query)
    chunk, following = page(ids, offset)
    ranking: list[object] = []
    if bool_param(query, "include_ranking_illusts"):
        mode = "day_manga" if content_type == "manga" else "day"
        day = default_ranking_date()
        top = views.memo(
            ("ranking", mode, day, ctx.viewer),
            lambda: ranking_ids(
                catalog, mode, day, state.spec.seed, lambda w: views.can_see(w, ctx)
            ),
        )
        ranking = list(views.illusts(top[:10], ctx))
    cursor = None
    if following is not None:
        newest = marks[0][0] if marks else -1
        oldest = marks[min(len(marks), 10) - 1][0] if marks else -1
        cursor = {
            "include_ranking_illusts": "false",
            "min_bookmark_id_for_recent_illust": oldest,
            "max_bookmark_id_for_recommend": newest,
            "offset": following,
            "include_privacy_policy": "false",
        }
    body = {
        "illusts": views.illusts(chunk, ctx),
        "ranking_illusts": ranking,
        "contest_exists": False,
        "privacy_policy": {},
        "next_url": next_url(request, cursor, viewed=list(chunk)),
    }
    return json_response(body)


def _ranking_date(value: str | None) -> date:
    if value is None:
        return default_ranking_date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid_param("date") from None


async def illust_ranking(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    mode = str_param(query, "mode", "day") or "day"
    if mode not in RANKING_MODES:
        raise invalid_param("mode")
    day = _ranking_date(str_param(query, "date"))
    state, views = request.app[STATE], request.app[VIEWS]
    ids: list[int] = []
    # assumption: an account without R-18 enabled gets an empty R-18 ranking.
    if RANKING_MODES[mode][1] <= ctx.viewer.x_restrict:
        ids = views.memo(
            ("ranking", mode, day, ctx.viewer),
            lambda: ranking_ids(
                state.catalog(), mode, day, state.spec.seed, lambda w: views.can_see(w, ctx)
            ),
        )
    chunk, following = page(ids, offset_param(query))
    cursor = {"offset": following} if following is not None else None
    return json_response(
        {"illusts": views.illusts(chunk, ctx), "next_url": next_url(request, cursor)}
    )


async def illust_new(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    content_type = str_param(query, "content_type", "illust") or "illust"
    if content_type not in _TYPES:
        raise invalid_param("content_type")
    limit = int_param(query, "max_illust_id", 0)
    views = request.app[VIEWS]
    ids = [
        w.id
        for w in request.app[STATE].catalog().illusts
        if w.type in _TYPES[content_type] and (not limit or w.id <= limit) and views.can_see(w, ctx)
    ]
    chunk = ids[:PAGE_SIZE]
    cursor = {"max_illust_id": chunk[-1] - 1} if len(ids) > PAGE_SIZE else None
    return json_response(
        {"illusts": views.illusts(chunk, ctx), "next_url": next_url(request, cursor)}
    )


async def trending_tags_illust(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    views, catalog = request.app[VIEWS], request.app[STATE].catalog()
    trends = []
    for tag, work_id in trending_tags(catalog, lambda w: views.can_see(w, ctx)):
        illust = views.illust(work_id, ctx)
        translated = tag_shape(tag, catalog.translations, ctx.lang)["translated_name"]
        trends.append({"tag": tag, "translated_name": translated, "illust": illust})
    return json_response({"trend_tags": trends})


async def ugoira_metadata(request: web.Request) -> web.Response:
    ctx_of(request)
    work_id = int_param(request.query, "illust_id")
    state = request.app[STATE]
    row = state.one("SELECT type, upload_path FROM illusts WHERE id = ?", work_id)
    if row is None or row["type"] != "ugoira":
        # assumption: a work that is not an ugoira answers like a missing one.
        raise _no_work()
    frames = state.all(
        "SELECT idx, delay FROM ugoira_frames WHERE illust_id = ? ORDER BY idx", work_id
    )
    images = request.app[VIEWS].images
    metadata = {
        "zip_urls": {"medium": images.ugoira_zip(work_id, row["upload_path"])},
        "frames": [{"file": f"{int(f[0]):06d}.jpg", "delay": int(f[1])} for f in frames],
    }
    return json_response({"ugoira_metadata": metadata})


async def illust_series(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    series_id = int_param(request.query, "illust_series_id")
    state, views = request.app[STATE], request.app[VIEWS]
    series = state.one("SELECT * FROM illust_series WHERE id = ?", series_id)
    if series is None:
        raise _no_work()
    ids = [
        int(r[0])
        for r in state.all("SELECT id FROM illusts WHERE series_id = ? ORDER BY id", series_id)
    ]
    first = views.illust(ids[0], ctx) if ids else None
    detail = {
        "id": series_id,
        "title": series["title"],
        "caption": series["caption"],
        "cover_image_urls": {"medium": first["image_urls"]["medium"] if first else None},
        "series_work_count": len(ids),
        "create_date": series["create_date"],
        "width": first["width"] if first else 0,
        "height": first["height"] if first else 0,
        "user": views.user(int(series["user_id"]), ctx),
        "watchlist_added": False,
    }
    newest_first = list(reversed(ids))
    chunk, following = page(newest_first, offset_param(request.query))
    cursor = {"offset": following} if following is not None else None
    body = {
        "illust_series_detail": detail,
        "illust_series_first_illust": first,
        "illusts": views.illusts(chunk, ctx),
        "next_url": next_url(request, cursor),
    }
    return json_response(body)


def illust_routes() -> list[web.RouteDef]:
    return [
        web.get("/v1/illust/detail", illust_detail),
        web.get("/v2/illust/related", illust_related),
        web.get("/v2/illust/follow", illust_follow),
        web.get("/v1/illust/recommended", illust_recommended),
        web.get("/v1/illust/ranking", illust_ranking),
        web.get("/v1/illust/new", illust_new),
        web.get("/v1/trending-tags/illust", trending_tags_illust),
        web.get("/v1/ugoira/metadata", ugoira_metadata),
        web.get("/v1/illust/series", illust_series),
    ]
