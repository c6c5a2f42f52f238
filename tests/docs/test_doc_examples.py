"""Every Python and shell example in README.md and docs/*.md runs, as written, against emulators.

The convention (docs/examples.md): fences tagged ``python`` run as scripts (a script defining
``test_*`` functions runs under pytest), fences tagged ``sh``/``shell``/``bash`` run as one
``set -e`` script (as typed into one terminal: an ``export`` holds for the lines after it; a
line that serves runs as in a terminal of its own), ``toml`` ones are given to ``kemopix plan
--config``; untagged fences are diagrams or
formats, ``console`` the project's own ``make`` commands (CI runs those itself). The blocks of
one page run in order in one fresh folder (also ``$HOME``), like a reader following the page.
The environment points every site at this test's emulators (``KEMOPIX_KEMONO_URL``,
``KEMOPIX_COOMER_URL``, ``KEMOPIX_PIXIV_URL``), a pixiv login is stored (``kemopix login
pixiv``), and the Kemono accounts the examples name exist (``user`` / ``password`` the
administrator, ``mod`` / ``pw`` a moderator, ``me`` / ``password``). Where an example asks for
a pixiv login code, the test plays the browser; a password prompt gets ``password``. Servers
(``kemopix emulate``, ``kemopix serve``) keep running, as in a terminal of their own, until the
page's last example has run; then each gets a Ctrl-C and must stop cleanly.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO
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
RUNNABLE = PYTHON | SHELL | {"toml"}
TIMEOUT = 120.0


def collect() -> Iterator[object]:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        blocks = [m for m in FENCE.finditer(text) if m.group(1).lower() in RUNNABLE]
        for number, match in enumerate(blocks, 1):
            lang = match.group(1).lower()
            line = text.count("\n", 0, match.start()) + 1
            kind = "python" if lang in PYTHON else "sh" if lang in SHELL else lang
            last = number == len(blocks)
            yield pytest.param(page, kind, match.group(2), last, id=f"{page.name}:{line}")


class World:
    """The emulators, a config folder with the logins, and one folder per page."""

    def __init__(self, base: Path, kemono: KemonoEmulator, coomer: KemonoEmulator) -> None:
        self.base = base
        self.kemono = kemono
        self.coomer = coomer
        self.pixiv = PixivEmulator()
        self.folders: dict[Path, Path] = {}
        self.servers: list[Example] = []

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
            try:
                yield world
            finally:
                for server in world.servers:  # left by a failed example: end them quietly
                    with contextlib.suppress(AssertionError):
                        server.finish(interrupt=True)


class Example:
    """One example running in its page's folder, its output read as it comes."""

    def __init__(self, world: World, argv: list[str], cwd: Path, *, browser: bool) -> None:
        self.child = subprocess.Popen(
            argv,
            cwd=cwd,
            env=world.env(cwd),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # no terminal: prompts read stdin
        )
        self.lines: list[str] = []
        self.answering = threading.Event()
        self.reader = threading.Thread(target=self._read, args=(world, browser), daemon=True)
        self.reader.start()
        if not browser:
            try:
                self.stdin.write("password\n")  # the answer to a password prompt
                self.stdin.close()
            except BrokenPipeError:
                pass  # it did not read its input at all

    @property
    def stdin(self) -> IO[str]:
        assert self.child.stdin is not None
        return self.child.stdin

    def _read(self, world: World, browser: bool) -> None:
        """Collect the output; with ``browser``, answer as a user at the keyboard: the login
        code once a pixiv login address shows, ``password`` at a password prompt (which ends
        no line, so the output is read as it comes, not by lines)."""
        assert self.child.stdout is not None
        fd = self.child.stdout.fileno()
        partial = ""
        while chunk := os.read(fd, 4096):
            partial += chunk.decode(errors="replace")
            *complete, partial = partial.split("\n")
            for text in complete:
                line = text + "\n"
                self.lines.append(line)
                if "http://" in line:
                    self.answering.set()
                found = LOGIN_URL.search(line)
                if browser and found:
                    self._answer(world.browser_code(found.group(1)))
            if browser and partial.endswith("password: "):
                self.lines.append(partial)
                partial = ""
                self._answer("password")
        if partial:
            self.lines.append(partial)

    def _answer(self, text: str) -> None:
        with contextlib.suppress(BrokenPipeError):
            self.stdin.write(text + "\n")
            self.stdin.flush()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def end(self, *, interrupt: bool = False) -> int:
        """Wait for the end (after a Ctrl-C if ``interrupt``); the exit status."""
        try:
            if interrupt:
                self.child.send_signal(signal.SIGINT)
            return self.child.wait(timeout=TIMEOUT)
        finally:
            if self.child.poll() is None:
                os.killpg(self.child.pid, signal.SIGKILL)  # nothing outlives a test
                self.child.wait()
            self.reader.join(5)
            for stream in (self.child.stdin, self.child.stdout):
                with contextlib.suppress(BrokenPipeError):
                    stream.close()  # type: ignore[union-attr]

    def finish(self, *, interrupt: bool = False) -> None:
        """:meth:`end`, asserting it ended well."""
        code = self.end(interrupt=interrupt)
        assert "Traceback" not in self.output, self.output
        assert code == 0 or (interrupt and code == 130), f"exit status {code}:\n{self.output}"


