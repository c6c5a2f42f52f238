"""The root of pykemo's errors and the transport/HTTP/decoding errors under it.

Each class subclasses the kemopix core class first, so ``except PyKemoException``,
``except kemopix.HTTPStatusError`` and ``except ValueError`` (bad input) all work.
"""

from __future__ import annotations

from kemopix._protocol.errors import (
    Challenge,
    DecodeError,
    Forbidden,
    HTTPStatusError,
    IntegrityError,
    InvalidInput,
    KemopixError,
    LimitExceeded,
    NotFound,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
    UnsafePathError,
)
from kemopix.sites.kemono.errors import AlreadyFlagged, PasswordChangeFailed

__all__ = [
    "PasswordChangeError",
    "PostAlreadyFlagged",
    "PyKemoChallenge",
    "PyKemoDecodeError",
    "PyKemoException",
    "PyKemoForbidden",
    "PyKemoHTTPError",
    "PyKemoIntegrityError",
    "PyKemoLimitExceeded",
    "PyKemoNotFound",
    "PyKemoRateLimited",
    "PyKemoServerError",
    "PyKemoTimeout",
    "PyKemoTransportError",
    "PyKemoUnauthorized",
    "PyKemoUnsafePath",
    "PyKemoValueError",
]


class PyKemoException(KemopixError):
    """Root of every pykemo error."""


class PyKemoTransportError(TransportError, PyKemoException):
    """The HTTP exchange did not complete (connection refused, reset...)."""


class PyKemoTimeout(Timeout, PyKemoTransportError):
    """The server did not answer in time."""


class PyKemoLimitExceeded(LimitExceeded, PyKemoTransportError):
    """An answer broke a bound of ``Config.limits`` (too large, a decompression bomb, too slow)."""


class PyKemoHTTPError(HTTPStatusError, PyKemoException):
    """The server answered with an error status; ``status`` and ``body`` tell which."""


class PyKemoNotFound(NotFound, PyKemoHTTPError):
    """404 where "not found" is an error (lookups that may miss answer None instead)."""


class PyKemoUnauthorized(Unauthorized, PyKemoHTTPError):
    """401: the call needs a logged-in account."""


class PyKemoForbidden(Forbidden, PyKemoHTTPError):
    """403: refused."""


class PyKemoChallenge(Challenge, PyKemoHTTPError):
    """An anti-bot page (DDoS-Guard) instead of the API: check the site's flavour/headers."""


class PyKemoRateLimited(RateLimited, PyKemoHTTPError):
    """429 after the retries: slow down."""


class PyKemoServerError(ServerError, PyKemoHTTPError):
    """5xx after the retries."""


class PasswordChangeError(PasswordChangeFailed, PyKemoHTTPError):
    """The server refused a password change."""


class PostAlreadyFlagged(AlreadyFlagged, PyKemoHTTPError):
    """409 on flagging a post that is already flagged."""


class PyKemoDecodeError(DecodeError, PyKemoException):
    """An answer that is not what the API promises."""


class PyKemoIntegrityError(IntegrityError, PyKemoException):
    """A downloaded file does not match its SHA-256 or size; nothing was kept."""


class PyKemoValueError(InvalidInput, PyKemoException):
    """A bad argument (also a ``ValueError``)."""


class PyKemoUnsafePath(UnsafePathError, PyKemoValueError):
    """A file name or path that would leave the chosen folder."""
