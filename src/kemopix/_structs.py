"""kemopix's value types are msgspec Structs rather than dataclasses where a process creates
them at import: a dataclass costs about 6 million instructions to create (its methods are
generated as source and compiled), a Struct about 0.2 million, and a Struct is also made
several times faster. Both compare, hash and repr alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msgspec import Struct

__all__ = ["compared", "set_field"]


def compared(value: Struct, skip: str) -> tuple[Any, ...]:
    """``value``'s fields but ``skip``, in order: what its ``__eq__`` and ``__hash__`` use
    where a field is not part of its value (a dataclass's ``field(compare=False)``)."""
    return tuple(getattr(value, name) for name in value.__struct_fields__ if name != skip)


def set_field(value: object, name: str, new: object) -> None:
    """Set field ``name`` of a frozen Struct from its ``__post_init__`` (to normalise what was
    given), through the field's slot: a frozen Struct refuses ``object.__setattr__``."""
    getattr(type(value), name).__set__(value, new)
