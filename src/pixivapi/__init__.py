"""pixivapi: the pixiv-api 0.2.1 client, kept seed-exact, with an asyncio twin and today's login.

``Client`` (blocking, requests) and ``AsyncClient`` (asyncio, aiohttp) run the same flows of
``kemopix.sites.pixiv``, with methods written once (``aio.py``, ``_async``) and generated for
``Client`` (``scripts/unasync.py``); ``pixivapi.auth`` has the PKCE login and the saved refresh
token.
"""

from typing import TYPE_CHECKING

from kemopix._lazy import lazy_attributes

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
__getattr__ = lazy_attributes(
    __name__,
    {
        "AsyncClient": "aio",
        "Client": "client",
        **dict.fromkeys(
            (
                "ContentType",
                "Duration",
                "RankingMode",
                "SearchTarget",
                "Size",
                "Sort",
                "Visibility",
            ),
            "enums",
        ),
        **dict.fromkeys(
            ("AuthenticationRequired", "BadApiResponse", "LoginError", "PixivError"), "errors"
        ),
        **dict.fromkeys(
            ("Account", "Comment", "FullUser", "Illustration", "Novel", "User"), "models"
        ),
    },
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
