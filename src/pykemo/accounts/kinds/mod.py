"""``Moderator``: an account that reviews creator link requests."""

from __future__ import annotations

import asyncio

from kemopix.sites.kemono import accounts as account_flows

from ...moderation.requests.creator_lnk_req import CreatorLinkRequest
from ..base import _ConsumerMixin
from ..role import AccountRole

__all__ = ["Moderator", "_ModeratorMixin"]


class _ModeratorMixin(_ConsumerMixin):
    async def creator_link_requests(self) -> list[CreatorLinkRequest]:
        """Fetches a list of creator link requests that have yet to be reviewed.

        Raises ``InsufficientPrivileges`` if the account is not a moderator (the site's 404).
        """
        ks = self.session
        wires = await ks.run(account_flows.link_requests(ks.site))
        return list(await asyncio.gather(*(CreatorLinkRequest.from_wire(w, ks) for w in wires)))


class Moderator(_ModeratorMixin):
    """A moderator account. Prefer ``Moderator.login()`` to the constructor."""

    @staticmethod
    def role() -> AccountRole:
        return AccountRole.MODERATOR
