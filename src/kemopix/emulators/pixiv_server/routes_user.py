"""User endpoints: detail, works, bookmarks, bookmark tags, following/followers, related,
follow add/delete (pixiv-protocol.md §2, §4). Private bookmarks and follows are visible to their
owner only; anyone else gets an empty list (assumption: the live server does not say more)."""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from .context import ApiError, ctx, int_param, next_url, paginate, restrict_param, translate, viewer
from .dataset import WORKSPACE_KEYS, Bookmark, User
from .errors import PRIVATE_TAGS_REFUSED, api_error, json_response

__all__ = ["find_user", "routes"]

_RESTRICTED = "Your access is currently restricted."


def find_user(request: web.Request, name: str = "user_id", default: int | None = None) -> User:
    user = ctx(request).state.users.get(int_param(request, name, default))
    if user is None:
        # assumption: §1.4 "restricted or deleted user" answers 404 with this message.
        raise ApiError(api_error(404, user_message=_RESTRICTED))
    return user


async def user_detail(request: web.Request) -> web.Response:
    user = find_user(request)
    state = ctx(request).state
    shapes = ctx(request).shapes_for(request)
    works = [i for i in state.illusts.values() if i.user_id == user.id]
    public_marks = [
        b for b in state.illust_bookmarks.get(user.id, {}).values() if b.restrict == "public"
    ]
    profile = {
        "webpage": user.webpage,
        "gender": "",
        "birth": "",
        "birth_day": "",
        "birth_year": 0,
        "region": user.region,
        "address_id": 0,
        "country_code": user.country_code,
        "job": user.job,
        "job_id": 0,
        "total_follow_users": len(state.follows.get(user.id, {})),
        "total_mypixiv_users": 0,
        "total_illusts": sum(1 for i in works if i.kind != "manga"),
        "total_manga": sum(1 for i in works if i.kind == "manga"),
        "total_novels": sum(1 for n in state.novels.values() if n.user_id == user.id),
        "total_illust_bookmarks_public": len(public_marks),
        "total_illust_series": 0,
        "total_novel_series": sum(1 for s in state.series.values() if s.user_id == user.id),
        "background_image_url": "",
        "twitter_account": user.twitter_account,
        "twitter_url": f"https://twitter.com/{user.twitter_account}"
        if user.twitter_account
        else None,
        "pawoo_url": None,
        "is_premium": user.is_premium,
        "is_using_custom_profile_image": False,
    }
    publicity = {
        "gender": "public",
        "region": "public",
        "birth_day": "public",
        "birth_year": "public",
        "job": "public",
        "pawoo": True,
    }
    workspace: dict[str, str | None] = dict.fromkeys(WORKSPACE_KEYS, "")
    workspace.update(user.workspace)
    workspace["workspace_image_url"] = None
    body = {
        "user": {**shapes.user(user, viewer(request)), "comment": user.comment},
        "profile": profile,
        "profile_publicity": publicity,
        "workspace": workspace,
    }
    return json_response(body)


