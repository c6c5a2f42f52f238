"""``Post``: one post (or revision) with its files, comments, revisions and neighbours."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from kemopix._protocol.raw import RawBody, RawRef
from kemopix.files import safe_join
from kemopix.sites.kemono import KemonoSite
from kemopix.sites.kemono import accounts as account_flows
from kemopix.sites.kemono import posts as post_flows
from kemopix.sites.kemono.models import MediaRef, PostDetail, Props
from kemopix.sites.kemono.models import Post as WirePost

from .._attach import Attached
from .._dates import is_before, is_since, to_date
from .._raw import file_at, listed, post_of
from ..files.files import File
from ..services.services_enum import ServiceLike, ServiceType, service_value

if TYPE_CHECKING:
    from ..comments.comments import Comment
    from ..creators.creators import Creator
    from ..sessions.session import KemoSession
    from .post_revisions import PostRevision

__all__ = [
    "ELEMENTS_PER_PAGE",
    "CommentsList",
    "Post",
    "PostID",
    "PostMedia",
    "PostRevsList",
    "PostsList",
]

PostID = str
ELEMENTS_PER_PAGE = 50
_UNSAFE_TITLE = re.compile(r'[\\/:*?"<>|]')


def _envelope_revisions(props: Props) -> tuple[list[WirePost], RawBody]:
    """The revisions a detail envelope lists, and their JSON as received."""
    return post_flows.revision_props(props), RawBody.decoded(post_flows.raw_revisions(props))


#: One entry of a post detail's ``previews``, ``videos`` or ``attachments`` (kemono.cr):
#: ``server`` is the data host serving ``path``; embeds have ``url``/``subject``/``description``.
PostMedia = MediaRef


@dataclass(kw_only=True, eq=False, repr=False)
class Post(Attached):
    """A post. Summaries (creator listings on kemono.cr) have no ``content``/``embed``."""

    id: PostID
    creator_id: str
    service: ServiceLike
    title: str = ""
    content: str = ""
    substring: str | None = None
    embed: dict[str, Any] = field(default_factory=dict)
    shared_file: bool = False
    added: datetime | None = None
    published: datetime | None = None
    edited: datetime | None = None
    file: File | None = None
    attachments: list[File] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    creator: Creator | None = None
    is_revision: bool = False
    prev_id: PostID | None = None
    next_id: PostID | None = None
    revision_id: int | None = None
    #: kemono.cr: always null so far; kept as sent.
    incomplete_rewards: Any = None
    #: The detail envelope's entries (kemono.cr; empty for listings and pawchive).
    previews: list[PostMedia] = field(default_factory=list)
    videos: list[PostMedia] = field(default_factory=list)
    downloads: list[PostMedia] = field(default_factory=list)
    #: Pawchive's import state: where the post came from, whether the originals are held.
    origin: str | None = None
    preview_state: str | None = None
    has_full: bool | None = None
    preview_attempts: int | None = None
    detail_fetched: bool | None = None

    @classmethod
    def from_wire(
        cls,
        wire: WirePost,
        ks: KemoSession | None = None,
        *,
        creator: Creator | None = None,
        is_revision: bool = False,
    ) -> Post:
        """Build a post from its wire model."""
        main = wire.main_file()
        post = cls(
            id=str(wire.id),
            creator_id=str(wire.user if wire.user is not None else ""),
            service=ServiceType.parse(wire.service),
            title=wire.title or "",
            content=wire.content or "",
            substring=wire.substring,
            embed=dict(wire.embed or {}),
            shared_file=bool(wire.shared_file),
            added=to_date(wire.added),
            published=to_date(wire.published),
            edited=to_date(wire.edited),
            file=None if main is None else File.from_ref(main, ks),
            attachments=[f for f in (File.from_ref(r, ks) for r in wire.files()) if f],
            tags=wire.tag_list(),
            creator=creator,
            is_revision=is_revision or wire.revision_id is not None,
            prev_id=None if wire.prev is None else str(wire.prev),
            next_id=None if wire.next is None else str(wire.next),
            revision_id=wire.revision_id,
            incomplete_rewards=wire.incomplete_rewards,
            origin=wire.origin,
            preview_state=wire.preview_state,
            has_full=wire.has_full,
            preview_attempts=wire.preview_attempts,
            detail_fetched=wire.detail_fetched,
        )
        return post.set_underlying_session(ks)

    @classmethod
    def from_detail(
        cls, detail: PostDetail, ks: KemoSession | None = None, *, creator: Creator | None = None
    ) -> Post:
        """Build a post from a detail answer, keeping the envelope's media and revisions.

        When the answer is kemono.cr's envelope, :meth:`revisions` reads the revisions it
        lists instead of asking ``/revisions`` (which may 404).
        """
        post = cls.from_wire(detail.post, ks, creator=creator)
        post.previews = list(detail.previews)
        post.videos = list(detail.videos)
        post.downloads = list(detail.attachments)
        if detail.props is not None and not post.is_revision:
            post._keep_revisions(*_envelope_revisions(detail.props), ks)
        return post

    def _keep_raw(self, ref: RawRef | None, at: int | None = None) -> Self:
        """The post's JSON, and each of its files' entry in it."""
        super()._keep_raw(ref, at)
        if ref is not None:
            own = ref if at is None else ref.child(at)
            for file in [self.file, *self.attachments]:
                if file is not None:
                    file._keep_raw(own.child(file_at(file.path)))
        return self

    def _keep_revisions(self, wires: list[WirePost], body: RawBody, ks: KemoSession | None) -> None:
        from .post_revisions import PostRevision

        self._cached()["revisions"] = [
            PostRevision.from_wire(w, ks, creator=self.creator)._keep_raw(r, n)
            for w, r, n in listed(wires, body)
        ]

    def __repr__(self) -> str:
        return (
            f"Post(id={self.id!r}, creator_id={self.creator_id!r}, "
            f"service={service_value(self.service)!r}, title={self.title!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Post):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[str, str, str, int | None]:
        return (service_value(self.service), self.creator_id, self.id, self.revision_id)

    def _ids(self) -> tuple[str, str, str]:
        return service_value(self.service), self.creator_id, self.id

    @property
    def url(self) -> str:
        service, creator_id, post_id = self._ids()
        return self._site_of().page_url(service, "user", creator_id, "post", post_id)

    def bind_site(self, site: KemonoSite) -> Self:
        """Bind the post, its files and its creator to ``site`` (objects without a session)."""
        for file in self.all_files():
            file.bind_site(site)
        if self.creator is not None:
            self.creator.bind_site(site)
        return super().bind_site(site)

    def before(self, date: datetime) -> bool:
        """Published strictly before ``date``."""
        return is_before(self.published, date)

    def since(self, date: datetime) -> bool:
        """Published at or after ``date``."""
        return is_since(self.published, date)

    def sanitized_title(self) -> str:
        """The title without ``\\/:*?"<>|`` and trailing dots (a folder name)."""
        return _UNSAFE_TITLE.sub("", self.title).rstrip(". ") or self.id

    def all_files(self) -> list[File]:
        """The main file then the attachments, without repeats (§6.9: the same hash twice)."""
        out: list[File] = []
        for f in ([self.file] if self.file else []) + self.attachments:
            if f not in out:
                out.append(f)
        return out

    # -- related data ---------------------------------------------------------------------------
    async def fetch_comments(self) -> list[Comment]:
        """The comments, fetched now (no cache)."""
        from ..comments.comments import Comment

        ks = self._ks()
        wires, body = await ks.run_raw(post_flows.comments(ks.site, *self._ids()))
        found = [Comment.from_wire(w, self, ks)._keep_raw(r, n) for w, r, n in listed(wires, body)]
        self._cached()["comments"] = found
        return found

    async def comments(self) -> list[Comment]:
        """The comments (cached after the first call)."""
        cached: list[Comment] | None = self._cached().get("comments")
        return cached if cached is not None else await self.fetch_comments()

    async def flagged(self) -> bool:
        """Whether the post is flagged for re-import (always False for revisions)."""
        if self.is_revision:
            return False
        ks = self._ks()
        return await ks.run(post_flows.is_flagged(ks.site, *self._ids()))

    async def flag(self) -> bool:
        """Flag the post for re-import; ``PostAlreadyFlagged`` if it already is."""
        ks = self._ks()
        return await ks.run(post_flows.flag_post(ks.site, *self._ids()))

    async def revisions(self) -> list[PostRevision]:
        """Earlier versions of the post (cached; empty for revisions).

        On kemono.cr they come from the post's detail envelope (``props.revisions``); on
        pawchive from ``/revisions``.
        """

        if self.is_revision:
            return []
        cached: list[PostRevision] | None = self._cached().get("revisions")
        if cached is None:
            ks = self._ks()
            detail = (
                None if ks.site.legacy else await ks.run(post_flows.post(ks.site, *self._ids()))
            )
            if detail is not None and detail.props is not None:
                wires, body = _envelope_revisions(detail.props)  # the envelope lists them
            else:
                wires, body = await ks.run_raw(post_flows.revisions(ks.site, *self._ids()))
            self._keep_revisions(wires, body, ks)
            cached = self._cached()["revisions"]
        return cached

    async def _neighbour(self, post_id: str | None) -> Post | None:
        if post_id is None:
            return None
        ks = self._ks()
        service, creator_id, _ = self._ids()
        detail, body = await ks.run_raw(post_flows.post(ks.site, service, creator_id, post_id))
        if detail is None:
            return None
        return Post.from_detail(detail, ks, creator=self.creator)._keep_raw(body.at(post_of))

    async def prev_post(self) -> Post | None:
        """The newer neighbour (``prev``), or None."""
        return await self._neighbour(self.prev_id)

    async def next_post(self) -> Post | None:
        """The older neighbour (``next``), or None."""
        return await self._neighbour(self.next_id)

    async def favorite(self) -> None:
        """Add the post to the logged-in account's favorites."""
        ks = self._ks()
        service, creator_id, post_id = self._ids()
        await ks.run(account_flows.set_favorite(ks.site, "post", service, creator_id, post_id))

    async def unfavorite(self) -> None:
        """Remove the post from the logged-in account's favorites."""
        ks = self._ks()
        service, creator_id, post_id = self._ids()
        flow = account_flows.set_favorite(ks.site, "post", service, creator_id, post_id, add=False)
        await ks.run(flow)

    async def save(
        self,
        path: str | Path | None = None,
        *,
        force: bool = True,
        verbose: bool = True,
        pos: int = 0,
        verbose_children: bool | None = None,
    ) -> bool:
        """Download the main file and attachments into a folder; True when all succeeded.

        ``None`` → a folder named by the title in the working directory; a path ending in
        ``/*`` → that title folder inside it; otherwise the folder itself. Failures raise.
        """
        folder = self.folder(path)
        files = self.all_files()
        if not files:
            return True
        results = await asyncio.gather(*(f.save(folder, force=force) for f in files))
        return all(results)

    def folder(self, path: str | Path | None = None) -> Path:
        """The folder :meth:`save` writes into."""
        text = "" if path is None else str(path)
        if text == "" or text.endswith(("/*", "\\*")):
            root = Path(text[:-2] or ".") if text else Path.cwd()
            return safe_join(root, self.sanitized_title())
        return Path(text)


PostsList = list[Post]
CommentsList = list["Comment"]
PostRevsList = list["PostRevision"]
