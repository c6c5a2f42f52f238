"""HTTP method names."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

__all__ = ["HTTPRequestMethod", "MethodLike", "MethodLiteral"]


class HTTPRequestMethod(StrEnum):
    GET = "get"
    OPTIONS = "options"
    HEAD = "head"
    POST = "post"
    PUT = "put"
    PATCH = "patch"
    DELETE = "delete"


MethodLiteral = Literal["get", "options", "head", "post", "put", "patch", "delete"]
MethodLike = HTTPRequestMethod | MethodLiteral
