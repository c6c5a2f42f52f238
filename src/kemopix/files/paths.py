"""Safe file names and paths: nothing a server or user sends can place a file outside the root.

Each component is cleaned on its own (separators, control characters, traversal, Windows
reserved names, trailing dots and spaces), cut to fit 255 bytes *including* the ``.part``
suffix used while downloading, and the joined path is checked to stay inside the root.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .._protocol.errors import UnsafePathError

__all__ = [
    "INTERNAL_PREFIX",
    "LINK_SUFFIX",
    "PART_SUFFIX",
    "PathBudget",
    "is_reserved_name",
    "safe_join",
    "sanitize_component",
    "split_extension",
]

PART_SUFFIX = ".part"
LINK_SUFFIX = ".kemopix-link"  # a hard link or copy on its way to its final name
INTERNAL_PREFIX = ".kemopix"  # the archive, its lock, temporary sidecars
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{i}" for p in ("COM", "LPT") for i in (*range(1, 10), "¹", "²", "³")}
)
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_EXT_CHARS = 16


@dataclass(frozen=True, slots=True)
class PathBudget:
    """Limits a planned path must fit: bytes per component, characters for the whole path.

    ``path_chars`` defaults to Windows' MAX_PATH (260 with the NUL) so an archive still opens
    there; the ``.part`` suffix is counted. On Windows the real root counts; elsewhere the
    root is counted as ``root_allowance`` characters, so the archive can move to a Windows
    folder of that length.
    """

    component_bytes: int = 255
    path_chars: int = 259
    root_allowance: int = 40
    min_component_chars: int = 12


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
    return _sanitize(name, reserve, fallback)


@functools.lru_cache(maxsize=4096)  # a pure function, asked again for every file of a folder
def _sanitize(name: str, reserve: int, fallback: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = _BAD_CHARS.sub("_", name).strip().rstrip(". ")
    if name in ("", ".", ".."):
        name = fallback
    if name.startswith(".."):
        name = "_" + name.lstrip(".")
    if is_reserved_name(name) or name.lower().startswith(INTERNAL_PREFIX):
        name = "_" + name
    name = _defuse_suffix(name)
    limit = 255 - reserve
    stem, ext = split_extension(name)
    if len(name.encode("utf-8")) > limit:
        stem = _cut_bytes(stem, limit - len(ext.encode("utf-8"))).rstrip(". ") or fallback
        name = stem + ext
    return name


def _defuse_suffix(name: str) -> str:
    """``a.png.part`` becomes ``a.png_part``: a final name is never another file's temporary
    name (``a.png``'s part file, or its link on the way in)."""
    lower = name.lower()
    for suffix in (PART_SUFFIX, LINK_SUFFIX):
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + "_" + name[-len(suffix) + 1 :]
    return name


def safe_join(
    root: Path,
    *components: str,
    budget: PathBudget = PathBudget(),
    part: bool = True,
    resolved: dict[Path, str] | None = None,
) -> Path:
    """``root / components...`` with every component sanitized and the result inside ``root``.

    The last component leaves room for the ``.part`` suffix when ``part``. When the path would
    be longer than ``budget.path_chars``, the longest components are shortened (extensions
    kept); if even that cannot fit, :class:`UnsafePathError` is raised. ``resolved`` lets
    several paths checked at one moment (a post's file and sidecars) resolve their common
    folders once: a fresh dict per batch, never kept.
    """
    if not components:
        raise UnsafePathError("no file name given")
    root_abs = Path(os.path.abspath(root))
    suffix = len(PART_SUFFIX) if part else 0
    spare = max(0, 255 - budget.component_bytes)
    parts = [sanitize_component(c, reserve=spare) for c in components[:-1]]
    parts.append(sanitize_component(components[-1], reserve=spare + suffix))
    root_chars = len(str(root_abs)) if os.name == "nt" else budget.root_allowance
    room = budget.path_chars - root_chars - suffix - len(parts)  # one separator each
    parts = _fit(parts, room, budget.min_component_chars)
    path = root_abs.joinpath(*parts)
    _check_inside(root_abs, path, resolved)
    return path


def _fit(parts: list[str], room: int, floor: int) -> list[str]:
    """Shorten the longest components until their total length fits ``room``."""
    parts = list(parts)
    while (excess := sum(map(len, parts)) - room) > 0:
        index = max(range(len(parts)), key=lambda i: len(parts[i]))
        stem, ext = split_extension(parts[index]) if index == len(parts) - 1 else (parts[index], "")
        keep = max(floor, len(stem) - excess)
        if keep >= len(stem):
            raise UnsafePathError(f"the path cannot be made short enough: {'/'.join(parts)!r}")
        parts[index] = stem[:keep].rstrip(". ") + ext
    return parts


def _check_inside(root: Path, path: Path, resolved: dict[Path, str] | None = None) -> None:
    # Resolve symlinks that already exist so a planted link cannot redirect writes outside.
    memo: dict[Path, str] = {} if resolved is None else resolved
    real_root = _realpath(root, memo)
    # realpath(folder/name) is realpath(folder)/name unless name itself is a link.
    if os.path.islink(path):
        real_path = os.path.realpath(path)
    else:
        real_path = os.path.join(_realpath(path.parent, memo), path.name)
    inside, top = os.path.normcase(real_path), os.path.normcase(real_root)
    if inside != top and not inside.startswith(top.rstrip(os.sep) + os.sep):
        raise UnsafePathError(f"refusing to write outside {root}: {path}")


def _realpath(path: Path, memo: dict[Path, str]) -> str:
    real = memo.get(path)
    if real is None:
        real = memo[path] = os.path.realpath(path)
    return real
