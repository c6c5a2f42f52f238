"""Downloader memory: peak RSS of ``kemopix download`` on a creator of many small files.

The goal (issue #14): a 100,000-file creator with peak RSS <= 150 MB (10^6 bytes), default
settings (sidecars on, default concurrency). The emulator serves one creator of N posts with
one tiny file each (``--file-bytes``, random, so no two share a hash) in its own process, so
its memory is not the client's; ``kemopix download`` runs in a fresh child process, whose peak
RSS is read from ``wait4`` (the kernel's high-water mark of that process, or, where that
cannot be told from this bench's own, its ``VmHWM`` read while it runs), plus the peak
(``VmHWM``) of the processes it starts (its disk helper), read from ``/proc`` while they run;
the RSS of them all is sampled too (the growth curve: what grows with the number of posts).
With several ``--files`` sizes the growth per file is fitted and extrapolated.

``--probe`` runs the CLI inside this script and samples, from a thread, the most asyncio tasks
alive, posts queued for a sidecar thread (where a thread writes them; the disk helper
process's queue is not seen), folders the sidecar writer remembers and SQLite's memory
high-water; ``--trace`` adds ``tracemalloc`` (ten times slower): the growth between the first
and the largest snapshot by allocating line, and the live bytes by the innermost kemopix
line: what grows per file. ``--output json`` also prints the most posts planned and
not finished at once (how far the listing runs ahead of the downloads).

``--baseline TREE`` (repeatable) runs the kemopix of another source tree too (its ``src`` first
on the path; e.g. ``git worktree add /tmp/before main``), against the same emulator: before and
after in one run.

gallery-dl (the peers venv, through ``bench/peers/gallery_dl_at.py`` as in bench_peers.py:
originals, no sleep between requests) downloads the same creator from the same emulator after
each kemopix run, watched the same way; the ratio kemopix / gallery-dl of the peak RSS is
printed (``--no-gallery-dl`` skips it).

``--output plain`` (default: the output a pipe gets), ``tty`` (stderr on a pseudo-terminal:
rich progress bars, what a user at a terminal gets) or ``json`` (``--json`` lines to a file).

Run: ``.venv/bin/python bench/bench_memory.py [--files 10000[,20000]] [--flavour kemono,pawchive]``
(iterate at 1k-20k; the goal's figure is ``--files 100000``: on a shared 2-core machine
kemopix took 4-6 minutes per flavour, gallery-dl 2.5-5.5, each emulator ~20 s to build: 23
minutes for both flavours; ``make bench`` runs the default, 10,000 files).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_common import PEERS_PYTHON, gallery_dl, kemono_origins, serve_process

REPO = Path(__file__).resolve().parent.parent
KEMOPIX = REPO / ".venv" / "bin" / "kemopix"
SERVICE, CREATOR = "patreon", "bench-creator"
GOAL_MB = 150.0
GOAL_FILES = 100_000
MB = 1e6


# -- the emulator, in its own process --------------------------------------------------------
def serve(flavour: str, files: int, file_bytes: int) -> int:
    """``--serve``: one creator of ``files`` posts of one file each; JSON info on stdout."""
    from kemopix.emulators import KemonoEmulator

    started = time.perf_counter()
    with KemonoEmulator(creators=1, flavour=flavour) as emu:  # type: ignore[arg-type]
        emu.add_creator(SERVICE, CREATOR, "Bench Creator")
        base = 1_700_000_000.0
        for n in range(files):
            emu.add_post(
                SERVICE, CREATOR, title=f"Work {n}", files=[(f"w{n}.bin", os.urandom(file_bytes))],
                published=base + n * 60, content=f"<p>Work {n}</p>",
            )  # fmt: skip
        built = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB
        info = {"url": emu.url, "file_hosts": emu.file_host_urls, "built": built, "rss": rss}
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # until the bench closes it
    return 0


@contextmanager
def emulator(flavour: str, files: int, file_bytes: int) -> Iterator[dict[str, Any]]:
    argv = [sys.executable, __file__, "--serve", flavour, "--files", str(files)]
    with serve_process([*argv, "--file-bytes", str(file_bytes)]) as info:
        yield info


# -- the measured client ---------------------------------------------------------------------
@dataclass
class Run:
    label: str  # "kemopix", or the folder name of a --baseline TREE
    flavour: str
    files: int
    seconds: float
    cpu: float
    peak: float  # MB: the measured process (wait4, or its VmHWM: see _watch)
    helpers: float  # MB, the peaks of the processes it started (sampled VmHWM)
    downloaded: int
    curve: list[tuple[float, float]] = field(default_factory=list)  # (seconds, RSS MB)
    trace: str = ""
    backlog: int = 0  # most posts planned and not finished at once (JSON output only)


def _status(pid: int, field: str) -> float | None:
    """A ``/proc/<pid>/status`` memory field (``VmRSS``, ``VmHWM``: the peak) in MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:
        return None
    return None


