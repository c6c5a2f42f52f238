"""Auxiliary public types."""

from .aux_classes import FileHashResult

__all__ = ["FileHashResult"]
