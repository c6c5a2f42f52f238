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

``--instructions`` counts instead, under ``valgrind --tool=cachegrind``, the instructions of
whole runs of 100 and 500 posts: the difference over 400 is the instructions per post, start-up
left out, a figure the machine's load does not move at all (~40 s a tree).

Run: ``.venv/bin/python bench/bench_loop_cpu.py [--posts 2000] [--rounds 3]
[--flavour kemono|pawchive] [--baseline TREE] [--instructions]`` (needs ``perf``: ``apt-get
install linux-perf``; ``--instructions`` needs ``valgrind``).
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
from typing import Any

from bench_common import compiled
from bench_downloader import CREATOR, SERVICE, emulator
from bench_instructions import _ENTRY, instructions
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


def instructions_per_post(trees: dict[str, Path], flavour: str) -> dict[str, float]:
    """Instructions per post of each tree: (count at 500 posts - count at 100) / 400."""
    counts: dict[tuple[str, int], int] = {}
    where = "/dev/shm" if os.path.isdir("/dev/shm") else None
    for posts in (100, 500):
        with (
            emulator(flavour, None, posts, SMALL) as server,
            tempfile.TemporaryDirectory(dir=where) as work,
        ):
            env = _env(flavour, server.info)
            for name, tree in trees.items():
                out = Path(work) / name
                counts[name, posts] = instructions(tree, [*_command(flavour, server.url), "-o",
                                                          str(out)], env)  # fmt: skip
                _check(name, out, posts)
    return {name: (counts[name, 500] - counts[name, 100]) / 400 for name in trees}


def _env(flavour: str, info: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if flavour == "pawchive":  # as the real site's preset names its file server
        env["KEMOPIX_PAWCHIVE_FILES_URL"] = info["file_hosts"][0]
    return env


def _command(flavour: str, url: str) -> list[str]:
    return ["download", f"{url}/{SERVICE}/user/{CREATOR}", f"--{flavour}-url", url, "-q"]


def _check(name: str, out: Path, posts: int) -> None:
    got = sum(1 for _ in out.rglob("*.bin"))
    if got != posts:
        raise RuntimeError(f"{name} downloaded {got} of {posts} files")
    shutil.rmtree(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flavour", choices=("kemono", "pawchive"), default="kemono")
    parser.add_argument("--baseline", type=Path, help="another kemopix tree, in the same run")
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions per post (valgrind)"
    )
    args = parser.parse_args(argv)
    tool = "valgrind" if args.instructions else "perf"
    if shutil.which(tool) is None:
        print(f"{tool} is not installed (apt-get install {tool.replace('perf', 'linux-perf')})")
        return 1
    trees = {"kemopix": REPO}
    if args.baseline is not None:
        trees["kemopix-before"] = args.baseline.resolve()
    compiled(*trees.values())
    if args.instructions:
        counted = instructions_per_post(trees, args.flavour)
        print(f"{args.flavour} flavour, instructions per post (runs of 500 less 100 posts):")
        for name, value in counted.items():
            print(f"  {name:<16} {value / 1e6:6.3f} million")
        if "kemopix-before" in counted:
            ratio = counted["kemopix"] / counted["kemopix-before"]
            print(f"  kemopix / kemopix-before = {ratio:.3f}x")
        return 0
    where = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with (
        emulator(args.flavour, None, args.posts, SMALL) as server,
        tempfile.TemporaryDirectory(dir=where) as work,
    ):
        env = _env(args.flavour, server.info)
        command = _command(args.flavour, server.url)
        cpu: dict[str, list[float]] = {name: [] for name in trees}
        wall: dict[str, list[float]] = {name: [] for name in trees}
        for n in range(args.rounds):
            for name, tree in trees.items():
                out = Path(work) / f"{name}-{n}"
                seconds, elapsed = loop_cpu(tree, [*command, "-o", str(out)], env)
                _check(name, out, args.posts)
                cpu[name].append(seconds)
                wall[name].append(elapsed)
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
