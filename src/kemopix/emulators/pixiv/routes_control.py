"""The control plane under ``/_emulator``: health, reset, accounts, works, tokens, login codes.

Faults live at ``/_emulator/faults`` (shared ``fault_routes``). Bodies are JSON; a bad request
answers 400 ``{"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web

from .state import StateError

__all__ = ["Controller", "control_routes"]


class Controller(Protocol):
    """What the control plane drives (the :class:`PixivEmulator`)."""

    def health(self) -> dict[str, Any]: ...

    def reset(self) -> None: ...

    def expire_tokens(self) -> int: ...

    @property
    def create_account(self) -> Callable[..., dict[str, Any]]: ...

    @property
    def add_illustration(self) -> Callable[..., dict[str, Any]]: ...

    @property
    def add_novel(self) -> Callable[..., dict[str, Any]]: ...

    @property
    def issue_authorization_code(self) -> Callable[..., str]: ...


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def _json(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise StateError("expected a JSON object")
    return data


def control_routes(controller: Controller) -> list[web.RouteDef]:
    async def health(request: web.Request) -> web.Response:
        return web.json_response(controller.health())

    async def reset(request: web.Request) -> web.Response:
        controller.reset()
        return web.json_response({"status": "reset"})

    async def accounts(request: web.Request) -> web.Response:
        try:
            data = await _json(request)
            name = str(data.pop("name"))
            return web.json_response(controller.create_account(name, **data), status=201)
        except (KeyError, TypeError, ValueError) as exc:
            return _bad(f"bad account request: {exc}")

    async def illusts(request: web.Request) -> web.Response:
        try:
            data = await _json(request)
            user_id = int(data.pop("user_id"))
            return web.json_response(controller.add_illustration(user_id, **data), status=201)
        except (KeyError, TypeError, ValueError) as exc:
            return _bad(f"bad illustration request: {exc}")

    async def novels(request: web.Request) -> web.Response:
        try:
            data = await _json(request)
            user_id = int(data.pop("user_id"))
            return web.json_response(controller.add_novel(user_id, **data), status=201)
        except (KeyError, TypeError, ValueError) as exc:
            return _bad(f"bad novel request: {exc}")

    async def expire(request: web.Request) -> web.Response:
        return web.json_response({"expired": controller.expire_tokens()})

    async def code(request: web.Request) -> web.Response:
        try:
            data = await _json(request)
            issued = controller.issue_authorization_code(
                str(data["code_challenge"]),
                data.get("user"),
                str(data.get("code_challenge_method", "S256")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            return _bad(f"bad code request: {exc}")
        return web.json_response({"code": issued}, status=201)

    return [
        web.get("/_emulator/health", health),
        web.post("/_emulator/reset", reset),
        web.post("/_emulator/accounts", accounts),
        web.post("/_emulator/illusts", illusts),
        web.post("/_emulator/novels", novels),
        web.post("/_emulator/tokens/expire", expire),
        web.post("/_emulator/auth/code", code),
    ]
