"""Safe file names and paths: nothing a server or user sends can place a file outside the root.

Each component is cleaned on its own (separators, control characters, traversal, Windows
reserved names, trailing dots and spaces), cut to fit 255 bytes *including* the ``.part``
suffix used while downloading, and the joined path is checked to stay inside the root.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .._protocol.errors import UnsafePathError

__all__ = [
    "PART_SUFFIX",
    "PathBudget",
    "is_reserved_name",
    "safe_join",
    "sanitize_component",
    "split_extension",
]

PART_SUFFIX = ".part"
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{i}" for p in ("COM", "LPT") for i in (*range(1, 10), "¹", "²", "³")}
)
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_EXT_CHARS = 16


@dataclass(frozen=True, slots=True)
class PathBudget:
    """Limits a planned path must fit: bytes per component, characters for the whole path.

    ``path_chars`` defaults to Windows' MAX_PATH (260) so an archive copied there still opens;
    the ``.part`` suffix is counted in both.
    """

    component_bytes: int = 255
    path_chars: int = 259


def is_reserved_name(name: str) -> bool:
    """Whether Windows refuses ``name`` (``CON``, ``nul.txt``, ``COM1.png`` ...)."""
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    return stem in _RESERVED


def split_extension(name: str) -> tuple[str, str]:
    """``("photo", ".png")``; an extension is at most 16 characters of letters and digits."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= _MAX_EXT_CHARS and ext.isalnum():
        return stem, "." + ext
    return name, ""


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: max(0, limit)].decode("utf-8", "ignore")


def sanitize_component(name: str, *, reserve: int = 0, fallback: str = "_") -> str:
    """One safe path component from an untrusted ``name`` (``reserve`` bytes kept free)."""
    name = unicodedata.normalize("NFC", name)
    name = _BAD_CHARS.sub("_", name).strip().rstrip(". ")
    if name in ("", ".", ".."):
        name = fallback
    if name.startswith(".."):
        name = "_" + name.lstrip(".")
    if is_reserved_name(name):
        name = "_" + name
    limit = 255 - reserve
    stem, ext = split_extension(name)
    if len(name.encode("utf-8")) > limit:
        stem = _cut_bytes(stem, limit - len(ext.encode("utf-8"))).rstrip(". ") or fallback
        name = stem + ext
    return name


def safe_join(
    root: Path, *components: str, budget: PathBudget = PathBudget(), part: bool = True
) -> Path:
    """``root / components...`` with every component sanitized and the result inside ``root``.

    The last component leaves room for the ``.part`` suffix when ``part``. If the whole path
    would exceed ``budget.path_chars``, the last component's stem is shortened; if that cannot
    be done, :class:`UnsafePathError` is raised.
    """
    if not components:
        raise UnsafePathError("no file name given")
    root_abs = Path(os.path.abspath(root))
    suffix = len(PART_SUFFIX) if part else 0
    spare = max(0, 255 - budget.component_bytes)
    dirs = [sanitize_component(c, reserve=spare) for c in components[:-1]]
    name = sanitize_component(components[-1], reserve=spare + suffix)
    parent = root_abs.joinpath(*dirs)
    room = budget.path_chars - len(str(parent)) - 1 - suffix
    if len(name) > room:
        stem, ext = split_extension(name)
        if room - len(ext) < 8:
            raise UnsafePathError(f"path too long for the folder {root_abs}: {components!r}")
        name = stem[: room - len(ext)].rstrip(". ") + ext
    path = parent / name
    _check_inside(root_abs, path)
    return path


def _check_inside(root: Path, path: Path) -> None:
    # Resolve symlinks that already exist so a planted link cannot redirect writes outside.
    real_root = Path(os.path.realpath(root))
    real_path = Path(os.path.realpath(path))
    if not real_path.is_relative_to(real_root):
        raise UnsafePathError(f"refusing to write outside {root}: {path}")
