"""Novel endpoints: detail, text, series, comments, search, feeds, bookmarks.

Paths and parameters: pixiv-protocol.md §4; the text comes from the web view (§5).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial

import msgspec

from ..._protocol.errors import DecodeError
from ..._protocol.flow import Flow
from ..._protocol.http import Request
from . import models as m
from .auth import PixivAuth, authorized, get, post
from .errors import raise_for_error
from .illust import search_query
from .paging import NOVELS, SEARCH_NOVELS
from .site import PixivSite, api_path

__all__ = [
    "novel_bookmark_add",
    "novel_bookmark_delete",
    "novel_comments_query",
    "novel_detail",
    "novel_detail_query",
    "novel_follow_query",
    "novel_new_query",
    "novel_series",
    "novel_series_query",
    "novel_text",
    "novels",
    "parse_novel_text",
    "search_novel",
    "search_novel_query",
]

FILTER = "for_ios"
# pixiv-protocol.md §4: the web view version that still embeds the text.
VIEWER_VERSION = "20221031_ai"
_MARKER = "novel:"


def novel_detail(site: PixivSite, auth: PixivAuth, novel_id: int) -> Flow[m.NovelDetailResponse]:
    """``GET /v2/novel/detail``."""
    return get(site, auth, novel_detail_query(novel_id), m.NovelDetailResponse)


def novel_detail_query(novel_id: int) -> str:
    return api_path("/v2/novel/detail", {"novel_id": novel_id})


def novels(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.NovelsResponse]:
    """One page of any ``{novels, next_url}`` listing (user novels, bookmarks, follow, new)."""
    return NOVELS.fetch(site, auth, cursor)


def parse_novel_text(html: str, url: str | None = None) -> m.NovelText:
    """The ``novel: {...}`` object a ``/webview/v2/novel`` page embeds."""
    start = html.find(_MARKER)
    brace = html.find("{", start) if start >= 0 else -1
    if brace < 0:
        raise DecodeError("no novel object in the web view page", url=url)
    try:
        raw, _ = json.JSONDecoder().raw_decode(html, brace)
        return msgspec.convert(raw, m.NovelText)
    except (ValueError, msgspec.ValidationError) as exc:
        raise DecodeError(f"unreadable novel object in the web view page: {exc}", url=url) from exc


def novel_text(site: PixivSite, auth: PixivAuth, novel_id: int) -> Flow[m.NovelText]:
    """A novel's text and metadata from ``GET /webview/v2/novel`` (HTML)."""
    query = {"id": novel_id, "viewer_version": VIEWER_VERSION}
    url = site.api(api_path("/webview/v2/novel", query))

    def build(token: str | None) -> Request:
        return Request.build("GET", url, headers=site.headers(token))

    response = yield from authorized(site, auth, build)
    raise_for_error(response)
    return parse_novel_text(response.text, response.url)


def novel_series_query(series_id: int, last_order: int | None = None, filter: str = FILTER) -> str:
    return api_path(
        "/v2/novel/series", {"series_id": series_id, "filter": filter, "last_order": last_order}
    )


def novel_series(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.NovelSeriesResponse]:
    """One page of a novel series (detail, first novel, novels)."""
    return get(site, auth, cursor, m.NovelSeriesResponse)


def novel_comments_query(
    novel_id: int, offset: int | None = None, include_total_comments: bool | None = None
) -> str:
    return api_path(
        "/v1/novel/comments",
        {"novel_id": novel_id, "offset": offset, "include_total_comments": include_total_comments},
    )


search_novel_query = partial(search_query, "novel")


def search_novel(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.SearchNovelsResponse]:
    """One page of a novel search."""
    return SEARCH_NOVELS.fetch(site, auth, cursor)


def novel_follow_query(restrict: str = "public", offset: int | None = None) -> str:
    return api_path("/v1/novel/follow", {"restrict": restrict, "offset": offset})


def novel_new_query(max_novel_id: int | None = None, filter: str = FILTER) -> str:
    return api_path("/v1/novel/new", {"filter": filter, "max_novel_id": max_novel_id})


def novel_bookmark_add(
    site: PixivSite,
    auth: PixivAuth,
    novel_id: int,
    restrict: str = "public",
    tags: Iterable[str] | None = None,
) -> Flow[None]:
    """``POST /v2/novel/bookmark/add`` (assumption: the illust endpoint's novel twin)."""
    form: dict[str, object] = {"novel_id": novel_id, "restrict": restrict}
    if tags:
        form["tags[]"] = " ".join(tags)
    return post(site, auth, "/v2/novel/bookmark/add", form)


def novel_bookmark_delete(site: PixivSite, auth: PixivAuth, novel_id: int) -> Flow[None]:
    """``POST /v1/novel/bookmark/delete`` (assumption: the illust endpoint's novel twin)."""
    return post(site, auth, "/v1/novel/bookmark/delete", {"novel_id": novel_id})
