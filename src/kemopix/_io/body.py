"""Counting body bytes against Content-Length and the response limits, for both transports."""

from __future__ import annotations

from collections.abc import Mapping

from .._protocol.errors import TruncatedBody
from .._protocol.limits import Limits

__all__ = ["BodyCounter"]


class BodyCounter:
    """Detects a body that ends early (or runs long) against its declared Content-Length, and
    one that grows past ``limits`` (``in_memory``: the answer is kept, not streamed to a sink)."""

    __slots__ = ("_cap", "encoded", "expected", "fits", "in_memory", "limits", "received", "url")

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str],
        method: str,
        limits: Limits | None = None,
        *,
        in_memory: bool = False,
    ) -> None:
        self.url = url
        self.received = 0
        self.limits = limits
        self.in_memory = in_memory
        encoding = headers.get("content-encoding")
        encoded = self.encoded = encoding is not None and encoding.lower() not in ("", "identity")
        expected = None
        if not encoded and method != "HEAD":
            length = headers.get("content-length")
            if length is not None and length.isdigit():
                expected = int(length)
        self.expected = expected
        # The size cap that applies (Limits.check_size's choice), so that a chunk under it
        # costs no call.
        cap = None
        if limits is not None:
            cap = limits.body if in_memory else (limits.inflated if encoded else None)
        self._cap = cap
        # An answer held in memory whose declared length is within its cap: one read is safe.
        self.fits = in_memory and expected is not None and (cap is None or expected <= cap)

    def add(self, size: int) -> None:
        self.received += size
        if self._cap is not None and self.received > self._cap:
            assert self.limits is not None
            self.limits.check_size(
                self.received, in_memory=self.in_memory, encoded=self.encoded, url=self.url
            )

    def broken(self) -> TruncatedBody:
        """The error for a body the connection cut short."""
        return TruncatedBody(
            "connection closed before the body was complete",
            url=self.url,
            expected=self.expected if self.expected is not None else -1,
            received=self.received,
        )

    def finish(self) -> None:
        if self.expected is not None and self.received != self.expected:
            raise TruncatedBody(
                "body length differs from Content-Length",
                url=self.url,
                expected=self.expected,
                received=self.received,
            )
