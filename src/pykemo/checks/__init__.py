"""Service checks."""

from .services_checks import (
    check_if_discord,
    check_if_fanbox,
    correct_service_check,
    exc_check,
    incorrect_service_check,
)

__all__ = [
    "check_if_discord",
    "check_if_fanbox",
    "correct_service_check",
    "exc_check",
    "incorrect_service_check",
]
