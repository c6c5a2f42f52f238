"""Project-wide test configuration: shared servers for the core tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "core"))

from core_server import CoreServer


@pytest.fixture(scope="session")
def core_server_session() -> Iterator[CoreServer]:
    with CoreServer() as server:
        yield server


@pytest.fixture
def core_server(core_server_session: CoreServer) -> CoreServer:
    core_server_session.reset()
    return core_server_session
