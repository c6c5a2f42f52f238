"""Service names."""

from .services_enum import ServiceLike, ServiceType, service_value

__all__ = ["ServiceLike", "ServiceType", "service_value"]
