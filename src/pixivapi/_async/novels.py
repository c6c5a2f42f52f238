"""Novels: details, text, series, comments, a user's novels and bookmarks, following, search
and bookmarks, each listing with its ``iter_*``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from kemopix._io import aiter_items
from kemopix.sites.pixiv import novel, user
from kemopix.sites.pixiv.models import NovelText

from .. import _ops
from .._backends import AsyncBackend
from ..enums import Duration, SearchTarget, Sort, Visibility
from ..models import Comment, Novel

__all__ = ["Novels"]


class Novels(AsyncBackend):
    """The novel endpoints (pixiv-api 0.2.1 had none)."""

    async def fetch_novel(self, novel_id: int) -> Novel:
        """One novel's details."""
        return await self._run(_ops.fetch_novel(self, novel_id))

    async def fetch_novel_text(self, novel_id: int) -> NovelText:
        """A novel's text (``.text``) with its title, series and tags, from the web view."""
        return await self._run(novel.novel_text(self._site, self._auth, novel_id))

    async def fetch_novel_series(
        self, series_id: int, last_order: int | None = None
    ) -> dict[str, Any]:
        """A novel series: ``{series, first_novel, novels, next}`` (``next``: a last_order)."""
        return await self._run(
            _ops.fetch_novel_series(self, novel.novel_series_query(series_id, last_order))
        )

    def iter_novel_series(self, series_id: int) -> AsyncIterator[Novel]:
        """Every novel of a series, in order."""
        query = novel.novel_series_query(series_id)
        return aiter_items(self._run, _ops.series_pages(self), query)

    async def fetch_novel_comments(
        self, novel_id: int, offset: int | None = None, include_total_comments: bool = False
    ) -> dict[str, Any]:
        """A novel's comments: ``{comments, next, total_comments}``."""
        query = novel.novel_comments_query(novel_id, offset, include_total_comments)
        return await self._run(_ops.comments(self, query))

    def iter_novel_comments(
        self, novel_id: int, offset: int | None = None
    ) -> AsyncIterator[Comment]:
        """Every comment of a novel."""
        query = novel.novel_comments_query(novel_id, offset)
        return aiter_items(self._run, _ops.comment_pages(self), query)

    async def fetch_user_novels(self, user_id: int, offset: int | None = None) -> dict[str, Any]:
        """The novels a user posted: ``{novels, next}``."""
        return await self._run(_ops.novels(self, user.user_novels_query(user_id, offset)))

    def iter_user_novels(self, user_id: int, offset: int | None = None) -> AsyncIterator[Novel]:
        """Every novel a user posted."""
        query = user.user_novels_query(user_id, offset)
        return aiter_items(self._run, _ops.novel_pages(self), query)

    async def fetch_user_novel_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> dict[str, Any]:
        """The novels a user bookmarked; ``next`` is a ``max_bookmark_id``."""
        query = user.user_bookmarks_novel_query(user_id, visibility.value, max_bookmark_id, tag)
        return await self._run(_ops.novels(self, query, "max_bookmark_id"))

    def iter_user_novel_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> AsyncIterator[Novel]:
        """Every novel a user bookmarked."""
        query = user.user_bookmarks_novel_query(user_id, visibility.value, max_bookmark_id, tag)
        return aiter_items(self._run, _ops.novel_pages(self), query)

    async def fetch_novels_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """New novels from followed users: ``{novels, next}``."""
        return await self._run(
            _ops.novels(self, novel.novel_follow_query(visibility.value, offset))
        )

    def iter_novels_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> AsyncIterator[Novel]:
        """Every new novel from followed users."""
        query = novel.novel_follow_query(visibility.value, offset)
        return aiter_items(self._run, _ops.novel_pages(self), query)

    async def search_novels(
        self,
        word: str,
        search_target: SearchTarget = SearchTarget.TAGS_PARTIAL,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Search novels: ``{novels, next, search_span_limit}``."""
        query = novel.search_novel_query(
            word, search_target.value, sort.value, _ops.value(duration), offset
        )
        return await self._run(_ops.search_novels(self, query))

    def iter_search_novels(
        self,
        word: str,
        search_target: SearchTarget = SearchTarget.TAGS_PARTIAL,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> AsyncIterator[Novel]:
        """Every novel a search finds."""
        query = novel.search_novel_query(
            word, search_target.value, sort.value, _ops.value(duration), offset
        )
        return aiter_items(self._run, _ops.search_novel_pages(self), query)

    # -- bookmarks ----------------------------------------------------------------------------
    async def add_novel_bookmark(
        self, novel_id: int, visibility: Visibility = Visibility.PUBLIC
    ) -> None:
        """Bookmark a novel."""
        await self._run(
            novel.novel_bookmark_add(self._site, self._auth, novel_id, visibility.value)
        )

    async def delete_novel_bookmark(self, novel_id: int) -> None:
        """Remove a novel bookmark."""
        await self._run(novel.novel_bookmark_delete(self._site, self._auth, novel_id))
