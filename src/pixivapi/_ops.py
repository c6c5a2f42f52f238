"""The clients' operations as flows: site flows plus the seed's return shapes, written once.

``Client`` runs these with a ``SyncRunner`` and ``AsyncClient`` with an ``AsyncRunner``; each
public method is one line. Paged listings take a cursor (an API path with its query, see
``kemopix.sites.pixiv.paging``) and report ``'next'`` as the seed did: the named parameter of
``next_url`` as an int, or None on the last page.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from kemopix._protocol.flow import Flow
from kemopix._protocol.paging import Page
from kemopix._protocol.raw import RawBody, RawRef
from kemopix.sites.pixiv import (
    BOOKMARK_TAGS,
    COMMENTS,
    ILLUSTS,
    NOVEL_SERIES,
    NOVELS,
    RECOMMENDED,
    SEARCH_ILLUSTS,
    SEARCH_NOVELS,
    USER_PREVIEWS,
    Listing,
    PageStep,
    code_grant,
    illust,
    next_cursor_value,
    novel,
    password_grant,
    refresh_grant,
    user,
)
from kemopix.sites.pixiv import models as w
from kemopix.sites.pixiv.auth import get_raw
from kemopix.sites.pixiv.errors import OAuthError

from ._state import ClientState
from .enums import Visibility
from .errors import PASSWORD_GRANT_GONE
from .models import Comment, FullUser, Illustration, Novel, User

__all__ = [
    "authenticate",
    "bookmark_tag_pages",
    "bookmark_tags",
    "comment_pages",
    "comments",
    "exchange_code",
    "fetch_bookmark",
    "fetch_illustration",
    "fetch_novel",
    "fetch_novel_series",
    "fetch_ugoira_metadata",
    "fetch_user",
    "illustration_pages",
    "illustrations",
    "login",
    "novel_pages",
    "novels",
    "preview_pages",
    "previews",
    "recommended",
    "recommended_query",
    "search_illustrations",
    "search_novels",
    "trending_tags",
    "value",
]

_DEAD_GRANT = re.compile(r"grant_type parameter|grant type is unauthorized", re.IGNORECASE)
W = TypeVar("W")
M = TypeVar("M")
Shape = dict[str, Any]


def value(member: Enum | None) -> Any:
    """An optional enum's wire value (the seed sent ``None`` parameters as absent)."""
    return None if member is None else member.value


# -- auth -------------------------------------------------------------------------------------
def login(c: ClientState, username: str, password: str) -> Flow[None]:
    try:
        token = yield from password_grant(c._site, username, password)
    except OAuthError as exc:
        # Live pixiv refuses the grant itself (since 2021): say so, and what to do instead.
        if exc.status == 400 and _DEAD_GRANT.search(str(exc)):
            raise OAuthError(PASSWORD_GRANT_GONE, status=exc.status, url=exc.url) from exc
        raise
    c._auth.store(token)


def authenticate(c: ClientState, refresh_token: str) -> Flow[None]:
    c._auth.store((yield from refresh_grant(c._site, refresh_token)))


def exchange_code(c: ClientState, code: str, verifier: str) -> Flow[None]:
    c._auth.store((yield from code_grant(c._site, code, verifier)))


# -- single objects ---------------------------------------------------------------------------
def fetch_illustration(c: ClientState, illustration_id: int) -> Flow[Illustration]:
    cursor = illust.illust_detail_query(illustration_id)
    answer, body = yield from get_raw(c._site, c._auth, cursor, w.IllustDetailResponse)
    return Illustration.from_wire(answer.illust, c, body.at("illust"))


def fetch_user(c: ClientState, user_id: int) -> Flow[FullUser]:
    cursor = user.user_detail_query(user_id)
    answer, body = yield from get_raw(c._site, c._auth, cursor, w.UserDetailResponse)
    return FullUser.from_detail(answer, body.at())


def fetch_bookmark(c: ClientState, illustration_id: int) -> Flow[Shape]:
    detail = (yield from illust.bookmark_detail(c._site, c._auth, illustration_id)).bookmark_detail
    return {
        "is_bookmarked": detail.is_bookmarked,
        "visibility": Visibility(detail.restrict),
        "tags": [{"is_registered": t.is_registered, "name": t.name} for t in detail.tags],
    }


def trending_tags(c: ClientState) -> Flow[list[Shape]]:
    cursor = illust.trending_tags_query()
    answer, body = yield from get_raw(c._site, c._auth, cursor, w.TrendTagsResponse)
    return [
        {
            "illustration": Illustration.from_wire(t.illust, c, body.at("trend_tags", n, "illust"))
            if t.illust
            else None,
            "tag": t.tag,
            "translated_name": t.translated_name,
        }
        for n, t in enumerate(answer.trend_tags)
    ]


def fetch_novel(c: ClientState, novel_id: int) -> Flow[Novel]:
    cursor = novel.novel_detail_query(novel_id)
    answer, body = yield from get_raw(c._site, c._auth, cursor, w.NovelDetailResponse)
    return Novel.from_wire(answer.novel, c, body.at("novel"))


