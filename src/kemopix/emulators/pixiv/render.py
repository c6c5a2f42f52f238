"""Deterministic image bytes drawn with Pillow, kept in a process-wide LRU cache.

A picture depends only on its key (work, page, size, format), so every emulator in a process
shares the cache and the same key always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import random
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable

from PIL import Image, ImageDraw

__all__ = [
    "ImageCache",
    "cover_bytes",
    "original_bytes",
    "placeholder_bytes",
    "sample_bytes",
    "square_avatar_bytes",
    "ugoira_zip_bytes",
]

Key = tuple[object, ...]


class ImageCache:
    """A byte-bounded LRU of rendered images (thread-safe: rendering runs in an executor)."""

    def __init__(self, max_bytes: int = 96 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Key, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def get_or_render(self, key: Key, render: Callable[[], bytes]) -> bytes:
        data = self.get(key)
        if data is not None:
            return data
        data = render()
        with self._lock:
            if key not in self._items:
                self._items[key] = data
                self._size += len(data)
            while self._size > self.max_bytes and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)
        return data


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _picture(seed: tuple[object, ...], width: int, height: int, label: str) -> Image.Image:
    rng = _rng(*seed)
    background = tuple(rng.randrange(40, 220) for _ in range(3))
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    for _ in range(10):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = min(width, x0 + rng.randrange(20, max(21, width // 2)))
        y1 = min(height, y0 + rng.randrange(20, max(21, height // 2)))
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    draw.rectangle((4, 4, 8 + 7 * len(label), 20), fill=(255, 255, 255))
    draw.text((6, 6), label, fill=(0, 0, 0))
    return image


def _encode(image: Image.Image, ext: str, quality: int = 85) -> bytes:
    out = io.BytesIO()
    if ext == "png":
        image.save(out, "PNG")
    elif ext == "gif":
        image.convert("P").save(out, "GIF")
    else:
        image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def _fit(image: Image.Image, box_w: int, box_h: int, square: bool) -> Image.Image:
    if square:
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side))
        box_w = box_h = min(side, box_w)
    scale = min(box_w / image.width, box_h / image.height, 1.0)  # never upscale, as live
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return image


def _page(work_id: int, page: int, width: int, height: int, ugoira: bool) -> Image.Image:
    label = f"{work_id} f{page}" if ugoira else f"{work_id} p{page}"
    return _picture((work_id, page), width, height, label)


def original_bytes(
    work_id: int, page: int, width: int, height: int, ext: str, ugoira: bool = False
) -> bytes:
    """Page ``page`` (or ugoira frame ``page``) of a work at full size."""
    return _encode(_page(work_id, page, width, height, ugoira), ext, 90)


def sample_bytes(
    work_id: int,
    page: int,
    size: tuple[int, int],
    box: tuple[int, int, int],
    square: bool,
    ugoira: bool = False,
) -> bytes:
    """A ``img-master`` JPEG sample fitted into ``box`` = (width, height, quality)."""
    image = _page(work_id, page, size[0], size[1], ugoira)
    return _encode(_fit(image, box[0], box[1], square), "jpg", box[2])


def ugoira_zip_bytes(work_id: int, width: int, height: int, frames: int, box: int) -> bytes:
    """A stored zip of ``000000.jpg``… frames fitted into ``box`` (600 or 1920 wide)."""
    out = io.BytesIO()
    box_h = 600 if box == 600 else 1080
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for index in range(frames):
            image = _page(work_id, index, width, height, True)
            data = _encode(_fit(image, box, box_h, False), "jpg", 85)
            info = zipfile.ZipInfo(f"{index:06d}.jpg", date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return out.getvalue()


def square_avatar_bytes(user_id: int, size: int) -> bytes:
    image = _picture(("avatar", user_id), 170, 170, str(user_id))
    if size != 170:
        image = image.resize((size, size), Image.Resampling.BILINEAR)
    return _encode(image, "jpg", 85)


def cover_bytes(novel_id: int, box: tuple[int, int, int], square: bool) -> bytes:
    image = _picture(("cover", novel_id), 480, 680, f"novel {novel_id}")
    return _encode(_fit(image, box[0], box[1], square), "jpg", box[2])


def placeholder_bytes(name: str) -> bytes:
    """s.pximg.net placeholders: a grey tile (360 px for the ``limit_*`` ones)."""
    size = 360 if name.startswith("limit_") else (170 if name == "no_profile" else 50)
    image = Image.new("RGB", (size, size), (200, 200, 200))
    ImageDraw.Draw(image).text((6, 6), name, fill=(60, 60, 60))
    return _encode(image, "png")
