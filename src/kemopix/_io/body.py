"""Counting body bytes against Content-Length, shared by both transports."""

from __future__ import annotations

from collections.abc import Mapping

from .._protocol.errors import TruncatedBody

__all__ = ["BodyCounter"]


class BodyCounter:
    """Detects a body that ends early (or runs long) against its declared Content-Length."""

    __slots__ = ("expected", "received", "url")

    def __init__(self, url: str, headers: Mapping[str, str], method: str) -> None:
        self.url = url
        self.received = 0
        length = headers.get("content-length")
        encoded = headers.get("content-encoding", "identity").lower() not in ("", "identity")
        self.expected: int | None = None
        if method != "HEAD" and length is not None and length.isdigit() and not encoded:
            self.expected = int(length)

    def add(self, size: int) -> None:
        self.received += size

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
