"""The engine's network: one ``AsyncRunner`` per site family, one pacing policy for all.

Kemono-compatible sites and pixiv get their own runner (their retry policies differ); both
consult the same ``Traffic`` (the downloader's ``Throttle``) and so share the per-host
concurrency, rate budgets and counts.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from .._io.drivers import AsyncRunner
from .._protocol.config import Config
from .._protocol.flow import Flow
from .._protocol.http import Request
from .._protocol.retry import RetryEvent
from .traffic import Traffic
from .transport import OffloadingTransport

__all__ = ["Network", "head_size"]

T = TypeVar("T")


class Network:
    """Runners by family name (``"kemono"``, ``"pixiv"``) and the traffic they share."""

    def __init__(self, traffic: Traffic, configs: Mapping[str, Config]) -> None:
        self.traffic = traffic
        # The connection pool must not be tighter than the lanes the policy opens.
        self.runners = {
            family: AsyncRunner(
                OffloadingTransport(config.replace(max_connections_per_host=64)), throttle=traffic
            )
            for family, config in configs.items()
        }

    @property
    def on_retry(self) -> Callable[[RetryEvent], None] | None:
        """Told of every retry of every runner (a progress display shows them)."""
        return next(iter(self.runners.values())).on_retry if self.runners else None

    @on_retry.setter
    def on_retry(self, hook: Callable[[RetryEvent], None] | None) -> None:
        for runner in self.runners.values():
            runner.on_retry = hook

    def run(self, family: str, flow: Flow[T]) -> Coroutine[Any, Any, T]:
        """Run ``flow`` with the runner of ``family`` (awaitable)."""
        return self.runners[family].run(flow)

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
