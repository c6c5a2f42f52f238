"""What differs between ``Client`` and ``AsyncClient``: how a flow is run, over which session.

Every other line of the two clients is written once, in ``aio.py`` and ``_async/`` (the
asyncio source), and generated for ``client.py`` and ``_sync/`` by ``scripts/unasync.py``,
which swaps ``AsyncBackend`` for ``SyncBackend``. Both backends offer the same members:
the constructor, ``session``, ``config``, ``close``/``aclose``, ``_run`` (one flow) and
``_run_all`` (several flows: one after the other here, concurrently there).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar, cast

import aiohttp
import requests

from kemopix._io import AiohttpTransport, AsyncRunner, RequestsTransport, SyncRunner
from kemopix._protocol.config import Config
from kemopix._protocol.flow import Flow
from kemopix.sites.pixiv import PixivSite

from ._state import SEED_CLIENT_ID, SEED_CLIENT_SECRET, ClientState
from .errors import ERROR_MAP

__all__ = ["AsyncBackend", "SyncBackend"]

T = TypeVar("T")


class SyncBackend(ClientState):
    """Blocking calls over one ``requests.Session``; the constructor is the seed's, exactly."""

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

    def _run(self, flow: Flow[T]) -> T:
        return self._runner.run(flow)

    def _run_all(self, flows: Sequence[Flow[T]]) -> list[T]:
        return [self._run(flow) for flow in flows]

    @property
    def session(self) -> requests.Session:
        """The requests session every request goes through (assigning one uses that one)."""
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

    def _make_runner(self) -> SyncRunner:
        return SyncRunner(RequestsTransport(self._config, self._session), errors=ERROR_MAP)

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

    def close(self) -> None:
        """Close the session."""
        self._session.close()


class AsyncBackend(ClientState):
    """Coroutines over aiohttp, made on first use inside the running loop.

    ``site`` (hosts) defaults to ``PixivSite.from_env()``, ``config`` to
    ``kemopix.sites.pixiv.PIXIV``; ``session`` may be an ``aiohttp.ClientSession`` to share
    (it is then not closed by ``aclose``). Concurrent calls share one token: an expired access
    token is renewed by the first call that notices it.
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
        self._given_session = session
        self._retired: list[AsyncRunner] = []
        self._open()

    def _open(self) -> None:
        self._transport = AiohttpTransport(self._config, self._given_session)
        self._runner = AsyncRunner(self._transport, errors=ERROR_MAP)

    async def _run(self, flow: Flow[T]) -> T:
        return await self._runner.run(flow)

    async def _run_all(self, flows: Sequence[Flow[T]]) -> list[T]:
        # Let every flow finish (no orphaned writers), then report the first failure.
        results = await asyncio.gather(*(self._run(f) for f in flows), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return cast(list[T], results)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session (made on first use, inside the running loop)."""
        return self._transport.session

    @property
    def config(self) -> Config:
        """Timeouts, retries, rate limits and the per-host connection cap."""
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        # A session already made for the old settings is kept open until aclose().
        self._retired.append(self._runner)
        self._config = config
        self._open()

    async def aclose(self) -> None:
        """Close the session (unless it was given to the constructor)."""
        for runner in (*self._retired, self._runner):
            await runner.aclose()
        self._retired.clear()


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
