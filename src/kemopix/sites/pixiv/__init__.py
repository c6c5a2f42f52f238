"""The pixiv App API as sans-I/O flows: hosts, headers, wire models, one flow per endpoint.

Run any flow with a driver from ``kemopix._io``::

    site, auth = PixivSite.from_env(), PixivAuth(refresh_token=token)
    runner = AsyncRunner(AiohttpTransport(PIXIV_BULK))
    detail = await runner.run(illust.illust_detail(site, auth, 75523989))
    step = ILLUSTS.step(site, auth)
    async for work in aiter_items(runner.run, step, user.user_illusts_query(2188232)):
        ...

``auth`` renews an expired access token (once per flow) and is shared by concurrent flows.
"""

from ..._protocol.config import PIXIV_BULK_CONFIG, PIXIV_CONFIG, Config
from . import illust, models, novel, user
from .auth import (
    PKCE_USER_AGENT,
    PixivAuth,
    Pkce,
    authorized,
    code_grant,
    get,
    make_pkce,
    password_grant,
    post,
    refresh,
    refresh_grant,
)
from .errors import (
    PIXIV_RETRY,
    InvalidToken,
    NotAuthenticated,
    OAuthError,
    api_message,
    check,
    is_invalid_token,
    is_rate_limit,
    parse,
    raise_for_error,
)
from .paging import (
    BOOKMARK_TAGS,
    COMMENTS,
    ILLUSTS,
    NOVEL_SERIES,
    NOVELS,
    RECOMMENDED,
    SEARCH_ILLUSTS,
    SEARCH_NOVELS,
    USER_PREVIEWS,
    Listing,
    PageStep,
    next_cursor_value,
)
from .site import (
    API_URL,
    IMAGE_REFERER,
    OAUTH_URL,
    PKCE_CLIENT_ID,
    PKCE_CLIENT_SECRET,
    PKCE_REDIRECT_URI,
    PixivSite,
    api_path,
    client_time_headers,
)

# Interactive use and bulk downloading, both backing off on pixiv's "Rate Limit" answers.
PIXIV: Config = PIXIV_CONFIG.replace(retry=PIXIV_RETRY)
PIXIV_BULK: Config = PIXIV_BULK_CONFIG.replace(retry=PIXIV_RETRY)

__all__ = [
    "API_URL",
    "BOOKMARK_TAGS",
    "COMMENTS",
    "ILLUSTS",
    "IMAGE_REFERER",
    "NOVELS",
    "NOVEL_SERIES",
    "OAUTH_URL",
    "PIXIV",
    "PIXIV_BULK",
    "PIXIV_RETRY",
    "PKCE_CLIENT_ID",
    "PKCE_CLIENT_SECRET",
    "PKCE_REDIRECT_URI",
    "PKCE_USER_AGENT",
    "RECOMMENDED",
    "SEARCH_ILLUSTS",
    "SEARCH_NOVELS",
    "USER_PREVIEWS",
    "InvalidToken",
    "Listing",
    "NotAuthenticated",
    "OAuthError",
    "PageStep",
    "PixivAuth",
    "PixivSite",
    "Pkce",
    "api_message",
    "api_path",
    "authorized",
    "check",
    "client_time_headers",
    "code_grant",
    "get",
    "illust",
    "is_invalid_token",
    "is_rate_limit",
    "make_pkce",
    "models",
    "next_cursor_value",
    "novel",
    "parse",
    "password_grant",
    "post",
    "raise_for_error",
    "refresh",
    "refresh_grant",
    "user",
]
