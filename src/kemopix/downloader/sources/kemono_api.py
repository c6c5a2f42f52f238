"""The few Kemono API calls the downloader makes, as flows returning raw JSON.

Stop-gap until ``kemopix.sites.kemono`` covers them: URLs and headers only, no models (the
adapter keeps the raw JSON for the sidecars anyway). Facts: kemono-protocol.md §1-3, §6, §10.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..._protocol.errors import DecodeError
from ..._protocol.flow import Flow
from ..._protocol.http import Request
from ..._protocol.status import check_status

__all__ = ["DISCORD_STEP", "POSTS_STEP", "KemonoApi"]

POSTS_STEP = 50  # kemono-protocol.md §1: post lists page by 50
DISCORD_STEP = 150  # Discord channels page by 150


@dataclass(frozen=True, slots=True)
class KemonoApi:
    """One Kemono-compatible site: its origin, its API generation and the session cookie.

    ``legacy`` is the 2026 Pawchive generation (§10): full posts from ``/user/{id}``, plain post
    objects, ``Accept: application/json``; otherwise the 2025 Kemono shapes (summaries from
    ``/posts``, detail envelopes, ``Accept: text/css`` for DDoS-Guard, §6.1).
    """

    origin: str
    legacy: bool = False
    session: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json" if self.legacy else "text/css"}
        if self.session:
            headers["Cookie"] = f"session={self.session}"
        return headers

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Flow[Any]:
        request = Request.build(
            "GET", f"{self.origin}/api{path}", params=params, headers=self.headers()
        )
        response = yield request
        check_status(response)
        return response.json()

    def _maybe(self, path: str) -> Flow[Any]:
        """GET that answers None on 404 (comments and revisions 404 when there are none)."""
        request = Request.build("GET", f"{self.origin}/api{path}", headers=self.headers())
        response = yield request
        if response.status == 404:
            return None
        check_status(response)
        return response.json()

    # -- creators and posts -------------------------------------------------------------------
    def profile(self, service: str, creator: str) -> Flow[Any]:
        return self._get(f"/v1/{_seg(service)}/user/{_seg(creator)}/profile")

    def posts(self, service: str, creator: str, offset: int, query: str | None) -> Flow[list[Any]]:
        path = f"/v1/{_seg(service)}/user/{_seg(creator)}"
        if not self.legacy:
            path += "/posts"
        params: dict[str, Any] = {"o": offset or None, "q": query}
        return _list((yield from self._get(path, params)), "posts")

    def post(self, service: str, creator: str, post_id: str) -> Flow[Any]:
        return self._get(f"/v1/{_seg(service)}/user/{_seg(creator)}/post/{_seg(post_id)}")

    def post_owner(self, service: str, post_id: str) -> Flow[Any]:
        return self._get(f"/v1/{_seg(service)}/post/{_seg(post_id)}")

    def comments(self, service: str, creator: str, post_id: str) -> Flow[Any]:
        return self._maybe(
            f"/v1/{_seg(service)}/user/{_seg(creator)}/post/{_seg(post_id)}/comments"
        )

    # -- Discord and favorites ----------------------------------------------------------------
    def discord_server(self, server: str) -> Flow[Any]:
        return self._maybe(f"/v1/discord/server/{_seg(server)}")

    def discord_lookup(self, server: str) -> Flow[list[Any]]:
        return _list((yield from self._get(f"/v1/discord/channel/lookup/{_seg(server)}")), "")

    def discord_channel(self, channel: str, offset: int) -> Flow[list[Any]]:
        data = yield from self._get(f"/v1/discord/channel/{_seg(channel)}", {"o": offset or None})
        return _list(data, "")

    def favorites(self, kind: str) -> Flow[list[Any]]:
        return _list((yield from self._get("/v1/account/favorites", {"type": kind})), "")

    # -- files --------------------------------------------------------------------------------
    def file_url(self, path: str, name: str, server: str | None = None) -> str:
        """Where a file's bytes are: ``{server or origin}/data{path}?f={name}`` (§2.9)."""
        path = path.replace("\\", "/")  # boosty paths may use backslashes (§6.9)
        if not path.startswith("/"):
            path = "/" + path
        if path.startswith("/data/"):
            path = path[5:]
        host = (server or self.origin).rstrip("/")
        query = f"?f={quote(name)}" if name else ""
        return f"{host}/data{path}{query}"


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def _list(data: Any, key: str) -> list[Any]:
    if isinstance(data, dict) and key and isinstance(data.get(key), list):
        return list(data[key])
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return list(data["results"])
    if not isinstance(data, list):
        raise DecodeError(f"expected a list, got {type(data).__name__}")
    return data
