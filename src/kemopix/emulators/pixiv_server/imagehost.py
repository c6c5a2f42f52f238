"""The image host under ``/i/`` (shaped like i.pximg.net, pixiv-protocol.md §1.1 and §5).

Serves originals, samples, ugoira zips, novel covers and avatars as deterministic Pillow bytes.
The bytes are not stored in the database: they are rendered in memory from the seed and the
work's stored metadata (size, extension, page count, ugoira frames and delays) and cached.
Answers 403 unless the Referer is on a pixiv.net host; supports HEAD, single byte ranges
(206/416), Content-Length and ETag/If-None-Match.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from aiohttp import web

from .context import ctx
from .dataset import Illust
from .images import picture, ugoira_zip
from .shapes import date_path
from .state import PixivState

__all__ = ["referer_allowed", "resolve", "routes"]

_PATH = re.compile(
    r"^(?:c/(?P<crop>[^/]+)/)?(?P<kind>img-master|img-original|img-zip-ugoira|novel-cover-master"
    r"|user-profile)/img/(?P<dp>\d{4}/\d\d/\d\d/\d\d/\d\d/\d\d)/(?P<file>[^/]+)$"
)
_SAMPLE = re.compile(r"^(?P<id>\d+)_p(?P<page>\d+)_(?P<flavour>master|square)1200\.jpg$")
_ORIGINAL = re.compile(r"^(?P<id>\d+)_p(?P<page>\d+)\.(?P<ext>jpg|png|gif)$")
_UGOIRA_FRAME = re.compile(r"^(?P<id>\d+)_ugoira(?P<frame>\d+)\.jpg$")
_ZIP = re.compile(r"^(?P<id>\d+)_ugoira(?P<size>600x600|1920x1080)\.zip$")
_COVER = re.compile(r"^ci(?P<id>\d+)_(?:master|square)1200\.jpg$")
_AVATAR = re.compile(r"^(?P<id>\d+)_(?P<size>16|50|170)\.jpg$")
_SAMPLE_CROPS = {"360x360_70": "square", "540x540_70": "medium", "600x1200_90": "large"}


def referer_allowed(referer: str) -> bool:
    """True when the Referer's host is pixiv.net or one of its subdomains (§1.1)."""
    host = (urlsplit(referer).hostname or "").lower()
    return host == "pixiv.net" or host.endswith(".pixiv.net")


def _illust(state: PixivState, raw_id: str, dp: str) -> Illust | None:
    illust = state.illusts.get(int(raw_id))
    if illust is None or date_path(illust.created) != dp:
        return None
    return illust


def resolve(state: PixivState, tail: str) -> tuple[bytes, str] | None:
    """The bytes and content type behind an image-host path (without ``/i/``), or None."""
    found = _PATH.match(tail)
    if found is None:
        return None
    crop, kind, dp, name = found["crop"], found["kind"], found["dp"], found["file"]
    seed = state.seed
    if kind == "img-master" and (m := _SAMPLE.match(name)) and crop in _SAMPLE_CROPS:
        illust = _illust(state, m["id"], dp)
        page = int(m["page"])
        if illust is None or page >= illust.page_count:
            return None
        flavour = _SAMPLE_CROPS[crop]
        if (flavour == "square") != (m["flavour"] == "square"):
            return None
        w, h = illust.width, illust.height
        size = {"square": (36, 36), "medium": (w * 2 // 3, h * 2 // 3), "large": (w, h)}[flavour]
        return picture(f"{seed}:{illust.id}:p{page}:{flavour}", "jpg", size), "image/jpeg"
    if kind == "img-original" and crop is None:
        if m := _ORIGINAL.match(name):
            illust = _illust(state, m["id"], dp)
            page = int(m["page"])
            if illust is None or illust.kind == "ugoira" or page >= illust.page_count:
                return None
            if m["ext"] != illust.ext:
                return None
            ext = illust.ext
            mime = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}[ext]
            return picture(f"{seed}:{illust.id}:p{page}", ext, (illust.width, illust.height)), mime
        if m := _UGOIRA_FRAME.match(name):
            illust = _illust(state, m["id"], dp)
            frame = int(m["frame"])
            if illust is None or illust.kind != "ugoira" or frame >= len(illust.frame_delays):
                return None
            key = f"{seed}:{illust.id}:frame{frame}"
            return picture(key, "jpg", (illust.width, illust.height)), "image/jpeg"
        return None
    if kind == "img-zip-ugoira" and crop is None and (m := _ZIP.match(name)):
        illust = _illust(state, m["id"], dp)
        if illust is None or illust.kind != "ugoira":
            return None
        full = m["size"] == "1920x1080"
        size = (illust.width, illust.height) if full else (illust.width // 2, illust.height // 2)
        key = f"{seed}:{illust.id}:{m['size']}"
        return ugoira_zip(key, len(illust.frame_delays), size), "application/zip"
    if kind == "novel-cover-master" and (m := _COVER.match(name)):
        novel = state.novels.get(int(m["id"]))
        if novel is None or date_path(novel.created) != dp:
            return None
        return picture(f"{seed}:novel{novel.id}:{crop}", "jpg", (24, 48)), "image/jpeg"
    if kind == "user-profile" and (m := _AVATAR.match(name)):
        if int(m["id"]) not in state.users:
            return None
        side = {"16": 16, "50": 24, "170": 32}[m["size"]]
        return picture(f"{seed}:avatar{m['id']}:{side}", "jpg", (side, side)), "image/jpeg"
    return None


def _parse_range(header: str, length: int) -> tuple[int, int] | None:
    """A single ``bytes=`` range as an inclusive (start, end), or None when unsatisfiable."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            count = int(last)
            if count <= 0:
                return None
            return max(0, length - count), length - 1
        start = int(first)
        end = int(last) if last else length - 1
    except ValueError:
        return None
    if start >= length or end < start:
        return None
    return start, min(end, length - 1)


def _not_found() -> web.Response:
    return web.Response(status=404, text="404 Not Found", content_type="text/html")


async def serve(request: web.Request) -> web.Response:
    if not referer_allowed(request.headers.get("Referer", "")):
        return web.Response(status=403, text="403 Forbidden", content_type="text/html")
    found = resolve(ctx(request).state, request.match_info["tail"])
    if found is None:
        return _not_found()
    body, mime = found
    etag = '"' + hashlib.md5(body).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "max-age=31536000",
        "Last-Modified": "Mon, 01 Jul 2019 00:00:00 GMT",
    }
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    range_header = request.headers.get("Range")
    if range_header:
        span = _parse_range(range_header, len(body))
        if span is None:
            headers["Content-Range"] = f"bytes */{len(body)}"
            return web.Response(status=416, headers=headers)
        start, end = span
        headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
        return web.Response(
            status=206, body=body[start : end + 1], headers=headers, content_type=mime
        )
    return web.Response(body=body, headers=headers, content_type=mime)


routes = [web.get("/i/{tail:.+}", serve)]
