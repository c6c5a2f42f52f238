"""``Creator``: a creator's profile and everything fetched from it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Self, overload

from kemopix._io import aiter_items
from kemopix.sites.kemono import accounts as account_flows
from kemopix.sites.kemono import creators as creator_flows
from kemopix.sites.kemono import discord as discord_flows
from kemopix.sites.kemono import posts as post_flows
from kemopix.sites.kemono.models import CreatorProfile

from .._attach import Attached
from .._dates import aware, to_date
from .._raw import listed, paged, post_of
from ..announcements.announcements import Announcement
from ..discord.channels import DiscordChannel
from ..exceptions.general import PyKemoValueError
from ..exceptions.services import NotDiscord, NotFanbox
from ..fanbox.fancards import Fancard
from ..posts.posts import Post, PostID
from ..services.services_enum import ServiceLike, ServiceType, service_value
from ..tags.tag import Tag, TagLike, TagsDict, TagsResult, tag_names

if TYPE_CHECKING:
    from ..sessions.session import KemoSession

__all__ = [
    "AnnouncementsList",
    "Creator",
    "CreatorDict",
    "CreatorID",
    "CreatorsList",
    "FancardsList",
]

CreatorDict = dict[str, object]
CreatorID = str


@dataclass(kw_only=True, eq=False, repr=False)
class Creator(Attached):
    """A creator. ``id`` is the service's own id (numeric string or slug)."""

    id: str
    name: str | None = None
    service: ServiceLike
    indexed: datetime | None = None
    updated: datetime | None = None
    public_id: str | None = None
    favorited: int | None = None
    relation_id: int | None = None
    #: Profile counters (kemono.cr profiles; None where the answer has none).
    post_count: int | None = None
    dm_count: int | None = None
    share_count: int | None = None
    chat_count: int | None = None
    has_chats: bool | None = None
    #: Pawchive's import fields (profiles and, for ``ever_imported``, the creators list).
    ever_imported: bool | None = None
    kemono_favorited: int | None = None
    last_import_favs: int | None = None
    import_size_cap_gb: float | None = None

    @classmethod
    def from_wire(cls, wire: CreatorProfile, ks: KemoSession | None = None) -> Creator:
        creator = cls(
            id=str(wire.id),
            name=wire.name,
            service=ServiceType.parse(wire.service),
            indexed=to_date(wire.indexed),
            updated=to_date(wire.updated),
            public_id=wire.public_id,
            favorited=wire.favorited,
            relation_id=wire.relation_id,
            post_count=wire.post_count,
            dm_count=wire.dm_count,
            share_count=wire.share_count,
            chat_count=wire.chat_count,
            has_chats=wire.has_chats,
            ever_imported=wire.ever_imported,
            kemono_favorited=wire.kemono_favorited,
            last_import_favs=wire.last_import_favs,
            import_size_cap_gb=wire.import_size_cap_gb,
        )
        return creator.set_underlying_session(ks)

    @classmethod
    async def from_profile(
        cls, service: ServiceLike, creator_id: str, kemo_session: KemoSession
    ) -> Creator | None:
        """The creator's profile; None when the site has no such creator."""
        flow = creator_flows.profile(kemo_session.site, service_value(service), str(creator_id))
        wire, body = await kemo_session.run_raw(flow)
        return None if wire is None else cls.from_wire(wire, kemo_session)._keep_raw(body.at())

    @classmethod
    async def random(cls, session: KemoSession) -> Creator | None:
        """A random creator; None when the site has none."""
        ref = await session.run(creator_flows.random_creator(session.site))
        if ref is None:
            return None
        return await cls.from_profile(ref.service, str(ref.artist_id), session)

    def __repr__(self) -> str:
        return f"Creator(id={self.id!r}, name={self.name!r}, service={self._service()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Creator):
            return NotImplemented
        return (self._service(), self.id) == (other._service(), other.id)

    def __hash__(self) -> int:
        return hash((self._service(), self.id))

    def _service(self) -> str:
        return service_value(self.service)

    def site_url(self, *parts: object) -> str:
        return self._site_of().page_url(*parts)

    @property
    def url(self) -> str:
        return self.site_url(self._service(), "user", self.id)

    # -- posts ----------------------------------------------------------------------------------
    async def iter_posts(
        self, *, query: str | None = None, tags: Iterable[TagLike] | None = None
    ) -> AsyncIterator[Post]:
        """Every post, newest first, fetched 50 at a time as the loop consumes them."""
        ks = self._ks()
        step = creator_flows.creator_posts(
            ks.site, self._service(), self.id, query=query, tags=tag_names(tags)
        )
        async for wire, raw, at in aiter_items(ks.run, paged(step, "posts"), 0):
            yield Post.from_wire(wire, ks, creator=self)._keep_raw(raw, at)

    async def posts(
        self,
        *,
        query: str | None = None,
        max_posts: int | None = 50,
        before: datetime | None = None,
        since: datetime | None = None,
    ) -> list[Post]:
        """Up to ``max_posts`` posts (None: all), newest first, within the date window.

        ``before`` is strict, ``since`` inclusive; paging stops at the first post older than
        ``since`` (the listing is ordered by publication date, newest first).
        """
        if max_posts is not None and max_posts <= 0:
            raise PyKemoValueError(f"max_posts must be positive, got {max_posts}")
        out: list[Post] = []
        async for post in self.iter_posts(query=query):
            if since is not None and post.published and post.published < aware(since):
                break
            if before is not None and not post.before(before):
                continue
            out.append(post)
            if max_posts is not None and len(out) >= max_posts:
                break
        return out

    async def get_post(self, post_id: PostID) -> Post | None:
        """One post with its full content; None when it does not exist."""
        ks = self._ks()
        flow = post_flows.post(ks.site, self._service(), self.id, str(post_id))
        detail, body = await ks.run_raw(flow)
        if detail is None:
            return None
        return Post.from_detail(detail, ks, creator=self)._keep_raw(body.at(post_of))

    # -- other data -----------------------------------------------------------------------------
    async def other_links(self) -> list[Creator]:
        """The creator's linked accounts on other services."""
        ks = self._ks()
        flow = creator_flows.linked_creators(ks.site, self._service(), self.id)
        wires, body = await ks.run_raw(flow)
        return [Creator.from_wire(w, ks)._keep_raw(r, n) for w, r, n in listed(wires, body)]

    @overload
    async def tags(self, *, as_dict: Literal[False] = ...) -> list[Tag]: ...
    @overload
    async def tags(self, *, as_dict: Literal[True]) -> TagsDict: ...
    async def tags(self, *, as_dict: bool = False) -> TagsResult:
        """The tags of the creator's posts with their counts."""
        ks = self._ks()
        raw, body = await ks.run_raw(creator_flows.tags(ks.site, self._service(), self.id))
        return Tag.process_tag_response(raw, as_dict=as_dict, body=body)

    async def announcements(self) -> list[Announcement]:
        """The creator's announcements (cached)."""
        cache = self._cached()
        if "announcements" not in cache:
            ks = self._ks()
            flow = creator_flows.announcements(ks.site, self._service(), self.id)
            wires, body = await ks.run_raw(flow)
            cache["announcements"] = [
                Announcement.from_wire(w, self)._keep_raw(r, n) for w, r, n in listed(wires, body)
            ]
        found: list[Announcement] = cache["announcements"]
        return found

    async def fancards(self) -> list[Fancard]:
        """The fan cards of a Fanbox creator (cached); ``NotFanbox`` for other services."""
        if self._service() != ServiceType.FANBOX:
            raise NotFanbox(self.service)
        cache = self._cached()
        if "fancards" not in cache:
            ks = self._ks()
            wires, body = await ks.run_raw(creator_flows.fancards(ks.site, self.id))
            cache["fancards"] = [
                Fancard.from_wire(w, self, ks)._keep_raw(r, n) for w, r, n in listed(wires, body)
            ]
        found: list[Fancard] = cache["fancards"]
        return found

    async def fetch_channels(self) -> list[DiscordChannel]:
        """The channels of a Discord server, fetched now; ``NotDiscord`` for other services."""
        if self._service() != ServiceType.DISCORD:
            raise NotDiscord(self.service)
        ks = self._ks()
        wires, body = await ks.run_raw(discord_flows.channels(ks.site, self.id))
        channels = [
            DiscordChannel(id=str(w.id), channel_name=w.name, owner=self)
            .set_underlying_session(ks)
            ._keep_raw(r, n)
            for w, r, n in listed(wires, body)
        ]
        self._cached()["channels"] = channels
        return channels

    async def channels(self) -> list[DiscordChannel]:
        """The channels of a Discord server (cached)."""
        cached: list[DiscordChannel] | None = self._cached().get("channels")
        return cached if cached is not None else await self.fetch_channels()

    async def get_channel(self, channel_id: str) -> DiscordChannel | None:
        """One channel of a Discord server, or None."""
        return next((c for c in await self.channels() if c.id == str(channel_id)), None)

    # -- favorites ------------------------------------------------------------------------------
    async def favorite(self) -> None:
        """Add the creator to the logged-in account's favorites."""
        ks = self._ks()
        await ks.run(account_flows.set_favorite(ks.site, "creator", self._service(), self.id))

    async def unfavorite(self) -> None:
        """Remove the creator from the logged-in account's favorites."""
        ks = self._ks()
        flow = account_flows.set_favorite(ks.site, "creator", self._service(), self.id, add=False)
        await ks.run(flow)

    async def request_link(self, other: Creator, reason: str = "") -> None:
        """Ask the moderators to link this creator with ``other`` (needs a logged-in session)."""
        ks = self._ks()
        flow = creator_flows.request_link(
            ks.site, self._service(), self.id, other._service(), other.id, reason
        )
        await ks.run(flow)

    def with_session(self, ks: KemoSession) -> Self:
        """Alias of ``set_underlying_session``."""
        return self.set_underlying_session(ks)


CreatorsList = list[Creator]
AnnouncementsList = list[Announcement]
FancardsList = list[Fancard]
