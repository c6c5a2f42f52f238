"""The sync transport: one ``send`` over a ``requests.Session``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from .._protocol.config import Config
from .._protocol.errors import (
    ConnectError,
    ConnectionRefused,
    ConnectTimeout,
    NetworkError,
    ReadTimeout,
    TransportError,
    TruncatedBody,
)
from .._protocol.http import Request, Response, Timeout
from .body import BodyCounter

__all__ = ["RequestsTransport"]

CHUNK = 1 << 20  # 1 MiB: halves the CPU per MB against 64 KiB (dependencies.md §2b)


class RequestsTransport:
    """Sends ``Request`` values with requests; owns (or borrows) the session."""

    def __init__(self, config: Config, session: requests.Session | None = None) -> None:
        self.config = config
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.session.headers.setdefault("User-Agent", config.user_agent)
        if session is None:
            self.session.headers["User-Agent"] = config.user_agent
            self.session.verify = config.verify
            if config.proxy:
                self.session.proxies = {"http": config.proxy, "https": config.proxy}

    def send(self, request: Request) -> Response:
        timeout = request.timeout or self.config.timeout
        started = time.monotonic()
        with _translated(request.url):
            raw = self.session.request(
                request.method,
                request.url,
                params=list(request.params) or None,
                headers=dict(request.headers),
                data=request.content,
                timeout=(timeout.connect, timeout.read),
                allow_redirects=request.follow_redirects,
                stream=True,
            )
            try:
                return self._read(request, raw, timeout, started)
            finally:
                raw.close()

    def _read(
        self, request: Request, raw: requests.Response, timeout: Timeout, started: float
    ) -> Response:
        headers = {k.lower(): v for k, v in raw.headers.items()}
        sink = request.sink if request.sink is not None and 200 <= raw.status_code < 300 else None
        limits = self.config.limits
        counter = BodyCounter(raw.url, headers, request.method, limits, in_memory=sink is None)
        parts: list[bytes] = []
        if sink is not None:
            sink.open(raw.status_code, headers)
            # Downloads fill 1 MiB chunks (half the CPU per MB of 64 KiB, dependencies.md §2b).
            chunks = raw.raw.stream(CHUNK, decode_content=True)
        else:
            # Answers: whatever has arrived, so a dripping body still meets the clock.
            chunks = iter(lambda: raw.raw.read1(CHUNK, decode_content=True), b"")
        try:
            for chunk in chunks:
                counter.add(len(chunk))
                if sink is not None:
                    sink.write(chunk)
                else:
                    parts.append(chunk)
                elapsed = time.monotonic() - started
                if timeout.total is not None and elapsed > timeout.total:
                    raise ReadTimeout(f"no complete answer within {timeout.total}s", url=raw.url)
                if sink is None:
                    limits.check_time(elapsed, url=raw.url)
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead) as exc:
            if isinstance(exc, urllib3.exceptions.IncompleteRead) or any(
                isinstance(arg, urllib3.exceptions.IncompleteRead) for arg in exc.args
            ):
                raise counter.broken() from exc
            raise
        except BaseException:
            parts.clear()  # the traceback keeps this frame: do not keep the bytes with it
            raise
        counter.finish()
        return Response(
            raw.status_code, headers, b"".join(parts), raw.url, request, counter.received
        )

    def close(self) -> None:
        if self._owns_session:
            self.session.close()


@contextmanager
def _translated(url: str) -> Iterator[None]:
    """Map requests/urllib3 failures to kemopix errors: the one place that knows them."""
    try:
        yield
    except (TransportError, TruncatedBody):
        raise
    except requests.exceptions.ConnectTimeout as exc:
        raise ConnectTimeout(f"connect timed out: {exc}", url=url) from exc
    except (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError) as exc:
        raise ReadTimeout(f"read timed out: {exc}", url=url) from exc
    except requests.exceptions.SSLError as exc:
        raise ConnectError(f"TLS failure: {exc}", url=url) from exc
    except requests.exceptions.ConnectionError as exc:
        if _is_connect_failure(exc):
            raise _connect_error(exc, url) from exc
        raise NetworkError(f"connection broken: {exc}", url=url) from exc
    except (
        urllib3.exceptions.ProtocolError,
        urllib3.exceptions.IncompleteRead,
        requests.exceptions.ChunkedEncodingError,
    ) as exc:
        raise NetworkError(f"connection broken mid-body: {exc}", url=url) from exc
    except requests.exceptions.InvalidURL as exc:
        raise ConnectError(f"invalid URL: {exc}", url=url) from exc
    except requests.exceptions.RequestException as exc:
        raise TransportError(f"request failed: {exc}", url=url) from exc


def _connect_error(exc: requests.exceptions.ConnectionError, url: str) -> ConnectError:
    """One short line naming the host, instead of urllib3's nested reprs."""
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    text = str(exc)
    if "Connection refused" in text or "Errno 111" in text:
        return ConnectionRefused(f"could not connect to {where}: connection refused", url=url)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return ConnectError(f"could not connect to {where}: unknown host", url=url)
    reason = text.rsplit(": ", 1)[-1].strip("')\" ") if ": " in text else text
    return ConnectError(f"could not connect to {where}: {reason}", url=url)


def _is_connect_failure(exc: requests.exceptions.ConnectionError) -> bool:
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    return isinstance(inner, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)) or (
        "Failed to establish a new connection" in str(exc)
    )
