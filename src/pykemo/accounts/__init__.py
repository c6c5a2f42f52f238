"""Accounts: roles, the administrator's account view, and (in ``kinds``) the account kinds."""

from .role import AccountRole
from .view import AccountView

__all__ = ["AccountRole", "AccountView"]
