"""Both emulators' command lines stop cleanly on Ctrl-C, whenever it comes."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "first_line"),
    [
        ("kemopix.emulators.kemono_server", "Kemono emulator"),
        ("kemopix.emulators.pixiv_server", "Pixiv emulator serving on"),
    ],
)
def test_an_interrupt_while_the_lines_are_printed_stops_it_cleanly(
    module: str, first_line: str
) -> None:
    # The first line comes once the server runs: Ctrl-C from then on, even before the
    # emulator waits for it, ends it with status 0 (not killed by the signal).
    with subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0"], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert first_line in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
