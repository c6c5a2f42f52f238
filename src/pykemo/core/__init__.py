"""URL kinds and API versions."""

from .api_versions import APIVersion
from .urltypes import UrlLike, UrlType

__all__ = ["APIVersion", "UrlLike", "UrlType"]
