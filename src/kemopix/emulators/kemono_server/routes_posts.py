"""Post and Discord endpoints (kemono-protocol.md §2.2, §2.4)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from aiohttp import web

from .context import Context, bad_request, error, parse_offset
from .dataset import Json
from .routes_creators import PAGE, filter_posts, wants_filter
from .shapes import detail_envelope, full_post, post_summary, recent_item

__all__ = ["post_routes"]

DISCORD_PAGE = 150


def post_routes(ctx: Context) -> list[web.RouteDef]:
    def every_post() -> list[Json]:
        return ctx.state.every_post()

    async def recent(request: web.Request) -> web.Response:
        offset = parse_offset(request, PAGE)
        if offset is None:
            return bad_request(ctx, "Offset provided which is not a multiple of 50.")
        if wants_filter(request):
            filtered = filter_posts(request, every_post())
            if isinstance(filtered, str):
                return bad_request(ctx, filtered)
            count, window = len(filtered), filtered[offset : offset + PAGE]
        else:
            count, window = ctx.state.recent_page(offset, PAGE)
        items = [recent_item(p, ctx.flavour) for p in window]
        if not ctx.modern:
            return ctx.json(items)  # §10: pawchive answers a plain list
        return ctx.json({"count": count, "true_count": count, "posts": items})

    async def popular(request: web.Request) -> web.Response:
        period = request.query.get("period", "recent")
        if period not in ("recent", "day", "week", "month"):
            return bad_request(ctx, "Invalid period.")
        offset = parse_offset(request, PAGE)
        if offset is None:
            return bad_request(ctx, "Offset provided which is not a multiple of 50.")
        today = date(2024, 7, 19).isoformat()  # assumption: the dataset's frozen "today"
        day = request.query.get("date", today)
        try:
            date.fromisoformat(day)
        except ValueError:
            return bad_request(ctx, "Invalid date.")
        ranked = sorted(every_post(), key=lambda p: -ctx.dataset.fav_counts.get(p["id"], 0))
        posts = [
            dict(post_summary(p), fav_count=ctx.dataset.fav_counts.get(p["id"], 0))
            for p in ranked[offset : offset + PAGE]
        ]
        nav = [day, day, day]
        return ctx.json(
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

    async def all_tags(request: web.Request) -> web.Response:
        counts = Counter(t for p in every_post() for t in p.get("tags") or [])
        return ctx.json([{"tag": t, "post_count": n} for t, n in counts.most_common()])

    async def random_post(request: web.Request) -> web.Response:
        posts = every_post()
        if not posts:
            return error(ctx, 404, "No posts.")
        post = random.choice(posts)
        return ctx.json(
            {"service": post["service"], "artist_id": post["user"], "post_id": post["id"]}
        )

    def locate(request: web.Request) -> Json | None:
        return ctx.state.find_post(*flag_key(request))

    def flag_key(request: web.Request) -> tuple[str, str, str]:
        info = request.match_info
        return info["service"], info["creator_id"], info["post_id"]

    async def detail(request: web.Request) -> web.Response:
        post = ctx.state.post_with_neighbours(*flag_key(request))
        if post is None:
            return error(ctx, 404, "Post not found.")
        if not ctx.modern:
            return ctx.json(full_post(post, ctx.flavour))  # §10: pawchive answers the plain Post
        revisions = ctx.state.revisions_of(*flag_key(request))
        flagged = ctx.state.flag_reason(*flag_key(request))
        return ctx.json(detail_envelope(ctx.host_for, post, revisions, flagged))

    async def by_post_id(request: web.Request) -> web.Response:
        service, post_id = request.match_info["service"], request.match_info["post_id"]
        creator_id = ctx.state.creator_of_post(service, post_id)
        if creator_id is None:
            return error(ctx, 404, "Post not found.")
        # assumption (§2.2 "inferred"): the random-post shape.
        return ctx.json({"service": service, "artist_id": creator_id, "post_id": post_id})

    async def revisions(request: web.Request) -> web.Response:
        if locate(request) is None:
            return error(ctx, 404, "Post not found.")
        found = ctx.state.revisions_of(*flag_key(request))
        if not found:
            return error(ctx, 404, "No revisions.")  # §6.11
        return ctx.json(found)

    async def revision(request: web.Request) -> web.Response:
        located = locate(request)
        if located is None:
            return error(ctx, 404, "Post not found.")
        wanted = request.match_info["revision_id"]
        for rev in ctx.state.revisions_of(*flag_key(request)):
            if str(rev["revision_id"]) == wanted:
                revs = ctx.state.revisions_of(*flag_key(request))
                if not ctx.modern:
                    return ctx.json(full_post(rev, ctx.flavour))
                return ctx.json(detail_envelope(ctx.host_for, rev, revs, None))
        return error(ctx, 404, "Revision not found.")

    async def comments(request: web.Request) -> web.Response:
        if locate(request) is None:
            return error(ctx, 404, "Post not found.")
        found = ctx.dataset.comments.get(flag_key(request))
        if not found:
            return error(ctx, 404, "No comments found.")  # §6.11
        return ctx.json(found)

    async def flag_get(request: web.Request) -> web.Response:
        if locate(request) is None or ctx.state.flag_reason(*flag_key(request)) is None:
            return web.Response(status=404)
        return web.Response(status=200)

    async def flag_post(request: web.Request) -> web.Response:
        if locate(request) is None:
            return web.Response(status=404)
        if not ctx.state.add_flag(*flag_key(request), "reason-other"):
            return web.Response(status=409)
        return web.Response(status=201)

    async def server(request: web.Request) -> web.Response:
        found = ctx.dataset.servers.get(request.match_info["server_id"])
        return ctx.json(found) if found else error(ctx, 404, "Server not found.")

    async def lookup(request: web.Request) -> web.Response:
        found = ctx.dataset.servers.get(request.match_info["server_id"])
        if not found:
            return error(ctx, 404, "Server not found.")
        return ctx.json([{"id": c["id"], "name": c["name"]} for c in found["channels"]])

    async def channel(request: web.Request) -> web.Response:
        messages = ctx.dataset.messages.get(request.match_info["channel_id"])
        if messages is None:
            return error(ctx, 404, "Channel not found.")
        offset = parse_offset(request, DISCORD_PAGE)
        if offset is None:
            return bad_request(ctx, "Offset provided which is not a multiple of 150.")
        return ctx.json(messages[offset : offset + DISCORD_PAGE])

    post = "/api/v1/{service}/user/{creator_id}/post/{post_id}"
    return [
        web.get("/api/v1/posts", recent),
        web.get("/api/v1/posts/popular", popular),
        web.get("/api/v1/posts/tags", all_tags),
        web.get("/api/v1/posts/random", random_post),
        web.get("/api/v1/discord/server/{server_id}", server),
        web.get("/api/v1/discord/channel/lookup/{server_id}", lookup),
        web.get("/api/v1/discord/channel/{channel_id}", channel),
        web.get("/api/v1/{service}/post/{post_id}", by_post_id),
        web.get(post, detail),
        web.get(post + "/revisions", revisions),
        web.get(post + "/revision/{revision_id}", revision),
        web.get(post + "/comments", comments),
        web.get(post + "/flag", flag_get),
        web.post(post + "/flag", flag_post),
    ]
