"""Today's pixiv login (PKCE) and the saved refresh token.

pixiv removed the password grant in 2021. The way in now (pixiv-protocol.md §1.3)::

    url, verifier = pkce_login_url()      # open url in a browser and log in
    # the browser ends on ...callback?code=XYZ (pixiv://account/login?code=XYZ): copy XYZ fast,
    # it lives about 30 seconds
    refresh_token = exchange_code("XYZ", verifier)
    save_refresh_token(refresh_token)     # 0600 file under the user's config folder

    client = Client(client_id=PKCE_CLIENT_ID, client_secret=PKCE_CLIENT_SECRET)
    client.authenticate(load_refresh_token())

The token file is ``<config>/pixiv-token.json`` where ``<config>`` is ``$KEMOPIX_CONFIG_DIR``
or ``platformdirs.user_config_dir("kemopix")``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from kemopix._dirs import CONFIG_DIR_ENV, config_dir, write_private_json
from kemopix.sites.pixiv import PIXIV, PKCE_CLIENT_ID, PKCE_CLIENT_SECRET, PixivSite, make_pkce
from kemopix.sites.pixiv import code_grant as _code_grant

if TYPE_CHECKING:
    from kemopix._protocol.config import Config

# The transports (requests, aiohttp) and the error map are imported by the two functions that
# talk to pixiv: reading the saved token (every `kemopix download` of pixiv) needs neither.

__all__ = [
    "CONFIG_DIR_ENV",
    "PKCE_CLIENT_ID",
    "PKCE_CLIENT_SECRET",
    "TOKEN_FILE",
    "config_dir",
    "delete_refresh_token",
    "exchange_code",
    "exchange_code_async",
    "load_refresh_token",
    "pkce_login_url",
    "save_refresh_token",
    "token_path",
]

TOKEN_FILE = "pixiv-token.json"


def pkce_login_url(site: PixivSite | None = None) -> tuple[str, str]:
    """``(login_url, code_verifier)``: open the URL, keep the verifier for ``exchange_code``."""
    pkce = make_pkce(site or PixivSite.from_env())
    return pkce.url, pkce.verifier


def _code(code: str) -> str:
    # Accept the whole callback URL as well as the bare code.
    code = code.strip()
    if "code=" in code:
        values = parse_qs(urlsplit(code).query).get("code")
        if values:
            return values[0]
    return code


def exchange_code(
    code: str, verifier: str, *, site: PixivSite | None = None, config: Config | None = None
) -> str:
    """Trade the login ``code`` (or the callback URL holding it) for a refresh token.

    :raises LoginError: If pixiv refuses the code (wrong verifier, or older than ~30 s).
    """
    from kemopix._io import RequestsTransport, SyncRunner

    from .errors import ERROR_MAP

    site = site or PixivSite.from_env()
    runner = SyncRunner(RequestsTransport(config or PIXIV), errors=ERROR_MAP)
    try:
        return runner.run(_code_grant(site, _code(code), verifier)).refresh_token
    finally:
        runner.close()


async def exchange_code_async(
    code: str, verifier: str, *, site: PixivSite | None = None, config: Config | None = None
) -> str:
    """The coroutine twin of :func:`exchange_code`."""
    from kemopix._io import AiohttpTransport, AsyncRunner

    from .errors import ERROR_MAP

    site = site or PixivSite.from_env()
    runner = AsyncRunner(AiohttpTransport(config or PIXIV), errors=ERROR_MAP)
    try:
        token = await runner.run(_code_grant(site, _code(code), verifier))
    finally:
        await runner.aclose()
    return token.refresh_token


def token_path() -> Path:
    return config_dir() / TOKEN_FILE


def save_refresh_token(token: str) -> Path:
    """Store the refresh token in a file only the user can read (0600); returns its path."""
    if not token or not token.strip():
        raise ValueError("empty refresh token")
    return write_private_json(token_path(), {"refresh_token": token.strip()})


def load_refresh_token() -> str | None:
    """The saved refresh token, or None when there is none (or the file is unreadable)."""
    try:
        data = json.loads(token_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = data.get("refresh_token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def delete_refresh_token() -> bool:
    """Forget the saved token; True if there was one."""
    try:
        token_path().unlink()
    except FileNotFoundError:
        return False
    return True
