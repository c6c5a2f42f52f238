"""Kemono-compatible adapter (kemono, coomer, pawchive): creators, posts, Discord, favorites.

A listing entry's signature is built from what both a listing page and a post detail hold
(title, publication date, file paths, and the edit date where the site lists full posts), so
the same post gives the same signature whichever way it was reached.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..._protocol.errors import DecodeError, InvalidInput, KemopixError, NotFound, Unauthorized
from ..._protocol.flow import Flow
from ...sites.kemono import KemonoSite, raw
from ...sites.kemono.accounts import login
from ...sites.kemono.paging import DISCORD_STEP, POSTS_STEP
from ..model import Creator, Listed, Post, PostKey, RemoteFile, signature_of
from ..network import Network
from ..targets import KEMONO_SITES, Origins, Target

__all__ = [
    "KemonoSource",
    "kemono_site",
    "login_flow",
    "parse_date",
    "session_cookie",
    "with_session",
]

T = TypeVar("T")
Raw = dict[str, Any]

_HASH = re.compile(r"([0-9a-f]{64})")
LEGACY_SITES = frozenset({"pawchive"})  # kemono-protocol.md §10: the older API shapes


def kemono_site(site: str, origins: Origins) -> KemonoSite:
    """The ``KemonoSite`` of ``site`` (kemono, coomer, pawchive): its preset, or the origin
    given for it (an emulator or mirror), speaking that site's API generation."""
    origin = origins.extra.get(site)
    if origin:
        return KemonoSite(origin, site)  # type: ignore[arg-type]
    return KemonoSite.from_url(f"https://{KEMONO_SITES[site][0]}", site)  # type: ignore[arg-type]


def with_session(flow: Flow[T], cookie: str | None) -> Flow[T]:
    """``flow`` with the ``session`` cookie on each request (API requests only, never files)."""
    if not cookie:
        return (yield from flow)
    try:
        request = next(flow)
        while True:
            try:
                response = yield request.with_headers(Cookie=f"session={cookie}")
            except KemopixError as exc:
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def parse_date(value: Any) -> datetime | None:
    """A UTC datetime from Kemono's ISO dates (any precision, no zone) or epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        moment = datetime.fromisoformat(value[:19])  # cut the variable fraction (§6.15)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _text(data: Raw, key: str, where: str, *, ident: bool = False) -> str:
    """``data[key]`` as text: a string (or, for ``ident``, an integer id), absent is ""."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value or ""
    if ident and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise DecodeError(f"{where}: {key!r} is {_kind(value)} {str(value)[:40]}, expected text")


def _check_post(data: Raw, where: str) -> None:
    """Typed checks of the fields a post's folder and files are made from."""
    for key in ("title", "content", "user"):
        _text(data, key, where, ident=key == "user")
    for key in ("published", "added", "edited"):
        value = data.get(key)
        if not (value is None or isinstance(value, (str, int, float))) or value is True:
            raise DecodeError(f"{where}: {key!r} is {_kind(value)}, expected a date")
    tags = data.get("tags")
    if tags is not None and not (
        isinstance(tags, list) and all(isinstance(t, (str, int)) for t in tags)
    ):
        raise DecodeError(f"{where}: 'tags' is {_kind(tags)}, expected a list of text")
    for ref in _refs(data):
        _text(ref, "path", where)
        _text(ref, "name", where)


def _refs(post: Raw) -> list[Raw]:
    refs: list[Raw] = []
    main = post.get("file")
    if isinstance(main, dict) and main.get("path"):
        refs.append(main)
    attachments = post.get("attachments")
    if isinstance(attachments, str):  # some revisions carry them as JSON text (§6.11)
        attachments = []
    if not isinstance(attachments, list):
        attachments = []
    for item in attachments:
        if isinstance(item, dict) and item.get("path"):
            refs.append(item)
    return refs


# The image host re-encodes these (kemono-protocol.md §2.9); other files have no thumbnail.
THUMBNAIL_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})


def _is_image(path: str) -> bool:
    return path.rsplit(".", 1)[-1].lower() in THUMBNAIL_EXTENSIONS if "." in path else False


def _unavailable(ref: Raw) -> str | None:
    """Why pawchive says it holds no original of this file (§10), or None."""
    if ref.get("preview_only"):
        return "the site holds only a preview of this file (preview_only)"
    if ref.get("deferred"):
        return "the site has not fetched this file yet (deferred)"
    return None


