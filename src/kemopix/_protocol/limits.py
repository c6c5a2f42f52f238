"""Bounds on one response: what a broken or hostile server may make a client spend.

An endless body, a gzip/deflate/br bomb or a body dripping one byte a minute each end in a
typed error (``ResponseTooLarge``, ``ResponseTooSlow``) instead of filling memory or hanging.
The transports count the decoded bytes as they arrive and call :meth:`Limits.check_size` and
:meth:`Limits.check_time`; the decoders of aiohttp and urllib3 inflate a chunk at a time, so a
bomb is stopped after at most one chunk beyond the cap.
"""

from __future__ import annotations

from msgspec import Struct

from .errors import ResponseTooLarge, ResponseTooSlow

__all__ = ["MIB", "Limits"]

MIB = 1 << 20


class Limits(Struct, frozen=True):
    """Caps per response (None: no cap).

    ``body``: decoded bytes of an answer held in memory (API JSON); 256 MiB holds the
    300,000-creator list several times over. ``inflated``: decoded bytes of a compressed body
    streamed to a file (downloads are not held in memory, so only decompression is capped).
    ``time``: seconds from sending to the last byte of an answer held in memory (downloads
    are bounded by ``Timeout.total`` instead, None by default: a large file on a slow link
    is not an attack).
    """

    body: int | None = 256 * MIB
    inflated: int | None = 1024 * MIB
    time: float | None = 300.0

    def __post_init__(self) -> None:
        for name in ("body", "inflated", "time"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"Limits.{name} must be more than 0 (or None), got {value}")

    def check_size(self, received: int, *, in_memory: bool, encoded: bool, url: str) -> None:
        """Raise ``ResponseTooLarge`` once ``received`` decoded bytes break a cap."""
        cap = self.body if in_memory else (self.inflated if encoded else None)
        if cap is not None and received > cap:
            what = "answer" if in_memory else "compressed body"
            raise ResponseTooLarge(
                f"{what} larger than {_size(cap)} (Limits.{'body' if in_memory else 'inflated'})",
                url=url,
                limit=cap,
            )

    def check_time(self, elapsed: float, *, url: str) -> None:
        """Raise ``ResponseTooSlow`` once an in-memory answer took longer than ``time``."""
        if self.time is not None and elapsed > self.time:
            raise ResponseTooSlow(
                f"no complete answer within {self.time:g}s (Limits.time)", url=url, limit=self.time
            )


def _size(count: int) -> str:
    return f"{count / MIB:g} MiB" if count >= MIB else f"{count} bytes"
