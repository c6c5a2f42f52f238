"""What the user sees: rich progress bars, plain lines, quiet mode, or JSON lines.

Progress and messages go to stderr, so stdout holds only the result (the plan, the summary,
or the JSON lines with ``--json``). Paths are shown relative to the output folder. Sizes are in
binary units everywhere (1 KiB = 1024 bytes, MiB, GiB), on the bars as in the summary. Error
lines carry no URL or response body unless ``-v`` asks for them.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any, TextIO

import msgspec

from .._protocol.retry import RetryEvent
from ..downloader.model import Post, RemoteFile
from ..downloader.reporting import FileTask, PlannedFile, Reporter, Summary
from ..downloader.status import held_text
from ..files.paths import relative_posix
from .echo import echo

__all__ = ["JsonReporter", "LineReporter", "human_size", "make_reporter"]

MAX_FILE_BARS = 6
# JSON lines are written in batches: at most this late (seconds), or when this many wait.
JSON_FLUSH_AFTER = 0.1
JSON_BATCH = 256


def human_size(size: int | None) -> str:
    """``532 B``, ``4.4 MiB``: binary units, like the progress bars."""
    if size is None:
        return "? B"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


_HTTP_DETAIL = r" \(HTTP (\d{3}), [^)]*\)(?::\s.*)?$"  # compiled on first use


def brief(message: str) -> str:
    """``message`` in English, without the URL and body an HTTP error appends (kept with -v)."""
    from .failures import in_english

    match = re.search(_HTTP_DETAIL, message, re.DOTALL)
    if match is None:
        return in_english(message)
    head = in_english(message[: match.start()])
    if "login" in head and match.group(1) in ("401", "403"):
        return head  # it already says what to do
    return f"{head} (HTTP {match.group(1)})"


def _rel(root: Path, path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        return relative_posix(str(root), str(path))
    except ValueError:
        return str(path)


class LineReporter(Reporter):
    """Plain text: warnings always; files with ``verbose``; post plans with ``plan``."""

    def __init__(
        self,
        root: Path,
        *,
        quiet: bool = False,
        verbose: bool = False,
        plan: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.root = root
        self.quiet = quiet
        self.wants_held = not quiet  # the summary line says them; quiet, nothing does
        self.verbose = verbose
        self.plan = plan
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._reasons: set[str] = set()
        self._hidden = 0

    def brief_warning(self, message: str) -> str | None:
        """The line to show for a warning, or None when the same failure was already shown.

        Without ``-v`` a failure that repeats for other listings (pixiv's illust, manga and
        novel lists of a missing user) is shown once, without URL and body.
        """
        if self.verbose:
            return message
        short = brief(message)
        reason = short.split(": ", 1)[-1]
        if reason in self._reasons:
            self._hidden += 1
            return None
        self._reasons.add(reason)
        return short

    def say(self, text: str) -> None:
        if not self.quiet:
            echo(text, file=self.err, flush=True)

    def listing(self, label: str) -> None:
        if self.verbose or self.plan:
            self.say(f"listing {label}")

    def listing_done(self, label: str, *, stopped_early: bool, error: str | None) -> None:
        if stopped_early and (self.verbose or self.plan):
            self.say(f"{label}: up to date below this point (stopped early)")

    def post_skipped(self, post: Post, reason: str) -> None:
        if self.plan:
            echo(f"- skip post {post.key} {post.title!r}: {reason}", file=self.out)
        elif self.verbose:
            self.say(f"skip post {post.key}: {reason}")

    def post_planned(self, post: Post, files: list[PlannedFile], *, update: bool) -> None:
        if not self.plan:
            return
        kept = [f for f in files if f.reason is None]
        total = sum(f.size or 0 for f in kept)
        unknown = any(f.size is None for f in kept)
        size = human_size(total) if total or not unknown else "?"
        size += "+" if unknown and total else ""
        what = "edited" if update else "new"
        echo(f"+ {what} post {post.key} {post.title!r}: {len(kept)} files, {size}", file=self.out)
        for item in files:
            path = _rel(self.root, item.path)
            if item.reason is None:
                echo(f"    {path} ({human_size(item.size)})", file=self.out)
            else:
                echo(f"    skip {item.file.name or item.file.url}: {item.reason}", file=self.out)

    def file_task(self, path: Path, size: int | None) -> FileTask:
        return _LineTask(self, path)

    def file_skipped(self, path: Path | None, file: RemoteFile, reason: str) -> None:
        if self.verbose and not self.plan:
            self.say(f"skip {file.name or file.url}: {reason}")

    def warning(self, message: str) -> None:
        line = self.brief_warning(message)
        if line is not None:
            self.warning_line(line)

    def hidden_note(self) -> None:
        """Say how many repeated errors were not shown (they are in the summary's counts)."""
        if self._hidden:
            more = f"{self._hidden} more error{'s' if self._hidden > 1 else ''}"
            self.warning_line(f"{more} like the ones above (-v shows each)")

    def warning_line(self, text: str) -> None:
        echo(f"kemopix: {text}", file=self.err, flush=True)

    def retrying(self, event: RetryEvent) -> None:
        self.say(f"retry: {event}")

    def finished(self, summary: Summary) -> None:
        self.hidden_note()
        if self.quiet:
            return
        echo(summary_line(summary, plan=self.plan), file=self.out, flush=True)


class _LineTask(FileTask):
    def __init__(self, owner: LineReporter, path: Path) -> None:
        self.owner = owner
        self.path = path

    def finished(self, outcome: str, size: int) -> None:
        if self.owner.verbose:
            rel = _rel(self.owner.root, self.path)
            self.owner.say(f"{outcome:10} {rel} ({human_size(size)})")

    def failed(self, error: str) -> None:
        self.owner.warning(f"failed {_rel(self.owner.root, self.path)}: {error}")


def summary_line(summary: Summary, *, plan: bool = False) -> str:
    """One line with the run's counts."""
    if plan:
        return (
            f"plan: {summary.posts_new} new and {summary.posts_updated} edited posts, "
            f"{summary.files_planned} files, {human_size(summary.bytes_planned)}; "
            f"{summary.posts_known} posts already archived, {summary.posts_skipped} posts and "
            f"{summary.files_skipped} files skipped"
        )
    parts = [
        f"{summary.files_downloaded + summary.files_resumed} files downloaded"
        + (f" ({summary.files_resumed} resumed)" if summary.files_resumed else ""),
        f"{summary.files_linked} de-duplicated",
        f"{summary.files_present} already present",
        f"{summary.files_failed} failed",
        f"{summary.files_skipped} skipped",
    ]
    if summary.files_upgraded:
        parts.append(f"{summary.files_upgraded} thumbnails upgraded to originals")
    if summary.files_thumbnail or summary.files_unavailable:
        parts.append(
            f"{summary.files_thumbnail} held as thumbnails and {summary.files_unavailable}"
            " unavailable (originals not served now)"
        )
    if summary.animations:
        parts.append(f"{summary.animations} animations encoded")
    posts = f"{summary.posts_new} new, {summary.posts_updated} edited, {summary.posts_known} known"
    if summary.posts_unfinished:
        posts += f", {summary.posts_unfinished} resumed"
    verb = "interrupted after" if summary.interrupted else "done in"
    return (
        f"{verb} {summary.seconds:.1f}s: {', '.join(parts)} (media files, sidecars not "
        f"counted); posts {posts}; "
        f"{human_size(summary.bytes_downloaded)} in {summary.requests} requests"
        + (f" ({summary.throttled} throttled)" if summary.throttled else "")
        + (f"; in the folder: {held_text(summary.held)}" if summary.held else "")
    )


class JsonReporter(Reporter):
    """One JSON object per line on stdout: listings, posts, files, warnings, the summary.

    Inside an event loop the lines are written in batches, at most ``JSON_FLUSH_AFTER``
    seconds after the event (a write and a flush per event cost as much as a small file's
    download); the summary line flushes everything at once.
    """

    def __init__(self, root: Path, out: TextIO | None = None) -> None:
        self.root = root
        self.out = out or sys.stdout
        self._encode = msgspec.json.Encoder(enc_hook=str).encode
        self._lines: list[str] = []
        self._later: asyncio.TimerHandle | None = None

    def emit(self, event: str, **data: Any) -> None:
        self._lines.append(self._encode({"event": event, **data}).decode())
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside the run's loop: at once
            loop = None
        if loop is None or len(self._lines) >= JSON_BATCH:
            self.flush()
        elif self._later is None:
            self._later = loop.call_later(JSON_FLUSH_AFTER, self.flush)

    def flush(self) -> None:
        """Write the waiting lines now."""
        if self._later is not None:
            self._later.cancel()
            self._later = None
        if self._lines:
            self._lines.append("")
            self.out.write("\n".join(self._lines))
            self._lines.clear()
        self.out.flush()

    def listing(self, label: str) -> None:
        self.emit("listing", label=label)

    def listing_done(self, label: str, *, stopped_early: bool, error: str | None) -> None:
        self.emit("listing_done", label=label, stopped_early=stopped_early, error=error)

    def post_skipped(self, post: Post, reason: str) -> None:
        self.emit("post_skipped", post=str(post.key), title=post.title, reason=reason)

    def post_planned(self, post: Post, files: list[PlannedFile], *, update: bool) -> None:
        self.emit(
            "post",
            post=str(post.key),
            title=post.title,
            update=update,
            published=None if post.published is None else str(post.published),
            files=[
                {
                    "name": item.file.name,
                    "url": item.file.url,
                    "path": _rel(self.root, item.path) if item.path else None,
                    "size": item.size,
                    "skipped": item.reason,
                }
                for item in files
            ],
        )

    def file_task(self, path: Path, size: int | None) -> FileTask:
        return _JsonTask(self, path)

    def file_skipped(self, path: Path | None, file: RemoteFile, reason: str) -> None:
        self.emit("file_skipped", name=file.name, url=file.url, reason=reason)

    def warning(self, message: str) -> None:
        self.emit("warning", message=message)

    def retrying(self, event: RetryEvent) -> None:
        request = event.request
        self.emit(
            "retry", url=request.url, attempt=event.attempt, delay=event.delay, reason=event.reason
        )

    def finished(self, summary: Summary) -> None:
        self.emit("summary", **summary.as_dict())
        self.flush()


class _JsonTask(FileTask):
    def __init__(self, owner: JsonReporter, path: Path) -> None:
        self.owner = owner
        self.path = path

    def finished(self, outcome: str, size: int) -> None:
        self.owner.emit("file", outcome=outcome, path=_rel(self.owner.root, self.path), size=size)

    def failed(self, error: str) -> None:
        self.owner.emit("file_failed", path=_rel(self.owner.root, self.path), error=error)


def make_reporter(
    root: Path, *, quiet: bool, verbose: bool, json_lines: bool, plan: bool = False
) -> Reporter:
    """The reporter the output options ask for (rich bars only on a terminal)."""
    if json_lines:
        return JsonReporter(root)
    if plan or quiet or not sys.stderr.isatty():
        return LineReporter(root, quiet=quiet, verbose=verbose, plan=plan)
    from .progress_bars import RichReporter  # rich is loaded only for a terminal

    return RichReporter(root, verbose=verbose)
