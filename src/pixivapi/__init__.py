"""pixivapi: the pixiv-api 0.2.1 client, kept seed-exact, with an asyncio twin and today's login.

``Client`` (blocking, requests) and ``AsyncClient`` (asyncio, aiohttp) run the same flows of
``kemopix.sites.pixiv``, with methods written once (``aio.py``, ``_async``) and generated for
``Client`` (``scripts/unasync.py``); ``pixivapi.auth`` has the PKCE login and the saved refresh
token.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .aio import AsyncClient
    from .client import Client
    from .enums import ContentType, Duration, RankingMode, SearchTarget, Size, Sort, Visibility
    from .errors import AuthenticationRequired, BadApiResponse, LoginError, PixivError
    from .models import Account, Comment, FullUser, Illustration, Novel, User

__all__ = [
    "Account",
    "AsyncClient",
    "AuthenticationRequired",
    "BadApiResponse",
    "Client",
    "Comment",
    "ContentType",
    "Duration",
    "FullUser",
    "Illustration",
    "LoginError",
    "Novel",
    "PixivError",
    "RankingMode",
    "SearchTarget",
    "Size",
    "Sort",
    "User",
    "Visibility",
]


# Each name is imported on first use, so ``pixivapi.auth`` (the saved token, read by every
# ``kemopix download`` of pixiv) does not load requests and aiohttp with the clients.
_HOMES = {
    "AsyncClient": "aio",
    "Client": "client",
    **dict.fromkeys(
        ("ContentType", "Duration", "RankingMode", "SearchTarget", "Size", "Sort", "Visibility"),
        "enums",
    ),
    **dict.fromkeys(
        ("AuthenticationRequired", "BadApiResponse", "LoginError", "PixivError"), "errors"
    ),
    **dict.fromkeys(("Account", "Comment", "FullUser", "Illustration", "Novel", "User"), "models"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
