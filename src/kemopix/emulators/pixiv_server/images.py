"""Deterministic image bytes for the image host: small Pillow PNG/JPEG frames and ugoira zips.

Every picture is a function of a text key only, so a given URL always serves the same bytes.
Results are cached for the life of the process (the dataset is small); the database holds only
the metadata the keys and sizes come from (:mod:`.db`).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from functools import lru_cache

from PIL import Image, ImageDraw

__all__ = ["picture", "ugoira_zip"]

# A fixed timestamp makes the zip bytes independent of the clock.
_ZIP_TIME = (2019, 7, 1, 0, 0, 0)


def _colour(key: str, salt: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return digest[0], digest[1], digest[2]


def _render(key: str, size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, _colour(key, "bg"))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=_colour(key, "fg"))
    draw.line((0, 0, w - 1, h - 1), fill=_colour(key, "line"), width=2)
    return image


@lru_cache(maxsize=4096)
def picture(key: str, ext: str, size: tuple[int, int] = (48, 48)) -> bytes:
    """Encode the picture named ``key`` as ``ext`` (``png``, ``jpg`` or ``gif``)."""
    image = _render(key, size)
    out = io.BytesIO()
    if ext == "png":
        image.save(out, format="PNG", optimize=False)
    elif ext == "gif":
        image.convert("P").save(out, format="GIF")
    else:
        image.save(out, format="JPEG", quality=80)
    return out.getvalue()


@lru_cache(maxsize=64)
def ugoira_zip(key: str, frames: int, size: tuple[int, int]) -> bytes:
    """A zip of ``frames`` JPEG files named ``000000.jpg``, ``000001.jpg``, ... (stored)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for index in range(frames):
            info = zipfile.ZipInfo(f"{index:06d}.jpg", date_time=_ZIP_TIME)
            archive.writestr(info, picture(f"{key}:frame{index}", "jpg", size))
    return out.getvalue()
