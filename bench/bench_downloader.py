"""Downloader benchmarks: each figure a ratio measured in one run against the same emulator.

1. A 200-file, ~400 MB creator, no rate limit: ``kemopix download`` against the raw ceiling (a
   bare aiohttp loop over the same file list at the same concurrency) and against KToolBox
   (``ktoolbox sync`` from ``.venv-peers``, pawchive flavour, same job count).
2. The same creator with the emulator allowing 10 API requests and 10 file requests per
   second (the live data servers limit downloads too): time against the theoretical minimum
   (the larger of API requests / rate, files / rate and the raw download time) and the 429s
   received, for kemopix and KToolBox (pawchive), and for kemopix on the kemono flavour, whose
   2025 API needs one detail request per post.
3. A re-run with no new posts: requests made and seconds.
4. Random faults: six kinds at 1.8% of requests each (429, 503, reset, truncated body, wrong
   Content-Length, slow body): the faulty run and the next fault-free one against a fault-free
   run. Goals (issue #11): faulty <= max(5x, fault-free + 20 s), next <= 1.5x.

The emulator runs in its own process (``--serve``), so client and server do not share a GIL;
rounds are interleaved and medians reported, because the machine is noisy, and dirty pages are
flushed (``os.sync``) before each measured run, so that no client pays for the previous one's
400 MB of write-back.

Run: ``.venv/bin/python bench/bench_downloader.py [--rounds 3] [--files 200] [--size-mb 2]``;
``--baseline DIR`` adds to (1) the kemopix of another source tree (DIR holds its ``src``, e.g.
``git worktree add /tmp/before main``) in every round: a before/after in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bench_common import compiled

REPO = Path(__file__).resolve().parent.parent
KTOOLBOX = REPO / ".venv-peers" / "bin" / "ktoolbox"
SERVICE, CREATOR = "patreon", "bench-creator"
CONCURRENCY = 8
LINK = 10e6  # bytes per second per file connection in (1b): a good line to a Kemono data server
BASELINE: Path | None = None  # --baseline: another kemopix source tree, timed in (1) as well


# -- the emulator, in its own process --------------------------------------------------------
def serve(flavour: str, rate: float | None, files: int, size: int) -> int:
    """``--serve``: an emulator with the bench creator; JSON info on stdout, stats on demand."""
    from kemopix.emulators import KemonoEmulator

    with KemonoEmulator(
        creators=20,
        flavour=flavour,  # type: ignore[arg-type]
        rate_limit=rate,
        file_rate_limit=rate,
    ) as emu:
        counted = [0]
        emu.add_creator(SERVICE, CREATOR, "Bench Creator")
        base = 1_700_000_000.0
        for n in range(files):
            data = os.urandom(size + n)
            emu.add_post(
                SERVICE, CREATOR, title=f"Work {n}", files=[(f"work{n}.bin", data)],
                published=base + n * 3600, content=f"<p>Work number {n}</p>",
            )  # fmt: skip
        info = {"url": emu.url, "api": emu.api_url, "file_hosts": emu.file_host_urls}
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        for line in sys.stdin:
            if line.strip() == "stats":
                sys.stdout.write(json.dumps({"refused": emu.throttled - counted[0]}) + "\n")
                sys.stdout.flush()
            elif line.strip() == "reset-stats":
                counted[0] = emu.throttled
    return 0


class Server:
    def __init__(self, proc: subprocess.Popen[str], info: dict[str, Any]) -> None:
        self.proc = proc
        self.info = info

    @property
    def url(self) -> str:
        return str(self.info["url"])

    def refused(self) -> int:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return int(json.loads(self.proc.stdout.readline())["refused"])

    def reset_stats(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("reset-stats\n")
        self.proc.stdin.flush()


@contextmanager
def emulator(flavour: str, rate: float | None, files: int, size: int) -> Iterator[Server]:
    argv = [sys.executable, __file__, "--serve", flavour, "--files", str(files)]
    argv += ["--size-mb", str(size / (1 << 20)), "--rate", str(rate or 0)]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield Server(proc, json.loads(proc.stdout.readline()))
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=60)


# -- the three clients -----------------------------------------------------------------------
async def _file_list(server: Server, flavour: str) -> list[str]:
    accept = {"Accept": "application/json" if flavour == "pawchive" else "text/css"}
    path = f"/{SERVICE}/user/{CREATOR}" + ("" if flavour == "pawchive" else "/posts")
    urls: list[str] = []
    async with aiohttp.ClientSession() as session:
        offset = 0
        while True:
            async with session.get(
                server.info["api"] + path, params={"o": offset}, headers=accept
            ) as response:
                page = await response.json(content_type=None)
            for post in page:
                urls.append(f"{server.url}/data{post['file']['path']}")
            if len(page) < 50:
                return urls
            offset += 50


async def _raw(urls: list[str], dest: Path, concurrency: int, verify: bool = False) -> float:
    """The ceiling: fetch and write the files, nothing else (redirects followed as kemopix).

    ``verify`` adds what any safe client must do as well: SHA-256 of every byte, written to a
    ``.part`` renamed at the end (a reference point, not the ceiling).
    """
    os.makedirs(dest)
    slots = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector, read_bufsize=1 << 20) as session:

        async def one(index: int, url: str) -> None:
            async with slots, session.get(url) as response:
                response.raise_for_status()
                digest = hashlib.sha256()
                part = dest / f"{index}.part"
                # Plain blocking writes, as the core does (dependencies.md §2b): the ceiling.
                with open(part if verify else dest / str(index), "wb") as out:  # noqa: ASYNC230
                    async for chunk in response.content.iter_chunked(1 << 20):
                        out.write(chunk)
                        if verify:
                            digest.update(chunk)
                if verify:
                    assert url.split("/")[-1].split("?")[0].startswith(digest.hexdigest())
                    os.replace(part, dest / str(index))

        started = time.perf_counter()
        await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
        return time.perf_counter() - started


def raw_ceiling(server: Server, flavour: str, dest: Path, verify: bool = False) -> float:
    urls = asyncio.run(_file_list(server, flavour))
    os.sync()
    return asyncio.run(_raw(urls, dest, CONCURRENCY, verify))


def kemopix(
    server: Server, flavour: str, dest: Path, *options: str, tree: Path | None = None
) -> tuple[float, dict[str, Any]]:
    """``kemopix download`` in a fresh process; wall time and its JSON summary. ``tree``: the
    kemopix of that source tree instead of this one."""
    argv = [str(REPO / ".venv" / "bin" / "kemopix"), "download"]
    env = None
    if tree is not None:
        argv = [sys.executable, "-c", "import sys; from kemopix.cli import main; sys.exit(main())"]
        argv.append("download")
        env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    argv += [f"{server.url}/{SERVICE}/user/{CREATOR}", f"--{flavour}-url", server.url]
    argv += ["-o", str(dest), "--concurrency", str(CONCURRENCY), "--json", "--no-shared-budget"]
    argv += options
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - started
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    summary: dict[str, Any] = next((e for e in reversed(lines) if e["event"] == "summary"), {})
    if done.returncode != 0:
        raise RuntimeError(f"kemopix failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds, summary


def ktoolbox(server: Server, dest: Path) -> float | None:
    """``ktoolbox sync`` pointed at the pawchive emulator (kemono-protocol.md §10)."""
    if not KTOOLBOX.exists():
        return None
    site = server.url.split("//", 1)[1]
    env = dict(
        os.environ,
        KTOOLBOX_API__SCHEME="http",
        KTOOLBOX_API__NETLOC=site,
        KTOOLBOX_API__STATICS_NETLOC=site,
        KTOOLBOX_DOWNLOADER__SCHEME="http",
        KTOOLBOX_DOWNLOADER__FILES_NETLOC=server.info["file_hosts"][0].split("//", 1)[1],
        KTOOLBOX_DOWNLOADER__FILE_PATH_PREFIX="/data",
        KTOOLBOX_JOB__COUNT=str(CONCURRENCY),
    )
    dest.mkdir(parents=True)
    argv = [str(KTOOLBOX), "--plain", "sync", f"{server.url}/{SERVICE}/user/{CREATOR}"]
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(
        [*argv, "--output", str(dest)], env=env, cwd=dest, capture_output=True, text=True,
        check=False, timeout=1800,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"ktoolbox failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds


# -- scenarios -------------------------------------------------------------------------------
def unlimited(work: Path, rounds: int, files: int, size: int) -> None:
    print(f"\n(1) {files} files, {files * size / 1e6:.0f} MB, no rate limit, pawchive flavour")
    raws: list[float] = []
    checked: list[float] = []
    ours: list[float] = []
    engine: list[float] = []
    bare: list[float] = []
    theirs: list[float] = []
    before: list[float] = []  # the --baseline tree: wall
    before_engine: list[float] = []
    with emulator("pawchive", None, files, size) as server:
        for n in range(rounds):
            raws.append(raw_ceiling(server, "pawchive", work / f"raw{n}"))
            checked.append(raw_ceiling(server, "pawchive", work / f"checked{n}", verify=True))
            # The baseline runs beside this tree, first in every other round: the run after
            # the previous round's folders were deleted pays for it in the file system.
            trees = [None, BASELINE] if BASELINE is not None else [None]
            for tree in trees if n % 2 == 0 else trees[::-1]:
                name = f"kemopix{n}" if tree is None else f"before{n}"
                seconds, summary = kemopix(server, "pawchive", work / name, tree=tree)
                assert summary.get("files_downloaded") == files, summary
                walls, inners = (ours, engine) if tree is None else (before, before_engine)
                walls.append(seconds)
                inners.append(float(summary["seconds"]))
            # The ceiling writes the files only; so does this run (no JSON/HTML/Markdown).
            bare.append(kemopix(server, "pawchive", work / f"bare{n}", "--no-metadata")[0])
            if n < max(1, rounds - 1):
                tool = ktoolbox(server, work / f"ktoolbox{n}")
                if tool is not None:
                    theirs.append(tool)
            for name in (f"raw{n}", f"checked{n}", f"bare{n}", f"before{n}", f"ktoolbox{n}"):
                shutil.rmtree(work / name, ignore_errors=True)
            print(f"  round {n + 1}: raw {raws[-1]:.2f}s, raw+sha256 {checked[-1]:.2f}s, "
                  f"kemopix {ours[-1]:.2f}s (engine {engine[-1]:.2f}s), "
                  f"kemopix --no-metadata {bare[-1]:.2f}s"
                  + (f", before {before[-1]:.2f}s (engine {before_engine[-1]:.2f}s)" if before
                     else "")
                  + (f", ktoolbox {theirs[-1]:.2f}s" if len(theirs) > n else ""))  # fmt: skip
        raw, mine = statistics.median(raws), statistics.median(ours)
        inner, check = statistics.median(engine), statistics.median(checked)
        print(f"  median: raw ceiling {raw:.2f}s, raw+sha256 {check:.2f}s, kemopix {mine:.2f}s"
              f" wall / {inner:.2f}s in the engine (the rest is start-up and imports)")  # fmt: skip
        print(f"  kemopix / raw ceiling = {mine / raw:.2f}x wall, {inner / raw:.2f}x engine"
              f"   (goal <= 1.25x); engine / raw+sha256 = {inner / check:.2f}x")  # fmt: skip
        print(f"  kemopix / raw+sha256 (the bare loop of issue #14) = {mine / check:.2f}x wall"
              f"   (goal <= 2.0x)")  # fmt: skip
        if before:
            then, then_inner = statistics.median(before), statistics.median(before_engine)
            print(f"  kemopix before ({BASELINE}): {then:.2f}s wall = {then / check:.2f}x "
                  f"raw+sha256 / {then_inner:.2f}s engine; now / before = {mine / then:.2f}x "
                  f"wall, {inner / then_inner:.2f}x engine")  # fmt: skip
        files_only = statistics.median(bare)
        print(f"  kemopix --no-metadata (files only, like the ceiling) {files_only:.2f}s wall"
              f" = {files_only / raw:.2f}x raw, {files_only / check:.2f}x raw+sha256")  # fmt: skip
        if theirs:
            other = statistics.median(theirs)
            print(
                f"  ktoolbox {other:.2f}s; ktoolbox / kemopix = {other / mine:.1f}x   (goal >= 3x)"
            )
        else:
            print("  ktoolbox: not installed (.venv-peers); run `make bench`")

        print("\n(3) re-run with no new posts")
        seconds, summary = kemopix(server, "pawchive", work / "kemopix0")
        fetched = summary["files_downloaded"]
        print(f"  {summary['requests']} requests, {seconds:.2f}s wall "
              f"({summary['seconds']:.3f}s in the engine), {fetched} files")  # fmt: skip
        over_a_link(server, work, rounds)


def over_a_link(server: Server, work: Path, rounds: int) -> None:
    """(1) again with every file connection paced at LINK bytes/s (the ``bandwidth`` fault)."""
    print(f"\n(1b) the same, each file connection limited to {LINK / 1e6:.0f} MB/s, as over a "
          f"real link ({CONCURRENCY} connections; loopback above has none)")  # fmt: skip
    rule = {"kind": "bandwidth", "path": "^/data/", "probability": 1.0, "rate": LINK}
    with fault_rule(server.url + "/_emulator/faults", rule):
        raws: list[float] = []
        ours: list[float] = []
        for n in range(rounds):
            raws.append(raw_ceiling(server, "pawchive", work / f"link-raw{n}"))
            ours.append(kemopix(server, "pawchive", work / f"link-kemopix{n}")[0])
            for name in (f"link-raw{n}", f"link-kemopix{n}"):
                shutil.rmtree(work / name, ignore_errors=True)
            print(f"  round {n + 1}: raw {raws[-1]:.2f}s, kemopix {ours[-1]:.2f}s")
        raw, mine = statistics.median(raws), statistics.median(ours)
        print(f"  kemopix / raw ceiling = {mine / raw:.2f}x wall   (goal <= 1.25x)")


@contextmanager
def fault_rule(url: str, rule: dict[str, Any] | list[dict[str, Any]]) -> Iterator[None]:
    """Fault rules in force for the block (added, then all rules removed)."""

    async def call(method: str, data: dict[str, Any] | list[dict[str, Any]] | None) -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, url, json=data) as response,
        ):
            response.raise_for_status()

    asyncio.run(call("POST", rule))
    try:
        yield
    finally:
        asyncio.run(call("DELETE", None))


def limited(work: Path, files: int, size: int, rate: float, flavours: tuple[str, ...]) -> None:
    print(
        f"\n(2) the same creator, the emulator allowing {rate:.0f} API and {rate:.0f} file"
        " requests per second"
    )
    for flavour in flavours:
        with emulator(flavour, rate, files, size) as server:
            time.sleep(1.1)  # a fresh rate window for the measured client
            server.reset_stats()
            seconds, summary = kemopix(server, flavour, work / f"limited-{flavour}-{rate:.0f}")
            throttled = server.refused()
            api = summary["requests"] - files - summary["statuses"].get("429", 0)
            floor = max(api / rate, files / rate)  # the raw download time is far below
            done = summary["files_downloaded"]
            print(f"  {flavour}: kemopix {seconds:.2f}s for {api} API requests + {done} files; "
                  f"minimum {floor:.2f}s -> {seconds / floor:.2f}x (goal <= 1.2x); "
                  f"429s received: {throttled}")  # fmt: skip
            if flavour == "pawchive":
                time.sleep(1.1)
                server.reset_stats()
                theirs = work / f"limited-ktoolbox-{rate:.0f}"
                tool = ktoolbox(server, theirs)
                if tool is not None:
                    got = sum(1 for _ in theirs.rglob("*work*.bin"))
                    print(f"  pawchive: ktoolbox {tool:.2f}s for {got} of {files} files; "
                          f"429s received: {server.refused()}")  # fmt: skip


def faulty(work: Path, rounds: int, files: int, size: int) -> None:
    """(4) random faults: this run pays retries, the next run nothing (medians of rounds)."""
    print("\n(4) six fault kinds at 1.8% of requests each, against a fault-free run")
    from kemopix.emulators._faults import MIXED_FAULTS

    rules = [{**fault, "path": "^/(api|data)/", "probability": 0.018} for fault in MIXED_FAULTS]
    times: dict[str, list[float]] = {"clean": [], "faulty": [], "next": []}
    refused: list[int] = []
    with emulator("pawchive", None, files, size) as server:
        # Each run is a fresh process; budgets of a loopback host never outlive one.
        for n in range(rounds):
            times["clean"].append(kemopix(server, "pawchive", work / f"faults-clean{n}")[0])
            with fault_rule(server.url + "/_emulator/faults", rules):
                seconds, summary = kemopix(server, "pawchive", work / f"faults-on{n}")
            times["faulty"].append(seconds)
            refused.append(summary["statuses"].get("429", 0))
            times["next"].append(kemopix(server, "pawchive", work / f"faults-next{n}")[0])
            for name in ("clean", "on", "next"):
                shutil.rmtree(work / f"faults-{name}{n}", ignore_errors=True)
    clean, bad, after = (statistics.median(times[k]) for k in ("clean", "faulty", "next"))
    goal = max(5 * clean, clean + 20)
    print(f"  medians of {rounds}: fault-free {clean:.2f}s; faulty {bad:.2f}s = {bad / clean:.2f}x "
          f"({statistics.median(refused):.0f} 429s; goal <= {goal:.1f}s); "
          f"next {after:.2f}s = {after / clean:.2f}x (goal <= 1.5x)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--serve", metavar="FLAVOUR", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size-mb", type=float, default=2.0)
    parser.add_argument("--only", choices=("1", "2", "4"), help="run one scenario")
    parser.add_argument("--baseline", type=Path, help="another kemopix tree to time in (1)")
    args = parser.parse_args(argv)
    global BASELINE
    BASELINE = args.baseline.resolve() if args.baseline else None
    if not args.serve:
        compiled(REPO, *([BASELINE] if BASELINE else []))
    size = int(args.size_mb * (1 << 20))
    if args.serve:
        return serve(args.serve, args.rate or None, args.files, size)
    with tempfile.TemporaryDirectory(prefix="kemopix-bench-", dir=REPO / "bench") as temp:
        work = Path(temp)
        if args.only in (None, "1"):
            unlimited(work, args.rounds, args.files, size)
        if args.only in (None, "2"):
            limited(work, args.files, size, 10.0, ("pawchive", "kemono"))
            # At 10/s KToolBox (about 5 files/s here) never meets the limit; at 3/s both must.
            limited(work, args.files, size, 3.0, ("pawchive",))
        if args.only in (None, "4"):
            faulty(work, args.rounds, args.files, size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
