"""Start-up of the ``kemopix`` command, whole process, against a bare interpreter.

Runs ``kemopix --version`` (goal: at most 150 ms), ``kemopix download --help`` (imports the
parser and the downloader) and the reference ``python -c pass``, interleaved, and prints the
medians and their ratios to the reference measured in the same run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_common import compiled

KEMOPIX = str(Path(sys.executable).parent / "kemopix")
CASES = {
    "python -c pass (reference)": [sys.executable, "-c", "pass"],
    "kemopix --version": [KEMOPIX, "--version"],
    "kemopix download --help": [KEMOPIX, "download", "--help"],
}
ROUNDS = 15


def main() -> None:
    compiled(Path(__file__).resolve().parent.parent)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(ROUNDS):
        for name, argv in CASES.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    reference = statistics.median(times["python -c pass (reference)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32} {median * 1000:7.1f} ms  {median / reference:5.2f}x reference")
    version = statistics.median(times["kemopix --version"]) * 1000
    verdict = "met" if version <= 150 else "NOT met"
    print(f"kemopix --version: {version:.0f} ms, goal 150 ms: {verdict}")


if __name__ == "__main__":
    main()
