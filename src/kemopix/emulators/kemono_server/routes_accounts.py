"""Accounts, favorites, moderator and administrator endpoints (kemono-protocol.md §2.5-§2.8)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .context import Context, bad_request, error
from .dataset import Json
from .shapes import with_neighbours
from .state import Account
from .timefmt import iso, iso_micro

__all__ = ["account_routes"]

_ROLES = ("consumer", "moderator", "administrator")
_ADMIN_PAGE_LIMIT = 25


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def account_routes(ctx: Context) -> list[web.RouteDef]:
    def need(request: web.Request, role: str | None = None) -> Account | web.Response:
        account = ctx.account(request)
        if account is None:
            return error(ctx, 401, "Not logged in.")
        if role is not None and account.role != role and account.role != "administrator":
            return error(ctx, 404, "Not Found")  # §1: insufficient role → 404
        return account

    async def register(request: web.Request) -> web.Response:
        body = await _body(request)
        username = str(body.get("username") or "").strip()
        password = str(body.get("password") or "")
        confirm = str(body.get("confirm_password") or "")
        if not username or not password:
            return bad_request(ctx, "Username and password are required.")
        if password != confirm:
            return bad_request(ctx, "Passwords do not match.")
        with ctx.state.lock:
            if username in ctx.state.by_name:
                return bad_request(ctx, "Username already taken.")
            account = ctx.state.register(username, password)
        return ctx.json(account.public())

    async def login(request: web.Request) -> web.Response:
        if ctx.account(request) is not None:
            return error(ctx, 409, "Already logged in.")
        body = await _body(request)
        username = str(body.get("username") or "")
        if not ctx.state.login_allowed(username):
            response = error(ctx, 429, "Too many login attempts.")
            response.headers["Retry-After"] = "300"
            return response
        account = ctx.state.by_name.get(username)
        if account is None or not ctx.state.check_password(account, str(body.get("password"))):
            return bad_request(ctx, "Username or password is incorrect.")
        response = ctx.json(account.public())
        response.set_cookie(
            "session",
            ctx.state.new_session(account),
            httponly=True,
            max_age=30 * 86_400,
            path="/",
            samesite="Lax",
        )
        return response

    async def logout(request: web.Request) -> web.Response:
        token = request.cookies.get("session")
        if token:
            ctx.state.sessions.pop(token, None)
        response = ctx.json({"message": "Logged out."})
        response.del_cookie("session", path="/")
        return response

    async def account_info(request: web.Request) -> web.Response:
        account = need(request)
        return account if isinstance(account, web.Response) else ctx.json(account.public())

    async def change_password(request: web.Request) -> web.Response:
        account = need(request)
        if isinstance(account, web.Response):
            return account
        body = await _body(request)
        new = str(body.get("new-password") or "")
        if not ctx.state.check_password(account, str(body.get("current-password") or "")):
            return bad_request(ctx, "Current password is incorrect.")
        if not new or new != body.get("new-password-confirmation"):
            return bad_request(ctx, "New passwords do not match.")
        ctx.state.set_password(account, new)
        return ctx.json({"message": "Password changed."})

    async def favorites(request: web.Request) -> web.Response:
        account = need(request)
        if isinstance(account, web.Response):
            return account
        kind = request.query.get("type", "artist")
        if kind == "post":
            return ctx.json(_favorite_posts(ctx, account))
        if kind not in ("artist", "creator"):
            return bad_request(ctx, "Invalid type.")
        out = []
        for (service, creator_id), seq in ctx.state.fav_creators.get(account.id, {}).items():
            creator = ctx.state.creator(service, creator_id)
            if creator is not None:
                out.append(
                    {
                        "id": creator.id,
                        "name": creator.name,
                        "service": creator.service,
                        "indexed": iso(creator.indexed),
                        "updated": iso(creator.updated),
                        "public_id": None,
                        "relation_id": None,
                        "faved_seq": seq,
                        "last_imported": iso(creator.updated),
                    }
                )
        return ctx.json(out)

    async def fav_creator(request: web.Request) -> web.Response:
        account = need(request)
        if isinstance(account, web.Response):
            return account
        key = (request.match_info["service"], request.match_info["creator_id"])
        if ctx.state.creator(*key) is None:
            return error(ctx, 404, "Creator not found.")
        with ctx.state.lock:
            favs = ctx.state.fav_creators.setdefault(account.id, {})
            if request.method == "POST":
                favs.setdefault(key, ctx.state.next_fav_seq())  # idempotent (B semantics)
            else:
                favs.pop(key, None)
        return web.Response(status=200)

    async def fav_post(request: web.Request) -> web.Response:
        account = need(request)
        if isinstance(account, web.Response):
            return account
        info = request.match_info
        key = (info["service"], info["creator_id"], info["post_id"])
        if ctx.state.find_post(*key) is None:
            return error(ctx, 404, "Post not found.")
        with ctx.state.lock:
            favs = ctx.state.fav_posts.setdefault(account.id, {})
            if request.method == "POST":
                favs.setdefault(key, ctx.state.next_fav_seq())
            else:
                favs.pop(key, None)
        return web.Response(status=200)

    async def mod_tasks(request: web.Request) -> web.Response:
        account = need(request, "moderator")
        if isinstance(account, web.Response):
            return account
        pending = [r.public() for r in ctx.state.link_requests.values() if r.status == "pending"]
        return ctx.json(pending)

    async def mod_decide(request: web.Request) -> web.Response:
        account = need(request, "moderator")
        if isinstance(account, web.Response):
            return account
        try:
            link = ctx.state.link_requests.get(int(request.match_info["request_id"]))
        except ValueError:
            link = None
        if link is None or link.status != "pending":
            return error(ctx, 404, "Link request not found.")
        link.status = "approved" if request.match_info["action"] == "approve" else "rejected"
        return ctx.json({"message": f"Request {link.status}."})

    async def admin_accounts(request: web.Request) -> web.Response:
        account = need(request, "administrator")
        if isinstance(account, web.Response):
            return account
        try:
            page = int(request.query.get("page", "1"))
            limit = min(int(request.query.get("limit", str(_ADMIN_PAGE_LIMIT))), _ADMIN_PAGE_LIMIT)
        except ValueError:
            return bad_request(ctx, "Invalid page or limit.")
        if page < 1 or limit < 1:
            return bad_request(ctx, "Invalid page or limit.")
        role = request.query.get("role", "all")
        name = request.query.get("name")
        rows = list(ctx.state.accounts.values())
        # §2.8 (B): "all" lists consumers and moderators only; name is a substring match.
        rows = [a for a in rows if (a.role != "administrator" if role == "all" else a.role == role)]
        if name:
            rows = [a for a in rows if name in a.username]
        rows.sort(key=lambda a: (a.created_at, a.id), reverse=True)
        window = rows[(page - 1) * limit : page * limit]
        return ctx.json(
            {
                "accounts": [a.public() for a in window],
                "total_count": len(rows),
                "page": page,
                "limit": limit,
            }
        )

    async def admin_roles(request: web.Request) -> web.Response:
        account = need(request, "administrator")
        if isinstance(account, web.Response):
            return account
        body = await _body(request)
        changed = 0
        for role in ("moderator", "consumer"):
            for raw in body.get(role) or []:
                try:
                    target = ctx.state.accounts.get(int(raw))
                except (TypeError, ValueError):
                    return bad_request(ctx, f"Invalid account id {raw!r}.")
                if target is None or target.role == role:
                    continue
                ctx.state.notifications.setdefault(target.id, []).append(
                    {
                        "type": 1,
                        "created_at": iso_micro(0),
                        "extra_info": {"old_role": target.role, "new_role": role},
                    }
                )
                target.role = role
                changed += 1
        return ctx.json({"changed": changed})

    async def notifications(request: web.Request) -> web.Response:
        account = need(request)
        if isinstance(account, web.Response):
            return account
        return ctx.json(ctx.state.notifications.get(account.id, []))

    v1 = "/api/v1"
    return [
        web.post(v1 + "/authentication/register", register),
        web.post(v1 + "/authentication/login", login),
        web.post(v1 + "/authentication/logout", logout),
        web.get(v1 + "/account", account_info),
        web.post(v1 + "/account/change_password", change_password),
        web.get(v1 + "/account/notifications", notifications),
        web.get(v1 + "/account/favorites", favorites),
        web.post(v1 + "/favorites/creator/{service}/{creator_id}", fav_creator),
        web.delete(v1 + "/favorites/creator/{service}/{creator_id}", fav_creator),
        web.post(v1 + "/favorites/post/{service}/{creator_id}/{post_id}", fav_post),
        web.delete(v1 + "/favorites/post/{service}/{creator_id}/{post_id}", fav_post),
        web.get(v1 + "/account/moderator/tasks/creator_links", mod_tasks),
        web.post(
            v1 + "/account/moderator/creator_link_requests/{request_id}/{action:approve|reject}",
            mod_decide,
        ),
        web.get(v1 + "/account/administrator/accounts", admin_accounts),
        web.post(v1 + "/account/administrator/accounts", admin_roles),
    ]


def _favorite_posts(ctx: Context, account: Account) -> list[Json]:
    out = []
    for (service, creator_id, post_id), seq in ctx.state.fav_posts.get(account.id, {}).items():
        posts = ctx.state.posts_of(service, creator_id) or []
        for index, post in enumerate(posts):
            if post["id"] == post_id:
                out.append(dict(with_neighbours(posts, index), faved_seq=seq))
    return out