def run(world: World, argv: list[str], cwd: Path, *, browser: bool) -> None:
    """Run one example (a script) to its end; asserts it succeeded."""
    Example(world, argv, cwd, browser=browser).finish()


def serve(world: World, line: str, cwd: Path) -> None:
    """Start a server example and leave it running for the page's next examples.

    A fixed port held by another run of these tests (its example lasts a second or two) is
    waited for.
    """
    deadline = time.monotonic() + 60
    while True:
        server = Example(world, ["bash", "-c", line], cwd, browser=False)
        while not server.answering.wait(0.1):
            busy = "already in use" in server.output
            if busy or server.child.poll() is not None or time.monotonic() > deadline:
                break
        if server.answering.is_set():
            world.servers.append(server)
            time.sleep(0.3)
            return
        if not ("already in use" in server.output and time.monotonic() < deadline):
            server.finish(interrupt=server.child.poll() is None)
            raise AssertionError(f"{line!r} did not start serving:\n{server.output}")
        server.end(interrupt=server.child.poll() is None)
        time.sleep(0.5)


def stop_servers(world: World) -> None:
    """Ctrl-C to every server the page started; each must stop cleanly."""
    servers, world.servers = world.servers, []
    for server in servers:
        server.finish(interrupt=True)


def shell_parts(code: str) -> Iterator[tuple[bool, str]]:
    """A shell block cut where a server starts: (True, the server's line) or (False, the lines
    up to the next server, as written)."""
    lines: list[str] = []
    for raw in [*code.splitlines(), None]:
        if raw is None or raw.strip().startswith(SERVERS):
            if any(line.strip() and not line.strip().startswith("#") for line in lines):
                yield False, "\n".join(lines)
            lines = []
            if raw is not None:
                yield True, raw.strip()
        else:
            lines.append(raw)


def shell_script(part: str, env_file: Path) -> str:
    """``part`` as one script stopping at the first failing command, in the environment the
    block's earlier lines left (``env_file``), which it leaves in turn for the lines after the
    next server."""
    saved = shlex.quote(str(env_file))
    return f"set -e\nif [ -f {saved} ]; then . {saved}; fi\n{part}\nexport -p > {saved}\n"


@pytest.mark.parametrize(("page", "kind", "code", "last"), list(collect()))
def test_example_runs(world: World, page: Path, kind: str, code: str, last: bool) -> None:
    cwd = world.folder(page)
    try:
        if kind == "toml":  # a config file: kemopix must accept it as written
            (cwd / "config.toml").write_text(code, encoding="utf-8")
            url = "https://kemono.cr/fanbox/user/70050825"
            run(world, ["kemopix", "plan", "--config", "config.toml", url], cwd, browser=False)
        elif kind == "python":
            script = cwd / f"example_{len(list(cwd.glob('example_*.py')))}.py"
            script.write_text(code, encoding="utf-8")
            argv = [sys.executable, script.name]
            if re.search(r"^def test_", code, re.MULTILINE):
                argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", script.name]
            run(world, argv, cwd, browser="pkce_login_url" in code)
        else:
            env_file = cwd.parent / f"{cwd.name}.block-env"
            env_file.unlink(missing_ok=True)  # each block starts as a new terminal
            for is_server, part in shell_parts(code):
                if is_server:
                    serve(world, part, cwd)
                else:
                    lines = shell_script(part, env_file)
                    run(world, ["bash", "-c", lines], cwd, browser="login pixiv" in part)
    finally:
        if last:
            stop_servers(world)


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
