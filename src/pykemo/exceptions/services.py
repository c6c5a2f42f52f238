"""Errors about using an operation on the wrong service."""

from __future__ import annotations

from ..services.services_enum import ServiceLike, service_value
from .general import PyKemoException

__all__ = ["IncorrectService", "NotDiscord", "NotFanbox"]


class IncorrectService(PyKemoException):
    """The operation does not apply to this service."""

    def __init__(self, service_type: ServiceLike) -> None:
        self.service_type = service_type
        super().__init__(self._describe(service_value(service_type)))

    def _describe(self, service: str) -> str:
        return f"operation not available for service {service!r}"


class NotFanbox(IncorrectService):
    """A Fanbox-only operation (fancards) on another service."""

    def _describe(self, service: str) -> str:
        return f"only Fanbox creators have fancards, not {service!r}"


class NotDiscord(IncorrectService):
    """A Discord-only operation (channels) on another service."""

    def _describe(self, service: str) -> str:
        return f"only Discord servers have channels, not {service!r}"
