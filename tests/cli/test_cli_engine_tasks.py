"""What a post costs the event loop in tasks: one task plans a post and then closes it (no
closing task beside it); a post of one file is fetched by that closing (no download task
beside it); a post of several files gets a download task per file. Counted on a real run
through the entry point, against the Kemono emulator over real sockets."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run

from kemopix.emulators import KemonoEmulator

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


class CountingPolicy(asyncio.DefaultEventLoopPolicy):
    """Loops that count the tasks made on them, by their coroutine's name."""

    def __init__(self) -> None:
        super().__init__()
        self.made: Counter[str] = Counter()

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()

        def factory(
            loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
        ) -> asyncio.Task[Any]:
            self.made[getattr(coro, "__qualname__", "?")] += 1
            return asyncio.Task(coro, loop=loop, **kwargs)

        loop.set_task_factory(factory)  # type: ignore[arg-type]
        return loop


@pytest.fixture
def counting() -> Iterator[CountingPolicy]:
    before = asyncio.get_event_loop_policy()
    policy = CountingPolicy()
    asyncio.set_event_loop_policy(policy)
    try:
        yield policy
    finally:
        asyncio.set_event_loop_policy(before)


def test_a_post_of_one_file_is_fetched_by_its_closing(
    kemono_emulator: KemonoEmulator,
    counting: CountingPolicy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "tasks", "Tasks")
    bodies: dict[str, bytes] = {}
    for n in range(6):
        files = [(f"single-{n}.bin", f"one {n}".encode() * 50)]
        if n == 5:  # the one post of two files
            files = [("pair-a.bin", b"a" * 300), ("pair-b.bin", b"b" * 400)]
        emu.add_post("fanbox", "tasks", title=f"post {n}", files=list(files))
        bodies.update(files)
    out = tmp_path / "out"
    argv = ["download", f"{emu.url}/fanbox/user/tasks", "--kemono-url", emu.url, "-o", str(out)]
    code, summary = run(capsys, *argv)
    assert code == 0 and summary["files_downloaded"] == 7, summary
    held = {p.name[3:]: p.read_bytes() for p in out.rglob("*.bin")}
    assert held == bodies  # every file whole at its name
    for name, body in bodies.items():
        assert hashlib.sha256(held[name]).digest() == hashlib.sha256(body).digest()
    assert not list(out.rglob("*.part"))
    made = counting.made
    assert made["Engine._post"] == 6 and made["Engine._close_post"] == 0, made
    assert made["Engine._fetch"] == 2, made  # only the files of the post of two
