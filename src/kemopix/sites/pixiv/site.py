"""Where pixiv lives and how a client introduces itself: hosts, client credentials, headers."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urlencode, urlsplit

from msgspec import Struct
from msgspec.structs import replace

from ..._protocol.http import url_parts
from ..._structs import set_field

__all__ = [
    "API_URL",
    "CLIENT_HASH_SALT",
    "IMAGE_HOSTS",
    "IMAGE_REFERER",
    "OAUTH_URL",
    "PKCE_CLIENT_ID",
    "PKCE_CLIENT_SECRET",
    "PKCE_REDIRECT_URI",
    "PixivSite",
    "api_path",
    "client_time_headers",
    "url_parts",
]

# pixiv-protocol.md §1.1
API_URL = "https://app-api.pixiv.net"
OAUTH_URL = "https://oauth.secure.pixiv.net"
IMAGE_HOSTS = ("i.pximg.net", "s.pximg.net")
# i.pximg.net answers 403 unless the Referer is a pixiv.net page (pixiv-protocol.md §1.1).
IMAGE_REFERER = "https://app-api.pixiv.net/"

# pixiv-protocol.md §1.3: the pair pixivpy and gallery-dl use, and the one the PKCE login is
# registered for; tokens made with it refresh with it.
PKCE_CLIENT_ID = "MOBrBDS8blbauoSck0ZfDbtuzpyT"
PKCE_CLIENT_SECRET = "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj"
PKCE_REDIRECT_URI = "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback"
CLIENT_HASH_SALT = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"

ENV_URL = "KEMOPIX_PIXIV_URL"
ENV_API_URL = "KEMOPIX_PIXIV_API_URL"
ENV_OAUTH_URL = "KEMOPIX_PIXIV_OAUTH_URL"
ENV_IMAGE_URL = "KEMOPIX_PIXIV_IMAGE_URL"


def _origin(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


class PixivSite(Struct, frozen=True):
    """Hosts, client credentials and app identity of one pixiv (the real one or an emulator).

    ``api_url`` serves the App API, ``oauth_url`` the token endpoint (``/auth/token``);
    ``image_url``, when set, replaces the ``i.pximg.net``/``s.pximg.net`` origin of every image
    URL (for an emulator or a mirror). ``language`` goes out as Accept-Language and decides
    whether tags carry ``translated_name``.
    """

    api_url: str = API_URL
    oauth_url: str = OAUTH_URL
    image_url: str | None = None
    language: str | None = "English"
    client_id: str = PKCE_CLIENT_ID
    client_secret: str = PKCE_CLIENT_SECRET
    # pixiv-protocol.md §1.2: the iOS app identity pixivpy sends today.
    user_agent: str = "PixivIOSApp/7.13.3 (iOS 14.6; iPhone13,2)"
    app_os: str = "ios"
    app_os_version: str = "14.6"
    app_version: str = "7.13.3"
    filter: str = "for_ios"

    def __post_init__(self) -> None:
        set_field(self, "api_url", _origin(self.api_url))
        set_field(self, "oauth_url", _origin(self.oauth_url))
        if self.image_url is not None:
            set_field(self, "image_url", _origin(self.image_url))

    @classmethod
    def at(cls, url: str, **changes: Any) -> Self:
        """Every pixiv host served from one origin (an emulator): API, token endpoint, images."""
        return cls(api_url=url, oauth_url=url, image_url=url, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **changes: Any) -> Self:
        """The real pixiv, unless ``KEMOPIX_PIXIV_URL`` or the per-host variables say otherwise.

        ``KEMOPIX_PIXIV_URL`` points every host at one origin; ``KEMOPIX_PIXIV_API_URL``,
        ``KEMOPIX_PIXIV_OAUTH_URL`` and ``KEMOPIX_PIXIV_IMAGE_URL`` override one host each. When
        only the API URL is given, the token endpoint is assumed to live there too (an emulator
        serves both; sending pixiv credentials to one host and tokens to another makes no sense).
        """
        env = os.environ if environ is None else environ
        both = env.get(ENV_URL) or None
        api = env.get(ENV_API_URL) or both
        oauth = env.get(ENV_OAUTH_URL) or both or api
        image = env.get(ENV_IMAGE_URL) or both
        hosts: dict[str, Any] = {}
        if api:
            hosts["api_url"] = api
        if oauth:
            hosts["oauth_url"] = oauth
        if image:
            hosts["image_url"] = image
        return cls(**{**hosts, **changes})

    def replace(self, **changes: Any) -> Self:
        return replace(self, **changes)

    # -- URLs ---------------------------------------------------------------------------------
    def api(self, path: str) -> str:
        """Absolute URL of an API path (``/v1/illust/detail``), or of a ``next_url``.

        A ``next_url`` is re-based onto ``api_url`` whatever host it names, so that paging through
        an emulator stays there and the bearer token never follows a foreign host.
        """
        if "://" in path:
            _, path, query = url_parts(path)
            path += f"?{query}" if query else ""
        if not path.startswith("/"):
            path = "/" + path
        return self.api_url + path

    @property
    def token_url(self) -> str:
        return self.oauth_url + "/auth/token"

    def image(self, url: str) -> str:
        """``url`` with a pximg origin swapped for ``image_url`` (unchanged when unset)."""
        if self.image_url is None or not url:
            return url
        host, path, query = url_parts(url)
        if host not in IMAGE_HOSTS:
            return url
        return self.image_url + path + (f"?{query}" if query else "")

    def is_api_host(self, url: str) -> bool:
        """Whether ``url`` points at the API or token host (where the bearer token may go)."""
        origin = _origin_of(url)
        return origin in (_origin_of(self.api_url), _origin_of(self.oauth_url))

    # -- headers ------------------------------------------------------------------------------
    def headers(self, access_token: str | None = None) -> dict[str, str]:
        """Headers of an App API call (Authorization when a token is given)."""
        headers = {
            "User-Agent": self.user_agent,
            "App-OS": self.app_os,
            "App-OS-Version": self.app_os_version,
            "App-Version": self.app_version,
        }
        if self.language:
            headers["Accept-Language"] = self.language
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        return headers


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def client_time_headers(now: datetime | None = None) -> dict[str, str]:
    """X-Client-Time and X-Client-Hash for the token endpoint (pixiv-protocol.md §1.2)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    digest = hashlib.md5((stamp + CLIENT_HASH_SALT).encode(), usedforsecurity=False)
    return {"X-Client-Time": stamp, "X-Client-Hash": digest.hexdigest()}


def api_path(path: str, params: Mapping[str, Any]) -> str:
    """``path?query`` with None values dropped, booleans as ``true``/``false``, lists repeated.

    This is the cursor of the paged endpoints: the first page's address, then each ``next_url``.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, bool):
                pairs.append((key, "true" if item else "false"))
            else:
                pairs.append((key, str(getattr(item, "value", item))))
    query = urlencode(pairs)
    return f"{path}?{query}" if query else path
