"""The kemopix downloader: one async engine archiving Kemono-compatible sites and pixiv.

``run(settings, targets, reporter)`` is the entry point: from one ``RunSettings`` it assembles
traffic control, network, archive and site adapters. ``parse_target`` turns URLs into targets;
site adapters (``sources``) list their posts; the ``Engine`` plans files through ``Template``s,
fetches them with the core download flow under per-host traffic control, de-duplicates by
SHA-256 and records everything in the ``Archive``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
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

# Names are imported when first used: the command-line parser reads the filters and templates
# without loading the engine (aiohttp and the rest), so ``--help`` and start-up stay small.
_LAZY = {
    "ARCHIVE_NAME": "archive",
    "Archive": "archive",
    "Budget": "filters",
    "Creator": "model",
    "DEFAULT_TEMPLATES": "templates",
    "Engine": "engine",
    "FileRecord": "archive",
    "FileTask": "reporting",
    "Filters": "filters",
    "HostPolicy": "traffic",
    "Listed": "model",
    "Network": "network",
    "Origins": "targets",
    "PlannedFile": "reporting",
    "Post": "model",
    "PostKey": "model",
    "RemoteFile": "model",
    "RunSettings": "entry",
    "Reporter": "reporting",
    "Settings": "engine",
    "SidecarOptions": "metadata",
    "Summary": "reporting",
    "Target": "targets",
    "Template": "templates",
    "Traffic": "traffic",
    "parse_target": "targets",
    "refetch": "entry",
    "run": "entry",
}

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


__getattr__ = lazy_attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
