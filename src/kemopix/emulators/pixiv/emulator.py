"""``PixivEmulator``: the Pixiv App API, OAuth and image host on one local origin."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

from .._faults import FaultInjector, FaultRule
from .._server import EmulatorServer
from . import mutations
from .app import build_app
from .context import EmulatorConfig
from .dataset import (
    DEMO_ACCOUNT,
    DEMO_ARTIST_ID,
    DEMO_PASSWORD,
    DEMO_REFRESH_TOKEN,
    DEMO_USER_ID,
    QUICKSTART_ARTIST_ID,
    QUICKSTART_ILLUST_ID,
    DatasetSpec,
)
from .ratelimit import RateLimiter
from .shapes import LANG_NONE
from .state import PixivState, StateError, Viewer
from .urls import ImageUrls
from .views import Ctx, Views

__all__ = ["PixivEmulator"]

FaultKindArg = Literal[
    "status", "reset", "truncate", "bad_length", "slow", "challenge", "rate_limit"
]


class PixivEmulator(EmulatorServer):
    """A faithful local Pixiv: ``with PixivEmulator() as emu: ... emu.url ...``.

    ``emu.url`` serves the App API (``/v1``, ``/v2``, ``/v3``, ``/webview``), the token
    endpoint ``/auth/token``, the login pages, the images (live paths such as
    ``/img-original/img/…/75523989_p0.png``) and the control plane ``/_emulator/…``.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        access_token_ttl: float = 3600.0,
        rate_limit: float | None = None,
        rate_limit_status: int = 429,
        db_path: str | Path | None = None,
        fault_seed: int = 0,
        require_client_hash: bool = True,
        allow_password_grant: bool = True,
        require_referer: bool = True,
        users: int = 40,
        works_per_user: int = 8,
        novels_per_user: int = 2,
        comments_per_work: int = 5,
        bookmarks_per_user: int = 12,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
    ) -> None:
        super().__init__(host=host, port=port)
        if access_token_ttl <= 0:
            raise ValueError("access_token_ttl must be positive")
        self.spec = DatasetSpec(
            seed, users, works_per_user, novels_per_user, comments_per_work, bookmarks_per_user
        )
        self.state = PixivState(self.spec, db_path)
        self.faults = FaultInjector(fault_seed)
        self.limiter = RateLimiter()
        self.config = EmulatorConfig(
            access_token_ttl=access_token_ttl,
            rate_limit=rate_limit,
            rate_limit_status=rate_limit_status,
            require_client_hash=require_client_hash,
            allow_password_grant=allow_password_grant,
            require_referer=require_referer,
        )
        self._defaults = (access_token_ttl, rate_limit)
        self._public_url = public_url.rstrip("/") if public_url else None
        self.images = ImageUrls(self._public_url or f"http://{host}:{port or 0}")
        self.views = Views(self.state, self.images)

    def __repr__(self) -> str:
        where = self.url if self.port else "not running"
        return f"<PixivEmulator seed={self.spec.seed} {where}>"

    # -- server -----------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        return build_app(self.state, self.views, self.config, self.limiter, self.faults, self)

    def start(self) -> Self:
        super().start()
        origin = self._public_url or self.url
        self.config.public_url = origin
        self.images.origin = origin
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        self.state.close()

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "emulator": "pixiv",
            "seed": self.spec.seed,
            "url": self.config.public_url,
            "demo_user_id": DEMO_USER_ID,
        }

    # -- settings ---------------------------------------------------------------------------
    @property
    def access_token_ttl(self) -> float:
        """Seconds an access token lives (``expires_in``); settable, restored by reset()."""
        return self.config.access_token_ttl

    @access_token_ttl.setter
    def access_token_ttl(self, value: float) -> None:
        if value <= 0:
            raise ValueError("access_token_ttl must be positive")
        self.config.access_token_ttl = float(value)

    @property
    def rate_limit(self) -> float | None:
        """Requests per second per access token before "Rate Limit" (None: unlimited)."""
        return self.config.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: float | None) -> None:
        self.config.rate_limit = value
        self.limiter.clear()

    # -- the demo dataset -------------------------------------------------------------------
    @property
    def demo_account(self) -> dict[str, Any]:
        """The fixed demo account: ids, name, password and refresh token."""
        return {
            "user_id": DEMO_USER_ID,
            "account": DEMO_ACCOUNT,
            "password": DEMO_PASSWORD,
            "refresh_token": DEMO_REFRESH_TOKEN,
        }

    demo_user_id = DEMO_USER_ID
    demo_username = DEMO_ACCOUNT
    demo_password = DEMO_PASSWORD
    demo_refresh_token = DEMO_REFRESH_TOKEN
    demo_artist_id = DEMO_ARTIST_ID
    quickstart_artist_id = QUICKSTART_ARTIST_ID
    quickstart_illust_id = QUICKSTART_ILLUST_ID

    # -- control ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seeded dataset, no faults, no tokens, default TTL and rate limit."""
        self.state.reset()
        self.faults.clear()
        self.limiter.clear()
        self.config.access_token_ttl, self.config.rate_limit = self._defaults

    def add_fault(
        self,
        kind: FaultKindArg,
        *,
        path: str = ".*",
        method: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        probability: float | None = None,
        sequence: list[str] | list[bool] | None = None,
        times: int | None = None,
        delay: float = 0.05,
    ) -> FaultRule:
        """Inject a fault on matching requests (see ``kemopix.emulators._faults``).

        ``kind="rate_limit"`` answers the live "Rate Limit" error. Without ``sequence`` or
        ``probability`` the fault fires on every match (up to ``times``).
        """
        if kind == "rate_limit":
            kind, status = "status", self.config.rate_limit_status
        steps = [item in (True, "fault", 1) for item in (sequence or [])]
        if probability is None:
            probability = 0.0 if steps else 1.0
        rule = FaultRule(
            kind=kind,
            path=path,
            method=method,
            status=status if status is not None else 503,
            retry_after=retry_after,
            probability=probability,
            sequence=steps,
            times=times,
            delay=delay,
        )
        return self.faults.add(rule)

    def clear_faults(self) -> None:
        self.faults.clear()

    def expire_tokens(self) -> int:
        """Expire every access token now (refresh tokens stay valid)."""
        return self.state.tokens.expire_all()

    expire_access_tokens = expire_tokens

    def access_token_for(self, user: int | None = None) -> str:
        """A valid access token for ``user`` (the demo account by default), minted directly."""
        user_id = DEMO_USER_ID if user is None else user
        if self.state.user(user_id) is None:
            raise StateError(f"no user {user_id}")
        return self.state.tokens.issue(user_id, self.config.access_token_ttl)

    def issue_authorization_code(
        self, code_challenge: str, user: int | str | None = None, method: str = "S256"
    ) -> str:
        """A login code as the PKCE login page would give (demo account unless ``user``)."""
        if user is None:
            user_id = DEMO_USER_ID
        elif isinstance(user, int) or str(user).isdigit():
            user_id = int(user)
        else:
            row = self.state.one("SELECT id FROM users WHERE account = ?", user)
            if row is None:
                raise StateError(f"no account {user!r}")
            user_id = int(row[0])
        if self.state.user(user_id) is None:
            raise StateError(f"no user {user_id}")
        return self.state.tokens.issue_code(user_id, code_challenge, method)

    def create_account(
        self,
        name: str,
        *,
        password: str | None = None,
        account: str | None = None,
        mail_address: str | None = None,
        x_restrict: int = 0,
        is_premium: bool = False,
    ) -> dict[str, Any]:
        """A new account: ``id``/``user_id``, ``account``, ``password``, ``refresh_token``…"""
        return mutations.create_account(
            self.state,
            name,
            password=password,
            account=account,
            mail_address=mail_address,
            x_restrict=x_restrict,
            is_premium=is_premium,
        )

    def _owner_ctx(self, user_id: int) -> Ctx:
        return Ctx(Viewer(user_id, 2, True), LANG_NONE, {})

    def add_illustration(
        self,
        user_id: int,
        *,
        title: str,
        pages: int = 1,
        kind: Literal["illust", "manga", "ugoira"] = "illust",
        tags: list[str] | None = None,
        caption: str = "",
        x_restrict: int = 0,
        ext: str = "png",
        frames: list[int] | None = None,
    ) -> dict[str, Any]:
        """A new work by ``user_id``, newest of all; returns it as ``illust_detail`` shows it."""
        work_id = mutations.add_illustration(
            self.state,
            user_id,
            title=title,
            pages=pages,
            kind=kind,
            tags=tags,
            caption=caption,
            x_restrict=x_restrict,
            ext=ext,
            frames=frames,
        )
        shape = self.views.illust(work_id, self._owner_ctx(user_id), detail=True)
        assert shape is not None
        return shape

    def add_novel(
        self,
        user_id: int,
        *,
        title: str,
        text: str,
        tags: list[str] | None = None,
        caption: str = "",
        series_id: int | None = None,
    ) -> dict[str, Any]:
        """A new novel by ``user_id``; returns it as ``novel_detail`` shows it."""
        novel_id = mutations.add_novel(
            self.state,
            user_id,
            title=title,
            text=text,
            tags=tags,
            caption=caption,
            series_id=series_id,
        )
        shape = self.views.novel(novel_id, self._owner_ctx(user_id))
        assert shape is not None
        return shape
