"""A small scripted HTTP server for the core's transport and download tests (real sockets)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections import defaultdict

from aiohttp import web

from kemopix.emulators._server import EmulatorServer

BLOB = os.urandom(3 * 1024 * 1024 + 123)
BLOB_SHA256 = hashlib.sha256(BLOB).hexdigest()


class CoreServer(EmulatorServer):
    """Endpoints whose behaviour a test scripts through ``plan`` (a per-path list of actions)."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: defaultdict[str, int] = defaultdict(int)
        self.plan: dict[str, list[str]] = {}
        self.seen_headers: list[dict[str, str]] = []
        self.ignore_range = False
        self.ranges: list[str | None] = []
        self.peers: list[object] = []  # the client's address per /blob request

    def reset(self) -> None:
        self.hits.clear()
        self.plan.clear()
        self.seen_headers.clear()
        self.ranges.clear()
        self.peers.clear()
        self.ignore_range = False

    def _next(self, path: str) -> str:
        self.hits[path] += 1
        steps = self.plan.get(path)
        return steps.pop(0) if steps else "ok"

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/json", self._json)
        app.router.add_get("/pages", self._pages)
        app.router.add_get("/blob", self._blob)
        return app

    async def _json(self, request: web.Request) -> web.StreamResponse:
        self.seen_headers.append(dict(request.headers))
        action = self._next("/json")
        if action == "ok":
            return web.json_response({"ok": True, "method": request.method})
        if action.startswith("status:"):
            _, status, *retry = action.split(":")
            headers = {"Retry-After": retry[0]} if retry else {}
            return web.json_response({"error": "scripted"}, status=int(status), headers=headers)
        if action == "badjson":
            return web.Response(body=b"{not json", content_type="application/json")
        if action == "challenge":
            return web.Response(
                status=403,
                body=b"<html><title>DDoS-Guard</title></html>",
                content_type="text/html",
                headers={"Server": "ddos-guard"},
            )
        if action == "slow":
            await asyncio.sleep(2)
            return web.json_response({"late": True})
        if action in ("trickle", "stall"):
            # 10 pieces of a declared body: every 0.15 s (alive, if slow), or a stop after two.
            body = b'{"ok": true, "pad": "' + b"x" * 977 + b'"}'
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.content_length = len(body)
            await response.prepare(request)
            for n in range(10):
                await response.write(body[n * 100 : (n + 1) * 100])
                await asyncio.sleep(0.15 if action == "trickle" or n < 1 else 3)
            await response.write_eof()
            return response
        if action == "reset":
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        if action == "truncate":
            response = web.StreamResponse()
            response.content_length = 100
            await response.prepare(request)
            await response.write(b'{"ok": tr')
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        raise AssertionError(action)

    async def _pages(self, request: web.Request) -> web.Response:
        offset = int(request.query.get("o", "0"))
        items = list(range(120))[offset : offset + 50]
        return web.json_response(items)

    async def _blob(self, request: web.Request) -> web.StreamResponse:
        action = self._next("/blob")
        assert request.transport is not None
        self.peers.append(request.transport.get_extra_info("peername"))
        if action.startswith("status:"):
            return web.Response(status=int(action.split(":")[1]), text="not found")
        range_header = request.headers.get("Range")
        self.ranges.append(range_header)
        blob = BLOB[: int(request.query.get("size", len(BLOB)))]  # ?size=N: its first N bytes
        start = 0
        if range_header and not self.ignore_range:
            start = int(range_header.removeprefix("bytes=").split("-")[0])
            if start >= len(blob):
                return web.Response(status=416, headers={"Content-Range": f"bytes */{len(blob)}"})
        body = blob[start:] if action != "corrupt" else bytes(len(blob) - start)
        response = web.StreamResponse(status=206 if start else 200)
        if "chunked" not in request.query:  # ?chunked: no length said (chunked encoding)
            response.content_length = len(body)
        if start:
            response.headers["Content-Range"] = f"bytes {start}-{len(blob) - 1}/{len(blob)}"
        await response.prepare(request)
        if action == "stall":  # a third of the body, then silence for longer than a read timeout
            await response.write(body[: len(body) // 3])
            await asyncio.sleep(3)
            return response
        if action == "cut":
            await response.write(body[: len(body) // 3])
            await response.drain()
            await asyncio.sleep(0.05)
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        await response.write(body)
        await response.write_eof()
        return response
