"""Post and Discord endpoints (kemono-protocol.md §2.2, §2.4)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from aiohttp import web

from .context import Context, parse_offset
from .dataset import Json
from .errors import bad_request, error
from .routes_creators import PAGE, filter_posts, wants_filter
from .shapes import detail_envelope, full_post, post_summary, recent_item

__all__ = ["post_routes"]

DISCORD_PAGE = 150


class PostRoutes:
    """Post and Discord endpoints: one method per action over the shared context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _every_post(self) -> list[Json]:
        return self.ctx.state.every_post()

    async def recent(self, request: web.Request) -> web.Response:
        offset = parse_offset(request, PAGE)
        if offset is None:
            return bad_request(self.ctx, "Offset provided which is not a multiple of 50.")
        if wants_filter(request):
            filtered = filter_posts(request, self._every_post())
            if isinstance(filtered, str):
                return bad_request(self.ctx, filtered)
            count, window = len(filtered), filtered[offset : offset + PAGE]
        else:
            count, window = self.ctx.state.recent_page(offset, PAGE)
        items = [recent_item(p, self.ctx.flavour) for p in window]
        if not self.ctx.modern:
            return self.ctx.json(items)  # §10: pawchive answers a plain list
        return self.ctx.json({"count": count, "true_count": count, "posts": items})

    async def popular(self, request: web.Request) -> web.Response:
        period = request.query.get("period", "recent")
        if period not in ("recent", "day", "week", "month"):
            return bad_request(self.ctx, "Invalid period.")
        offset = parse_offset(request, PAGE)
        if offset is None:
            return bad_request(self.ctx, "Offset provided which is not a multiple of 50.")
        today = date(2024, 7, 19).isoformat()  # assumption: the dataset's frozen "today"
        day = request.query.get("date", today)
        try:
            date.fromisoformat(day)
        except ValueError:
            return bad_request(self.ctx, "Invalid date.")
        ranked = sorted(
            self._every_post(), key=lambda p: -self.ctx.dataset.fav_counts.get(p["id"], 0)
        )
        posts = [
            dict(post_summary(p), fav_count=self.ctx.dataset.fav_counts.get(p["id"], 0))
            for p in ranked[offset : offset + PAGE]
        ]
        nav = [day, day, day]
        return self.ctx.json(
            {
                "info": {
                    "date": day,
                    "min_date": "2024-01-01",
                    "max_date": today,
                    "navigation_dates": {k: nav for k in ("recent", "day", "week", "month")},
                    "range_desc": f"Popular {period}",
                    "scale": period,
                },
                "props": {
                    "today": today,
                    "earliest_date_for_popular": "2024-01-01",
                    "count": len(ranked),
                },
                "posts": posts,
            }
        )

    async def all_tags(self, request: web.Request) -> web.Response:
        counts = Counter(t for p in self._every_post() for t in p.get("tags") or [])
        return self.ctx.json([{"tag": t, "post_count": n} for t, n in counts.most_common()])

    async def random_post(self, request: web.Request) -> web.Response:
        posts = self._every_post()
        if not posts:
            return error(self.ctx, 404, "No posts.")
        post = random.choice(posts)
        return self.ctx.json(
            {"service": post["service"], "artist_id": post["user"], "post_id": post["id"]}
        )

    def _locate(self, request: web.Request) -> Json | None:
        return self.ctx.state.find_post(*self._key(request))

    def _key(self, request: web.Request) -> tuple[str, str, str]:
        info = request.match_info
        return info["service"], info["creator_id"], info["post_id"]

    async def detail(self, request: web.Request) -> web.Response:
        post = self.ctx.state.post_with_neighbours(*self._key(request))
        if post is None:
            return error(self.ctx, 404, "Post not found.")
        if not self.ctx.modern:
            return self.ctx.json(
                full_post(post, self.ctx.flavour)
            )  # §10: pawchive answers the plain Post
        revisions = self.ctx.state.revisions_of(*self._key(request))
        flagged = self.ctx.state.flag_reason(*self._key(request))
        return self.ctx.json(detail_envelope(self.ctx.host_for, post, revisions, flagged))

    async def by_post_id(self, request: web.Request) -> web.Response:
        service, post_id = request.match_info["service"], request.match_info["post_id"]
        creator_id = self.ctx.state.creator_of_post(service, post_id)
        if creator_id is None:
            return error(self.ctx, 404, "Post not found.")
        # assumption (§2.2 "inferred"): the random-post shape.
        return self.ctx.json({"service": service, "artist_id": creator_id, "post_id": post_id})

    async def revisions(self, request: web.Request) -> web.Response:
        if self._locate(request) is None:
            return error(self.ctx, 404, "Post not found.")
        found = self.ctx.state.revisions_of(*self._key(request))
        if not found:
            return error(self.ctx, 404, "No revisions.")  # §6.11
        return self.ctx.json(found)

    async def revision(self, request: web.Request) -> web.Response:
        located = self._locate(request)
        if located is None:
            return error(self.ctx, 404, "Post not found.")
        wanted = request.match_info["revision_id"]
        for rev in self.ctx.state.revisions_of(*self._key(request)):
            if str(rev["revision_id"]) == wanted:
                revs = self.ctx.state.revisions_of(*self._key(request))
                if not self.ctx.modern:
                    return self.ctx.json(full_post(rev, self.ctx.flavour))
                return self.ctx.json(detail_envelope(self.ctx.host_for, rev, revs, None))
        return error(self.ctx, 404, "Revision not found.")

    async def comments(self, request: web.Request) -> web.Response:
        if self._locate(request) is None:
            return error(self.ctx, 404, "Post not found.")
        found = self.ctx.dataset.comments.get(self._key(request))
        if not found:
            return error(self.ctx, 404, "No comments found.")  # §6.11
        return self.ctx.json(found)

    async def flag_get(self, request: web.Request) -> web.Response:
        if self._locate(request) is None or self.ctx.state.flag_reason(*self._key(request)) is None:
            return web.Response(status=404)
        return web.Response(status=200)

    async def flag_post(self, request: web.Request) -> web.Response:
        if self._locate(request) is None:
            return web.Response(status=404)
        if not self.ctx.state.add_flag(*self._key(request), "reason-other"):
            return web.Response(status=409)
        return web.Response(status=201)

    async def server(self, request: web.Request) -> web.Response:
        found = self.ctx.dataset.servers.get(request.match_info["server_id"])
        return self.ctx.json(found) if found else error(self.ctx, 404, "Server not found.")

    async def lookup(self, request: web.Request) -> web.Response:
        found = self.ctx.dataset.servers.get(request.match_info["server_id"])
        if not found:
            return error(self.ctx, 404, "Server not found.")
        return self.ctx.json([{"id": c["id"], "name": c["name"]} for c in found["channels"]])

    async def channel(self, request: web.Request) -> web.Response:
        messages = self.ctx.dataset.messages.get(request.match_info["channel_id"])
        if messages is None:
            return error(self.ctx, 404, "Channel not found.")
        offset = parse_offset(request, DISCORD_PAGE)
        if offset is None:
            return bad_request(self.ctx, "Offset provided which is not a multiple of 150.")
        return self.ctx.json(messages[offset : offset + DISCORD_PAGE])

    def routes(self) -> list[web.RouteDef]:
        """The routes of this resource."""
        post = "/api/v1/{service}/user/{creator_id}/post/{post_id}"
        return [
            web.get("/api/v1/posts", self.recent),
            web.get("/api/v1/posts/popular", self.popular),
            web.get("/api/v1/posts/tags", self.all_tags),
            web.get("/api/v1/posts/random", self.random_post),
            web.get("/api/v1/discord/server/{server_id}", self.server),
            web.get("/api/v1/discord/channel/lookup/{server_id}", self.lookup),
            web.get("/api/v1/discord/channel/{channel_id}", self.channel),
            web.get("/api/v1/{service}/post/{post_id}", self.by_post_id),
            web.get(post, self.detail),
            web.get(post + "/revisions", self.revisions),
            web.get(post + "/revision/{revision_id}", self.revision),
            web.get(post + "/comments", self.comments),
            web.get(post + "/flag", self.flag_get),
            web.post(post + "/flag", self.flag_post),
        ]


def post_routes(ctx: Context) -> list[web.RouteDef]:
    """The routes, for :class:`.server.KemonoEmulator`."""
    return PostRoutes(ctx).routes()
