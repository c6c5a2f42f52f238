"""Search endpoints: illusts, novels, users (pixiv-protocol.md §2, §4, §5 "Pagination")."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from aiohttp import web

from .context import STATE, VIEWS, ctx_of, int_param, next_url, offset_param, str_param
from .errors import ApiFailure, api_error, invalid_param, json_response
from .feeds import search_illust_ids, search_novel_ids, search_user_ids
from .paging import page
from .routes_user import previews_answer

__all__ = ["search_routes"]

SEARCH_SPAN_LIMIT = 31_536_000  # the seed's example value (one year, in seconds)
MAX_OFFSET = 5000  # live refuses deeper pages; gallery-dl moves the date window instead
_ILLUST_TARGETS = {"partial_match_for_tags", "exact_match_for_tags", "title_and_caption", "keyword"}
_NOVEL_TARGETS = _ILLUST_TARGETS | {"text"}
_SORTS = {"date_desc", "date_asc", "popular_desc", "popular_male_desc", "popular_female_desc"}
_DURATIONS = {"within_last_day", "within_last_week", "within_last_month"}


def _choice(query: Mapping[str, str], name: str, allowed: set[str], default: str | None) -> str:
    value = str_param(query, name, default)
    if value is None or value not in allowed:
        raise invalid_param(name)
    return value


def _date(query: Mapping[str, str], name: str) -> date | None:
    value = str_param(query, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid_param(name) from None


@dataclass(frozen=True, slots=True)
class _Args:
    word: str
    target: str
    sort: str
    duration: str | None
    start: date | None
    end: date | None
    ai: str | None
    offset: int

    def show_ai(self, default: bool) -> bool:
        return default if self.ai is None else self.ai == "1"


def _common(request: web.Request, targets: set[str]) -> _Args:
    query = request.query
    word = str_param(query, "word")
    if word is None or not word.strip():
        raise invalid_param("word")
    duration = str_param(query, "duration")
    if duration is not None and duration not in _DURATIONS:
        raise invalid_param("duration")
    offset = offset_param(query)
    if offset > MAX_OFFSET:
        # assumption: the validation body of a too deep page (the docs give no sample).
        message = json.dumps({"offset": [f"Offset must be no more than {MAX_OFFSET}"]})
        raise ApiFailure(api_error(400, message=message))
    ai = str_param(query, "search_ai_type")
    if ai is not None and ai not in ("0", "1"):
        raise invalid_param("search_ai_type")
    return _Args(
        word=word,
        target=_choice(query, "search_target", targets, "partial_match_for_tags"),
        sort=_choice(query, "sort", _SORTS, "date_desc"),
        duration=duration,
        start=_date(query, "start_date"),
        end=_date(query, "end_date"),
        ai=ai,
        offset=offset,
    )


def _cursor(following: int | None) -> dict[str, int] | None:
    if following is None or following > MAX_OFFSET:
        return None
    return {"offset": following}


async def search_illust(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    args = _common(request, _ILLUST_TARGETS)
    views = request.app[VIEWS]
    ids = views.memo(
        ("search_illust", args, ctx.viewer),
        lambda: search_illust_ids(
            request.app[STATE].catalog(),
            args.word,
            args.target,
            args.sort,
            duration=args.duration,
            start=args.start,
            end=args.end,
            show_ai=args.show_ai(ctx.viewer.show_ai),
            visible=lambda w: views.can_see(w, ctx),
        ),
    )
    chunk, following = page(ids, args.offset)
    body = {
        "illusts": views.illusts(chunk, ctx),
        "next_url": next_url(request, _cursor(following)),
        "search_span_limit": SEARCH_SPAN_LIMIT,
        "show_ai": ctx.viewer.show_ai,
    }
    return json_response(body)


async def search_novel(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    args = _common(request, _NOVEL_TARGETS)
    ids = search_novel_ids(
        request.app[STATE].catalog(),
        args.word,
        args.target,
        args.sort,
        duration=args.duration,
        start=args.start,
        end=args.end,
        show_ai=args.show_ai(ctx.viewer.show_ai),
    )
    chunk, following = page(ids, args.offset)
    body = {
        "novels": request.app[VIEWS].novels(chunk, ctx),
        "next_url": next_url(request, _cursor(following)),
        "search_span_limit": SEARCH_SPAN_LIMIT,
        "show_ai": ctx.viewer.show_ai,
    }
    return json_response(body)


async def search_user(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    word = str_param(request.query, "word")
    if word is None or not word.strip():
        raise invalid_param("word")
    int_param(request.query, "offset", 0)
    ids = search_user_ids(request.app[STATE].catalog(), word)
    return previews_answer(request, ids, ctx)


def search_routes() -> list[web.RouteDef]:
    return [
        web.get("/v1/search/illust", search_illust),
        web.get("/v1/search/novel", search_novel),
        web.get("/v1/search/user", search_user),
    ]
