"""``Fancard``: a Fanbox fan card image."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kemopix._protocol.raw import HasRaw
from kemopix.sites.kemono.models import Fancard as WireFancard

from .._dates import DEFAULT_DATE_FMT, to_date
from ..files.files import File

if TYPE_CHECKING:
    from ..creators.creators import Creator
    from ..sessions.session import KemoSession

__all__ = ["FANC_DATE_FMT", "Fancard"]

FANC_DATE_FMT = DEFAULT_DATE_FMT


@dataclass(kw_only=True)
class Fancard(HasRaw):
    id: int
    creator_id: str
    creator: Creator | None = None
    file_id: int | None = None
    file_size: int | None = None
    price: str | None = None
    fhash: str | None = None
    ihash: str | None = None
    last_checked: datetime | None = None
    added: datetime | None = None
    mtime: datetime | None = None
    ctime: datetime | None = None
    file: File | None = None

    @classmethod
    def from_wire(
        cls, wire: WireFancard, creator: Creator | None = None, ks: KemoSession | None = None
    ) -> Fancard:
        file = None
        if wire.hash:
            h, ext = wire.hash, wire.ext or ""
            # kemono-protocol.md §2.9: content-addressed path; the original forgot ``/data``.
            file = File(f"{h}{ext}", f"/data/{h[0:2]}/{h[2:4]}/{h}{ext}").with_session(ks)
        return cls(
            id=wire.id,
            creator_id=str(wire.user_id if wire.user_id is not None else ""),
            creator=creator,
            file_id=wire.file_id,
            file_size=wire.size,
            price=wire.price,
            fhash=wire.hash,
            ihash=wire.ihash,
            last_checked=to_date(wire.last_checked_at),
            added=to_date(wire.added),
            mtime=to_date(wire.mtime),
            ctime=to_date(wire.ctime),
            file=file,
        )
