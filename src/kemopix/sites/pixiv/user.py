"""User endpoints: detail, works, bookmarks, follows, related users, user search.

Paths and parameters: pixiv-protocol.md §2 (the seed) and §4 (pixivpy's set).
"""

from __future__ import annotations

from ..._protocol.flow import Flow
from . import models as m
from .auth import PixivAuth, get, post
from .paging import BOOKMARK_TAGS, USER_PREVIEWS
from .site import PixivSite, api_path

__all__ = [
    "bookmark_tags",
    "follow_add",
    "follow_delete",
    "search_user_query",
    "user_bookmark_tags_query",
    "user_bookmarks_illust_query",
    "user_bookmarks_novel_query",
    "user_detail",
    "user_detail_query",
    "user_follower_query",
    "user_following_query",
    "user_illusts_query",
    "user_mypixiv_query",
    "user_novels_query",
    "user_previews",
    "user_recommended_query",
    "user_related_query",
]

FILTER = "for_ios"


def user_detail(
    site: PixivSite, auth: PixivAuth, user_id: int, filter: str | None = FILTER
) -> Flow[m.UserDetailResponse]:
    """``GET /v1/user/detail``: user, profile, profile_publicity, workspace."""
    return get(site, auth, user_detail_query(user_id, filter), m.UserDetailResponse)


def user_detail_query(user_id: int, filter: str | None = FILTER) -> str:
    return api_path("/v1/user/detail", {"user_id": user_id, "filter": filter})


def user_illusts_query(
    user_id: int, type: str | None = "illust", offset: int | None = None, filter: str = FILTER
) -> str:
    return api_path(
        "/v1/user/illusts", {"user_id": user_id, "type": type, "offset": offset, "filter": filter}
    )


def user_novels_query(user_id: int, offset: int | None = None, filter: str = FILTER) -> str:
    return api_path("/v1/user/novels", {"user_id": user_id, "filter": filter, "offset": offset})


def user_bookmarks_illust_query(
    user_id: int,
    restrict: str = "public",
    max_bookmark_id: int | None = None,
    tag: str | None = None,
    filter: str | None = None,
) -> str:
    return api_path(
        "/v1/user/bookmarks/illust",
        {
            "user_id": user_id,
            "restrict": restrict,
            "filter": filter,
            "max_bookmark_id": max_bookmark_id,
            "tag": tag,
        },
    )


def user_bookmarks_novel_query(
    user_id: int,
    restrict: str = "public",
    max_bookmark_id: int | None = None,
    tag: str | None = None,
    filter: str | None = None,
) -> str:
    return api_path(
        "/v1/user/bookmarks/novel",
        {
            "user_id": user_id,
            "restrict": restrict,
            "filter": filter,
            "max_bookmark_id": max_bookmark_id,
            "tag": tag,
        },
    )


def user_bookmark_tags_query(
    user_id: int, restrict: str = "public", offset: int | None = None
) -> str:
    return api_path(
        "/v1/user/bookmark-tags/illust",
        {"user_id": user_id, "restrict": restrict, "offset": offset},
    )


def bookmark_tags(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.BookmarkTagsResponse]:
    """One page of a user's illustration bookmark tags."""
    return BOOKMARK_TAGS.fetch(site, auth, cursor)


def user_following_query(user_id: int, restrict: str = "public", offset: int | None = None) -> str:
    return api_path(
        "/v1/user/following", {"user_id": user_id, "restrict": restrict, "offset": offset}
    )


def user_follower_query(
    user_id: int | None = None, offset: int | None = None, filter: str = FILTER
) -> str:
    # The seed sends no user_id (its own followers); pixivpy sends one (pixiv-protocol.md §2).
    return api_path("/v1/user/follower", {"user_id": user_id, "filter": filter, "offset": offset})


def user_mypixiv_query(user_id: int, offset: int | None = None) -> str:
    return api_path("/v1/user/mypixiv", {"user_id": user_id, "offset": offset})


def user_related_query(seed_user_id: int, offset: int | None = None, filter: str = FILTER) -> str:
    # pixivpy sends offset always (0 on the first page) and seed_user_id last.
    return api_path(
        "/v1/user/related",
        {"filter": filter, "offset": offset or 0, "seed_user_id": seed_user_id},
    )


def user_recommended_query(offset: int | None = None, filter: str = FILTER) -> str:
    return api_path("/v1/user/recommended", {"filter": filter, "offset": offset})


def search_user_query(
    word: str,
    sort: str = "date_desc",
    duration: str | None = None,
    offset: int | None = None,
    filter: str = FILTER,
) -> str:
    return api_path(
        "/v1/search/user",
        {"word": word, "sort": sort, "duration": duration, "filter": filter, "offset": offset},
    )


def user_previews(site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[m.UserPreviewsResponse]:
    """One page of any ``{user_previews, next_url}`` listing (follows, related, user search)."""
    return USER_PREVIEWS.fetch(site, auth, cursor)


def follow_add(
    site: PixivSite, auth: PixivAuth, user_id: int, restrict: str = "public"
) -> Flow[None]:
    """``POST /v1/user/follow/add``."""
    return post(site, auth, "/v1/user/follow/add", {"user_id": user_id, "restrict": restrict})


def follow_delete(site: PixivSite, auth: PixivAuth, user_id: int) -> Flow[None]:
    """``POST /v1/user/follow/delete``."""
    return post(site, auth, "/v1/user/follow/delete", {"user_id": user_id})
