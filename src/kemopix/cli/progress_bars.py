"""Rich progress bars on a terminal: one bar for the run, one per file in flight.

Imported only when the output is a terminal (``output.make_reporter``): rich is not loaded for
plain, quiet or JSON output.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..downloader.reporting import FileTask, Summary
from .echo import echo
from .output import MAX_FILE_BARS, LineReporter, _rel, human_size, summary_line

__all__ = ["RichReporter"]


class _SpeedColumn(ProgressColumn):
    """Transfer speed in binary units (rich's own column is decimal)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("?", style="progress.data.speed")
        return Text(f"{human_size(int(speed))}/s", style="progress.data.speed")


class RichReporter(LineReporter):
    """Live progress: one bar for the whole run and one per file being downloaded."""

    def __init__(self, root: Path, *, verbose: bool = False, console: Console | None = None):
        super().__init__(root, verbose=verbose)
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}", table_column=None),
            BarColumn(bar_width=28),
            DownloadColumn(binary_units=True),
            _SpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
            refresh_per_second=8,
        )
        # The overall bar counts bytes (its total grows as sizes become known); the file count
        # is in its label, next to the listing being read.
        self.overall = self.progress.add_task("", total=None)
        self.label = "starting"
        self.files = 0
        self.done = 0
        self.expected = 0
        self._describe()
        self.shown = 0
        self.progress.start()

    def say(self, text: str) -> None:
        self.console.print(escape(text), highlight=False)

    def warning_line(self, text: str) -> None:
        self.console.print(f"[yellow]kemopix:[/] {escape(text)}", highlight=False)

    def _describe(self) -> None:
        text = f"[bold]{self.done}/{self.files} files[/] {escape(self.label[:40])}"
        self.progress.update(self.overall, description=text)

    def listing(self, label: str) -> None:
        self.label = label
        self._describe()

    def file_task(self, path: Path, size: int | None) -> FileTask:
        self.files += 1
        self._describe()
        return _RichTask(self, path, size)

    def expect(self, size: int) -> None:
        self.expected += size
        self.progress.update(self.overall, total=self.expected)

    def finished(self, summary: Summary) -> None:
        self.label = "done"
        self._describe()
        self.progress.stop()
        self.hidden_note()
        echo(summary_line(summary), file=self.out, flush=True)


class _RichTask(FileTask):
    def __init__(self, owner: RichReporter, path: Path, size: int | None) -> None:
        self.owner = owner
        self.path = path
        self.size = size
        self.task: TaskID | None = None
        self.counted = False

    def opened(self, status: int, headers: Mapping[str, str], done: int, total: int | None) -> None:
        super().opened(status, headers, done, total)
        owner = self.owner
        if total is not None and not self.counted:
            self.counted = True
            owner.expect(total)
            owner.progress.advance(owner.overall, done)
        if self.task is None and owner.shown < MAX_FILE_BARS:
            name = self.path.name if len(self.path.name) <= 40 else self.path.name[:39] + "…"
            self.task = owner.progress.add_task(f"  {escape(name)}", total=total, completed=done)
            owner.shown += 1
        elif self.task is not None:
            owner.progress.update(self.task, total=total, completed=done)

    def advanced(self, size: int) -> None:
        self.owner.progress.advance(self.owner.overall, size)
        if self.task is not None:
            self.owner.progress.advance(self.task, size)

    def _close(self) -> None:
        owner = self.owner
        owner.done += 1
        owner._describe()
        if self.task is not None:
            owner.progress.remove_task(self.task)
            owner.shown -= 1
            self.task = None

    def finished(self, outcome: str, size: int) -> None:
        self._close()
        if self.owner.verbose:
            self.owner.say(f"{outcome:10} {_rel(self.owner.root, self.path)} ({human_size(size)})")

    def failed(self, error: str) -> None:
        self._close()
        self.owner.warning(f"failed {_rel(self.owner.root, self.path)}: {error}")