async def user_illusts(request: web.Request) -> web.Response:
    user = find_user(request)
    state = ctx(request).state
    kind = request.query.get("type", "illust")
    works = [
        i
        for i in state.illusts.values()
        if i.user_id == user.id and (i.kind == "manga") == (kind == "manga")
    ]
    works.sort(key=lambda i: i.id, reverse=True)
    page, following = paginate(works, int_param(request, "offset", 0))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    return json_response(
        {
            "user": shapes.user(user, who),
            "illusts": [shapes.illust(i, who, tr) for i in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
        }
    )


async def user_novels(request: web.Request) -> web.Response:
    user = find_user(request)
    state = ctx(request).state
    works = sorted(
        (n for n in state.novels.values() if n.user_id == user.id),
        key=lambda n: n.id,
        reverse=True,
    )
    page, following = paginate(works, int_param(request, "offset", 0))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    return json_response(
        {
            "user": shapes.user(user, who),
            "novels": [shapes.novel(n, who, tr) for n in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
        }
    )


def _visible_marks(request: web.Request, marks: dict[int, dict[int, Bookmark]]) -> list[Bookmark]:
    user = find_user(request)
    restrict = restrict_param(request)
    if restrict == "private" and user.id != viewer(request):
        return []
    tag = request.query.get("tag")
    chosen = [
        b
        for b in marks.get(user.id, {}).values()
        if b.restrict == restrict and (not tag or tag in b.tags)
    ]
    return sorted(chosen, key=lambda b: b.bookmark_id, reverse=True)


def _bookmark_page(
    request: web.Request, marks: list[Bookmark]
) -> tuple[list[Bookmark], str | None]:
    # §2/§5: bookmark lists page by max_bookmark_id (inclusive), not by offset.
    max_id = int_param(request, "max_bookmark_id", 0)
    if max_id:
        marks = [b for b in marks if b.bookmark_id <= max_id]
    page, rest = marks[:30], marks[30:]
    return page, next_url(request, max_bookmark_id=rest[0].bookmark_id) if rest else None


async def bookmarks_illust(request: web.Request) -> web.Response:
    state = ctx(request).state
    page, following = _bookmark_page(request, _visible_marks(request, state.illust_bookmarks))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    works = [
        shapes.illust(state.illusts[b.work_id], who, tr) for b in page if b.work_id in state.illusts
    ]
    return json_response({"illusts": works, "next_url": following})


async def bookmarks_novel(request: web.Request) -> web.Response:
    state = ctx(request).state
    page, following = _bookmark_page(request, _visible_marks(request, state.novel_bookmarks))
    shapes = ctx(request).shapes_for(request)
    who, tr = viewer(request), translate(request)
    works = [shapes.novel(state.novels[b.work_id], who, tr) for b in page]
    return json_response({"novels": works, "next_url": following})


async def bookmark_tags(request: web.Request) -> web.Response:
    state = ctx(request).state
    if restrict_param(request) == "private" and find_user(request).id != viewer(request):
        # Live (and the seed's docs): another user's private tags are an error, not [].
        raise ApiError(api_error(400, message=PRIVATE_TAGS_REFUSED))
    marks = _visible_marks(request, state.illust_bookmarks)
    counts = Counter(t for b in marks for t in b.tags)
    tags = [{"name": n, "count": c} for n, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    page, following = paginate(tags, int_param(request, "offset", 0))
    return json_response(
        {
            "bookmark_tags": page,
            "next_url": next_url(request, offset=following) if following is not None else None,
        }
    )


def _previews(request: web.Request, users: list[User]) -> web.Response:
    page, following = paginate(users, int_param(request, "offset", 0))
    shapes = ctx(request).shapes_for(request)
    who = viewer(request)
    return json_response(
        {
            "user_previews": [shapes.user_preview(u, who) for u in page],
            "next_url": next_url(request, offset=following) if following is not None else None,
        }
    )


async def user_following(request: web.Request) -> web.Response:
    user = find_user(request)
    state = ctx(request).state
    restrict = restrict_param(request)
    if restrict == "private" and user.id != viewer(request):
        return _previews(request, [])
    ids = [u for u, r in state.follows.get(user.id, {}).items() if r == restrict]
    return _previews(request, [state.users[u] for u in sorted(ids) if u in state.users])


async def user_follower(request: web.Request) -> web.Response:
    # §2: the seed sends no user_id (the token's user is meant); pixivpy sends one.
    user = find_user(request, default=viewer(request))
    state = ctx(request).state
    who = viewer(request)
    ids = [
        f
        for f, targets in state.follows.items()
        if user.id in targets and (targets[user.id] == "public" or user.id == who or f == who)
    ]
    return _previews(request, [state.users[f] for f in sorted(ids) if f in state.users])


async def user_related(request: web.Request) -> web.Response:
    seed = find_user(request, "seed_user_id")
    state = ctx(request).state
    who = viewer(request)
    others = [u for uid, u in sorted(state.users.items()) if uid not in (seed.id, who)]
    return _previews(request, others)


async def follow_add(request: web.Request) -> web.Response:
    target = find_user(request)
    ctx(request).state.follow(viewer(request), target.id, restrict_param(request))  # type: ignore[arg-type]
    return json_response({})


async def follow_delete(request: web.Request) -> web.Response:
    target = find_user(request)
    ctx(request).state.unfollow(viewer(request), target.id)
    return json_response({})


routes = [
    web.get("/v1/user/detail", user_detail),
    web.get("/v1/user/illusts", user_illusts),
    web.get("/v1/user/novels", user_novels),
    web.get("/v1/user/bookmarks/illust", bookmarks_illust),
    web.get("/v1/user/bookmarks/novel", bookmarks_novel),
    web.get("/v1/user/bookmark-tags/illust", bookmark_tags),
    web.get("/v1/user/following", user_following),
    web.get("/v1/user/follower", user_follower),
    web.get("/v1/user/related", user_related),
    web.post("/v1/user/follow/add", follow_add),
    web.post("/v1/user/follow/delete", follow_delete),
]
