"""Project-wide test configuration.

Test helper modules live beside their tests under unique names (a single conftest keeps mypy's
module names unique); their fixtures are registered here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

for _folder in ("core", "pixivapi"):
    sys.path.insert(0, str(Path(__file__).parent / _folder))

from core_server import CoreServer  # noqa: E402
from pixivapi_fixtures import *  # noqa: E402, F403


@pytest.fixture
def private_kemopix_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's own config and cache folders, and none of the caller's KEMOPIX_* settings."""
    for name in [n for n in os.environ if n.startswith("KEMOPIX_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("KEMOPIX_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("KEMOPIX_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def core_server_session() -> Iterator[CoreServer]:
    with CoreServer() as server:
        yield server


@pytest.fixture
def core_server(core_server_session: CoreServer) -> CoreServer:
    core_server_session.reset()
    return core_server_session
