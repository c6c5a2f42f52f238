"""A real archive for the viewer's tests: the downloader run against both emulators.

The Kemono demo creator, a creator whose posts are hostile (scripts, event handlers,
``javascript:`` links, remote images pointing at a canary server that counts every hit) and a
file that fails, the pixiv demo artist and an ugoira work.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator, PixivEmulator

UGOIRA_ID = "44298467"
UGOIRA_DELAYS = [100, 150, 100, 250]
HOSTILE_CREATOR = ("fanbox", "hostile-one", "Hostile One")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


class Canary:
    """A loopback HTTP server that only counts requests: anything it sees was a remote load."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def media_bytes(kind: str) -> bytes:
    """One second of real WebM video or Ogg/Opus audio, made with imageio-ffmpeg's ffmpeg."""
    import subprocess
    import tempfile

    import imageio_ffmpeg

    source = "testsrc=duration=1:size=160x120:rate=10" if kind == "webm" else "sine=duration=1"
    codec = ["-c:v", "libvpx", "-b:v", "100k"] if kind == "webm" else ["-c:a", "libopus"]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"clip.{kind}"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", source]
        subprocess.run([*command, *codec, str(target)], check=True, timeout=60)
        return target.read_bytes()


def hostile_content(canary: str) -> str:
    return (
        "<p>Hostile <b>body</b></p>"
        "<script>window.__pwned = 'script'</script>"
        f'<img src="{canary}/remote.png" alt="remote cat">'
        f"<img src=\"x\" onerror=\"window.__pwned = 'onerror'; fetch('{canary}/onerror')\">"
        '<a href="javascript:window.__pwned=\'link\'" id="jslink">click me</a>'
        f'<iframe src="{canary}/frame"></iframe>'
        f"<style>body {{ background: url({canary}/style.png) }}</style>"
        f'<svg onload="window.__pwned=\'svg\'"><image href="{canary}/svg.png"/></svg>'
        f'<p style="background-image:url({canary}/inline-style.png)">styled</p>'
        f'<video src="{canary}/video.mp4" autoplay></video>'
        '<p>Full set on <a href="https://mega.nz/folder/abc#key">MEGA</a> and '
        "https://drive.google.com/file/d/xyz/view</p>"
    )


@dataclass
class BuiltArchive:
    root: Path
    canary: Canary
    hostile_id: str
    inline_id: str
    clip_id: str
    failed_name: str
    extra: dict[str, Any] = field(default_factory=dict)


def _run(*argv: str) -> int:
    return main([*argv, "-q"])


def build_archive(
    root: Path, config: Path, kemono: KemonoEmulator, pixiv: PixivEmulator
) -> Iterator[BuiltArchive]:
    """Run the real downloader into ``root``; yields the archive (the canary stops after)."""
    kemono.reset()
    pixiv.reset()
    canary = Canary()
    service, creator, name = HOSTILE_CREATOR
    kemono.add_creator(service, creator, name)
    hostile = kemono.add_post(
        service,
        creator,
        title="Hostile body",
        content=hostile_content(canary.url),
        files=[("cover.png", png_bytes((200, 30, 30)))],
        tags=["hostile", "test"],
    )
    with_inline = kemono.add_post(
        service,
        creator,
        title="Inline picture",
        content="<p>Look:</p>",
        files=[("inline.png", png_bytes((30, 200, 30))), ("broken.bin", 4000)],
        tags=["inline"],
    )
    clip = kemono.add_post(
        service,
        creator,
        title="Clip and song",
        content="<p>Moving pictures</p>",
        files=[("clip.webm", media_bytes("webm")), ("song.ogg", media_bytes("ogg"))],
        tags=["media"],
    )
    inline_path = with_inline["file"]["path"]
    kemono.edit_post(
        service, creator, with_inline["id"], content=f'<p>Look:</p><img src="/data{inline_path}">'
    )
    failed_path = with_inline["attachments"][0]["path"]
    kemono.add_fault(
        kind="status", status=404, probability=1.0, path=f".*{failed_path.rsplit('/', 1)[-1]}.*"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KEMOPIX_CONFIG_DIR", str(config / "config"))
        mp.setenv("KEMOPIX_CACHE_DIR", str(config / "cache"))
        for env in (
            "KEMOPIX_KEMONO_URL",
            "KEMOPIX_PIXIV_URL",
            "KEMOPIX_OUTPUT",
            "KEMOPIX_TEMPLATE",
        ):
            mp.delenv(env, raising=False)
        demo_service, demo_creator = kemono.demo_creator
        out = ["-o", str(root), "--kemono-url", kemono.url, "--no-shared-budget"]
        assert _run("download", f"{kemono.url}/{demo_service}/user/{demo_creator}", *out) == 0
        code = _run("download", f"{kemono.url}/{service}/user/{creator}", *out)
        assert code == 1, code  # the one file answering 404
        token = str(pixiv.demo_account["refresh_token"])
        assert main(["login", "pixiv", "--pixiv-url", pixiv.url, "--refresh-token", token]) == 0
        px = ["-o", str(root), "--pixiv-url", pixiv.url, "--no-shared-budget"]
        assert _run("download", f"{pixiv.url}/artworks/{UGOIRA_ID}", *px) == 0
        assert _run("download", f"{pixiv.url}/users/{pixiv.demo_account['artist_id']}", *px) == 0
    kemono.clear_faults()
    try:
        yield BuiltArchive(
            root, canary, str(hostile["id"]), str(with_inline["id"]), str(clip["id"]), "broken.bin"
        )
    finally:
        canary.close()


@pytest.fixture(scope="module")
def archive(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kemono_emulator_server: KemonoEmulator,
    pixiv_emulator_server: PixivEmulator,
) -> Iterator[BuiltArchive]:
    """One archive per test module (import this fixture into the module)."""
    base = tmp_path_factory.mktemp(request.module.__name__)
    yield from build_archive(base / "archive", base, kemono_emulator_server, pixiv_emulator_server)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every file the downloader wrote (the viewer's own state left out)."""
    out: dict[str, tuple[int, int]] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".kemopix-serve"]
        for name in names:
            if name.startswith(".kemopix-archive.sqlite3"):
                continue  # SQLite may checkpoint its WAL on a reader's close
            if name == ".kemopix-lock":
                continue  # the downloader's own one-process-per-folder lock, rewritten per run
            st = os.stat(os.path.join(folder, name))
            out[os.path.relpath(os.path.join(folder, name), root)] = (st.st_size, st.st_mtime_ns)
    return out


def api(url: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def chromium_or_skip() -> str:
    """Debian's chromium; missing in CI is a failure, elsewhere a skip."""
    path = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (make test installs it with apt)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path
