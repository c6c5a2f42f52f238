"""Users: details, their works and bookmarks, follows, followers, search, related and
recommended users, each listing with its ``iter_*``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from kemopix._io import aiter_items
from kemopix.sites.pixiv import user

from .. import _ops
from .._backends import AsyncBackend
from ..enums import ContentType, Duration, Sort, Visibility
from ..models import FullUser, Illustration

__all__ = ["Users"]


class Users(AsyncBackend):
    """The user endpoints (a user's novels are with the novels)."""

    async def fetch_user(self, user_id: int) -> FullUser:
        """Fetch details about a Pixiv user."""
        return await self._run(_ops.fetch_user(self, user_id))

    async def fetch_user_illustrations(
        self,
        user_id: int,
        content_type: ContentType = ContentType.ILLUSTRATION,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Fetch the illustrations posted by a user: ``{illustrations, next}``."""
        query = user.user_illusts_query(user_id, _ops.value(content_type), offset)
        return await self._run(_ops.illustrations(self, query))

    def iter_user_illustrations(
        self,
        user_id: int,
        content_type: ContentType = ContentType.ILLUSTRATION,
        offset: int | None = None,
    ) -> AsyncIterator[Illustration]:
        """Every illustration (or manga) a user posted."""
        query = user.user_illusts_query(user_id, _ops.value(content_type), offset)
        return aiter_items(self._run, _ops.illustration_pages(self), query)

    async def fetch_user_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> dict[str, Any]:
        """Fetch the illustrations a user bookmarked; ``next`` is a ``max_bookmark_id``."""
        query = user.user_bookmarks_illust_query(user_id, visibility.value, max_bookmark_id, tag)
        return await self._run(_ops.illustrations(self, query, "max_bookmark_id"))

    def iter_user_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> AsyncIterator[Illustration]:
        """Every illustration a user bookmarked."""
        query = user.user_bookmarks_illust_query(user_id, visibility.value, max_bookmark_id, tag)
        return aiter_items(self._run, _ops.illustration_pages(self), query)

    async def fetch_user_bookmark_tags(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch a user's bookmark tags: ``{bookmark_tags, next}``."""
        query = user.user_bookmark_tags_query(user_id, visibility.value, offset)
        return await self._run(_ops.bookmark_tags(self, query))

    def iter_user_bookmark_tags(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every bookmark tag of a user: ``{count, name}``."""
        query = user.user_bookmark_tags_query(user_id, visibility.value, offset)
        return aiter_items(self._run, _ops.bookmark_tag_pages(self), query)

    async def fetch_following(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch the users a user follows: ``{user_previews, next}``."""
        query = user.user_following_query(user_id, visibility.value, offset)
        return await self._run(_ops.previews(self, query))

    def iter_following(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every user a user follows, as the seed's preview dicts."""
        query = user.user_following_query(user_id, visibility.value, offset)
        return aiter_items(self._run, _ops.preview_pages(self), query)

    async def fetch_followers(self, offset: int | None = None) -> dict[str, Any]:
        """Fetch the users following the requesting user: ``{user_previews, next}``."""
        return await self._run(_ops.previews(self, user.user_follower_query(None, offset)))

    def iter_followers(self, offset: int | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every follower of the requesting user, as preview dicts."""
        query = user.user_follower_query(None, offset)
        return aiter_items(self._run, _ops.preview_pages(self), query)

    async def search_users(
        self,
        word: str,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Search users: ``{user_previews, next}``."""
        query = user.search_user_query(word, sort.value, _ops.value(duration), offset)
        return await self._run(_ops.previews(self, query))

    def iter_search_users(
        self,
        word: str,
        sort: Sort = Sort.DATE_DESC,
        duration: Duration | None = None,
        offset: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every user a search finds, as preview dicts."""
        query = user.search_user_query(word, sort.value, _ops.value(duration), offset)
        return aiter_items(self._run, _ops.preview_pages(self), query)

    async def fetch_user_related(self, user_id: int, offset: int | None = None) -> dict[str, Any]:
        """Users related to a user: ``{user_previews, next}``."""
        return await self._run(_ops.previews(self, user.user_related_query(user_id, offset)))

    def iter_user_related(
        self, user_id: int, offset: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every user related to a user, as preview dicts."""
        query = user.user_related_query(user_id, offset)
        return aiter_items(self._run, _ops.preview_pages(self), query)

    async def fetch_users_recommended(self, offset: int | None = None) -> dict[str, Any]:
        """Users pixiv recommends to the account: ``{user_previews, next}``."""
        return await self._run(_ops.previews(self, user.user_recommended_query(offset)))

    def iter_users_recommended(self, offset: int | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every recommended user, as preview dicts."""
        query = user.user_recommended_query(offset)
        return aiter_items(self._run, _ops.preview_pages(self), query)

    # -- follows ------------------------------------------------------------------------------
    async def follow_user(self, user_id: int, visibility: Visibility = Visibility.PUBLIC) -> None:
        """Follow a user."""
        await self._run(user.follow_add(self._site, self._auth, user_id, visibility.value))

    async def unfollow_user(self, user_id: int) -> None:
        """Stop following a user."""
        await self._run(user.follow_delete(self._site, self._auth, user_id))
