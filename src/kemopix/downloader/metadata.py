"""Per-post metadata next to the files: raw API JSON, content as Markdown (or HTML), comments,
revisions, novel text; file times set from the post date.

Sidecars are named after the post id (``<id>.json``, ``<id>.html``, ``<id>.md``,
``<id>.comments.json``, ``<id>.revisions.json``, ``<id>.txt``) so posts sharing a folder never
collide; each is written to a temporary file and renamed, so none is ever half written.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from msgspec import Struct

from .disk_ops import indent_json, markdown_text
from .model import Post, RemoteFile, isoformat

__all__ = [
    "RenderedSidecars",
    "SidecarOptions",
    "post_stamp",
    "render_sidecars",
    "set_mtime",
    "sidecar_document",
    "sidecar_names",
]

SidecarPath = Callable[[str], str]


class SidecarOptions(msgspec.Struct, frozen=True):
    """Which sidecars to write.

    ``json`` is the post's whole record (the raw data holds its text as the site sent it);
    ``markdown`` and ``html`` are readable renderings of the text, ``text`` a novel's text.
    """

    json: bool = True
    markdown: bool = True
    html: bool = False
    text: bool = True
    comments: bool = True
    revisions: bool = True

    @property
    def content(self) -> bool:
        """Whether any rendering of the post's text is written."""
        return self.markdown or self.html or self.text


def _encode_hook(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _to_json(value: Any) -> bytes:
    return indent_json(_compact_json(value))


def _compact_json(value: Any) -> bytes:
    return msgspec.json.encode(value, enc_hook=_encode_hook)


def sidecar_document(
    post: Post, files: Iterable[tuple[RemoteFile, str]], revision: int
) -> dict[str, Any]:
    """The ``<id>.json`` document: kemopix's summary (original names, paths) and the raw data."""
    return {
        "kemopix": {
            "site": post.key.site,
            "service": post.key.service,
            "id": post.key.id,
            "kind": post.kind,
            "creator": {"id": post.creator.id, "name": post.creator.name},
            "title": post.title,
            "published": post.published,
            "added": post.added,
            "edited": post.edited,
            "tags": post.tags,
            "revision": revision,
            "files": [
                {
                    "index": file.index,
                    "kind": file.kind,
                    "original_name": file.name,
                    "path": path,
                    "url": file.url,
                    "sha256": file.sha256,
                }
                for file, path in files
            ],
        },
        "data": post.raw,
    }


def _html_page(post: Post) -> str:
    import html  # only with --text html: a run without it never loads html.entities

    title = html.escape(post.title or post.key.id)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{post.content}\n</body></html>\n"
    )


def _markdown(post: Post) -> str:
    return markdown_text(_markdown_head(post), post.content)


def _markdown_head(post: Post) -> str:
    head = f"# {post.title or post.key.id}\n\n"
    if post.published is not None:
        head += f"Published: {isoformat(post.published)}  \n"
    if post.tags:
        head += f"Tags: {', '.join(post.tags)}  \n"
    return head


def sidecar_names(post_id: str) -> tuple[str, ...]:
    """The names the sidecars of a post may take in its folder."""
    return (
        post_id + ".json",
        post_id + ".html",
        post_id + ".md",
        post_id + ".txt",
        post_id + ".comments.json",
        post_id + ".revisions.json",
    )


class RenderedSidecars(Struct):
    """A post's sidecars, rendered and with their safe paths: what is left is file I/O (and,
    for those named in ``compact``, indenting their compact JSON: see :func:`render_sidecars`)."""

    folder: str
    files: list[tuple[str, bytes]]
    keep_previous: tuple[str, str] | None = None  # (main sidecar, its revision's record)
    mtime: float | None = None  # the post's date
    fresh: bool = False  # the folder did not exist when planned: no temporary file is left in it
    compact: tuple[str, ...] = ()  # the paths whose bytes are JSON still to indent
    markdown: tuple[str, str, str] | None = None  # a Markdown sidecar to make: path, head, HTML

    def job(
        self,
    ) -> tuple[
        str,
        list[tuple[str, bytes]],
        tuple[str, str] | None,
        float | None,
        bool,
        tuple[str, ...],
        tuple[str, str, str] | None,
    ]:
        """The arguments of :func:`disk_ops.write_files` that write these sidecars."""
        return (
            *(self.folder, self.files, self.keep_previous, self.mtime, self.fresh),
            *(self.compact, self.markdown),
        )


def render_sidecars(
    post: Post,
    where: SidecarPath,
    files: Iterable[tuple[RemoteFile, str]],
    revision: int,
    options: SidecarOptions,
    *,
    defer: bool = False,
) -> RenderedSidecars:
    """The post's sidecars to write; ``where(name)`` gives the safe path of a sidecar name.

    With ``defer``, what can be done where the files are written is left to it
    (:func:`disk_ops.write_files`, in the disk helper: the same bytes, off the event loop):
    the JSON sidecars are compact, named in ``compact`` (indenting them was 1.3 % of a
    post's instructions), and the Markdown sidecar is its ``markdown`` recipe (0.8 %)."""
    key = post.key.id
    main = where(f"{key}.json")
    out = RenderedSidecars(os.path.dirname(main), [], mtime=post_stamp(post.published))
    to_json = _compact_json if defer else _to_json
    compact: list[str] = []  # the JSON sidecars' paths
    if options.json:
        if revision > 1:
            # An edited post: the previous sidecar is kept as that revision's record.
            out.keep_previous = (main, where(f"{key}.r{revision - 1}.json"))
        out.files.append((main, to_json(sidecar_document(post, files, revision))))
        compact.append(main)
    if post.content.strip():
        if options.html:
            out.files.append((where(f"{key}.html"), _html_page(post).encode("utf-8")))
        if options.markdown and defer:
            out.markdown = (where(f"{key}.md"), _markdown_head(post), post.content)
        elif options.markdown:
            out.files.append((where(f"{key}.md"), _markdown(post).encode("utf-8")))
    if options.text and post.text:
        out.files.append((where(f"{key}.txt"), post.text.encode("utf-8")))
    if options.comments and post.comments:
        out.files.append((path := where(f"{key}.comments.json"), to_json(post.comments)))
        compact.append(path)
    if options.revisions and post.revisions:
        out.files.append((path := where(f"{key}.revisions.json"), to_json(post.revisions)))
        compact.append(path)
    if defer:
        out.compact = tuple(compact)
    return out


def post_stamp(when: datetime | None) -> float | None:
    """A post date as a POSIX timestamp (naive dates are UTC)."""
    if when is None:
        return None
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).timestamp()


def set_mtime(paths: Iterable[Path], when: datetime | None) -> None:
    """Give ``paths`` the post's date as modification time (naive dates are UTC)."""
    stamp = post_stamp(when)
    if stamp is None:
        return
    for path in paths:
        with contextlib.suppress(OSError):
            os.utime(path, (stamp, stamp))
