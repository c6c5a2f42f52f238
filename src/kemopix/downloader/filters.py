"""What to keep: post filters (date, tags, query), file filters (type, size) and run budgets.

Each filter says *why* it skips something, so ``plan``/``--dry-run`` can show the reason.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache

from msgspec import Struct

from .._protocol.errors import InvalidInput
from .model import Post, RemoteFile

__all__ = [
    "TYPE_ALIASES",
    "TYPE_GROUPS",
    "Budget",
    "Filters",
    "parse_date",
    "parse_size",
    "parse_types",
]

TYPE_GROUPS: dict[str, frozenset[str]] = {
    "image": frozenset(
        {"jpg", "jpeg", "jfif", "png", "gif", "webp", "bmp", "avif", "heic", "tif", "tiff", "jxl"}
        | {"svg", "ico"}
    ),
    "video": frozenset({"mp4", "webm", "mov", "mkv", "avi", "m4v", "wmv", "flv", "mpg", "mpeg"}),
    "audio": frozenset({"mp3", "wav", "flac", "ogg", "m4a", "aac", "opus", "aiff", "wma", "mid"}),
    "archive": frozenset({"zip", "rar", "7z", "tar", "gz", "bz2", "xz", "bin", "lzh"}),
    "document": frozenset(
        {"pdf", "txt", "psd", "psb", "clip", "epub", "doc", "docx", "rtf", "odt", "md", "html"}
        | {"kra", "sai", "sai2", "xcf", "ai", "csv", "xlsx", "pptx"}
    ),
}
# Other words for the groups (plural forms and common short names).
TYPE_ALIASES: dict[str, str] = {
    "images": "image",
    "picture": "image",
    "pictures": "image",
    "videos": "video",
    "movie": "video",
    "movies": "video",
    "music": "audio",
    "sound": "audio",
    "archives": "archive",
    "documents": "document",
    "doc": "document",
    "docs": "document",
}

_SIZE = r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$"  # compiled on first use
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes from ``500``, ``10k``, ``1.5MB``, ``2GiB`` (binary multiples)."""
    match = re.match(_SIZE, text, re.IGNORECASE)
    if match is None:
        raise InvalidInput(f"not a size: {text!r} (examples: 500k, 10MB, 1.5G)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def parse_date(text: str) -> datetime:
    """A UTC datetime from ``YYYY-MM-DD`` or an ISO-8601 date-time."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"not a date: {text!r} (expected YYYY-MM-DD)") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _accepted() -> str:
    extensions = sorted(set().union(*TYPE_GROUPS.values()))
    return (
        f"groups: {', '.join(TYPE_GROUPS)} (also {', '.join(TYPE_ALIASES)}); "
        f"extensions: {', '.join(extensions)}"
    )


def parse_types(values: frozenset[str] | list[str] | tuple[str, ...]) -> frozenset[str]:
    """The extensions meant by ``--type`` words: groups, aliases, extensions, comma lists.

    ``["image,zip"]`` is the same as ``["image", "zip"]``; an unknown word is InvalidInput
    naming every accepted one.
    """
    known = set().union(*TYPE_GROUPS.values())
    out: set[str] = set()
    for value in values:
        for word in str(value).split(","):
            key = word.strip().lower().lstrip(".")
            if not key:
                continue
            key = TYPE_ALIASES.get(key, key)
            if key in TYPE_GROUPS:
                out |= TYPE_GROUPS[key]
            elif key in known:
                out.add(key)
            else:
                raise InvalidInput(f"unknown file type {word.strip()!r}; accepted {_accepted()}")
    return frozenset(out)


class Filters(Struct, frozen=True):
    """Post and file filters; empty sets mean "no restriction"."""

    after: datetime | None = None
    before: datetime | None = None
    tags: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()
    query: str | None = None
    types: frozenset[str] = frozenset()
    exclude_types: frozenset[str] = frozenset()
    min_size: int | None = None
    max_size: int | None = None

    def __post_init__(self) -> None:
        _extensions(self.types)  # an unknown word is refused here, not at the first file
        _extensions(self.exclude_types)

    @property
    def needs_sizes(self) -> bool:
        return self.min_size is not None or self.max_size is not None

    def skip_post(self, post: Post) -> str | None:
        """Why ``post`` is left out, or None to keep it."""
        if self.after is None and self.before is None and not self.query:
            if not (self.tags or self.exclude_tags):
                return None  # no post filter: nothing to look at
        when = post.published
        if self.after is not None and (when is None or _aware(when) < self.after):
            return f"published before {self.after.date()}"
        if self.before is not None and (when is None or _aware(when) >= self.before):
            return f"published on or after {self.before.date()}"
        tags = {t.lower() for t in post.tags}
        if self.tags and not tags & {t.lower() for t in self.tags}:
            return "none of the wanted tags"
        excluded = tags & {t.lower() for t in self.exclude_tags}
        if excluded:
            return f"excluded tag {sorted(excluded)[0]!r}"
        if self.query:
            haystack = f"{post.title}\n{post.content}\n{post.text or ''}".lower()
            if self.query.lower() not in haystack:
                return f"does not match query {self.query!r}"
        return None

    def skip_file(self, file: RemoteFile, size: int | None = None) -> str | None:
        """Why ``file`` is left out, or None to keep it (``size`` when known)."""
        if self.types or self.exclude_types:  # else no type filter: the extension is not needed
            ext = file.extension
            wanted = _extensions(self.types)
            if wanted and ext not in wanted:
                return f"type {ext or 'unknown'} not wanted"
            if ext and ext in _extensions(self.exclude_types):
                return f"type {ext} excluded"
        size = size if size is not None else file.size
        if size is not None:
            if self.min_size is not None and size < self.min_size:
                return f"smaller than {self.min_size} bytes"
            if self.max_size is not None and size > self.max_size:
                return f"larger than {self.max_size} bytes"
        return None


@cache
def _extensions(words: frozenset[str]) -> frozenset[str]:
    """``parse_types`` of a filter's words, once per set of words."""
    return parse_types(words)


class Budget(Struct):
    """``--max-files`` / ``--max-bytes`` for one run; ``take`` books a file if it fits."""

    max_files: int | None = None
    max_bytes: int | None = None
    files: int = 0
    bytes: int = 0

    def take(self, size: int | None) -> str | None:
        """Book a file of ``size`` bytes; the reason it does not fit, or None."""
        if self.max_files is not None and self.files >= self.max_files:
            return f"--max-files {self.max_files} reached"
        if self.max_bytes is not None and self.bytes + (size or 0) > self.max_bytes:
            return f"--max-bytes {self.max_bytes} reached"
        self.files += 1
        self.bytes += size or 0
        return None

    @property
    def needs_sizes(self) -> bool:
        return self.max_bytes is not None
