"""`kemopix serve` at scale: index build, incremental update, page latency, search, memory.

A generated archive (default 100,000 posts / 300,000 files over 200 creators, written through
the downloader's own ``Archive`` with a sidecar per post and hard-linked image files) is
indexed, then served from a child process (its own core) and asked for every kind of page in
turn. The reference is a bare aiohttp handler on the same server base, asked the same way, so
the ratio shows what the pages cost above HTTP itself. Targets (issue 16): index ≤ 30 s,
p95 page ≤ 50 ms, search ≤ 100 ms, server RSS < 200 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from PIL import Image

from bench_common import HELLO_SERVER, serve
from kemopix.downloader.archive import Archive, FileRecord
from kemopix.downloader.model import Creator, Post, PostKey, RemoteFile
from kemopix.serve import ArchiveSource, Index
from kemopix.serve.sanitize import sanitize

WORDS = (
    "sketch painting forest river dragon city night rain summer winter portrait study color "
    "line comic page cover fox cat wolf bird ocean mountain light shadow dream star moon sun "
    "flower garden street train tower castle knight witch robot ship desert snow ice fire"
).split()
TAGS = ["original", "fanart", "sketch", "nsfw", "wip", "comic", "landscape", "portrait"]
CREATORS = 200
FILES_PER_POST = 3

SERVER = """
import json, os, sys, time
from pathlib import Path
from kemopix.serve import ArchiveServer
cpu = time.process_time()
server = ArchiveServer(Path(sys.argv[1])).start()
stats = server.stats
print(json.dumps({"url": server.url, "pid": os.getpid(), "posts": stats.posts,
                  "files": stats.files, "build": stats.seconds,
                  "cpu": time.process_time() - cpu}), flush=True)
