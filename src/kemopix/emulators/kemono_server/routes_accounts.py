"""Accounts, favorites, moderator and administrator endpoints (kemono-protocol.md §2.5-§2.8)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .accounts import Account
from .context import Context
from .dataset import Json
from .errors import bad_request, error
from .shapes import creator_time, full_post
from .timefmt import iso

__all__ = ["account_routes"]

_ROLES = ("consumer", "moderator", "administrator")
_ADMIN_PAGE_LIMIT = 25


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class AccountRoutes:
    """Account, favorite, moderator and administrator endpoints: one method per action."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _need(self, request: web.Request, role: str | None = None) -> Account | web.Response:
        account = self.ctx.account(request)
        if account is None:
            return error(self.ctx, 401, "Not logged in.")
        if role is not None and account.role != role and account.role != "administrator":
            return error(self.ctx, 404, "Not Found")  # §1: insufficient role → 404
        return account

    async def register(self, request: web.Request) -> web.Response:
        body = await _body(request)
        username = str(body.get("username") or "").strip()
        password = str(body.get("password") or "")
        confirm = str(body.get("confirm_password") or "")
        if not username or not password:
            return bad_request(self.ctx, "Username and password are required.")
        if password != confirm:
            return bad_request(self.ctx, "Passwords do not match.")
        account = self.ctx.accounts.register(username, password)
        if account is None:
            return bad_request(self.ctx, "Username already taken.")
        return self.ctx.json(account.public())

    async def login(self, request: web.Request) -> web.Response:
        if self.ctx.account(request) is not None:
            return error(self.ctx, 409, "Already logged in.")
        body = await _body(request)
        username = str(body.get("username") or "")
        if not self.ctx.accounts.login_allowed(username):
            response = error(self.ctx, 429, "Too many login attempts.")
            response.headers["Retry-After"] = "300"
            return response
        account = self.ctx.accounts.named(username)
        if account is None or not self.ctx.accounts.check_password(
            account, str(body.get("password"))
        ):
            return bad_request(self.ctx, "Username or password is incorrect.")
        response = self.ctx.json(account.public())
        response.set_cookie(
            "session",
            self.ctx.accounts.new_session(account),
            httponly=True,
            max_age=30 * 86_400,
            path="/",
            samesite="Lax",
        )
        return response

    async def logout(self, request: web.Request) -> web.Response:
        token = request.cookies.get("session")
        if token:
            self.ctx.accounts.end_session(token)
        response = self.ctx.json({"message": "Logged out."})
        response.del_cookie("session", path="/")
        return response

    async def account_info(self, request: web.Request) -> web.Response:
        account = self._need(request)
        return account if isinstance(account, web.Response) else self.ctx.json(account.public())

    async def change_password(self, request: web.Request) -> web.Response:
        account = self._need(request)
        if isinstance(account, web.Response):
            return account
        body = await _body(request)
        new = str(body.get("new-password") or "")
        if not self.ctx.accounts.check_password(account, str(body.get("current-password") or "")):
            return bad_request(self.ctx, "Current password is incorrect.")
        if not new or new != body.get("new-password-confirmation"):
            return bad_request(self.ctx, "New passwords do not match.")
        self.ctx.accounts.set_password(account, new)
        return self.ctx.json({"message": "Password changed."})

    async def favorites(self, request: web.Request) -> web.Response:
        account = self._need(request)
        if isinstance(account, web.Response):
            return account
        kind = request.query.get("type", "artist")
        if kind == "post":
            return self.ctx.json(_favorite_posts(self.ctx, account))
        if kind not in ("artist", "creator"):
            return bad_request(self.ctx, "Invalid type.")
        out = []
        for service, creator_id, seq in self.ctx.accounts.favorite_creators(account.id):
            creator = self.ctx.state.creator(service, creator_id)
            if creator is not None:
                out.append(
                    {
                        "id": creator.id,
                        "name": creator.name,
                        "service": creator.service,
                        "indexed": creator_time(creator.id, creator.indexed),
                        "updated": creator_time(creator.id, creator.updated),
                        "public_id": None,
                        "relation_id": None,
                        "faved_seq": seq,
                        "last_imported": iso(creator.updated),
                    }
                )
        return self.ctx.json(out)

    async def fav_creator(self, request: web.Request) -> web.Response:
        account = self._need(request)
        if isinstance(account, web.Response):
            return account
        key = (request.match_info["service"], request.match_info["creator_id"])
        if self.ctx.state.creator(*key) is None:
            return error(self.ctx, 404, "Creator not found.")
        # Adding is idempotent (B semantics).
        self.ctx.accounts.favorite_creator(account.id, key, request.method == "POST")
        return web.Response(status=200)

    async def fav_post(self, request: web.Request) -> web.Response:
        account = self._need(request)
        if isinstance(account, web.Response):
            return account
        info = request.match_info
        key = (info["service"], info["creator_id"], info["post_id"])
        if self.ctx.state.find_post(*key) is None:
            return error(self.ctx, 404, "Post not found.")
        self.ctx.accounts.favorite_post(account.id, key, request.method == "POST")
        return web.Response(status=200)

    async def mod_tasks(self, request: web.Request) -> web.Response:
        account = self._need(request, "moderator")
        if isinstance(account, web.Response):
            return account
        return self.ctx.json([r.public() for r in self.ctx.accounts.pending_link_requests()])

    async def mod_decide(self, request: web.Request) -> web.Response:
        account = self._need(request, "moderator")
        if isinstance(account, web.Response):
            return account
        approve = request.match_info["action"] == "approve"
        try:
            request_id = int(request.match_info["request_id"])
        except ValueError:
            return error(self.ctx, 404, "Link request not found.")
        status = self.ctx.accounts.decide_link_request(request_id, approve)
        if status is None:
            return error(self.ctx, 404, "Link request not found.")
        return self.ctx.json({"message": f"Request {status}."})

    async def admin_accounts(self, request: web.Request) -> web.Response:
        account = self._need(request, "administrator")
        if isinstance(account, web.Response):
            return account
        try:
            page = int(request.query.get("page", "1"))
            limit = min(int(request.query.get("limit", str(_ADMIN_PAGE_LIMIT))), _ADMIN_PAGE_LIMIT)
        except ValueError:
            return bad_request(self.ctx, "Invalid page or limit.")
        if page < 1 or limit < 1:
            return bad_request(self.ctx, "Invalid page or limit.")
        role = request.query.get("role", "all")
        name = request.query.get("name")
        rows = self.ctx.accounts.all()
        # §2.8 (B): "all" lists consumers and moderators only; name is a substring match.
        rows = [a for a in rows if (a.role != "administrator" if role == "all" else a.role == role)]
        if name:
            rows = [a for a in rows if name in a.username]
        rows.sort(key=lambda a: (a.created_at, a.id), reverse=True)
        window = rows[(page - 1) * limit : page * limit]
        return self.ctx.json(
            {
                "accounts": [a.public() for a in window],
                "total_count": len(rows),
                "page": page,
                "limit": limit,
            }
        )

    async def admin_roles(self, request: web.Request) -> web.Response:
        account = self._need(request, "administrator")
        if isinstance(account, web.Response):
            return account
        body = await _body(request)
        changed = 0
        for role in ("moderator", "consumer"):
            for raw in body.get(role) or []:
                try:
                    target = int(raw)
                except (TypeError, ValueError):
                    return bad_request(self.ctx, f"Invalid account id {raw!r}.")
                changed += self.ctx.accounts.set_role(target, role)
        return self.ctx.json({"changed": changed})

    async def notifications(self, request: web.Request) -> web.Response:
        account = self._need(request)
        if isinstance(account, web.Response):
            return account
        return self.ctx.json(self.ctx.accounts.notifications(account.id))

    def routes(self) -> list[web.RouteDef]:
        """The routes of this resource."""
        v1 = "/api/v1"
        return [
            web.post(v1 + "/authentication/register", self.register),
            web.post(v1 + "/authentication/login", self.login),
            web.post(v1 + "/authentication/logout", self.logout),
            web.get(v1 + "/account", self.account_info),
            web.post(v1 + "/account/change_password", self.change_password),
            web.get(v1 + "/account/notifications", self.notifications),
            web.get(v1 + "/account/favorites", self.favorites),
            web.post(v1 + "/favorites/creator/{service}/{creator_id}", self.fav_creator),
            web.delete(v1 + "/favorites/creator/{service}/{creator_id}", self.fav_creator),
            web.post(v1 + "/favorites/post/{service}/{creator_id}/{post_id}", self.fav_post),
            web.delete(v1 + "/favorites/post/{service}/{creator_id}/{post_id}", self.fav_post),
            web.get(v1 + "/account/moderator/tasks/creator_links", self.mod_tasks),
            web.post(
                v1
                + "/account/moderator/creator_link_requests/{request_id}/{action:approve|reject}",
                self.mod_decide,
            ),
            web.get(v1 + "/account/administrator/accounts", self.admin_accounts),
            web.post(v1 + "/account/administrator/accounts", self.admin_roles),
        ]


def account_routes(ctx: Context) -> list[web.RouteDef]:
    """The routes, for :class:`.server.KemonoEmulator`."""
    return AccountRoutes(ctx).routes()


def _favorite_posts(ctx: Context, account: Account) -> list[Json]:
    out = []
    for service, creator_id, post_id, seq in ctx.accounts.favorite_posts(account.id):
        post = ctx.state.post_with_neighbours(service, creator_id, post_id)
        if post is not None:
            out.append(dict(full_post(post, ctx.flavour), faved_seq=seq))
    return out
