"""What every handler shares: the flavour, the dataset, the stored state, the JSON answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from .accounts import Account, Accounts
from .dataset import Dataset
from .state import State

__all__ = ["Context", "parse_offset"]


@dataclass
class Context:
    """Shared by the route modules; ``state`` and ``accounts`` are replaced when the database is
    reopened (a restart after :meth:`KemonoEmulator.stop`)."""

    flavour: str
    dataset: Dataset
    state: State
    accounts: Accounts
    host_for: Callable[[str], str] = field(default=lambda path: "")

    @property
    def modern(self) -> bool:
        """kemono/coomer answer the 2025 shapes; pawchive the older ones (§10)."""
        return self.flavour != "pawchive"

    def json(self, data: Any, status: int = 200) -> web.Response:
        return self.raw_json(msgspec.json.encode(data), status)

    def raw_json(self, body: bytes, status: int = 200) -> web.Response:
        # kemono-protocol.md §1/§6.1: kemono and coomer serve JSON as text/css.
        ctype = "text/css" if self.modern else "application/json"
        return web.Response(body=body, status=status, content_type=ctype, charset="utf-8")

    def account(self, request: web.Request) -> Account | None:
        return self.accounts.account_for(request.cookies.get("session"))


def parse_offset(request: web.Request, step: int) -> int | None:
    """``o`` as an int multiple of ``step`` (None when malformed: the caller answers 400)."""
    raw = request.query.get("o", "0") or "0"
    try:
        offset = int(raw)
    except ValueError:
        return None
    if offset < 0 or offset % step:
        return None
    return offset
