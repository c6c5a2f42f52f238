"""``Moderator``: an account that reviews creator link requests."""

from __future__ import annotations

import asyncio

from kemopix.sites.kemono import accounts as account_flows

from ..._raw import listed
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
        wires, body = await ks.run_raw(account_flows.link_requests(ks.site))
        found = list(listed(wires, body))
        built = await asyncio.gather(*(CreatorLinkRequest.from_wire(w, ks) for w, _, _ in found))
        return [req._keep_raw(r, n) for req, (_, r, n) in zip(built, found, strict=True)]


class Moderator(_ModeratorMixin):
    """A moderator account. Prefer ``Moderator.login()`` to the constructor."""

    @staticmethod
    def role() -> AccountRole:
        return AccountRole.MODERATOR