sys.stdin.read()
server.stop()
"""


def _image() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def generate(root: Path, posts: int, *, start: int = 0, seed: int = 1) -> None:
    """Write ``posts`` posts (from number ``start``) into the archive at ``root``."""
    rng = random.Random(seed + start)
    sources = root / ".bench-images"  # one per creator: a file system limits links per inode
    if not sources.exists():
        sources.mkdir(parents=True)
        image = _image()
        for c in range(CREATORS):
            (sources / f"{c}.jpg").write_bytes(image)
    base = datetime(2020, 1, 1, tzinfo=UTC)
    with Archive(root) as archive:
        for n in range(start, start + posts):
            c = n % CREATORS
            source = sources / f"{c}.jpg"
            creator = Creator("kemono", "patreon", f"creator{c}", f"Creator {c:03d}")
            key = PostKey("kemono", "patreon", str(10_000_000 + n))
            published = base + timedelta(minutes=7 * n)
            folder = f"kemono/patreon/Creator {c:03d}/{published:%Y-%m-%d} post {n} [{key.id}]"
            (root / folder).mkdir(parents=True, exist_ok=True)
            files = [
                RemoteFile(
                    url=f"https://n1.example/data/{n:08x}{i}.jpg",
                    name=f"{_text(rng, 1)}_{i}.jpg",
                    index=i,
                    kind="file" if i == 1 else "attachment",
                )
                for i in range(1, FILES_PER_POST + 1)
            ]
            title = _text(rng, 3).title()
            content = f"<p>{_text(rng, 40)}</p><p><a href='https://mega.nz/x{n}'>mega</a></p>"
            tags = rng.sample(TAGS, 2)
            post = Post(key, creator, title, published, files, {"content": content}, tags=tags)
            post.content = content
            archive.record_post(post, None)
            kept = []
            for file in files:
                rel = f"{folder}/{file.index:02} {file.name}"
                record = archive.plan_file(
                    FileRecord(rel, key, file.index, file.url, file.name, file.kind, None, ())
                )
                os.link(source, root / rel)
                archive.finish_file(record.path, sha256=None, size=source.stat().st_size)
                kept.append((file, rel))
            archive.set_complete(key)
            document = {
                "kemopix": {
                    "site": "kemono",
                    "service": "patreon",
                    "id": key.id,
                    "kind": "post",
                    "creator": {"id": creator.id, "name": creator.name},
                    "title": title,
                    "tags": tags,
                    "files": [
                        {"index": f.index, "original_name": f.name, "path": p, "url": f.url}
                        for f, p in kept
                    ],
                },
                "data": {"post": {"content": content, "title": title}},
            }
            (root / folder / f"{key.id}.json").write_text(json.dumps(document))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=60)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory of ``pid`` now and at its peak, in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def pages(url: str, posts: int, rng: random.Random) -> dict[str, list[str]]:
    per_creator = posts // CREATORS
    last_page = max(1, -(-per_creator // 48))

    def post_url() -> str:
        return f"{url}/posts/kemono/patreon/{10_000_000 + rng.randrange(posts)}"

    def creator_url() -> str:
        page = rng.randint(1, last_page)
        return f"{url}/creators/kemono/patreon/creator{rng.randrange(CREATORS)}?page={page}"

    n = 200
    return {
        "creators": [url + "/"] * 30,
        "creator (random page)": [creator_url() for _ in range(n)],
        "creator, tag filter": [creator_url() + "&tag=sketch" for _ in range(n)],
        "post": [post_url() for _ in range(n)],
        "search, one word": [f"{url}/search?q={rng.choice(WORDS)}" for _ in range(n)],
        "search, two words + tag": [
            f"{url}/search?q={rng.choice(WORDS)}+{rng.choice(WORDS)}&tag=wip" for _ in range(n)
        ],
        "search, prefix": [f"{url}/search?q={rng.choice(WORDS)[:3]}*" for _ in range(n)],
        "health": [url + "/health"] * 30,
        "api post": [post_url().replace("/posts/", "/api/posts/") for _ in range(n)],
        "thumbnail (first time)": [f"{url}/thumb/{rng.randrange(1, posts * 3)}" for _ in range(50)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=100_000, help="posts to generate (100000)")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and reuse it next time")
    args = parser.parse_args(argv)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kemopix-serve-"))
    try:
        return run(root, args.posts, fresh=not args.keep)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def run(root: Path, posts: int, *, fresh: bool) -> int:
    marker = root / ".bench-posts"
    held = int(marker.read_text()) if marker.exists() else 0
    if fresh or held < posts:
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        generate(root, posts)
        held = posts
        marker.write_text(str(posts))
        print(f"generated {posts} posts / {posts * FILES_PER_POST} files in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    shutil.rmtree(root / ".kemopix-serve", ignore_errors=True)

    with serve(SERVER, str(root)) as info, serve(HELLO_SERVER) as hello:
        # The server builds the index itself at start: its memory peak includes the build.
        print(f"index build in the server: {info['posts']} posts, {info['files']} files in "
              f"{info['build']:.1f} s (CPU {info['cpu']:.1f} s; target 30 s: "
              f"{info['build'] / 30:.2f}x of it), load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")  # fmt: skip
        again = Index(ArchiveSource(root)).refresh()
        print(f"refresh, nothing new: {again.seconds * 1000:.0f} ms")
        session = requests.Session()
        url = str(info["url"])
        reference = [timed(session, hello["url"] + "/hello") for _ in range(300)]
        ref_p50, ref_p95 = percentile(reference, 0.5), percentile(reference, 0.95)
        print(f"reference, bare aiohttp handler: p50 {ref_p50:.2f} ms, p95 {ref_p95:.2f} ms")
        rng = random.Random(7)
        print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/ref':>8}")
        worst = 0.0
        for name, urls in pages(url, posts, rng).items():
            for warm in urls[:3]:
                timed(session, warm)
            times = [timed(session, u) for u in urls]
            p95 = percentile(times, 0.95)
            if not name.startswith("thumbnail"):
                worst = max(worst, p95)
            print(f"{name:28} {statistics.median(times):8.2f} {p95:8.2f} {max(times):8.2f} "
                  f"{p95 / ref_p95:8.1f}x")  # fmt: skip
        print(f"worst page p95: {worst:.1f} ms (target 50 ms)")
        rss, peak = rss_mb(int(info["pid"]))
        print(f"server RSS after the run: {rss:.0f} MB, peak {peak:.0f} MB (target 200 MB)")

        # Incremental: a download run adds 500 posts; the next page sees them.
        listing = f"{url}/api/search?creator=kemono/patreon/creator1"
        before = session.get(listing, timeout=60).json()["paging"]["total"]
        started = time.perf_counter()
        generate(root, 500, start=held, seed=99)
        marker.write_text(str(held + 500))
        print(f"(500 more posts written in {time.perf_counter() - started:.1f} s)")
        time.sleep(1.0)  # pages look for changes at most once a second
        started = time.perf_counter()
        found = session.get(listing, timeout=120)
        found.raise_for_status()
        first = (time.perf_counter() - started) * 1000
        assert found.json()["paging"]["total"] > before, "the new posts were not indexed"
        print(f"first page after a download run of 500 posts (incremental refresh): {first:.0f} ms")
    # A sanitizer figure: nh3 on a typical post body.
    body = "<p>" + " ".join(WORDS) * 4 + "</p><img src='https://x.example/a.png'><script>x</script>"
    started = time.perf_counter()
    for _ in range(2000):
        sanitize(body)
    print(f"sanitize (nh3) one {len(body)}-character body: "
          f"{(time.perf_counter() - started) / 2000 * 1e6:.0f} µs")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
