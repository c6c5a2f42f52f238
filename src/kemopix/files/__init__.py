"""Files on disk: safe paths, ``.part`` files, Range resume, SHA-256 checks, the download flow.

``download(url, dest, ...)`` is a flow: run it with a ``SyncRunner`` or an ``AsyncRunner``.
"""

from .flow import DownloadResult, download
from .part import PartFile, file_sha256, parse_content_range
from .paths import (
    INTERNAL_PREFIX,
    LINK_SUFFIX,
    PART_SUFFIX,
    PathBudget,
    Resolved,
    SafeFolder,
    is_reserved_name,
    safe_join,
    sanitize_component,
)

__all__ = [
    "INTERNAL_PREFIX",
    "LINK_SUFFIX",
    "PART_SUFFIX",
    "DownloadResult",
    "PartFile",
    "PathBudget",
    "Resolved",
    "SafeFolder",
    "download",
    "file_sha256",
    "is_reserved_name",
    "parse_content_range",
    "safe_join",
    "sanitize_component",
]
