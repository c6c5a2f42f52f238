"""``next_url`` paging: a listing knows its answer type and where the items are in it.

The cursor of every paged endpoint is an API path with its query: the first page's (from the
``*_query`` builders) and then each answer's ``next_url``, which pixiv fills with the same
parameters and the next offset (pixiv-protocol.md §5). Run a step with ``iter_items`` /
``aiter_items`` from ``kemopix._io``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from msgspec import Struct

from ..._protocol.flow import Flow
from ..._protocol.paging import Page
from ..._protocol.raw import RawBody, RawRef, keep_body
from . import models as m
from .auth import PixivAuth, get
from .site import PixivSite

__all__ = [
    "BOOKMARK_TAGS",
    "COMMENTS",
    "ILLUSTS",
    "NOVELS",
    "NOVEL_SERIES",
    "RECOMMENDED",
    "SEARCH_ILLUSTS",
    "SEARCH_NOVELS",
    "USER_PREVIEWS",
    "Listing",
    "PageStep",
    "next_cursor_value",
    "next_url_params",
]


class _HasNextUrl(Protocol):
    @property
    def next_url(self) -> str | None: ...


R = TypeVar("R", bound=_HasNextUrl)
T = TypeVar("T")

PageStep = Callable[[str], Flow[Page[T, str]]]


class Listing(Struct, Generic[R, T], frozen=True):
    """A paged answer type ``response`` and the items it holds (under ``key`` in the JSON)."""

    response: type[R]
    items: Callable[[R], list[T]]
    key: str = ""

    def fetch(self, site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[R]:
        """One page: the whole answer (the seed's dicts need more than the items)."""
        return get(site, auth, cursor, self.response)

    def step(self, site: PixivSite, auth: PixivAuth) -> PageStep[T]:
        """The page step ``iter_items``/``aiter_items`` drive: items plus the next cursor."""
        response_type = self.response
        items = self.items

        def step(cursor: str) -> Flow[Page[T, str]]:
            answer = yield from get(site, auth, cursor, response_type)
            return Page(items(answer), answer.next_url or None)

        return step

    def fetch_raw(self, site: PixivSite, auth: PixivAuth, cursor: str) -> Flow[tuple[R, RawBody]]:
        """``fetch``, and the answer's JSON as received (decoded only when read)."""
        return keep_body(self.fetch(site, auth, cursor))

    def raw_step(self, site: PixivSite, auth: PixivAuth) -> PageStep[tuple[T, RawRef]]:
        """``step`` whose items come with where each sits in the page's JSON."""
        items, key = self.items, self.key

        def step(cursor: str) -> Flow[Page[tuple[T, RawRef], str]]:
            answer, body = yield from self.fetch_raw(site, auth, cursor)
            pairs = [(item, RawRef(body, (key, n))) for n, item in enumerate(items(answer))]
            return Page(pairs, answer.next_url or None)

        return step


def next_url_params(next_url: str | None) -> dict[str, str] | None:
    """The query parameters of a ``next_url`` (None when there is no next page)."""
    if not next_url:
        return None
    return dict(parse_qsl(urlsplit(next_url).query, keep_blank_values=True))


def next_cursor_value(next_url: str | None, key: str) -> int | None:
    """The integer ``key`` of a ``next_url`` (the seed's ``'next'``), or None."""
    params = next_url_params(next_url)
    if params is None:
        return None
    value = params.get(key, "")
    try:
        return int(value)
    except ValueError:
        return None


ILLUSTS: Listing[m.IllustsResponse, m.Illust] = Listing(
    m.IllustsResponse, lambda r: r.illusts, "illusts"
)
SEARCH_ILLUSTS: Listing[m.SearchIllustsResponse, m.Illust] = Listing(
    m.SearchIllustsResponse, lambda r: r.illusts, "illusts"
)
RECOMMENDED: Listing[m.RecommendedResponse, m.Illust] = Listing(
    m.RecommendedResponse, lambda r: r.illusts, "illusts"
)
COMMENTS: Listing[m.CommentsResponse, m.Comment] = Listing(
    m.CommentsResponse, lambda r: r.comments, "comments"
)
USER_PREVIEWS: Listing[m.UserPreviewsResponse, m.UserPreview] = Listing(
    m.UserPreviewsResponse, lambda r: r.user_previews, "user_previews"
)
BOOKMARK_TAGS: Listing[m.BookmarkTagsResponse, m.BookmarkTag] = Listing(
    m.BookmarkTagsResponse, lambda r: r.bookmark_tags, "bookmark_tags"
)
NOVELS: Listing[m.NovelsResponse, m.Novel] = Listing(m.NovelsResponse, lambda r: r.novels, "novels")
SEARCH_NOVELS: Listing[m.SearchNovelsResponse, m.Novel] = Listing(
    m.SearchNovelsResponse, lambda r: r.novels, "novels"
)
NOVEL_SERIES: Listing[m.NovelSeriesResponse, m.Novel] = Listing(
    m.NovelSeriesResponse, lambda r: r.novels, "novels"
)
