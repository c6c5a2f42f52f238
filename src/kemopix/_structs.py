"""kemopix's value types are msgspec Structs rather than dataclasses where a process creates
them at import: a dataclass costs about 6 million instructions to create (its methods are
generated as source and compiled), a Struct about 0.2 million, and a Struct is also made
several times faster. Both compare, hash and repr alike."""

from __future__ import annotations

__all__ = ["set_field"]


def set_field(value: object, name: str, new: object) -> None:
    """Set field ``name`` of a frozen Struct from its ``__post_init__`` (to normalise what was
    given), through the field's slot: a frozen Struct refuses ``object.__setattr__``."""
    getattr(type(value), name).__set__(value, new)
