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
import itertools
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from .markdown import html_to_markdown
from .model import Post, RemoteFile
from .worker import SerialWorker

__all__ = [
    "RenderedSidecars",
    "SidecarOptions",
    "clear_stale_temps",
    "post_stamp",
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


_serial = itertools.count()  # temporary names: the pid and a number, unique in the process
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_CREATE |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _create_temp(folder: str) -> tuple[int, str]:
    """A new temporary file in ``folder`` (made when missing): its descriptor and path."""
    while True:
        tmp = os.path.join(folder, f"{_own_prefix()}{next(_serial)}{TEMP_SUFFIX}")
        try:
            # 0o666 less the umask: what open() gives a media file (a sidecar is no secret)
            return os.open(tmp, _CREATE, 0o666), tmp
        except FileExistsError:
            continue  # left by a killed process that had this pid
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)


def write_atomic(path: Path, data: bytes, *, mtime: float | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (made when
    missing), with ``mtime`` as modification time when given."""
    fd, tmp = _create_temp(os.path.dirname(path))
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if mtime is not None:
                os.utime(fd, (mtime, mtime))
        finally:
            os.close(fd)
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
    mtime: float | None = None  # the post's date
    fresh: bool = False  # the folder did not exist when planned: no temporary file is left in it


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
    out = RenderedSidecars(main.parent, [], mtime=post_stamp(post.published))
    if options.json:
        if revision > 1:
            # An edited post: the previous sidecar is kept as that revision's record.
            out.keep_previous = (main, where(f"{key}.r{revision - 1}.json"))
        out.files.append((main, _to_json(sidecar_document(post, files, revision))))
    if post.content.strip():
        if options.html:
            out.files.append((where(f"{key}.html"), _html_page(post).encode("utf-8")))
        if options.markdown:
            out.files.append((where(f"{key}.md"), _markdown(post).encode("utf-8")))
    if options.text and post.text:
        out.files.append((where(f"{key}.txt"), post.text.encode("utf-8")))
    if options.comments and post.comments:
        out.files.append((where(f"{key}.comments.json"), _to_json(post.comments)))
    if options.revisions and post.revisions:
        out.files.append((where(f"{key}.revisions.json"), _to_json(post.revisions)))
    return out


def write_rendered(sidecars: RenderedSidecars) -> list[Path]:
    """Write rendered sidecars (each atomically, dated); the paths written."""
    if not sidecars.fresh:
        clear_stale_temps(sidecars.folder)
        if sidecars.keep_previous is not None and sidecars.keep_previous[0].exists():
            os.replace(*sidecars.keep_previous)
    written: list[Path] = []
    for path, data in sidecars.files:
        write_atomic(path, data, mtime=sidecars.mtime)
        written.append(path)
    return written


# One thread writes every post's sidecars, in order: creating files is kernel time (the GIL is
# released) that overlaps the event loop's work, while rendering stays on the loop (Python work
# in a thread would only take turns with the loop for the GIL).
_WORKER = SerialWorker("kemopix-sidecars")


def write_in_background(sidecars: RenderedSidecars) -> asyncio.Future[list[Path]]:
    """:func:`write_rendered` in the sidecar thread; awaiting it gives the paths or the error."""
    return _WORKER.run(write_rendered, sidecars)


def write_sidecars(
    post: Post,
    where: SidecarPath,
    files: Iterable[tuple[RemoteFile, str]],
    revision: int,
    options: SidecarOptions,
) -> list[Path]:
    """Write the post's sidecars; ``where(name)`` gives the safe path of a sidecar name."""
    return write_rendered(render_sidecars(post, where, files, revision, options))


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
