"""kemopix's value types are msgspec Structs rather than dataclasses where a process creates
them at import: a dataclass costs about 6 million instructions to create (its methods are
generated as source and compiled), a Struct about 0.2 million, and a Struct is also made
several times faster. Both compare, hash and repr alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msgspec import Struct

__all__ = ["set_field", "value_without"]


def value_without(skip: str) -> tuple[Callable[[Any, object], bool], Callable[[Any], int]]:
    """``__eq__`` and ``__hash__`` for a Struct whose field ``skip`` is not part of its value
    (a dataclass's ``field(compare=False)``): ``__eq__, __hash__ = value_without("sink")``."""

    def fields(value: Struct) -> tuple[Any, ...]:
        return tuple(getattr(value, name) for name in value.__struct_fields__ if name != skip)

    def __eq__(self: Struct, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return fields(self) == fields(other)

    def __hash__(self: Struct) -> int:
        return hash(fields(self))

    return __eq__, __hash__


def set_field(value: object, name: str, new: object) -> None:
    """Set field ``name`` of a frozen Struct from its ``__post_init__`` (to normalise what was
    given), through the field's slot: a frozen Struct refuses ``object.__setattr__``."""
    getattr(type(value), name).__set__(value, new)
