"""Creator endpoints (kemono-protocol.md §2.1)."""

from __future__ import annotations

import random
from collections import Counter

from aiohttp import web

from .context import Context, bad_request, error, parse_offset
from .dataset import Json
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


def creator_routes(ctx: Context) -> list[web.RouteDef]:
    def key(request: web.Request) -> tuple[str, str]:
        return request.match_info["service"], request.match_info["creator_id"]

    async def creators(request: web.Request) -> web.Response:
        return ctx.raw_json(ctx.state.creators_json())

    async def creators_txt(request: web.Request) -> web.Response:
        # kemono-protocol.md §6.2: the .txt name was retired in Aug 2025.
        return error(ctx, 404, "Not Found")

    async def get_profile(request: web.Request) -> web.Response:
        found = ctx.state.creator_and_count(*key(request))
        if found is None:
            return error(ctx, 404, "Creator not found.")
        creator, count = found
        has_chats = bool(ctx.dataset.dms.get((creator.service, creator.id)))
        return ctx.json(profile(creator, count, has_chats, ctx.flavour))

    def page(request: web.Request) -> list[Json] | web.Response:
        offset = parse_offset(request, PAGE)
        if not wants_filter(request):
            window = ctx.state.posts_page(*key(request), offset or 0, PAGE)
            if window is None:
                return error(ctx, 404, "Creator not found.")
            if offset is None:
                return bad_request(ctx, "Offset provided which is not a multiple of 50.")
            return window
        posts = ctx.state.posts_of(*key(request))
        if posts is None:
            return error(ctx, 404, "Creator not found.")
        if offset is None:
            return bad_request(ctx, "Offset provided which is not a multiple of 50.")
        filtered = filter_posts(request, posts)
        if isinstance(filtered, str):
            return bad_request(ctx, filtered)
        return filtered[offset : offset + PAGE]

    async def summaries(request: web.Request) -> web.Response:
        result = page(request)
        if isinstance(result, web.Response):
            return result
        return ctx.json([post_summary(p) for p in result])

    async def legacy(request: web.Request) -> web.Response:
        # The pawchive creator listing: full posts without next/prev (live).
        result = page(request)
        if isinstance(result, web.Response):
            return result
        if ctx.modern:
            return ctx.json([full_post(p, ctx.flavour) for p in result])
        return ctx.json([listing_post(p) for p in result])

    async def links(request: web.Request) -> web.Response:
        creator = ctx.state.creator(*key(request))
        if creator is None:
            return error(ctx, 404, "Creator not found.")
        out = []
        for linked in ctx.dataset.links.get(key(request), []):
            found = ctx.state.creator_and_count(*linked)
            if found is not None:
                out.append(profile(*found, False, ctx.flavour))
        return ctx.json(out)

    async def delete_links(request: web.Request) -> web.StreamResponse:
        account = ctx.account(request)
        if account is None or account.role != "administrator":
            return error(ctx, 404, "Not Found")  # §1: insufficient role → 404
        if ctx.state.creator(*key(request)) is None:
            return error(ctx, 404, "Creator not found.")
        return web.Response(status=204)

    async def new_link_form(request: web.Request) -> web.Response:
        if ctx.account(request) is None:
            return error(ctx, 401, "Not logged in.")
        creator = ctx.state.creator(*key(request))
        if creator is None:
            return error(ctx, 404, "Creator not found.")
        return ctx.json({"creator": creator.list_item()})  # assumption: shape UNCONFIRMED

    async def new_link(request: web.Request) -> web.Response:
        account = ctx.account(request)
        if account is None:
            return error(ctx, 401, "Not logged in.")
        if ctx.state.creator(*key(request)) is None:
            return error(ctx, 404, "Creator not found.")
        try:
            body = await request.json()
            # assumption (§2.1 UNCONFIRMED body): {"service", "creator_id", "reason"}.
            target = (str(body["service"]), str(body["creator_id"]))
            reason = str(body.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            return bad_request(ctx, "Invalid link request.")
        if ctx.state.creator(*target) is None or target == key(request):
            return bad_request(ctx, "Invalid target creator.")
        rid = ctx.accounts.add_link_request(key(request), target, reason, account.id)
        return ctx.json({"message": "Link request submitted.", "id": rid})

    async def tags(request: web.Request) -> web.Response:
        posts = ctx.state.posts_of(*key(request))
        if posts is None:
            return error(ctx, 404, "Creator not found.")
        counts = Counter(t for p in posts for t in p.get("tags") or [])
        return ctx.json([{"tag": t, "post_count": n} for t, n in counts.most_common()])

    async def announcements(request: web.Request) -> web.Response:
        if ctx.state.creator(*key(request)) is None:
            return error(ctx, 404, "Creator not found.")
        return ctx.json(ctx.dataset.announcements.get(key(request), []))

    async def fancards(request: web.Request) -> web.Response:
        if ctx.state.creator("fanbox", request.match_info["creator_id"]) is None:
            return error(ctx, 404, "Creator not found.")
        return ctx.json(ctx.dataset.fancards.get(request.match_info["creator_id"], []))

    async def dms(request: web.Request) -> web.Response:
        if ctx.state.creator(*key(request)) is None:
            return error(ctx, 404, "Creator not found.")
        return ctx.json(ctx.dataset.dms.get(key(request), []))

    async def random_artist(request: web.Request) -> web.Response:
        candidates = ctx.state.listed_creators()
        if not candidates:
            return error(ctx, 404, "No creators.")
        service, creator_id = random.choice(candidates)
        return ctx.json({"service": service, "artist_id": creator_id})

    base = "/api/v1/{service}/user/{creator_id}"
    return [
        web.get("/api/v1/creators", creators),
        web.get("/api/v1/creators.txt", creators_txt),
        web.get("/api/v1/artists/random", random_artist),
        web.get("/api/v1/fanbox/user/{creator_id}/fancards", fancards),
        web.get(base + "/profile", get_profile),
        web.get(base + "/posts", summaries),
        web.get(base, legacy),
        web.get(base + "/links", links),
        web.delete(base + "/links", delete_links),
        web.get(base + "/links/new", new_link_form),
        web.post(base + "/links/new", new_link),
        web.get(base + "/tags", tags),
        web.get(base + "/announcements", announcements),
        web.get(base + "/dms", dms),
    ]
