"""pixiv adapter: users, works, novels, bookmarks, rankings and searches as listings.

Built on ``kemopix.sites.pixiv`` (flows, models, token handling). Pages are read as raw JSON so
the sidecar keeps every field pixiv sent; the typed models are made from the same data. A
work's page URLs carry the date of its last edit (pixiv-protocol.md §5), so they are part of
the signature that tells an edited work from an archived one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar

import msgspec
from msgspec import Struct

from ..._io.paging import aiter_pages
from ..._protocol.errors import DecodeError, InvalidInput, Unauthorized
from ..._protocol.flow import Flow
from ..._protocol.paging import Page
from ...sites.pixiv import IMAGE_REFERER, NotAuthenticated, PixivAuth, PixivSite
from ...sites.pixiv import models as m
from ...sites.pixiv.auth import get
from ...sites.pixiv.illust import (
    illust_comments_query,
    illust_ranking_query,
    search_illust_query,
    ugoira_metadata,
)
from ...sites.pixiv.novel import novel_series_query, novel_text, search_novel_query
from ...sites.pixiv.site import api_path, url_parts
from ...sites.pixiv.user import (
    user_bookmarks_illust_query,
    user_bookmarks_novel_query,
    user_illusts_query,
    user_novels_query,
)
from ..model import Creator, Listed, Post, PostKey, RemoteFile, UgoiraFrames, signature_of
from ..network import Network
from ..targets import Target

__all__ = ["PixivSource"]

T = TypeVar("T")
Raw = dict[str, Any]

_IMAGE_HEADERS = (("Referer", IMAGE_REFERER),)

_SCOPES = {
    "all": ("illust", "manga", "novel"),
    "artworks": ("illust", "manga"),
    "illust": ("illust",),
    "manga": ("manga",),
    "novel": ("novel",),
}


class _Paged(Struct):
    """A ``next_url`` listing of works (``items`` is ``illusts`` or ``novels``)."""

    source: PixivSource
    key: str
    label: str
    cursor: str
    items: str
    incremental: bool = True
    creator: Creator | None = None

    def _step(self, cursor: str) -> Flow[Page[Raw, str]]:
        answer = yield from get(self.source.site, self.source.auth, cursor, Raw)
        items = answer.get(self.items) or []
        return Page([i for i in items if isinstance(i, dict)], answer.get("next_url") or None)

    async def pages(self) -> AsyncIterator[list[Listed]]:
        novel, listed = self.items == "novels", self.source.listed
        async for page in aiter_pages(self.source.run, self._step, self.cursor):
            yield [listed(raw, novel=novel) for raw in page.items]

    async def complete(self, entry: Listed) -> Post | None:
        return await self.source.post(entry)


class _Single(Struct):
    """One work or novel by id."""

    source: PixivSource
    key: str
    label: str
    work_id: str
    novel: bool
    incremental: bool = False
    creator: Creator | None = None

    async def pages(self) -> AsyncIterator[list[Listed]]:
        path = "/v2/novel/detail" if self.novel else "/v1/illust/detail"
        param = "novel_id" if self.novel else "illust_id"
        answer = await self.source.run(
            get(self.source.site, self.source.auth, api_path(path, {param: self.work_id}), Raw)
        )
        raw = answer.get("novel" if self.novel else "illust")
        if not isinstance(raw, dict):
            raise DecodeError(f"pixiv answered no work for id {self.work_id}")
        yield [self.source.listed(raw, novel=self.novel)]

    async def complete(self, entry: Listed) -> Post | None:
        return await self.source.post(entry)


class PixivSource:
    """Turns pixiv targets into listings and works into posts."""

    family = "pixiv"

    def __init__(
        self, network: Network, site: PixivSite, auth: PixivAuth, *, comments: bool = False
    ) -> None:
        self.network = network
        self.site = site
        self.auth = auth
        self.comments = comments

    async def run(self, flow: Flow[T]) -> T:
        try:
            return await self.network.run(self.family, flow)
        except NotAuthenticated as exc:
            raise Unauthorized(
                f"{exc} (run `kemopix login pixiv`, or set a refresh token in the config)",
                status=401,
            ) from exc

    # -- targets ------------------------------------------------------------------------------
    async def listings(self, target: Target) -> AsyncIterator[_Paged | _Single]:
        if self.auth.refresh_token is None and self.auth.access_token is None:
            raise Unauthorized(
                "pixiv needs a login: run `kemopix login pixiv` first", status=401, url=target.url
            )
        kind, ident = target.kind, target.id
        if kind == "user":
            for scope in _SCOPES.get(target.option("scope", "all"), ("illust",)):
                novel = scope == "novel"
                user = int(ident)
                cursor = user_novels_query(user) if novel else user_illusts_query(user, scope)
                yield _Paged(
                    self,
                    f"pixiv/user/{ident}/{scope}",
                    f"pixiv user {ident} ({scope})",
                    cursor,
                    "novels" if novel else "illusts",
                )
        elif kind in ("illust", "novel"):
            label = f"pixiv {kind} {ident}"
            yield _Single(self, f"pixiv/{kind}/{ident}", label, ident, kind == "novel")
        elif kind == "novel_series":
            yield _Paged(
                self,
                f"pixiv/novel_series/{ident}",
                f"pixiv novel series {ident}",
                novel_series_query(int(ident)),
                "novels",
                incremental=False,
            )
        elif kind == "bookmarks":
            yield self._bookmarks(target)
        elif kind == "ranking":
            mode, day = target.option("mode", "day"), target.option("date") or None
            yield _Paged(
                self,
                f"pixiv/ranking/{mode}/{day or 'latest'}",
                f"pixiv ranking {mode} {day or ''}".strip(),
                illust_ranking_query(mode, day),
                "illusts",
                incremental=False,
            )
        elif kind == "search":
            yield self._search(target)
        else:
            raise InvalidInput(f"pixiv cannot archive {kind!r} targets")

    def _bookmarks(self, target: Target) -> _Paged:
        user, restrict = int(target.id), target.option("restrict", "public")
        tag = target.option("tag") or None
        novel = target.option("type") == "novel"
        query = user_bookmarks_novel_query if novel else user_bookmarks_illust_query
        what = "novels" if novel else "illusts"
        return _Paged(
            self,
            f"pixiv/bookmarks/{user}/{what}/{restrict}/{tag or ''}",
            f"pixiv bookmarks of {user} ({what}, {restrict})",
            query(user, restrict, tag=tag),
            what,
        )

    def _search(self, target: Target) -> _Paged:
        novel = target.option("type") == "novel"
        word, sort = target.id, target.option("sort", "date_desc")
        how = target.option("search_target", "partial_match_for_tags")
        query = search_novel_query if novel else search_illust_query
        return _Paged(
            self,
            f"pixiv/search/{'novel' if novel else 'illust'}/{how}/{word}",
            f"pixiv search {word!r}",
            query(word, how, sort),
            "novels" if novel else "illusts",
            incremental=sort == "date_desc",
        )

    # -- works ------------------------------------------------------------------------------
    def listed(self, raw: Raw, *, novel: bool) -> Listed:
        try:
            if novel:
                work: m.Novel | m.Illust = msgspec.convert(raw, m.Novel)
                assert isinstance(work, m.Novel)
                cover = url_parts(work.image_urls.large or "")[1]
                sig = signature_of(work.title, work.caption, work.text_length, cover)
                key = PostKey("pixiv", "novel", str(work.id))
            else:
                work = msgspec.convert(raw, m.Illust)
                assert isinstance(work, m.Illust)
                # Paths only: the date path marks an edit; the host may be a mirror or emulator.
                pages = [url_parts(url)[1] for url in work.page_urls()]
                sig = signature_of(work.title, work.caption, work.type, pages)
                key = PostKey("pixiv", "illust", str(work.id))
        except msgspec.ValidationError as exc:
            raise DecodeError(f"unexpected pixiv work: {exc}") from exc
        return Listed(key, sig, work.create_date, (work, raw))

    async def post(self, entry: Listed) -> Post:
        work, raw = entry.data
        user = work.user
        creator = Creator("pixiv", "pixiv", str(user.id), user.name)
        tags = [t.name for t in work.tags]
        tags += [t.translated_name for t in work.tags if t.translated_name]
        post = Post(
            key=entry.key,
            creator=creator,
            title=work.title,
            published=work.create_date,
            files=[],
            raw=raw,  # the listing's, no one else's (an ugoira's gets its own copy below)
            tags=tags,
            content=work.caption,
            signature=entry.signature,
        )
        if isinstance(work, m.Novel):
            post.kind = "novel"
            post.text = (await self.run(novel_text(self.site, self.auth, work.id))).text
            if work.image_urls.large:
                post.files.append(self._file(work.image_urls.large, 1, "cover"))
        else:
            post.kind = work.type
            post.files = [self._file(url, i, "page") for i, url in enumerate(work.page_urls(), 1)]
            if work.type == "ugoira":
                post.files.append(await self._ugoira(work, post))
            if self.comments:
                answer = await self.run(
                    get(self.site, self.auth, illust_comments_query(work.id), Raw)
                )
                post.comments = answer.get("comments") or None
        return post

    def _file(self, url: str, index: int, kind: str) -> RemoteFile:
        name = url.split("?", 1)[0].rsplit("/", 1)[-1]
        return RemoteFile(
            url=self.site.image(url),
            name=name,
            index=index,
            kind="cover" if kind == "cover" else "page",
            headers=_IMAGE_HEADERS,
        )

    async def _ugoira(self, work: m.Illust, post: Post) -> RemoteFile:
        meta = (await self.run(ugoira_metadata(self.site, self.auth, work.id))).ugoira_metadata
        post.raw = {**post.raw, "ugoira_metadata": msgspec.to_builtins(meta)}
        url = meta.zip_url(original=True)  # the 1920x1080 zip, as gallery-dl takes
        return RemoteFile(
            url=self.site.image(url),
            name=url.split("?", 1)[0].rsplit("/", 1)[-1],
            index=len(post.files) + 1,
            kind="ugoira",
            headers=_IMAGE_HEADERS,
            ugoira=UgoiraFrames(tuple(frame.file for frame in meta.frames), tuple(meta.delays)),
        )
