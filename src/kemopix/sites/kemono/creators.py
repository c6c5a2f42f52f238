"""Creator endpoints (kemono-protocol.md §2.1) as flows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._protocol.flow import Flow
from ..._protocol.paging import Page
from ._common import answer_pages, check_query, fetch_list, fetch_optional, offset_pages
from .answers import Answer, Undecodable
from .errors import InsufficientRole, api_error
from .models import Announcement, CreatorProfile, Fancard, Post, RandomCreator, TagCount
from .paging import POSTS_STEP
from .site import KemonoSite, seg

__all__ = [
    "announcements",
    "creator_post_answers",
    "creator_posts",
    "creators",
    "delete_links",
    "fancards",
    "linked_creators",
    "profile",
    "random_creator",
    "request_link",
    "tags",
]


def _user(service: str, creator_id: str) -> str:
    return f"/{seg(service)}/user/{seg(creator_id)}"


def profile(site: KemonoSite, service: str, creator_id: str) -> Flow[CreatorProfile | None]:
    """A creator's profile; None when there is no such creator."""
    request = site.request("GET", f"{_user(service, creator_id)}/profile")
    return fetch_optional(request, CreatorProfile)


def creators(site: KemonoSite) -> Flow[list[CreatorProfile]]:
    """Every creator of the site (huge on the real site: cache it, §6.2)."""
    return fetch_list(site.request("GET", "/creators"), CreatorProfile)


def creator_posts(
    site: KemonoSite,
    service: str,
    creator_id: str,
    *,
    query: str | None = None,
    tags: Iterable[str] = (),
) -> Callable[[int], Flow[Page[Post, int]]]:
    """Page step over a creator's posts, newest first (``/posts`` or pawchive's ``/user/{id}``)."""
    return offset_pages(
        _posts_request(site, service, creator_id, query, tags), Post, POSTS_STEP, "posts"
    )


def _posts_request(
    site: KemonoSite, service: str, creator_id: str, query: str | None, tags: Iterable[str]
) -> Callable[[int], Any]:
    path = _user(service, creator_id) + ("" if site.legacy else "/posts")
    tag_list = list(tags)

    def build(offset: int) -> Any:
        params: dict[str, Any] = {
            "o": offset or None,
            "q": check_query(query),
            "tag": tag_list or None,
        }
        return site.request("GET", path, params=params)

    return build


def creator_post_answers(
    site: KemonoSite,
    service: str,
    creator_id: str,
    *,
    query: str | None = None,
    tags: Iterable[str] = (),
) -> Callable[[int], Flow[Page[Answer[Post] | Undecodable, int]]]:
    """:func:`creator_posts` with each post's JSON; an item of the wrong shape is an
    ``Undecodable`` (reported by the caller), not the end of the page."""
    return answer_pages(
        _posts_request(site, service, creator_id, query, tags),
        Post,
        POSTS_STEP,
        "listing entry",
        "posts",
    )


def linked_creators(site: KemonoSite, service: str, creator_id: str) -> Flow[list[CreatorProfile]]:
    """The other accounts linked to a creator."""
    return fetch_list(site.request("GET", f"{_user(service, creator_id)}/links"), CreatorProfile)


def delete_links(site: KemonoSite, service: str, creator_id: str) -> Flow[bool]:
    """Administrator: unlink a creator from its linked accounts (204; 404 = not an admin)."""
    response = yield site.request("DELETE", f"{_user(service, creator_id)}/links")
    if response.status == 404:
        raise api_error(response, InsufficientRole, "administrator role required")
    if response.status >= 400:
        raise api_error(response)
    return True


def request_link(
    site: KemonoSite,
    service: str,
    creator_id: str,
    target_service: str,
    target_id: str,
    reason: str = "",
) -> Flow[None]:
    """Ask moderators to link two creators (signed in; 401 when not).

    assumption (§2.1 leaves the body UNCONFIRMED): ``{"service", "creator_id", "reason"}``
    naming the other creator, as the emulator accepts.
    """
    body = {"service": target_service, "creator_id": target_id, "reason": reason}
    request = site.request(
        "POST", f"{_user(service, creator_id)}/links/new", json=body, retry=False
    )
    response = yield request
    if response.status >= 400:
        raise api_error(response)


def tags(site: KemonoSite, service: str, creator_id: str) -> Flow[list[TagCount]]:
    """The tags of a creator's posts with their counts."""
    return fetch_list(site.request("GET", f"{_user(service, creator_id)}/tags"), TagCount, "tags")


def announcements(site: KemonoSite, service: str, creator_id: str) -> Flow[list[Announcement]]:
    """A creator's announcements (a 404 means none)."""
    request = site.request("GET", f"{_user(service, creator_id)}/announcements")
    return fetch_list(request, Announcement, missing_is_empty=True)


def fancards(site: KemonoSite, creator_id: str) -> Flow[list[Fancard]]:
    """A Fanbox creator's fancards (a 404 means none)."""
    request = site.request("GET", f"{_user('fanbox', creator_id)}/fancards")
    return fetch_list(request, Fancard, missing_is_empty=True)


def random_creator(site: KemonoSite) -> Flow[RandomCreator | None]:
    """Where a random creator is; None when the site has none."""
    return fetch_optional(site.request("GET", "/artists/random"), RandomCreator)
