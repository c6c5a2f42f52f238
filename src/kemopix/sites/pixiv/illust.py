"""Illustration endpoints: detail, comments, related, feeds, ranking, search, bookmarks, ugoira.

Paths and parameters: pixiv-protocol.md §2 (what the seed sends) and §4 (pixivpy's set).
``*_query`` builders are pure and give the first page's cursor; flows fetch one answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from ..._protocol.flow import Flow
from . import models as m
from .auth import PixivAuth, get, post
from .paging import COMMENTS, ILLUSTS, RECOMMENDED, SEARCH_ILLUSTS
from .site import PixivSite, api_path

__all__ = [
    "FILTER",
    "bookmark_add",
    "bookmark_delete",
    "bookmark_detail",
    "illust_comments",
    "illust_comments_query",
    "illust_detail",
    "illust_detail_query",
    "illust_follow_query",
    "illust_new_query",
    "illust_ranking_query",
    "illust_recommended_query",
    "illust_related_query",
    "illusts",
    "recommended",
    "search_illust",
    "search_illust_query",
    "trending_tags",
    "trending_tags_query",
    "ugoira_metadata",
]

FILTER = "for_ios"  # picks the URL flavour only (pixiv-protocol.md §5)


def illust_detail_query(illust_id: int) -> str:
    return api_path("/v1/illust/detail", {"illust_id": illust_id})


def illust_detail(site: PixivSite, auth: PixivAuth, illust_id: int) -> Flow[m.IllustDetailResponse]:
    """``GET /v1/illust/detail``: one work."""
    return get(site, auth, illust_detail_query(illust_id), m.IllustDetailResponse)


def illusts(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.IllustsResponse]:
    """One page of any ``{illusts, next_url}`` listing (related, follow, ranking, user, new...)."""
    return ILLUSTS.fetch(site, auth, cursor)


def illust_comments_query(
    illust_id: int, offset: int | None = None, include_total_comments: bool | None = None
) -> str:
    return api_path(
        "/v1/illust/comments",
        {
            "illust_id": illust_id,
            "offset": offset,
            "include_total_comments": include_total_comments,
        },
    )


def illust_comments(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.CommentsResponse]:
    """One page of comments (30 a page)."""
    return COMMENTS.fetch(site, auth, cursor)


def illust_related_query(
    illust_id: int,
    offset: int | None = None,
    *,
    filter: str | None = None,
    seed_illust_ids: Iterable[int] | None = None,
) -> str:
    seeds = list(seed_illust_ids) if seed_illust_ids else None
    return api_path(
        "/v2/illust/related",
        {"illust_id": illust_id, "filter": filter, "offset": offset, "seed_illust_ids[]": seeds},
    )


def illust_follow_query(restrict: str = "public", offset: int | None = None) -> str:
    return api_path("/v2/illust/follow", {"restrict": restrict, "offset": offset})


def illust_recommended_query(
    content_type: str = "illust",
    *,
    include_ranking_label: bool = True,
    max_bookmark_id_for_recommend: int | None = None,
    min_bookmark_id_for_recent_illust: int | None = None,
    offset: int | None = None,
    include_ranking_illusts: bool | None = None,
    bookmark_illust_ids: Iterable[int] | None = None,
    filter: str | None = None,
) -> str:
    ids = ",".join(str(i) for i in bookmark_illust_ids) if bookmark_illust_ids else None
    return api_path(
        "/v1/illust/recommended",
        {
            "content_type": content_type,
            "include_ranking_label": include_ranking_label,
            "filter": filter,
            "max_bookmark_id_for_recommend": max_bookmark_id_for_recommend,
            "min_bookmark_id_for_recent_illust": min_bookmark_id_for_recent_illust,
            "offset": offset,
            "include_ranking_illusts": include_ranking_illusts,
            "bookmark_illust_ids": ids or None,
        },
    )


def recommended(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.RecommendedResponse]:
    """One page of recommendations (with ``ranking_illusts`` and ``contest_exists``)."""
    return RECOMMENDED.fetch(site, auth, cursor)


def illust_ranking_query(
    mode: str = "day", date: str | None = None, offset: int | None = None, filter: str = FILTER
) -> str:
    return api_path(
        "/v1/illust/ranking", {"mode": mode, "filter": filter, "date": date, "offset": offset}
    )


def illust_new_query(
    content_type: str = "illust", max_illust_id: int | None = None, filter: str = FILTER
) -> str:
    return api_path(
        "/v1/illust/new",
        {"content_type": content_type, "filter": filter, "max_illust_id": max_illust_id},
    )


def trending_tags(
    site: PixivSite, auth: PixivAuth, filter: str = FILTER
) -> Flow[m.TrendTagsResponse]:
    """``GET /v1/trending-tags/illust``."""
    return get(site, auth, trending_tags_query(filter), m.TrendTagsResponse)


def trending_tags_query(filter: str = FILTER) -> str:
    return api_path("/v1/trending-tags/illust", {"filter": filter})


def search_query(
    kind: str,
    word: str,
    search_target: str = "partial_match_for_tags",
    sort: str = "date_desc",
    duration: str | None = None,
    offset: int | None = None,
    *,
    start_date: str | None = None,
    end_date: str | None = None,
    search_ai_type: int | None = None,
    filter: str = FILTER,
) -> str:
    """The cursor of ``GET /v1/search/{kind}`` (``illust`` or ``novel``: the same parameters)."""
    return api_path(
        f"/v1/search/{kind}",
        {
            "word": word,
            "search_target": search_target,
            "sort": sort,
            "filter": filter,
            "start_date": start_date,
            "end_date": end_date,
            "duration": duration,
            "search_ai_type": search_ai_type,
            "offset": offset,
        },
    )


search_illust_query = partial(search_query, "illust")


def search_illust(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.SearchIllustsResponse]:
    """One page of an illustration search (with ``search_span_limit``)."""
    return SEARCH_ILLUSTS.fetch(site, auth, cursor)


def bookmark_detail(
    site: PixivSite, auth: PixivAuth, illust_id: int
) -> Flow[m.BookmarkDetailResponse]:
    """``GET /v2/illust/bookmark/detail``: whether and how a work is bookmarked."""
    cursor = api_path("/v2/illust/bookmark/detail", {"illust_id": illust_id})
    return get(site, auth, cursor, m.BookmarkDetailResponse)


def bookmark_add(
    site: PixivSite,
    auth: PixivAuth,
    illust_id: int,
    restrict: str = "public",
    tags: Iterable[str] | None = None,
) -> Flow[None]:
    """``POST /v2/illust/bookmark/add``; ``tags[]`` is the tags joined by spaces."""
    form: dict[str, object] = {"illust_id": illust_id, "restrict": restrict}
    if tags:
        form["tags[]"] = " ".join(tags)
    return post(site, auth, "/v2/illust/bookmark/add", form)


def bookmark_delete(site: PixivSite, auth: PixivAuth, illust_id: int) -> Flow[None]:
    """``POST /v1/illust/bookmark/delete``."""
    return post(site, auth, "/v1/illust/bookmark/delete", {"illust_id": illust_id})


def ugoira_metadata(
    site: PixivSite, auth: PixivAuth, illust_id: int
) -> Flow[m.UgoiraMetadataResponse]:
    """``GET /v1/ugoira/metadata``: the frames zip URL and each frame's delay in ms."""
    cursor = api_path("/v1/ugoira/metadata", {"illust_id": illust_id})
    return get(site, auth, cursor, m.UgoiraMetadataResponse)
