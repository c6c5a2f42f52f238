"""Search endpoints: illustrations, novels and users (pixiv-protocol.md §4, §5)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TypeVar

from aiohttp import web

from .context import ApiError, ctx, int_param, next_url, paginate, translate, viewer
from .dataset import JST, Illust, Novel
from .errors import api_error, json_response

__all__ = ["SEARCH_OFFSET_LIMIT", "routes"]

SEARCH_OFFSET_LIMIT = 5000  # §5: search stops at offset 5000
SEARCH_SPAN_LIMIT = 31536000  # assumption: one year, in seconds
W = TypeVar("W", Illust, Novel)
_DURATIONS = {
    "within_last_day": timedelta(days=1),
    "within_last_week": timedelta(days=7),
    "within_last_month": timedelta(days=30),
}


def _tag_names(tags: Iterable[str], translations: dict[str, str | None]) -> list[str]:
    names: list[str] = []
    for tag in tags:
        names.append(tag.lower())
        translated = translations.get(tag)
        if translated:
            names.append(translated.lower())
    return names


def _matcher(request: web.Request, text_of: Callable[[W], str]) -> Callable[[W], bool]:
    word = request.query.get("word", "").strip().lower()
    if not word:
        raise ApiError(api_error(400, message="word is required"))
    words = word.split()
    target = request.query.get("search_target", "partial_match_for_tags")
    translations = ctx(request).state.translations

    def matches(work: W) -> bool:
        tags = _tag_names(work.tags, translations)
        if target == "exact_match_for_tags":
            return all(w in tags for w in words)
        if target == "partial_match_for_tags":
            return all(any(w in t for t in tags) for w in words)
        haystack = f"{work.title}\n{work.caption}".lower()
        if target in ("text", "keyword"):
            haystack += "\n" + text_of(work).lower() + "\n" + "\n".join(tags)
        return all(w in haystack for w in words)

    return matches


def _filtered(request: web.Request, works: Iterable[W], text_of: Callable[[W], str]) -> list[W]:
    matches = _matcher(request, text_of)
    query = request.query
    chosen = [w for w in works if w.x_restrict == 0 and matches(w)]
    # search_ai_type=0 hides AI works; every seeded work has ai_type 1 (not AI), so it is a no-op.
    try:
        if query.get("start_date"):
            start = date.fromisoformat(query["start_date"])
            chosen = [w for w in chosen if w.created.astimezone(JST).date() >= start]
        if query.get("end_date"):
            end = date.fromisoformat(query["end_date"])
            chosen = [w for w in chosen if w.created.astimezone(JST).date() <= end]
    except ValueError:
        raise ApiError(api_error(400, message="dates must be YYYY-MM-DD")) from None
    span = _DURATIONS.get(query.get("duration", ""))
    if span is not None:
        cutoff = datetime.now(JST) - span
        chosen = [w for w in chosen if w.created >= cutoff]
    sort = query.get("sort", "date_desc")
    if sort == "date_asc":
        chosen.sort(key=lambda w: (w.created, w.id))
    elif sort == "popular_desc":
        chosen.sort(key=lambda w: (-w.total_bookmarks, -w.id))
    else:
        chosen.sort(key=lambda w: (w.created, w.id), reverse=True)
    return chosen


def _offset(request: web.Request) -> int:
    offset = int_param(request, "offset", 0)
    if offset > SEARCH_OFFSET_LIMIT:
        raise ApiError(api_error(400, message=f"offset must be at most {SEARCH_OFFSET_LIMIT}"))
    return offset


async def search_illust(request: web.Request) -> web.Response:
    state = ctx(request).state
    works = _filtered(request, state.illusts.values(), lambda i: "")
    page, following = paginate(works, _offset(request))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    return json_response(
        {
            "illusts": [shapes.illust(i, who, tr) for i in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
            "search_span_limit": SEARCH_SPAN_LIMIT,
            "show_ai": True,
        }
    )


async def search_novel(request: web.Request) -> web.Response:
    state = ctx(request).state
    works = _filtered(request, state.novels.values(), lambda n: n.text)
    page, following = paginate(works, _offset(request))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    return json_response(
        {
            "novels": [shapes.novel(n, who, tr) for n in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
            "search_span_limit": SEARCH_SPAN_LIMIT,
            "show_ai": True,
        }
    )


async def search_user(request: web.Request) -> web.Response:
    word = request.query.get("word", "").strip().lower()
    if not word:
        raise ApiError(api_error(400, message="word is required"))
    state = ctx(request).state
    users = [
        u
        for _, u in sorted(state.users.items())
        if word in u.name.lower() or word in u.account.lower()
    ]
    page, following = paginate(users, _offset(request))
    shapes = ctx(request).shapes_for(request)
    who = viewer(request)
    return json_response(
        {
            "user_previews": [shapes.user_preview(u, who) for u in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
        }
    )


routes = [
    web.get("/v1/search/illust", search_illust),
    web.get("/v1/search/novel", search_novel),
    web.get("/v1/search/user", search_user),
]
