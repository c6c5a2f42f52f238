"""A thin blocking facade: the same flows, run with ``SyncRunner`` over requests.

``with KemoClient() as kemo: creator = kemo.get_creator("patreon", "123")``. The objects it
returns are the async API's models, bound to the site but not to a ``KemoSession``: read their
fields and use this client's methods (their own async fetch methods raise ``SessionRequired``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from kemopix._io import RequestsTransport, SyncRunner, iter_items
from kemopix._protocol.config import KEMONO_CONFIG, Config
from kemopix._protocol.flow import Flow
from kemopix._protocol.raw import RawBody, RawRef, keep_body
from kemopix.files import DownloadResult, download
from kemopix.sites.kemono import KemonoSite
from kemopix.sites.kemono import accounts as account_flows
from kemopix.sites.kemono import creators as creator_flows
from kemopix.sites.kemono import posts as post_flows
from kemopix.sites.kemono.models import CreatorProfile

from ._aux.aux_classes import FileHashResult
from ._raw import account_of, listed, paged, post_of
from .accounts.view import AccountView
from .comments.comments import Comment
from .creators.creators import Creator
from .exceptions.mapping import PYKEMO_ERRORS
from .files.files import File
from .posts.posts import Post
from .services.services_enum import ServiceLike, service_value
from .tags.tag import TagLike, tag_names

__all__ = ["KemoClient"]

T = TypeVar("T")


class KemoClient:
    """Blocking access to a Kemono-compatible site (default: ``KemonoSite.default()``)."""

    def __init__(self, site: KemonoSite | str | None = None, *, config: Config | None = None):
        if site is None:
            site = KemonoSite.default()
        elif isinstance(site, str):
            site = KemonoSite.from_url(site)
        self.site = site
        self._runner = SyncRunner(RequestsTransport(config or KEMONO_CONFIG), errors=PYKEMO_ERRORS)

    def run(self, flow: Flow[T]) -> T:
        """Run one ``kemopix.sites.kemono`` flow."""
        return self._runner.run(flow)

    def run_raw(self, flow: Flow[T]) -> tuple[T, RawBody]:
        """:meth:`run`, and the JSON of the answer the flow decoded (read lazily)."""
        return self._runner.run(keep_body(flow))

    def close(self) -> None:
        self._runner.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<KemoClient {self.site.url} ({self.site.flavour})>"

    def _creator(self, wire: CreatorProfile, raw: RawRef, at: int | None = None) -> Creator:
        return Creator.from_wire(wire).bind_site(self.site)._keep_raw(raw, at)

    def _creators(self, flow: Flow[list[CreatorProfile]]) -> list[Creator]:
        wires, body = self.run_raw(flow)
        return [self._creator(w, raw, n) for w, raw, n in listed(wires, body)]

    # -- creators -------------------------------------------------------------------------------
    def get_creator(self, service: ServiceLike, creator_id: str) -> Creator | None:
        """A creator's profile; None when not found."""
        flow = creator_flows.profile(self.site, service_value(service), creator_id)
        wire, body = self.run_raw(flow)
        return None if wire is None else self._creator(wire, body.at())

    def get_creators(self) -> list[Creator]:
        """Every creator of the site."""
        return self._creators(creator_flows.creators(self.site))

    def iter_creator_posts(
        self,
        service: ServiceLike,
        creator_id: str,
        *,
        query: str | None = None,
        tags: Iterable[TagLike] | None = None,
    ) -> Iterator[Post]:
        """A creator's posts, newest first, fetched 50 at a time as consumed."""
        step = creator_flows.creator_posts(
            self.site, service_value(service), creator_id, query=query, tags=tag_names(tags)
        )
        for wire, raw, at in iter_items(self.run, paged(step, "posts"), 0):
            yield Post.from_wire(wire).bind_site(self.site)._keep_raw(raw, at)

    # -- posts ----------------------------------------------------------------------------------
    def post(self, service: ServiceLike, creator_id: str, post_id: str) -> Post | None:
        """One post with its full content; None when not found."""
        flow = post_flows.post(self.site, service_value(service), creator_id, post_id)
        detail, body = self.run_raw(flow)
        if detail is None:
            return None
        return Post.from_detail(detail).bind_site(self.site)._keep_raw(body.at(post_of))

    def get_post(self, service: ServiceLike, post_id: str) -> Post | None:
        """A post known by service and id only; None when not found."""
        ref = self.run(post_flows.post_ref(self.site, service_value(service), post_id))
        creator_id = None if ref is None else ref.creator_id()
        return None if creator_id is None else self.post(service, creator_id, post_id)

    def iter_posts(
        self, query: str | None = None, *, tags: Iterable[TagLike] | None = None
    ) -> Iterator[Post]:
        """Recent posts (optionally searched or tagged), 50 per request as consumed."""
        step = post_flows.recent_posts(self.site, query=query, tags=tag_names(tags))
        for wire, raw, at in iter_items(self.run, paged(step, "posts"), 0):
            yield Post.from_wire(wire).bind_site(self.site)._keep_raw(raw, at)

    def random_post(self) -> Post | None:
        """A random post, or None."""
        ref = self.run(post_flows.random_post(self.site))
        if ref is None or ref.creator_id() is None or ref.post_id is None:
            return None
        return self.post(ref.service, str(ref.creator_id()), str(ref.post_id))

    def comments(self, post: Post) -> list[Comment]:
        """A post's comments."""
        flow = post_flows.comments(self.site, service_value(post.service), post.creator_id, post.id)
        wires, body = self.run_raw(flow)
        return [Comment.from_wire(w, post, None)._keep_raw(r, n) for w, r, n in listed(wires, body)]

    def file_hash(self, sha256: str) -> FileHashResult:
        """Where the file with this SHA-256 appears."""
        wire, body = self.run_raw(post_flows.search_hash(self.site, sha256))
        if wire is None:
            return FileHashResult.empty()
        result = FileHashResult.from_wire(wire)._keep_raw(body.at())
        for post in result.posts:
            post.bind_site(self.site)
        if result.file is not None:
            result.file.bind_site(self.site)
        return result

    def app_version(self) -> str:
        return self.run(post_flows.app_version(self.site))

    def save(self, file: File, folder: str | Path) -> DownloadResult:
        """Download ``file`` into ``folder`` (verified against the SHA-256 in its path)."""
        dest = file.bind_site(self.site).destination(folder)
        flow = download(file.url, dest, expected_sha256=file.sha256, verify_existing=True)
        return self.run(flow)

    # -- accounts -------------------------------------------------------------------------------
    def login(self, user: str, password: str) -> AccountView:
        """Log in; the session cookie stays in this client (``InvalidLogin`` on 400)."""
        wire, body = self.run_raw(account_flows.login(self.site, user, password))
        return AccountView.from_wire(wire)._keep_raw(body.at(account_of))

    def logout(self) -> None:
        self.run(account_flows.logout(self.site))

    def favorite_creators(self) -> list[Creator]:
        return self._creators(account_flows.favorite_creators(self.site))

    def favorite_posts(self) -> list[Post]:
        wires, body = self.run_raw(account_flows.favorite_posts(self.site))
        return [
            Post.from_wire(w).bind_site(self.site)._keep_raw(r, n)
            for w, r, n in listed(wires, body)
        ]

    def set_favorite(self, post_or_creator: Post | Creator, *, add: bool = True) -> None:
        """Add or remove a favorite post or creator."""
        if isinstance(post_or_creator, Post):
            p = post_or_creator
            flow = account_flows.set_favorite(
                self.site, "post", service_value(p.service), p.creator_id, p.id, add=add
            )
        else:
            c = post_or_creator
            flow = account_flows.set_favorite(
                self.site, "creator", service_value(c.service), c.id, add=add
            )
        self.run(flow)
