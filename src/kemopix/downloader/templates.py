"""Path templates such as ``{service}/{creator}/{published:%Y-%m} {title}/{index:03} {name}``.

A template is split on ``/`` *before* any value is put in, so a title holding ``/`` or ``..``
can never add a directory level; each formatted segment then goes through
``kemopix.files.safe_join``, which cleans it, fits it to the 255-byte and path-length budgets
and refuses anything outside the output folder. Only plain field names are allowed (no
attribute or index access: a template comes from a config file and must not reach objects).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msgspec import Struct

from .._protocol.errors import InvalidInput
from ..files import Resolved, SafeFolder, safe_join
from .model import Post, RemoteFile

__all__ = [
    "DEFAULT_TEMPLATES",
    "FIELDS",
    "Template",
    "file_fields",
    "post_fields",
]

DEFAULT_TEMPLATES: Mapping[str, str] = {
    "kemono": "{site}/{service}/{creator}/{published:%Y-%m-%d} {title} [{id}]/{index:02} {name}",
    "pixiv": (
        "{site}/{creator} [{creator_id}]/{published:%Y-%m-%d} {title} [{id}]/{index:02} {name}"
    ),
    # A Discord channel is one folder: its transcript and every message's attachments.
    "discord": "{site}/discord/{creator}/{title}/{published:%Y-%m-%d} {id} {index:02} {name}",
}

FIELDS: Mapping[str, str] = {
    "site": "kemono, coomer, pawchive or pixiv",
    "service": "patreon, fanbox, discord... (Kemono); illust or novel (pixiv)",
    "creator": "creator name (its id when the name is unknown)",
    "creator_id": "creator id",
    "id": "post or work id",
    "title": "post title ('untitled' when empty)",
    "kind": "post, illust, manga, ugoira, novel, message",
    "published": "publication date (datetime: use {published:%Y-%m-%d})",
    "added": "date the archive site added the post",
    "edited": "date of the last edit",
    "tags": "tags joined with ', '",
    "index": "file number within the post, from 1 (int: use {index:03})",
    "name": "the file's original name",
    "stem": "the original name without its extension",
    "ext": "extension without the dot",
    "sha256": "the file's SHA-256 when known (Kemono)",
    "hash": "first 12 characters of the SHA-256",
}


class _Missing:
    """A date or value the site did not give: ``unknown`` whatever the format spec."""

    def __format__(self, spec: str) -> str:
        return "unknown"

    def __str__(self) -> str:
        return "unknown"


MISSING = _Missing()


class _StrictFormatter(string.Formatter):
    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if not field_name.isidentifier():
            raise InvalidInput(f"template field {{{field_name}}}: only plain names are allowed")
        if field_name not in kwargs:
            known = ", ".join(sorted(FIELDS))
            raise InvalidInput(f"unknown template field {{{field_name}}}; known fields: {known}")
        return kwargs[field_name], field_name


_FORMATTER = _StrictFormatter()

# The fields that differ between the files of one post (the rest are the post's).
_FILE_FIELDS = frozenset({"index", "name", "stem", "ext", "sha256", "hash"})


def _names_in(segment: str) -> set[str]:
    names: set[str] = set()
    for _, name, spec, _ in _FORMATTER.parse(segment):
        if name is not None:
            names.add(name)
            names |= _names_in(spec or "")  # a field may be named in a format spec too
    return names


def _sample() -> dict[str, Any]:
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    fields: dict[str, Any] = dict.fromkeys(FIELDS, "x")
    fields.update(published=now, added=now, edited=now, index=1)
    return fields


# A date's format, {published:%Y-%m-%d}, costs a post's folder most (strftime takes
# microseconds): a checked template's segments name each one as a field of its own,
# {published~0}, whose text is formatted first, the usual formats without strftime.
_DATES = frozenset({"published", "added", "edited"})
_TWO = tuple(f"{n:02}" for n in range(100))
_DATE_FORMATS: dict[str, Callable[[datetime], str]] = {
    "%Y-%m-%d": lambda d: f"{d.year}-{_TWO[d.month]}-{_TWO[d.day]}",
    "%Y-%m": lambda d: f"{d.year}-{_TWO[d.month]}",
    "%Y": lambda d: str(d.year),
}


_DateField = tuple[str, str, str]  # the segment's own field, the date's field, the format


class _Dated:
    """A checked template's folder segments and file-name segment with their date formats
    as fields of their own (see :func:`_with_dates`), and those fields."""

    __slots__ = ("folder_dates", "folders", "name", "name_dates")

    def __init__(
        self,
        folders: tuple[str, ...],
        folder_dates: tuple[_DateField, ...],
        name: str,
        name_dates: tuple[_DateField, ...],
    ) -> None:
        self.folders, self.folder_dates = folders, folder_dates
        self.name, self.name_dates = name, name_dates


_DATED: dict[tuple[str, ...], _Dated] = {}


def _dated(segments: tuple[str, ...]) -> _Dated:
    """The :class:`_Dated` of a checked template's ``segments`` (remembered)."""
    found = _DATED.get(segments)
    if found is not None:
        return found
    folder_dates: list[_DateField] = []
    folders = tuple(_with_dates(s, folder_dates) for s in segments[:-1])
    name_dates = list(folder_dates)  # numbered after the folders'
    name = _with_dates(segments[-1], name_dates)
    found = _Dated(folders, tuple(folder_dates), name, tuple(name_dates[len(folder_dates) :]))
    if len(_DATED) < 64:
        _DATED[segments] = found
    return found


