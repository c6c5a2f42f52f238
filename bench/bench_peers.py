"""kemopix against the tools users would pick instead, on the same emulator in the same run.

1. Many small files (Kemono): a creator of N posts with one 16 KiB file each, kemono and
   pawchive flavours. ``kemopix download`` (default settings, sidecars on) against gallery-dl
   (pinned in ``.venv-peers``) and against the ceiling: a bare aiohttp loop over the same file
   list that hashes every byte into a ``.part`` and renames it.
2. A pixiv user with ~350 single-page works: ``kemopix download`` against a plain sequential
   pixivpy3 script (``AppPixivAPI.user_illusts`` + ``download``), against gallery-dl, and
   against the ceiling: a plain aiohttp script in a fresh process (start-up counted, as for
   the peers) that logs in, reads the pages and fetches the images 8 at a time through hashed
   ``.part`` files, with no folder per work, no metadata and no archive.

kemopix is told the pawchive emulator's file host with ``KEMOPIX_PAWCHIVE_FILES_URL`` (as the
real site's preset names ``file.pawchive.st``), so neither tool pays the site's ``/data``
redirect per file. gallery-dl knows sites only by their real origins;
``bench/peers/gallery_dl_at.py`` rewrites
the origin of each request it sends (kemono.cr, pawchive.pw and file.pawchive.pw,
app-api.pixiv.net and oauth.secure.pixiv.net) to the emulator and changes nothing else. It is
run with ``original=true`` (it fetches thumbnails by default since Kemono's file servers went
down: the emulator's originals are up here) and with no sleep between requests
(``sleep-request=0``; pawchive's default is 1 s), so all tools do the same work as fast as
they can; for pixiv ``sanity=false`` skips its one call to the web site's ajax API, which the
emulator (an App API) does not serve. kemopix exempts loopback hosts from its rate limits, as
it would a user's own mirror.

Each tool runs in a fresh process against an emulator in its own process; rounds are
interleaved and medians printed with the ratios. Each timed run starts on a settled disk
(``settle_disk`` in ``bench_common``: on the machines here a deletion of many files, such as a
test run's or an earlier benchmark's cleanup, makes every new file cost 5-25x for a minute or
two); the report says what the disk cost per file before the runs and how long it waited.

Run: ``.venv/bin/python bench/bench_peers.py [--files 1000] [--works 350] [--rounds 3]``;
``--disk-thread`` adds "kemopix-thread": this kemopix with its post folders and sidecars
written by a thread instead of its helper process (``KEMOPIX_DISK_WORKER=thread``).
``--no-metadata`` adds "kemopix-no-metadata": this kemopix writing the files only, no
sidecars (the layout of the ceilings but for the folder per post).
``--baseline DIR`` adds "kemopix-before", the kemopix of another source tree (DIR holds its
``src``, e.g. ``git worktree add /tmp/before main``), to every round: a before/after in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench_common import (
    PEERS_PYTHON,
    compiled,
    disk_note,
    gallery_dl,
    kemono_origins,
    quiet_start,
    serve,
)
from bench_downloader import CREATOR, SERVICE, emulator, raw_ceiling

REPO = Path(__file__).resolve().parent.parent
KEMOPIX = REPO / ".venv" / "bin" / "kemopix"
SMALL = 16 << 10


def run(argv: list[str], **kwargs: Any) -> float:
    """Wall seconds of one process, started on a settled disk; raises with its stderr when it
    fails."""
    quiet_start(WORK)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr[-800:]}")
    return seconds


def count_files(root: Path, suffixes: tuple[str, ...]) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file() and p.name.endswith(suffixes))


WORK: Path | None = None  # where the tools write: settled before each timed run
BASELINE: Path | None = None  # --baseline: another kemopix source tree, run as "kemopix-before"
DISK_THREAD = False  # --disk-thread: also this kemopix with its disk work in a thread
NO_METADATA = False  # --no-metadata: also this kemopix with no sidecars (files only)
# Options a variant adds after the download's own.
VARIANT_OPTIONS: dict[str, list[str]] = {"kemopix-no-metadata": ["--no-metadata"]}
# The baseline runs as the console script does (run(): lean process, exit without teardown),
# or main() in a tree from before run() existed; main() alone made it ~10 % slower.
_BASELINE_MAIN = (
    "import sys\n"
    "try:\n    from kemopix.cli import run\nexcept ImportError:\n"
    "    from kemopix.cli import main\n    sys.exit(main())\n"
    "run()\n"
)


def kemopix_argvs() -> dict[str, list[str]]:
    """The kemopix commands to time: this tree's, and the baseline's when one is given."""
    out = {"kemopix": [str(KEMOPIX)]}
    if BASELINE is not None:
        out["kemopix-before"] = [sys.executable, "-c", _BASELINE_MAIN]
    if DISK_THREAD:
        out["kemopix-thread"] = [str(KEMOPIX)]
    if NO_METADATA:
        out["kemopix-no-metadata"] = [str(KEMOPIX)]
    return out


def variant_env(name: str, env: dict[str, str]) -> dict[str, str]:
    """The environment of one of :func:`kemopix_argvs`' commands."""
    if name == "kemopix-before":
        return baseline_env(env)
    if name == "kemopix-thread":
        return {**env, "KEMOPIX_DISK_WORKER": "thread"}
    return env


