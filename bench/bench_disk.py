"""The file system's floor for many small posts: the cost of the files a layout creates.

On a disk where creating a file costs more than the Python of a small download, a downloader
of small files goes no faster than the files it creates. This script times, on the file system
of ``--dir`` (default: beside the benches, on the repository's disk), plain Python creating
each layout for ``--posts`` posts, one 16 KiB file each, every file through a temporary name
and a rename as kemopix writes them:

* flat: one file per post in one folder (the ceilings of ``bench_downloader.py`` and
  ``bench_peers.py``, and the pixivpy3 script);
* folder + file: a folder per post (gallery-dl's Kemono layout);
* folder + file + JSON: kemopix's default for a pixiv work;
* folder + file + JSON + Markdown: kemopix's default for a Kemono post with text.

It prints milliseconds per post (wall and kernel CPU) and each layout's ratio to flat. The
cost of creating a file on this machine's disk moves with what was written just before (it
grows during a long run, and falls again after a pause), so the layouts take turns going
first; run ``--rounds 4`` or more.

Run: ``.venv/bin/python bench/bench_disk.py [--posts 1000] [--rounds 3] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BODY = b"x" * (16 << 10)
SIDECAR = b"{}" * 1000

LAYOUTS: dict[str, tuple[bool, int]] = {  # name: (a folder per post, sidecars per post)
    "flat": (False, 0),
    "folder + file": (True, 0),
    "folder + file + JSON": (True, 1),
    "folder + file + JSON + Markdown": (True, 2),
}


def _write(path: str, data: bytes) -> None:
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.rename(path + ".tmp", path)


def layout(root: Path, posts: int, folders: bool, sidecars: int) -> tuple[float, float]:
    """Wall and kernel seconds to create ``posts`` posts in ``root``."""
    root.mkdir()
    os.sync()
    start, kernel = time.perf_counter(), os.times().system
    for n in range(posts):
        folder = str(root / f"post {n}") if folders else str(root)
        if folders:
            os.mkdir(folder)
        _write(os.path.join(folder, f"{n}_p0.bin"), BODY)
        for k in range(sidecars):
            _write(os.path.join(folder, f"{n}.{k}.json"), SIDECAR)
    return time.perf_counter() - start, os.times().system - kernel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=REPO / "bench", help="where to write")
    args = parser.parse_args(argv)
    walls: dict[str, list[float]] = {name: [] for name in LAYOUTS}
    kernels: dict[str, list[float]] = {name: [] for name in LAYOUTS}
    with tempfile.TemporaryDirectory(prefix="kemopix-disk-", dir=args.dir) as temp:
        names = list(LAYOUTS)
        for n in range(args.rounds):
            # Each round starts with another layout: the disk's cost moves with what was
            # written just before (here, it grows during a run), so no layout always goes first.
            for name in names[n % len(names) :] + names[: n % len(names)]:
                folders, sidecars = LAYOUTS[name]
                where = Path(temp) / f"{n}-{len(walls[name])}"
                wall, kernel = layout(where, args.posts, folders, sidecars)
                walls[name].append(wall)
                kernels[name].append(kernel)
                shutil.rmtree(where)
    flat = statistics.median(walls["flat"])
    print(f"{args.posts} posts of one 16 KiB file, medians of {args.rounds}, in {args.dir}:")
    for name in LAYOUTS:
        wall, kernel = statistics.median(walls[name]), statistics.median(kernels[name])
        per, inside = wall / args.posts * 1000, kernel / args.posts * 1000
        print(f"  {name:<32} {per:6.3f} ms per post ({inside:.3f} in the kernel)"
              f" = {wall / flat:.2f}x flat")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
