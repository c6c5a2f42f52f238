"""Every Python and shell example in README.md and docs/*.md runs, as written, against emulators.

The convention (docs/examples.md): fences tagged ``python`` run as scripts (a script defining
``test_*`` functions runs under pytest), fences tagged ``sh``/``shell``/``bash`` run line by
line, ``toml`` ones are given to ``kemopix plan --config``; untagged fences are diagrams or
formats, ``console`` the project's own ``make`` commands (CI runs those itself). The blocks of
one page run in order in one fresh folder (also ``$HOME``), like a reader following the page.
The environment points every site at this test's emulators (``KEMOPIX_KEMONO_URL``,
``KEMOPIX_COOMER_URL``, ``KEMOPIX_PIXIV_URL``), a pixiv login is stored (``kemopix login
pixiv``), and the Kemono accounts the examples name exist (``user`` / ``password`` the
administrator, ``mod`` / ``pw`` a moderator, ``me`` / ``password``). Where an example asks for
a pixiv login code, the test plays the browser; a password prompt gets ``password``. Servers
(``kemopix emulate``) are started, seen answering and stopped with Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from kemopix.emulators import KemonoEmulator, PixivEmulator

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
PYTHON = {"python", "py"}
SHELL = {"sh", "shell", "bash"}
SERVERS = ("kemopix emulate", "kemopix serve", "python -m kemopix.emulators")
LOGIN_URL = re.compile(r"(https?://\S+/web/v1/login\?\S+)")
TIMEOUT = 120.0


def collect() -> Iterator[object]:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            lang = match.group(1).lower()
            if lang in PYTHON or lang in SHELL or lang == "toml":
                line = text.count("\n", 0, match.start()) + 1
                kind = "python" if lang in PYTHON else "sh" if lang in SHELL else lang
                yield pytest.param(page, kind, match.group(2), id=f"{page.name}:{line}")


class World:
    """The emulators, a config folder with the logins, and one folder per page."""

    def __init__(self, base: Path, kemono: KemonoEmulator, coomer: KemonoEmulator) -> None:
        self.base = base
        self.kemono = kemono
        self.coomer = coomer
        self.pixiv = PixivEmulator()
        self.folders: dict[Path, Path] = {}

    def env(self, home: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEMOPIX_")}
        env.update(
            HOME=str(home),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            KEMOPIX_KEMONO_URL=self.kemono.url,
            KEMOPIX_COOMER_URL=self.coomer.url,
            KEMOPIX_PIXIV_URL=self.pixiv.url,
            KEMOPIX_CONFIG_DIR=str(home / "config"),
            KEMOPIX_CACHE_DIR=str(self.base / "cache"),
            PYTHONUNBUFFERED="1",
        )
        return env

    def folder(self, page: Path) -> Path:
        if page not in self.folders:
            self.folders[page] = self.base / page.stem
            # Each page starts from the prepared logins; what its examples store stays there.
            shutil.copytree(self.base / "config", self.folders[page] / "config")
        return self.folders[page]

    def browser_code(self, url: str) -> str:
        """What a reader does in the browser: log in as the demo user, copy the code."""
        account = self.pixiv.demo_account
        answer = requests.get(
            url,
            params={"username": account["username"], "password": account["password"]},
            allow_redirects=False,
            timeout=10,
        )
        location = answer.headers["Location"]
        return parse_qs(urlsplit(location).query)["code"][0]


SETUP_ACCOUNTS = """
import asyncio, pykemo
from pykemo import Consumer

async def main() -> None:
    admin = await pykemo.register("user", "password")
    mod = await Consumer.register("mod", "pw")
    me = await Consumer.register("me", "password")
    await admin.change_roles([str(mod.id)], [])
    for account in (admin, mod, me):
        await account.logout()

asyncio.run(main())
"""


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("doc-examples")
    with (
        KemonoEmulator(creators=50) as kemono,
        KemonoEmulator(creators=50, flavour="coomer") as coomer,
    ):
        world = World(base, kemono, coomer)
        with world.pixiv:
            env = world.env(base)
            token = str(world.pixiv.demo_account["refresh_token"])
            for argv in (
                [sys.executable, "-c", SETUP_ACCOUNTS],
                [
                    str(Path(sys.executable).parent / "kemopix"),
                    "login",
                    "pixiv",
                    "--refresh-token",
                    token,
                ],
            ):
                subprocess.run(argv, env=env, check=True, timeout=TIMEOUT, capture_output=True)
            yield world


def run(world: World, argv: list[str], cwd: Path, *, browser: bool, server: bool) -> str:
    """Run one example (a script or a shell line); its output; asserts it succeeded."""
    child = subprocess.Popen(
        argv,
        cwd=cwd,
        env=world.env(cwd),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # no terminal: prompts read stdin
    )
    assert child.stdin is not None and child.stdout is not None
    lines: list[str] = []
    answering = threading.Event()

    def read() -> None:
        assert child.stdout is not None and child.stdin is not None
        for line in child.stdout:
            lines.append(line)
            if "http://" in line:
                answering.set()
            found = LOGIN_URL.search(line)
            if browser and found:
                child.stdin.write(world.browser_code(found.group(1)) + "\n")
                child.stdin.flush()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not browser:
        try:
            child.stdin.write("password\n")  # the answer to a password prompt
            child.stdin.close()
        except BrokenPipeError:
            pass  # it did not read its input at all
    try:
        if server:
            assert answering.wait(30), "".join(lines)
            time.sleep(0.3)
            child.send_signal(signal.SIGINT)
        code = child.wait(timeout=TIMEOUT)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)  # the whole session: nothing outlives a test
            child.wait()
        reader.join(5)
        for stream in (child.stdin, child.stdout):
            with contextlib.suppress(BrokenPipeError):
                stream.close()
    output = "".join(lines)
    assert "Traceback" not in output, output
    assert code == 0 or (server and code == 130), f"exit status {code}:\n{output}"
    return output


def shell_lines(code: str) -> Iterator[str]:
    for raw in code.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


@pytest.mark.parametrize(("page", "kind", "code"), list(collect()))
def test_example_runs(world: World, page: Path, kind: str, code: str) -> None:
    cwd = world.folder(page)
    if kind == "toml":  # a config file: kemopix must accept it as written
        (cwd / "config.toml").write_text(code, encoding="utf-8")
        plan = [
            "kemopix",
            "plan",
            "--config",
            "config.toml",
            "https://kemono.cr/fanbox/user/70050825",
        ]
        run(world, plan, cwd, browser=False, server=False)
        return
    if kind == "python":
        script = cwd / f"example_{len(list(cwd.glob('example_*.py')))}.py"
        script.write_text(code, encoding="utf-8")
        argv = [sys.executable, script.name]
        if re.search(r"^def test_", code, re.MULTILINE):
            argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", script.name]
        run(world, argv, cwd, browser="pkce_login_url" in code, server=False)
        return
    for line in shell_lines(code):
        server = line.startswith(SERVERS)
        run(world, ["bash", "-c", line], cwd, browser="login pixiv" in line, server=server)


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_point_at_files_users_have(page: Path) -> None:
    """Relative links resolve inside the repository; nothing points into /work/shared."""
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if "://" in target:
            continue
        resolved = (page.parent / target).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), f"{page.name}: {target}"
    assert "shared/docs" not in text and "protocol.md" not in text