def fetch_novel_series(c: ClientState, cursor: str) -> Flow[Shape]:
    answer, body = yield from NOVEL_SERIES.fetch_raw(c._site, c._auth, cursor)
    detail = answer.novel_series_detail
    first = answer.novel_series_first_novel
    return {
        "series": {"id": detail.id, "title": detail.title, "caption": detail.caption}
        if detail
        else None,
        "first_novel": Novel.from_wire(first, c, body.at("novel_series_first_novel"))
        if first
        else None,
        "novels": _novels(c, answer.novels, body),
        "next": next_cursor_value(answer.next_url, "last_order"),
    }


def fetch_ugoira_metadata(c: ClientState, illustration_id: int) -> Flow[Shape]:
    meta = (yield from illust.ugoira_metadata(c._site, c._auth, illustration_id)).ugoira_metadata
    return {
        "zip_url": meta.zip_url(original=False),
        "zip_urls": dict(meta.zip_urls),
        "frames": [{"file": f.file, "delay": f.delay} for f in meta.frames],
    }


# -- pages in the seed's shapes ---------------------------------------------------------------
def _illusts(
    c: ClientState, items: list[w.Illust], raw: RawBody | RawRef, key: str = "illusts"
) -> list[Illustration]:
    at = raw.at if isinstance(raw, RawBody) else raw.child
    return [Illustration.from_wire(i, c, at(key, n)) for n, i in enumerate(items)]


def _novels(
    c: ClientState, items: list[w.Novel], raw: RawBody | RawRef, key: str = "novels"
) -> list[Novel]:
    at = raw.at if isinstance(raw, RawBody) else raw.child
    return [Novel.from_wire(x, c, at(key, n)) for n, x in enumerate(items)]


def illustrations(c: ClientState, cursor: str, key: str = "offset") -> Flow[Shape]:
    related = cursor.startswith(_RELATED)
    sent = _related_cursor(c, cursor) if related else cursor
    answer, body = yield from ILLUSTS.fetch_raw(c._site, c._auth, sent)
    following = next_cursor_value(answer.next_url, key)
    if related and following is None and answer.next_url:
        following = _remember_related(c, cursor, len(answer.illusts), answer.next_url)
    return {
        "illustrations": _illusts(c, answer.illusts, body),
        "next": following,
    }


# Live /v2/illust/related pages by ``seed_illust_ids``/``viewed`` in ``next_url``, without an
# offset. The seed reports ``'next'`` as an offset the caller passes back, so each client
# remembers which live cursor an offset it reported stands for.
_RELATED = "/v2/illust/related?"
_RELATED_MEMO: weakref.WeakKeyDictionary[ClientState, dict[tuple[str, int], str]] = (
    weakref.WeakKeyDictionary()
)


def _related_key(cursor: str) -> tuple[str, int]:
    params = dict(parse_qsl(urlsplit(cursor).query))
    offset = params.get("offset", "0")
    return params.get("illust_id", ""), int(offset) if offset.isdigit() else 0


def _related_cursor(c: ClientState, cursor: str) -> str:
    """The live cursor an offset stands for (the offset itself when none was remembered)."""
    return _RELATED_MEMO.get(c, {}).get(_related_key(cursor), cursor)


def _remember_related(c: ClientState, cursor: str, count: int, next_url: str) -> int:
    illust_id, offset = _related_key(cursor)
    memo = _RELATED_MEMO.setdefault(c, {})
    if len(memo) > 1000:  # a long-lived client walking many works: keep it bounded
        memo.clear()
    memo[(illust_id, offset + count)] = next_url
    return offset + count


def search_illustrations(c: ClientState, cursor: str) -> Flow[Shape]:
    answer, body = yield from SEARCH_ILLUSTS.fetch_raw(c._site, c._auth, cursor)
    return {
        "illustrations": _illusts(c, answer.illusts, body),
        "next": next_cursor_value(answer.next_url, "offset"),
        "search_span_limit": answer.search_span_limit,
    }


def recommended_query(
    content_type: Enum,
    include_ranking_illustrations: bool,
    max_bookmark_id_for_recommend: int | None,
    min_bookmark_id_for_recent_illustrations: int | None,
    offset: int | None,
    bookmark_illust_ids: list[int] | None,
    include_ranking_label: bool,
) -> str:
    """The recommended cursor from the seed's parameter names (the API's are shorter)."""
    return illust.illust_recommended_query(
        str(content_type.value),
        include_ranking_label=include_ranking_label,
        max_bookmark_id_for_recommend=max_bookmark_id_for_recommend,
        min_bookmark_id_for_recent_illust=min_bookmark_id_for_recent_illustrations,
        offset=offset,
        include_ranking_illusts=include_ranking_illustrations,
        bookmark_illust_ids=bookmark_illust_ids,
    )


