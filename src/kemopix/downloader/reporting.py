"""How the engine tells the outside world what it does: a ``Reporter`` and the run ``Summary``.

The base ``Reporter`` ignores everything; the CLI has rich progress bars, quiet and JSON-lines
reporters. ``Summary`` counts what happened and maps it to an exit status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct, field

from .._protocol.retry import RetryEvent
from .model import Post, RemoteFile

__all__ = ["FileTask", "PlannedFile", "Reporter", "Summary"]


class PlannedFile(Struct, frozen=True):
    """A file the run will fetch (or skip, with ``reason``)."""

    file: RemoteFile
    path: Path | None
    size: int | None
    reason: str | None = None
    blocking: bool = False  # left out for now (budget, impossible name): the post stays open


class Summary(Struct):
    """Counts of one run."""

    posts_listed: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    posts_known: int = 0
    posts_unfinished: int = 0
    posts_skipped: int = 0
    files_downloaded: int = 0
    files_resumed: int = 0
    files_linked: int = 0
    files_present: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    files_planned: int = 0
    files_thumbnail: int = 0  # held as thumbnails (fetched now, or kept) as originals are not
    files_unavailable: int = 0  # neither original nor thumbnail to be had now: recorded
    files_upgraded: int = 0  # thumbnails replaced by their verified originals
    animations: int = 0
    bytes_planned: int = 0
    bytes_downloaded: int = 0
    listings: int = 0
    listings_stopped_early: int = 0
    requests: int = 0
    throttled: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    interrupted: bool = False
    # Files by state of the creators the run looked at (``kemopix status``'s counts).
    held: dict[str, int] = field(default_factory=dict)

    @property
    def files_ok(self) -> int:
        return (
            self.files_downloaded
            + self.files_resumed
            + self.files_linked
            + self.files_present
            + self.files_thumbnail
            + self.files_upgraded
        )

    def exit_code(self) -> int:
        """0 all good, 1 some files failed, 3 authentication, 4 network/site unavailable,
        130 interrupted."""
        if self.interrupted:
            return 130
        if self.errors.get("auth"):
            return 3
        if self.errors.get("network") and not self.files_ok and not self.posts_listed:
            return 4
        if self.files_failed or sum(self.errors.values()):
            return 1
        return 0

    def as_dict(self) -> Mapping[str, object]:
        out: dict[str, object] = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            out[name] = dict(value) if isinstance(value, Counter) else value
        out["exit_code"] = self.exit_code()
        return out


class FileTask:
    """Progress of one file (the engine's ``ProgressHook``); the base does nothing."""

    etag: str | None = None

    def opened(self, status: int, headers: Mapping[str, str], done: int, total: int | None) -> None:
        self.etag = headers.get("etag") or self.etag

    def advanced(self, size: int) -> None:
        pass

    def finished(self, outcome: str, size: int) -> None:
        pass

    def failed(self, error: str) -> None:
        pass


class Reporter:
    """Receives the engine's events. Subclasses override what they show."""

    #: Whether the summary given to :meth:`finished` counts the files held in the folder by
    #: state (``Summary.held``: a read of every file row of the run's creators at its end).
    wants_held = True

    def listing(self, label: str) -> None:
        """A listing (creator, channel, search...) starts."""

    def listing_done(self, label: str, *, stopped_early: bool, error: str | None) -> None:
        """A listing ended (``error`` when it could not be read to the end)."""

    def post_skipped(self, post: Post, reason: str) -> None:
        """A post left out by a filter."""

    def post_planned(self, post: Post, files: list[PlannedFile], *, update: bool) -> None:
        """A new (or, with ``update``, edited) post and its files."""

    def file_task(self, path: Path, size: int | None) -> FileTask:
        """A download starts; the task receives its progress."""
        return FileTask()

    def file_skipped(self, path: Path | None, file: RemoteFile, reason: str) -> None:
        """A file left out (filter, budget, unsafe name)."""

    def warning(self, message: str) -> None:
        """Something worth saying that does not stop the run."""

    def retrying(self, event: RetryEvent) -> None:
        """A request failed and will be tried again (``str(event)`` says it in one line)."""

    def finished(self, summary: Summary) -> None:
        """The run ended."""
