"""Top-level helpers: log in, register, look up creators, posts and files (surface §6)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from pathlib import Path

from kemopix._io import aiter_items
from kemopix.sites.kemono import accounts as account_flows
from kemopix.sites.kemono import creators as creator_flows
from kemopix.sites.kemono import posts as post_flows
from kemopix.sites.kemono.paging import POSTS_STEP

from .. import _lookups
from .._aux.aux_classes import FileHashResult
from .._dates import aware
from .._raw import listed, paged
from ..accounts.base import _login_answer
from ..accounts.kinds.admin import Admin
from ..accounts.kinds.cons import Consumer
from ..accounts.kinds.mod import Moderator
from ..accounts.role import AccountRole
from ..creators.creators import Creator
from ..exceptions.general import PyKemoValueError
from ..posts.posts import Post, PostID
from ..services.services_enum import ServiceLike, service_value
from ..sessions.session import KemoSession
from ..tags.tag import TagLike, tag_names

__all__ = [
    "MAX_POSTS_LIMIT",
    "AccountType",
    "get_api_version",
    "get_creator",
    "get_creator_links",
    "get_creators",
    "get_file_hash",
    "get_post",
    "get_posts",
    "iter_posts",
    "login",
    "random_post",
    "register",
    "save_posts",
]

MAX_POSTS_LIMIT = 1000
AccountType = Consumer | Moderator | Admin
_KINDS: dict[AccountRole, type[Consumer] | type[Moderator] | type[Admin]] = {
    AccountRole.CONSUMER: Consumer,
    AccountRole.MODERATOR: Moderator,
    AccountRole.ADMINISTRATOR: Admin,
}


async def login(user: str, password: str) -> AccountType:
    """Log in on the default site; the account kind follows the role the site reports."""
    ks = KemoSession()
    try:
        return await _logged_in(ks, user, password)
    except BaseException:
        await ks.close()
        raise


async def register(user: str, password: str) -> AccountType:
    """Register on the default site and log in. New accounts are consumers, except that the
    site makes its very first account an administrator, hence ``AccountType``."""
    ks = KemoSession()
    try:
        await ks.run(account_flows.register(ks.site, user, password))
        return await _logged_in(ks, user, password)
    except BaseException:
        await ks.close()
        raise


async def _logged_in(ks: KemoSession, user: str, password: str) -> AccountType:
    """Log in through ``ks``; the account kind follows the role the site reports."""
    wire, raw = await _login_answer(ks, user, password)
    return _KINDS[AccountRole.parse(wire.role)]._from_wire(wire, ks, raw)


async def get_creator(
    service: ServiceLike, creator_id: str, kemo_session: KemoSession
) -> Creator | None:
    """A creator's profile; None when not found."""
    return await Creator.from_profile(service, creator_id, kemo_session)


async def get_creators(kemo_session: KemoSession) -> list[Creator]:
    """Every creator of the site (the real list is huge: cache it)."""
    wires, body = await kemo_session.run_raw(creator_flows.creators(kemo_session.site))
    return [Creator.from_wire(w, kemo_session)._keep_raw(r, n) for w, r, n in listed(wires, body)]


async def get_creator_links(
    service: ServiceLike, creator_id: str, kemo_session: KemoSession
) -> list[Creator]:
    """The accounts linked to a creator."""
    flow = creator_flows.linked_creators(kemo_session.site, service_value(service), creator_id)
    wires, body = await kemo_session.run_raw(flow)
    return [Creator.from_wire(w, kemo_session)._keep_raw(r, n) for w, r, n in listed(wires, body)]


async def iter_posts(
    query: str | None = None,
    *,
    tags: Iterable[TagLike] | None = None,
    kemo_session: KemoSession,
) -> AsyncIterator[Post]:
    """Recent posts (optionally searched or tagged), fetched 50 at a time as consumed."""
    step = post_flows.recent_posts(kemo_session.site, query=query, tags=tag_names(tags))
    async for wire, raw, at in aiter_items(kemo_session.run, paged(step, "posts"), 0):
        yield Post.from_wire(wire, kemo_session)._keep_raw(raw, at)


async def get_posts(
    query: str | None = None,
    *,
    max_posts: int = POSTS_STEP,
    before: datetime | None = None,
    since: datetime | None = None,
    tags: Iterable[TagLike] | None = None,
    kemo_session: KemoSession,
) -> list[Post]:
    """Up to ``max_posts`` (1..1000) recent posts with their creators' profiles attached."""
    if not 0 < max_posts <= MAX_POSTS_LIMIT:
        raise PyKemoValueError(f"max_posts must be in 1..{MAX_POSTS_LIMIT}, got {max_posts}")
    out: list[Post] = []
    async for post in iter_posts(query, tags=tags, kemo_session=kemo_session):
        if before is not None and not post.before(before):
            continue
        if since is not None and not (post.published and post.published >= aware(since)):
            continue
        out.append(post)
        if len(out) >= max_posts:
            break
    await _attach_creators(out, kemo_session)
    return out


async def _attach_creators(posts: list[Post], ks: KemoSession) -> None:
    keys = sorted({(service_value(p.service), p.creator_id) for p in posts if p.creator_id})
    found = await asyncio.gather(*(Creator.from_profile(s, c, ks) for s, c in keys))
    by_key = dict(zip(keys, found, strict=True))
    for post in posts:
        post.creator = by_key.get((service_value(post.service), post.creator_id))


async def get_post(service: ServiceLike, post_id: PostID, kemo_session: KemoSession) -> Post | None:
    """A post by service and id; None when not found."""
    return await _lookups.find_post(kemo_session, service, post_id)


async def random_post(session: KemoSession) -> Post | None:
    """A random post, or None when the site has none."""
    return await _lookups.random_post(session)


async def get_file_hash(hash: str, kemo_session: KemoSession) -> FileHashResult:
    """Where the file with this SHA-256 appears; ``FileHashResult.empty()`` when unknown."""
    wire, body = await kemo_session.run_raw(post_flows.search_hash(kemo_session.site, hash))
    if wire is None:
        return FileHashResult.empty()
    return FileHashResult.from_wire(wire, kemo_session)._keep_raw(body.at())


async def get_api_version(kemo_session: KemoSession) -> str:
    """The server's version string (a git commit hash)."""
    return await kemo_session.run(post_flows.app_version(kemo_session.site))


async def save_posts(
    path: str | Path, posts: Iterable[Post], *, force: bool = True, verbose: bool = True
) -> bool:
    """Save every post into its own title folder under ``path``; True when all succeeded."""
    root = str(path).rstrip("/\\") + "/*"
    results = await asyncio.gather(*(p.save(root, force=force) for p in posts))
    return all(results)
