"""Creator endpoints (kemono-protocol.md §2.1)."""

from __future__ import annotations

import random
from collections import Counter

from aiohttp import web

from .context import Context, parse_offset
from .dataset import Json
from .errors import bad_request, error
from .shapes import full_post, listing_post, post_summary, profile

__all__ = ["creator_routes", "filter_posts", "wants_filter"]

PAGE = 50


def wants_filter(request: web.Request) -> bool:
    """Whether ``q`` or ``tag`` asks for a filtered list (the unfiltered one pages in SQL)."""
    return bool(request.query.get("q")) or "tag" in request.query


def filter_posts(request: web.Request, posts: list[Json]) -> list[Json] | str:
    """Apply ``q`` (≥ 3 chars) and repeated ``tag``; a string is the 400 message."""
    query = request.query.get("q")
    if query is not None and query != "":
        if len(query) < 3:
            return "q must be at least 3 characters"
        needle = query.lower()
        posts = [
            p
            for p in posts
            if needle in p["title"].lower() or needle in (p["content"] or "").lower()
        ]
    tags = request.query.getall("tag", [])
    if tags:
        posts = [p for p in posts if set(tags) <= set(p.get("tags") or [])]
    return posts


class CreatorRoutes:
    """Creator endpoints: one method per action over the shared context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _key(self, request: web.Request) -> tuple[str, str]:
        return request.match_info["service"], request.match_info["creator_id"]

    async def creators(self, request: web.Request) -> web.Response:
        return self.ctx.raw_json(self.ctx.state.creators_json())

    async def creators_txt(self, request: web.Request) -> web.Response:
        # kemono-protocol.md §6.2: the .txt name was retired in Aug 2025.
        return error(self.ctx, 404, "Not Found")

    async def get_profile(self, request: web.Request) -> web.Response:
        found = self.ctx.state.creator_and_count(*self._key(request))
        if found is None:
            return error(self.ctx, 404, "Creator not found.")
        creator, count = found
        has_chats = bool(self.ctx.dataset.dms.get((creator.service, creator.id)))
        return self.ctx.json(profile(creator, count, has_chats, self.ctx.flavour))

    def _page(self, request: web.Request) -> list[Json] | web.Response:
        offset = parse_offset(request, PAGE)
        if not wants_filter(request):
            window = self.ctx.state.posts_page(*self._key(request), offset or 0, PAGE)
            if window is None:
                return error(self.ctx, 404, "Creator not found.")
            if offset is None:
                return bad_request(self.ctx, "Offset provided which is not a multiple of 50.")
            return window
        posts = self.ctx.state.posts_of(*self._key(request))
        if posts is None:
            return error(self.ctx, 404, "Creator not found.")
        if offset is None:
            return bad_request(self.ctx, "Offset provided which is not a multiple of 50.")
        filtered = filter_posts(request, posts)
        if isinstance(filtered, str):
            return bad_request(self.ctx, filtered)
        return filtered[offset : offset + PAGE]

    async def summaries(self, request: web.Request) -> web.Response:
        result = self._page(request)
        if isinstance(result, web.Response):
            return result
        return self.ctx.json([post_summary(p) for p in result])

    async def legacy(self, request: web.Request) -> web.Response:
        # The pawchive creator listing: full posts without next/prev (live).
        result = self._page(request)
        if isinstance(result, web.Response):
            return result
        if self.ctx.modern:
            return self.ctx.json([full_post(p, self.ctx.flavour) for p in result])
        return self.ctx.json([listing_post(p) for p in result])

    async def links(self, request: web.Request) -> web.Response:
        creator = self.ctx.state.creator(*self._key(request))
        if creator is None:
            return error(self.ctx, 404, "Creator not found.")
        out = []
        for linked in self.ctx.dataset.links.get(self._key(request), []):
            found = self.ctx.state.creator_and_count(*linked)
            if found is not None:
                out.append(profile(*found, False, self.ctx.flavour))
        return self.ctx.json(out)

    async def delete_links(self, request: web.Request) -> web.StreamResponse:
        account = self.ctx.account(request)
        if account is None or account.role != "administrator":
            return error(self.ctx, 404, "Not Found")  # §1: insufficient role → 404
        if self.ctx.state.creator(*self._key(request)) is None:
            return error(self.ctx, 404, "Creator not found.")
        return web.Response(status=204)

    async def new_link_form(self, request: web.Request) -> web.Response:
        if self.ctx.account(request) is None:
            return error(self.ctx, 401, "Not logged in.")
        creator = self.ctx.state.creator(*self._key(request))
        if creator is None:
            return error(self.ctx, 404, "Creator not found.")
        return self.ctx.json({"creator": creator.list_item()})  # assumption: shape UNCONFIRMED

    async def new_link(self, request: web.Request) -> web.Response:
        account = self.ctx.account(request)
        if account is None:
            return error(self.ctx, 401, "Not logged in.")
        if self.ctx.state.creator(*self._key(request)) is None:
            return error(self.ctx, 404, "Creator not found.")
        try:
            body = await request.json()
            # assumption (§2.1 UNCONFIRMED body): {"service", "creator_id", "reason"}.
            target = (str(body["service"]), str(body["creator_id"]))
            reason = str(body.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            return bad_request(self.ctx, "Invalid link request.")
        if self.ctx.state.creator(*target) is None or target == self._key(request):
            return bad_request(self.ctx, "Invalid target creator.")
        rid = self.ctx.accounts.add_link_request(self._key(request), target, reason, account.id)
        return self.ctx.json({"message": "Link request submitted.", "id": rid})

    async def tags(self, request: web.Request) -> web.Response:
        posts = self.ctx.state.posts_of(*self._key(request))
        if posts is None:
            return error(self.ctx, 404, "Creator not found.")
        counts = Counter(t for p in posts for t in p.get("tags") or [])
        return self.ctx.json([{"tag": t, "post_count": n} for t, n in counts.most_common()])

    async def announcements(self, request: web.Request) -> web.Response:
        if self.ctx.state.creator(*self._key(request)) is None:
            return error(self.ctx, 404, "Creator not found.")
        return self.ctx.json(self.ctx.dataset.announcements.get(self._key(request), []))

    async def fancards(self, request: web.Request) -> web.Response:
        if self.ctx.state.creator("fanbox", request.match_info["creator_id"]) is None:
            return error(self.ctx, 404, "Creator not found.")
        return self.ctx.json(self.ctx.dataset.fancards.get(request.match_info["creator_id"], []))

    async def dms(self, request: web.Request) -> web.Response:
        if self.ctx.state.creator(*self._key(request)) is None:
            return error(self.ctx, 404, "Creator not found.")
        return self.ctx.json(self.ctx.dataset.dms.get(self._key(request), []))

    async def random_artist(self, request: web.Request) -> web.Response:
        candidates = self.ctx.state.listed_creators()
        if not candidates:
            return error(self.ctx, 404, "No creators.")
        service, creator_id = random.choice(candidates)
        return self.ctx.json({"service": service, "artist_id": creator_id})

    def routes(self) -> list[web.RouteDef]:
        """The routes of this resource."""
        base = "/api/v1/{service}/user/{creator_id}"
        return [
            web.get("/api/v1/creators", self.creators),
            web.get("/api/v1/creators.txt", self.creators_txt),
            web.get("/api/v1/artists/random", self.random_artist),
            web.get("/api/v1/fanbox/user/{creator_id}/fancards", self.fancards),
            web.get(base + "/profile", self.get_profile),
            web.get(base + "/posts", self.summaries),
            web.get(base, self.legacy),
            web.get(base + "/links", self.links),
            web.delete(base + "/links", self.delete_links),
            web.get(base + "/links/new", self.new_link_form),
            web.post(base + "/links/new", self.new_link),
            web.get(base + "/tags", self.tags),
            web.get(base + "/announcements", self.announcements),
            web.get(base + "/dms", self.dms),
        ]


def creator_routes(ctx: Context) -> list[web.RouteDef]:
    """The routes, for :class:`.server.KemonoEmulator`."""
    return CreatorRoutes(ctx).routes()
