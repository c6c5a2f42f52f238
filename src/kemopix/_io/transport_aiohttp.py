"""The async transport: one ``send`` over an ``aiohttp.ClientSession``."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Coroutine
from functools import lru_cache
from typing import Any

from .._tls import context, lean_import

with lean_import():  # in the kemopix command, without aiohttp's own TLS contexts: see _tls
    import aiohttp

from multidict import CIMultiDict, CIMultiDictProxy

from .._protocol.config import Config
from .._protocol.errors import (
    ConnectError,
    ConnectionRefused,
    ConnectTimeout,
    NetworkError,
    ReadTimeout,
    TransportError,
    TruncatedBody,
)
from .._protocol.http import Headers, Request, Response, Sink, Timeout
from .body import BodyCounter
from .deadlines import TIME, Deadlines

__all__ = ["AiohttpTransport"]

CHUNK = 1 << 20  # with read_bufsize equal to it: 1.22 ms/MB (dependencies.md §2b)


class AiohttpTransport:
    """Sends ``Request`` values with aiohttp. The session is made on first use, inside the loop."""

    def __init__(self, config: Config, session: aiohttp.ClientSession | None = None) -> None:
        self.config = config
        self._session = session
        self._owns_session = session is None
        self._default_timeout = _client_timeout(config.timeout)
        self._deadlines: Deadlines | None = None  # made on the event loop, by the first exchange
        self._tls_proxy = (config.proxy or "")[:6].lower() == "https:"

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=0,
                limit_per_host=self.config.max_connections_per_host * 2,
                ssl=True if self.config.verify else False,  # each https request brings its own
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.config.user_agent},
                read_bufsize=CHUNK,
            )
            self._owns_session = True
        return self._session

    def send(self, request: Request) -> Coroutine[Any, Any, Response]:
        """Send ``request`` (awaitable; its body streamed to its sink, if it has one)."""
        return self.exchange(request, request.sink)

    async def exchange(self, request: Request, sink: Sink | None) -> Response:
        """Send ``request``, its successful body streamed to ``sink`` (instead of its own)."""
        session = self._session
        if session is None or session.closed:
            session = self.session
        spec = self.config.timeout if request.timeout is None else request.timeout
        # A session of our own never makes a request wait for a connection (its pool is larger
        # than the runner lets in flight), so the read timeout may count from the start: ours.
        # A given session's pool may queue requests: aiohttp's, counted from the sending.
        own = self._owns_session
        if request.timeout is None and own:
            timeout = self._default_timeout
        else:
            timeout = _client_timeout(spec, sock_read=not own)
        read = spec.read if own else None
        limits = self.config.limits
        # Answers held in memory get the whole-answer time limit; downloads only Timeout.total.
        limit = limits.time if sink is None else None
        deadlines, watched = self._deadlines, None
        if read is not None or limit is not None:
            task = None if deadlines is None else asyncio.current_task(deadlines.loop)
            if task is None or deadlines is None:  # the first exchange on this event loop
                deadlines = self._deadlines = Deadlines(asyncio.get_running_loop())
                task = asyncio.current_task(deadlines.loop)
            if task is not None:
                watched = deadlines.watch(task, read, limit)
        plain = request.url[:5] == "http:" and not self._tls_proxy  # (no TLS: no call)
        try:
            # Awaited, not entered: ``async with`` adds four coroutines per request (the
            # manager's and the response's __aenter__ and __aexit__); the finally below does
            # what their __aexit__ does.
            raw = await session.request(
                request.method,
                request.url,
                params=list(request.params) if request.params else None,
                headers=_headers(request.headers),
                data=request.content,
                timeout=timeout,
                allow_redirects=request.follow_redirects,
                proxy=self.config.proxy,
                ssl=True if plain else self._tls(request.url),
            )
            try:
                if watched is not None:
                    watched.stream = raw.content
                return await self._read(request, raw, sink)
            finally:
                raw.release()
                if request.content is not None:  # only a body sent leaves a writer to wait for
                    await raw.wait_for_close()
        except (TransportError, TruncatedBody):
            raise
        except asyncio.CancelledError:
            expired = None if watched is None else watched.claim()
            if expired is None:
                raise
            if expired == TIME:
                limits.check_time(float("inf"), url=request.url)
            assert spec.read is not None
            raise ReadTimeout(
                f"timed out waiting for the server: no data for {spec.read:g}s", url=request.url
            ) from None
        except (aiohttp.ClientError, asyncio.IncompleteReadError, TimeoutError) as exc:
            raise _translate(exc, request.url) from exc
        finally:
            if watched is not None and deadlines is not None:
                deadlines.forget(watched)

    def _tls(self, url: str) -> ssl.SSLContext | bool:
        """kemopix's own context for an https URL or proxy (aiohttp's: see ``kemopix._tls``)."""
        if self._tls_proxy or url[:6].lower() == "https:":
            return context(self.config.verify)
        return True  # plain http: no TLS

    async def _read(
        self, request: Request, raw: aiohttp.ClientResponse, sink: Sink | None
    ) -> Response:
        headers = {k.lower(): v for k, v in raw.headers.items()}
        url = str(raw.url)
        sink = sink if sink is not None and 200 <= raw.status < 300 else None
        counter = BodyCounter(
            url, headers, request.method, self.config.limits, in_memory=sink is None
        )
        if sink is not None:
            sink.open(raw.status, headers)
        parts: list[bytes] = []
        try:
            if counter.fits:  # (only an answer held in memory fits)
                # Length known and within the cap: one read, ~15% less CPU per small JSON call.
                body = await raw.read()
                counter.add(len(body))
                counter.finish()
                return Response(raw.status, headers, body, url, request, counter.received)
            content, expected = raw.content, counter.expected
            # iter_chunked(CHUNK) without its iterator: a frame and a StopAsyncIteration less
            while chunk := await content.read(CHUNK):
                counter.add(len(chunk))
                if sink is None:
                    parts.append(chunk)
                else:
                    sink.write(chunk)  # blocking writes: cheaper than a thread hop (§2b)
                if counter.received == expected:
                    # The declared length is in, and aiohttp ends a body there: no read to
                    # learn of the end (a coroutine per file).
                    break
        except aiohttp.ClientPayloadError as exc:
            raise counter.broken() from exc
        except BaseException:
            parts.clear()  # the traceback keeps this frame: do not keep the bytes with it
            raise
        counter.finish()
        return Response(raw.status, headers, b"".join(parts), url, request, counter.received)

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None


@lru_cache(maxsize=256)
def _headers(headers: Headers) -> CIMultiDictProxy[str]:
    """A request's headers as aiohttp takes them without converting them (read-only: shared
    by every request with the same headers)."""
    return CIMultiDictProxy(CIMultiDict(headers))


@lru_cache(maxsize=64)
def _client_timeout(timeout: Timeout, *, sock_read: bool = False) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for ``timeout``; without ``sock_read``, its read timeout is left to
    ``deadlines`` (aiohttp arms a timer for it per request and again per chunk)."""
    return aiohttp.ClientTimeout(
        total=timeout.total,
        sock_connect=timeout.connect,
        sock_read=timeout.read if sock_read else None,
    )


def _translate(exc: BaseException, url: str) -> TransportError:
    """Map an aiohttp/asyncio failure to a kemopix error: the one place that knows them."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectTimeout(f"connect timed out: {exc}", url=url)
    if isinstance(exc, (aiohttp.SocketTimeoutError, TimeoutError)):
        return ReadTimeout(f"timed out waiting for the server: {exc!r}", url=url)
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or str(exc.os_error) or type(exc).__name__
        where = f"{exc.host}:{exc.port}"
        if isinstance(exc.os_error, ConnectionRefusedError):
            return ConnectionRefused(f"could not connect to {where}: connection refused", url=url)
        return ConnectError(f"could not connect to {where}: {reason}", url=url)
    if isinstance(exc, aiohttp.InvalidURL):
        return ConnectError(f"invalid URL: {exc}", url=url)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        return NetworkError(f"connection broken: {exc}", url=url)
    if isinstance(exc, asyncio.IncompleteReadError):
        return NetworkError(f"connection broken mid-body: {exc}", url=url)
    return TransportError(f"request failed: {exc}", url=url)
