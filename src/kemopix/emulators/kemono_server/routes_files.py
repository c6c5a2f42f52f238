"""File lookups (§2.3), the site's ``/data`` redirect and the file hosts themselves (§2.9)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from aiohttp import web

from .context import Context
from .dataset import Json
from .errors import NOT_FOUND_BODY, bad_request, error
from .files import StoredFile
from .shapes import post_summary
from .timefmt import iso_micro

__all__ = ["APP_VERSION", "file_host_routes", "file_routes"]

APP_VERSION = "emulator-0000000"
_HASH = re.compile(r"^[0-9a-f]{64}$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _file_info(stored: StoredFile, file_id: int) -> Json:
    when = iso_micro(1_704_067_200 + file_id)
    return {
        "id": file_id,
        "hash": stored.sha256,
        "mtime": when,
        "ctime": when,
        "mime": stored.mime,
        "ext": stored.ext,
        "added": when,
        "size": stored.size,
        "ihash": None,
    }


def _file_id(sha: str) -> int:
    return int(sha[:8], 16) % 10_000_000


def file_routes(ctx: Context, redirect_for: Callable[[str], str]) -> list[web.RouteDef]:
    async def search_hash(request: web.Request) -> web.Response:
        sha = request.match_info["sha"].lower()
        if not _HASH.match(sha):
            return bad_request(ctx, "Invalid file hash.")
        stored = ctx.dataset.files.get(sha)
        if stored is None:
            return error(ctx, 404, "File not found.")
        posts = []
        for post in ctx.state.every_post():
            refs = [post["file"], *post["attachments"]]
            if any(isinstance(r, dict) and stored.path == r.get("path") for r in refs):
                posts.append({"file_id": _file_id(sha), **post_summary(post)})
        return ctx.json(dict(_file_info(stored, _file_id(sha)), posts=posts, discord_posts=[]))

    async def archive_info(request: web.Request) -> web.Response:
        sha = request.match_info["sha"].lower()
        stored = ctx.dataset.files.get(sha) if _HASH.match(sha) else None
        if stored is None:
            return error(ctx, 404, "File not found.")
        listing = ["readme.txt", "images/01.png"] if stored.ext == ".zip" else []
        return ctx.json(
            {"file": _file_info(stored, _file_id(sha)), "file_list": listing, "password": None}
        )

    async def app_version(request: web.Request) -> web.Response:
        return web.Response(text=APP_VERSION, content_type="text/plain")

    async def data_redirect(request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        target = redirect_for(path)
        if request.query_string:
            target += "?" + request.query_string
        raise web.HTTPFound(target)

    return [
        web.get("/api/v1/search_hash/{sha}", search_hash),
        web.get("/api/v1/file/{sha}", archive_info),
        web.get("/api/v1/app_version", app_version),
        web.get("/data/{path:.+}", data_redirect),
    ]


def _content_disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def file_host_routes(ctx_getter: Callable[[], Context]) -> list[web.RouteDef]:
    """GET/HEAD ``/data/xx/yy/<sha><ext>`` with Range, ETag and ``?f=`` Content-Disposition."""

    async def serve(request: web.Request) -> web.StreamResponse:
        ctx = ctx_getter()
        stored = ctx.dataset.files.by_path("/" + request.match_info["path"])
        if stored is None or stored.sha256 in ctx.dataset.unheld:  # pawchive: only a preview
            return web.Response(body=NOT_FOUND_BODY, status=404, content_type="text/plain")
        headers = {
            "ETag": f'"{stored.sha256}"',
            "Accept-Ranges": "bytes",
            "Cache-Control": "public, max-age=31536000",
        }
        name = request.query.get("f")
        if name:
            headers["Content-Disposition"] = _content_disposition(name)
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return web.Response(status=304, headers=headers)
        start, end, status = 0, stored.size - 1, 200
        wanted = request.headers.get("Range")
        if wanted:
            match = _RANGE.match(wanted.strip())
            parsed = _parse_range(match, stored.size) if match else None
            if parsed is None:
                headers["Content-Range"] = f"bytes */{stored.size}"
                return web.Response(status=416, headers=headers)
            start, end = parsed
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{stored.size}"
        body = ctx.dataset.files.data(stored)[start : end + 1]
        return web.Response(body=body, status=status, headers=headers, content_type=stored.mime)

    return [web.get("/data/{path:.+}", serve, allow_head=True)]


def _parse_range(match: re.Match[str], size: int) -> tuple[int, int] | None:
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0:
            return None
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return None
    return start, end
