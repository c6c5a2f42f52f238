"""The aiohttp application: HTML pages, the JSON API, files, thumbnails and ugoira frames.

Every page has its data at the same path under ``/api/`` (see :mod:`kemopix.serve.openapi`).
Files are served by their index id only (``/file/<id>``): the path comes from the archive's
records, never from the URL, and must resolve inside the archive folder.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from aiohttp import web

from ..cli.output import human_size
from .index import Index
from .media import MediaError, placeholder, thumbnail, ugoira_frame
from .openapi import openapi_document
from .source import ugoira_frames
from .views import (
    Filters,
    NotFound,
    creator_view,
    creators_view,
    file_view,
    health_view,
    post_view,
    search_view,
)

__all__ = ["INDEX_KEY", "PAGE_CSP", "create_app"]

INDEX_KEY: web.AppKey[Index] = web.AppKey("index", Index)
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
FILE_CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
)
INLINE_TYPES = ("image/", "video/", "audio/")
INLINE_EXACT = {"text/plain", "application/pdf"}
STATIC = {"style.css": "text/css", "app.js": "text/javascript"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _date(value: str | float | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float | int):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M")
    return value[:10]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kemopix.serve", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size"] = human_size
    env.filters["date"] = _date
    env.filters["seg"] = lambda value: quote(str(value), safe="")
    env.filters["tojson_attr"] = lambda value: json.dumps(value)
    env.globals["query"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v})
    return env


def _page_number(request: web.Request) -> int:
    try:
        page = int(request.query.get("page", "1"))
    except ValueError:
        raise web.HTTPBadRequest(text="page must be a number") from None
    if not 1 <= page <= 1_000_000:
        raise web.HTTPBadRequest(text="page out of range")
    return page


def _filters(request: web.Request) -> Filters:
    try:
        return Filters.parse(dict(request.query))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None


def _id(request: web.Request, name: str = "fid") -> int:
    text = request.match_info[name]
    if not text.isdigit() or len(text) > 18:
        raise web.HTTPNotFound(text="no such file")
    return int(text)


def create_app(index: Index, *, refresh_interval: float = 1.0) -> web.Application:
    """The web app over ``index`` (already built or not: the first request waits for it)."""
    env = _environment()
    app = web.Application(middlewares=[_headers])
    app[INDEX_KEY] = index

    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args)
        except NotFound as exc:
            raise web.HTTPNotFound(text=str(exc)) from None

    async def fresh() -> None:
        await asyncio.to_thread(index.refresh_if_changed, refresh_interval)

    def page(template: str, api: bool, data: dict[str, Any], **extra: Any) -> web.Response:
        if api:
            return web.json_response(data, dumps=lambda v: json.dumps(v, ensure_ascii=False))
        body = env.get_template(template).render(**data, **extra)
        return web.Response(text=body, content_type="text/html")

    def both(path: str, handler: Callable[[web.Request, bool], Awaitable[web.Response]]) -> None:
        async def html(request: web.Request) -> web.Response:
            return await handler(request, False)

        async def api(request: web.Request) -> web.Response:
            return await handler(request, True)

        app.router.add_get(path, html)
        app.router.add_get("/api" + (path if path != "/" else "/creators"), api)

    async def creators(request: web.Request, api: bool) -> web.Response:
        await fresh()
        return page("creators.html", api, await call(creators_view, index))

    async def creator(request: web.Request, api: bool) -> web.Response:
        await fresh()
        m = request.match_info
        key = f"{m['site']}/{m['service']}/{m['cid']}"
        data = await call(creator_view, index, key, _filters(request), _page_number(request))
        return page("creator.html", api, data)

    async def post(request: web.Request, api: bool) -> web.Response:
        await fresh()
        m = request.match_info
        data = await call(post_view, index, m["site"], m["service"], m["pid"])
        return page("post.html", api, data)

    async def search(request: web.Request, api: bool) -> web.Response:
        await fresh()
        text = request.query.get("q", "")[:500]
        data = await call(search_view, index, text, _filters(request), _page_number(request))
        return page("search.html", api, data)

    async def health(request: web.Request, api: bool) -> web.Response:
        await fresh()
        if request.query.get("recheck"):
            await asyncio.to_thread(index.refresh, recheck_disk=True)
        return page("health.html", api, await call(health_view, index))

    both("/", creators)
    both("/creators/{site}/{service}/{cid}", creator)
    both("/posts/{site}/{service}/{pid}", post)
    both("/search", search)
    both("/health", health)

    async def file_info(request: web.Request) -> web.Response:
        return web.json_response(await call(file_view, index, _id(request)))

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(openapi_document())

    async def serve_file(request: web.Request) -> web.StreamResponse:
        info = await call(file_view, index, _id(request))
        path = index.source.file_path(info["path"], strict=True)
        if path is None or not info["on_disk"] or not path.is_file():
            raise web.HTTPNotFound(text="this file is not on disk")
        kind = mimetypes.guess_type(info["stored_name"])[0] or "application/octet-stream"
        inline = (kind.startswith(INLINE_TYPES) and kind != "image/svg+xml") or kind in INLINE_EXACT
        response = web.FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})
        response.content_type = kind if inline else "application/octet-stream"
        disposition = "inline" if inline and not request.query.get("download") else "attachment"
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(info['name'], safe='')}"
        )
        response.headers["Content-Security-Policy"] = FILE_CSP
        return response

    async def thumb(request: web.Request) -> web.StreamResponse:
        info = await call(file_view, index, _id(request))
        path = index.source.file_path(info["path"], strict=True)
        if path is None or not info["on_disk"] or info["media"] not in ("image", "ugoira"):
            raise web.HTTPNotFound(text="no thumbnail")
        try:
            made = await asyncio.to_thread(thumbnail, path, info["media"], index.thumbs_dir())
        except MediaError as exc:
            headers = {"Cache-Control": "no-cache", "X-Kemopix-Thumbnail": str(exc)[:200]}
            return web.Response(body=placeholder(), content_type="image/webp", headers=headers)
        etag = f'"{made.stem}"'  # the cache key: source path, size and mtime
        headers = {"Cache-Control": "public, max-age=604800", "ETag": etag}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        body = await asyncio.to_thread(made.read_bytes)
        return web.Response(body=body, content_type="image/webp", headers=headers)

    frames_cache: dict[int, list[str]] = {}

    def frame_names(fid: int, info: dict[str, Any]) -> list[str]:
        if fid not in frames_cache:
            post = info["post"]
            row = (
                index.reader()
                .execute(
                    "SELECT folder FROM posts WHERE site=? AND service=? AND post_id=?",
                    (post["site"], post["service"], post["id"]),
                )
                .fetchone()
            )
            sidecar = None
            if row is not None and row[0] is not None:
                sidecar = index.source.sidecar(
                    row[0], post["id"], post["site"], post["service"], strict=True
                )
            frames_cache[fid] = [n for n, _ in ugoira_frames(sidecar.raw)] if sidecar else []
        return frames_cache[fid]

    async def frame(request: web.Request) -> web.Response:
        fid = _id(request)
        info = await call(file_view, index, fid)
        number = _id(request, "n")
        names = await asyncio.to_thread(frame_names, fid, info)
        path = index.source.file_path(info["path"], strict=True)
        if info["media"] != "ugoira" or path is None or number >= len(names):
            raise web.HTTPNotFound(text="no such frame")
        try:
            data = await asyncio.to_thread(ugoira_frame, path, names[number])
        except MediaError as exc:
            raise web.HTTPNotFound(text=str(exc)) from None
        kind = mimetypes.guess_type(names[number])[0] or "application/octet-stream"
        if not kind.startswith("image/") or kind == "image/svg+xml":
            kind = "application/octet-stream"
        headers = {"Cache-Control": "public, max-age=604800"}
        return web.Response(body=data, content_type=kind, headers=headers)

    static_root = resources.files("kemopix.serve") / "static"

    async def static(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:  # a fixed list: nothing else of the package is reachable
            raise web.HTTPNotFound()
        body = (static_root / name).read_bytes()
        headers = {"Cache-Control": "public, max-age=3600"}
        return web.Response(body=body, content_type=STATIC[name], headers=headers)

    app.router.add_get("/api/files/{fid}", file_info)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/file/{fid}", serve_file)
    app.router.add_get("/thumb/{fid}", thumb)
    app.router.add_get("/ugoira/{fid}/{n}", frame)
    app.router.add_get("/static/{name}", static)
    return app


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and request.path.startswith("/api/"):
            response = web.json_response({"error": exc.text or exc.reason}, status=exc.status)
        else:
            raise
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response
