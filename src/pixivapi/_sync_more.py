"""``Client`` beyond the seed: novels, ugoira, users, follows, and ``iter_*`` over every listing.

Each ``iter_*`` follows ``next_url`` lazily: one request when the previous page is used up.
``_async_more.py`` is the async twin; both are one line per method over ``_ops``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from kemopix._io import iter_items
from kemopix._protocol.flow import Flow
from kemopix.sites.pixiv import illust, novel, user
from kemopix.sites.pixiv.models import NovelText

from . import _ops
from ._state import ClientState
from .enums import ContentType, Duration, RankingMode, SearchTarget, Sort, Visibility
from .models import Comment, Illustration, Novel

__all__ = ["SyncExtras"]

T = TypeVar("T")
Shape = dict[str, Any]


class SyncExtras(ClientState):
    """The blocking methods pixiv-api 0.2.1 did not have."""

    def _run(self, flow: Flow[T]) -> T:
        raise NotImplementedError

    # -- novels -------------------------------------------------------------------------------
    def fetch_novel(self, novel_id: int) -> Novel:
        """One novel's details."""
        return self._run(_ops.fetch_novel(self, novel_id))

    def fetch_novel_text(self, novel_id: int) -> NovelText:
        """A novel's text (``.text``) with its title, series and tags, from the web view."""
        return self._run(novel.novel_text(self._site, self._auth, novel_id))

    def fetch_novel_series(self, series_id: int, last_order: int | None = None) -> Shape:
        """A novel series: ``{series, first_novel, novels, next}`` (``next``: a last_order)."""
        return self._run(
            _ops.fetch_novel_series(self, novel.novel_series_query(series_id, last_order))
        )

    def fetch_novel_comments(
        self, novel_id: int, offset: int | None = None, include_total_comments: bool = False
    ) -> Shape:
        """A novel's comments: ``{comments, next, total_comments}``."""
        query = novel.novel_comments_query(novel_id, offset, include_total_comments)
        return self._run(_ops.comments(self, query))

    def fetch_user_novels(self, user_id: int, offset: int | None = None) -> Shape:
        """The novels a user posted: ``{novels, next}``."""
        return self._run(_ops.novels(self, user.user_novels_query(user_id, offset)))

    def fetch_user_novel_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> Shape:
        """The novels a user bookmarked; ``next`` is a ``max_bookmark_id``."""
        query = user.user_bookmarks_novel_query(user_id, visibility.value, max_bookmark_id, tag)
        return self._run(_ops.novels(self, query, "max_bookmark_id"))

    def fetch_novels_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> Shape:
        """New novels from followed users: ``{novels, next}``."""
        return self._run(_ops.novels(self, novel.novel_follow_query(visibility.value, offset)))

    def search_novels(
        self,
        word: str,
        search_target: SearchTarget = SearchTarget.TAGS_PARTIAL,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> Shape:
        """Search novels: ``{novels, next, search_span_limit}``."""
        query = novel.search_novel_query(
            word, search_target.value, sort.value, _ops.value(duration), offset
        )
        return self._run(_ops.search_novels(self, query))

    def add_novel_bookmark(self, novel_id: int, visibility: Visibility = Visibility.PUBLIC) -> None:
        """Bookmark a novel."""
        self._run(novel.novel_bookmark_add(self._site, self._auth, novel_id, visibility.value))

    def delete_novel_bookmark(self, novel_id: int) -> None:
        """Remove a novel bookmark."""
        self._run(novel.novel_bookmark_delete(self._site, self._auth, novel_id))

    # -- illustrations ------------------------------------------------------------------------
    def fetch_ugoira_metadata(self, illustration_id: int) -> Shape:
        """An ugoira's frames: ``{zip_url, zip_urls, frames: [{file, delay (ms)}, ...]}``."""
        return self._run(_ops.fetch_ugoira_metadata(self, illustration_id))

    def fetch_illustrations_new(
        self,
        content_type: ContentType = ContentType.ILLUSTRATION,
        max_illustration_id: int | None = None,
    ) -> Shape:
        """The newest works on pixiv; ``next`` is a ``max_illust_id``."""
        query = illust.illust_new_query(content_type.value, max_illustration_id)
        return self._run(_ops.illustrations(self, query, "max_illust_id"))

    # -- users --------------------------------------------------------------------------------
    def search_users(
        self,
        word: str,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> Shape:
        """Search users: ``{user_previews, next}``."""
        query = user.search_user_query(word, sort.value, _ops.value(duration), offset)
        return self._run(_ops.previews(self, query))

    def fetch_user_related(self, user_id: int, offset: int | None = None) -> Shape:
        """Users related to a user: ``{user_previews, next}``."""
        return self._run(_ops.previews(self, user.user_related_query(user_id, offset)))

    def fetch_users_recommended(self, offset: int | None = None) -> Shape:
        """Users pixiv recommends to the account: ``{user_previews, next}``."""
        return self._run(_ops.previews(self, user.user_recommended_query(offset)))

    def follow_user(self, user_id: int, visibility: Visibility = Visibility.PUBLIC) -> None:
        """Follow a user."""
        self._run(user.follow_add(self._site, self._auth, user_id, visibility.value))

    def unfollow_user(self, user_id: int) -> None:
        """Stop following a user."""
        self._run(user.follow_delete(self._site, self._auth, user_id))

    # -- iterators over every listing ---------------------------------------------------------
    def iter_search_illustrations(
        self,
        word: str,
        search_target: SearchTarget = SearchTarget.TAGS_PARTIAL,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> Iterator[Illustration]:
        """Every illustration of a search, page after page."""
        query = illust.search_illust_query(
            word, search_target.value, sort.value, _ops.value(duration), offset
        )
        return iter_items(self._run, _ops.search_pages(self), query)

    def iter_illustration_comments(
        self, illustration_id: int, offset: int | None = None
    ) -> Iterator[Comment]:
        """Every comment of an illustration."""
        query = illust.illust_comments_query(illustration_id, offset)
        return iter_items(self._run, _ops.comment_pages(self), query)

    def iter_illustration_related(
        self, illustration_id: int, offset: int | None = None
    ) -> Iterator[Illustration]:
        """Every illustration related to one."""
        query = illust.illust_related_query(illustration_id, offset)
        return iter_items(self._run, _ops.illustration_pages(self), query)

    def iter_illustrations_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> Iterator[Illustration]:
        """Every new illustration from followed artists."""
        query = illust.illust_follow_query(visibility.value, offset)
        return iter_items(self._run, _ops.illustration_pages(self), query)

    def iter_illustrations_recommended(
        self, content_type: ContentType = ContentType.ILLUSTRATION, offset: int | None = None
    ) -> Iterator[Illustration]:
        """Every recommended illustration (the ranking ones are left out)."""
        query = illust.illust_recommended_query(content_type.value, offset=offset)
        return iter_items(self._run, _ops.recommended_pages(self), query)

    def iter_illustrations_ranking(
        self,
        mode: RankingMode = RankingMode.DAY,
        date: str | None = None,
        offset: int | None = None,
    ) -> Iterator[Illustration]:
        """Every illustration of a ranking."""
        query = illust.illust_ranking_query(mode.value, date, offset)
        return iter_items(self._run, _ops.illustration_pages(self), query)

    def iter_illustrations_new(
        self, content_type: ContentType = ContentType.ILLUSTRATION
    ) -> Iterator[Illustration]:
        """The newest works, going back in time."""
        query = illust.illust_new_query(content_type.value)
        return iter_items(self._run, _ops.illustration_pages(self), query)

    def iter_user_illustrations(
        self,
        user_id: int,
        content_type: ContentType = ContentType.ILLUSTRATION,
        offset: int | None = None,
    ) -> Iterator[Illustration]:
        """Every illustration (or manga) a user posted."""
        query = user.user_illusts_query(user_id, _ops.value(content_type), offset)
        return iter_items(self._run, _ops.illustration_pages(self), query)

    def iter_user_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> Iterator[Illustration]:
        """Every illustration a user bookmarked."""
        query = user.user_bookmarks_illust_query(user_id, visibility.value, max_bookmark_id, tag)
        return iter_items(self._run, _ops.illustration_pages(self), query)

    def iter_user_bookmark_tags(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> Iterator[Shape]:
        """Every bookmark tag of a user: ``{count, name}``."""
        query = user.user_bookmark_tags_query(user_id, visibility.value, offset)
        return iter_items(self._run, _ops.bookmark_tag_pages(self), query)

    def iter_following(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> Iterator[Shape]:
        """Every user a user follows, as the seed's preview dicts."""
        query = user.user_following_query(user_id, visibility.value, offset)
        return iter_items(self._run, _ops.preview_pages(self), query)

    def iter_followers(self, offset: int | None = None) -> Iterator[Shape]:
        """Every follower of the requesting user, as preview dicts."""
        query = user.user_follower_query(None, offset)
        return iter_items(self._run, _ops.preview_pages(self), query)

    def iter_search_users(
        self,
        word: str,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> Iterator[Shape]:
        """Every user a search finds, as preview dicts."""
        query = user.search_user_query(word, sort.value, _ops.value(duration), offset)
        return iter_items(self._run, _ops.preview_pages(self), query)

    def iter_user_related(self, user_id: int, offset: int | None = None) -> Iterator[Shape]:
        """Every user related to a user, as preview dicts."""
        query = user.user_related_query(user_id, offset)
        return iter_items(self._run, _ops.preview_pages(self), query)

    def iter_users_recommended(self, offset: int | None = None) -> Iterator[Shape]:
        """Every recommended user, as preview dicts."""
        query = user.user_recommended_query(offset)
        return iter_items(self._run, _ops.preview_pages(self), query)

    def iter_user_novels(self, user_id: int, offset: int | None = None) -> Iterator[Novel]:
        """Every novel a user posted."""
        query = user.user_novels_query(user_id, offset)
        return iter_items(self._run, _ops.novel_pages(self), query)

    def iter_user_novel_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> Iterator[Novel]:
        """Every novel a user bookmarked."""
        query = user.user_bookmarks_novel_query(user_id, visibility.value, max_bookmark_id, tag)
        return iter_items(self._run, _ops.novel_pages(self), query)

    def iter_novels_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> Iterator[Novel]:
        """Every new novel from followed users."""
        query = novel.novel_follow_query(visibility.value, offset)
        return iter_items(self._run, _ops.novel_pages(self), query)

    def iter_novel_comments(self, novel_id: int, offset: int | None = None) -> Iterator[Comment]:
        """Every comment of a novel."""
        query = novel.novel_comments_query(novel_id, offset)
        return iter_items(self._run, _ops.comment_pages(self), query)

    def iter_search_novels(
        self,
        word: str,
        search_target: SearchTarget = SearchTarget.TAGS_PARTIAL,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> Iterator[Novel]:
        """Every novel a search finds."""
        query = novel.search_novel_query(
            word, search_target.value, sort.value, _ops.value(duration), offset
        )
        return iter_items(self._run, _ops.search_novel_pages(self), query)

    def iter_novel_series(self, series_id: int) -> Iterator[Novel]:
        """Every novel of a series, in order."""
        query = novel.novel_series_query(series_id)
        return iter_items(self._run, _ops.series_pages(self), query)