def baseline_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` with the baseline tree's sources first on the path."""
    env = dict(os.environ if env is None else env)
    if BASELINE is not None:
        env["PYTHONPATH"] = str(BASELINE / "src")
    return env


# -- 1. many small files ---------------------------------------------------------------------
def small_files(work: Path, files: int, rounds: int) -> None:
    for flavour in ("kemono", "pawchive"):
        print(f"\n(1) {files} posts x 16 KiB, {flavour} flavour")
        with emulator(flavour, None, files, SMALL) as server:
            site, mapping = kemono_origins(flavour, server.info)
            category = "kemono" if flavour == "kemono" else "pawchive"
            gdl_options = ["-o", f"extractor.{category}.original=true"]
            gdl_options += ["-o", f"extractor.{category}.sleep-request=0"]
            kemopixes = kemopix_argvs()
            times: dict[str, list[float]] = {name: [] for name in kemopixes}
            times |= {"gallery-dl": [], "ceiling": []}
            if flavour == "kemono":
                times["ceiling+details"] = []
            # Told what gallery-dl is told: pawchive's files are on the file host (no /data
            # redirect per file, as on the real site).
            files_env = dict(os.environ)
            if flavour == "pawchive":
                files_env["KEMOPIX_PAWCHIVE_FILES_URL"] = server.info["file_hosts"][0]
            for n in range(rounds):
                for name, command in kemopixes.items():
                    mine = work / f"{flavour}-{name}-{n}"
                    env = variant_env(name, files_env)
                    times[name].append(
                        run([*command, "download", f"{server.url}/{SERVICE}/user/{CREATOR}",
                             f"--{flavour}-url", server.url, "-o", str(mine), "-q",
                             *VARIANT_OPTIONS.get(name, [])], env=env)
                    )  # fmt: skip
                mine = work / f"{flavour}-kemopix-{n}"
                theirs = work / f"{flavour}-gallery-dl-{n}"
                times["gallery-dl"].append(
                    run(gallery_dl(mapping, f"{site}/{SERVICE}/user/{CREATOR}", theirs,
                                   *gdl_options))
                )  # fmt: skip
                times["ceiling"].append(
                    raw_ceiling(server, flavour, work / f"{flavour}-ceiling-{n}", verify=True)
                )
                if "ceiling+details" in times:
                    times["ceiling+details"].append(
                        raw_ceiling(server, flavour, work / f"{flavour}-details-{n}", True, True)
                    )
                got = {
                    "kemopix": count_files(mine, (".bin",)),
                    # all its files: it renames one whose first bytes look like a known
                    # format (adjust-extensions), whatever it was called
                    "gallery-dl": count_files(theirs, ("",)),
                }
                done = ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items())
                print(f"  round {n + 1}: {done}  (files: {got})")
            report(times, files)


def report(times: dict[str, list[float]], files: int) -> None:
    med = {name: statistics.median(values) for name, values in times.items()}
    for name, seconds in med.items():
        print(f"  {name:<15} {seconds:7.2f} s  {seconds / files * 1000:6.2f} ms each")
    mine = med["kemopix"]
    for name, seconds in med.items():
        if name != "kemopix":
            print(f"  kemopix / {name:<15} = {mine / seconds:.2f}x")
    if "ceiling" in med:
        over = (mine - med["ceiling"]) / files * 1000
        print(f"  kemopix's overhead over the ceiling: {over:.2f} ms per file")
    if note := disk_note():
        print(note)


# -- 2. a pixiv user ---------------------------------------------------------------------------
_PIXIV_SERVER = """
import json, sys
from kemopix.emulators import PixivEmulator
emu = PixivEmulator(require_client_hash=False)
emu.start()
user = 2188232
for n in range(int(sys.argv[1])):
    emu.add_illustration(user, title=f"Work {n}")
print(json.dumps({"url": emu.url, "refresh_token": emu.demo_refresh_token, "user": user}),
      flush=True)
sys.stdin.read()
emu.stop()
"""

_PIXIVPY3_SCRIPT = """
import sys
from pixivpy3 import AppPixivAPI
url, token, user, dest = sys.argv[1:5]
api = AppPixivAPI()
api.set_api_proxy(url)
api.auth(refresh_token=token)
result = api.user_illusts(int(user))
count = 0
while True:
    for illust in result.illusts:
        if illust.page_count == 1:
            urls = [illust.meta_single_page.original_image_url]
        else:
            urls = [page.image_urls.original for page in illust.meta_pages]
        for image in urls:
            api.download(image, path=dest)
            count += 1
    if not result.next_url:
        break
    result = api.user_illusts(**api.parse_qs(result.next_url))
print(count)
"""


# The raw ceiling: a plain aiohttp script in a fresh process, as the peers are run. It logs in,
# reads the pages and fetches the images 8 at a time, each through a part file (hashed, then
# renamed): no folders per work, no metadata, no archive, no retries.
_PIXIV_CEILING = """
import asyncio, hashlib, os, sys
import aiohttp
url, token, user, dest = sys.argv[1:5]
CLIENT = ("MOBrBDS8blbauoSck0ZfDbtuzpyT", "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj")

async def fetch(session, gate, image):
    async with gate, session.get(image, headers={"Referer": "https://app-api.pixiv.net/"}) as r:
        r.raise_for_status()
        body = await r.read()
    final = os.path.join(dest, image.rsplit("/", 1)[-1])
    with open(final + ".part", "wb") as out:
        out.write(body)
    hashlib.sha256(body).hexdigest()
    os.replace(final + ".part", final)

async def main():
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": CLIENT[0],
            "client_secret": CLIENT[1], "get_secure_url": "1"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/auth/token", data=form) as r:
            bearer = {"Authorization": "Bearer " + (await r.json())["access_token"]}
        page_url = f"{url}/v1/user/illusts?user_id={user}&type=illust"
        gate, jobs = asyncio.Semaphore(8), []
        while page_url:
            async with session.get(page_url, headers=bearer) as r:
                page = await r.json()
            for work in page["illusts"]:
                if work["page_count"] == 1:
                    images = [work["meta_single_page"]["original_image_url"]]
                else:
                    images = [p["image_urls"]["original"] for p in work["meta_pages"]]
                jobs += [asyncio.create_task(fetch(session, gate, i)) for i in images]
            page_url = page.get("next_url")
        await asyncio.gather(*jobs)
    print(len(jobs))

asyncio.run(main())
"""


@contextmanager
def pixiv_emulator(works: int) -> Iterator[dict[str, Any]]:
    with serve(_PIXIV_SERVER, str(works)) as info:
        yield info


def pixiv_user(work: Path, works: int, rounds: int) -> None:
    print(f"\n(2) a pixiv user with {works} added works (plus the seeded ones)")
    with pixiv_emulator(works) as emu:
        url, token, user = emu["url"], emu["refresh_token"], emu["user"]
        config = work / "kemopix-config"
        config.mkdir()
        env = dict(os.environ, KEMOPIX_CONFIG_DIR=str(config), KEMOPIX_PIXIV_API_URL=url)
        # kemopix reads the refresh token that `kemopix login pixiv` stores.
        (config / "pixiv-token.json").write_text(json.dumps({"refresh_token": token}))
        os.chmod(config / "pixiv-token.json", 0o600)
        mapping = {"https://app-api.pixiv.net": url, "https://oauth.secure.pixiv.net": url}

        def kemopix(name: str, command: list[str]) -> Callable[[Path], list[str]]:
            return lambda d: [*command, "download", f"https://www.pixiv.net/users/{user}",
                              "--pixiv-url", url, "-o", str(d), "-q",
                              *VARIANT_OPTIONS.get(name, [])]  # fmt: skip

        tools: dict[str, Callable[[Path], list[str]]] = {
            name: kemopix(name, command) for name, command in kemopix_argvs().items()
        } | {
            "pixivpy3 script": lambda d: [str(PEERS_PYTHON), "-c", _PIXIVPY3_SCRIPT, url, token,
                                          str(user), str(d)],
            "ceiling": lambda d: [sys.executable, "-c", _PIXIV_CEILING, url, token, str(user),
                                  str(d)],
            "gallery-dl": lambda d: gallery_dl(
                mapping, f"https://www.pixiv.net/users/{user}/artworks", d,
                "-o", f"extractor.pixiv.refresh-token={token}",
                "-o", "extractor.pixiv.sleep-request=0", "-o", "extractor.pixiv.ugoira=false",
                "-o", "extractor.pixiv.sanity=false"),
        }  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in tools}
        for n in range(rounds):
            for name, argv in tools.items():
                dest = work / f"pixiv-{name.split()[0]}-{n}"
                dest.mkdir()
                try:
                    own = variant_env(name, env)
                    times[name].append(run(argv(dest), env=own))
                except RuntimeError as exc:
                    print(f"  {name}: {exc}")
            done = ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items() if v)
            print(f"  round {n + 1}: {done}")
        report({k: v for k, v in times.items() if v}, works)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=1000, help="Kemono posts of one file")
    parser.add_argument("--works", type=int, default=350, help="pixiv works to add")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("1", "2"), help="run one scenario")
    parser.add_argument("--baseline", type=Path, help="another kemopix tree to time as well")
    parser.add_argument(
        "--disk-thread", action="store_true", help="also kemopix with its disk work in a thread"
    )
    parser.add_argument(
        "--no-metadata", action="store_true", help="also kemopix with no sidecars (files only)"
    )
    args = parser.parse_args(argv)
    global BASELINE, DISK_THREAD, NO_METADATA, WORK
    NO_METADATA = args.no_metadata
    BASELINE = args.baseline.resolve() if args.baseline else None
    DISK_THREAD = args.disk_thread
    compiled(REPO, *([BASELINE] if BASELINE else []))
    if not PEERS_PYTHON.exists():
        print("the peers venv is missing: run `make bench`")
        return 1
    with tempfile.TemporaryDirectory(prefix="kemopix-bench-", dir=REPO / "bench") as temp:
        WORK = Path(temp)
        if args.only in (None, "1"):
            small_files(Path(temp), args.files, args.rounds)
        if args.only in (None, "2"):
            pixiv_user(Path(temp), args.works, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
