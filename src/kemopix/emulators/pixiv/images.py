"""The image host (i.pximg.net and s.pximg.net on the emulator's origin).

403 without a pixiv.net Referer (pixiv-protocol.md §1.1); GET and HEAD with Content-Length,
ETag, Last-Modified, conditional requests and single byte ranges (206 / 416). Bytes are
rendered once (in a worker thread) and cached; answers are plain ``web.Response`` bodies so the
fault injector can truncate or slow them like any other.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from urllib.parse import urlsplit

from aiohttp import web

from . import render
from .context import CONFIG, STATE
from .errors import html_error
from .records import JST
from .state import PixivState
from .urls import ILLUST_SAMPLES, NOVEL_SAMPLES, PLACEHOLDERS, ImagePath, parse_image_path

__all__ = ["IMAGE_CACHE", "IMAGE_PREFIXES", "image_routes", "referer_allowed"]

IMAGE_CACHE = render.ImageCache()
IMAGE_PREFIXES = ("/c/", "/img-original/", "/img-zip-ugoira/", "/user-profile/", "/common/")
_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "zip": "application/zip"}
_EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_WHOLE = (-1, -1)


@dataclass(frozen=True, slots=True)
class _Asset:
    key: tuple[object, ...]
    render: Callable[[], bytes]
    content_type: str
    modified: datetime


def referer_allowed(referer: str | None) -> bool:
    """Whether the Referer is a pixiv.net page (``https://app-api.pixiv.net/`` and the like)."""
    if not referer:
        return False
    host = (urlsplit(referer).hostname or "").lower()
    return host == "pixiv.net" or host.endswith(".pixiv.net")


def _moment(path: str) -> datetime:
    return datetime.strptime(path, "%Y/%m/%d/%H/%M/%S").replace(tzinfo=JST)


def _work_asset(state: PixivState, wanted: ImagePath) -> _Asset | None:
    row = state.one("SELECT * FROM illusts WHERE id = ?", wanted.id)
    if row is None or row["upload_path"] != wanted.path:
        return None
    work_id, size = int(row["id"]), (int(row["width"]), int(row["height"]))
    ugoira, exts = row["type"] == "ugoira", row["exts"].split(",")
    modified = _moment(wanted.path)
    if wanted.kind == "sample":
        spec = next((v for v in ILLUST_SAMPLES.values() if v[0] == wanted.spec), None)
        square = wanted.spec == ILLUST_SAMPLES["square_medium"][0]
        if spec is None or wanted.variant != ("square1200" if square else "master1200"):
            return None
        if ugoira != (wanted.page is None):
            return None
        page = wanted.page or 0
        if page >= int(row["page_count"]):
            return None
        draw = partial(render.sample_bytes, work_id, page, size, spec[1:], square, ugoira)
        return _Asset(("sample", work_id, page, size, spec, ugoira), draw, _TYPES["jpg"], modified)
    if wanted.kind == "original":
        if wanted.frame is not None:
            frames = state.one("SELECT COUNT(*) FROM ugoira_frames WHERE illust_id = ?", work_id)
            if not ugoira or wanted.ext != "jpg" or wanted.frame >= int(frames[0] if frames else 0):
                return None
            page, ext = wanted.frame, "jpg"
        else:
            page = wanted.page or 0
            if ugoira or page >= int(row["page_count"]) or exts[page] != wanted.ext:
                return None
            ext = wanted.ext
        draw = partial(render.original_bytes, work_id, page, size[0], size[1], ext, ugoira)
        return _Asset(("original", work_id, page, size, ext, ugoira), draw, _TYPES[ext], modified)
    if wanted.kind == "zip" and ugoira:
        count = state.one("SELECT COUNT(*) FROM ugoira_frames WHERE illust_id = ?", work_id)
        n_frames = int(count[0]) if count else 0
        box = 600 if wanted.spec == "600x600" else 1920
        draw = partial(render.ugoira_zip_bytes, work_id, size[0], size[1], n_frames, box)
        return _Asset(("zip", work_id, size, n_frames, box), draw, _TYPES["zip"], modified)
    return None


def _asset(state: PixivState, wanted: ImagePath) -> _Asset | None:
    if wanted.kind in ("sample", "original", "zip"):
        return _work_asset(state, wanted)
    if wanted.kind == "avatar":
        row = state.user(wanted.id)
        if row is None or row["avatar"] != f"{wanted.path}/{wanted.hash}":
            return None
        size = int(wanted.spec)
        draw = partial(render.square_avatar_bytes, wanted.id, size)
        return _Asset(("avatar", wanted.id, size), draw, _TYPES["jpg"], _moment(wanted.path))
    if wanted.kind == "cover":
        novel = state.one("SELECT upload_path, cover FROM novels WHERE id = ?", wanted.id)
        spec = next((v for v in NOVEL_SAMPLES.values() if v[0] == wanted.spec), None)
        if novel is None or spec is None or novel["upload_path"] != wanted.path:
            return None
        square = wanted.spec == NOVEL_SAMPLES["square_medium"][0]
        if novel["cover"] != wanted.hash or wanted.variant != (
            "square1200" if square else "master1200"
        ):
            return None
        draw = partial(render.cover_bytes, wanted.id, spec[1:], square)
        return _Asset(("cover", wanted.id, spec), draw, _TYPES["jpg"], _moment(wanted.path))
    if wanted.kind == "common" and wanted.name in PLACEHOLDERS:
        draw = partial(render.placeholder_bytes, wanted.name)
        return _Asset(("common", wanted.name), draw, _TYPES["png"], _EPOCH)
    return None


def _not_modified(request: web.Request, etag: str, modified: datetime) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:
        return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(since) >= modified.replace(microsecond=0)
        except (TypeError, ValueError):
            return False
    return False


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive; None when unsatisfiable; ``_WHOLE`` to ignore the header."""
    match = _RANGE.match(header.strip())
    if match is None:
        return _WHOLE  # malformed or several ranges: answer the whole file (RFC 9110 allows it)
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return _WHOLE
    if not first:
        length = int(last)
        return (max(0, size - length), size - 1) if length and size else None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return None
    return start, end


def _answer(request: web.Request, data: bytes, asset: _Asset) -> web.Response:
    etag = '"' + hashlib.md5(data).hexdigest() + '"'
    modified = format_datetime(asset.modified.astimezone(UTC), usegmt=True)
    headers = {
        "ETag": etag,
        "Last-Modified": modified,
        "Accept-Ranges": "bytes",
        "Cache-Control": "max-age=31536000",
        "Server": "nginx",
    }
    if _not_modified(request, etag, asset.modified):
        return web.Response(status=304, headers=headers)
    header, if_range = request.headers.get("Range"), request.headers.get("If-Range")
    if header and (if_range is None or if_range in (etag, modified)):
        span = _byte_range(header, len(data))
        if span is None:
            headers["Content-Range"] = f"bytes */{len(data)}"
            return web.Response(status=416, headers=headers)
        if span != _WHOLE:
            start, end = span
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            body = data[start : end + 1]
            return web.Response(
                status=206, body=body, headers=headers, content_type=asset.content_type
            )
    return web.Response(body=data, headers=headers, content_type=asset.content_type)


async def serve_image(request: web.Request) -> web.Response:
    if request.app[CONFIG].require_referer and not referer_allowed(request.headers.get("Referer")):
        return html_error(403)
    wanted = parse_image_path(request.path)
    asset = _asset(request.app[STATE], wanted) if wanted is not None else None
    if asset is None:
        return html_error(404)
    data = IMAGE_CACHE.get(asset.key)
    if data is None:
        loop = asyncio.get_running_loop()
        data = await loop.run_in_executor(None, IMAGE_CACHE.get_or_render, asset.key, asset.render)
    return _answer(request, data, asset)


def image_routes() -> list[web.RouteDef]:
    return [web.get(prefix + "{tail:.+}", serve_image) for prefix in IMAGE_PREFIXES]
