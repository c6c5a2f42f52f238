"""Kemono-compatible adapter (kemono, coomer, pawchive): creators, posts, Discord, favorites.

``kemopix.sites.kemono`` is the only code that knows the wire format: this adapter consumes
its typed flows, which hand back each model with its JSON as received (kept for the sidecars).
A listing entry's signature is built from what both a listing page and a post detail hold
(title, publication date, file paths, and the edit date where the site lists full posts), so
the same post gives the same signature whichever way it was reached.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Coroutine, Mapping
from functools import partial
from typing import Any, TypeVar

import msgspec
from msgspec import Struct

from ..._io.paging import aiter_pages
from ..._protocol.errors import InvalidInput, NotFound, Unauthorized
from ..._protocol.flow import Flow
from ...sites.kemono import KemonoSite, accounts, creators, discord, posts
from ...sites.kemono.accounts import login_flow, session_cookie
from ...sites.kemono.answers import Answer, Undecodable
from ...sites.kemono.dates import parse_date
from ...sites.kemono.models import DiscordMessage, FileRef, PostDetail
from ...sites.kemono.models import Post as WirePost
from ..model import Creator, Listed, Post, PostKey, RemoteFile, signature_of
from ..network import Network
from ..targets import KEMONO_SITES, Origins, Target

__all__ = [
    "KemonoSource",
    "kemono_site",
    "login_flow",
    "session_cookie",
]

T = TypeVar("T")

_HASH = re.compile(r"([0-9a-f]{64})")
LEGACY_SITES = frozenset({"pawchive"})  # kemono-protocol.md §10: the older API shapes
# The image host re-encodes these (kemono-protocol.md §2.9); other files have no thumbnail.
THUMBNAIL_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})


def kemono_site(site: str, origins: Origins) -> KemonoSite:
    """The ``KemonoSite`` of ``site`` (kemono, coomer, pawchive): its preset, or the origin
    given for it (an emulator or mirror), speaking that site's API generation."""
    origin = origins.extra.get(site)
    if origin:
        files = origins.files.get(site)
        return KemonoSite(origin, site, files)  # type: ignore[arg-type]
    return KemonoSite.from_url(f"https://{KEMONO_SITES[site][0]}", site)  # type: ignore[arg-type]


class _Entry(Struct, frozen=True):
    """What a listing entry carries: the post, its JSON, and its detail when already fetched
    (a post URL's listing is its detail: it is not asked for twice)."""

    post: WirePost
    raw: Any
    detail: Answer[PostDetail] | None = None


def _refs(post: WirePost, main: FileRef | None) -> list[FileRef]:
    """The post's files: ``main`` (its own file, ``post.main_file()``) first."""
    return ([main] if main is not None else []) + post.files()


def _is_image(path: str) -> bool:
    return "." in path and path.rsplit(".", 1)[-1].lower() in THUMBNAIL_EXTENSIONS


def _unavailable(ref: FileRef) -> str | None:
    """Why pawchive says it holds no original of this file (§10), or None."""
    if ref.preview_only:
        return "the site holds only a preview of this file (preview_only)"
    if ref.deferred:
        return "the site has not fetched this file yet (deferred)"
    return None


def _message_post(message: DiscordMessage, channel: str) -> WirePost:
    """A Discord message as a post of the channel (its attachments are its files)."""
    return WirePost(
        id=message.id,
        service="discord",
        title=f"#{channel}",
        content=message.content,
        published=message.published,
        added=message.added,
        edited=message.edited,
        attachments=list(message.attachments),
    )


