"""kemopix: the shared core (HTTP, retries, rate limits, downloads, archive), CLI and emulators.

The names here are the core's public surface: configuration, the error tree and the download
engine. ``pixivapi`` and ``pykemo`` build on them; the ``kemopix`` command uses all three.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from .files import DownloadResult, PathBudget, safe_join, sanitize_component

# Where each public name lives. They are imported on first use, so that `kemopix --version`
# and a Ctrl-C at start-up do not wait for the whole core (PEP 562).
_HOMES: dict[str, tuple[str, str]] = {
    **{
        name: ("._protocol.config", name)
        for name in ("KEMONO_CONFIG", "PIXIV_BULK_CONFIG", "PIXIV_CONFIG", "Config")
    },
    **{
        name: ("._protocol.errors", name)
        for name in (
            "Challenge",
            "ClientError",
            "ConnectError",
            "ConnectionRefused",
            "ConnectTimeout",
            "DecodeError",
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
        )
    },
    "Timeouts": ("._protocol.http", "Timeout"),
    "Limits": ("._protocol.limits", "Limits"),
    "RateLimit": ("._protocol.ratelimit", "RateLimit"),
    "RetryPolicy": ("._protocol.retry", "RetryPolicy"),
    "Secret": ("._protocol.secrets", "Secret"),
    **{
        name: (".files", name)
        for name in ("DownloadResult", "PathBudget", "safe_join", "sanitize_component")
    },
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kemopix' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home[0], __name__), home[1])
    globals()[name] = value
    return value


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
