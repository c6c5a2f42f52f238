"""The pixiv access token kept between runs, so a run does not start with a token exchange.

pixiv's access tokens live an hour (``expires_in``); trading the refresh token for one is a
round trip to the OAuth host before the first API call, on every run. The token a run got is
kept in ``<cache>/pixiv-access-token.json`` (0600: it is a credential, like the refresh token),
tied to the refresh token it came from and to the hosts it is for (a hash of the three, never
the refresh token itself). The next run with the same login and hosts uses it until a minute
before its expiry; if pixiv refuses it sooner (revoked), the ordinary renewal takes over
(:func:`kemopix.sites.pixiv.auth.authorized`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from pathlib import Path

from ..._dirs import write_private_json
from ..._protocol.secrets import Secret
from ...sites.pixiv import PixivAuth, PixivSite
from ...sites.pixiv.auth import EXPIRY_MARGIN

__all__ = ["TOKEN_CACHE", "load_access_token", "save_access_token"]

TOKEN_CACHE = "pixiv-access-token.json"


def _owner(site: PixivSite, refresh_token: str) -> str:
    text = f"{site.oauth_url}\n{site.api_url}\n{refresh_token}"
    return hashlib.sha256(text.encode()).hexdigest()


def load_access_token(path: Path, site: PixivSite, auth: PixivAuth) -> bool:
    """Give ``auth`` the access token kept at ``path`` for its refresh token and ``site``, if
    it has more than a minute left; whether it did."""
    if auth.refresh_token is None or auth.access_token is not None:
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or data.get("owner") != _owner(site, auth.refresh_token.reveal()):
        return False
    token, expires = data.get("access_token"), data.get("expires_at")
    if not isinstance(token, str) or not token or not isinstance(expires, int | float):
        return False
    left = float(expires) - time.time()
    if left <= EXPIRY_MARGIN:
        return False
    auth.access_token = Secret(token)
    auth.expires_at = auth.clock() + left
    return True


def save_access_token(path: Path, site: PixivSite, auth: PixivAuth, refresh_token: str) -> None:
    """Keep ``auth``'s access token at ``path`` (0600, atomically) for the runs that start with
    ``refresh_token``; best effort: a cache that cannot be written costs the next run a token
    exchange, nothing else."""
    if auth.access_token is None or auth.expires_at is None:
        return
    left = auth.expires_at - auth.clock()
    if left <= EXPIRY_MARGIN:
        return
    data = {
        "owner": _owner(site, refresh_token),
        "access_token": auth.access_token.reveal(),
        "expires_at": time.time() + left,
    }
    with contextlib.suppress(OSError):
        write_private_json(path, data, durable=False)
