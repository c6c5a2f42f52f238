"""``AccountView``: the minimal view of an account an administrator lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from kemopix._protocol.raw import HasRaw
from kemopix.sites.kemono.models import Account as WireAccount

from .._dates import to_date
from .role import AccountRole

__all__ = ["AccountView"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(kw_only=True)
class AccountView(HasRaw):
    """A basic view of an Account (``raw``: its JSON object, never a password)."""

    id: int
    username: str
    created_at: datetime = field(repr=False)
    role: AccountRole

    @classmethod
    def from_wire(cls, wire: WireAccount) -> AccountView:
        return cls(
            id=wire.id,
            username=wire.username,
            created_at=to_date(wire.created_at) or _EPOCH,
            role=AccountRole.parse(wire.role),
        )
