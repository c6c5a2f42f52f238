"""The kemopix downloader: one async engine archiving Kemono-compatible sites and pixiv.

``parse_target`` turns URLs into targets; site adapters (``sources``) list their posts; the
``Engine`` plans files through ``Template``s, fetches them with the core download flow under
per-host traffic control, de-duplicates by SHA-256 and records everything in the ``Archive``.
"""

from .archive import ARCHIVE_NAME, Archive, FileRecord
from .engine import Engine, Settings
from .filters import Budget, Filters
from .metadata import SidecarOptions
from .model import Creator, Listed, Post, PostKey, RemoteFile
from .network import Network
from .reporting import FileTask, PlannedFile, Reporter, Summary
from .targets import Origins, Target, parse_target
from .templates import DEFAULT_TEMPLATES, Template
from .traffic import HostPolicy, Traffic

__all__ = [
    "ARCHIVE_NAME",
    "DEFAULT_TEMPLATES",
    "Archive",
    "Budget",
    "Creator",
    "Engine",
    "FileRecord",
    "FileTask",
    "Filters",
    "HostPolicy",
    "Listed",
    "Network",
    "Origins",
    "PlannedFile",
    "Post",
    "PostKey",
    "RemoteFile",
    "Reporter",
    "Settings",
    "SidecarOptions",
    "Summary",
    "Target",
    "Template",
    "Traffic",
    "parse_target",
]