def recommended(c: ClientState, cursor: str) -> Flow[Shape]:
    answer, body = yield from RECOMMENDED.fetch_raw(c._site, c._auth, cursor)
    url = answer.next_url
    return {
        "contest_exists": answer.contest_exists,
        "illustrations": _illusts(c, answer.illusts, body),
        "next": {
            "min_bookmark_id_for_recent_illustrations": next_cursor_value(
                url, "min_bookmark_id_for_recent_illust"
            ),
            "max_bookmark_id_for_recommend": next_cursor_value(
                url, "max_bookmark_id_for_recommend"
            ),
            "offset": next_cursor_value(url, "offset"),
        },
        "ranking_illustrations": _illusts(c, answer.ranking_illusts, body, "ranking_illusts"),
    }


def comments(c: ClientState, cursor: str) -> Flow[Shape]:
    answer, body = yield from COMMENTS.fetch_raw(c._site, c._auth, cursor)
    return {
        "comments": [
            Comment.from_wire(x, c, body.at("comments", n)) for n, x in enumerate(answer.comments)
        ],
        "next": next_cursor_value(answer.next_url, "offset"),
        "total_comments": answer.total_comments,
    }


def _preview(c: ClientState, preview: w.UserPreview, raw: RawRef) -> Shape:
    return {
        "illustrations": _illusts(c, preview.illusts, raw, "illusts"),
        "is_muted": preview.is_muted,
        "novels": _novels(c, preview.novels, raw, "novels"),
        "user": User.from_wire(preview.user, raw.child("user")),
    }


def previews(c: ClientState, cursor: str) -> Flow[Shape]:
    answer, body = yield from USER_PREVIEWS.fetch_raw(c._site, c._auth, cursor)
    return {
        "user_previews": [
            _preview(c, p, body.at("user_previews", n)) for n, p in enumerate(answer.user_previews)
        ],
        "next": next_cursor_value(answer.next_url, "offset"),
    }


def _tag(tag: w.BookmarkTag) -> Shape:
    return {"count": tag.count, "name": tag.name}


def bookmark_tags(c: ClientState, cursor: str) -> Flow[Shape]:
    answer = yield from BOOKMARK_TAGS.fetch(c._site, c._auth, cursor)
    return {
        "bookmark_tags": [_tag(t) for t in answer.bookmark_tags],
        "next": next_cursor_value(answer.next_url, "offset"),
    }


def novels(c: ClientState, cursor: str, key: str = "offset") -> Flow[Shape]:
    answer, body = yield from NOVELS.fetch_raw(c._site, c._auth, cursor)
    return {
        "novels": _novels(c, answer.novels, body),
        "next": next_cursor_value(answer.next_url, key),
    }


def search_novels(c: ClientState, cursor: str) -> Flow[Shape]:
    answer, body = yield from SEARCH_NOVELS.fetch_raw(c._site, c._auth, cursor)
    return {
        "novels": _novels(c, answer.novels, body),
        "next": next_cursor_value(answer.next_url, "offset"),
        "search_span_limit": answer.search_span_limit,
    }


# -- page steps for the iter_* methods --------------------------------------------------------
def _mapped(step: PageStep[tuple[W, RawRef]], convert: Callable[[W, RawRef], M]) -> PageStep[M]:
    def mapped(cursor: str) -> Flow[Page[M, str]]:
        page = yield from step(cursor)
        return Page([convert(item, raw) for item, raw in page.items], page.next)

    return mapped


def illustration_pages(
    c: ClientState, listing: Listing[Any, w.Illust] = ILLUSTS
) -> PageStep[Illustration]:
    return _mapped(listing.raw_step(c._site, c._auth), lambda i, r: Illustration.from_wire(i, c, r))


def recommended_pages(c: ClientState) -> PageStep[Illustration]:
    return illustration_pages(c, RECOMMENDED)


def search_pages(c: ClientState) -> PageStep[Illustration]:
    return illustration_pages(c, SEARCH_ILLUSTS)


def comment_pages(c: ClientState) -> PageStep[Comment]:
    return _mapped(COMMENTS.raw_step(c._site, c._auth), lambda x, r: Comment.from_wire(x, c, r))


def preview_pages(c: ClientState) -> PageStep[Shape]:
    return _mapped(USER_PREVIEWS.raw_step(c._site, c._auth), lambda p, r: _preview(c, p, r))


def bookmark_tag_pages(c: ClientState) -> PageStep[Shape]:
    return _mapped(BOOKMARK_TAGS.raw_step(c._site, c._auth), lambda t, _: _tag(t))


def novel_pages(c: ClientState, listing: Listing[Any, w.Novel] = NOVELS) -> PageStep[Novel]:
    return _mapped(listing.raw_step(c._site, c._auth), lambda n, r: Novel.from_wire(n, c, r))


def search_novel_pages(c: ClientState) -> PageStep[Novel]:
    return novel_pages(c, SEARCH_NOVELS)


def series_pages(c: ClientState) -> PageStep[Novel]:
    return novel_pages(c, NOVEL_SERIES)
