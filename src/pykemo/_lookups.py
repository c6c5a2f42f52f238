"""Multi-step lookups shared by ``pykemo.general`` and the account kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kemopix.sites.kemono import creators as creator_flows
from kemopix.sites.kemono import posts as post_flows

from ._raw import post_of
from .creators.creators import Creator
from .posts.posts import Post
from .services.services_enum import ServiceLike, ServiceType, service_value

if TYPE_CHECKING:
    from .sessions.session import KemoSession

__all__ = ["find_post", "post_at", "random_creator", "random_post"]


async def post_at(ks: KemoSession, service: str, creator_id: str, post_id: str) -> Post | None:
    """The post with its creator's profile attached (a stub creator if the profile is gone)."""
    detail, body = await ks.run_raw(post_flows.post(ks.site, service, creator_id, post_id))
    if detail is None:
        return None
    creator = await Creator.from_profile(service, creator_id, ks)
    if creator is None:
        stub = Creator(id=creator_id, service=ServiceType.parse(service))
        creator = stub.set_underlying_session(ks)
    return Post.from_detail(detail, ks, creator=creator)._keep_raw(body.at(post_of))


async def find_post(ks: KemoSession, service: ServiceLike, post_id: str) -> Post | None:
    """A post known only by service and id (``/{service}/post/{id}`` names its creator)."""
    name = service_value(service)
    ref = await ks.run(post_flows.post_ref(ks.site, name, str(post_id)))
    creator_id = None if ref is None else ref.creator_id()
    if creator_id is None:
        return None
    return await post_at(ks, name, creator_id, str(post_id))


async def random_post(ks: KemoSession) -> Post | None:
    """A random post, or None when the site has none."""
    ref = await ks.run(post_flows.random_post(ks.site))
    if ref is None or ref.creator_id() is None:
        return None
    post_id = ref.post_id if ref.post_id is not None else ref.id
    if post_id is None:
        return None
    return await post_at(ks, ref.service, str(ref.creator_id()), str(post_id))


async def random_creator(ks: KemoSession) -> Creator | None:
    """A random creator, or None when the site has none."""
    ref = await ks.run(creator_flows.random_creator(ks.site))
    if ref is None:
        return None
    return await Creator.from_profile(ref.service, str(ref.artist_id), ks)
