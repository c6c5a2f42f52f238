"""What every account kind shares: login, registration, logout, password, favorites, lookups."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from kemopix._protocol.raw import HasRaw, RawRef
from kemopix.sites.kemono import accounts as account_flows
from kemopix.sites.kemono.models import Account as WireAccount

from .. import _lookups
from .._dates import to_date
from .._raw import account_of, listed
from ..creators.creators import Creator
from ..exceptions.roles import InvalidRole
from ..posts.posts import Post, PostID
from ..services.services_enum import ServiceLike
from ..sessions.session import KemoSession
from .role import AccountRole

__all__ = ["AccountDict", "_AccountBase", "_AccountParams", "_ConsumerMixin", "_login_answer"]

AccountDict = dict[str, object]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def _login_answer(ks: KemoSession, user: str, password: str) -> tuple[WireAccount, RawRef]:
    """Log in: the account the site answered, and where its JSON is (credentials left out)."""
    wire, body = await ks.run_raw(account_flows.login(ks.site, user, password))
    return wire, body.at(account_of)


@dataclass(kw_only=True, repr=False)
class _AccountParams:
    id: int
    username: str
    created_at: datetime
    session: KemoSession


class _AccountBase(_AccountParams, HasRaw, ABC):
    """An account signed in through its own ``session``; use ``login``/``register``.

    ``raw`` is the account object of the login answer (never a password or the cookie).
    """

    @staticmethod
    @abstractmethod
    def role() -> AccountRole:
        """Tries to describe this account's rank."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, username={self.username!r})"

    @classmethod
    def _from_wire(cls, wire: WireAccount, ks: KemoSession, raw: RawRef | None = None) -> Self:
        created = to_date(wire.created_at) or _EPOCH
        account = cls(id=wire.id, username=wire.username, created_at=created, session=ks)
        return account._keep_raw(raw)

    @classmethod
    async def login(cls, user: str, password: str, session: KemoSession | None = None) -> Self:
        """Log in as ``user``; a session is made when none is given (and closed on failure).

        Raises ``InvalidLogin`` (400), ``AlreadyLoggedIn`` (409), ``LoginError`` (others) and
        ``InvalidRole`` when the account's role is not ``cls.role()``.
        """
        ks = session if session is not None else KemoSession()
        try:
            wire, raw = await _login_answer(ks, user, password)
            role = AccountRole.parse(wire.role)
            if role is not cls.role():
                raise InvalidRole(
                    f"account {wire.username!r} is a {role.value}, not a {cls.role().value}"
                )
            return cls._from_wire(wire, ks, raw)
        except BaseException:
            if session is None:
                await ks.close()
            raise

    @classmethod
    async def register(cls, user: str, password: str) -> Self:
        """Register ``user`` on the default site, then log in (``InvalidRegister`` on 400)."""
        ks = KemoSession()
        try:
            await ks.run(account_flows.register(ks.site, user, password))
        except BaseException:
            await ks.close()
            raise
        return await cls._login_owned(user, password, ks)

    @classmethod
    async def _login_owned(cls, user: str, password: str, ks: KemoSession) -> Self:
        try:
            return await cls.login(user, password, ks)
        except BaseException:
            await ks.close()
            raise

    async def logout(self) -> None:
        """Log out of the session, then close it."""
        try:
            if not self.session.closed:
                await self.session.run(account_flows.logout(self.session.site))
        finally:
            await self.session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.logout()

    async def change_password(
        self, current_password: str, new_password: str, close_on_fail: bool = True
    ) -> None:
        """Change the password; on refusal raise ``PasswordChangeError`` (a PyKemoException),
        logging out and closing the session first when ``close_on_fail``."""
        ks = self.session
        try:
            await ks.run(account_flows.change_password(ks.site, current_password, new_password))
        except BaseException:
            if close_on_fail:
                try:
                    await self.logout()
                except Exception:  # the original error matters more than the logout's
                    pass
            raise


class _ConsumerMixin(_AccountBase):
    """What every logged-in account can do."""

    async def favorite_creators(self) -> list[Creator]:
        """This account's favorite creators (the favorites answer already holds profiles)."""
        ks = self.session
        wires, body = await ks.run_raw(account_flows.favorite_creators(ks.site))
        return [Creator.from_wire(w, ks)._keep_raw(r, n) for w, r, n in listed(wires, body)]

    async def favorite_artists(self) -> list[Creator]:
        """Alias for :meth:`favorite_creators`."""
        return await self.favorite_creators()

    async def favorite_posts(self) -> list[Post]:
        """This account's favorite posts."""
        ks = self.session
        wires, body = await ks.run_raw(account_flows.favorite_posts(ks.site))
        return [Post.from_wire(w, ks)._keep_raw(r, n) for w, r, n in listed(wires, body)]

    async def get_creator(self, service: ServiceLike, creator_id: str) -> Creator | None:
        """A creator through this account's session; None when not found."""
        return await Creator.from_profile(service, creator_id, self.session)

    async def get_post(self, service: ServiceLike, post_id: PostID) -> Post | None:
        """A post by service and id; None when not found."""
        return await _lookups.find_post(self.session, service, post_id)

    async def random_creator(self) -> Creator | None:
        """A random creator, or None."""
        return await _lookups.random_creator(self.session)

    async def random_post(self) -> Post | None:
        """A random post, or None."""
        return await _lookups.random_post(self.session)
