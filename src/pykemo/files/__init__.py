"""Files."""

from .files import BAR_WIDTH, File, FileDict, FilesList

__all__ = ["BAR_WIDTH", "File", "FileDict", "FilesList"]
