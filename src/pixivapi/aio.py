"""The client classes: ``AsyncClient`` in ``aio.py``, the seed's ``Client`` in ``client.py``.

``aio.py`` and ``_async/`` (the methods, one module per resource) are written by hand;
``scripts/unasync.py`` generates ``client.py`` and ``_sync/`` from them, and ``make test``
fails when those copies are stale. What truly differs between the two clients, the session
and how flows run, is in ``_backends``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from kemopix._protocol.config import Config
from kemopix.sites.pixiv import PixivSite

from ._async.downloads import Downloads
from ._async.illustrations import Illustrations
from ._async.login import Login
from ._async.novels import Novels
from ._async.users import Users

__all__ = ["AsyncClient"]


class AsyncClient(Login, Illustrations, Users, Novels, Downloads):
    """A client for the Pixiv API.

    :ivar str language: The language tag translations should be in.
    :ivar str client_id: The client ID. Typically, leaving this as default is ok.
    :ivar str client_secret: The client secret. Typically, leaving this as default is ok.
    :ivar Account account: Basic details of the logged in account.
    :ivar str access_token: The access token used to authorize requests.
    :ivar str refresh_token: The refresh token used to obtain new access tokens.
    :ivar aiohttp.ClientSession session: The aiohttp session.

    Hosts come from ``KEMOPIX_PIXIV_URL`` / ``KEMOPIX_PIXIV_API_URL`` /
    ``KEMOPIX_PIXIV_OAUTH_URL`` (real pixiv by default); assign ``client.site`` or
    ``client.config`` (or use ``for_site``) to change hosts, timeouts, retries or budgets.
    """

    @classmethod
    def for_site(cls, site: PixivSite, config: Config | None = None, **kwargs: Any) -> Self:
        """A client for the given hosts (an emulator, a mirror) and configuration."""
        client = cls(**kwargs)
        client.site = site.replace(
            language=client.language, client_id=client.client_id, client_secret=client.client_secret
        )
        if config is not None:
            client.config = config
        return client

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