def _rss(pid: int) -> float | None:
    return _status(pid, "VmRSS")


def _descendants(pid: int) -> list[int]:
    """The processes ``pid`` started (kemopix's disk helper), and theirs."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as children:
                kids = [int(k) for k in children.read().split()]
        except OSError:
            continue
        for kid in kids:
            out += [kid, *_descendants(kid)]
    return out


def _drain(fd: int) -> None:
    """Read a pseudo-terminal until its last writer is gone (rich must never block on it);
    a daemon thread: it ends with the child, or with the bench."""
    try:
        while os.read(fd, 1 << 16):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


_TREE_MAIN = "import sys; from kemopix.cli import main; sys.exit(main())"


def download(
    url: str,
    flavour: str,
    work: Path,
    files: int,
    output: str,
    probe: str = "",
    tree: Path | None = None,
) -> Run:
    """``kemopix download`` of the bench creator in a fresh process; its peak RSS and time
    (``tree``: the kemopix of another source tree, e.g. a ``git worktree`` of main)."""
    dest = work / f"out-{flavour}-{files}"
    argv = [str(KEMOPIX), "download", f"{url}/{SERVICE}/user/{CREATOR}"]
    argv += [f"--{flavour}-url", url, "-o", str(dest)]
    if output == "json":
        argv.append("--json")
    report = work / "probe.txt"
    if probe:  # the CLI run inside this script, sampled (and traced)
        traced = ["--trace"] if probe == "trace" else []
        argv = [sys.executable, __file__, "--probed", str(report), *traced, "--", *argv[1:]]
    env = dict(os.environ, KEMOPIX_CACHE_DIR=str(work / "cache"))
    env["KEMOPIX_CONFIG_DIR"] = str(work / "config")  # no user config file applies
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")  # before this tree's editable install
        if not probe:
            argv = [sys.executable, "-c", _TREE_MAIN, *argv[1:]]
    label = "kemopix" if tree is None else tree.name
    run, code = _watch(argv, env, work, output == "tty", label, flavour, files)
    text = (work / "stdout.txt").read_text()
    if code != 0:
        errors = (work / "stderr.txt").read_text()
        raise RuntimeError(f"kemopix failed ({code}): {text[-500:]} {errors[-800:]}")
    if output == "json":
        events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        run.downloaded = int(events[-1]["files_downloaded"])
        run.backlog = _backlog(events)
    else:
        match = re.search(r"(\d+) files downloaded", text)
        run.downloaded = int(match.group(1)) if match else -1
    shutil.rmtree(dest, ignore_errors=True)
    run.trace = report.read_text() if probe and report.exists() else ""
    return run


def _watch(
    argv: list[str], env: dict[str, str], work: Path, tty: bool, label: str, flavour: str,
    files: int,
) -> tuple[Run, int]:  # fmt: skip
    """Run ``argv`` (stdout and stderr to ``work``'s files; ``tty``: stderr a pseudo-terminal)
    and watch it: its :class:`Run` (wall seconds, CPU and peak RSS from its own rusage, the
    RSS curve with its helpers, the peaks of the processes it started; nothing counted as
    downloaded yet) and its exit status.

    The kernel's ``ru_maxrss`` of a child starts at the peak of the process that started it
    (the high-water mark of the memory it ran in until ``exec``: this bench's, which grows
    with the runs it has watched). Above this bench's own peak it is the child's; at or below,
    the child's peak is the last ``VmHWM`` read while it ran (its own memory's high-water
    mark, read every 0.2 s)."""
    floor = _status(os.getpid(), "VmHWM") or 0.0
    os.sync()
    with open(work / "stdout.txt", "w") as out, open(work / "stderr.txt", "w") as err:
        if tty:  # stderr a terminal: rich progress bars
            import pty

            master, slave = pty.openpty()
            reader = threading.Thread(target=_drain, args=(master,), daemon=True)
            started = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=out, stderr=slave, env=env)
            os.close(slave)
            reader.start()
        else:
            started = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        curve: list[tuple[float, float]] = []
        helpers: dict[int, float] = {}  # the peak (VmHWM) of each helper process, last read
        high = 0.0  # the child's VmHWM, last read
        while True:  # wait4: the child's own rusage (not the emulator's, another child)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            high = _status(proc.pid, "VmHWM") or high
            rss = _rss(proc.pid)
            for kid in _descendants(proc.pid):
                peak = _status(kid, "VmHWM")
                if peak is not None:
                    helpers[kid] = peak
                    rss = (rss or 0.0) + (_rss(kid) or 0.0)
            if rss is not None:
                curve.append((time.perf_counter() - started, rss))
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss * 1024 / MB
    run = Run(
        label=label,
        flavour=flavour,
        files=files,
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        peak=peak if peak > floor + 0.5 else high,
        helpers=sum(helpers.values()),
        downloaded=0,
        curve=curve,
    )
    return run, proc.returncode


def gallery_dl_run(info: dict[str, Any], flavour: str, work: Path, files: int) -> Run:
    """gallery-dl (the peers venv, through the same adapter as bench_peers.py: originals, no
    sleep between requests) on the same creator; its peak RSS, watched as kemopix's is."""
    dest = work / f"gallery-dl-{flavour}-{files}"
    site, mapping = kemono_origins(flavour, info)
    options = ["-o", f"extractor.{flavour}.original=true"]
    options += ["-o", f"extractor.{flavour}.sleep-request=0"]
    argv = gallery_dl(mapping, f"{site}/{SERVICE}/user/{CREATOR}", dest, *options)
    run, code = _watch(argv, dict(os.environ), work, False, "gallery-dl", flavour, files)
    if code != 0:
        errors = (work / "stderr.txt").read_text()
        raise RuntimeError(f"gallery-dl failed ({code}): {errors[-800:]}")
    # Every file: gallery-dl renames a file whose first bytes look like a known format
    # (``adjust-extensions``; random bytes, about 1 in 6,000 here).
    run.downloaded = sum(1 for path in dest.rglob("*") if path.is_file())
    shutil.rmtree(dest, ignore_errors=True)
    return run


