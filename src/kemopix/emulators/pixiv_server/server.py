"""``PixivEmulator``: the App API, OAuth and the image host on one local port."""

from __future__ import annotations

import os
from typing import Any

from aiohttp import web

from .._faults import FaultInjector, FaultRule, fault_middleware, fault_routes
from .._server import EmulatorServer
from . import (
    routes_auth,
    routes_illust,
    routes_more,
    routes_novel,
    routes_search,
    routes_user,
)
from .context import CTX, Context, api_middleware
from .dataset import (
    DEMO_ARTIST_ID,
    DEMO_PASSWORD,
    DEMO_REFRESH_TOKEN,
    DEMO_USER_ID,
    DEMO_USERNAME,
    IllustKind,
)
from .errors import error_page, json_response
from .imagehost import routes as image_routes
from .shapes import Shapes
from .state import PixivState

__all__ = ["PixivEmulator"]


class PixivEmulator(EmulatorServer):
    """A faithful local Pixiv (pixiv-protocol.md): ``with PixivEmulator() as emu: emu.url``.

    ``rate_limit`` is requests per second per access token (None: unlimited);
    ``require_client_hash`` makes ``/auth/token`` check X-Client-Hash; ``password_grant``
    makes it take the password grant that live pixiv refuses since 2021 (settable later:
    ``emu.password_grant = True``).

    ``database`` is the SQLite database holding the dataset and the state (users, works with
    pages and tags, novels, comments, bookmarks, follows, accounts with salted password
    hashes, access and refresh tokens, login codes). ``":memory:"`` (the default) lasts as
    long as the emulator runs; a file path (opened in WAL mode) that already holds the dataset
    of the same ``seed`` is reused, so accounts, tokens, bookmarks and follows survive a
    restart; any other file of the emulator's is rebuilt from the seed. ``reset()`` restores
    the seeded rows either way. The database is closed on :meth:`stop`. Image and ugoira zip
    bytes are not stored: they are rendered from the seed and the stored metadata.
    """

    def __init__(
        self,
        seed: int = 0,
        access_token_ttl: float = 3600.0,
        rate_limit: float | None = None,
        require_client_hash: bool = True,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        database: str | os.PathLike[str] = ":memory:",
        password_grant: bool = False,
    ) -> None:
        super().__init__(host=host, port=port)
        self._password_grant_default = password_grant
        self.state = PixivState(seed, access_token_ttl, database)
        self._initial_ttl = access_token_ttl
        self.faults = FaultInjector(seed)
        self._context = Context(
            self.state, rate_limit=rate_limit, require_client_hash=require_client_hash
        )
        self._context.password_grant = password_grant

    @property
    def password_grant(self) -> bool:
        """Whether ``/auth/token`` takes the seed's password grant (live pixiv refuses it since
        2021, and so does the emulator by default); :meth:`reset` restores the constructor's
        value."""
        return self._context.password_grant

    @password_grant.setter
    def password_grant(self, allowed: bool) -> None:
        self._context.password_grant = bool(allowed)

    # ----- server

    def build_app(self) -> web.Application:
        app = web.Application(
            middlewares=[fault_middleware(self.faults, error_page), api_middleware]
        )
        app[CTX] = self._context
        app.add_routes(routes_auth.routes)
        app.add_routes(routes_illust.routes)
        app.add_routes(routes_user.routes)
        app.add_routes(routes_search.routes)
        app.add_routes(routes_novel.routes)
        app.add_routes(routes_more.routes)
        app.add_routes(image_routes)
        app.add_routes(fault_routes(self.faults))
        app.add_routes(self._control_routes())
        return app

    def start(self) -> PixivEmulator:
        if self._thread is None:  # (re)open the database closed by a previous stop()
            self.state.open()
            self._context.reset()
        super().start()
        self._context.base = self.url
        return self

    def stop(self) -> None:
        """Stop serving, then close the database."""
        super().stop()
        self.state.close()

    @property
    def database(self) -> str | os.PathLike[str]:
        """Where the dataset and state are stored (``":memory:"`` or a file path)."""
        return self.state.database

    @property
    def api_url(self) -> str:
        """Where App API calls go (the same origin as :attr:`url`)."""
        return self.url

    @property
    def oauth_url(self) -> str:
        """Where ``/auth/token`` is served (the same origin as :attr:`url`)."""
        return self.url

    # ----- accounts, state, faults

    @property
    def demo_account(self) -> dict[str, Any]:
        """The seeded login: ``username``, ``password``, ``refresh_token``, ``user_id``."""
        return {
            "username": DEMO_USERNAME,
            "password": DEMO_PASSWORD,
            "refresh_token": DEMO_REFRESH_TOKEN,
            "user_id": DEMO_USER_ID,
            "artist_id": DEMO_ARTIST_ID,
        }

    @property
    def demo_username(self) -> str:
        return DEMO_USERNAME

    @property
    def demo_password(self) -> str:
        return DEMO_PASSWORD

    @property
    def demo_refresh_token(self) -> str:
        return DEMO_REFRESH_TOKEN

    @property
    def access_token_ttl(self) -> float:
        """Lifetime of access tokens issued from now on (``reset()`` restores the initial one)."""
        return self.state.access_token_ttl

    @access_token_ttl.setter
    def access_token_ttl(self, seconds: float) -> None:
        self.state.access_token_ttl = float(seconds)

    def issue_authorization_code(self, code_challenge: str, user_id: int = DEMO_USER_ID) -> str:
        """A login code for ``user_id`` bound to an S256 challenge, as ``/web/v1/login`` gives."""
        return self.state.issue_code(user_id, code_challenge)

    def create_account(self, name: str, password: str = "password") -> dict[str, Any]:
        """Register a user; returns ``username``, ``password``, ``refresh_token``, ``user_id``."""
        account = self.state.create_account(name, password)
        return {
            "username": account.username,
            "password": password,
            "refresh_token": account.refresh_token,
            "user_id": account.user_id,
        }

    def expire_tokens(self) -> None:
        """Expire every access token issued so far (API calls then answer ``invalid_grant``)."""
        self.state.expire_tokens()

    expire_access_tokens = expire_tokens

    def reset(self) -> None:
        """Restore the seeded dataset and drop tokens, accounts, changes and faults."""
        self.state.reset()
        self.state.access_token_ttl = self._initial_ttl
        self._context.reset()
        self._context.password_grant = self._password_grant_default
        self.faults.clear()

    def add_fault(self, kind: str = "status", **rule: Any) -> FaultRule:
        """Add a :class:`FaultRule` (``path=``, ``status=``, ``sequence=``, ``probability=``...).

        ``kind="rate_limit"`` is shorthand for a 429 with the "Rate Limit" body; ``sequence``
        may hold booleans or "fault"/"ok".
        """
        if kind == "rate_limit":
            kind = "status"
            rule.setdefault("status", 429)
        if "sequence" in rule:
            rule["sequence"] = [step in (True, "fault", 1) for step in rule["sequence"]]
        return self.faults.add(FaultRule(kind=kind, **rule))  # type: ignore[arg-type]

    def clear_faults(self) -> None:
        self.faults.clear()

    def add_illustration(
        self,
        user_id: int,
        *,
        title: str,
        pages: int = 1,
        kind: IllustKind = "illust",
        tags: tuple[str, ...] | list[str] = (),
    ) -> dict[str, Any]:
        """Publish a work; returns its App API JSON (as the user's followers would see it)."""
        illust = self.state.add_illustration(
            user_id, title=title, pages=pages, kind=kind, tags=tuple(tags)
        )
        return Shapes(self.state, self.url if self.port else "").illust(illust, 0)

    # ----- control plane

    def _control_routes(self) -> list[web.RouteDef]:
        async def health(request: web.Request) -> web.Response:
            return json_response({"status": "ok", "site": "pixiv"})

        async def reset(request: web.Request) -> web.Response:
            self.reset()
            return json_response({"status": "reset"})

        async def accounts(request: web.Request) -> web.Response:
            try:
                data = await request.json()
                name, password = str(data["name"]), str(data.get("password", "password"))
                return json_response(self.create_account(name, password), 201)
            except (ValueError, KeyError, TypeError) as exc:
                return json_response({"error": f"bad account: {exc}"}, 400)

        return [
            web.get("/_emulator/health", health),
            web.post("/_emulator/reset", reset),
            web.post("/_emulator/accounts", accounts),
        ]
