"""``Announcement``: a creator's announcement (Patreon community posts...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kemopix._protocol.raw import HasRaw
from kemopix.sites.kemono.models import Announcement as WireAnnouncement

from .._dates import DEFAULT_DATE_FMT, to_date
from ..services.services_enum import ServiceLike, ServiceType

if TYPE_CHECKING:
    from ..creators.creators import Creator

__all__ = ["ANN_DATE_FMT", "Announcement"]

ANN_DATE_FMT = DEFAULT_DATE_FMT


@dataclass(kw_only=True)
class Announcement(HasRaw):
    service: ServiceLike
    creator_id: str
    ann_hash: str | None
    content: str
    added: datetime | None = None
    creator: Creator | None = None

    @classmethod
    def from_wire(cls, wire: WireAnnouncement, creator: Creator | None = None) -> Announcement:
        return cls(
            service=ServiceType.parse(wire.service),
            creator_id=str(wire.user_id if wire.user_id is not None else ""),
            ann_hash=wire.hash,
            content=wire.content,
            added=to_date(wire.added),
            creator=creator,
        )
