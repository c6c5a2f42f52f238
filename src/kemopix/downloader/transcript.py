"""A Discord channel archived as one transcript: ``messages.jsonl`` and ``messages.html``.

``messages.jsonl`` is a log, one line per message as the site sent it
(``{"message": {...}, "files": [{"name": ..., "path": ...}]}``, paths relative to the
transcript's folder), appended as messages are planned: before the message is marked complete
in the archive, so a run killed at any instant loses nothing the next run would not bring back.
A line is keyed by the message's id and edit date: a message seen again is not added twice
(an edited one is, as a new line), and a line cut short by a kill is dropped before the next
append. ``messages.html`` is rebuilt from the log (oldest first, the latest version of each
message, every text escaped) at the end of each listing that added to it, before the engine
counts its messages as archived.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec

from .disk_ops import clear_stale_temps, write_atomic
from .model import Post, RemoteFile

__all__ = ["TRANSCRIPT_HTML", "TRANSCRIPT_LOG", "TRANSCRIPT_NAMES", "Transcripts"]

TRANSCRIPT_LOG = "messages.jsonl"
TRANSCRIPT_HTML = "messages.html"
TRANSCRIPT_NAMES = (TRANSCRIPT_LOG, TRANSCRIPT_HTML)


class _Line(msgspec.Struct):
    message: dict[str, Any] = msgspec.field(default_factory=dict)
    files: list[dict[str, Any]] = msgspec.field(default_factory=list)


def _key(message: Any) -> tuple[str, str]:
    if not isinstance(message, dict):
        return ("", "")
    return (str(message.get("id", "")), str(message.get("edited") or ""))


def _read(path: Path) -> list[_Line]:
    """The log's whole lines (a line that does not decode is left out of the view)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    out: list[_Line] = []
    decoder = msgspec.json.Decoder(_Line)
    for raw in data.split(b"\n"):
        if raw.strip():
            try:
                out.append(decoder.decode(raw))
            except msgspec.DecodeError:
                continue
    return out


class _Log:
    """One transcript's log: the keys it holds; appends under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        clear_stale_temps(str(path.parent))  # a page a killed run was writing
        with open(path, "ab+") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size:
                fh.seek(0)
                data = fh.read()
                end = data.rfind(b"\n") + 1
                if end != size:  # a line cut short by a kill: dropped, appended again below
                    fh.truncate(end)
        self.keys = {_key(line.message) for line in _read(path)}
        page = path.with_name(TRANSCRIPT_HTML)
        # A run killed between an append and the rebuild left the page behind the log.
        self.stale = not page.exists() or page.stat().st_mtime < path.stat().st_mtime

    def append(self, line: _Line) -> bool:
        key = _key(line.message)
        with self.lock:
            if key in self.keys:
                return False
            with open(self.path, "ab") as fh:
                fh.write(msgspec.json.encode(line) + b"\n")
            self.keys.add(key)
            self.stale = True
            return True


class Transcripts:
    """The transcripts a run writes to (thread-safe: sidecars are written in threads)."""

    def __init__(self) -> None:
        self._logs: dict[Path, _Log] = {}
        self._lock = threading.Lock()

    def _log(self, path: Path) -> _Log:
        with self._lock:
            log = self._logs.get(path)
            if log is None:
                log = self._logs[path] = _Log(path)
            return log

    def append(self, log_path: Path, post: Post, files: Iterable[tuple[RemoteFile, Path]]) -> None:
        """Add ``post`` (a message) to the transcript at ``log_path`` unless it holds it."""
        folder = log_path.parent
        refs = [
            {"name": file.name, "path": Path(os.path.relpath(path, folder)).as_posix()}
            for file, path in files
        ]
        raw = post.raw if isinstance(post.raw, dict) else {"id": post.key.id}
        self._log(log_path).append(_Line(message=raw, files=refs))

    def stale(self) -> bool:
        """Whether a transcript was appended to since the last :meth:`render`."""
        with self._lock:
            return any(log.stale for log in self._logs.values())

    def render(self) -> list[Path]:
        """Rebuild the page of every transcript appended to since the last call."""
        with self._lock:
            logs = [log for log in self._logs.values() if log.stale]
        written = []
        for log in logs:
            with log.lock:
                log.stale = False
                lines = _read(log.path)
            page = log.path.with_name(TRANSCRIPT_HTML)
            write_atomic(str(page), render_page(lines, log.path.parent.name).encode("utf-8"))
            written.append(page)
        return written


def _when(message: dict[str, Any]) -> str:
    return str(message.get("published") or message.get("added") or "")


def _author(message: dict[str, Any]) -> str:
    author = message.get("author")
    if isinstance(author, dict):
        return str(author.get("global_name") or author.get("username") or author.get("id") or "")
    return ""


def render_page(lines: list[_Line], title: str) -> str:
    """The readable transcript: oldest first, each message's latest version; all escaped."""
    latest: dict[str, _Line] = {}
    for line in lines:
        latest[_key(line.message)[0]] = line
    ordered = sorted(latest.values(), key=lambda ln: (_when(ln.message), _key(ln.message)[0]))
    import html  # here: a run without Discord channels never loads html.entities

    esc = html.escape
    parts = [
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>.m{margin:.6em 0}.t{color:#777}.c{white-space:pre-wrap}</style>",
        f"</head>\n<body>\n<h1>{esc(title)}</h1>\n",
    ]
    for line in ordered:
        message = line.message
        parts.append(
            f'<div class="m" id="m{esc(str(message.get("id", "")))}">'
            f'<span class="t">{esc(_when(message))}</span> <b>{esc(_author(message))}</b>'
            f'<div class="c">{esc(str(message.get("content") or ""))}</div>'
        )
        for ref in line.files:
            href = quote(str(ref.get("path", "")), safe="/")
            parts.append(f'<div><a href="{esc(href)}">{esc(str(ref.get("name", "")))}</a></div>')
        parts.append("</div>\n")
    parts.append(f"<p>{len(ordered)} messages</p>\n</body></html>\n")
    return "".join(parts)
