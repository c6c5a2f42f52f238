"""Service checks that raise the service errors."""

from __future__ import annotations

from ..exceptions.services import IncorrectService, NotDiscord, NotFanbox
from ..services.services_enum import ServiceLike, ServiceType, service_value

__all__ = [
    "check_if_discord",
    "check_if_fanbox",
    "correct_service_check",
    "exc_check",
    "incorrect_service_check",
]


def exc_check(condition: bool, exc: Exception) -> None:
    """Raise ``exc`` when ``condition`` is false."""
    if not condition:
        raise exc


def correct_service_check(service: ServiceLike, expected: ServiceLike) -> None:
    """``IncorrectService`` unless ``service`` is ``expected``."""
    exc_check(service_value(service) == service_value(expected), IncorrectService(service))


def incorrect_service_check(service: ServiceLike, refused: ServiceLike) -> None:
    """``IncorrectService`` when ``service`` is ``refused``."""
    exc_check(service_value(service) != service_value(refused), IncorrectService(service))


def check_if_fanbox(service: ServiceLike) -> None:
    exc_check(service_value(service) == ServiceType.FANBOX.value, NotFanbox(service))


def check_if_discord(service: ServiceLike) -> None:
    exc_check(service_value(service) == ServiceType.DISCORD.value, NotDiscord(service))
