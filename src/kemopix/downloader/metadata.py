"""Per-post metadata next to the files: raw API JSON, content as HTML and Markdown, comments,
revisions, novel text; file times set from the post date.

Sidecars are named after the post id (``<id>.json``, ``<id>.html``, ``<id>.md``,
``<id>.comments.json``, ``<id>.revisions.json``, ``<id>.txt``) so posts sharing a folder never
collide; each is written to a temporary file and renamed, so none is ever half written.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from .markdown import html_to_markdown
from .model import Post, RemoteFile

__all__ = [
    "RenderedSidecars",
    "SidecarOptions",
    "clear_stale_temps",
    "render_sidecars",
    "set_mtime",
    "sidecar_document",
    "sidecar_names",
    "write_atomic",
    "write_in_background",
    "write_rendered",
    "write_sidecars",
]

SidecarPath = Callable[[str], Path]


class SidecarOptions(msgspec.Struct, frozen=True):
    """Which sidecars to write."""

    json: bool = True
    content: bool = True
    comments: bool = True
    revisions: bool = True


def _encode_hook(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _to_json(value: Any) -> bytes:
    raw = msgspec.json.encode(value, enc_hook=_encode_hook)
    return msgspec.json.format(raw, indent=2) + b"\n"


def _read_umask() -> int:
    try:  # Linux says it without changing it (changing it races with other threads)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_read_umask()  # what open() gives a media file: sidecars get the same
TEMP_PREFIX, TEMP_SUFFIX = ".kemopix-", ".tmp"


_cleared: set[Path] = set()
_cleared_lock = threading.Lock()


def _own_prefix() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-"


def clear_stale_temps(folder: Path) -> None:
    """Remove temporary sidecars a killed run left in ``folder`` (once per folder and process).

    Only called by a process holding the output folder's lock: a temporary file of another
    process is stale; this process's own are being written by its other threads.
    """
    with _cleared_lock:
        if folder in _cleared:
            return
        _cleared.add(folder)
    own = _own_prefix()
    with contextlib.suppress(OSError):
        for stale in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            if not stale.name.startswith(own):
                with contextlib.suppress(OSError):
                    stale.unlink()


def write_atomic(path: Path, data: bytes, *, folder_exists: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (made first
    unless ``folder_exists``)."""
    if not folder_exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_own_prefix(), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; a sidecar is no secret
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
    title = html.escape(post.title or post.key.id)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{post.content}\n</body></html>\n"
    )


def _markdown(post: Post) -> str:
    lines = [f"# {post.title or post.key.id}", ""]
    if post.published is not None:
        lines.append(f"Published: {post.published.isoformat()}  ")
    if post.tags:
        lines.append(f"Tags: {', '.join(post.tags)}  ")
    lines.append("")
    return "\n".join(lines) + "\n" + html_to_markdown(post.content)


def sidecar_names(post_id: str) -> tuple[str, ...]:
    """The names the sidecars of a post may take in its folder."""
    return tuple(
        f"{post_id}{ext}"
        for ext in (".json", ".html", ".md", ".txt", ".comments.json", ".revisions.json")
    )


@dataclass(slots=True)
class RenderedSidecars:
    """A post's sidecars, rendered and with their safe paths: what is left is file I/O."""

    folder: Path
    files: list[tuple[Path, bytes]]
    keep_previous: tuple[Path, Path] | None = None  # (main sidecar, its revision's record)


def render_sidecars(
    post: Post,
    where: SidecarPath,
    files: Iterable[tuple[RemoteFile, str]],
    revision: int,
    options: SidecarOptions,
) -> RenderedSidecars:
    """The post's sidecars to write; ``where(name)`` gives the safe path of a sidecar name."""
    key = post.key.id
    main = where(f"{key}.json")
    out = RenderedSidecars(main.parent, [])
    if options.json:
        if revision > 1:
            # An edited post: the previous sidecar is kept as that revision's record.
            out.keep_previous = (main, where(f"{key}.r{revision - 1}.json"))
        out.files.append((main, _to_json(sidecar_document(post, files, revision))))
    if options.content and post.content.strip():
        out.files.append((where(f"{key}.html"), _html_page(post).encode("utf-8")))
        out.files.append((where(f"{key}.md"), _markdown(post).encode("utf-8")))
    if options.content and post.text:
        out.files.append((where(f"{key}.txt"), post.text.encode("utf-8")))
    if options.comments and post.comments:
        out.files.append((where(f"{key}.comments.json"), _to_json(post.comments)))
    if options.revisions and post.revisions:
        out.files.append((where(f"{key}.revisions.json"), _to_json(post.revisions)))
    return out


def write_rendered(sidecars: RenderedSidecars) -> list[Path]:
    """Write rendered sidecars (each atomically); the paths written."""
    clear_stale_temps(sidecars.folder)
    if sidecars.keep_previous is not None and sidecars.keep_previous[0].exists():
        os.replace(*sidecars.keep_previous)
    written: list[Path] = []
    for path, data in sidecars.files:
        # The folder is made once, by the first sidecar in it.
        write_atomic(path, data, folder_exists=bool(written) and path.parent == sidecars.folder)
        written.append(path)
    return written


# One thread writes every post's sidecars, in order: creating files is kernel time (the GIL is
# released) that overlaps the event loop's work, while rendering stays on the loop (Python work
# in a thread would only take turns with the loop for the GIL).
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kemopix-sidecars")


def write_in_background(sidecars: RenderedSidecars) -> asyncio.Future[list[Path]]:
    """:func:`write_rendered` in the sidecar thread; awaiting it gives the paths or the error."""
    return asyncio.wrap_future(_POOL.submit(write_rendered, sidecars))


def write_sidecars(
    post: Post,
    where: SidecarPath,
    files: Iterable[tuple[RemoteFile, str]],
    revision: int,
    options: SidecarOptions,
) -> list[Path]:
    """Write the post's sidecars; ``where(name)`` gives the safe path of a sidecar name."""
    return write_rendered(render_sidecars(post, where, files, revision, options))


def set_mtime(paths: Iterable[Path], when: datetime | None) -> None:
    """Give ``paths`` the post's date as modification time (naive dates are UTC)."""
    if when is None:
        return
    moment = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    stamp = moment.timestamp()
    for path in paths:
        with contextlib.suppress(OSError):
            os.utime(path, (stamp, stamp))
