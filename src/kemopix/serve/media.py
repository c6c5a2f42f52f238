"""Thumbnails (made lazily with Pillow, cached) and ugoira frames read out of their zip."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import zipfile
from pathlib import Path

from PIL import Image, ImageOps

__all__ = ["THUMB_SIZE", "MediaError", "placeholder", "thumbnail", "ugoira_frame"]

THUMB_SIZE = 360
MAX_FRAME_BYTES = 64 * 1024 * 1024


class MediaError(Exception):
    """A thumbnail or frame that cannot be made (not an image, damaged file)."""


def _thumb_of(image: Image.Image) -> bytes:
    image.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))
    image = ImageOps.exif_transpose(image)
    image.thumbnail((THUMB_SIZE, THUMB_SIZE))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80, method=2)
    return out.getvalue()


@functools.cache
def placeholder() -> bytes:
    """A plain tile shown where a thumbnail cannot be made (a damaged or non-image file)."""
    out = io.BytesIO()
    Image.new("RGB", (THUMB_SIZE, THUMB_SIZE), (40, 42, 48)).save(out, "WEBP", quality=50)
    return out.getvalue()


def thumbnail(source: Path, media: str, cache: Path) -> Path:
    """The cached thumbnail of ``source`` (an image, or an ugoira zip's first frame)."""
    try:
        st = source.stat()
    except OSError as exc:
        raise MediaError(f"not on disk: {source.name}") from exc
    key = hashlib.sha256(f"{source}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:32]
    target = cache / key[:2] / f"{key}.webp"
    if target.is_file():
        return target
    try:
        if media == "ugoira":
            with zipfile.ZipFile(source) as archive:
                first = min(archive.namelist())
                with Image.open(io.BytesIO(archive.read(first))) as image:
                    data = _thumb_of(image)
        else:
            with Image.open(source) as image:
                data = _thumb_of(image)
    except (OSError, ValueError, zipfile.BadZipFile, Image.DecompressionBombError) as exc:
        raise MediaError(f"no thumbnail for {source.name}: {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def ugoira_frame(source: Path, name: str) -> bytes:
    """Frame ``name`` of an ugoira zip."""
    try:
        with zipfile.ZipFile(source) as archive:
            info = archive.getinfo(name)
            if info.file_size > MAX_FRAME_BYTES:
                raise MediaError(f"frame {name} is too large")
            return archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise MediaError(f"no frame {name} in {source.name}: {exc}") from exc
