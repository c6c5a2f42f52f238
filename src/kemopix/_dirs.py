"""Where kemopix keeps its own files: the config folder and the cache folder.

``$KEMOPIX_CONFIG_DIR`` / ``$KEMOPIX_CACHE_DIR`` when set, else the platform's folders for
kemopix (``platformdirs``). Shared by the CLI, ``pixivapi.auth``, the downloader and the viewer.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["CACHE_DIR_ENV", "CONFIG_DIR_ENV", "cache_dir", "config_dir"]

CONFIG_DIR_ENV = "KEMOPIX_CONFIG_DIR"
CACHE_DIR_ENV = "KEMOPIX_CACHE_DIR"


def config_dir() -> Path:
    """``$KEMOPIX_CONFIG_DIR``, else the platform's config folder for kemopix."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir("kemopix"))


def cache_dir() -> Path:
    """``$KEMOPIX_CACHE_DIR``, else the platform's cache folder for kemopix."""
    override = os.environ.get(CACHE_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_cache_dir("kemopix"))
