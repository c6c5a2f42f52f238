"""Raw-JSON flows, for callers that keep the site's own JSON (the downloader's sidecars).

The typed flows (``creators``, ``posts``, ``discord``, ``accounts``) are the normal way in; these
give the same requests with typed errors but leave the body as decoded JSON. They cover the
calls of ``kemopix.downloader.sources.kemono_api`` one for one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._protocol.flow import Flow
from ._common import unwrap_list
from .errors import expect_ok
from .site import KemonoSite, seg

__all__ = [
    "creator_posts_path",
    "discord_channel",
    "discord_lookup",
    "discord_server",
    "favorites",
    "get_json",
    "post",
    "post_comments",
    "post_owner",
    "posts_page",
    "profile",
]


def get_json(
    site: KemonoSite,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    missing_ok: bool = False,
) -> Flow[Any]:
    """GET an API path; its JSON, or None on 404 when ``missing_ok``; else typed errors."""
    response = yield site.request("GET", path, params=params)
    if missing_ok and response.status == 404:
        return None
    return expect_ok(response).json()


def _user(service: str, creator_id: str) -> str:
    return f"/{seg(service)}/user/{seg(creator_id)}"


def creator_posts_path(site: KemonoSite, service: str, creator_id: str) -> str:
    """``/posts`` listing (2025) or the legacy ``/user/{id}`` one (pawchive, §10)."""
    return _user(service, creator_id) + ("" if site.legacy else "/posts")


def profile(site: KemonoSite, service: str, creator_id: str) -> Flow[Any]:
    return get_json(site, f"{_user(service, creator_id)}/profile")


def posts_page(
    site: KemonoSite, service: str, creator_id: str, offset: int, query: str | None = None
) -> Flow[list[Any]]:
    """One page (50) of a creator's posts as raw JSON objects."""
    params = {"o": offset or None, "q": query or None}
    data = yield from get_json(site, creator_posts_path(site, service, creator_id), params)
    return unwrap_list(data, "posts")


def post(site: KemonoSite, service: str, creator_id: str, post_id: str) -> Flow[Any]:
    return get_json(site, f"{_user(service, creator_id)}/post/{seg(post_id)}")


def post_owner(site: KemonoSite, service: str, post_id: str) -> Flow[Any]:
    return get_json(site, f"/{seg(service)}/post/{seg(post_id)}")


def post_comments(site: KemonoSite, service: str, creator_id: str, post_id: str) -> Flow[Any]:
    """Comments, or None when there are none (the site answers 404, §6.11)."""
    path = f"{_user(service, creator_id)}/post/{seg(post_id)}/comments"
    return get_json(site, path, missing_ok=True)


def discord_server(site: KemonoSite, server_id: str) -> Flow[Any]:
    return get_json(site, f"/discord/server/{seg(server_id)}", missing_ok=True)


def discord_lookup(site: KemonoSite, server_id: str) -> Flow[list[Any]]:
    return unwrap_list((yield from get_json(site, f"/discord/channel/lookup/{seg(server_id)}")))


def discord_channel(site: KemonoSite, channel_id: str, offset: int) -> Flow[list[Any]]:
    data = yield from get_json(site, f"/discord/channel/{seg(channel_id)}", {"o": offset or None})
    return unwrap_list(data)


def favorites(site: KemonoSite, kind: str) -> Flow[list[Any]]:
    """``kind`` is ``artist`` or ``post`` (§6.13)."""
    return unwrap_list((yield from get_json(site, "/account/favorites", {"type": kind})))
