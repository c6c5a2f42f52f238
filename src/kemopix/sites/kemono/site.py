"""Where a Kemono-compatible site lives and which API generation it speaks.

kemono-protocol.md §1, §9, §10: the API root is ``{origin}/api/v1``; kemono.cr and coomer.st
answer the 2025 shapes and want ``Accept: text/css`` (DDoS-Guard); pawchive answers the older
shapes (full posts from ``/user/{id}``, plain post objects) and plain JSON accept headers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from msgspec import Struct
from msgspec.structs import replace

from ..._protocol.http import Request
from ..._protocol.secrets import Secret
from ..._structs import set_field, value_without

__all__ = [
    "DEFAULT_URL",
    "ENV_URL",
    "PRESETS",
    "Flavour",
    "KemonoSite",
    "seg",
]

Flavour = Literal["kemono", "coomer", "pawchive"]

DEFAULT_URL = "https://kemono.cr"
ENV_URL = "KEMOPIX_KEMONO_URL"


# What quote() leaves as it is, whatever its ``safe``: most IDs and names need no quoting.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _quoted(text: str, safe: str = "/") -> str:
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe=safe)


def seg(value: object) -> str:
    """One URL path segment, percent-encoded (IDs are slugs, numbers or UUIDs)."""
    return _quoted(str(value), safe="")


def _origin(url: str) -> str:
    url = url.strip().rstrip("/")
    if url.endswith("/api/v1"):  # accept an API root as well as a site origin
        url = url[: -len("/api/v1")]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def guess_flavour(url: str) -> Flavour:
    """The API generation a host most likely speaks, from its name (kemono unless told)."""
    host = urlsplit(url).netloc.lower()
    if "pawchive" in host:
        return "pawchive"
    if "coomer" in host:
        return "coomer"
    return "kemono"


def _data_path(path: str) -> str:
    """``/xx/yy/<sha>.ext`` from a file path as posts give it (with or without ``/data``)."""
    path = path.replace("\\", "/")  # boosty paths may use backslashes (§6.9)
    if not path.startswith("/"):
        path = "/" + path
    return path[len("/data") :] if path.startswith("/data/") else path


class KemonoSite(Struct, frozen=True):
    """One Kemono-compatible site: its origin, API generation and file host.

    ``files_url`` is the origin serving ``/data/...`` (None: the site itself, which redirects
    to its file servers, kemono-protocol.md §2.9). ``images_url`` serves thumbnails, icons and
    banners (``img.kemono.cr``; None: the site itself).
    """

    url: str = DEFAULT_URL
    flavour: Flavour = "kemono"
    files_url: str | None = None
    # For clients without a cookie jar (the downloader): sent as ``Cookie: session=...``.
    session_cookie: Secret | None = None  # not compared
    images_url: str | None = None

    def __post_init__(self) -> None:
        set_field(self, "url", _origin(self.url))
        if self.files_url is not None:
            set_field(self, "files_url", _origin(self.files_url))
        if self.images_url is not None:
            set_field(self, "images_url", _origin(self.images_url))
        if self.flavour not in ("kemono", "coomer", "pawchive"):
            raise ValueError(f"unknown Kemono flavour {self.flavour!r}")

    __eq__, __hash__ = value_without("session_cookie")

    @classmethod
    def from_url(cls, url: str, flavour: Flavour | None = None) -> KemonoSite:
        """A site at ``url``; the flavour is guessed from the host name unless given."""
        known = PRESETS.get(urlsplit(_origin(url)).netloc.lower())
        if known is not None and flavour in (None, known.flavour):
            return known
        return cls(url, flavour or guess_flavour(url))

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> KemonoSite:
        """kemono.cr, or the site named by ``KEMOPIX_KEMONO_URL`` (an emulator, a mirror)."""
        env = os.environ if environ is None else environ
        override = env.get(ENV_URL, "").strip()
        return cls.from_url(override) if override else PRESETS["kemono.cr"]

    def with_session_cookie(self, value: str | None) -> KemonoSite:
        """A copy that sends ``value`` as the ``session`` cookie on API requests."""
        return replace(self, session_cookie=Secret(value) if value else None)

    @property
    def legacy(self) -> bool:
        """True for the older (pawchive) API generation, kemono-protocol.md §10."""
        return self.flavour == "pawchive"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def api(self, path: str, version: str = "v1") -> str:
        """The absolute URL of an API path such as ``/posts``."""
        return f"{self.url}/api/{version}{path}"

    def headers(self) -> dict[str, str]:
        # kemono-protocol.md §6.1: DDoS-Guard refuses JSON accept headers on kemono/coomer.
        headers = {"Accept": "application/json" if self.legacy else "text/css"}
        if self.session_cookie:
            headers["Cookie"] = f"session={self.session_cookie.reveal()}"
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        version: str = "v1",
        retry: bool | None = None,
    ) -> Request:
        """An API request with the site's headers."""
        return Request.build(
            method,
            self.api(path, version),
            params=params,
            json=json,
            headers=self.headers(),
            retry=retry,
        )

    def file_url(self, path: str, name: str | None = None, server: str | None = None) -> str:
        """Where a file's bytes are: ``{server or files host}/data{path}[?f=name]`` (§2.9)."""
        query = f"?f={_quoted(name)}" if name else ""
        host = (server or self.files_url or self.url).rstrip("/")
        return f"{host}/data{_data_path(path)}{query}"

    def thumbnail_url(self, path: str) -> str:
        """Where the thumbnail of the image file at ``path`` is: a smaller re-encoding whose
        bytes do not hash to the path (§2.9); it still loads where the originals do not."""
        return f"{(self.images_url or self.url).rstrip('/')}/thumbnail/data{_data_path(path)}"

    def page_url(self, *parts: object) -> str:
        """A page of the website (not the API), e.g. ``page_url(service, "user", id)``."""
        return "/".join([self.url, *(seg(p) for p in parts)])


PRESETS: dict[str, KemonoSite] = {
    "kemono.cr": KemonoSite("https://kemono.cr", "kemono", images_url="https://img.kemono.cr"),
    "coomer.st": KemonoSite("https://coomer.st", "coomer", images_url="https://img.coomer.st"),
    "pawchive.st": KemonoSite("https://pawchive.st", "pawchive", "https://file.pawchive.st"),
}
