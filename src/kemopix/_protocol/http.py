"""Immutable HTTP values: ``Request`` (what to send), ``Response`` (what came back), ``Sleep``.

These carry no I/O. A ``Request`` may name a ``Sink`` that receives a successful body as it
streams (downloads); otherwise the whole body lands in ``Response.content``.
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import EllipsisType
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

import msgspec
from msgspec import Struct

from .._structs import value_without
from .errors import DecodeError, excerpt
from .secrets import redact_headers

__all__ = [
    "IDEMPOTENT_METHODS",
    "Headers",
    "Request",
    "Response",
    "Sink",
    "Sleep",
    "Timeout",
    "host_of",
    "url_parts",
]

T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

Headers = tuple[tuple[str, str], ...]
Params = tuple[tuple[str, str], ...]


class Timeout(Struct, frozen=True):
    """Seconds allowed to connect, between two reads, and for the whole exchange (None: no cap)."""

    connect: float | None = 10.0
    read: float | None = 60.0
    total: float | None = None


class Sink(Protocol):
    """Receives a successful (2xx) body as it streams; used by downloads."""

    def open(self, status: int, headers: Mapping[str, str]) -> None:
        """Called once per response, before the first chunk."""

    def write(self, chunk: bytes) -> None:
        """Called for every chunk, in order."""

    def resume(self, request: Request) -> Request:
        """The request to send again after an interrupted body (e.g. with a Range header)."""


class Sleep(Struct, frozen=True):
    """An instruction to the driver: wait this many seconds, then go on."""

    seconds: float


def _pairs(
    items: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
) -> tuple[tuple[str, str], ...]:
    if items is None:
        return ()
    pairs = items.items() if isinstance(items, Mapping) else items
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            out.extend((key, _scalar(v)) for v in value)
        else:
            out.append((key, _scalar(value)))
    return tuple(out)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Request(Struct, frozen=True):
    """One HTTP request, fully described. Build with :meth:`build`."""

    method: str
    url: str
    params: Params = ()
    headers: Headers = ()
    content: bytes | None = None
    sink: Sink | None = None  # where a body streams; not part of the request's value
    timeout: Timeout | None = None
    follow_redirects: bool = True
    retry: bool | None = None

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        sink: Sink | None = None,
        timeout: Timeout | None = None,
        follow_redirects: bool = True,
        retry: bool | None = None,
    ) -> Request:
        """Build a request; ``json`` and ``data`` (form) are encoded here, with their Content-Type.

        Parameters whose value is None are left out; list values repeat the key (``tag=a&tag=b``).
        """
        hdrs = dict(headers or {})
        if json is not None:
            content = _json.dumps(json, separators=(",", ":")).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif data is not None:
            content = urlencode(_pairs(data)).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return cls(
            method=method.upper(),
            url=url,
            params=() if params is None else _pairs(params),
            headers=tuple(hdrs.items()),
            content=content,
            sink=sink,
            timeout=timeout,
            follow_redirects=follow_redirects,
            retry=retry,
        )

    @property
    def host(self) -> str:
        return host_of(self.url)

    @property
    def idempotent(self) -> bool:
        return self.method in IDEMPOTENT_METHODS

    @property
    def retryable(self) -> bool:
        """Whether the driver may send it again after a failure."""
        return self.idempotent if self.retry is None else self.retry

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def with_headers(self, **updates: str) -> Request:
        """A copy with headers set (underscores in keyword names become dashes)."""
        names = {k.replace("_", "-"): v for k, v in updates.items()}
        lower = {k.lower() for k in names}
        kept = tuple((k, v) for k, v in self.headers if k.lower() not in lower)
        return self.evolve(headers=kept + tuple(names.items()))

    def evolve(
        self, *, headers: Headers | None = None, sink: Sink | EllipsisType | None = ...
    ) -> Request:
        """A copy with other ``headers`` and/or ``sink`` (a download makes several)."""
        return Request(
            self.method,
            self.url,
            self.params,
            self.headers if headers is None else headers,
            self.content,
            self.sink if sink is ... else sink,
            self.timeout,
            self.follow_redirects,
            self.retry,
        )

    __eq__, __hash__ = value_without("sink")

    def __repr__(self) -> str:
        # The URL is safe to show (no site here puts credentials in it); headers are masked.
        return f"<Request {self.method} {self.url} headers={redact_headers(self.headers)}>"


class Response(Struct, frozen=True):
    """A complete response. ``headers`` keys are lower-case; ``url`` is the final URL.

    ``received`` counts the decoded body bytes, kept in ``content`` or streamed to the sink.
    """

    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str
    request: Request
    received: int = 0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    @property
    def request_id(self) -> str | None:
        for name in ("x-request-id", "x-amzn-requestid", "cf-ray", "x-userid"):
            value = self.headers.get(name)
            if value:
                return value
        return None

    def json(self) -> Any:
        """The body as JSON (whatever the Content-Type: Kemono labels JSON ``text/css``)."""
        try:
            return msgspec.json.decode(self.content)
        except msgspec.DecodeError as exc:
            raise DecodeError(
                f"expected JSON, got {excerpt(self.content, 120)!r}", url=self.url
            ) from exc

    def decode(self, type_: type[T]) -> T:
        """The body decoded and validated as ``type_`` (a msgspec Struct, list of them, ...)."""
        try:
            return msgspec.json.decode(self.content, type=type_)
        except msgspec.ValidationError as exc:
            raise DecodeError(f"unexpected JSON shape: {exc}", url=self.url) from exc
        except msgspec.DecodeError as exc:
            raise DecodeError(
                f"expected JSON, got {excerpt(self.content, 120)!r}", url=self.url
            ) from exc

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.url} ({len(self.content)} bytes)>"


@lru_cache(maxsize=4096)  # asked several times per request (lanes, gates, breaker, budgets)
def host_of(url: str) -> str:
    """``scheme://host:port`` of a URL: the unit of rate limits and concurrency caps."""
    origin = _PLAIN_ORIGIN.match(url)  # the URL's start only: a few calls, not a dozen
    if origin is not None:
        return origin.group().lower()
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def url_parts(url: str) -> tuple[str | None, str, str]:
    """``urlsplit(url)``'s ``hostname``, ``path`` and ``query``."""
    plain = _PLAIN_URL.match(url)
    if plain is not None:
        return plain.group(2).lower(), plain.group(4), plain.group(5) or ""
    parts = urlsplit(url)
    return parts.hostname, parts.path, parts.query


# An http(s) URL with a plain host name (and maybe a port), as every site here sends: its
# match gives what urlsplit gives (scheme, host, ":port", path, query) at a fraction of the
# cost, on the hot path of every request and file. Anything else (user info, IPv6, non-ASCII
# hosts, other or upper-case schemes, tabs or newlines, leading spaces) is left to urlsplit.
_PLAIN_URL = re.compile(
    r"(https?)://([A-Za-z0-9.-]+)(:[0-9]*)?((?:/[^?#\t\n\r]*)?)(?:\?([^#\t\n\r]*))?(?=#|\Z)"
)
# The same scheme, host and port, ending where urlsplit ends the host part: at "/", "?", "#" or
# the end. (urlsplit also drops tabs and newlines anywhere, but they would be in the host part
# to change it, and they do not match there.)
_PLAIN_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?=[/?#]|\Z)")
