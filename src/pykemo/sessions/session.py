"""``KemoSession``: one aiohttp session, the flow runner over it, and raw HTTP verbs.

The runner's transport borrows this session's ``aiohttp.ClientSession``, so the ``session``
cookie set by a login is sent by every later call, typed or raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
from yarl import URL

from kemopix._io import AiohttpTransport, AsyncRunner
from kemopix._protocol.config import KEMONO_CONFIG, Config
from kemopix._protocol.flow import Flow
from kemopix._protocol.raw import RawBody, keep_body
from kemopix._protocol.secrets import Secret
from kemopix.sites.kemono import KemonoSite

from ..core.api_versions import APIVersion
from ..core.urltypes import UrlType
from ..exceptions.mapping import PYKEMO_ERRORS

__all__ = ["SITE_DOMAIN", "KemoSession", "TokenValue"]

TokenValue = str
SITE_DOMAIN = "kemono.su"  # the original's constant; the live site is ``KemonoSite.default()``
COOKIE_NAME = "session"

T = TypeVar("T")


class KemoSession:
    """The connection to one Kemono-compatible site; use it as ``async with KemoSession():``.

    ``site`` is a ``KemonoSite`` or a URL (default: ``KemonoSite.default()``, which reads
    ``KEMOPIX_KEMONO_URL``); ``config`` sets timeouts, retries and budgets (``KEMONO_CONFIG``).
    The aiohttp session is made on first use, inside the running loop.
    """

    def __init__(self, site: KemonoSite | str | None = None, *, config: Config | None = None):
        if site is None:
            site = KemonoSite.default()
        elif isinstance(site, str):
            site = KemonoSite.from_url(site)
        self.site: KemonoSite = site
        self.config: Config = config or KEMONO_CONFIG
        self._client: aiohttp.ClientSession | None = None
        self._runner: AsyncRunner | None = None
        self._pending_cookie: Secret | None = None
        self._closed = False

    # -- construction and lifetime -------------------------------------------------------------
    @classmethod
    def with_token(
        cls,
        cookie_auth: TokenValue,
        site: KemonoSite | str | None = None,
        *,
        config: Config | None = None,
    ) -> Self:
        """A session that sends ``cookie_auth`` as the ``session`` cookie."""
        session = cls(site, config=config)
        session.set_session_cookie(cookie_auth)
        return session

    def set_session_cookie(self, cookie_auth: TokenValue) -> None:
        """Use ``cookie_auth`` as the ``session`` cookie from now on."""
        if self._client is None:
            self._pending_cookie = Secret(cookie_auth)
        else:
            self._client.cookie_jar.update_cookies(
                {COOKIE_NAME: cookie_auth}, response_url=URL(self.site.url)
            )

    @property
    def client(self) -> aiohttp.ClientSession:
        """The underlying aiohttp session (made on first use; needs a running loop)."""
        if self._closed:
            raise RuntimeError("this KemoSession is closed")
        if self._client is None:
            # unsafe=True: keep cookies from IP-address hosts too (emulators on 127.0.0.1).
            jar = aiohttp.CookieJar(unsafe=True)
            self._client = aiohttp.ClientSession(
                cookie_jar=jar,
                headers={"User-Agent": self.config.user_agent},
                connector=aiohttp.TCPConnector(
                    limit_per_host=self.config.max_connections_per_host * 2,
                    ssl=True if self.config.verify else False,
                ),
            )
            if self._pending_cookie is not None:
                cookie, self._pending_cookie = self._pending_cookie.reveal(), None
                self.set_session_cookie(cookie)
        return self._client

    @property
    def runner(self) -> AsyncRunner:
        """The flow runner (retries, budgets, error mapping) over :attr:`client`."""
        if self._runner is None:
            transport = AiohttpTransport(self.config, self.client)
            self._runner = AsyncRunner(transport, errors=PYKEMO_ERRORS)
        return self._runner

    async def run(self, flow: Flow[T]) -> T:
        """Run one ``kemopix.sites.kemono`` flow over this session."""
        return await self.runner.run(flow)

    async def run_raw(self, flow: Flow[T]) -> tuple[T, RawBody]:
        """:meth:`run`, and the JSON of the answer the flow decoded (read lazily)."""
        return await self.runner.run(keep_body(flow))

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def logged_in(self) -> bool:
        """Whether a ``session`` cookie is held (it may still have expired server-side)."""
        if self._pending_cookie is not None:
            return True
        if self._client is None:
            return False
        return any(c.key == COOKIE_NAME for c in self._client.cookie_jar)

    async def close(self) -> None:
        """Close the aiohttp session (idempotent)."""
        self._closed = True
        client, self._client, self._runner = self._client, None, None
        if client is not None and not client.closed:
            await client.close()

    async def __aenter__(self) -> Self:
        _ = self.client
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("logged in" if self.logged_in else "anonymous")
        return f"<KemoSession {self.site.url} ({self.site.flavour}, {state})>"

    # -- raw verbs ----------------------------------------------------------------------------
    def url_for(
        self,
        endpoint: str,
        *,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        data_sv: int = 3,
    ) -> str:
        """The absolute URL of ``endpoint`` on this session's site."""
        if base_url is UrlType.API:
            root = f"{self.site.url}/api" + (api_version.value if api_version else "")
        elif base_url is UrlType.DATA:
            # The site's files host; ``data_sv`` only mattered for kemono.su's c{n} servers.
            root = self.site.files_url or self.site.url
        elif base_url is UrlType.SITE:
            root = self.site.url
        else:
            root = base_url.format_data(data_sv)
        if endpoint and not endpoint.startswith("/"):
            endpoint = "/" + endpoint
        return root + endpoint

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        """A raw request; the caller checks ``.status``, reads and releases the response."""
        url = self.url_for(endpoint, base_url=base_url, api_version=api_version)
        headers: Mapping[str, str] = kwargs.pop("headers", None) or {}
        if base_url is UrlType.API:
            headers = {**self.site.headers(), **headers}
        return await self.client.request(method.upper(), url, headers=headers, **kwargs)

    async def get(
        self,
        endpoint: str,
        *,
        params: Any = None,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        return await self.request(
            "GET", endpoint, params=params, base_url=base_url, api_version=api_version, **kwargs
        )

    async def options(
        self,
        endpoint: str,
        *,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        return await self.request(
            "OPTIONS", endpoint, base_url=base_url, api_version=api_version, **kwargs
        )

    async def head(
        self,
        endpoint: str,
        *,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        return await self.request(
            "HEAD", endpoint, base_url=base_url, api_version=api_version, **kwargs
        )

    async def post(
        self,
        endpoint: str,
        *,
        data: Any = None,
        json: Any = None,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        return await self.request(
            "POST", endpoint, data=data, json=json, base_url=base_url,
            api_version=api_version, **kwargs,
        )  # fmt: skip

    async def put(
        self,
        endpoint: str,
        *,
        data: Any = None,
        json: Any = None,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        return await self.request(
            "PUT", endpoint, data=data, json=json, base_url=base_url,
            api_version=api_version, **kwargs,
        )  # fmt: skip

    async def patch(
        self,
        endpoint: str,
        *,
        data: Any = None,
        json: Any = None,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        return await self.request(
            "PATCH", endpoint, data=data, json=json, base_url=base_url,
            api_version=api_version, **kwargs,
        )  # fmt: skip

    async def delete(
        self,
        endpoint: str,
        *,
        base_url: UrlType = UrlType.API,
        api_version: APIVersion | None = APIVersion.V1,
        **kwargs: Any,
    ) -> aiohttp.ClientResponse:
        return await self.request(
            "DELETE", endpoint, base_url=base_url, api_version=api_version, **kwargs
        )