def _backlog(events: list[dict[str, Any]]) -> int:
    """The most posts planned whose files were not all finished yet (JSON output only)."""
    open_posts: dict[str, int] = {}
    by_path: dict[str, str] = {}
    most = 0
    for event in events:
        if event["event"] == "post":
            paths = [f["path"] for f in event["files"] if f["path"] and not f["skipped"]]
            if paths:
                open_posts[event["post"]] = len(paths)
                by_path.update((p, event["post"]) for p in paths)
                most = max(most, len(open_posts))
        elif event["event"] in ("file", "file_failed"):
            post = by_path.pop(event["path"], None)
            if post is not None:
                open_posts[post] -= 1
                if not open_posts[post]:
                    del open_posts[post]
    return most


def _at(curve: list[tuple[float, float]], fraction: float) -> float:
    if not curve:
        return float("nan")
    end = curve[-1][0]
    return next((rss for t, rss in curve if t >= fraction * end), curve[-1][1])


# -- the probed child: internals sampled, tracemalloc optional ------------------------------
def probed(report: Path, argv: list[str], trace: bool) -> int:
    """``--probed``: run the CLI in this process and sample, from a thread, what it holds:
    asyncio tasks alive, posts waiting for the sidecar thread, folders remembered by the
    sidecar writer, the archive's SQLite memory; with ``trace``, tracemalloc snapshots as the
    traced memory grows, and where the memory of the largest one comes from."""
    import asyncio
    import tracemalloc

    from kemopix.downloader import metadata

    if trace:
        tracemalloc.start(16)
    snapshots: list[tuple[int, tracemalloc.Snapshot]] = []
    most: dict[str, int] = {}
    stop = threading.Event()

    def queued() -> int:
        """Posts waiting for the sidecar thread (a pool's queue, or a serial worker's)."""
        pool = getattr(metadata, "_POOL", None) or getattr(metadata, "_WORKER", None)
        queue = getattr(pool, "_work_queue", None) or getattr(pool, "_jobs", None)
        return queue.qsize() if queue is not None else -1

    def sample() -> None:
        tasks = len(asyncio.tasks._all_tasks)  # type: ignore[attr-defined]
        most["tasks"] = max(most.get("tasks", 0), tasks)
        most["sidecar queue"] = max(most.get("sidecar queue", 0), queued())
        most["sidecar folders remembered"] = len(getattr(metadata, "_cleared", ()))
        most["RSS MB"] = max(most.get("RSS MB", 0), int(_rss(os.getpid()) or 0))

    def watch() -> None:
        last = 0
        while not stop.wait(0.25):
            sample()
            if not trace:
                continue
            current, _ = tracemalloc.get_traced_memory()
            if current > last * 1.05 + (1 << 20):
                last = current
                snap = tracemalloc.take_snapshot().filter_traces(
                    [tracemalloc.Filter(False, tracemalloc.__file__)]
                )
                snapshots[:] = [snapshots[0], (current, snap)] if snapshots else [(current, snap)]

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    from kemopix.cli import main

    code = 0
    try:
        code = main(argv)
    finally:
        stop.set()
        watcher.join()
        text = (
            "  probe (largest values sampled every 0.25 s): "
            + ", ".join(f"{name} {value:,}" for name, value in most.items())
            + f"; SQLite heap high-water {_sqlite_peak() / MB:.1f} MB\n"
        )
        if trace:
            text += _trace_report(snapshots, tracemalloc.get_traced_memory()[1])
        report.write_text(text)
    return code


