"""``Consumer``: a basic account."""

from __future__ import annotations

from ..base import _ConsumerMixin
from ..role import AccountRole

__all__ = ["Consumer"]


class Consumer(_ConsumerMixin):
    """A basic consumer account. Prefer ``Consumer.login()`` to the constructor."""

    @staticmethod
    def role() -> AccountRole:
        return AccountRole.CONSUMER
