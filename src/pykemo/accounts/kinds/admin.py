"""``Admin``: an administrator account."""

from __future__ import annotations

from collections.abc import Iterable

from kemopix.sites.kemono import accounts as account_flows
from kemopix.sites.kemono import creators as creator_flows

from ..._raw import items, without_secrets
from ...creators.creators import Creator
from ...services.services_enum import ServiceLike, service_value
from ..role import AccountRole
from ..view import AccountView
from .mod import _ModeratorMixin

__all__ = ["Admin", "CreatorID", "_AdministratorMixin"]

CreatorID = str


class _AdministratorMixin(_ModeratorMixin):
    async def change_roles(
        self, mod_ids: Iterable[CreatorID], cons_ids: Iterable[CreatorID]
    ) -> bool:
        """Make the accounts ``mod_ids`` moderators and ``cons_ids`` consumers.

        Raises ``InsufficientPrivileges`` unless the account is an administrator.
        """
        ks = self.session
        return await ks.run(account_flows.change_roles(ks.site, mod_ids, cons_ids))

    async def remove_creator(self, creator: Creator) -> bool:
        """Unlink ``creator`` from its linked accounts (administrator only)."""
        return await self.remove_creator_link(creator.service, creator.id)

    async def remove_creator_link(self, service: ServiceLike, creator_id: CreatorID) -> bool:
        """Unlink a creator known by service and id (administrator only)."""
        ks = self.session
        flow = creator_flows.delete_links(ks.site, service_value(service), str(creator_id))
        return await ks.run(flow)

    async def view_accounts(
        self,
        *,
        name: str | None = None,
        role: AccountRole | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[AccountView]:
        """Accounts filtered by name and role, one page of ``limit`` (administrator only).

        Raises ``ValueError`` when ``page`` or ``limit`` is 0 or less.
        """
        ks = self.session
        flow = account_flows.view_accounts(
            ks.site,
            name=name,
            role=None if role is None else AccountRole(role).value,
            page=page,
            limit=limit,
        )
        wires, body = await ks.run_raw(flow)
        return [
            AccountView.from_wire(w)._keep_raw(body.at(items("accounts"), n, without_secrets))
            for n, w in enumerate(wires)
        ]


class Admin(_AdministratorMixin):
    """An administrator account. Prefer ``Admin.login()`` to the constructor."""

    @staticmethod
    def role() -> AccountRole:
        return AccountRole.ADMINISTRATOR