def _sqlite_peak() -> int:
    """sqlite3_memory_highwater of the process: every connection's page cache and statements
    (the library the ``sqlite3`` module links, found again by its name; 0 if not found)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("sqlite3")
    if name is None:
        return 0
    try:
        highwater = ctypes.CDLL(name).sqlite3_memory_highwater
    except (OSError, AttributeError):
        return 0
    highwater.restype = ctypes.c_int64
    highwater.argtypes = [ctypes.c_int]
    return int(highwater(0))


def _trace_report(snapshots: list[tuple[int, Any]], peak: int) -> str:
    if not snapshots:
        return "no snapshot taken\n"
    first_size, first = snapshots[0]
    size, last = snapshots[-1]
    lines = [f"  tracemalloc: peak {peak / MB:.1f} MB traced; largest snapshot {size / MB:.1f} MB"
             f" (first {first_size / MB:.1f} MB)"]  # fmt: skip
    lines.append("  growth from the first snapshot by allocating line (live bytes, blocks):")
    for diff in last.compare_to(first, "lineno")[:20]:
        frame = diff.traceback[0]
        lines.append(f"    {diff.size_diff / MB:+8.2f} MB {diff.count_diff:+9,d}  "
                     f"{_short(frame.filename)}:{frame.lineno}")  # fmt: skip
    lines.append("  live bytes at the largest snapshot by the innermost kemopix line calling:")
    for where, (total, count) in _by_our_line(last)[:20]:
        lines.append(f"    {total / MB:8.2f} MB {count:9,d}  {where}")
    return "\n".join(lines) + "\n"


def _by_our_line(snapshot: Any) -> list[tuple[str, tuple[int, int]]]:
    """Live bytes grouped by the innermost frame in kemopix's own code (else the innermost)."""
    groups: dict[str, tuple[int, int]] = {}
    for trace in snapshot.traces:
        frames = list(reversed(trace.traceback))  # innermost first
        ours = next((f for f in frames if "/kemopix/" in f.filename), frames[0])
        where = f"{_short(ours.filename)}:{ours.lineno}"
        total, count = groups.get(where, (0, 0))
        groups[where] = (total + trace.size, count + 1)
    return sorted(groups.items(), key=lambda item: -item[1][0])