def _paths(post: Raw) -> list[str]:
    return [str(ref["path"]) for ref in _refs(post)]


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
        known = self._sites.get(site)
        if known is None:
            known = self._sites[site] = kemono_site(site, self.origins)
        return known

    async def run(self, site: str, flow: Flow[T]) -> T:
        """Run an API flow of ``site`` (with its session cookie when logged in)."""
        return await self.network.run(self.family, with_session(flow, self.sessions.get(site)))

    async def creator(self, site: str, service: str, creator_id: str) -> Creator:
        key = (site, service, creator_id)
        known = self._creators.get(key)
        if known is None:
            try:
                profile = await self.run(site, raw.profile(self.api(site), service, creator_id))
            except NotFound as exc:
                raise NotFound(
                    f"no {service} creator {creator_id} on {site}", status=404, url=exc.url
                ) from exc
            if not isinstance(profile, dict):
                raise DecodeError(f"{site} profile of {service}/{creator_id}: not an object")
            name = _text(profile, "name", f"{site} profile of {service}/{creator_id}")
            known = self._creators[key] = Creator(site, service, creator_id, name)
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
        api = self.api(site)
        server = await self.run(site, raw.discord_server(api, target.id))
        if isinstance(server, dict) and isinstance(server.get("channels"), list):
            channels, name = server["channels"], str(server.get("name") or "")
        else:
            channels, name = await self.run(site, raw.discord_lookup(api, target.id)), ""
        wanted = target.option("channel")
        creator = Creator(site, "discord", target.id, name)
        found = False
        for channel in channels:
            if not isinstance(channel, dict) or (wanted and str(channel.get("id")) != wanted):
                continue
            found = True
            yield _Channel(
                self, site, creator, str(channel.get("id")), str(channel.get("name", ""))
            )
        if wanted and not found:
            raise NotFound(f"no channel {wanted} in Discord server {target.id}", status=404)

    async def _favorites(self, site: str, kind: str) -> AsyncIterator[Any]:
        if not self.sessions.get(site):
            raise Unauthorized(
                f"{site} favorites need a login: run `kemopix login kemono --site {site}`",
                status=401,
            )
        items = await self.run(site, raw.favorites(self.api(site), kind))
        if kind == "post":
            yield _FavoritePosts(self, site, [i for i in items if isinstance(i, dict)])
            return
        for item in items:
            if isinstance(item, dict) and item.get("service") and item.get("id"):
                service, ident = str(item["service"]), str(item["id"])
                creator = Creator(site, service, ident, str(item.get("name") or ""))
                self._creators[(site, service, ident)] = creator
                yield _CreatorPosts(self, site, creator, None)

    # -- posts --------------------------------------------------------------------------------
    def listed(self, site: str, data: Any) -> Listed:
        """A listing entry; one the site sent with wrong types carries its ``problem``."""
        try:
            if not isinstance(data, dict):
                raise DecodeError(f"a {site} listing entry is {_kind(data)}, not a post object")
            where = f"{site} post {str(data.get('id'))[:40]}"
            post_id = _text(data, "id", where, ident=True)
            service = _text(data, "service", where)
            if not post_id or not service:
                raise DecodeError(f"a {site} post without id or service: {str(data)[:120]}")
            _check_post(data, where)
        except DecodeError as exc:
            ident = str(data.get("id"))[:40] if isinstance(data, dict) else "?"
            return Listed(PostKey(site, "?", ident), "", None, data, problem=str(exc))
        edited = data.get("edited") if site in LEGACY_SITES else None
        sig = signature_of(data.get("title") or "", data.get("published"), _paths(data), edited)
        published = parse_date(data.get("published"))
        return Listed(PostKey(site, service, post_id), sig, published, data)

    async def post(self, site: str, entry: Listed, creator: Creator | None) -> Post:
        """The whole post: the detail envelope when the listing held a summary, comments."""
        data: Raw = dict(entry.data)
        api = self.api(site)
        service, post_id = entry.key.service, entry.key.id
        user = str(data.get("user") or (creator.id if creator else ""))
        envelope: Raw = {}
        if not api.legacy or "content" not in data:
            detail = await self.run(site, raw.post(api, service, user, post_id))
            if isinstance(detail, dict) and isinstance(detail.get("post"), dict):
                envelope, data = detail, dict(detail["post"])
            elif isinstance(detail, dict):
                data = detail
        if creator is None or creator.id != user:
            creator = await self.creator(site, service, user)
        comments = None
        if self.comments and service != "discord":
            comments = await self.run(site, raw.post_comments(api, service, user, post_id))
        return self.build(site, entry, data, envelope, creator, comments)

    def build(
        self,
        site: str,
        entry: Listed,
        data: Raw,
        envelope: Raw,
        creator: Creator,
        comments: Any,
    ) -> Post:
        api = self.api(site)
        _check_post(data, f"{site} post {entry.key.id}")
        # The 2025 envelope names each file's server (attachments, previews, videos): going
        # there directly saves the site's /data redirect (kemono-protocol.md §2.9).
        servers = {
            str(item.get("path")): str(item.get("server")).rstrip("/")
            for key in ("attachments", "previews", "videos")
            for item in envelope.get(key) or []
            if isinstance(item, dict) and item.get("server") and item.get("path")
        }
        files: list[RemoteFile] = []
        seen: set[str] = set()
        for ref in _refs(data):
            path = str(ref["path"]).replace("\\", "/")
            if path in seen:
                continue  # the same file as main file and attachment (§6.9)
            seen.add(path)
            match = _HASH.search(path)
            name = str(ref.get("name") or path.rsplit("/", 1)[-1])
            server = servers.get(path)
            url = api.file_url(path, name)
            if server:
                url = server + url[len(api.files_url or api.url) :]
            files.append(
                RemoteFile(
                    url=url,
                    name=name,
                    index=len(files) + 1,
                    kind="file" if not files and ref is data.get("file") else "attachment",
                    sha256=match.group(1) if match else None,
                    thumbnail=api.thumbnail_url(path) if _is_image(path) else None,
                    unavailable=_unavailable(ref),
                )
            )
        revisions = []
        props = envelope.get("props") if isinstance(envelope.get("props"), dict) else {}
        for item in (props or {}).get("revisions") or []:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict):
                if item[1].get("revision_id") is not None:
                    revisions.append(item[1])
        tags = data.get("tags") if isinstance(data.get("tags"), list) else []
        return Post(
            key=entry.key,
            creator=creator,
            title=str(data.get("title") or ""),
            published=parse_date(data.get("published")),
            files=files,
            raw=envelope or data,
            added=parse_date(data.get("added")),
            edited=parse_date(data.get("edited")),
            tags=[str(t) for t in tags or []],
            content=str(data.get("content") or ""),
            kind="message" if entry.key.service == "discord" else "post",
            comments=comments,
            revisions=revisions,
            signature=entry.signature,
        )


