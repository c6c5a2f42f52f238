"""The CLI tests' one way to run ``kemopix`` in this process with ``--json`` output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator


def summary_in(stdout: str) -> dict[str, Any]:
    """The last summary event of ``--json`` output ({} if none); every line is an event."""
    events = [json.loads(line) for line in stdout.splitlines() if line]
    return next((e for e in reversed(events) if e["event"] == "summary"), {})


def run_with_stderr(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, dict[str, Any], str]:
    """``main(argv + --json)``: the exit status, the last summary event ({} if none), stderr.

    Every line on stdout must be a JSON event.
    """
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    return code, summary_in(captured.out), captured.err


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    """:func:`run_with_stderr` without stderr."""
    code, summary, _ = run_with_stderr(capsys, *argv)
    return code, summary


@contextmanager
def originals_down(emu: KemonoEmulator) -> Iterator[None]:
    """The emulator's data hosts down for the block (as kemono.cr's since 2026), then up."""
    emu.originals = "down"
    try:
        yield
    finally:
        emu.originals = "up"
