"""The seed's ``Client``: blocking, over ``requests``; every method runs one flow of ``_ops``."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import requests

from kemopix._io import RequestsTransport, SyncRunner
from kemopix._protocol.config import Config
from kemopix._protocol.errors import KemopixError
from kemopix._protocol.flow import Flow
from kemopix.download import DownloadResult
from kemopix.sites.pixiv import PixivSite, illust, user

from . import _download, _ops
from ._state import SEED_CLIENT_ID, SEED_CLIENT_SECRET, ClientState
from ._sync_more import SyncExtras
from .enums import ContentType, Duration, RankingMode, SearchTarget, Size, Sort, Visibility
from .errors import ERROR_MAP, LoginError, PixivLoginFailed
from .models import FullUser, Illustration

__all__ = ["Client"]

T = TypeVar("T")


class Client(SyncExtras, ClientState):
    """A client for the Pixiv API.

    :ivar str language: The language tag translations should be in.
    :ivar str client_id: The client ID. Typically, leaving this as default is ok.
    :ivar str client_secret: The client secret. Typically, leaving this as default is ok.
    :ivar Account account: Basic details of the logged in account.
    :ivar str access_token: The access token used to authorize requests.
    :ivar str refresh_token: The refresh token used to obtain new access tokens.
    :ivar requests.Session session: The requests session.

    Hosts come from ``KEMOPIX_PIXIV_URL`` / ``KEMOPIX_PIXIV_API_URL`` /
    ``KEMOPIX_PIXIV_OAUTH_URL`` (real pixiv by default); assign ``client.site`` or
    ``client.config`` to change hosts, timeouts, retries or budgets.
    """

    def __init__(
        self,
        language: str = "English",
        client_id: str = SEED_CLIENT_ID,
        client_secret: str = SEED_CLIENT_SECRET,
    ) -> None:
        self._init_state(language, client_id, client_secret, None, None)
        self._session = requests.Session()
        self._session.trust_env = _environment_matters()
        self._apply_config()

    # -- plumbing -----------------------------------------------------------------------------
    def _make_runner(self) -> SyncRunner:
        return SyncRunner(RequestsTransport(self._config, self._session), errors=ERROR_MAP)

    def _run(self, flow: Flow[T]) -> T:
        return self._runner.run(flow)

    @property
    def session(self) -> requests.Session:
        """The requests session every request goes through."""
        return self._session

    @session.setter
    def session(self, session: requests.Session) -> None:
        self._session = session
        self._runner = self._make_runner()

    @property
    def config(self) -> Config:
        """Timeouts, retries and rate limits (``kemopix.sites.pixiv.PIXIV`` by default)."""
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        self._config = config
        self._apply_config()

    def _apply_config(self) -> None:
        # The transport borrows our session, so TLS and proxy settings are applied here.
        self._session.verify = self._config.verify
        if self._config.verify and not self._session.trust_env:
            # What trust_env would have done on each request, done once.
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if bundle:
                self._session.verify = bundle
        if self._config.proxy:
            self._session.proxies = {"http": self._config.proxy, "https": self._config.proxy}
        self._runner = self._make_runner()

    @classmethod
    def for_site(cls, site: PixivSite, config: Config | None = None, **kwargs: Any) -> Client:
        """A client for the given hosts (an emulator, a mirror) and configuration."""
        client = cls(**kwargs)
        client.site = site.replace(
            language=client.language, client_id=client.client_id, client_secret=client.client_secret
        )
        if config is not None:
            client.config = config
        return client

    def close(self) -> None:
        """Close the session."""
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _login(self, flow: Flow[None]) -> None:
        try:
            self._run(flow)
        except LoginError:
            raise
        except KemopixError as exc:
            raise PixivLoginFailed(f"login failed: {exc}") from exc

    # -- auth and downloads -------------------------------------------------------------------
    def download(
        self, url: str, destination: str | os.PathLike[str], referer: str = "https://pixiv.net"
    ) -> None:
        """Download a file to a given destination (atomic, resumable, skipped when complete).

        :param str url: The URL to the file.
        :param destination: The destination file. Must be writeable.
        :param str referer: The Referer header.
        :raises FileNotFoundError: If the destination's directory does not exist.
        :raises PermissionError: If the destination cannot be written to.
        """
        self._run(_download.download_file(self, url, destination, referer))

    def download_illustration(
        self,
        illustration: Illustration,
        directory: Path,
        size: Size = Size.ORIGINAL,
        filename: str | None = None,
    ) -> list[DownloadResult]:
        """``illustration.download(...)``: every page, one after the other."""
        flows = _download.illustration_downloads(self, illustration, directory, size, filename)
        return [self._run(flow) for flow in flows]

    def login(self, username: str, password: str) -> None:
        """Log in with username and password (the ``password`` grant, which pixiv turned off in
        2021; servers that still take it, like the emulator, do).

        :raises LoginError: If login fails.
        """
        self._login(_ops.login(self, username, password))

    def authenticate(self, refresh_token: str) -> None:
        """Use a refresh token to obtain a new access token. Assigns both tokens.

        :raises LoginError: If authentication fails.
        """
        self._login(_ops.authenticate(self, refresh_token))

    def exchange_code(self, code: str, code_verifier: str) -> None:
        """Finish a PKCE login (see ``pixivapi.auth.pkce_login_url``): assigns both tokens.

        :raises LoginError: If the code is refused (it lives about 30 seconds).
        """
        self._login(_ops.exchange_code(self, code, code_verifier))

    # -- the seed's endpoints -----------------------------------------------------------------
    def search_illustrations(
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
        return self._run(_ops.search_illustrations(self, query))

    def fetch_illustration(self, illustration_id: int) -> Illustration:
        """Fetch the details of a single illustration."""
        return self._run(_ops.fetch_illustration(self, illustration_id))

    def fetch_illustration_comments(
        self, illustration_id: int, offset: int | None = None, include_total_comments: bool = False
    ) -> dict[str, Any]:
        """Fetch an illustration's comments (30 a page): ``{comments, next, total_comments}``."""
        query = illust.illust_comments_query(illustration_id, offset, include_total_comments)
        return self._run(_ops.comments(self, query))

    def fetch_illustration_related(
        self, illustration_id: int, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch illustrations related to an illustration: ``{illustrations, next}``."""
        query = illust.illust_related_query(illustration_id, offset)
        return self._run(_ops.illustrations(self, query))

    def fetch_illustrations_following(
        self, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch new illustrations from followed artists: ``{illustrations, next}``."""
        query = illust.illust_follow_query(visibility.value, offset)
        return self._run(_ops.illustrations(self, query))

    def fetch_illustrations_recommended(
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
        return self._run(_ops.recommended(self, query))

    def fetch_illustrations_ranking(
        self,
        mode: RankingMode = RankingMode.DAY,
        date: str | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Fetch the ranking illustrations: ``{illustrations, next}``."""
        query = illust.illust_ranking_query(mode.value, date, offset)
        return self._run(_ops.illustrations(self, query))

    def fetch_trending_tags(self) -> list[dict[str, Any]]:
        """Fetch trending tags: ``[{illustration, tag, translated_name}, ...]``."""
        return self._run(_ops.trending_tags(self))

    def fetch_bookmark(self, illustration_id: int) -> dict[str, Any]:
        """Fetch bookmark details of an illustration: ``{is_bookmarked, visibility, tags}``."""
        return self._run(_ops.fetch_bookmark(self, illustration_id))

    def add_bookmark(
        self, illustration_id: int, visibility: Visibility = Visibility.PUBLIC
    ) -> None:
        """Bookmark an illustration."""
        self._run(illust.bookmark_add(self._site, self._auth, illustration_id, visibility.value))

    def delete_bookmark(self, illustration_id: int) -> None:
        """Delete a bookmark."""
        self._run(illust.bookmark_delete(self._site, self._auth, illustration_id))

    def fetch_user(self, user_id: int) -> FullUser:
        """Fetch details about a Pixiv user."""
        return self._run(_ops.fetch_user(self, user_id))

    def fetch_user_illustrations(
        self,
        user_id: int,
        content_type: ContentType = ContentType.ILLUSTRATION,
        offset: int | None = None,
    ) -> dict[str, Any]:
        """Fetch the illustrations posted by a user: ``{illustrations, next}``."""
        query = user.user_illusts_query(user_id, _ops.value(content_type), offset)
        return self._run(_ops.illustrations(self, query))

    def fetch_user_bookmarks(
        self,
        user_id: int,
        visibility: Visibility = Visibility.PUBLIC,
        max_bookmark_id: int | None = None,
        tag: str | None = None,
    ) -> dict[str, Any]:
        """Fetch the illustrations a user bookmarked; ``next`` is a ``max_bookmark_id``."""
        query = user.user_bookmarks_illust_query(user_id, visibility.value, max_bookmark_id, tag)
        return self._run(_ops.illustrations(self, query, "max_bookmark_id"))

    def fetch_user_bookmark_tags(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch a user's bookmark tags: ``{bookmark_tags, next}``."""
        query = user.user_bookmark_tags_query(user_id, visibility.value, offset)
        return self._run(_ops.bookmark_tags(self, query))

    def fetch_following(
        self, user_id: int, visibility: Visibility = Visibility.PUBLIC, offset: int | None = None
    ) -> dict[str, Any]:
        """Fetch the users a user follows: ``{user_previews, next}``."""
        query = user.user_following_query(user_id, visibility.value, offset)
        return self._run(_ops.previews(self, query))

    def fetch_followers(self, offset: int | None = None) -> dict[str, Any]:
        """Fetch the users following the requesting user: ``{user_previews, next}``."""
        return self._run(_ops.previews(self, user.user_follower_query(None, offset)))


def _environment_matters() -> bool:
    """Whether requests' per-request environment lookups can change anything here.

    With ``trust_env`` requests reads every proxy variable and looks for .netrc on each request
    (measured: about a fifth of a small call's cost). When no proxy or netrc setting exists
    those lookups find nothing, so they are turned off (a CA bundle named by
    REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE is applied once instead); otherwise they stay on.
    """
    env = os.environ
    if any(key.lower().endswith("_proxy") for key in env) or env.get("NETRC"):
        return True
    try:
        home = Path.home()
    except RuntimeError:
        return False
    return (home / ".netrc").exists() or (home / "_netrc").exists()