def _with_dates(segment: str, dates: list[_DateField]) -> str:
    """``segment`` with each format of a date, ``{published:%Y-%m-%d}``, as a field of its own,
    ``{published~0}`` (added to ``dates``): formatting ``fields[published]`` with the format
    first gives the same text."""
    out: list[str] = []
    first = len(dates)
    for literal, name, spec, conversion in _FORMATTER.parse(segment):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name in _DATES and spec and conversion is None and "{" not in spec:
            key = f"{name}~{len(dates)}"  # no template names it: only identifiers are allowed
            dates.append((key, name, spec))
            out.append("{" + key + "}")
        else:  # as it was written
            out.append(f"{{{name}{'!' + conversion if conversion else ''}:{spec}}}")
    return "".join(out) if len(dates) > first else segment


def _with_texts(fields: Mapping[str, Any], dates: tuple[_DateField, ...]) -> dict[str, Any]:
    """``fields`` and the texts of the date fields of :func:`_with_dates`: ``format(date,
    spec)``, for a datetime of a four-digit year in a usual format without strftime (its
    ``%Y`` is then the year's four digits)."""
    out = {**fields}
    for key, name, spec in dates:
        value = fields[name]
        quick = _DATE_FORMATS.get(spec)
        if quick is not None and type(value) is datetime and value.year >= 1000:
            out[key] = quick(value)
        else:
            out[key] = format(value, spec)
    return out


class Template(Struct, frozen=True):
    """A parsed template: directory segments and the file-name segment."""

    text: str
    segments: tuple[str, ...]
    checked: bool = False  # parsed: only known plain field names
    per_post: bool = False  # parsed, and the folder segments use no field of a file

    @classmethod
    def parse(cls, text: str) -> Template:
        """Check ``text`` once (syntax, field names, format specs) so errors show up front."""
        segments = tuple(s for s in text.strip().strip("/").split("/") if s.strip())
        if not segments:
            raise InvalidInput("the template is empty")
        try:
            cls(text, segments).format(_sample())
        except InvalidInput:
            raise
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise InvalidInput(f"bad template {text!r}: {exc}") from exc
        per_post = not any(_names_in(s) & _FILE_FIELDS for s in segments[:-1])
        return cls(text, segments, checked=True, per_post=per_post)

    def format(self, fields: Mapping[str, Any]) -> list[str]:
        """The formatted segments (not yet sanitized)."""
        if self.checked:
            return [*self.directory(fields), self.file_name(fields)]
        return self._render(self.segments, fields)

    def directory(self, fields: Mapping[str, Any]) -> list[str]:
        """The post's directory segments (every segment but the file name)."""
        if self.checked:
            dated = _dated(self.segments)
            if dated.folder_dates:
                fields = _with_texts(fields, dated.folder_dates)
            return [segment.format_map(fields) for segment in dated.folders]
        return self._render(self.segments[:-1], fields)

    def _render(self, segments: Sequence[str], fields: Mapping[str, Any]) -> list[str]:
        # Not parsed: the strict formatter checks each field. (A checked template's fields are
        # plain names, which str.format_map, in C, formats the same.)
        return [_FORMATTER.vformat(segment, (), fields) for segment in segments]

    def file_path(
        self, root: Path, fields: Mapping[str, Any], resolved: Resolved | None = None
    ) -> Path:
        """The safe path of a file under ``root`` (raises ``UnsafePathError`` if impossible).

        ``resolved``: see :func:`kemopix.files.safe_join`."""
        return safe_join(root, *self.format(fields), resolved=resolved)

    def folder(
        self, root: Path, fields: Mapping[str, Any], resolved: Resolved | None = None
    ) -> SafeFolder:
        """The post's folder under ``root`` (for a :attr:`per_post` template, every file's)."""
        return SafeFolder(root, self.directory(fields), resolved=resolved)

    def file_name(self, fields: Mapping[str, Any]) -> str:
        """The formatted file-name segment (not yet sanitized)."""
        if self.checked:
            dated = _dated(self.segments)
            if dated.name_dates:
                fields = _with_texts(fields, dated.name_dates)
            return dated.name.format_map(fields)
        return _FORMATTER.vformat(self.segments[-1], (), fields)

    def sidecar_path(self, root: Path, fields: Mapping[str, Any], name: str) -> Path:
        """A metadata file ``name`` in the post's directory."""
        return safe_join(root, *self.directory(fields), name, part=False)


def post_fields(post: Post) -> dict[str, Any]:
    """Template values of a post (file fields are added by :func:`file_fields`)."""
    return {
        "site": post.key.site,
        "service": post.key.service,
        "creator": post.creator.label,
        "creator_id": post.creator.id,
        "id": post.key.id,
        "title": post.title.strip() or "untitled",
        "kind": post.kind,
        "published": post.published or MISSING,
        "added": post.added or MISSING,
        "edited": post.edited or post.published or MISSING,
        "tags": ", ".join(post.tags),
        "index": 0,
        "name": "",
        "stem": "",
        "ext": "",
        "sha256": "",
        "hash": "",
    }


def file_fields(base: Mapping[str, Any], file: RemoteFile) -> dict[str, Any]:
    """``base`` (from :func:`post_fields`) with the values of one file."""
    name = file.name or file.url.split("?", 1)[0].rsplit("/", 1)[-1] or f"file{file.index}"
    ext = file.extension
    stem = name[: -len(ext) - 1] if ext and name.lower().endswith("." + ext) else name
    sha = file.sha256 or ""
    return {
        **base,
        "index": file.index,
        "name": name,
        "stem": stem,
        "ext": ext,
        "sha256": sha,
        "hash": sha[:12],
    }
