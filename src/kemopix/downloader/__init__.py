"""The kemopix downloader: one async engine archiving Kemono-compatible sites and pixiv.

``run(settings, targets, reporter)`` is the entry point: from one ``RunSettings`` it assembles
traffic control, network, archive and site adapters. ``parse_target`` turns URLs into targets;
site adapters (``sources``) list their posts; the ``Engine`` plans files through ``Template``s,
fetches them with the core download flow under per-host traffic control, de-duplicates by
SHA-256 and records everything in the ``Archive``.
"""

from .archive import ARCHIVE_NAME, Archive, FileRecord
from .engine import Engine, Settings
from .entry import RunSettings, refetch, run
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
    "RunSettings",
    "Settings",
    "SidecarOptions",
    "Summary",
    "Target",
    "Template",
    "Traffic",
    "parse_target",
    "refetch",
    "run",
]
