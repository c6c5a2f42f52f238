"""The Kemono emulator's command line stops cleanly on Ctrl-C, whenever it comes."""

from __future__ import annotations

import signal
import subprocess
import sys


def test_an_interrupt_while_the_lines_are_printed_stops_it_cleanly() -> None:
    # The first line comes once the server runs: Ctrl-C from then on, even before the
    # emulator waits for it, ends it with status 0 (not killed by the signal).
    with subprocess.Popen(
        [sys.executable, "-m", "kemopix.emulators.kemono_server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        assert "Kemono emulator" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
