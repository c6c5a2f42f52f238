"""The Kemono emulator's error answers: ``{"error": ...}`` bodies (kemono-protocol.md §1), the
DDoS-Guard refusals, and the data hosts' nginx pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    "DDOS_GUARD_HINT",
    "DDOS_GUARD_PAGE",
    "FILE_429",
    "NOT_FOUND_BODY",
    "bad_request",
    "error",
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

# What the data servers' nginx answers when it limits a client (the body is nginx's own page).
FILE_429 = (
    "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n"
    "<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
NOT_FOUND_BODY = b"not found"  # §6.8: the 9-byte body of a missing file


def error(ctx: Context, status: int, message: str) -> web.Response:
    """``{"error": "..."}`` with the flavour's content type (§1)."""
    return ctx.json({"error": message}, status)


def bad_request(ctx: Context, message: str) -> web.Response:
    """A 400 with ``message``."""
    return error(ctx, 400, message)
