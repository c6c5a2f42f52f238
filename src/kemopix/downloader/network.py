"""The engine's network: one ``AsyncRunner`` per site family over shared traffic control.

Kemono-compatible sites and pixiv get their own runner (their retry policies differ); both send
through ``ControlledTransport`` and so share the per-host concurrency, rate budgets and counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from .._io.drivers import AsyncRunner
from .._protocol.config import Config
from .._protocol.flow import Flow
from .._protocol.http import Request
from .traffic import Traffic
from .transport import ControlledTransport

__all__ = ["Network", "head_size"]

T = TypeVar("T")


class Network:
    """Runners by family name (``"kemono"``, ``"pixiv"``) and the traffic they share."""

    def __init__(self, traffic: Traffic, configs: Mapping[str, Config]) -> None:
        self.traffic = traffic
        self.runners: dict[str, AsyncRunner] = {}
        for family, config in configs.items():
            # Budgets and concurrency are the traffic controller's job, not the runner's.
            ceiling = max(64, config.max_connections_per_host)
            plain = config.replace(rate_limit=None, max_connections_per_host=ceiling)
            self.runners[family] = AsyncRunner(ControlledTransport(plain, traffic))

    async def run(self, family: str, flow: Flow[T]) -> T:
        return await self.runners[family].run(flow)

    async def aclose(self) -> None:
        for runner in self.runners.values():
            await runner.aclose()
        self.traffic.close()


def head_size(url: str, headers: Mapping[str, str] | None = None) -> Flow[int | None]:
    """The Content-Length a HEAD request announces (None when the server does not say)."""
    request = Request.build("HEAD", url, headers={**(headers or {}), "Accept-Encoding": "identity"})
    response = yield request
    if response.status >= 400:
        return None
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else None
