"""https through the async transport, in the ``kemopix`` command's lean process (aiohttp imported
without its own TLS contexts, kemopix's context made on the first https request): against a
local TLS server with a certificate made for the test, each in a fresh interpreter."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

# Prints {"status": ..., "error": ...} of one GET through AiohttpTransport, then whether the
# ssl module came back whole after the lean import, and what aiohttp's own context does.
_PROBE = """
import asyncio, json, ssl, sys
lean, verify, url = sys.argv[1] == "lean", sys.argv[2] == "verify", sys.argv[3]
if lean:
    from kemopix._tls import lean_process
    lean_process()
from kemopix._io import AiohttpTransport
from kemopix._protocol.config import Config
from kemopix._protocol.http import Request
from kemopix._protocol.errors import KemopixError
import aiohttp

async def ours():
    transport = AiohttpTransport(Config(verify=verify))
    try:
        response = await transport.send(Request("GET", url))
        return {"status": response.status, "body": response.content.decode()}
    except KemopixError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    finally:
        await transport.aclose()

async def aiohttp_own():
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status
    except aiohttp.ClientConnectorCertificateError:
        return "certificate refused"

out = asyncio.run(ours())
out["ssl_restored"] = (
    ssl.create_default_context.__module__ == "ssl"
    and "set_default_verify_paths" not in ssl.SSLContext.__dict__
)
out["aiohttp_own"] = asyncio.run(aiohttp_own())
print(json.dumps(out))
"""


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello over tls"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``(https URL, certificate file)`` of a server on 127.0.0.1 with a self-made certificate."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/", cert
    finally:
        server.shutdown()
        server.server_close()


def probe(mode: str, verify: bool, url: str, cert_file: Path | None = None) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("SSL_CERT_FILE", None)
    if cert_file is not None:
        env["SSL_CERT_FILE"] = str(cert_file)  # the system store, as OpenSSL reads it
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode, "verify" if verify else "no-verify", url],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("mode", ["lean", "plain"])
def test_an_unknown_certificate_is_refused_with_a_typed_error(
    tls_server: tuple[str, Path], mode: str
) -> None:
    url, _ = tls_server
    out = probe(mode, True, url)
    assert out["error"] == "ConnectError"
    assert "certificate" in str(out["message"]).lower()
    assert out["ssl_restored"] is True


@pytest.mark.parametrize("mode", ["lean", "plain"])
def test_a_certificate_the_store_trusts_is_accepted(
    tls_server: tuple[str, Path], mode: str
) -> None:
    url, cert = tls_server
    out = probe(mode, True, url, cert_file=cert)
    assert out["status"] == 200 and out["body"] == "hello over tls"


def test_without_verification_any_certificate_is_accepted(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    out = probe("lean", False, url)
    assert out["status"] == 200


def test_aiohttp_own_contexts_in_the_lean_process_fail_closed(
    tls_server: tuple[str, Path],
) -> None:
    """Code that bypasses kemopix's context in the command's process is refused, never let
    through unverified; outside it, aiohttp's own context reads the store as usual."""
    url, cert = tls_server
    assert probe("lean", True, url, cert_file=cert)["aiohttp_own"] == "certificate refused"
    assert probe("plain", True, url, cert_file=cert)["aiohttp_own"] == 200
