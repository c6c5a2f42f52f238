"""The kemopix error tree. Every failure a client can meet is one of these.

::

    KemopixError
    ├── TransportError            the exchange did not complete
    │   ├── Timeout               ├── ConnectTimeout, ReadTimeout
    │   ├── ConnectError          could not connect (DNS, TLS)
    │   │   └── ConnectionRefused nothing listens there (retried at most once, quickly)
    │   ├── NetworkError          connection reset / broken mid-exchange
    │   └── LimitExceeded         the answer broke a bound of ``Config.limits`` (not retried)
    │       ├── ResponseTooLarge  endless body, decompression bomb
    │       └── ResponseTooSlow   no complete answer within ``Limits.time``
    ├── HTTPStatusError           the server answered with an error status
    │   ├── ClientError (4xx)     ├── Unauthorized 401, Forbidden 403, NotFound 404
    │   ├── ServerError (5xx)
    │   ├── RateLimited           429 (or a site's own rate-limit answer), ``retry_after``
    │   └── Challenge             an anti-bot HTML page instead of the API (DDoS-Guard, Cloudflare)
    ├── DecodeError               a body that is not what the protocol promises (bad JSON, shape)
    │   └── TruncatedBody         fewer bytes than Content-Length
    ├── IntegrityError            downloaded bytes do not match the expected hash or size
    └── InvalidInput (ValueError) a bad ID, URL, option or file name from the user
        └── UnsafePathError       a path that would leave the chosen folder

Messages carry the URL, status, a redacted body excerpt and the request id, never credentials.
"""

from __future__ import annotations

from typing import Any, TypeVar

from .secrets import redact_text

__all__ = [
    "Challenge",
    "ClientError",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionRefused",
    "DecodeError",
    "ErrorMap",
    "Forbidden",
    "HTTPStatusError",
    "IntegrityError",
    "InvalidInput",
    "KemopixError",
    "LimitExceeded",
    "NetworkError",
    "NotFound",
    "RateLimited",
    "ReadTimeout",
    "ResponseTooLarge",
    "ResponseTooSlow",
    "ServerError",
    "Timeout",
    "TransportError",
    "TruncatedBody",
    "Unauthorized",
    "UnsafePathError",
    "excerpt",
]

EXCERPT_CHARS = 300


def excerpt(body: bytes | str, limit: int = EXCERPT_CHARS) -> str:
    """A short, redacted, single-line view of a response body for error messages."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text[: limit * 2].split())
    text = redact_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class KemopixError(Exception):
    """Root of every error raised by kemopix, pixivapi and pykemo."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(redact_text(message))
        self.url = url

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class TransportError(KemopixError):
    """The HTTP exchange did not complete."""


class Timeout(TransportError):
    """No answer within the configured time."""


class ConnectTimeout(Timeout):
    """Connecting took longer than the connect timeout."""


class ReadTimeout(Timeout):
    """The server stopped sending for longer than the read (or total) timeout."""


class ConnectError(TransportError):
    """The connection could not be made (refused, DNS, TLS)."""


class ConnectionRefused(ConnectError):
    """Nothing listens at that host and port (the site or emulator is down, or a wrong URL)."""


class NetworkError(TransportError):
    """The connection broke during the exchange (reset, closed early)."""


class LimitExceeded(TransportError):
    """The answer broke a bound of ``Config.limits``; ``limit`` is the bound (bytes or seconds).

    Not retried: the same server would most likely do the same again.
    """

    def __init__(self, message: str, *, url: str | None = None, limit: float) -> None:
        super().__init__(message, url=url)
        self.limit = limit


class ResponseTooLarge(LimitExceeded):
    """A body (or what it decompressed to) grew past its cap: endless, or a bomb."""


class ResponseTooSlow(LimitExceeded):
    """An answer held in memory was not complete within ``Limits.time`` seconds."""


class HTTPStatusError(KemopixError):
    """The server answered with a status that means failure."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        url: str | None = None,
        body: str = "",
        request_id: str | None = None,
    ) -> None:
        detail = f"{message} (HTTP {status}"
        detail += f", {url}" if url else ""
        detail += f", request id {request_id}" if request_id else ""
        detail += ")"
        if body:
            detail += f": {body}"
        super().__init__(detail, url=url)
        self.status = status
        self.body = redact_text(body)
        self.request_id = request_id


class ClientError(HTTPStatusError):
    """A 4xx answer: the request was wrong or not allowed."""


class Unauthorized(ClientError):
    """401: the request needs (valid) credentials."""


class Forbidden(ClientError):
    """403: refused."""


class NotFound(ClientError):
    """404: no such resource (some sites also answer 404 for a missing role)."""


class ServerError(HTTPStatusError):
    """A 5xx answer."""


class RateLimited(HTTPStatusError):
    """The site asks us to slow down; ``retry_after`` is in seconds when it said."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 429,
        url: str | None = None,
        body: str = "",
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, url=url, body=body, request_id=request_id)
        self.retry_after = retry_after


class Challenge(HTTPStatusError):
    """An anti-bot page (DDoS-Guard, Cloudflare) came back instead of the API's answer."""


class DecodeError(KemopixError):
    """A response body that is not what the protocol promises."""


class TruncatedBody(DecodeError):
    """The body ended before Content-Length bytes arrived."""

    def __init__(self, message: str, *, url: str | None = None, expected: int, received: int):
        super().__init__(f"{message}: got {received} of {expected} bytes", url=url)
        self.expected = expected
        self.received = received


class IntegrityError(KemopixError):
    """Downloaded bytes do not match the expected SHA-256 or size; nothing was kept."""


class InvalidInput(KemopixError, ValueError):
    """A bad ID, URL, option or name given by the user."""


class UnsafePathError(InvalidInput):
    """A file name or path that would escape the chosen folder or is unusable."""


E = TypeVar("E", bound=BaseException)


class ErrorMap:
    """Re-raises core errors as a package's own classes (``PixivError``, ``PyKemoException``...).

    ``mapping`` pairs a core class with the package class to use for it and its subclasses; the
    most specific entry wins. The new error keeps the message, attributes and cause.
    """

    def __init__(self, mapping: dict[type[KemopixError], type[BaseException]]) -> None:
        self._mapping = mapping

    def translate(self, exc: KemopixError) -> BaseException:
        for klass in type(exc).__mro__:
            target = self._mapping.get(klass)
            if target is not None:
                if isinstance(exc, target):
                    return exc
                return rebase(exc, target)
        return exc


def rebase(exc: BaseException, target: type[E]) -> E:
    """Copy ``exc`` (message, attributes, traceback links) into an instance of ``target``."""
    new = target.__new__(target)
    new.args = exc.args
    attrs: dict[str, Any] = dict(getattr(exc, "__dict__", {}))
    for key, value in attrs.items():
        setattr(new, key, value)
    # requests.RequestException expects these two attributes to exist.
    for key in ("request", "response"):
        if not hasattr(new, key):
            setattr(new, key, None)
    new.__cause__ = exc.__cause__
    new.__context__ = exc.__context__
    new.__traceback__ = exc.__traceback__
    return new
