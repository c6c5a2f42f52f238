"""Post and file endpoints (kemono-protocol.md §2.2, §2.3) as flows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._protocol.errors import DecodeError
from ..._protocol.flow import Flow
from ..._protocol.paging import Page, check_offset, next_offset
from ._common import check_query, fetch_list, fetch_optional, unlist, unwrap
from .answers import Answer, decode
from .errors import AlreadyFlagged, api_error, expect_ok
from .models import Comment, FileSearch, Post, PostDetail, PostRef, Props, TagCount, convert
from .paging import POSTS_STEP
from .site import KemonoSite, seg

__all__ = [
    "app_version",
    "comments",
    "comments_answer",
    "flag_post",
    "is_flagged",
    "post",
    "post_answer",
    "post_ref",
    "post_tags",
    "random_post",
    "raw_revisions",
    "recent_posts",
    "revision_props",
    "revisions",
    "search_hash",
]


def _post_path(service: str, creator_id: str, post_id: str) -> str:
    return f"/{seg(service)}/user/{seg(creator_id)}/post/{seg(post_id)}"


def recent_posts(
    site: KemonoSite, *, query: str | None = None, tags: Iterable[str] = ()
) -> Callable[[int], Flow[Page[Post, int]]]:
    """Page step over ``/posts`` (``{count, true_count, posts}`` or a bare list on pawchive)."""
    tag_list = list(tags)

    def step(offset: int) -> Flow[Page[Post, int]]:
        check_offset(offset, POSTS_STEP)
        params: dict[str, Any] = {
            "q": check_query(query),
            "o": offset or None,
            "tag": tag_list or None,
        }
        items = yield from fetch_list(site.request("GET", "/posts", params=params), Post, "posts")
        return Page(items, next_offset(offset, len(items), POSTS_STEP))

    return step


def post(site: KemonoSite, service: str, creator_id: str, post_id: str) -> Flow[PostDetail | None]:
    """One post with its props; None when it does not exist.

    The 2025 answer is an envelope ``{post, props, ...}``; pawchive sends the post itself and
    older backends a one-element list (§3, §10).
    """
    answer = yield from post_answer(site, service, creator_id, post_id)
    return None if answer is None else answer.value


def post_answer(
    site: KemonoSite, service: str, creator_id: str, post_id: str
) -> Flow[Answer[PostDetail] | None]:
    """:func:`post` with the JSON as received (the envelope, or the plain post)."""
    response = yield site.request("GET", _post_path(service, creator_id, post_id))
    if response.status == 404:
        return None
    expect_ok(response)
    data = response.json()
    if data == []:
        return None
    data = unlist(data)
    what = f"{service} post {post_id}"
    inner = unwrap(data, "post")
    if inner is not data:
        try:
            return decode(data, PostDetail, what, response.url)
        except DecodeError:
            decode(inner, Post, what, response.url)  # an error naming the post's field
            raise
    if not isinstance(data, dict):
        raise DecodeError(f"expected a post, got {type(data).__name__}", url=response.url)
    plain = decode(data, Post, what, response.url)
    return Answer(PostDetail(post=plain.value, props=None), data)


def post_ref(site: KemonoSite, service: str, post_id: str) -> Flow[PostRef | None]:
    """Which creator a post belongs to (``/{service}/post/{id}``); None when unknown."""
    response = yield site.request("GET", f"/{seg(service)}/post/{seg(post_id)}")
    if response.status == 404:
        return None
    expect_ok(response)
    # assumption: some backends answer the full detail envelope here
    data = unwrap(response.json(), "post")
    ref: PostRef = convert(data, PostRef, response.url)
    return ref


def random_post(site: KemonoSite) -> Flow[PostRef | None]:
    """Where a random post is (``{service, artist_id, post_id}``); None when there are none."""
    return fetch_optional(site.request("GET", "/posts/random"), PostRef)


def revisions(site: KemonoSite, service: str, creator_id: str, post_id: str) -> Flow[list[Post]]:
    """A post's earlier versions (a 404 means none, §6.11)."""
    request = site.request("GET", _post_path(service, creator_id, post_id) + "/revisions")
    return fetch_list(request, Post, missing_is_empty=True)


def comments(site: KemonoSite, service: str, creator_id: str, post_id: str) -> Flow[list[Comment]]:
    """A post's comments (a 404 means none, §6.11)."""
    request = site.request("GET", _post_path(service, creator_id, post_id) + "/comments")
    return fetch_list(request, Comment, missing_is_empty=True)


def comments_answer(
    site: KemonoSite, service: str, creator_id: str, post_id: str
) -> Flow[Answer[list[Comment]] | None]:
    """A post's comments with their JSON; None when there are none (404, §6.11)."""
    response = yield site.request("GET", _post_path(service, creator_id, post_id) + "/comments")
    if response.status == 404:
        return None
    expect_ok(response)
    data = response.json()
    value: list[Comment] = convert(data, list[Comment], response.url)
    return Answer(value, data)


def is_flagged(site: KemonoSite, service: str, creator_id: str, post_id: str) -> Flow[bool]:
    """Whether a post is flagged for re-import (200 yes, 404 no)."""
    response = yield site.request("GET", _post_path(service, creator_id, post_id) + "/flag")
    if response.status == 404:
        return False
    expect_ok(response)
    return True


def flag_post(site: KemonoSite, service: str, creator_id: str, post_id: str) -> Flow[bool]:
    """Flag a post for re-import: True when flagged now; 409 raises ``AlreadyFlagged``."""
    request = site.request("POST", _post_path(service, creator_id, post_id) + "/flag", retry=False)
    response = yield request
    if response.status == 409:
        raise api_error(response, AlreadyFlagged, "post already flagged")
    expect_ok(response)
    return True


def post_tags(site: KemonoSite) -> Flow[list[TagCount]]:
    """Every tag of the site with its post count."""
    return fetch_list(site.request("GET", "/posts/tags"), TagCount, "tags")


def search_hash(site: KemonoSite, sha256: str) -> Flow[FileSearch | None]:
    """The file with this SHA-256 and where it appears; None when unknown."""
    return fetch_optional(site.request("GET", f"/search_hash/{seg(sha256)}"), FileSearch)


def app_version(site: KemonoSite) -> Flow[str]:
    """The server's version string (a git commit hash; text, not JSON)."""
    response = expect_ok((yield site.request("GET", "/app_version")))
    return response.text.strip()


def raw_revisions(props: Props | None) -> list[dict[str, Any]]:
    """The revisions of ``props.revisions`` (``[[index, post], ...]``) as the JSON received."""
    if props is None:
        return []
    out: list[dict[str, Any]] = []
    for entry in props.revisions:
        raw = entry[1] if isinstance(entry, list) and len(entry) == 2 else entry
        if isinstance(raw, dict) and raw.get("revision_id") is not None:
            out.append(raw)
    return out


def revision_props(props: Props | None) -> list[Post]:
    """The revisions embedded in a detail's ``props.revisions`` (``[[index, post], ...]``)."""
    return [convert(raw, Post) for raw in raw_revisions(props)]
