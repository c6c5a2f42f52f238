"""``AsyncClient``: the seed's ``Client`` as coroutines over aiohttp, from the same flows.

Every method of ``Client`` exists here with the same parameters, as a coroutine; ``iter_*``
methods are async iterators. Use it as an async context manager (or ``await aclose()``)::

    async with AsyncClient() as client:
        await client.authenticate(refresh_token)
        works = await asyncio.gather(*(client.fetch_illustration(i) for i in ids))
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp

from kemopix._io import AiohttpTransport, AsyncRunner
from kemopix._protocol.config import Config
from kemopix._protocol.errors import KemopixError
from kemopix._protocol.flow import Flow
from kemopix.download import DownloadResult
from kemopix.sites.pixiv import PixivSite, illust, user

from . import _download, _ops
from ._async_more import AsyncExtras
from ._state import SEED_CLIENT_ID, SEED_CLIENT_SECRET, ClientState
from .enums import ContentType, Duration, RankingMode, SearchTarget, Size, Sort, Visibility
from .errors import ERROR_MAP, LoginError, PixivLoginFailed
from .models import FullUser, Illustration

__all__ = ["AsyncClient"]

T = TypeVar("T")


class AsyncClient(AsyncExtras, ClientState):
    """An asyncio client for the Pixiv API with the same methods as ``Client``, as coroutines.

    ``site`` (hosts) defaults to ``PixivSite.from_env()``, ``config`` to
    ``kemopix.sites.pixiv.PIXIV``; ``session`` may be an ``aiohttp.ClientSession`` to share
    (it is then not closed by ``aclose``). Concurrent calls share one token: an expired
    access token is renewed by the first call that notices it.
    """

    def __init__(
        self,
        language: str = "English",
        client_id: str = SEED_CLIENT_ID,
        client_secret: str = SEED_CLIENT_SECRET,
        *,
        site: PixivSite | None = None,
        config: Config | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._init_state(language, client_id, client_secret, site, config)
        self._transport = AiohttpTransport(self._config, session)
        self._runner = AsyncRunner(self._transport, errors=ERROR_MAP)

    # -- plumbing -----------------------------------------------------------------------------
    async def _run(self, flow: Flow[T]) -> T:
        return await self._runner.run(flow)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session (made on first use, inside the running loop)."""
        return self._transport.session

    @property
    def config(self) -> Config:
        """Timeouts, retries, rate limits and the per-host connection cap."""
        return self._config

    async def aclose(self) -> None:
        """Close the session (unless it was given to the constructor)."""
        await self._runner.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _login(self, flow: Flow[None]) -> None:
        try:
            await self._run(flow)
        except LoginError:
            raise
        except KemopixError as exc:
            raise PixivLoginFailed(f"login failed: {exc}") from exc

    # -- auth and downloads -------------------------------------------------------------------
    async def download(
        self, url: str, destination: str | os.PathLike[str], referer: str = "https://pixiv.net"
    ) -> None:
        """Download a file to a given destination (atomic, resumable, skipped when complete).

        :raises FileNotFoundError: If the destination's directory does not exist.
        :raises PermissionError: If the destination cannot be written to.
        """
        await self._run(_download.download_file(self, url, destination, referer))

    async def download_illustration(
        self,
        illustration: Illustration,
        directory: Path,
        size: Size = Size.ORIGINAL,
        filename: str | None = None,
    ) -> list[DownloadResult]:
        """``await illustration.adownload(...)``: every page, concurrently."""
        flows = _download.illustration_downloads(self, illustration, directory, size, filename)
        # Let every page finish (no orphaned writers), then report the first failure.
        results = await asyncio.gather(*(self._run(f) for f in flows), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [r for r in results if isinstance(r, DownloadResult)]

    async def login(self, username: str, password: str) -> None:
        """Log in with username and password (the ``password`` grant).

        :raises LoginError: If login fails.
        """
        await self._login(_ops.login(self, username, password))

    async def authenticate(self, refresh_token: str) -> None:
        """Use a refresh token to obtain a new access token. Assigns both tokens.

        :raises LoginError: If authentication fails.
        """
        await self._login(_ops.authenticate(self, refresh_token))

    async def exchange_code(self, code: str, code_verifier: str) -> None:
        """Finish a PKCE login: assigns both tokens.

        :raises LoginError: If the code is refused.
        """
        await self._login(_ops.exchange_code(self, code, code_verifier))

    # -- the seed's endpoints -----------------------------------------------------------------
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

    async def fetch_illustration(self, illustration_id: int) -> Illustration:
        """Fetch the details of a single illustration."""
        return await self._run(_ops.fetch_illustration(self, illustration_id))

    async def fetch_illustration_comments(
        self, illustration_id: int, offset: int | None = None, include_total_comments: bool = False
    ) -> dict[str, Any]:
        """Fetch an illustration's comments (30 a page): ``{comments, next, total_comments}``."""
        query = illust.illust_comments_query(illustration_id, offset, include_total_comments)
        return await self._run(_ops.comments(self, query))

    async def fetch_illustration_related(
        self, illustration_id: int, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch illustrations related to an illustration: ``{illustrations, next}``."""
        query = illust.illust_related_query(illustration_id, offset)
        return await self._run(_ops.illustrations(self, query))

    async def fetch_illustrations_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch new illustrations from followed artists: ``{illustrations, next}``."""
        query = illust.illust_follow_query(visibility.value, offset)
        return await self._run(_ops.illustrations(self, query))

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

    async def fetch_illustrations_ranking(
        self,
        mode: RankingMode = RankingMode.DAY,
        date: str | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Fetch the ranking illustrations: ``{illustrations, next}``."""
        query = illust.illust_ranking_query(mode.value, date, offset)
        return await self._run(_ops.illustrations(self, query))

    async def fetch_trending_tags(self) -> list[dict[str, Any]]:
        """Fetch trending tags: ``[{illustration, tag, translated_name}, ...]``."""
        return await self._run(_ops.trending_tags(self))

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

    async def fetch_user_bookmark_tags(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch a user's bookmark tags: ``{bookmark_tags, next}``."""
        query = user.user_bookmark_tags_query(user_id, visibility.value, offset)
        return await self._run(_ops.bookmark_tags(self, query))

    async def fetch_following(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch the users a user follows: ``{user_previews, next}``."""
        query = user.user_following_query(user_id, visibility.value, offset)
        return await self._run(_ops.previews(self, query))

    async def fetch_followers(self, offset: int | None = None) -> dict[str, Any]:
        """Fetch the users following the requesting user: ``{user_previews, next}``."""
        return await self._run(_ops.previews(self, user.user_follower_query(None, offset)))