class KemonoSource:
    """Turns Kemono-compatible targets into listings and posts into files."""

    family = "kemono"

    def __init__(
        self,
        network: Network,
        origins: Origins,
        *,
        comments: bool = True,
        sessions: Mapping[str, str] | None = None,
    ) -> None:
        self.network = network
        self.origins = origins
        self.comments = comments
        self.sessions = dict(sessions or {})
        self._sites: dict[str, KemonoSite] = {}
        self._creators: dict[tuple[str, str, str], Creator] = {}

    def api(self, site: str) -> KemonoSite:
        """The site, sending its session cookie when logged in (API requests only)."""
        known = self._sites.get(site)
        if known is None:
            plain = kemono_site(site, self.origins)
            known = self._sites[site] = plain.with_session_cookie(self.sessions.get(site))
        return known

    def run(self, site: str, flow: Flow[T]) -> Coroutine[Any, Any, T]:
        """Run an API flow of ``site`` (awaitable: the network's run, without a coroutine
        of its own around it)."""
        return self.network.run(self.family, flow)

    async def creator(self, site: str, service: str, creator_id: str) -> Creator:
        key = (site, service, creator_id)
        known = self._creators.get(key)
        if known is None:
            profile = await self.run(site, creators.profile(self.api(site), service, creator_id))
            if profile is None:
                raise NotFound(f"no {service} creator {creator_id} on {site}", status=404)
            known = self._creators[key] = Creator(site, service, creator_id, profile.name or "")
        return known

    # -- targets ------------------------------------------------------------------------------
    async def listings(self, target: Target) -> AsyncIterator[Any]:
        site = target.site
        if target.kind == "creator":
            creator = await self.creator(site, target.service, target.id)
            yield _CreatorPosts(self, site, creator, target.option("query") or None)
        elif target.kind == "post":
            yield _OnePost(self, site, target.service, target.id, target.post_id)
        elif target.kind == "discord":
            async for channel in self._channels(site, target):
                yield channel
        elif target.kind == "favorites":
            async for listing in self._favorites(site, target.option("type", "artist")):
                yield listing
        else:
            raise InvalidInput(f"{site} cannot archive {target.kind!r} targets")

    async def _channels(self, site: str, target: Target) -> AsyncIterator[_Channel]:
        name, channels = await self.run(site, discord.server_channels(self.api(site), target.id))
        wanted = target.option("channel")
        creator = Creator(site, "discord", target.id, name)
        found = False
        for channel in channels:
            if wanted and str(channel.id) != wanted:
                continue
            found = True
            yield _Channel(self, site, creator, str(channel.id), channel.name or "")
        if wanted and not found:
            raise NotFound(f"no channel {wanted} in Discord server {target.id}", status=404)

    async def _favorites(self, site: str, kind: str) -> AsyncIterator[Any]:
        if not self.sessions.get(site):
            raise Unauthorized(
                f"{site} favorites need a login: run `kemopix login kemono --site {site}`",
                status=401,
            )
        api = self.api(site)
        if kind == "post":
            yield _FavoritePosts(
                self, site, await self.run(site, accounts.favorite_post_answers(api))
            )
            return
        for item in await self.run(site, accounts.favorite_creators(api)):
            if item.service and str(item.id):
                service, ident = item.service, str(item.id)
                creator = Creator(site, service, ident, item.name or "")
                self._creators[(site, service, ident)] = creator
                yield _CreatorPosts(self, site, creator, None)

    # -- posts --------------------------------------------------------------------------------
    def listed(
        self,
        site: str,
        item: Answer[WirePost] | Undecodable,
        detail: Answer[PostDetail] | None = None,
    ) -> Listed:
        """A listing entry; one the site sent with wrong types carries its ``problem``."""
        if isinstance(item, Undecodable):
            data = item.raw
            ident = str(data.get("id"))[:40] if isinstance(data, dict) else "?"
            return Listed(PostKey(site, "?", ident), "", None, data, problem=f"{site} {item.error}")
        post = item.value
        post_id, service = str(post.id), post.service
        if not post_id or not service:
            problem = f"a {site} post without id or service: {str(item.raw)[:120]}"
            return Listed(PostKey(site, "?", post_id or "?"), "", None, item.raw, problem=problem)
        edited = post.edited if site in LEGACY_SITES else None
        paths = [ref.path for ref in _refs(post, post.main_file())]
        sig = signature_of(post.title or "", post.published, paths, edited)
        entry = _Entry(post, item.raw, detail)
        return Listed(PostKey(site, service, post_id), sig, parse_date(post.published), entry)

    async def post(self, site: str, entry: Listed, creator: Creator | None) -> Post:
        """The whole post: the detail when the listing held a summary, and the comments."""
        data: _Entry = entry.data
        api = self.api(site)
        service, post_id = entry.key.service, entry.key.id
        user = str(data.post.user or (creator.id if creator else ""))
        detail = data.detail
        summary = not (api.legacy and isinstance(data.raw, dict) and "content" in data.raw)
        if detail is None and summary:
            detail = await self.run(site, posts.post_answer(api, service, user, post_id))
        if creator is None or creator.id != user:
            creator = await self.creator(site, service, user)
        comments = None
        if self.comments and service != "discord":
            answer = await self.run(site, posts.comments_answer(api, service, user, post_id))
            comments = None if answer is None else answer.raw
        if detail is None:
            return self.build(site, entry, data.post, data.raw, None, creator, comments)
        return self.build(
            site, entry, detail.value.post, detail.raw, detail.value, creator, comments
        )

    def build(
        self,
        site: str,
        entry: Listed,
        post: WirePost,
        raw: Any,
        detail: PostDetail | None,
        creator: Creator,
        comments: Any,
    ) -> Post:
        api = self.api(site)
        # The 2025 envelope names each file's server (attachments, previews, videos): going
        # there directly saves the site's /data redirect (kemono-protocol.md §2.9).
        servers: dict[str, str] = {}
        if detail is not None:
            for media in (*detail.attachments, *detail.previews, *detail.videos):
                if media.server and media.path:
                    servers[media.path] = media.server.rstrip("/")
        files: list[RemoteFile] = []
        seen: set[str] = set()
        main = post.main_file()
        # A second lookup, as before: a main file sent as a JSON string (revisions) decodes to
        # another object each time, so it is kept as an "attachment" (its paths stay the same).
        for ref in _refs(post, post.main_file()):
            path = str(ref.path).replace("\\", "/")
            if path in seen:
                continue  # the same file as main file and attachment (§6.9)
            seen.add(path)
            match = _HASH.search(path)
            name = ref.name or path.rsplit("/", 1)[-1]
            files.append(
                RemoteFile(
                    url=api.file_url(path, name, servers.get(str(ref.path))),
                    name=name,
                    index=len(files) + 1,
                    kind="file" if not files and ref is main else "attachment",
                    sha256=match.group(1) if match else None,
                    thumbnail=api.thumbnail_url(path) if _is_image(path) else None,
                    unavailable=_unavailable(ref),
                )
            )
        listing = entry.data
        published = (
            entry.published  # the listing's date, read already
            if isinstance(listing, _Entry) and post.published == listing.post.published
            else parse_date(post.published)
        )
        return Post(
            key=entry.key,
            creator=creator,
            title=post.title or "",
            published=published,
            files=files,
            raw=raw,
            added=parse_date(post.added),
            edited=parse_date(post.edited),
            tags=post.tag_list(),
            content=post.content or "",
            kind="message" if entry.key.service == "discord" else "post",
            comments=comments,
            revisions=posts.raw_revisions(detail.props if detail is not None else None),
            signature=entry.signature,
        )


