"""The quality ladder: the original when its host serves it, else the thumbnail, else nothing.

Since April 2026 kemono.cr's data hosts fail at the connection level (resets, refusals, TLS
EOFs) while its image host still serves thumbnails. A per-host circuit breaker
(:class:`Breaker`, consulted by the downloader's ``Traffic`` around every file request) stops
hammering a host that is down: after a few connection-level failures in a row and no answer
in between, requests to it fail at once with :class:`HostDown` until a short re-probe lets one
through. The fetcher then takes the thumbnail where one exists (checked for size and image
decode, since it cannot be checked by SHA-256) or records the original as unavailable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit

from msgspec import Struct

from .._protocol.errors import (
    ConnectError,
    IntegrityError,
    KemopixError,
    NetworkError,
    TransportError,
)
from .._protocol.http import Request

__all__ = [
    "QUALITIES",
    "Breaker",
    "HostDown",
    "Quality",
    "check_thumbnail",
    "host_failure",
    "thumbnail_path",
]

Quality = Literal["original", "thumbnail", "auto"]
QUALITIES: tuple[str, ...] = get_args(Quality)

TRIP_AFTER = 3  # connection-level failures in a row (no answer between) that open a host
REPROBE_AFTER = 5.0  # seconds an open host refuses requests before one probe may go through
THUMBNAIL_SUFFIX = ".thumbnail.jpg"  # where a replaced thumbnail is kept with keep_thumbnails


class HostDown(TransportError):
    """The file host is down (its circuit is open): the request was not sent.

    A ``TransportError`` that is neither a ``ConnectError`` nor a ``NetworkError``, so the
    retry policy does not retry it: an in-flight retry stops at its next attempt.
    """


def host_failure(exc: BaseException) -> bool:
    """A connection-level failure: refused, reset, TLS EOF, or a host known to be down.

    An HTTP answer (404, 403, 5xx) is not one: the host is up, that file is the problem.
    """
    return isinstance(exc, (ConnectError, NetworkError, HostDown))


class _Circuit(Struct):
    failures: int = 0
    open_until: float | None = None
    reason: str = ""


class Breaker:
    """Per-host circuit breaker for file requests (one per run, pure: times are given).

    The key is the host and the first path segment (``n1.kemono.cr/data``,
    ``kemono.cr/thumbnail``): a site redirecting ``/data`` to a dead host does not take its
    ``/thumbnail`` redirect down with it.
    """

    def __init__(self, trip_after: int = TRIP_AFTER, reprobe_after: float = REPROBE_AFTER) -> None:
        self.trip_after = trip_after
        self.reprobe_after = reprobe_after
        self._circuits: dict[str, _Circuit] = {}

    @staticmethod
    def key(request: Request) -> str:
        path = urlsplit(request.url).path.lstrip("/")
        return f"{request.host}/{path.split('/', 1)[0]}"

    def check(self, request: Request, now: float) -> None:
        """Raise :class:`HostDown` when ``request``'s host is open; after ``reprobe_after``
        seconds one request goes through as a probe (the others wait for its outcome)."""
        if not self._circuits:
            return  # every host up: no key to work out
        circuit = self._circuits.get(self.key(request))
        if circuit is None or circuit.open_until is None:
            return
        if now < circuit.open_until:
            raise HostDown(f"{request.host} is down ({circuit.reason})", url=request.url)
        circuit.open_until = now + self.reprobe_after  # this one is the probe

    def observe(self, request: Request, outcome: object, now: float) -> None:
        """Learn from an attempt's outcome (a ``Response`` or an error)."""
        if isinstance(outcome, KemopixError) and host_failure(outcome):
            circuit = self._circuits.setdefault(self.key(request), _Circuit())
            circuit.failures += 1
            circuit.reason = str(outcome)[:120]
            if circuit.failures >= self.trip_after:
                circuit.open_until = now + self.reprobe_after
        elif outcome is not None and not isinstance(outcome, KemopixError) and self._circuits:
            self._circuits.pop(self.key(request), None)  # an answer: the host is up

    def is_open(self, request: Request) -> bool:
        circuit = self._circuits.get(self.key(request))
        return circuit is not None and circuit.open_until is not None


def thumbnail_path(path: Path) -> Path:
    """Where a replaced thumbnail is kept beside its original (``--keep-thumbnails``)."""
    return path.with_name(path.name + THUMBNAIL_SUFFIX)


def check_thumbnail(path: Path) -> None:
    """A thumbnail cannot be checked by SHA-256: it must be non-empty and decode as an image.

    Raises ``IntegrityError`` otherwise.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        if path.stat().st_size == 0:
            raise IntegrityError(f"empty thumbnail: {path.name}")
        with Image.open(path) as image:
            image.load()
            if image.width < 1 or image.height < 1:
                raise IntegrityError(f"thumbnail without pixels: {path.name}")
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise IntegrityError(f"thumbnail does not decode as an image: {exc}") from exc
