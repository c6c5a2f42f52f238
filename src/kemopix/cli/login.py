"""``kemopix login pixiv`` (PKCE, refresh token) and ``kemopix login kemono`` (session cookie).

Credentials go to private files (0600) in the config folder: pixiv's refresh token through
``pixivapi.auth``; Kemono-compatible session cookies in ``kemono-sessions.json``, one per site.
They are never printed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from .._protocol.errors import InvalidInput, Unauthorized
from .config import load_config, read_secret_file, write_secret_file
from .echo import echo
from .settings import origins_for

__all__ = ["SESSIONS_FILE", "kemono_session", "login_command"]

SESSIONS_FILE = "kemono-sessions.json"


def kemono_session(site: str) -> str | None:
    """The stored session cookie for ``site`` (kemono, coomer, pawchive), if any."""
    entry = read_secret_file(SESSIONS_FILE).get(site)
    if isinstance(entry, dict):
        value = entry.get("session")
        return value if isinstance(value, str) and value else None
    return None


def _store_session(site: str, origin: str | None, cookie: str) -> str:
    data = read_secret_file(SESSIONS_FILE)
    data[site] = {"origin": origin, "session": cookie}
    return str(write_secret_file(SESSIONS_FILE, data))


def _ask(prompt: str, instead: str) -> str:
    """A line typed by the user; a closed stdin is a usage error naming the other way."""
    try:
        return input(prompt).strip()
    except EOFError:
        raise InvalidInput(f"standard input is closed, nothing to read: {instead}") from None


def _pixiv(args: argparse.Namespace) -> int:
    from pixivapi.auth import exchange_code, pkce_login_url, save_refresh_token

    from .._io import RequestsTransport, SyncRunner
    from ..sites.pixiv import PIXIV, PixivSite, refresh_grant

    config = load_config(Path(args.config) if args.config else None)
    origins = origins_for(args, config)
    url = origins.extra.get("pixiv")
    site = PixivSite.at(url) if url else PixivSite.from_env()
    if args.refresh_token:
        runner = SyncRunner(RequestsTransport(PIXIV))
        try:
            token = runner.run(refresh_grant(site, args.refresh_token.strip()))
        finally:
            runner.close()
        path = save_refresh_token(token.refresh_token)
    else:
        login_url, verifier = pkce_login_url(site)
        echo(
            "1. Open this address in a browser and log in to pixiv:\n\n"
            f"   {login_url}\n\n"
            "2. The last page (…/callback?…code=XXXX) fails to open: copy its address or the\n"
            "   code quickly (it expires in about 30 seconds) and paste it here.",
            file=sys.stderr,
        )
        code = _ask("code: ", "run it in a terminal, or give --refresh-token TOKEN")
        if not code:
            raise InvalidInput("no code given")
        path = save_refresh_token(exchange_code(code, verifier, site=site))
    if not args.quiet:
        echo(f"pixiv: logged in; refresh token stored in {path}")
    return 0


def _kemono(args: argparse.Namespace) -> int:
    site = args.kemono_site
    config = load_config(Path(args.config) if args.config else None)
    origin = origins_for(args, config).extra.get(site)
    if args.session:
        cookie = args.session.strip()
    else:
        username = args.username or _ask(
            "username: ", "give --username NAME and --password-stdin, or --session COOKIE"
        )
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("password: ")
        if not username or not password:
            raise InvalidInput("a username and a password are needed")
        cookie = _kemono_login(site, args, username, password)
    if not cookie:
        raise Unauthorized(f"{site}: the site gave no session cookie", status=401)
    path = _store_session(site, origin, cookie)
    if not args.quiet:
        echo(f"{site}: logged in; session stored in {path}")
    return 0


def _kemono_login(site: str, args: argparse.Namespace, username: str, password: str) -> str:
    from .._io import RequestsTransport, SyncRunner
    from .._protocol.config import KEMONO_CONFIG
    from ..downloader.sources.kemono import kemono_site, login_flow
    from ..sites.kemono import LoginFailed

    config = load_config(Path(args.config) if args.config else None)
    runner = SyncRunner(RequestsTransport(KEMONO_CONFIG))
    try:
        target = kemono_site(site, origins_for(args, config))
        return runner.run(login_flow(target, username, password))
    except LoginFailed as exc:
        # A refused login is an authentication failure (exit 3), whatever status it came with.
        raise Unauthorized(f"{site}: {exc}", status=exc.status, url=exc.url) from exc
    finally:
        runner.close()


def login_command(args: argparse.Namespace) -> int:
    if args.site == "pixiv":
        return _pixiv(args)
    return _kemono(args)
