"""``KemonoEmulator``: the site, its file hosts, and the control plane, on 127.0.0.1.

The state (creators, posts, revisions, flags, accounts, sessions, favorites, link requests,
login attempts) lives in SQLite (:mod:`.db`): in memory by default, or in a file given as
``database=`` (``--db PATH``), which is reused on the next start when it holds the dataset of
the same seed, size and flavour, and rebuilt otherwise.
"""

from __future__ import annotations

import asyncio
import os
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Self

from aiohttp import web

from .._faults import FaultInjector, FaultRule, fault_middleware, fault_routes
from .._server import EmulatorServer
from .accounts import Accounts
from .context import Context
from .dataset import Json, synthetic_creators
from .db import SCHEMA_VERSION, Database
from .errors import DDOS_GUARD_HINT, DDOS_GUARD_PAGE, FILE_429, error
from .imagehost import image_host_routes
from .murmur import file_host_index
from .ratelimit import RateLimiter
from .routes_accounts import account_routes
from .routes_creators import creator_routes
from .routes_files import file_host_routes, file_routes
from .routes_posts import post_routes
from .seeding import DEMO_CREATOR_ID, build_dataset
from .state import State

__all__ = ["DOWN_MODES", "Flavour", "KemonoEmulator", "Originals"]

Flavour = Literal["kemono", "coomer", "pawchive"]
Originals = Literal["up", "down"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# How each data host fails while the originals are "down" (live since April 2026: resets,
# refusals, TLS EOFs): n1 and n3 accept and reset the connection, n2 and n4 refuse it.
DOWN_MODES: tuple[str, ...] = ("reset", "refuse", "reset", "refuse")


def _check_originals(state: str) -> None:
    if state not in ("up", "down"):
        raise ValueError(f"originals must be 'up' or 'down', not {state!r}")


async def _reset_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read what the client sends (briefly), then drop the connection with a TCP RST."""
    try:
        await asyncio.wait_for(reader.read(65536), timeout=2)
    except (TimeoutError, ConnectionError):
        pass
    _reset(writer.transport)


def _reset(transport: asyncio.WriteTransport) -> None:
    """Close with a TCP RST (SO_LINGER 0), not a FIN: what a dying host does."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class _Host:
    """One host beside the site: a data host (n1..n4, pawchive's ``file``), serving or failing
    at connection level, or the image host (always serving)."""

    def __init__(self, runner: web.AppRunner, host: str, down_mode: str) -> None:
        self.runner = runner
        self.host = host
        self.port = 0
        self.down_mode = down_mode
        self._site: web.TCPSite | None = None
        self._raw: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def up(self) -> None:
        if self._raw is not None:
            self._raw.close()
            await self._raw.wait_closed()
            self._raw = None
        if self._site is None:
            site = web.TCPSite(self.runner, self.host, self.port, backlog=1024, reuse_address=True)
            await site.start()
            sockets: list[Any] = list(getattr(site._server, "sockets", None) or [])
            self.port = int(sockets[0].getsockname()[1])
            self._site = site

    async def down(self) -> None:
        if self._site is not None:
            await self._site.stop()
            self._site = None
            # Kept-alive connections die too: a client's pooled connection gets a reset.
            server = self.runner.server
            for handler in server.connections if server is not None else []:
                if handler.transport is not None:
                    _reset(handler.transport)
        if self.down_mode == "reset" and self._raw is None:
            self._raw = await asyncio.start_server(
                _reset_connection, self.host, self.port, reuse_address=True
            )

    async def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            await self._raw.wait_closed()
            self._raw = None
        await self.runner.cleanup()

    @classmethod
    async def serve(cls, app: web.Application, host: str, down_mode: str = "refuse") -> _Host:
        """``app`` served on a free port of ``host``."""
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        served = cls(runner, host, down_mode)
        await served.up()
        return served


class KemonoEmulator(EmulatorServer):
    """A local Kemono-compatible site (``flavour`` kemono, coomer or pawchive) with file hosts.

    ``url`` is the site root (API under ``/api/v1``); ``file_host_urls`` are the n1..n4 hosts
    (one ``file`` host for pawchive). The dataset is seeded and :meth:`reset` restores it.

    ``database`` is the SQLite database holding the state: ``":memory:"`` (the default) or a
    file path. A file that already holds the dataset of the same ``seed``, ``creators`` and
    ``flavour`` is reused with everything clients changed (accounts, favorites, added posts...);
    otherwise it is rebuilt from the seed (a file some other program made is refused). The
    connection is closed by :meth:`stop` and reopened by a later :meth:`start` (an in-memory
    database then starts again from the seed). File bytes are generated from the seed in memory.

    ``img_url`` is the image host (thumbnails, icons, banners; the site itself for pawchive).
    ``originals`` is ``"up"`` (default) or ``"down"``: down, the data hosts fail at the
    connection level as kemono.cr's have since April 2026 (see :data:`DOWN_MODES`); it can be
    changed while running (``emu.originals = "up"``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        creators: int = 2000,
        flavour: Flavour = "kemono",
        rate_limit: float | None = None,
        file_rate_limit: float | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        database: str | os.PathLike[str] = ":memory:",
        originals: Originals = "up",
    ) -> None:
        if flavour not in ("kemono", "coomer", "pawchive"):
            raise ValueError(f"unknown flavour {flavour!r}")
        _check_originals(originals)
        self._originals: Originals = originals
        super().__init__(host=host, port=port)
        self.seed = seed
        self.flavour: Flavour = flavour
        self.rate_limit = rate_limit
        self.database_path = os.fspath(database)
        self.dataset = build_dataset(seed, creators, flavour)
        self.dataset.files.frozen = True
        self._fingerprint: Json = {
            "schema": SCHEMA_VERSION,
            "seed": seed,
            "creators": creators,
            "flavour": flavour,
        }
        self.faults = FaultInjector(seed)
        self._db: Database | None = self._open_database()
        self.ctx = Context(
            flavour=flavour,
            dataset=self.dataset,
            state=State(self._db, self.dataset),
            accounts=Accounts(self._db),
            host_for=self._host_for,
        )
        self._limiter = RateLimiter(rate_limit) if rate_limit else None
        # One budget for all file hosts: the live data servers limit a client, not a host.
        self._file_limiter = RateLimiter(file_rate_limit) if file_rate_limit else None
        self.file_host_urls: list[str] = []
        self._data_hosts: list[_Host] = []
        self._img_host: _Host | None = None

    # -- public helpers -------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.url + "/api/v1"

    @property
    def demo_creator(self) -> tuple[str, str]:
        """(service, id) of the hand-made demo creator."""
        return self.dataset.demo_service, DEMO_CREATOR_ID

    @property
    def img_url(self) -> str:
        """The image host: ``{img_url}/thumbnail/data{path}``, ``/icons/...``, ``/banners/...``."""
        return self.url if self._img_host is None else self._img_host.url

    def thumbnail_url(self, path: str) -> str:
        """Where the thumbnail of the image file at ``path`` is."""
        return f"{self.img_url}/thumbnail/data{path}"

    @property
    def originals(self) -> Originals:
        """``"up"``: the data hosts serve files; ``"down"``: they fail at connection level."""
        return self._originals

    @originals.setter
    def originals(self, state: Originals) -> None:
        _check_originals(state)
        self._originals = state
        loop = self._loop
        if loop is not None and self._data_hosts:
            asyncio.run_coroutine_threadsafe(self._apply_originals(), loop).result(timeout=30)

    async def _apply_originals(self) -> None:
        for host in self._data_hosts:
            await (host.up() if self._originals == "up" else host.down())

    def file_url(self, path: str) -> str:
        """The file host URL serving ``/data{path}``."""
        return self._host_for(path) + "/data" + path

    @property
    def throttled(self) -> int:
        """How many requests the rate limits (API and files) have answered with 429."""
        limiters = (self._limiter, self._file_limiter)
        return sum(limiter.refused for limiter in limiters if limiter is not None)

    def reset(self) -> None:
        """Back to the seeded dataset, no accounts, no faults (milliseconds)."""
        self.ctx.state.reset()
        self.faults.clear()

    def _open_database(self) -> Database:
        """Open the database, building the seed rows unless it already holds this dataset."""
        db = Database(self.database_path)
        try:
            if not db.holds(self._fingerprint):
                self.dataset.files.reset()  # a new database knows no added file
                count = self._fingerprint["creators"]
                synthetic = synthetic_creators(self.seed, self.flavour, count)
                db.build(self.dataset, synthetic, self._fingerprint)
        except BaseException:
            db.close()
            raise
        return db

    def add_fault(self, **kwargs: Any) -> FaultRule:
        return self.faults.add(FaultRule(**kwargs))

    def clear_faults(self) -> None:
        self.faults.clear()

    def add_creator(self, service: str, creator_id: str, name: str) -> Json:
        return self.ctx.state.add_creator(service, creator_id, name).list_item()

    def add_post(
        self,
        service: str,
        creator_id: str,
        *,
        title: str,
        files: list[tuple[str, int | bytes]] | None = None,
        published: float | None = None,
        content: str = "",
        post_id: str | None = None,
        tags: list[str] | None = None,
    ) -> Json:
        """Add a post (first file = ``file``, the rest attachments); returns the post JSON."""
        return self.ctx.state.add_post(
            service,
            creator_id,
            title=title,
            files=list(files or []),
            published=published,
            content=content,
            post_id=post_id,
            tags=tags,
        )

    def edit_post(self, service: str, creator_id: str, post_id: str, **changes: Any) -> Json:
        """Change fields of a post: sets ``edited`` and keeps the old version as a revision."""
        return self.ctx.state.edit_post(service, creator_id, post_id, **changes)

    # -- application ----------------------------------------------------------------------
    def _host_for(self, path: str) -> str:
        if not self.file_host_urls:
            return ""
        if len(self.file_host_urls) == 1:
            return self.file_host_urls[0]
        return self.file_host_urls[file_host_index("/data" + path)]

    def _error_page(self, status: int, request: web.Request) -> web.StreamResponse:
        if status == -1:
            return web.Response(
                status=403,
                text=DDOS_GUARD_PAGE,
                content_type="text/html",
                headers={"Server": "ddos-guard"},
            )
        return error(self.ctx, status, f"Emulated fault {status}")

    def build_app(self) -> web.Application:
        guard = self.flavour != "pawchive"

        @web.middleware
        async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.path.startswith("/api/"):
                if guard and "text/css" not in request.headers.get("Accept", ""):
                    return web.Response(  # §6.1: DDoS-Guard wants text/css
                        status=403,
                        body=DDOS_GUARD_HINT.encode(),
                        content_type="application/octet-stream",
                        headers={"Server": "ddos-guard"},
                    )
                if self._limiter is not None and not self._limiter.allow():
                    limited = error(self.ctx, 429, "Too many requests.")
                    limited.headers["Retry-After"] = "1"
                    return limited
                try:
                    response = await handler(request)
                except web.HTTPNotFound:
                    response = error(self.ctx, 404, "Not Found")
                except web.HTTPMethodNotAllowed:
                    response = error(self.ctx, 405, "Method Not Allowed")
                if guard and not response.prepared:
                    response.headers["Server"] = "ddos-guard"  # §6.1: the site sits behind it
                return response
            return await handler(request)

        app = web.Application(middlewares=[fault_middleware(self.faults, self._error_page), gate])
        app.add_routes(self._control_routes())
        app.add_routes(fault_routes(self.faults))
        app.add_routes(creator_routes(self.ctx))
        app.add_routes(post_routes(self.ctx))
        app.add_routes(account_routes(self.ctx))
        app.add_routes(file_routes(self.ctx, self.file_url))
        if self.flavour == "pawchive":  # §10: pawchive's icons and banners are on the site
            app.add_routes(image_host_routes(lambda: self.ctx))
        else:
            app.add_routes(self._image_redirects())
        return app

    def _image_redirects(self) -> list[web.RouteDef]:
        """The site sends ``/thumbnail/...``, ``/icons/...``, ``/banners/...`` on to the image
        host (assumption: as ``/data`` goes to the data hosts), so one site URL finds them."""

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPFound(self.img_url + request.rel_url.path_qs)

        return [
            web.get(prefix + "{tail:.+}", redirect, allow_head=True)
            for prefix in ("/thumbnail/data/", "/icons/", "/banners/")
        ]

    def _control_routes(self) -> list[web.RouteDef]:
        async def health(request: web.Request) -> web.Response:
            return web.json_response(
                {
                    "status": "ok",
                    "flavour": self.flavour,
                    "file_hosts": self.file_host_urls,
                    "img_host": self.img_url,
                    "originals": self._originals,
                }
            )

        async def reset(request: web.Request) -> web.Response:
            self.reset()
            return web.json_response({"status": "reset"})

        return [web.get("/_emulator/health", health), web.post("/_emulator/reset", reset)]

    def _build_file_host(self) -> web.Application:
        def on_error(status: int, request: web.Request) -> web.StreamResponse:
            if status == -1:
                return web.Response(status=403, text="Forbidden")
            return web.Response(status=status, text="error")

        @web.middleware
        async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
            if self._file_limiter is not None and not self._file_limiter.allow():
                return web.Response(
                    status=429, text=FILE_429, content_type="text/html",
                    headers={"Retry-After": "1"},
                )  # fmt: skip
            return await handler(request)

        app = web.Application(middlewares=[fault_middleware(self.faults, on_error), gate])
        app.add_routes(file_host_routes(lambda: self.ctx))
        return app

    def _build_image_host(self) -> web.Application:
        app = web.Application(middlewares=[fault_middleware(self.faults, self._error_page)])
        app.add_routes(image_host_routes(lambda: self.ctx))
        return app

    async def _start_site(self) -> None:
        await super()._start_site()
        count = 1 if self.flavour == "pawchive" else 4
        for index in range(count):
            host = await _Host.serve(self._build_file_host(), self.host, DOWN_MODES[index])
            self._data_hosts.append(host)
        self.file_host_urls = [host.url for host in self._data_hosts]
        if self.flavour != "pawchive":
            self._img_host = await _Host.serve(self._build_image_host(), self.host)
        await self._apply_originals()

    async def _stop_hosts(self) -> None:
        hosts, self._data_hosts = self._data_hosts, []
        for host in hosts:
            await host.close()
        if self._img_host is not None:
            await self._img_host.close()  # its url stays readable, as the site's does

    def start(self) -> Self:
        """Start serving (reopening the database first after a :meth:`stop`)."""
        if self._db is None:
            self._db = self._open_database()
            self.ctx.state = State(self._db, self.dataset)
            self.ctx.accounts = Accounts(self._db)
        super().start()
        return self

    def stop(self) -> None:
        """Stop serving and close the database."""
        loop = self._loop
        if loop is not None and self._thread is not None and self._data_hosts:
            asyncio.run_coroutine_threadsafe(self._stop_hosts(), loop).result(timeout=30)
        super().stop()
        if self._db is not None:
            self._db.close()
            self._db = None
