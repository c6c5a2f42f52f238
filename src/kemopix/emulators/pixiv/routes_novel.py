"""Novel endpoints: detail, the ``/webview/v2/novel`` HTML page with the text, series, feeds.

``/v1/novel/text`` is gone live (pixiv-protocol.md §4), so it answers the unknown-endpoint 404.
"""

from __future__ import annotations

import html
import json

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
)
from .errors import MSG_NO_WORK, ApiFailure, api_error, html_error, json_response
from .paging import PAGE_SIZE, page
from .views import Ctx

__all__ = ["novel_routes"]


def _no_work() -> ApiFailure:
    return ApiFailure(api_error(404, user_message=MSG_NO_WORK))


async def novel_detail(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    novel = request.app[VIEWS].novel(int_param(request.query, "novel_id"), ctx)
    if novel is None:
        raise _no_work()
    return json_response({"novel": novel})


def _navigation(request: web.Request, series_id: int | None, order: int | None) -> object:
    if series_id is None or order is None:
        return None
    state, views = request.app[STATE], request.app[VIEWS]
    out: dict[str, object] = {}
    for key, target in (("nextNovel", order + 1), ("prevNovel", order - 1)):
        row = state.one(
            "SELECT id, title, upload_path, cover FROM novels WHERE series_id = ?"
            " AND series_order = ?",
            series_id,
            target,
        )
        out[key] = None
        if row is not None:
            cover = views.images.novel_cover(int(row["id"]), row["upload_path"], row["cover"])
            out[key] = {
                "id": int(row["id"]),
                "viewable": True,
                "contentOrder": str(target),
                "title": row["title"],
                "coverUrl": cover["large"],
                "viewableMessage": None,
            }
    return out


def webview_json(request: web.Request, novel_id: int) -> dict[str, object] | None:
    """The camelCase ``novel`` object the web view page embeds (pixiv-protocol.md §5)."""
    state, views = request.app[STATE], request.app[VIEWS]
    row = state.one("SELECT * FROM novels WHERE id = ?", novel_id)
    if row is None:
        return None
    series = None
    if row["series_id"] is not None:
        series = state.one("SELECT title FROM novel_series WHERE id = ?", row["series_id"])
    tags = [
        r[0]
        for r in state.all("SELECT tag FROM novel_tags WHERE novel_id = ? ORDER BY pos", novel_id)
    ]
    cover = views.images.novel_cover(novel_id, row["upload_path"], row["cover"])
    return {
        "id": str(novel_id),
        "title": row["title"],
        "seriesId": str(row["series_id"]) if row["series_id"] is not None else None,
        "seriesTitle": series["title"] if series is not None else None,
        "seriesIsWatched": False if series is not None else None,
        "userId": str(row["user_id"]),
        "coverUrl": cover["large"],
        "tags": tags,
        "caption": row["caption"],
        "cdate": str(row["create_date"])[:10],
        "rating": {
            "like": int(row["total_bookmarks"]),
            "bookmark": int(row["total_bookmarks"]),
            "view": int(row["total_view"]),
        },
        "text": row["text"],
        "marker": None,
        "illusts": [],
        "images": [],
        "seriesNavigation": _navigation(request, row["series_id"], row["series_order"]),
        "glossaryItems": [],
        "replaceableItemIds": [],
        "aiType": int(row["ai_type"]),
        "isOriginal": bool(row["is_original"]),
    }


async def webview_novel(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    try:
        novel_id = int(request.query.get("id", ""))
    except ValueError:
        return html_error(404)
    data = webview_json(request, novel_id)
    if data is None:
        return html_error(404)
    # One line of JSON ("</" escaped for the script block), then ",\n" and isOwnWork: what
    # pixivpy's regex and gallery-dl's cut both rely on.
    embedded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    own = "true" if data["userId"] == str(ctx.viewer.id) else "false"
    page_html = (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f"<title>{html.escape(str(data['title']))}</title>\n</head>\n<body>\n"
        '<div id="root"></div>\n<script>\n'
        "  Object.defineProperty(window, 'pixiv', {\n    value: {\n"
        f"      novel: {embedded},\n"
        f"      isOwnWork: {own},\n"
        '      authorDetails: {"isFollowed":false,"isMuted":false},\n'
        '      viewerVersion: "20221031_ai"\n'
        "    }\n  });\n</script>\n</body>\n</html>\n"
    )
    return web.Response(text=page_html, content_type="text/html", charset="utf-8")


async def novel_series(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    series_id = int_param(query, "series_id")
    state, views = request.app[STATE], request.app[VIEWS]
    series = state.one("SELECT * FROM novel_series WHERE id = ?", series_id)
    if series is None:
        raise _no_work()
    rows = state.all(
        "SELECT id, series_order, length(text) FROM novels WHERE series_id = ?"
        " ORDER BY series_order",
        series_id,
    )
    ids = [int(r[0]) for r in rows]
    last_order = int_param(query, "last_order", 0)
    chunk = ids[last_order : last_order + PAGE_SIZE]
    following = last_order + len(chunk)
    cursor = {"last_order": following} if following < len(ids) else None
    detail = {
        "id": series_id,
        "title": series["title"],
        "caption": series["caption"],
        "is_original": bool(series["is_original"]),
        "is_concluded": bool(series["is_concluded"]),
        "content_count": len(ids),
        "total_character_count": sum(int(r[2]) for r in rows),
        "user": views.user(int(series["user_id"]), ctx),
        "display_text": f"{len(ids)}話",
        "novel_ai_type": 1,
        "watchlist_added": False,
    }
    body = {
        "novel_series_detail": detail,
        "novel_series_first_novel": views.novel(ids[0], ctx) if ids else None,
        "novel_series_latest_novel": views.novel(ids[-1], ctx) if ids else None,
        "novels": views.novels(chunk, ctx),
        "next_url": next_url(request, cursor),
    }
    return json_response(body)


def _visible_novels(request: web.Request, ctx: Ctx) -> list[int]:
    return [
        n.id for n in request.app[STATE].catalog().novels if n.x_restrict <= ctx.viewer.x_restrict
    ]


async def novel_new(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    limit = int_param(request.query, "max_novel_id", 0)
    ids = [i for i in _visible_novels(request, ctx) if not limit or i <= limit]
    chunk = ids[:PAGE_SIZE]
    cursor = {"max_novel_id": chunk[-1] - 1} if len(ids) > PAGE_SIZE else None
    return json_response(
        {"novels": request.app[VIEWS].novels(chunk, ctx), "next_url": next_url(request, cursor)}
    )


async def novel_follow(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    restrict = restrict_param(request.query, allow_all=True)
    followed = {uid for uid, r in ctx.followees.items() if restrict in ("all", r)}
    catalog = request.app[STATE].catalog()
    ids = [n.id for n in catalog.novels if n.user_id in followed]
    chunk, following = page(ids, offset_param(request.query))
    cursor = {"offset": following} if following is not None else None
    return json_response(
        {"novels": request.app[VIEWS].novels(chunk, ctx), "next_url": next_url(request, cursor)}
    )


async def novel_recommended(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    query = request.query
    ids = [
        n.id
        for n in sorted(
            request.app[STATE].catalog().novels, key=lambda n: (-n.total_bookmarks, -n.id)
        )
        if n.user_id != ctx.viewer.id and n.x_restrict <= ctx.viewer.x_restrict
    ]
    chunk, following = page(ids, offset_param(query))
    views = request.app[VIEWS]
    ranking = views.novels(ids[:10], ctx) if bool_param(query, "include_ranking_novels") else []
    cursor = None
    if following is not None:
        cursor = {"include_ranking_novels": "false", "offset": following}
    body: dict[str, object] = {
        "novels": views.novels(chunk, ctx),
        "ranking_novels": ranking,
        "privacy_policy": {},
        "next_url": next_url(request, cursor),
    }
    return json_response(body)


def novel_routes() -> list[web.RouteDef]:
    return [
        web.get("/v2/novel/detail", novel_detail),
        web.get("/webview/v2/novel", webview_novel),
        web.get("/v2/novel/series", novel_series),
        web.get("/v1/novel/series", novel_series),
        web.get("/v1/novel/new", novel_new),
        web.get("/v1/novel/follow", novel_follow),
        web.get("/v1/novel/recommended", novel_recommended),
    ]
