"""What every handler shares: the flavour, the dataset, the stored state, response helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from .accounts import Account, Accounts
from .dataset import Dataset
from .state import State

__all__ = [
    "DDOS_GUARD_HINT",
    "DDOS_GUARD_PAGE",
    "Context",
    "bad_request",
    "error",
    "parse_offset",
]

# Live: an API request without ``Accept: text/css`` gets 403 from DDoS-Guard with a short
# plain-text hint as application/octet-stream (~190 bytes; the wording here is ours).
DDOS_GUARD_HINT = (
    "DDoS-Guard: this API answers only requests that send the header 'Accept: text/css'.\n"
    "Browsers and scrapers without it are refused. "
    "Add the header to your client and try the request again.\n"
)

DDOS_GUARD_PAGE = (
    "<!DOCTYPE html><html><head><title>DDoS-Guard</title></head><body>"
    "<h1>Checking your browser before accessing the site.</h1>"
    "<p>This process is automatic. DDoS protection by DDoS-Guard.</p></body></html>"
)


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


def error(ctx: Context, status: int, message: str) -> web.Response:
    """``{"error": "..."}`` with the flavour's content type (§1)."""
    return ctx.json({"error": message}, status)


def bad_request(ctx: Context, message: str) -> web.Response:
    return error(ctx, 400, message)


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
