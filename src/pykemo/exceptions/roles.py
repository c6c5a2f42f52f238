"""Role errors."""

from __future__ import annotations

from kemopix.sites.kemono.errors import InsufficientRole

from .general import PyKemoException, PyKemoHTTPError

__all__ = ["InsufficientPrivileges", "InvalidRole"]


class InvalidRole(PyKemoException):
    """``Kind.login()`` signed into an account whose role is not ``Kind.role()``."""


class InsufficientPrivileges(InsufficientRole, PyKemoHTTPError):
    """A moderator/administrator endpoint answered 404: the account's role is too low."""
