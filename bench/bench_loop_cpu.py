"""The event loop's CPU per post of ``kemopix download``: the figure that sets the pace of many
small files (the loop is CPU-bound there), and one the machine's load moves far less than wall
time.

The emulator of ``bench_downloader.py`` (its own process) serves a creator of ``--posts`` posts
with one 16 KiB file each, kemono or pawchive flavour. ``kemopix download`` of this tree and,
with ``--baseline TREE``, of another source tree take turns, each into a fresh folder on tmpfs
where there is one (so the disk does not decide what the loop does), under ``perf stat
--no-inherit -e task-clock``: the CPU of the main thread, start-up included, without the disk
helper process or threads. Prints the median per run and per post, the wall time, and the ratio
against the baseline.

Run: ``.venv/bin/python bench/bench_loop_cpu.py [--posts 2000] [--rounds 3]
[--flavour kemono|pawchive] [--baseline TREE]`` (needs ``perf``: ``apt-get install
linux-perf``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import compiled
from bench_downloader import CREATOR, SERVICE, emulator
from bench_instructions import _ENTRY
from bench_peers import SMALL

REPO = Path(__file__).resolve().parent.parent


def loop_cpu(tree: Path, argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(main-thread CPU seconds, wall seconds) of one run of the kemopix of ``tree``."""
    started = time.perf_counter()
    done = subprocess.run(
        ["perf", "stat", "--no-inherit", "-x,", "-e", "task-clock",
         sys.executable, "-c", _ENTRY, *argv],
        env={**env, "PYTHONPATH": str(tree / "src")}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    line = next((x for x in done.stderr.splitlines() if "task-clock" in x), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"kemopix failed under perf: {done.stderr[-500:]}")
    return float(line.split(",")[0]) / 1000, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flavour", choices=("kemono", "pawchive"), default="kemono")
    parser.add_argument("--baseline", type=Path, help="another kemopix tree, in the same run")
    args = parser.parse_args(argv)
    if shutil.which("perf") is None:
        print("perf is not installed (apt-get install linux-perf)")
        return 1
    trees = {"kemopix": REPO}
    if args.baseline is not None:
        trees["kemopix-before"] = args.baseline.resolve()
    compiled(*trees.values())
    where = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with (
        emulator(args.flavour, None, args.posts, SMALL) as server,
        tempfile.TemporaryDirectory(dir=where) as work,
    ):
        env = dict(os.environ)
        if args.flavour == "pawchive":  # as the real site's preset names its file server
            env["KEMOPIX_PAWCHIVE_FILES_URL"] = server.info["file_hosts"][0]
        target = f"{server.url}/{SERVICE}/user/{CREATOR}"
        command = ["download", target, f"--{args.flavour}-url", server.url, "-q"]
        cpu: dict[str, list[float]] = {name: [] for name in trees}
        wall: dict[str, list[float]] = {name: [] for name in trees}
        for n in range(args.rounds):
            for name, tree in trees.items():
                out = Path(work) / f"{name}-{n}"
                seconds, elapsed = loop_cpu(tree, [*command, "-o", str(out)], env)
                got = sum(1 for _ in out.rglob("*.bin"))
                if got != args.posts:
                    raise RuntimeError(f"{name} downloaded {got} of {args.posts} files")
                cpu[name].append(seconds)
                wall[name].append(elapsed)
                shutil.rmtree(out)
                print(f"  round {n + 1} {name}: {seconds:.2f} s CPU, {elapsed:.2f} s wall")
    print(f"{args.posts} posts x 16 KiB, {args.flavour} flavour, main-thread CPU (median):")
    medians = {name: statistics.median(values) for name, values in cpu.items()}
    for name, seconds in medians.items():
        per_post = seconds / args.posts * 1e6
        print(f"  {name:<16} {seconds:6.2f} s  {per_post:6.0f} us/post  "
              f"wall {statistics.median(wall[name]):5.2f} s")  # fmt: skip
    if "kemopix-before" in medians:
        print(f"  kemopix / kemopix-before = {medians['kemopix'] / medians['kemopix-before']:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
