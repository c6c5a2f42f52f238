"""The image host ``img.<site>``: thumbnails of the stored images, creator icons and banners.

kemono-protocol.md §2.9: ``/thumbnail/data{path}`` is a smaller re-encoded copy of an image file
(its bytes do NOT hash to the path's SHA-256); only images have one, other files answer 404.
``/icons/{service}/{id}`` and ``/banners/{service}/{id}`` are the creator's pictures.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from functools import lru_cache

from aiohttp import web

from ..pixiv_server.images import picture
from .context import Context
from .files import FileStore, StoredFile

__all__ = ["IMAGE_EXTENSIONS", "THUMBNAIL_SIDE", "image_host_routes", "thumbnail"]

IMAGE_EXTENSIONS = frozenset((".png", ".jpg", ".jpeg", ".gif", ".webp"))
THUMBNAIL_SIDE = 180  # assumption: live thumbnails are a few hundred pixels at most
_CACHE = "public, max-age=31536000"


def thumbnail(files: FileStore, stored: StoredFile) -> bytes:
    """The JPEG thumbnail of ``stored`` (an image file), the same bytes every time."""
    return _thumbnail(files, stored)


@lru_cache(maxsize=512)
def _thumbnail(files: FileStore, stored: StoredFile) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(files.data(stored))) as image:
            small = image.convert("RGB")
            small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            out = io.BytesIO()
            small.save(out, format="JPEG", quality=75)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        # A seeded "image" that is random bytes: a tiny picture named by its hash.
        return picture(stored.sha256, "jpg", (32, 32))


def image_host_routes(ctx_getter: Callable[[], Context]) -> list[web.RouteDef]:
    """The ``img`` host's routes (served on the site itself for pawchive)."""

    async def thumb(request: web.Request) -> web.Response:
        ctx = ctx_getter()
        stored = ctx.dataset.files.by_path("/" + request.match_info["path"])
        if (
            stored is None
            or stored.ext not in IMAGE_EXTENSIONS
            or ctx.dataset.unheld.get(stored.sha256) == "deferred"
        ):
            return web.Response(status=404, text="not found")
        data = await asyncio.to_thread(thumbnail, ctx.dataset.files, stored)
        return web.Response(body=data, content_type="image/jpeg", headers={"Cache-Control": _CACHE})

    def creator_picture(
        kind: str, ext: str, size: tuple[int, int]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve(request: web.Request) -> web.Response:
            ctx = ctx_getter()
            service, creator_id = request.match_info["service"], request.match_info["id"]
            if ctx.state.creator(service, creator_id) is None:
                return web.Response(status=404, text="not found")  # assumption: no default
            data = picture(f"{kind}/{service}/{creator_id}", ext, size)
            ctype = "image/png" if ext == "png" else "image/jpeg"
            return web.Response(body=data, content_type=ctype, headers={"Cache-Control": _CACHE})

        return serve

    icon = creator_picture("icon", "png", (96, 96))
    banner = creator_picture("banner", "jpg", (600, 150))
    return [
        web.get("/thumbnail/data/{path:.+}", thumb, allow_head=True),
        web.get("/icons/{service}/{id}", icon, allow_head=True),
        web.get("/banners/{service}/{id}", banner, allow_head=True),
    ]
