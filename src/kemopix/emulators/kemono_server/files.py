"""Content-addressed file store: deterministic bytes, SHA-256 computed once, big files cached.

The bytes stay in memory, generated from (seed, name, size): they are not state. The database
(:mod:`.db`) keeps every file's metadata (and the bytes of client-supplied files when it is a
file), so that :meth:`FileStore.restore` can serve the files of a reused database again.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = ["FileStore", "StoredFile", "image_bytes"]

# Files up to this size keep their bytes in memory; bigger ones are regenerated into a small cache.
_KEEP_LIMIT = 1 << 20
_CACHE_ITEMS = 4


@dataclass(frozen=True)
class StoredFile:
    """One file the hosts can serve: ``path`` is ``/xx/yy/<sha256><ext>``."""

    sha256: str
    ext: str
    size: int
    name: str
    seed: int
    kind: str  # "random", "png", "jpeg" or "bytes"

    @property
    def path(self) -> str:
        h = self.sha256
        return f"/{h[0:2]}/{h[2:4]}/{h}{self.ext}"

    @property
    def mime(self) -> str:
        return mimetypes.guess_type(f"x{self.ext}")[0] or "application/octet-stream"


def _random_bytes(seed: int, name: str, size: int) -> bytes:
    rng = random.Random(f"{seed}/{name}/{size}")
    return rng.randbytes(size)


def image_bytes(seed: int, name: str, fmt: str, side: int) -> bytes:
    """A real PNG or JPEG of noise (incompressible, so a few hundred KB at ~300 px)."""
    from PIL import Image

    rng = random.Random(f"{seed}/{name}/{fmt}/{side}")
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, format="PNG")
    else:
        image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def _extension(name: str) -> str:
    # assumption: the stored extension is the name's last suffix, lower-cased and sanitised
    # (hostile names such as "../../etc/passwd" get none).
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if not suffix or len(suffix) > 8 or not suffix[1:].isalnum():
        return ".bin"
    return suffix


class FileStore:
    """Maps SHA-256 → file; base entries survive :meth:`reset`, overlay entries do not."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._base: dict[str, StoredFile] = {}
        self._overlay: dict[str, StoredFile] = {}
        self._kept: dict[str, bytes] = {}
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.frozen = False

    def reset(self) -> None:
        with self._lock:
            for sha in self._overlay:
                self._kept.pop(sha, None)
                self._cache.pop(sha, None)
            self._overlay.clear()

    def add_generated(self, name: str, size: int, *, permanent: bool = False) -> StoredFile:
        """Register a file of ``size`` deterministic bytes derived from (seed, name, size).

        ``permanent`` files survive :meth:`reset` even when added after the seeding (the lazily
        generated posts of synthetic creators).
        """
        data = _random_bytes(self.seed, name, size)
        return self._register(name, data, "random", permanent=permanent)

    def add_image(self, name: str, fmt: str, side: int) -> StoredFile:
        return self._register(name, image_bytes(self.seed, name, fmt, side), fmt)

    def add_bytes(self, name: str, data: bytes) -> StoredFile:
        return self._register(name, data, "bytes")

    def _register(
        self, name: str, data: bytes, kind: str, *, permanent: bool = False
    ) -> StoredFile:
        sha = hashlib.sha256(data).hexdigest()
        ext = ".png" if kind == "png" else ".jpg" if kind == "jpeg" else _extension(name)
        stored = StoredFile(sha, ext, len(data), name, self.seed, kind)
        with self._lock:
            if sha in self._base or sha in self._overlay:
                return self._base.get(sha) or self._overlay[sha]
            (self._overlay if self.frozen and not permanent else self._base)[sha] = stored
            if len(data) <= _KEEP_LIMIT or kind != "random":
                self._kept[sha] = data
        return stored

    def entries(self) -> list[StoredFile]:
        """The files that survive :meth:`reset` (seeded or lazily generated)."""
        with self._lock:
            return list(self._base.values())

    def permanent(self, stored: StoredFile) -> bool:
        """Whether ``stored`` survives :meth:`reset` (seeded or lazily generated)."""
        return stored.sha256 in self._base

    def kept(self, stored: StoredFile) -> bytes | None:
        """The bytes held in memory for ``stored`` (None for regenerated big files)."""
        return self._kept.get(stored.sha256)

    def restore(self, stored: StoredFile, data: bytes | None, *, permanent: bool) -> bool:
        """Register a file known from the database; False when its bytes cannot be had.

        Random files are regenerated from (seed, name, size); other kinds need ``data``
        (images come from the seeding itself, which always runs).
        """
        if stored.kind != "random" and data is None:
            return False
        with self._lock:
            if stored.sha256 in self._base or stored.sha256 in self._overlay:
                return True
            (self._base if permanent else self._overlay)[stored.sha256] = stored
            if data is not None:
                self._kept[stored.sha256] = data
        return True

    def get(self, sha256: str) -> StoredFile | None:
        return self._base.get(sha256) or self._overlay.get(sha256)

    def by_path(self, path: str) -> StoredFile | None:
        """Look a ``/xx/yy/<sha><ext>`` path up (the extension must match)."""
        parts = path.strip("/").split("/")
        if len(parts) != 3:
            return None
        stem = parts[2]
        stored = self.get(stem[:64])
        if stored is None or stored.path != path:
            return None
        return stored

    def data(self, stored: StoredFile) -> bytes:
        """The file's bytes (big files are regenerated on demand and kept in a small LRU)."""
        kept = self._kept.get(stored.sha256)
        if kept is not None:
            return kept
        with self._lock:
            cached = self._cache.get(stored.sha256)
            if cached is not None:
                self._cache.move_to_end(stored.sha256)
                return cached
        data = _random_bytes(stored.seed, stored.name, stored.size)
        with self._lock:
            if stored.size <= _KEEP_LIMIT:  # a restored small file: keep it, as registered ones
                self._kept[stored.sha256] = data
                return data
            self._cache[stored.sha256] = data
            while len(self._cache) > _CACHE_ITEMS:
                self._cache.popitem(last=False)
        return data
