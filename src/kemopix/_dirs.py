"""Where kemopix keeps its own files: the config folder and the cache folder.

``$KEMOPIX_CONFIG_DIR`` / ``$KEMOPIX_CACHE_DIR`` when set, else the platform's folders for
kemopix (``platformdirs``). Shared by the CLI, ``pixivapi.auth``, the downloader and the viewer.
Files holding credentials are written by :func:`write_private_json`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["CACHE_DIR_ENV", "CONFIG_DIR_ENV", "cache_dir", "config_dir", "write_private_json"]

CONFIG_DIR_ENV = "KEMOPIX_CONFIG_DIR"
CACHE_DIR_ENV = "KEMOPIX_CACHE_DIR"


def config_dir() -> Path:
    """``$KEMOPIX_CONFIG_DIR``, else the platform's config folder for kemopix."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs  # imported when no override is set

    return Path(platformdirs.user_config_dir("kemopix"))


def cache_dir() -> Path:
    """``$KEMOPIX_CACHE_DIR``, else the platform's cache folder for kemopix."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("kemopix"))


def write_private_json(path: Path, data: Mapping[str, Any], *, durable: bool = True) -> Path:
    """Write ``data`` as JSON to ``path``, readable by the user only (0600, in a 0700 folder
    when it makes one): a private temporary file renamed over ``path``, so there is never a
    moment with a readable or half-written credential. ``durable`` syncs it to disk first
    (a login); a cache that is cheap to lose skips that (a sync can take 0.2 s). Returns
    ``path``."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
