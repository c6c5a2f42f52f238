"""``CreatorLinkRequest``: a request to link two creators, awaiting a moderator."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kemopix.sites.kemono import accounts as account_flows
from kemopix.sites.kemono.models import LinkRequest

from ..._attach import Attached
from ...creators.creators import Creator
from ...services.services_enum import ServiceType
from .creator_lnk_status import CreatorLinkStatus

if TYPE_CHECKING:
    from ...sessions.session import KemoSession

__all__ = ["CreatorLinkRequest", "CreatorLnkReqID"]

CreatorLnkReqID = int


@dataclass(kw_only=True, repr=False)
class CreatorLinkRequest(Attached):
    id: CreatorLnkReqID
    from_creator: Creator
    to_creator: Creator
    reason: str = ""
    requester_id: int
    status: CreatorLinkStatus

    @classmethod
    async def from_wire(cls, wire: LinkRequest, ks: KemoSession) -> CreatorLinkRequest:
        """Build the request, loading both creators' profiles (a missing one stays a stub)."""

        async def creator(service: str, creator_id: str) -> Creator:
            found = await Creator.from_profile(service, creator_id, ks)
            stub = Creator(id=creator_id, service=ServiceType.parse(service))
            return found or stub.set_underlying_session(ks)

        source, target = await asyncio.gather(
            creator(wire.from_service, str(wire.from_id)), creator(wire.to_service, str(wire.to_id))
        )
        request = cls(
            id=wire.id,
            from_creator=source,
            to_creator=target,
            reason=wire.reason or "",
            requester_id=wire.requester_id or 0,
            status=CreatorLinkStatus.parse(wire.status),
        )
        return request.set_underlying_session(ks)

    def __repr__(self) -> str:
        return (
            f"CreatorLinkRequest(id={self.id}, from_creator={self.from_creator!r}, "
            f"to_creator={self.to_creator!r}, status={self.status.value!r})"
        )

    def pending(self) -> bool:
        return self.status is CreatorLinkStatus.PENDING

    async def approve(self) -> bool:
        """Approve the link (moderator); the request is no longer pending."""
        ks = self._ks()
        done = await ks.run(account_flows.approve_link_request(ks.site, self.id))
        self.status = CreatorLinkStatus.OTHER
        return done

    async def reject(self) -> bool:
        """Reject the link (moderator); the request is no longer pending."""
        ks = self._ks()
        done = await ks.run(account_flows.reject_link_request(ks.site, self.id))
        self.status = CreatorLinkStatus.OTHER
        return done
