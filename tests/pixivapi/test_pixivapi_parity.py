"""``Client`` and ``AsyncClient`` are twins: the same public names with the same signatures,
seed methods and extras alike, and the blocking copy is the one ``scripts/unasync.py`` makes.

Only three things may differ, by design: sync vs coroutine (``Iterator`` vs ``AsyncIterator``
for ``iter_*``), the session's type (``requests.Session`` vs ``aiohttp.ClientSession``), and
the constructor, where ``Client`` keeps the seed's signature exactly and ``AsyncClient`` adds
keyword-only ``site``, ``config`` and ``session``.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kemopix._protocol import Config
from kemopix.emulators import PixivEmulator
from kemopix.sites.pixiv import PixivSite
from pixivapi import AsyncClient, Client

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "unasync.py"

# The async spelling of what a blocking signature says, the only differences allowed.
ASYNC_SPELLING = {
    "Iterator": "AsyncIterator",
    "requests.Session": "aiohttp.ClientSession",
}
CONTEXT = {"__enter__": "__aenter__", "__exit__": "__aexit__"}


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def _as_async(annotation: Any) -> Any:
    if not isinstance(annotation, str):
        return annotation
    for sync, spelled in ASYNC_SPELLING.items():
        annotation = re.sub(rf"(?<![\w.]){re.escape(sync)}\b", spelled, annotation)
    return annotation


def _shape(signature: inspect.Signature, to_async: bool) -> list[tuple[str, Any, Any, Any]]:
    convert = _as_async if to_async else (lambda a: a)
    params = [
        (p.name, p.kind, p.default, convert(p.annotation)) for p in signature.parameters.values()
    ]
    return [*params, ("return", None, None, convert(signature.return_annotation))]


def _unwrap(cls: type, name: str) -> Any:
    return inspect.getattr_static(cls, name)


def test_both_clients_expose_the_same_public_names() -> None:
    sync, asynchronous = _public(Client), _public(AsyncClient)
    assert sync - {"close"} == asynchronous - {"aclose"}
    assert "close" in sync and "aclose" in asynchronous and "close" not in asynchronous
    # Seed methods and extras alike (20 of the seed, the rest added since): no short list.
    assert len(sync) > 60


@pytest.mark.parametrize("name", sorted(_public(Client)))
def test_each_public_name_has_the_same_signature_in_both(name: str) -> None:
    sync = _unwrap(Client, name)
    twin = _unwrap(AsyncClient, "aclose" if name == "close" else name)
    assert type(sync) is type(twin), name
    if isinstance(sync, property):
        assert isinstance(twin, property)
        assert _as_async(inspect.signature(sync.fget).return_annotation) == (  # type: ignore[arg-type]
            inspect.signature(twin.fget).return_annotation  # type: ignore[arg-type]
        )
        return
    if isinstance(sync, classmethod):
        assert _shape(inspect.signature(sync.__func__), True) == _shape(
            inspect.signature(twin.__func__), False
        )
        return
    assert callable(sync) and callable(twin)
    assert not inspect.iscoroutinefunction(sync) and not inspect.isasyncgenfunction(sync), name
    signature = inspect.signature(twin)
    iterator = str(signature.return_annotation).startswith("AsyncIterator[")
    assert inspect.iscoroutinefunction(twin) is not iterator, name
    assert iterator is name.startswith("iter_"), name
    assert _shape(inspect.signature(sync), True) == _shape(signature, False), name


@pytest.mark.parametrize(("sync", "asynchronous"), sorted(CONTEXT.items()))
def test_both_are_context_managers(sync: str, asynchronous: str) -> None:
    assert _shape(inspect.signature(getattr(Client, sync)), True) == _shape(
        inspect.signature(getattr(AsyncClient, asynchronous)), False
    )
    assert inspect.iscoroutinefunction(getattr(AsyncClient, asynchronous))
    assert not hasattr(AsyncClient, sync) and not hasattr(Client, asynchronous)


def test_constructors_differ_only_by_the_async_keywords() -> None:
    sync = inspect.signature(Client.__init__).parameters.values()
    twin = inspect.signature(AsyncClient.__init__).parameters.values()
    assert [(p.name, p.kind, p.default) for p in sync] == [
        (p.name, p.kind, p.default) for p in twin if p.kind is not p.KEYWORD_ONLY
    ]
    assert [p.name for p in twin if p.kind is p.KEYWORD_ONLY] == ["site", "config", "session"]


def test_the_generated_blocking_copy_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_drops_the_keywords_and_renames_in_code_and_text() -> None:
    source = '''"""AsyncClient here: a module docstring stays as written."""
from collections.abc import AsyncIterator
import aiohttp


class AsyncClient(AsyncBackend):
    async def __aenter__(self) -> "AsyncClient":
        """Use ``async with AsyncClient() as c`` and ``await c.aclose()``."""
        async with self.lock:  # await the AsyncClient's lock
            await self.aclose()
        return [x async for x in aiter_items(self._run, step, 1)]

    def session(self) -> aiohttp.ClientSession:
        awaited = self.awaitable  # names that merely start with a keyword stay
        return await  (self.async_thing)
'''
    assert (
        _generator().unasync(source)
        == '''"""AsyncClient here: a module docstring stays as written."""
from collections.abc import Iterator
import requests


class Client(SyncBackend):
    def __enter__(self) -> "Client":
        """Use ``with Client() as c`` and ``c.close()``."""
        with self.lock:  # the Client's lock
            self.close()
        return [x for x in iter_items(self._run, step, 1)]

    def session(self) -> requests.Session:
        awaited = self.awaitable  # names that merely start with a keyword stay
        return (self.async_thing)
'''
    )


async def test_async_client_for_site_points_at_the_given_hosts(
    pixiv_emulator: PixivEmulator, fast: Config
) -> None:
    site = PixivSite.at(pixiv_emulator.url)
    async with AsyncClient.for_site(site, fast, language="Japanese") as client:
        assert isinstance(client, AsyncClient)
        assert client.config is fast and client.language == "Japanese"
        assert client.site.api_url == site.api_url
        await client.authenticate(pixiv_emulator.demo_refresh_token)
        work = (await client.fetch_illustrations_ranking())["illustrations"][0]
        assert (await client.fetch_illustration(work.id)).id == work.id


async def test_async_client_config_can_change_after_requests(
    pixiv_emulator: PixivEmulator, fast: Config
) -> None:
    """As with ``Client``: assigning ``config`` takes effect on the next call; the session made
    for the old settings is closed by ``aclose`` (an unclosed one would warn, and fail here)."""
    async with AsyncClient(site=PixivSite.at(pixiv_emulator.url)) as client:
        await client.authenticate(pixiv_emulator.demo_refresh_token)
        first = client.session
        client.config = fast
        assert client.config is fast
        await client.fetch_illustrations_ranking()
        second = client.session
        assert second is not first and not first.closed
    assert all(session.closed for session in (first, second))
