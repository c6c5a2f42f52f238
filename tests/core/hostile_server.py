"""A server that answers every path with a hostile body: endless JSON, a gzip bomb, a drip."""

from __future__ import annotations

import asyncio
import functools
import zlib

from aiohttp import web

from kemopix.emulators._server import EmulatorServer

MIB = 1 << 20
BOMB_SIZE = 512 * MIB  # what the bomb inflates to
_ITEM = b'{"id":"1","name":"endless","service":"patreon","indexed":0,"updated":0},'
ENDLESS_PIECE = b"[" + _ITEM * (MIB // len(_ITEM))


@functools.cache
def gzip_bomb() -> bytes:
    """512 MiB of JSON-looking zeros, gzip-compressed to about half a megabyte."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip wrapper
    zeros = bytes(MIB)
    parts = [packer.compress(b"[" + zeros[1:])]
    parts.extend(packer.compress(zeros) for _ in range(BOMB_SIZE // MIB - 1))
    parts.append(packer.flush())
    return b"".join(parts)


class HostileServer(EmulatorServer):
    """``mode`` is ``endless`` (chunked JSON forever), ``bomb`` or ``drip`` (a byte a second)."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.requests = 0
        if mode == "bomb":
            gzip_bomb()  # built before the first request, not inside the client's time budget

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        return app

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.mode == "bomb":
            body = gzip_bomb()
            return web.Response(
                body=body,
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            if self.mode == "drip":
                await response.write(b"[")
                while True:
                    await asyncio.sleep(0.5)
                    await response.write(b" ")
            while True:
                await response.write(ENDLESS_PIECE)
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client gave up: the point of the exercise
        return response
