"""Novel endpoints (detail, series, the web-view text page) and ugoira metadata."""

from __future__ import annotations

import html

import msgspec
from aiohttp import web

from .context import ApiError, ctx, int_param, next_url, translate, viewer
from .dataset import Novel
from .errors import WORK_MISSING, api_error, json_response
from .routes_illust import find_illust
from .shapes import iso

__all__ = ["novel_page_html", "routes"]


def _find_novel(request: web.Request, name: str) -> Novel:
    novel = ctx(request).state.novels.get(int_param(request, name))
    if novel is None:
        raise ApiError(api_error(404, user_message=WORK_MISSING))
    return novel


def _series_novels(request: web.Request, series_id: int) -> list[Novel]:
    novels = ctx(request).state.novels.values()
    return sorted((n for n in novels if n.series_id == series_id), key=lambda n: n.created)


async def novel_detail(request: web.Request) -> web.Response:
    novel = _find_novel(request, "novel_id")
    shapes = ctx(request).shapes_for(request)
    return json_response({"novel": shapes.novel(novel, viewer(request), translate(request))})


async def novel_series(request: web.Request) -> web.Response:
    state = ctx(request).state
    series = state.series.get(int_param(request, "series_id"))
    if series is None:
        raise ApiError(api_error(404, user_message=WORK_MISSING))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    novels = _series_novels(request, series.id)
    last_order = int_param(request, "last_order", 0)
    page = novels[last_order : last_order + 30]
    more = last_order + 30 < len(novels)
    # §4 marks this shape UNCONFIRMED; fields follow pixivpy's and gallery-dl's readers.
    detail = {
        "id": series.id,
        "title": series.title,
        "caption": series.caption,
        "is_original": True,
        "is_concluded": False,
        "content_count": len(novels),
        "total_character_count": sum(len(n.text) for n in novels),
        "user": shapes.user(state.users[series.user_id], who),
        "display_text": f"{len(novels)} chapters",
        "novel_ai_type": 1,
        "watchlist_added": False,
    }
    body = {
        "novel_series_detail": detail,
        "novel_series_first_novel": shapes.novel(novels[0], who, tr) if novels else None,
        "novel_series_latest_novel": shapes.novel(novels[-1], who, tr) if novels else None,
        "novels": [shapes.novel(n, who, tr) for n in page],
        "next_url": next_url(request, last_order=last_order + 30) if more else None,
    }
    return json_response(body)


def novel_page_html(payload: dict[str, object]) -> str:
    """The web-view page: one line of JSON after ``novel: `` and before ``,\\n   isOwnWork``.

    pixivpy 3.7.5 extracts it with ``novel:\\s({.+}),\\s+isOwnWork`` (no DOTALL) and gallery-dl
    cuts from ``novel: `` to the first ``,\\n``, so the JSON must stay on one line.
    """
    data = msgspec.json.encode(payload).decode().replace("</", "<\\/")
    title = html.escape(str(payload.get("title", "")))
    return (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{title}</title>\n</head>\n<body>\n<div id="root"></div>\n<script>\n'
        "    Object.defineProperty(window, 'pixiv', {value: {\n"
        f"        novel: {data},\n"
        "        isOwnWork: false,\n"
        "        authorDetails: {},\n"
        "    }});\n</script>\n</body>\n</html>\n"
    )


async def webview_novel(request: web.Request) -> web.Response:
    novel = _find_novel(request, "id")
    state = ctx(request).state
    shapes = ctx(request).shapes_for(request)
    series = state.series.get(novel.series_id or 0)
    siblings = _series_novels(request, series.id) if series else []
    index = siblings.index(novel) if series else 0

    def nav(n: Novel | None, order: int) -> dict[str, object] | None:
        if n is None:
            return None
        return {
            "id": n.id,
            "viewable": True,
            "contentOrder": str(order),
            "title": n.title,
            "coverUrl": shapes.novel(n, 0)["image_urls"]["medium"],
            "viewableMessage": None,
        }

    prev_novel = siblings[index - 1] if series and index > 0 else None
    next_novel = siblings[index + 1] if series and index + 1 < len(siblings) else None
    payload: dict[str, object] = {
        "id": str(novel.id),
        "title": novel.title,
        "seriesId": str(series.id) if series else None,
        "seriesTitle": series.title if series else None,
        "seriesIsWatched": False,
        "userId": str(novel.user_id),
        "coverUrl": shapes.novel(novel, 0)["image_urls"]["large"],
        "tags": list(novel.tags),
        "caption": novel.caption,
        "cdate": iso(novel.created),
        "rating": {
            "like": novel.total_bookmarks // 2,
            "bookmark": novel.total_bookmarks,
            "view": novel.total_view,
        },
        "text": novel.text,
        "marker": None,
        "illusts": [],
        "images": [],
        "seriesNavigation": {
            "nextNovel": nav(next_novel, index + 2),
            "prevNovel": nav(prev_novel, index),
        }
        if series
        else None,
        "glossaryItems": [],
        "replaceableItemIds": [],
        "aiType": 1,
        "isOriginal": novel.is_original,
    }
    return web.Response(text=novel_page_html(payload), content_type="text/html")


async def ugoira_metadata(request: web.Request) -> web.Response:
    illust = find_illust(request)
    if illust.kind != "ugoira":
        # assumption: the live wording for a non-ugoira id is not documented.
        raise ApiError(api_error(400, message="The work is not an ugoira"))
    shapes = ctx(request).shapes_for(request)
    frames = [{"file": f"{n:06d}.jpg", "delay": d} for n, d in enumerate(illust.frame_delays)]
    return json_response(
        {
            "ugoira_metadata": {
                "zip_urls": {"medium": shapes.ugoira_zip_url(illust)},
                "frames": frames,
            }
        }
    )


routes = [
    web.get("/v2/novel/detail", novel_detail),
    web.get("/v2/novel/series", novel_series),
    web.get("/webview/v2/novel", webview_novel),
    web.get("/v1/ugoira/metadata", ugoira_metadata),
]
