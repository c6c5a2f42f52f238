"""What Client and AsyncClient share: the site, the tokens and the seed's attributes."""

from __future__ import annotations

from kemopix._protocol.config import Config
from kemopix._protocol.secrets import Secret
from kemopix.sites.pixiv import PIXIV, PixivAuth, PixivSite

from .models import Account

__all__ = ["SEED_CLIENT_ID", "SEED_CLIENT_SECRET", "ClientState"]

# The seed's defaults. The 0.2.1 docs print "...MbNIUGP"; the seed's source, which pixiv
# accepted, has a lowercase "l" (pixiv-protocol.md §1.3).
SEED_CLIENT_ID = "KzEZED7aC0vird8jWyHM38mXjNTY"
SEED_CLIENT_SECRET = "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNlUGP"


class ClientState:
    """The seed's attributes over a ``PixivSite`` (configuration) and a ``PixivAuth`` (tokens).

    ``language``, ``client_id`` and ``client_secret`` may be changed at any time; the tokens
    are kept as ``Secret`` values and revealed only through ``access_token``/``refresh_token``.
    """

    _site: PixivSite
    _auth: PixivAuth
    _config: Config
    _account: tuple[object, Account] | None = None

    def _init_state(
        self,
        language: str,
        client_id: str,
        client_secret: str,
        site: PixivSite | None,
        config: Config | None,
    ) -> None:
        base = site or PixivSite.from_env()
        self._site = base.replace(
            language=language, client_id=client_id, client_secret=client_secret
        )
        self._auth = PixivAuth()
        self._config = config or PIXIV

    # -- configuration ------------------------------------------------------------------------
    @property
    def site(self) -> PixivSite:
        """Hosts and identity (``PixivSite.from_env()`` unless given)."""
        return self._site

    @site.setter
    def site(self, site: PixivSite) -> None:
        self._site = site

    @property
    def language(self) -> str:
        return self._site.language or ""

    @language.setter
    def language(self, value: str) -> None:
        self._site = self._site.replace(language=value)

    @property
    def client_id(self) -> str:
        return self._site.client_id

    @client_id.setter
    def client_id(self, value: str) -> None:
        self._site = self._site.replace(client_id=value)

    @property
    def client_secret(self) -> str:
        return self._site.client_secret

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self._site = self._site.replace(client_secret=value)

    # -- tokens -------------------------------------------------------------------------------
    @property
    def access_token(self) -> str | None:
        """The access token used to authorize requests (renewed automatically on expiry)."""
        return self._auth.bearer()

    @access_token.setter
    def access_token(self, value: str | None) -> None:
        self._auth.access_token = Secret(value) if value else None
        self._auth.expires_at = None
        self._auth.generation += 1

    @property
    def refresh_token(self) -> str | None:
        """The refresh token used to obtain new access tokens."""
        token = self._auth.refresh_token
        return token.reveal() if token else None

    @refresh_token.setter
    def refresh_token(self, value: str | None) -> None:
        self._auth.refresh_token = Secret(value) if value else None

    @property
    def account(self) -> Account | None:
        """Basic details of the logged in account (from the last token answer)."""
        user = self._auth.user
        if user is None:
            return None
        if self._account is None or self._account[0] is not user:
            self._account = (user, Account.from_token_user(user, self._auth.user_json))
        return self._account[1]

    def __repr__(self) -> str:
        state = "authenticated" if self._auth.access_token else "not authenticated"
        return f"<{type(self).__name__} {self._site.api_url} {state}>"