class _CreatorPosts(Struct):
    source: KemonoSource
    site: str
    creator: Creator
    query: str | None
    incremental: bool = True

    @property
    def key(self) -> str:
        q = f"?q={self.query}" if self.query else ""
        return f"{self.site}/{self.creator.service}/{self.creator.id}{q}"

    @property
    def label(self) -> str:
        return f"{self.site} {self.creator.service} {self.creator.label}"

    async def pages(self) -> AsyncIterator[list[Listed]]:
        api, creator, site = self.source.api(self.site), self.creator, self.site
        step = creators.creator_post_answers(api, creator.service, creator.id, query=self.query)
        async for page in aiter_pages(partial(self.source.run, site), step, 0):
            yield [self.source.listed(site, item) for item in page.items]

    def complete(self, entry: Listed) -> Coroutine[Any, Any, Post | None]:
        return self.source.post(self.site, entry, self.creator)  # awaited by the engine


class _OnePost(Struct):
    source: KemonoSource
    site: str
    service: str
    creator_id: str
    post_id: str
    incremental: bool = False
    creator: Creator | None = None

    @property
    def key(self) -> str:
        return f"{self.site}/{self.service}/post/{self.post_id}"

    @property
    def label(self) -> str:
        return f"{self.site} {self.service} post {self.post_id}"

    async def pages(self) -> AsyncIterator[list[Listed]]:
        api = self.source.api(self.site)
        user = self.creator_id
        if not user:
            ref = await self.source.run(self.site, posts.post_ref(api, self.service, self.post_id))
            user = (ref.creator_id() if ref is not None else None) or ""
            if not user:
                raise NotFound(f"no {self.service} post {self.post_id}", status=404)
        detail = await self.source.run(
            self.site, posts.post_answer(api, self.service, user, self.post_id)
        )
        if detail is None:
            raise NotFound(f"no {self.service} post {self.post_id}", status=404)
        post = msgspec.structs.replace(
            detail.value.post,
            user=detail.value.post.user or user,
            service=detail.value.post.service or self.service,
        )
        # The detail goes along with the entry: the post is not asked for a second time.
        yield [self.source.listed(self.site, Answer(post, detail.raw), detail=detail)]

    def complete(self, entry: Listed) -> Coroutine[Any, Any, Post | None]:
        return self.source.post(self.site, entry, None)  # awaited by the engine


class _Channel(Struct):
    source: KemonoSource
    site: str
    creator: Creator
    channel: str
    name: str
    incremental: bool = True

    @property
    def key(self) -> str:
        return f"{self.site}/discord/{self.creator.id}/{self.channel}"

    @property
    def label(self) -> str:
        return f"{self.site} discord {self.creator.label} #{self.name or self.channel}"

    async def pages(self) -> AsyncIterator[list[Listed]]:
        step = discord.channel_message_answers(self.source.api(self.site), self.channel)
        async for page in aiter_pages(partial(self.source.run, self.site), step, 0):
            yield [self._entry(item) for item in page.items]

    def _entry(self, item: Answer[DiscordMessage] | Undecodable) -> Listed:
        if isinstance(item, Undecodable):
            return self.source.listed(self.site, item)
        message = _message_post(item.value, self.name)
        return self.source.listed(self.site, Answer(message, item.raw))

    async def complete(self, entry: Listed) -> Post | None:
        data: _Entry = entry.data
        return self.source.build(self.site, entry, data.post, data.raw, None, self.creator, None)


class _FavoritePosts(Struct):
    source: KemonoSource
    site: str
    items: list[Answer[WirePost] | Undecodable]
    incremental: bool = False
    creator: Creator | None = None

    @property
    def key(self) -> str:
        return f"{self.site}/favorites/posts"

    @property
    def label(self) -> str:
        return f"{self.site} favorite posts"

    async def pages(self) -> AsyncIterator[list[Listed]]:
        yield [self.source.listed(self.site, item) for item in self.items]

    def complete(self, entry: Listed) -> Coroutine[Any, Any, Post | None]:
        return self.source.post(self.site, entry, None)  # awaited by the engine
