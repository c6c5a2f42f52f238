"""URL kinds, API versions, HTTP method names and module-level raw verbs."""

from ._request_types import HTTPRequestMethod, MethodLike, MethodLiteral
from .api_versions import APIVersion
from .request import (
    MOST_COMMON_DATA_SV,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    request,
)
from .urltypes import UrlLike, UrlType

__all__ = [
    "MOST_COMMON_DATA_SV",
    "APIVersion",
    "HTTPRequestMethod",
    "MethodLike",
    "MethodLiteral",
    "UrlLike",
    "UrlType",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
]
