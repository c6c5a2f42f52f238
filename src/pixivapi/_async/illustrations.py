"""Illustrations: search, details, comments, related, following, recommended, ranking, new,
trending tags, ugoira metadata and bookmarks, each listing with its ``iter_*``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from kemopix._io import aiter_items
from kemopix.sites.pixiv import illust

from .. import _ops
from .._backends import AsyncBackend
from ..enums import ContentType, Duration, RankingMode, SearchTarget, Sort, Visibility
from ..models import Comment, Illustration

__all__ = ["Illustrations"]


class Illustrations(AsyncBackend):
    """The illustration (and manga) endpoints."""

    async def search_illustrations(
        self,
        word: str,
        search_target: SearchTarget = SearchTarget.TAGS_PARTIAL,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Search the illustrations (30 a page): ``{illustrations, next, search_span_limit}``."""
        query = illust.search_illust_query(
            word, search_target.value, sort.value, _ops.value(duration), offset
        )
        return await self._run(_ops.search_illustrations(self, query))

    def iter_search_illustrations(
        self,
        word: str,
        search_target: SearchTarget = SearchTarget.TAGS_PARTIAL,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> AsyncIterator[Illustration]:
        """Every illustration of a search, page after page."""
        query = illust.search_illust_query(
            word, search_target.value, sort.value, _ops.value(duration), offset
        )
        return aiter_items(self._run, _ops.search_pages(self), query)

    async def fetch_illustration(self, illustration_id: int) -> Illustration:
        """Fetch the details of a single illustration."""
        return await self._run(_ops.fetch_illustration(self, illustration_id))

    async def fetch_illustration_comments(
        self, illustration_id: int, offset: int | None = None, include_total_comments: bool = False
    ) -> dict[str, Any]:
        """Fetch an illustration's comments (30 a page): ``{comments, next, total_comments}``."""
        query = illust.illust_comments_query(illustration_id, offset, include_total_comments)
        return await self._run(_ops.comments(self, query))

    def iter_illustration_comments(
        self, illustration_id: int, offset: int | None = None
    ) -> AsyncIterator[Comment]:
        """Every comment of an illustration."""
        query = illust.illust_comments_query(illustration_id, offset)
        return aiter_items(self._run, _ops.comment_pages(self), query)

    async def fetch_illustration_related(
        self, illustration_id: int, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch illustrations related to an illustration: ``{illustrations, next}``."""
        query = illust.illust_related_query(illustration_id, offset)
        return await self._run(_ops.illustrations(self, query))

    def iter_illustration_related(
        self, illustration_id: int, offset: int | None = None
    ) -> AsyncIterator[Illustration]:
        """Every illustration related to one."""
        query = illust.illust_related_query(illustration_id, offset)
        return aiter_items(self._run, _ops.illustration_pages(self), query)

    async def fetch_illustrations_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch new illustrations from followed artists: ``{illustrations, next}``."""
        query = illust.illust_follow_query(visibility.value, offset)
        return await self._run(_ops.illustrations(self, query))

    def iter_illustrations_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> AsyncIterator[Illustration]:
        """Every new illustration from followed artists."""
        query = illust.illust_follow_query(visibility.value, offset)
        return aiter_items(self._run, _ops.illustration_pages(self), query)

    async def fetch_illustrations_recommended(
        self,
        content_type: ContentType = ContentType.ILLUSTRATION,
        include_ranking_illustrations: bool = False,
        max_bookmark_id_for_recommend: int | None = None,
        min_bookmark_id_for_recent_illustrations: int | None = None,
        offset: int | None = None,
        bookmark_illust_ids: list[int] | None = None,
        include_ranking_label: bool = True,
    ) -> dict[str, Any]:
        """Fetch one's recommended illustrations (``next`` is a dict of three cursors)."""
        query = _ops.recommended_query(
            content_type, include_ranking_illustrations, max_bookmark_id_for_recommend,
            min_bookmark_id_for_recent_illustrations, offset, bookmark_illust_ids,
            include_ranking_label,
        )  # fmt: skip
        return await self._run(_ops.recommended(self, query))

    def iter_illustrations_recommended(
        self, content_type: ContentType = ContentType.ILLUSTRATION, offset: int | None = None
    ) -> AsyncIterator[Illustration]:
        """Every recommended illustration (the ranking ones are left out)."""
        query = illust.illust_recommended_query(content_type.value, offset=offset)
        return aiter_items(self._run, _ops.recommended_pages(self), query)

    async def fetch_illustrations_ranking(
        self,
        mode: RankingMode = RankingMode.DAY,
        date: str | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Fetch the ranking illustrations: ``{illustrations, next}``."""
        query = illust.illust_ranking_query(mode.value, date, offset)
        return await self._run(_ops.illustrations(self, query))

    def iter_illustrations_ranking(
        self,
        mode: RankingMode = RankingMode.DAY,
        date: str | None = None,
        offset: int | None = None,
    ) -> AsyncIterator[Illustration]:
        """Every illustration of a ranking."""
        query = illust.illust_ranking_query(mode.value, date, offset)
        return aiter_items(self._run, _ops.illustration_pages(self), query)

    async def fetch_illustrations_new(
        self,
        content_type: ContentType = ContentType.ILLUSTRATION,
        max_illustration_id: int | None = None,
    ) -> dict[str, Any]:
        """The newest works on pixiv; ``next`` is a ``max_illust_id``."""
        query = illust.illust_new_query(content_type.value, max_illustration_id)
        return await self._run(_ops.illustrations(self, query, "max_illust_id"))

    def iter_illustrations_new(
        self, content_type: ContentType = ContentType.ILLUSTRATION
    ) -> AsyncIterator[Illustration]:
        """The newest works, going back in time."""
        query = illust.illust_new_query(content_type.value)
        return aiter_items(self._run, _ops.illustration_pages(self), query)

    async def fetch_trending_tags(self) -> list[dict[str, Any]]:
        """Fetch trending tags: ``[{illustration, tag, translated_name}, ...]``."""
        return await self._run(_ops.trending_tags(self))

    async def fetch_ugoira_metadata(self, illustration_id: int) -> dict[str, Any]:
        """An ugoira's frames: ``{zip_url, zip_urls, frames: [{file, delay (ms)}, ...]}``."""
        return await self._run(_ops.fetch_ugoira_metadata(self, illustration_id))

    # -- bookmarks ----------------------------------------------------------------------------
    async def fetch_bookmark(self, illustration_id: int) -> dict[str, Any]:
        """Fetch bookmark details of an illustration: ``{is_bookmarked, visibility, tags}``."""
        return await self._run(_ops.fetch_bookmark(self, illustration_id))

    async def add_bookmark(
        self, illustration_id: int, visibility: Visibility = Visibility.PUBLIC
    ) -> None:
        """Bookmark an illustration."""
        await self._run(
            illust.bookmark_add(self._site, self._auth, illustration_id, visibility.value)
        )

    async def delete_bookmark(self, illustration_id: int) -> None:
        """Delete a bookmark."""
        await self._run(illust.bookmark_delete(self._site, self._auth, illustration_id))
