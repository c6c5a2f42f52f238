"""Logging in: the seed's ``login`` and ``authenticate``, and the PKCE ``exchange_code``."""

from __future__ import annotations

from kemopix._protocol.errors import KemopixError
from kemopix._protocol.flow import Flow

from .. import _ops
from .._backends import AsyncBackend
from ..errors import LoginError, PixivLoginFailed

__all__ = ["Login"]


class Login(AsyncBackend):
    """The token methods; every failure is a ``LoginError``."""

    async def _login(self, flow: Flow[None]) -> None:
        try:
            await self._run(flow)
        except LoginError:
            raise
        except KemopixError as exc:
            raise PixivLoginFailed(f"login failed: {exc}") from exc

    async def login(self, username: str, password: str) -> None:
        """Log in with username and password (the ``password`` grant, which pixiv turned off in
        2021; servers that still take it, like the emulator, do).

        :raises LoginError: If login fails.
        """
        await self._login(_ops.login(self, username, password))

    async def authenticate(self, refresh_token: str) -> None:
        """Use a refresh token to obtain a new access token. Assigns both tokens.

        :raises LoginError: If authentication fails.
        """
        await self._login(_ops.authenticate(self, refresh_token))

    async def exchange_code(self, code: str, code_verifier: str) -> None:
        """Finish a PKCE login (see ``pixivapi.auth.pkce_login_url``): assigns both tokens.

        :raises LoginError: If the code is refused (it lives about 30 seconds).
        """
        await self._login(_ops.exchange_code(self, code, code_verifier))
