"""Safe file names and paths: nothing a server or user sends can place a file outside the root.

Each component is cleaned on its own (separators, control characters, traversal, Windows
reserved names, trailing dots and spaces), cut to fit 255 bytes *including* the ``.part``
suffix used while downloading, and the joined path is checked to stay inside the root.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from msgspec import Struct

from .._protocol.errors import UnsafePathError

__all__ = [
    "INTERNAL_PREFIX",
    "LINK_SUFFIX",
    "PART_SUFFIX",
    "PathBudget",
    "Resolved",
    "SafeFolder",
    "is_reserved_name",
    "relative_posix",
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


class PathBudget(Struct, frozen=True):
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


# Names such as a post's sidecars (``123.json``, ``123.comments.json``) need no cleaning: a
# leading digit is no reserved name, and no such suffix is a temporary one.
# (Written possessive, which saves time and cannot change a full match: the digits are
# followed by a dot, and no two extensions match at the same place.)
_PLAIN_EXT = r"\.(?:json|md|html|txt|comments|revisions|r[0-9]{1,6})"
_PLAIN = re.compile(rf"[0-9]{{1,40}}+{_PLAIN_EXT}(?:{_PLAIN_EXT})?+")


def _sanitize(name: str, reserve: int, fallback: str) -> str:
    # A plain name is asked once (a post's sidecars): looked at before the cache, not kept in it.
    return name if _PLAIN.fullmatch(name) else _clean(name, reserve, fallback)


def _sanitize_once(name: str, reserve: int, fallback: str) -> str:
    """:func:`_sanitize` for a name not asked again and seldom plain (a post's folder): a
    plain name comes out of the cleaner as it is unless cut, so only then is it looked at."""
    clean = _cleaned(name, reserve, fallback)
    return clean if clean == name or not _PLAIN.fullmatch(name) else name


# The first three letters of every reserved name (``is_reserved_name`` looks further).
_RESERVED_HEADS = frozenset(n[:3] for n in _RESERVED)
_TEMPORARY = (PART_SUFFIX, LINK_SUFFIX)
# The characters whose lower case ends as a temporary suffix does ("t", "k"; "K" is Kelvin).
_TEMPORARY_ENDS = frozenset("tTkK\u212a")


def _cleaned(name: str, reserve: int, fallback: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = _BAD_CHARS.sub("_", name).strip().rstrip(". ")
    if not name:  # "." and ".." too, once their dots are stripped
        name = fallback
    is_ascii = name.isascii()  # adding "_" or changing "." to "_" keeps it so
    if name[:1] == ".":
        if name.startswith(".."):
            name = "_" + name.lstrip(".")
        elif name.lower().startswith(INTERNAL_PREFIX):
            name = "_" + name
    # A name starting with a dot has an empty stem: never reserved. An ASCII name's first
    # three letters, upper-cased, start its stem's (reserved stems have at least three).
    elif (not is_ascii or name[:3].upper() in _RESERVED_HEADS) and is_reserved_name(name):
        name = "_" + name
    if name[-1:] in _TEMPORARY_ENDS and name.lower().endswith(_TEMPORARY):
        name = _defuse_suffix(name)
    limit = 255 - reserve
    if (len(name) if is_ascii else len(name.encode("utf-8"))) > limit:
        stem, ext = split_extension(name)
        stem = _cut_bytes(stem, limit - len(ext.encode("utf-8"))).rstrip(". ") or fallback
        name = stem + ext
    return name


# A pure function, asked again for every file of a folder (safe_join cleans every component).
_clean = functools.lru_cache(maxsize=4096)(_cleaned)


def _defuse_suffix(name: str) -> str:
    """``a.png.part`` becomes ``a.png_part``: a final name is never another file's temporary
    name (``a.png``'s part file, or its link on the way in)."""
    lower = name.lower()
    for suffix in (PART_SUFFIX, LINK_SUFFIX):
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + "_" + name[-len(suffix) + 1 :]
    return name


class Resolved:
    """Real paths of folders, for checking many paths in a row with few system calls.

    A folder that exists is resolved once (one ``lstat`` per new folder: its parent's real
    path is remembered) and kept for the life of the object; a folder that does not exist is
    known absent only until :meth:`moment` starts a new batch, since it may be made in between.
    A folder in which a missing folder was asked for is listed once, so the next missing
    folders there (a creator's new posts) cost no system call; :meth:`made` tells it of the
    folders the caller makes. A downloader keeps one for a run and takes a moment per post.
    """

    __slots__ = ("_absent", "_dirs", "_listed")
    _LIMIT = 8192  # folders remembered; beyond, the memory starts again

    def __init__(
        self, dirs: dict[str, str] | None = None, listed: dict[str, set[str]] | None = None
    ) -> None:
        self._dirs: dict[str, str] = {} if dirs is None else dirs
        self._listed: dict[str, set[str]] = {} if listed is None else listed
        # Each folder found absent: its real path, parent and folded name (for :meth:`made`).
        self._absent: dict[str, tuple[str, str, str]] = {}

    def moment(self) -> Resolved:
        """A batch of checks made at one moment: shares the folders that exist."""
        return Resolved(self._dirs, self._listed)

    def folder(self, path: str) -> tuple[str, bool]:
        """``path``'s real path and whether it exists (as a folder or a link to one)."""
        real = self._dirs.get(path)
        if real is not None:
            return real, True
        absent = self._absent.get(path)
        if absent is not None:
            return absent[0], False
        return self._look(path, *os.path.split(path))

    def _folder_in(self, path: str, parent: str, name: str) -> tuple[str, bool]:
        """:meth:`folder` of ``path``, whose ``os.path.split`` is ``(parent, name)``."""
        real = self._dirs.get(path)
        if real is not None:
            return real, True
        absent = self._absent.get(path)
        if absent is not None:
            return absent[0], False
        return self._look(path, parent, name)

    def _look(self, path: str, parent: str, name: str) -> tuple[str, bool]:
        if not name or parent == path:
            real = os.path.realpath(path)
            self._remember(path, real)
            return real, True
        names = self._listed.get(parent)
        if names is not None:
            folded = _fold(name)
            if folded not in names:
                real = _join(self._real(parent), name)
                self._absent[path] = (real, parent, folded)
                return real, False
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            real = _join(self._real(parent), name)
            self._absent[path] = (real, parent, _fold(name))
            self._list(parent)
            return real, False
        # realpath(folder/name) is realpath(folder)/name unless name itself is a link.
        real = os.path.realpath(path) if stat.S_ISLNK(mode) else _join(self._real(parent), name)
        self._remember(path, real)
        return real, True

    def _real(self, path: str) -> str:
        real = self._dirs.get(path)
        return self.folder(path)[0] if real is None else real

    def exists(self, path: str) -> bool:
        """Whether ``path`` was a folder when this moment's checks looked (False if never
        looked at: the caller then looks itself)."""
        return path in self._dirs

    def absent(self, path: str) -> bool:
        """Whether this moment's checks found no folder at ``path`` (and it is not yet
        :meth:`made`): unlike ``not exists(path)``, False for a path never looked at."""
        return path in self._absent

    def made(self, path: str) -> None:
        """``path``, a folder :meth:`folder` found absent, is being made by the caller."""
        absent = self._absent.pop(path, None)
        if absent is None:
            return
        real, parent, folded = absent
        names = self._listed.get(parent)
        if names is not None:
            names.add(folded)
        self._remember(path, real)

    def _remember(self, path: str, real: str) -> None:
        if len(self._dirs) >= self._LIMIT:
            self._dirs.clear()
            self._listed.clear()
        self._dirs[path] = real

    def _list(self, parent: str) -> None:
        if parent not in self._dirs:
            return  # only a folder that exists, and not a link, is listed (below a link: lstat)
        try:
            self._listed[parent] = {_fold(n) for n in os.listdir(parent)}
        except OSError:
            pass


def _join_posix(folder: str, name: str) -> str:
    return folder + name if not folder or folder.endswith("/") else folder + "/" + name


# ``os.path.join(folder, name)`` for a ``name`` that holds no separator (nor drive).
_join: Callable[[str, str], str] = os.path.join if os.name == "nt" else _join_posix


def _fold(name: str) -> str:
    # A name that differs only in case or Unicode form may be the same entry on some file
    # systems: taking it as present costs an lstat, never a wrong answer.
    return unicodedata.normalize("NFC", name).casefold()


def safe_join(
    root: Path,
    *components: str,
    budget: PathBudget = PathBudget(),
    part: bool = True,
    resolved: Resolved | None = None,
) -> Path:
    """``root / components...`` with every component sanitized and the result inside ``root``.

    The last component leaves room for the ``.part`` suffix when ``part``. When the path would
    be longer than ``budget.path_chars``, the longest components are shortened (extensions
    kept); if even that cannot fit, :class:`UnsafePathError` is raised. ``resolved`` lets
    paths checked in a row resolve their common folders once (see :class:`Resolved`).
    """
    if not components:
        raise UnsafePathError("no file name given")
    root_abs = _absolute(root)
    suffix = len(PART_SUFFIX) if part else 0
    spare = max(0, 255 - budget.component_bytes)
    parts = [_sanitize(c, spare, "_") for c in components[:-1]]
    parts.append(_sanitize(components[-1], spare + suffix, "_"))
    root_chars = len(root_abs) if os.name == "nt" else budget.root_allowance
    room = budget.path_chars - root_chars - suffix - len(parts)  # one separator each
    if sum(map(len, parts)) > room:
        parts = _fit(parts, room, budget.min_component_chars)
    path = os.path.join(root_abs, *parts)
    _check_inside(root_abs, path, resolved or Resolved())
    return Path(path)


class SafeFolder:
    """A folder below ``root`` (``folder``'s components cleaned once) and the safe paths of
    names in it: :meth:`path` gives ``str(safe_join(root, *folder, name, ...))`` without doing
    the folder's work again, the folder checked once (only a link can lead a name in it
    outside, and only a folder that exists holds one). The folders above the last one (a
    creator's) are cleaned once for all the posts in them."""

    __slots__ = ("_budget", "_exists", "_folder", "_path", "_prefix", "_resolved", "_room",
                 "_root", "_root_abs", "_spare", "_split")  # fmt: skip

    def __init__(
        self,
        root: Path,
        folder: Iterable[str],
        *,
        budget: PathBudget = PathBudget(),
        resolved: Resolved | None = None,
    ) -> None:
        self._root, self._folder, self._budget = root, tuple(folder), budget
        self._resolved = resolved or Resolved()
        self._root_abs = root_abs = _absolute(root)
        spare = 255 - budget.component_bytes
        self._spare = spare = spare if spare > 0 else 0
        root_chars = len(root_abs) if os.name == "nt" else budget.root_allowance
        # What safe_join leaves the name before it shortens anything (one separator each).
        room = budget.path_chars - root_chars - len(self._folder) - 1
        self._split: tuple[str, str] | None = None  # os.path.split(path), when known
        if self._folder:
            above, parent, chars = _above(root_abs, self._folder[:-1], spare)
            last = _sanitize_once(self._folder[-1], spare, "_")
            # A clean name holds no separator: joined to the folder by concatenation.
            path = above + last
            self._split = parent, last
            room -= chars + len(last)
        else:
            path = root_abs
        self._path = path
        self._prefix = path if path.endswith(os.sep) else path + os.sep
        self._room = room
        self._exists: bool | None = None  # not checked yet

    @property
    def folder(self) -> str:
        """The folder's path when no name has to be cut to fit (see :meth:`path`)."""
        return self._path

    def path(self, name: str, *, part: bool = True) -> str:
        """The safe path of ``name`` in the folder (room left for ``.part`` when ``part``)."""
        suffix = len(PART_SUFFIX) if part else 0
        clean = name if _PLAIN.fullmatch(name) else _cleaned(name, self._spare + suffix, "_")
        if len(clean) > self._room - suffix:  # too long: safe_join shortens the longest parts
            return str(
                safe_join(self._root, *self._folder, name, budget=self._budget, part=part,
                          resolved=self._resolved)
            )  # fmt: skip
        path = self._prefix + clean
        if self._exists is None:
            _check_name_inside(self._root_abs, self._path, clean, path, self._resolved, self._split)
            self._exists = self._resolved.exists(self._path)
        elif self._exists and os.path.islink(path):
            _check_name_inside(self._root_abs, self._path, clean, path, self._resolved, self._split)
        return path

    def paths(self, names: Iterable[str], *, part: bool = True) -> list[str]:
        """:meth:`path` of each of ``names``; in a folder found missing (nothing in it can be
        a link), names that need no cleaning and fit are joined without a call each (a
        post's six sidecar names)."""
        if self._exists is None:
            names = list(names)
            if not names:
                return []
            first = self.path(names[0], part=part)  # the folder's checks, once
            return [first, *self.paths(names[1:], part=part)]
        if self._exists:
            return [self.path(name, part=part) for name in names]
        room = self._room - (len(PART_SUFFIX) if part else 0)
        prefix, plain = self._prefix, _PLAIN.fullmatch
        return [
            prefix + name if len(name) <= room and plain(name) else self.path(name, part=part)
            for name in names
        ]


@functools.lru_cache(maxsize=256)  # a pure function: a creator's folders, asked for each post
def _above(root_abs: str, folders: tuple[str, ...], spare: int) -> tuple[str, str, int]:
    """The path of the cleaned ``folders`` below ``root_abs`` ending with a separator, the
    folder ``os.path.split`` gives of a name in it, and the length of their names."""
    parts = [_sanitize(c, spare, "_") for c in folders]
    path = os.path.join(root_abs, *parts)
    prefix = path if path.endswith(os.sep) else path + os.sep
    return prefix, os.path.split(prefix + "_")[0], sum(map(len, parts))


_ABSOLUTE: set[str] = set()  # roots known to be their own absolute path, whatever the cwd


def _absolute(root: Path | str) -> str:
    """``os.path.abspath(root)``, remembered for a root that is already absolute."""
    text = os.fspath(root)
    if text in _ABSOLUTE:
        return text
    absolute = os.path.abspath(text)
    if absolute == text and len(_ABSOLUTE) < 64:
        _ABSOLUTE.add(text)
    return absolute


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


def _check_inside(root: str, path: str, resolved: Resolved) -> None:
    folder, name = os.path.split(path)
    _check_name_inside(root, folder, name, path, resolved)


def _check_name_inside(
    root: str,
    folder: str,
    name: str,
    path: str,
    resolved: Resolved,
    split: tuple[str, str] | None = None,
) -> None:
    """Refuse ``path`` (``name``, without separator, in ``folder``; ``split``: the folder's
    ``os.path.split`` when known) unless it is inside ``root``."""
    # Resolve symlinks that already exist so a planted link cannot redirect writes outside.
    real_root = resolved._real(root)
    real_parent, exists = (
        resolved.folder(folder) if split is None else resolved._folder_in(folder, *split)
    )
    if exists and os.path.islink(path):  # in a folder that does not exist, nothing does
        real_path = os.path.realpath(path)
    else:
        real_path = _join(real_parent, name)
    if os.name == "nt":
        real_path, real_root = os.path.normcase(real_path), os.path.normcase(real_root)
    if real_path != real_root and not real_path.startswith(real_root.rstrip(os.sep) + os.sep):
        raise UnsafePathError(f"refusing to write outside {root}: {path}")


def relative_posix(base: str, path: str) -> str:
    """``path`` relative to the folder ``base`` (both absolute), with ``/`` separators; a
    string operation where ``path`` is plainly inside (the usual case), else pathlib's.
    Raises ``ValueError`` when ``path`` is not inside ``base``."""
    if path.startswith(base) and path[len(base) : len(base) + 1] == os.sep:
        rel = path[len(base) + 1 :]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    return Path(path).relative_to(base).as_posix()
