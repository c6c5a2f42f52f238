"""kemopix: the shared core (HTTP, retries, rate limits, downloads, archive), CLI and emulators.

The names here are the core's public surface: configuration, the error tree and the download
engine. ``pixivapi`` and ``pykemo`` build on them; the ``kemopix`` command uses all three.
"""

from ._protocol.config import KEMONO_CONFIG, PIXIV_BULK_CONFIG, PIXIV_CONFIG, Config
from ._protocol.errors import (
    Challenge,
    ClientError,
    ConnectError,
    ConnectionRefused,
    ConnectTimeout,
    DecodeError,
    Forbidden,
    HTTPStatusError,
    IntegrityError,
    InvalidInput,
    KemopixError,
    LimitExceeded,
    NetworkError,
    NotFound,
    RateLimited,
    ReadTimeout,
    ResponseTooLarge,
    ResponseTooSlow,
    ServerError,
    Timeout,
    TransportError,
    TruncatedBody,
    Unauthorized,
    UnsafePathError,
)
from ._protocol.http import Timeout as Timeouts
from ._protocol.limits import Limits
from ._protocol.ratelimit import RateLimit
from ._protocol.retry import RetryPolicy
from ._protocol.secrets import Secret
from .download import DownloadResult, PathBudget, safe_join, sanitize_component

__version__ = "0.1.0"

__all__ = [
    "KEMONO_CONFIG",
    "PIXIV_BULK_CONFIG",
    "PIXIV_CONFIG",
    "Challenge",
    "ClientError",
    "Config",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionRefused",
    "DecodeError",
    "DownloadResult",
    "Forbidden",
    "HTTPStatusError",
    "IntegrityError",
    "InvalidInput",
    "KemopixError",
    "LimitExceeded",
    "Limits",
    "NetworkError",
    "NotFound",
    "PathBudget",
    "RateLimit",
    "RateLimited",
    "ReadTimeout",
    "ResponseTooLarge",
    "ResponseTooSlow",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "Timeout",
    "Timeouts",
    "TransportError",
    "TruncatedBody",
    "Unauthorized",
    "UnsafePathError",
    "__version__",
    "safe_join",
    "sanitize_component",
]
