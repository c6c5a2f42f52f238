"""Fault injection shared by the emulators: scripted sequences or probabilities, per route.

A rule matches requests by method and a regular expression on the path. Each match consumes one
step of its ``sequence`` (``"ok"`` lets the request through), or, once the sequence is used up,
fires with ``probability``. Faults:

- ``status``: answer ``status`` with the site's error body (``retry_after`` adds Retry-After);
- ``reset``: close the connection before any response;
- ``truncate``: send the headers with the full Content-Length and only half of the body;
- ``bad_length``: declare a Content-Length larger than the body, then close;
- ``slow``: deliver the body in small pieces, ``delay`` seconds apart;
- ``latency``: wait ``delay`` seconds, then answer normally (a distant server's round trip);
- ``bandwidth``: deliver each body at ``rate`` bytes per second (a real link, per connection);
- ``challenge``: the site's anti-bot HTML page (403).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

__all__ = [
    "FAULT_KINDS",
    "MIXED_FAULTS",
    "FaultInjector",
    "FaultRule",
    "fault_middleware",
    "fault_routes",
]

_log = logging.getLogger("kemopix.emulators")

FaultKind = Literal[
    "status", "reset", "truncate", "bad_length", "slow", "latency", "bandwidth", "challenge"
]
FAULT_KINDS: tuple[str, ...] = (
    "status",
    "reset",
    "truncate",
    "bad_length",
    "slow",
    "latency",
    "bandwidth",
    "challenge",
)
# Six kinds of trouble to apply together, each with its own probability: what the downloader's
# throttling is measured under (tests/cli/test_cli_limits_throttle.py, bench_downloader.py (4)).
MIXED_FAULTS: tuple[dict[str, Any], ...] = (
    {"kind": "status", "status": 429},
    {"kind": "status", "status": 503},
    {"kind": "reset"},
    {"kind": "truncate"},
    {"kind": "bad_length"},
    {"kind": "slow", "delay": 0.05},
)
_PACED_PIECE = 1 << 16  # bytes written between two looks at the clock (``bandwidth``)

ErrorPage = Callable[[int, web.Request], web.StreamResponse]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class FaultRule:
    """One fault, applied to the requests whose path matches ``path`` (a regular expression)."""

    kind: FaultKind
    path: str = ".*"
    method: str | None = None
    status: int = 503
    retry_after: float | None = None
    probability: float = 0.0
    sequence: list[bool | str] = field(default_factory=list)
    times: int | None = None
    delay: float = 0.05
    rate: float = 0.0  # bytes per second, for ``bandwidth``
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.kind == "bandwidth" and self.rate <= 0:
            raise ValueError("a bandwidth fault needs a rate (bytes per second) above 0")
        self._pattern = re.compile(self.path)
        # "fault"/"ok" words as well as booleans: a bare non-empty "ok" must not count as a fault.
        self.sequence = [item in (True, "fault", 1) for item in self.sequence]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        """Build a rule from the control plane's JSON (``sequence`` may hold "fault"/"ok")."""
        return cls(
            kind=data["kind"],
            path=data.get("path", ".*"),
            method=data.get("method"),
            status=int(data.get("status", 503)),
            retry_after=data.get("retry_after"),
            probability=float(data.get("probability", 0.0)),
            sequence=list(data.get("sequence") or []),
            times=data.get("times"),
            delay=float(data.get("delay", 0.05)),
            rate=float(data.get("rate", 0.0)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "retry_after": self.retry_after,
            "probability": self.probability,
            "sequence": ["fault" if s else "ok" for s in self.sequence],
            "times": self.times,
            "delay": self.delay,
            "rate": self.rate,
        }

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._pattern.search(path) is not None


class FaultInjector:
    """Holds the active rules; thread-safe so tests may change them while the server runs."""

    def __init__(self, seed: int = 0) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.fired = 0

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, path: str) -> FaultRule | None:
        """Return the fault to apply to this request, if any (consumes sequence steps)."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.sequence:
                    if rule.sequence.pop(0):
                        return self._fire(rule)
                    return None
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.probability >= 1.0 or self._random.random() < rule.probability:
                    return self._fire(rule)
        return None

    def _fire(self, rule: FaultRule) -> FaultRule:
        if rule.times is not None:
            rule.times -= 1
        self.fired += 1
        return rule


async def _apply(
    rule: FaultRule, request: web.Request, handler: Handler, error_page: ErrorPage
) -> web.StreamResponse:
    if rule.kind == "status":
        response = error_page(rule.status, request)
        if rule.retry_after is not None:
            response.headers["Retry-After"] = str(int(rule.retry_after))
        return response
    if rule.kind == "challenge":
        return error_page(-1, request)
    if rule.kind == "reset":
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    if rule.kind == "latency":
        await asyncio.sleep(rule.delay)
        return await handler(request)
    inner = await handler(request)
    body = inner.body if isinstance(inner, web.Response) else None
    if not isinstance(body, bytes):
        return inner  # streamed responses (large files) are passed through untouched
    out = web.StreamResponse(status=inner.status, headers=inner.headers)
    if rule.kind == "bandwidth":
        if request.method == "HEAD":
            return inner
        out.content_length = len(body)
        await out.prepare(request)
        loop = asyncio.get_running_loop()
        started = loop.time()
        for start in range(0, len(body), _PACED_PIECE):
            end = min(len(body), start + _PACED_PIECE)
            ahead = end / rule.rate - (loop.time() - started)  # a piece arrives once sent
            if ahead > 0:
                await asyncio.sleep(ahead)
            await out.write(body[start:end])
        await out.write_eof()
        return out
    if rule.kind == "slow":
        out.content_length = len(body)
        await out.prepare(request)
        step = max(1, len(body) // 8)
        for start in range(0, len(body), step):
            await out.write(body[start : start + step])
            await asyncio.sleep(rule.delay)
        await out.write_eof()
        return out
    declared = len(body) if rule.kind == "truncate" else len(body) + 1024
    sent = body[: len(body) // 2] if rule.kind == "truncate" else body
    out.content_length = declared
    await out.prepare(request)
    await out.write(sent)
    if request.transport is not None:
        request.transport.close()
    raise asyncio.CancelledError


def fault_middleware(injector: FaultInjector, error_page: ErrorPage) -> Any:
    """aiohttp middleware applying the injector's rules (control-plane paths are exempt)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_emulator/"):
            return await handler(request)
        rule = injector.pick(request.method, request.path)
        if rule is None:
            return await handler(request)
        try:
            return await _apply(rule, request, handler, error_page)
        except ConnectionResetError:  # aiohttp's ClientConnectionResetError included
            # The client left during a paced body: one line, not aiohttp's traceback.
            _log.info("client left during %s %s (%s)", request.method, request.path, rule.kind)
            raise asyncio.CancelledError from None

    return middleware


def fault_routes(injector: FaultInjector) -> list[web.RouteDef]:
    """Control-plane routes: GET/POST/DELETE ``/_emulator/faults``."""

    async def list_faults(request: web.Request) -> web.Response:
        return web.json_response({"faults": [r.to_json() for r in injector.rules()]})

    async def add_faults(request: web.Request) -> web.Response:
        try:
            data = await request.json()
            items = data if isinstance(data, list) else [data]
            rules = [injector.add(FaultRule.from_json(item)) for item in items]
        except (ValueError, KeyError, TypeError, re.error) as exc:
            return web.json_response({"error": f"bad fault rule: {exc}"}, status=400)
        return web.json_response({"faults": [r.to_json() for r in rules]}, status=201)

    async def clear_faults(request: web.Request) -> web.Response:
        injector.clear()
        return web.Response(status=204)

    return [
        web.get("/_emulator/faults", list_faults),
        web.post("/_emulator/faults", add_faults),
        web.delete("/_emulator/faults", clear_faults),
    ]
