"""The figures of docs/dependencies.md, reproduced: each chosen library against the ones it
was chosen over, in one run, against the Kemono emulator on 127.0.0.1.

1. Sync HTTP: requests against httpx, niquests and urllib3: CPU per MB of streamed downloads
   (1 MiB chunks) from the emulator's file host, and wall and CPU time per small request (a
   creator's profile, one keep-alive connection, one after another).
2. Async HTTP: aiohttp against httpx and niquests: CPU per request at 8 and 32 concurrent
   small requests, and CPU per MB downloaded with 1 MiB chunks.
3. Wire models: the emulator's creator list, repeated to ``--creators`` items (300,000),
   decoded into typed objects: msgspec Structs, json.loads + dataclasses, pydantic
   (``TypeAdapter.validate_json``), and untyped json.loads and orjson; time against untyped
   ``json.loads`` and peak RSS (each decoder in a fresh process).
4. Servers: the same JSON answer from aiohttp.web (the emulators' base), starlette on
   uvicorn[standard] and the standard library's ThreadingHTTPServer, each in its own process,
   loaded by an aiohttp client at 16 concurrent requests: answers per second of the server's
   CPU (per core) and the client's p99 latency.
5. File writes: the files of (1) downloaded by aiohttp and written with plain blocking writes
   (what the ceiling does), in a worker thread (what kemopix does) and with aiofiles: CPU per MB.

imageio-ffmpeg's row (a static ffmpeg, its size) is printed from this venv, not timed.

The compared libraries are installed from the package registry into throwaway venvs
(``--venvs DIR``, default ``/tmp/kemopix-bench-deps``, reused by later runs): niquests in a
venv of its own, because its ``urllib3-future`` replaces ``urllib3`` in place (requests would
run on it). A library the registry does not have is skipped with a message. The project's
venvs are not changed; the emulator runs in this venv, in its own process.

Run: ``.venv/bin/python bench/bench_dependencies.py [--only 1,2,3,4,5] [--mb 128]
[--requests 2000] [--creators 300000] [--rounds 3]`` (about 6 minutes at the defaults on a
shared 2-core machine, plus the installs of the first run, about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
MB = 1e6
CHUNK = 1 << 20

# The throwaway venvs and what each holds (niquests alone: it replaces urllib3).
VENVS: dict[str, list[str]] = {
    "compare": [
        "requests", "urllib3", "httpx", "aiohttp", "msgspec", "orjson", "pydantic",
        "starlette", "uvicorn[standard]", "aiofiles",
    ],
    "niquests": ["niquests"],
}  # fmt: skip


# -- the throwaway venvs ---------------------------------------------------------------------
def venv(root: Path, name: str) -> tuple[Path, set[str]]:
    """The python of the throwaway venv ``name`` and the packages it got (installed on first
    use; a package the registry does not have is left out, with a message)."""
    home = root / name
    python = home / "bin" / "python"
    got = home / "installed.json"
    if got.exists():
        return python, set(json.loads(got.read_text()))
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
    wanted = VENVS[name]
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *wanted], capture_output=True, check=False
    )
    installed = set(wanted)
    if done.returncode != 0:  # one at a time, to find the missing ones
        installed = set()
        for package in wanted:
            one = subprocess.run(
                [str(python), "-m", "pip", "install", "-q", package],
                capture_output=True, check=False,
            )  # fmt: skip
            if one.returncode == 0:
                installed.add(package)
            else:
                print(f"  {package}: not installable from the registry here; skipped")
    got.write_text(json.dumps(sorted(installed)))
    return python, installed


def has(packages: set[str], name: str) -> bool:
    if name in packages or f"{name}[standard]" in packages:
        return True
    print(f"  {name}: not installed (not in the registry); skipped")
    return False


def worker(python: Path, *args: str) -> dict[str, Any]:
    """Run this file's ``--worker`` in a fresh process of ``python``; its JSON answer."""
    done = subprocess.run(
        [str(python), str(HERE), "--worker", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed: {done.stderr[-800:]}")
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return answer


# -- the emulator, in its own process (this venv) --------------------------------------------
_EMULATOR = """
import json, os, sys
from kemopix.emulators import KemonoEmulator
files, size = int(sys.argv[1]), int(sys.argv[2])
with KemonoEmulator(creators=200, flavour="pawchive") as emu:
    emu.add_creator("patreon", "deps", "Deps")
    urls = []
    for n in range(files):
        data = os.urandom(size)
        post = emu.add_post("patreon", "deps", title=f"w{n}", files=[(f"w{n}.bin", data)])
        urls.append(emu.file_host_urls[0] + "/data" + post["file"]["path"])
    print(json.dumps({"api": emu.api_url, "files": urls}), flush=True)
    sys.stdin.read()
"""


@contextmanager
def emulator(megabytes: int) -> Iterator[dict[str, Any]]:
    from bench_common import serve

    files = max(1, megabytes // 8)
    with serve(_EMULATOR, str(files), str(8 << 20)) as info:
        yield info


# -- workers (run in the throwaway venvs; only the library measured is imported) ------------
def _cpu() -> float:
    return time.process_time()


def w_sync_get(lib: str, url: str, count: int) -> dict[str, Any]:
    module: Any = importlib.import_module(lib)
    if lib == "urllib3":
        pool = module.PoolManager()

        def get() -> None:
            pool.request("GET", url).data  # noqa: B018

    else:
        session = module.Session() if lib != "httpx" else module.Client()

        def get() -> None:
            session.get(url).content  # noqa: B018

    get()  # the connection made
    wall, cpu = time.perf_counter(), _cpu()
    for _ in range(count):
        get()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return {"ms_wall": wall / count * 1e3, "ms_cpu": cpu / count * 1e3}


def w_sync_download(lib: str, urls: list[str]) -> dict[str, Any]:
    module: Any = importlib.import_module(lib)
    got = 0
    cpu = _cpu()
    if lib == "urllib3":
        pool = module.PoolManager()
        for url in urls:
            response = pool.request("GET", url, preload_content=False)
            for chunk in response.stream(CHUNK):
                got += len(chunk)
            response.release_conn()
    elif lib == "httpx":
        with module.Client() as client:
            for url in urls:
                with client.stream("GET", url) as response:
                    for chunk in response.iter_bytes(CHUNK):
                        got += len(chunk)
    else:
        session = module.Session()
        for url in urls:
            with session.get(url, stream=True) as response:
                for chunk in response.iter_content(CHUNK):
                    got += len(chunk)
    cpu = _cpu() - cpu
    return {"ms_per_mb": cpu / (got / MB) * 1e3, "mb": got / MB}


async def _async_get(lib: str, url: str, count: int, concurrency: int) -> float:
    module: Any = importlib.import_module(lib)
    slots = asyncio.Semaphore(concurrency)
    if lib == "aiohttp":
        connector = module.TCPConnector(limit=concurrency)
        client = module.ClientSession(connector=connector)

        async def get() -> None:
            async with slots, client.get(url) as response:
                await response.read()

    elif lib == "httpx":
        limits = module.Limits(max_connections=concurrency)
        client = module.AsyncClient(limits=limits)

        async def get() -> None:
            async with slots:
                (await client.get(url)).content  # noqa: B018

    else:  # niquests
        client = module.AsyncSession(pool_maxsize=concurrency)

        async def get() -> None:
            async with slots:
                (await client.get(url)).content  # noqa: B018

    await asyncio.gather(*(get() for _ in range(concurrency)))  # the connections made
    cpu = _cpu()
    await asyncio.gather(*(get() for _ in range(count)))
    cpu = _cpu() - cpu
    if lib == "aiohttp":
        await client.close()
    elif lib == "httpx":
        await client.aclose()
    else:
        await client.close()
    return cpu / count * 1e3


def w_async_get(lib: str, url: str, count: int, concurrency: int) -> dict[str, Any]:
    return {"ms_cpu": asyncio.run(_async_get(lib, url, count, concurrency))}


async def _async_download(lib: str, urls: list[str], write: str = "") -> tuple[float, int]:
    module: Any = importlib.import_module(lib)
    got = 0
    if write:
        import tempfile

        folder = tempfile.mkdtemp(prefix="kemopix-deps-")
    cpu = _cpu()
    if lib == "aiohttp":
        async with module.ClientSession() as client:
            for index, url in enumerate(urls):
                async with client.get(url) as response:
                    if not write:
                        async for chunk in response.content.iter_chunked(CHUNK):
                            got += len(chunk)
                        continue
                    got += await _write(write, response, f"{folder}/{index}")
    elif lib == "httpx":
        async with module.AsyncClient() as client:
            for url in urls:
                async with client.stream("GET", url) as response:
                    async for chunk in response.aiter_bytes(CHUNK):
                        got += len(chunk)
    else:  # niquests
        async with module.AsyncSession() as client:
            for url in urls:
                response = await client.get(url, stream=True)
                async for chunk in await response.iter_content(CHUNK):
                    got += len(chunk)
    cpu = _cpu() - cpu
    if write:
        import shutil

        shutil.rmtree(folder)
    return cpu, got


async def _write(how: str, response: Any, path: str) -> int:
    """One body written to ``path``: plain blocking writes, a worker thread, or aiofiles."""
    got = 0
    if how == "aiofiles":
        aiofiles: Any = importlib.import_module("aiofiles")
        async with aiofiles.open(path, "wb") as out:
            async for chunk in response.content.iter_chunked(CHUNK):
                await out.write(chunk)
                got += len(chunk)
        return got
    with open(path, "wb") as out:  # noqa: ASYNC230
        async for chunk in response.content.iter_chunked(CHUNK):
            if how == "thread":
                await asyncio.to_thread(out.write, chunk)
            else:
                out.write(chunk)
            got += len(chunk)
    return got


def w_async_download(lib: str, urls: list[str], write: str = "") -> dict[str, Any]:
    cpu, got = asyncio.run(_async_download(lib, urls, write))
    return {"ms_per_mb": cpu / (got / MB) * 1e3, "mb": got / MB}


def w_decode(kind: str, path: str) -> dict[str, Any]:
    """Decode the creator list at ``path`` as ``kind``; seconds and this process's peak RSS
    above what it held with the bytes read (the decoded objects are alive at the peak)."""
    data = Path(path).read_bytes()
    decode = _decoder(kind)
    base = _high_water()
    started = time.perf_counter()
    items = decode(data)
    seconds = time.perf_counter() - started
    peak = _high_water()
    assert len(items) > 0
    return {"seconds": seconds, "peak_mb": peak / MB, "above_mb": (peak - base) / MB}


def _high_water() -> int:
    """This process's peak RSS in bytes (``VmHWM``: unlike ``ru_maxrss``, not inherited
    from the parent that started it)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _decoder(kind: str) -> Any:
    import dataclasses

    if kind == "json.loads":
        return json.loads
    if kind == "orjson":
        return importlib.import_module("orjson").loads
    if kind == "json.loads + dataclasses":

        @dataclasses.dataclass(slots=True)
        class Creator:
            id: str
            name: str
            service: str
            indexed: int
            updated: int
            favorited: int
            ever_imported: bool = False

        return lambda data: [Creator(**item) for item in json.loads(data)]
    if kind == "msgspec":
        msgspec: Any = importlib.import_module("msgspec")
        fields = [("id", str), ("name", str), ("service", str), ("indexed", int),
                  ("updated", int), ("favorited", int), ("ever_imported", bool, False)]  # fmt: skip
        struct = msgspec.defstruct("Creator", fields)
        return msgspec.json.Decoder(list[struct]).decode  # type: ignore[valid-type]
    pydantic: Any = importlib.import_module("pydantic")
    model = pydantic.create_model(
        "Creator", id=(str, ...), name=(str, ...), service=(str, ...), indexed=(int, ...),
        updated=(int, ...), favorited=(int, ...), ever_imported=(bool, False),
    )  # fmt: skip
    return pydantic.TypeAdapter(list[model]).validate_json  # type: ignore[valid-type]


def w_server(kind: str) -> None:
    """Serve ``GET /hello`` -> ``{"hello": "world"}`` on 127.0.0.1 until stdin closes."""
    import socket

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)  # connections wait from here on, whenever the server is ready
    port = sock.getsockname()[1]
    done = threading.Event()

    def hello_ready() -> None:
        print(json.dumps({"url": f"http://127.0.0.1:{port}/hello", "pid": os.getpid()}))
        sys.stdout.flush()

    def until_stdin_closes(stop: Any) -> None:
        sys.stdin.read()
        stop()
        done.set()

    if kind == "http.server":
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Hello(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                body = json.dumps({"hello": "world"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        sock.close()
        httpd = ThreadingHTTPServer(("127.0.0.1", port), Hello)
        httpd.daemon_threads = True
        threading.Thread(target=until_stdin_closes, args=(httpd.shutdown,), daemon=True).start()
        hello_ready()
        httpd.serve_forever()
        return
    if kind == "aiohttp.web":
        web: Any = importlib.import_module("aiohttp.web")

        async def hello(request: Any) -> Any:
            return web.json_response({"hello": "world"})

        async def main() -> None:
            app = web.Application()
            app.router.add_get("/hello", hello)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.SockSite(runner, sock).start()
            loop = asyncio.get_running_loop()
            stopped = asyncio.Event()
            threading.Thread(
                target=until_stdin_closes,
                args=(lambda: loop.call_soon_threadsafe(stopped.set),),
                daemon=True,
            ).start()
            hello_ready()
            await stopped.wait()
            await runner.cleanup()

        asyncio.run(main())
        return
    # starlette on uvicorn[standard] (uvloop, httptools)
    uvicorn: Any = importlib.import_module("uvicorn")
    responses: Any = importlib.import_module("starlette.responses")
    routing: Any = importlib.import_module("starlette.routing")
    applications: Any = importlib.import_module("starlette.applications")

    async def star_hello(request: Any) -> Any:
        return responses.JSONResponse({"hello": "world"})

    app = applications.Starlette(routes=[routing.Route("/hello", star_hello)])
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    def stop() -> None:
        server.should_exit = True

    threading.Thread(target=until_stdin_closes, args=(stop,), daemon=True).start()
    hello_ready()
    server.run(sockets=[sock])


WORKERS: dict[str, Any] = {
    "sync_get": w_sync_get,
    "sync_download": w_sync_download,
    "async_get": w_async_get,
    "async_download": w_async_download,
    "decode": w_decode,
}


# -- the scenarios (this venv) ---------------------------------------------------------------
def median_of(rounds: int, python: Path, *args: str) -> dict[str, float]:
    """The median of each figure of ``rounds`` fresh worker runs."""
    runs = [worker(python, *args) for _ in range(rounds)]
    return {key: statistics.median(float(run[key]) for run in runs) for key in runs[0]}


def sync_http(pythons: dict[str, tuple[Path, set[str]]], info: dict[str, Any], args: Any) -> None:
    print(f"\n(1) sync HTTP: {len(info['files'])} x 8 MiB streamed (1 MiB chunks), and "
          f"{args.requests} small requests one after another")  # fmt: skip
    profile = info["api"] + "/patreon/user/deps/profile"
    rows: dict[str, tuple[float, float, float]] = {}
    for lib, home in (("requests", "compare"), ("httpx", "compare"), ("urllib3", "compare"),
                      ("niquests", "niquests")):  # fmt: skip
        python, packages = pythons[home]
        if not has(packages, lib):
            continue
        down = median_of(args.rounds, python, "sync_download", lib, json.dumps(info["files"]))
        small = median_of(args.rounds, python, "sync_get", lib, profile, str(args.requests))
        rows[lib] = (down["ms_per_mb"], small["ms_wall"], small["ms_cpu"])
    mine = rows.get("requests")
    for lib, (per_mb, wall, cpu) in rows.items():
        ratio = f"  ({per_mb / mine[0]:.2f}x requests' CPU per MB)" if mine else ""
        print(f"  {lib:<9} downloads {per_mb:5.2f} ms CPU per MB; small requests {wall:5.2f} ms "
              f"each wall, {cpu:5.2f} ms CPU{ratio}")  # fmt: skip


def async_http(pythons: dict[str, tuple[Path, set[str]]], info: dict[str, Any], args: Any) -> None:
    print(f"\n(2) async HTTP: {args.requests * 2} small requests at 8 and 32 concurrent; "
          f"{len(info['files'])} x 8 MiB downloaded with 1 MiB chunks")  # fmt: skip
    profile = info["api"] + "/patreon/user/deps/profile"
    rows: dict[str, tuple[float, float, float]] = {}
    for lib, home in (("aiohttp", "compare"), ("httpx", "compare"), ("niquests", "niquests")):
        python, packages = pythons[home]
        if not has(packages, lib):
            continue
        count = str(args.requests * 2)
        low = median_of(args.rounds, python, "async_get", lib, profile, count, "8")
        high = median_of(args.rounds, python, "async_get", lib, profile, count, "32")
        down = median_of(args.rounds, python, "async_download", lib, json.dumps(info["files"]))
        rows[lib] = (low["ms_cpu"], high["ms_cpu"], down["ms_per_mb"])
    mine = rows.get("aiohttp")
    for lib, (at8, at32, per_mb) in rows.items():
        ratio = (
            f"  ({at8 / mine[0]:.1f}x, {at32 / mine[1]:.1f}x aiohttp's per request)" if mine else ""
        )
        print(f"  {lib:<9} {at8:5.3f} ms CPU per request at 8, {at32:5.3f} at 32; "
              f"{per_mb:5.2f} ms CPU per MB{ratio}")  # fmt: skip


def wire_models(pythons: dict[str, tuple[Path, set[str]]], info: dict[str, Any], args: Any) -> None:
    import urllib.request

    with urllib.request.urlopen(info["api"] + "/creators") as response:
        listed = json.loads(response.read())
    items = [dict(listed[n % len(listed)], id=str(10_000_000 + n)) for n in range(args.creators)]
    python, packages = pythons["compare"]
    path = Path(args.work) / "creators.json"
    path.write_text(json.dumps(items))
    size = path.stat().st_size / MB
    print(f"\n(3) wire models: {args.creators:,} creators ({size:.0f} MB of the emulator's "
          f"creator list, repeated) decoded, each decoder in a fresh process")  # fmt: skip
    kinds = {"json.loads": "json", "orjson": "orjson", "json.loads + dataclasses": "json",
             "msgspec": "msgspec", "pydantic": "pydantic"}  # fmt: skip
    rows: dict[str, dict[str, float]] = {}
    for kind, package in kinds.items():
        if package != "json" and not has(packages, package):
            continue
        rows[kind] = median_of(args.rounds, python, "decode", kind, str(path))
    base = rows["json.loads"]["seconds"]
    for kind, row in rows.items():
        print(f"  {kind:<25} {row['seconds']:6.3f} s = {row['seconds'] / base:4.2f}x untyped "
              f"json.loads; peak RSS {row['peak_mb']:5.0f} MB ({row['above_mb']:.0f} MB "
              "above the bytes read)")  # fmt: skip
    path.unlink()


async def _load(url: str, count: int, concurrency: int) -> list[float]:
    import aiohttp

    latencies: list[float] = []
    slots = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            async with slots:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(one() for _ in range(concurrency)))
        latencies.clear()
        await asyncio.gather(*(one() for _ in range(count)))
    return latencies


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of a process, threads included."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def servers(pythons: dict[str, tuple[Path, set[str]]], args: Any) -> None:
    from bench_common import serve_process

    count = args.requests * 5
    print(f"\n(4) servers: {count} JSON answers at 16 concurrent, an aiohttp client in this "
          "process; answers per second of the server's CPU, client p99")  # fmt: skip
    python, packages = pythons["compare"]
    rows: dict[str, tuple[float, float]] = {}
    for kind, package in (("aiohttp.web", "aiohttp"), ("starlette + uvicorn[standard]", "uvicorn"),
                          ("ThreadingHTTPServer", "")):  # fmt: skip
        if package and not (
            has(packages, package)
            and has(packages, "starlette" if package == "uvicorn" else package)
        ):
            continue
        name = {"aiohttp.web": "aiohttp.web", "ThreadingHTTPServer": "http.server"}.get(
            kind, "uvicorn"
        )
        per_core: list[float] = []
        p99: list[float] = []
        for _ in range(args.rounds):
            with serve_process([str(python), str(HERE), "--serve", name]) as info:
                before = _cpu_of(info["pid"])
                latencies = asyncio.run(_load(info["url"], count, 16))
                used = _cpu_of(info["pid"]) - before
            per_core.append(count / used)
            p99.append(statistics.quantiles(latencies, n=100)[98] * 1e3)
        rows[kind] = (statistics.median(per_core), statistics.median(p99))
    mine = rows.get("aiohttp.web")
    for kind, (rate, tail) in rows.items():
        ratio = f" ({rate / mine[0]:.2f}x aiohttp.web)" if mine else ""
        print(f"  {kind:<30} {rate:8,.0f} answers per CPU second{ratio}, p99 {tail:.1f} ms")


def writes(pythons: dict[str, tuple[Path, set[str]]], info: dict[str, Any], args: Any) -> None:
    print(f"\n(5) file writes: {len(info['files'])} x 8 MiB downloaded by aiohttp and written "
          "to disk (1 MiB chunks)")  # fmt: skip
    python, packages = pythons["compare"]
    rows: dict[str, float] = {}
    for how in ("plain", "thread", "aiofiles"):
        if how == "aiofiles" and not has(packages, "aiofiles"):
            continue
        files = json.dumps(info["files"])
        rows[how] = median_of(args.rounds, python, "async_download", "aiohttp", files, how)[
            "ms_per_mb"
        ]
    names = {"plain": "blocking writes on the loop", "thread": "writes in a worker thread",
             "aiofiles": "aiofiles"}  # fmt: skip
    for how, per_mb in rows.items():
        thread = f", {per_mb / rows['thread']:.2f}x the thread's" if how == "aiofiles" else ""
        print(f"  {names[how]:<28} {per_mb:5.2f} ms CPU per MB = {per_mb / rows['plain']:.2f}x "
              f"blocking writes{thread}")  # fmt: skip


def ffmpeg() -> None:
    try:
        import imageio_ffmpeg
    except ImportError:
        print("\n(6) imageio-ffmpeg: not installed in this venv (pip install 'kemopix[ugoira]')")
        return
    exe = Path(imageio_ffmpeg.get_ffmpeg_exe())
    version = imageio_ffmpeg.get_ffmpeg_version()
    print(f"\n(6) imageio-ffmpeg {imageio_ffmpeg.__version__}: ffmpeg {version}, "
          f"{exe.stat().st_size / MB:.0f} MB binary (not timed)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--only", default="1,2,3,4,5", help="scenarios to run (comma list)")
    parser.add_argument("--mb", type=int, default=128, help="MB downloaded per client in (1) (2)")
    parser.add_argument("--requests", type=int, default=2000, help="small requests in (1)")
    parser.add_argument("--creators", type=int, default=300_000, help="creators decoded in (3)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--venvs", type=Path, default=Path("/tmp/kemopix-bench-deps"))
    args = parser.parse_args(argv)
    if args.serve:
        w_server(args.serve)
        return 0
    if args.worker:
        name, *rest = args.worker
        values: list[Any] = [json.loads(v) if v.startswith("[") else v for v in rest]
        values = [int(v) if isinstance(v, str) and v.isdigit() else v for v in values]
        print(json.dumps(WORKERS[name](*values)))
        return 0
    only = set(args.only.split(","))
    args.venvs.mkdir(parents=True, exist_ok=True)
    pythons = {name: venv(args.venvs, name) for name in VENVS}
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kemopix-deps-", dir=REPO / "bench") as work:
        args.work = work
        with emulator(args.mb) as info:
            if "1" in only:
                sync_http(pythons, info, args)
            if "2" in only:
                async_http(pythons, info, args)
            if "3" in only:
                wire_models(pythons, info, args)
            if "4" in only:
                servers(pythons, args)
            if "5" in only:
                writes(pythons, info, args)
    ffmpeg()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
