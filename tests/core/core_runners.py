"""Run one flow through either driver, so each transport test covers sync and async alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from kemopix._io import AiohttpTransport, AsyncRunner, RequestsTransport, SyncRunner
from kemopix._protocol import Config, ErrorMap, Flow

T = TypeVar("T")

FlowRunner = Callable[[Callable[[], Flow[Any]]], Any]


def make_runner(kind: str, config: Config, errors: ErrorMap | None = None) -> FlowRunner:
    """A function running ``make_flow()`` with a fresh sync or async runner."""

    def run_sync(make_flow: Callable[[], Flow[T]]) -> T:
        runner = SyncRunner(RequestsTransport(config), errors=errors)
        try:
            return runner.run(make_flow())
        finally:
            runner.close()

    def run_async(make_flow: Callable[[], Flow[T]]) -> T:
        async def main() -> T:
            runner = AsyncRunner(AiohttpTransport(config), errors=errors)
            try:
                return await runner.run(make_flow())
            finally:
                await runner.aclose()

        return asyncio.run(main())

    return run_sync if kind == "sync" else run_async