def _short(path: str) -> str:
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# -- report ----------------------------------------------------------------------------------
def show(run: Run) -> None:
    per_file = run.seconds / max(run.files, 1) * 1e3
    total = run.peak + run.helpers
    print(f"  {run.label}, {run.flavour}, {run.files:,} files: peak RSS {total:.1f} MB "
          f"({run.peak:.1f} + helper {run.helpers:.1f}) "
          f"= {total / GOAL_MB:.2f}x the {GOAL_MB:.0f} MB goal; {run.seconds:.1f} s wall "
          f"({per_file:.2f} ms/file), {run.cpu:.1f} s CPU; "
          f"{run.downloaded:,} downloaded")  # fmt: skip
    quarters = ", ".join(f"{_at(run.curve, f):.0f}" for f in (0.25, 0.5, 0.75, 1.0))
    print(f"    RSS (with helpers) at 25/50/75/100% of the run: {quarters} MB")
    if run.backlog:
        print(f"    at most {run.backlog:,} posts planned and not yet finished at once")
    if run.trace:
        print(run.trace, end="")


def extrapolate(runs: list[Run]) -> None:
    """The growth per file between the smallest and largest run, and the 100k figure."""
    if len(runs) < 2:
        return
    small, large = min(runs, key=lambda r: r.files), max(runs, key=lambda r: r.files)
    grown = (large.peak + large.helpers) - (small.peak + small.helpers)
    per_file = grown * MB / (large.files - small.files)
    at_goal = large.peak + large.helpers + per_file * (GOAL_FILES - large.files) / MB
    print(f"  {large.label}, {large.flavour}: {per_file:,.0f} bytes of peak RSS per file; "
          f"{GOAL_FILES:,} files -> {at_goal:.0f} MB "
          f"= {at_goal / GOAL_MB:.2f}x the goal")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--serve", metavar="FLAVOUR", help=argparse.SUPPRESS)
    parser.add_argument("--probed", metavar="REPORT", help=argparse.SUPPRESS)
    parser.add_argument("--files", default="10000", help="posts of one file (comma list)")
    parser.add_argument("--file-bytes", type=int, default=512)
    parser.add_argument("--flavour", default="kemono,pawchive")
    parser.add_argument("--output", choices=("plain", "tty", "json"), default="plain")
    parser.add_argument("--probe", action="store_true", help="sample the child's internals")
    parser.add_argument("--trace", action="store_true", help="--probe and tracemalloc (slow)")
    parser.add_argument(
        "--baseline", metavar="TREE", type=Path, action="append", help="also run TREE's kemopix"
    )
    parser.add_argument(
        "--no-gallery-dl", action="store_true", help="skip the gallery-dl run (the peers venv)"
    )
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, int(args.files), args.file_bytes)
    if args.probed:
        return probed(Path(args.probed), args.rest, args.trace)
    probe = "trace" if args.trace else "probe" if args.probe else ""
    peer = not args.no_gallery_dl
    if peer and not PEERS_PYTHON.exists():
        print("gallery-dl: the peers venv is missing (`make bench` builds it); not run")
        peer = False
    sizes = [int(n) for n in args.files.split(",")]
    print(f"peak RSS of `kemopix download` (default settings, sidecars on, {args.output} "
          f"output), one creator of N posts x 1 file of {args.file_bytes} B")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="kemopix-memory-", dir=REPO / "bench") as temp:
        work = Path(temp)
        trees: list[Path | None] = [tree.resolve() for tree in args.baseline or ()]
        trees.append(None)
        for flavour in args.flavour.split(","):
            runs: list[Run] = []
            for files in sizes:
                with emulator(flavour, files, args.file_bytes) as info:
                    print(f"  ({flavour} emulator: {files:,} posts built in {info['built']:.1f} s,"
                          f" its own RSS {info['rss']:.0f} MB)")  # fmt: skip
                    for tree in trees:
                        run = download(info["url"], flavour, work, files, args.output, probe, tree)
                        show(run)
                        runs.append(run)
                    if peer:
                        theirs = gallery_dl_run(info, flavour, work, files)
                        show(theirs)
                        runs.append(theirs)
                        mine = runs[-2].peak + runs[-2].helpers
                        print(f"  kemopix / gallery-dl peak RSS = {mine / theirs.peak:.2f}x"
                              f" (with kemopix's helper; {runs[-2].peak / theirs.peak:.2f}x "
                              "without)")  # fmt: skip
            for label in dict.fromkeys(r.label for r in runs):
                extrapolate([r for r in runs if r.label == label])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