@dataclass(slots=True)
class _CreatorPosts:
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

    async def entries(self) -> AsyncIterator[Listed]:
        api, offset = self.source.api(self.site), 0
        creator = self.creator
        while True:
            page = await self.source.run(
                self.site, raw.posts_page(api, creator.service, creator.id, offset, self.query)
            )
            if not isinstance(page, list):
                raise DecodeError(f"{self.label}: the posts page is {_kind(page)}, not a list")
            for item in page:
                yield self.source.listed(self.site, item)
            if len(page) < POSTS_STEP:
                return
            offset += POSTS_STEP

    async def complete(self, entry: Listed) -> Post | None:
        return await self.source.post(self.site, entry, self.creator)


@dataclass(slots=True)
class _OnePost:
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

    async def entries(self) -> AsyncIterator[Listed]:
        api = self.source.api(self.site)
        user = self.creator_id
        if not user:
            owner = await self.source.run(
                self.site, raw.post_owner(api, self.service, self.post_id)
            )
            if isinstance(owner, dict) and isinstance(owner.get("post"), dict):
                owner = owner["post"]
            user = str((owner or {}).get("artist_id") or (owner or {}).get("user") or "")
            if not user:
                raise NotFound(f"no {self.service} post {self.post_id}", status=404)
        detail = await self.source.run(self.site, raw.post(api, self.service, user, self.post_id))
        data = detail.get("post") if isinstance(detail, dict) and "post" in detail else detail
        if not isinstance(data, dict):
            raise DecodeError(f"unexpected answer for post {self.post_id}")
        data = {**data, "user": data.get("user") or user}
        data.setdefault("service", self.service)
        yield self.source.listed(self.site, data)

    async def complete(self, entry: Listed) -> Post | None:
        return await self.source.post(self.site, entry, None)


@dataclass(slots=True)
class _Channel:
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

    async def entries(self) -> AsyncIterator[Listed]:
        api, offset = self.source.api(self.site), 0
        while True:
            page = await self.source.run(self.site, raw.discord_channel(api, self.channel, offset))
            for item in page:
                if isinstance(item, dict):
                    message = {**item, "service": "discord", "title": f"#{self.name}"}
                    yield self.source.listed(self.site, message)
            if len(page) < DISCORD_STEP:
                return
            offset += DISCORD_STEP

    async def complete(self, entry: Listed) -> Post | None:
        return self.source.build(self.site, entry, dict(entry.data), {}, self.creator, None)


@dataclass(slots=True)
class _FavoritePosts:
    source: KemonoSource
    site: str
    items: list[Raw]
    incremental: bool = False
    creator: Creator | None = None

    @property
    def key(self) -> str:
        return f"{self.site}/favorites/posts"

    @property
    def label(self) -> str:
        return f"{self.site} favorite posts"

    async def entries(self) -> AsyncIterator[Listed]:
        for item in self.items:
            yield self.source.listed(self.site, item)

    async def complete(self, entry: Listed) -> Post | None:
        return await self.source.post(self.site, entry, None)


def session_cookie(set_cookie: str | None) -> str | None:
    """The value of ``session`` in a Set-Cookie header (several may be joined by commas)."""
    match = re.search(r"(?:^|[,;]\s*)session=([^;,\s]+)", set_cookie or "")
    return match.group(1) if match else None


def login_flow(site: KemonoSite, username: str, password: str) -> Flow[str]:
    """The site's login flow (``sites.kemono.accounts.login``), keeping the session cookie."""
    inner = login(site, username, password)
    request = next(inner)
    response = yield request
    try:
        inner.send(response)  # raises the typed login errors
    except StopIteration:
        pass
    cookie = session_cookie(response.headers.get("set-cookie"))
    if cookie is None:
        raise Unauthorized(f"{site.host}: the login answer set no session cookie", status=401)
    return cookie
