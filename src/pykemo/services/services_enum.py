"""The paysites Kemono (and Coomer) archive."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ServiceLike", "ServiceType", "service_value"]


class ServiceType(StrEnum):
    """A service name as the API spells it (kemono-protocol.md §4)."""

    PATREON = "patreon"
    FANBOX = "fanbox"
    GUMROAD = "gumroad"
    SUSCRIBE_STAR = "subscribestar"  # sic: the original's spelling
    FANTIA = "fantia"
    BOOSTY = "boosty"
    AFDIAN = "afdian"
    DISCORD = "discord"
    DLSITE = "dlsite"
    # Coomer's services, kemono-protocol.md §4 (not in the original).
    ONLYFANS = "onlyfans"
    FANSLY = "fansly"
    CANDFANS = "candfans"

    @classmethod
    def parse(cls, value: str) -> ServiceLike:
        """The member for ``value``, or the string itself for a service we do not know."""
        try:
            return cls(value.lower())
        except ValueError:
            return value


ServiceLike = ServiceType | str


def service_value(service: ServiceLike) -> str:
    """The API spelling of a service given as a member or a string."""
    return str(service.value if isinstance(service, ServiceType) else service).lower()
