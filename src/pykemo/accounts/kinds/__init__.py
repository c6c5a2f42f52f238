"""The account kinds, by rank."""

from .admin import Admin, _AdministratorMixin
from .cons import Consumer
from .mod import Moderator, _ModeratorMixin

__all__ = ["Admin", "Consumer", "Moderator", "_AdministratorMixin", "_ModeratorMixin"]
