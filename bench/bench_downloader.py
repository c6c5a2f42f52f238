"""Downloader benchmarks: each figure a ratio measured in one run against the same emulator.

1. A 200-file, ~400 MB creator, no rate limit: ``kemopix download`` against the raw ceiling (a
   bare aiohttp loop over the same file list at the same concurrency) and against KToolBox
   (``ktoolbox sync`` from ``.venv-peers``, pawchive flavour, same job count).
2. The same creator with the emulator allowing 10 API requests and 10 file requests per
   second (the live data servers limit downloads too): time against the theoretical minimum
   (the larger of API requests / rate, files / rate and the raw download time) and the 429s
   received, for kemopix and KToolBox (pawchive), and for kemopix on the kemono flavour, whose
   2025 API needs one detail request per post.
3. A re-run with no new posts: seconds and requests (counted by the emulator) of kemopix
   against gallery-dl's re-runs into the folder of its first run: its default (each file
   skipped because it exists), ``--download-archive`` (skipped by its archive's record) and
   ``-A 1`` (it stops at the first file it already has).
4. Random faults: six kinds at 1.8% of requests each (429, 503, reset, truncated body, wrong
   Content-Length, slow body): the faulty run and the next fault-free one against a fault-free
   run. Goals (issue #11): faulty <= max(5x, fault-free + 20 s), next <= 1.5x.
5. The same faults less the 429 (gallery-dl sleeps 60 s after each by default), kemopix
   against gallery-dl, each fault-free and faulty: seconds, requests, and how many files end
   whole (SHA-256 checked).
6. A host down (kemono flavour, image posts, every data host failing at connection level as
   kemono.cr's since 2026): kemopix (its circuit breaker, then thumbnails) against gallery-dl's
   default (thumbnails, it never asks for the originals) and gallery-dl asking for the
   originals (``original=true``; timed on its first 3 files, its retries take ~10 s a file);
   then, originals back, kemopix's upgrade against gallery-dl's run for the originals.

In (3), (5) and (6) gallery-dl runs as in bench_peers.py (``bench/peers/gallery_dl_at.py``,
``sleep-request=0``, originals), and both tools are told the pawchive file host.

The emulator runs in its own process (``--serve``), so client and server do not share a GIL;
rounds are interleaved and medians reported, because the machine is noisy, and dirty pages are
flushed (``os.sync``) before each measured run, so that no client pays for the previous one's
400 MB of write-back; and each measured run starts on a settled disk (``settle_disk`` in
``bench_common``: ext4 here is mounted with ``discard``, and for a minute or two after files
are deleted every new file waits on the journal, at 5-25x its usual cost).

Run: ``.venv/bin/python bench/bench_downloader.py [--rounds 3] [--files 200] [--size-mb 2]
[--only N]``;
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
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import aiohttp

from bench_common import compiled, gallery_dl, kemono_origins, quiet_start
from kemopix.emulators._faults import MIXED_FAULTS
from kemopix.files import file_sha256

REPO = Path(__file__).resolve().parent.parent
KTOOLBOX = REPO / ".venv-peers" / "bin" / "ktoolbox"
SERVICE, CREATOR = "patreon", "bench-creator"
CONCURRENCY = 8
LINK = 10e6  # bytes per second per file connection in (1b): a good line to a Kemono data server
BASELINE: Path | None = None  # --baseline: another kemopix source tree, timed in (1) as well


# -- the emulator, in its own process --------------------------------------------------------
def serve(flavour: str, rate: float | None, files: int, size: int, images: bool = False) -> int:
    """``--serve``: an emulator with the bench creator; JSON info on stdout, then commands on
    stdin: ``stats`` (429s refused and requests seen since ``reset-stats``), ``originals down``
    / ``originals up`` (the data hosts failing at connection level, as kemono.cr's since 2026).
    ``images``: PNG files of ``size`` bytes (they have thumbnails) instead of random bytes."""
    from kemopix.emulators import KemonoEmulator

    with KemonoEmulator(
        creators=20,
        flavour=flavour,  # type: ignore[arg-type]
        rate_limit=rate,
        file_rate_limit=rate,
    ) as emu:
        counted = [0, 0]  # 429s and requests at the last reset-stats
        seen = [0]
        pick = emu.faults.pick

        def counting(method: str, path: str) -> Any:
            # Every request to the site and its file and image hosts asks the fault injector
            # (control-plane paths excepted): the server-side count, the same for every tool.
            seen[0] += 1
            return pick(method, path)

        emu.faults.pick = counting  # type: ignore[method-assign]
        emu.add_creator(SERVICE, CREATOR, "Bench Creator")
        base = 1_700_000_000.0
        for n in range(files):
            file: tuple[str, int | bytes] = (
                (f"picture-{n}.png", size + n) if images else (f"work{n}.bin", os.urandom(size + n))
            )
            emu.add_post(
                SERVICE, CREATOR, title=f"Work {n}", files=[file],
                published=base + n * 3600, content=f"<p>Work number {n}</p>",
            )  # fmt: skip
        info = {
            "url": emu.url,
            "api": emu.api_url,
            "file_hosts": emu.file_host_urls,
            "img": emu.img_url,
        }
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                stats = {"refused": emu.throttled - counted[0], "requests": seen[0] - counted[1]}
                sys.stdout.write(json.dumps(stats) + "\n")
                sys.stdout.flush()
            elif command == "reset-stats":
                counted[:] = [emu.throttled, seen[0]]
            elif command.startswith("originals "):
                emu.originals = command.split()[1]  # type: ignore[assignment]
                sys.stdout.write("{}\n")
                sys.stdout.flush()
    return 0


class Server:
    def __init__(self, proc: subprocess.Popen[str], info: dict[str, Any]) -> None:
        self.proc = proc
        self.info = info

    @property
    def url(self) -> str:
        return str(self.info["url"])

    def _ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def refused(self) -> int:
        """429s the emulator's rate limits answered since :meth:`reset_stats`."""
        return int(self._ask("stats")["refused"])

    def requests(self) -> int:
        """Requests the site and its hosts received since :meth:`reset_stats` (a connection
        refused or reset by a host that is down is no request)."""
        return int(self._ask("stats")["requests"])

    def reset_stats(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("reset-stats\n")
        self.proc.stdin.flush()

    def originals(self, state: str) -> None:
        """``down``: the data hosts fail at connection level; ``up``: they serve again."""
        self._ask(f"originals {state}")


@contextmanager
def emulator(
    flavour: str, rate: float | None, files: int, size: int, images: bool = False
) -> Iterator[Server]:
    argv = [sys.executable, __file__, "--serve", flavour, "--files", str(files)]
    argv += ["--size-mb", str(size / (1 << 20)), "--rate", str(rate or 0)]
    argv += ["--images"] if images else []
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
    return [file for _, file in await _post_list(server, flavour)]


async def _post_list(server: Server, flavour: str) -> list[tuple[str, str]]:
    """Each post's detail URL and its file's URL, from the creator's listing."""
    accept = {"Accept": "application/json" if flavour == "pawchive" else "text/css"}
    path = f"/{SERVICE}/user/{CREATOR}" + ("" if flavour == "pawchive" else "/posts")
    urls: list[tuple[str, str]] = []
    async with aiohttp.ClientSession() as session:
        offset = 0
        while True:
            async with session.get(
                server.info["api"] + path, params={"o": offset}, headers=accept
            ) as response:
                page = await response.json(content_type=None)
            for post in page:
                detail = f"{server.info['api']}/{SERVICE}/user/{CREATOR}/post/{post['id']}"
                urls.append((detail, f"{server.url}/data{post['file']['path']}"))
            if len(page) < 50:
                return urls
            offset += 50


async def _raw(
    urls: list[str],
    dest: Path,
    concurrency: int,
    verify: bool = False,
    details: list[str] | None = None,
) -> float:
    """The ceiling: fetch and write the files, nothing else (redirects followed as kemopix).

    ``verify`` adds what any safe client must do as well: SHA-256 of every byte, written to a
    ``.part`` renamed at the end (a reference point, not the ceiling). ``details``: each
    file's post detail is fetched (and decoded) first, as a client of kemono.cr must to
    learn a post's text (a reference point too).
    """
    accept = {"Accept": "text/css"}
    os.makedirs(dest)
    slots = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector, read_bufsize=1 << 20) as session:

        async def one(index: int, url: str) -> None:
            if details is not None:
                async with slots, session.get(details[index], headers=accept) as answer:
                    answer.raise_for_status()
                    json.loads(await answer.read())
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


def raw_ceiling(
    server: Server, flavour: str, dest: Path, verify: bool = False, details: bool = False
) -> float:
    posts = asyncio.run(_post_list(server, flavour))
    quiet_start(dest.parent)
    files = [file for _, file in posts]
    pages = [page for page, _ in posts] if details else None
    return asyncio.run(_raw(files, dest, CONCURRENCY, verify, pages))


def kemopix_argv(
    server: Server, flavour: str, dest: Path, *options: str, tree: Path | None = None
) -> list[str]:
    """``kemopix download`` of the bench creator (``--json``); ``tree``: the kemopix of that
    source tree instead of this one (it must be first on ``PYTHONPATH``)."""
    argv = [str(REPO / ".venv" / "bin" / "kemopix"), "download"]
    if tree is not None:
        argv = [sys.executable, "-c", "import sys; from kemopix.cli import main; sys.exit(main())"]
        argv.append("download")
    argv += [f"{server.url}/{SERVICE}/user/{CREATOR}", f"--{flavour}-url", server.url]
    argv += ["-o", str(dest), "--concurrency", str(CONCURRENCY), "--json", "--no-shared-budget"]
    return [*argv, *options]


def kemopix(
    server: Server, flavour: str, dest: Path, *options: str, tree: Path | None = None
) -> tuple[float, dict[str, Any]]:
    """``kemopix download`` in a fresh process; wall time and its JSON summary. ``tree``: the
    kemopix of that source tree instead of this one."""
    argv = kemopix_argv(server, flavour, dest, *options, tree=tree)
    env = None if tree is None else dict(os.environ, PYTHONPATH=str(tree / "src"))
    quiet_start(dest.parent)
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
    quiet_start(dest.parent)
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


# -- against gallery-dl: re-runs and faults -------------------------------------------------
def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and exit status of one process (a failing tool is a result here)."""
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - started, done.returncode


def gdl(server: Server, flavour: str, dest: Path, *options: str) -> list[str]:
    """gallery-dl on the bench creator, as in bench_peers.py: originals, no sleep between
    requests, its other settings (retries, sleeps between them) its defaults."""
    site, mapping = kemono_origins(flavour, server.info)
    options = ("-o", f"extractor.{flavour}.sleep-request=0", *options)
    return gallery_dl(mapping, f"{site}/{SERVICE}/user/{CREATOR}", dest, *options)


def direct(server: Server) -> dict[str, str]:
    """kemopix's environment told the pawchive emulator's file host, as gallery-dl's adapter
    is (and the real site's preset is): no ``/data`` redirect per file for either tool."""
    return dict(os.environ, KEMOPIX_PAWCHIVE_FILES_URL=server.info["file_hosts"][0])


def _original(flavour: str) -> tuple[str, str]:
    return ("-o", f"extractor.{flavour}.original=true")


def intact(dest: Path, expected: set[str]) -> int:
    """How many of the creator's files are in ``dest`` whole (SHA-256 = the file's hash)."""
    held = {file_sha256(path) for path in dest.rglob("*") if path.is_file()}
    return len(held & expected)


def _hashes(server: Server, flavour: str) -> set[str]:
    urls = asyncio.run(_file_list(server, flavour))
    return {url.rsplit("/", 1)[1].split(".")[0] for url in urls}


def _medians(results: dict[str, list[tuple[float, int]]]) -> dict[str, tuple[float, float]]:
    return {
        name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for name, runs in results.items()
        if runs
    }


def rerun(work: Path, rounds: int, files: int, size: int) -> None:
    """(3) a re-run with no new posts: kemopix against gallery-dl's ways of skipping."""
    print(f"\n(3) re-run with no new posts ({files} posts, pawchive flavour), against "
          "gallery-dl's re-runs (requests counted by the emulator)")  # fmt: skip
    with emulator("pawchive", None, files, size) as server:
        mine, theirs = work / "rerun-kemopix", work / "rerun-gallery-dl"
        archive = work / "gallery-dl-archive.sqlite3"
        kemopix(server, "pawchive", mine)
        first = gdl(server, "pawchive", theirs, *_original("pawchive"))
        if timed([*first[:-1], "--download-archive", str(archive), first[-1]])[1] != 0:
            raise RuntimeError("gallery-dl's first run failed")
        peers = {
            # Its default: every listing page and every post, each file skipped because a
            # file of its name exists.
            "gallery-dl (skips existing files)": [],
            # Skipped by its archive's record instead (the file is not looked at).
            "gallery-dl --download-archive": ["--download-archive", str(archive)],
            # Stops at the first file it already has: the nearest to kemopix's re-run.
            "gallery-dl -A 1 (abort at the first file held)": ["-A", "1"],
        }
        results: dict[str, list[tuple[float, int]]] = {"kemopix": []}
        results |= {name: [] for name in peers}
        for n in range(rounds):
            server.reset_stats()
            seconds, code = timed(kemopix_argv(server, "pawchive", mine), direct(server))
            if code != 0:
                raise RuntimeError(f"kemopix's re-run failed ({code})")
            results["kemopix"].append((seconds, server.requests()))
            for name, options in peers.items():
                server.reset_stats()
                argv = gdl(server, "pawchive", theirs, *_original("pawchive"), *options)
                seconds, code = timed(argv)
                if code != 0:
                    raise RuntimeError(f"{name} failed ({code})")
                results[name].append((seconds, server.requests()))
            print("  round " + str(n + 1) + ": " + ", ".join(
                f"{name} {runs[-1][0]:.2f}s/{runs[-1][1]} requests"
                for name, runs in results.items()))  # fmt: skip
    med = _medians(results)
    seconds, requests = med["kemopix"]
    print(f"  medians of {rounds}: kemopix {seconds:.2f}s wall, {requests:.0f} requests")
    for name, (other, asked) in med.items():
        if name != "kemopix":
            print(
                f"  {name}: {other:.2f}s, {asked:.0f} requests; kemopix / it = "
                f"{seconds / other:.2f}x time, {requests / max(asked, 1):.2f}x requests"
            )


# The mixed faults of (4) less the 429: gallery-dl sleeps 60 s after each 429 by default
# (``sleep-429``), so one 429 alone would outweigh the rest of its run.
PEER_FAULTS = [f for f in MIXED_FAULTS if f.get("status") != 429]


def peer_faults(work: Path, rounds: int, files: int, size: int) -> None:
    """(5) random faults: kemopix against gallery-dl, each fault-free and faulty."""
    kinds = ", ".join(str(f.get("status") or f["kind"]) for f in PEER_FAULTS)
    print(f"\n(5) {len(PEER_FAULTS)} fault kinds ({kinds}) at 1.8% of requests each, "
          f"kemopix against gallery-dl ({files} files, pawchive flavour)")  # fmt: skip
    rules = [{**fault, "path": "^/(api|data)/", "probability": 0.018} for fault in PEER_FAULTS]
    names = ("kemopix", "kemopix faulty", "gallery-dl", "gallery-dl faulty")
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
    whole: dict[str, list[int]] = {name: [] for name in names}
    with emulator("pawchive", None, files, size) as server:
        expected = _hashes(server, "pawchive")
        for n in range(rounds):
            for name in names:
                dest = work / f"peer-faults-{name.replace(' ', '-')}{n}"
                server.reset_stats()
                if name.startswith("kemopix"):
                    argv, env = kemopix_argv(server, "pawchive", dest), direct(server)
                else:
                    argv, env = gdl(server, "pawchive", dest, *_original("pawchive")), None
                faults = server.url + "/_emulator/faults"
                with fault_rule(faults, rules) if "faulty" in name else nullcontext():
                    seconds = timed(argv, env)[0]
                results[name].append((seconds, server.requests()))
                whole[name].append(intact(dest, expected))
                shutil.rmtree(dest, ignore_errors=True)
            print("  round " + str(n + 1) + ": " + ", ".join(
                f"{name} {runs[-1][0]:.2f}s/{runs[-1][1]} requests/{whole[name][-1]} whole"
                for name, runs in results.items()))  # fmt: skip
    med = _medians(results)
    for name, (seconds, requests) in med.items():
        print(f"  {name:<18} {seconds:6.2f}s {requests:6.0f} requests; files whole (min of "
              f"rounds) {min(whole[name])} of {files}")  # fmt: skip
    (mine, asked), (theirs, their_asked) = med["kemopix faulty"], med["gallery-dl faulty"]
    print(f"  faulty / fault-free: kemopix {mine / med['kemopix'][0]:.2f}x, gallery-dl "
          f"{theirs / med['gallery-dl'][0]:.2f}x; faulty kemopix / gallery-dl = "
          f"{mine / theirs:.2f}x time, {asked / max(their_asked, 1):.2f}x requests")  # fmt: skip


def host_down(work: Path, posts: int) -> None:
    """(6) the data hosts down (kemono.cr since 2026): kemopix's breaker and thumbnails
    against gallery-dl's default (thumbnails) and gallery-dl asking for the originals."""
    print(f"\n(6) kemono flavour, {posts} image posts, every data host failing at connection "
          "level (kemopix's circuit breaker), against gallery-dl")  # fmt: skip
    sample = 3
    with emulator("kemono", None, posts, 2000, images=True) as server:
        server.originals("down")
        rows: dict[str, tuple[float, int, int, int]] = {}  # seconds, requests, files, status

        def measure(name: str, argv: list[str], dest: Path, suffixes: tuple[str, ...]) -> None:
            server.reset_stats()
            seconds, code = timed(argv)
            held = sum(1 for p in dest.rglob("*") if p.suffix in suffixes)
            rows[name] = (seconds, server.requests(), held, code)

        mine, theirs, sampled = work / "down-kemopix", work / "down-gallery-dl", work / "down-gdl"
        images = (".png", ".jpg")
        measure("kemopix (--quality auto)", kemopix_argv(server, "kemono", mine), mine, images)
        measure("gallery-dl (default: thumbnails)", gdl(server, "kemono", theirs), theirs, images)
        first = f"gallery-dl original=true, first {sample} files"
        argv = gdl(server, "kemono", sampled, *_original("kemono"), "--range", f"1-{sample}")
        measure(first, argv, sampled, images)
        server.originals("up")
        argv = kemopix_argv(server, "kemono", mine)
        measure("kemopix, originals back (its upgrade)", argv, mine, (".png",))
        argv = gdl(server, "kemono", theirs, *_original("kemono"))
        measure("gallery-dl original=true, originals back", argv, theirs, (".png",))
    for name, (seconds, requests, held, code) in rows.items():
        print(f"  {name:<44} {seconds:6.2f}s {requests:5d} requests answered, "
              f"{held} image files, exit {code}")  # fmt: skip
    seconds = rows["kemopix (--quality auto)"][0]
    thumbs = rows["gallery-dl (default: thumbnails)"][0]
    per_file = rows[first][0] / sample
    print(
        f"  kemopix / gallery-dl default = {seconds / thumbs:.2f}x; gallery-dl asking for the "
        f"originals pays {per_file:.1f}s per file of retries on the dead host: "
        f"~{per_file * posts:.0f}s for {posts} files; kemopix / that = "
        f"{seconds / (per_file * posts):.3f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--serve", metavar="FLAVOUR", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size-mb", type=float, default=2.0)
    parser.add_argument("--only", choices=("1", "2", "3", "4", "5", "6"), help="run one scenario")
    parser.add_argument("--images", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", type=Path, help="another kemopix tree to time in (1)")
    args = parser.parse_args(argv)
    global BASELINE
    BASELINE = args.baseline.resolve() if args.baseline else None
    if not args.serve:
        compiled(REPO, *([BASELINE] if BASELINE else []))
    size = int(args.size_mb * (1 << 20))
    if args.serve:
        return serve(args.serve, args.rate or None, args.files, size, args.images)
    with tempfile.TemporaryDirectory(prefix="kemopix-bench-", dir=REPO / "bench") as temp:
        work = Path(temp)
        if args.only in (None, "1"):
            unlimited(work, args.rounds, args.files, size)
        if args.only in (None, "2"):
            limited(work, args.files, size, 10.0, ("pawchive", "kemono"))
            # At 10/s KToolBox (about 5 files/s here) never meets the limit; at 3/s both must.
            limited(work, args.files, size, 3.0, ("pawchive",))
        if args.only in (None, "3"):
            rerun(work, args.rounds, args.files, size)
        if args.only in (None, "4"):
            faulty(work, args.rounds, args.files, size)
        if args.only in (None, "5"):
            peer_faults(work, args.rounds, args.files, size)
        if args.only in (None, "6"):
            host_down(work, args.files)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
