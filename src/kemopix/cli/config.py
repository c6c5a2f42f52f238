"""The TOML config file, environment overrides and the private credential files.

``<config>/config.toml`` (``<config>`` = ``$KEMOPIX_CONFIG_DIR`` or the platform's config
folder) holds a ``[download]`` section and one section per site (``[kemono]``, ``[coomer]``,
``[pawchive]``, ``[pixiv]``); Coomer and Pawchive fall back to ``[kemono]`` for what they do not
set. Command-line options beat environment variables, which beat the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from .._dirs import CONFIG_DIR_ENV, config_dir, write_private_json
from .._protocol.errors import InvalidInput

__all__ = [
    "CONFIG_DIR_ENV",
    "SITE_SECTIONS",
    "FileConfig",
    "config_dir",
    "load_config",
    "read_secret_file",
    "write_secret_file",
]

CONFIG_FILE = "config.toml"
SITE_SECTIONS = ("kemono", "coomer", "pawchive", "pixiv")

# Keys each section accepts, with their types (for clear errors on typos).
_DOWNLOAD_KEYS: Mapping[str, type | tuple[type, ...]] = {
    "output": str,
    "template": str,
    "copy": bool,
    "overlap": int,
    "metadata": bool,
    "text": str,
    "comments": bool,
    "shared_budget": bool,
    "workers": int,
    "quality": str,
    "keep_thumbnails": bool,
}
_SITE_KEYS: Mapping[str, type | tuple[type, ...]] = {
    "url": str,
    "files_url": str,
    "rate": (int, float),
    "burst": int,
    "concurrency": int,
    "template": str,
    "retries": int,
    "timeout": (int, float),
    "comments": bool,
    "ugoira": str,
    "quality": str,
}

# Environment variables naming site origins (emulators, mirrors).
URL_ENV: Mapping[str, tuple[str, ...]] = {
    "kemono": ("KEMOPIX_KEMONO_URL",),
    "coomer": ("KEMOPIX_COOMER_URL",),
    "pawchive": ("KEMOPIX_PAWCHIVE_URL",),
    "pixiv": ("KEMOPIX_PIXIV_URL", "KEMOPIX_PIXIV_API_URL"),
}


class FileConfig(Struct, frozen=True):
    """The parsed config file (empty sections when there is no file)."""

    path: Path | None = None
    download: Mapping[str, Any] = field(default_factory=dict)
    sites: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def site(self, name: str, key: str, default: Any = None) -> Any:
        """``[name].key``, falling back to ``[kemono].key`` for Coomer and Pawchive."""
        section = self.sites.get(name, {})
        if key in section:
            return section[key]
        if name in ("coomer", "pawchive") and key not in ("url", "files_url"):
            return self.sites.get("kemono", {}).get(key, default)
        return default

    def site_url(self, name: str, environ: Mapping[str, str] | None = None) -> str | None:
        """A site's extra origin: environment first, then the file."""
        env = os.environ if environ is None else environ
        for var in URL_ENV.get(name, ()):
            if env.get(var):
                return env[var]
        value = self.sites.get(name, {}).get("url")
        return str(value) if value else None

    def site_files_url(self, name: str, environ: Mapping[str, str] | None = None) -> str | None:
        """The origin serving a Kemono-compatible site's ``/data`` files, when it is not the
        site (which then redirects): ``KEMOPIX_<SITE>_FILES_URL``, then ``[SITE] files_url``."""
        env = os.environ if environ is None else environ
        value = env.get(f"KEMOPIX_{name.upper()}_FILES_URL") or self.sites.get(name, {}).get(
            "files_url"
        )
        return str(value) if value else None


def _positive(value: Any) -> bool:
    return bool(value > 0)


def _at_least_one(value: Any) -> bool:
    return bool(value >= 1)


def _http_url(value: Any) -> bool:
    return str(value).startswith(("http://", "https://"))


def _not_empty(value: Any) -> bool:
    return bool(str(value).strip())


def _quality(value: Any) -> bool:
    return value in ("original", "thumbnail", "auto")


# The same limits as the command-line options (``rate = -1`` is refused like ``--rate -1``).
_RULES: Mapping[str, tuple[Callable[[Any], bool], str]] = {
    "rate": (_positive, "must be more than 0 (like --rate)"),
    "timeout": (_positive, "must be more than 0 (like --timeout)"),
    "burst": (_at_least_one, "must be at least 1"),
    "concurrency": (_at_least_one, "must be at least 1 (like --concurrency)"),
    "retries": (_at_least_one, "must be at least 1 (like --retries)"),
    "overlap": (_at_least_one, "must be at least 1 (like --overlap)"),
    "workers": (_at_least_one, "must be at least 1"),
    "url": (_http_url, "must be an http(s) URL (like --kemono-url)"),
    "files_url": (_http_url, "must be an http(s) URL"),
    "output": (_not_empty, "must name a folder (like -o)"),
    "quality": (_quality, "must be original, thumbnail or auto (like --quality)"),
}


def _check_text(section: str, key: str, value: str) -> None:
    """Templates and ugoira formats are checked by the code that uses them, imported late."""
    try:
        if key == "template":
            from ..downloader.templates import Template

            Template.parse(value)
        elif key == "ugoira":
            from ..ugoira.frames import UgoiraFormat

            UgoiraFormat.parse(value)
    except InvalidInput as exc:
        raise InvalidInput(f"config: [{section}] {key}: {exc}") from None


def _check(section: str, data: Any, keys: Mapping[str, type | tuple[type, ...]]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput(f"config: [{section}] must be a table")
    for key, value in data.items():
        expected = keys.get(key)
        if expected is None:
            known = ", ".join(keys)
            raise InvalidInput(f"config: unknown key {key!r} in [{section}] (known: {known})")
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise InvalidInput(f"config: [{section}] {key} has the wrong type")
        rule = _RULES.get(key)
        if rule is not None and not rule[0](value):
            raise InvalidInput(f"config: [{section}] {key} {rule[1]}, not {value!r}")
        if isinstance(value, str):
            _check_text(section, key, value)
    return dict(data)


def load_config(path: Path | None = None) -> FileConfig:
    """Read ``path`` (default ``<config>/config.toml``); a missing default file is no error."""
    explicit = path is not None
    file = path if path is not None else config_dir() / CONFIG_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise InvalidInput(f"config file not found: {file}") from None
        return FileConfig()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read config file {file}: {exc}") from exc
    import tomllib  # only when there is a file to parse

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"config file {file} is not valid TOML: {exc}") from exc
    sites: dict[str, dict[str, Any]] = {}
    download: dict[str, Any] = {}
    for section, content in data.items():
        if section == "download":
            download = _check(section, content, _DOWNLOAD_KEYS)
        elif section in SITE_SECTIONS:
            sites[section] = _check(section, content, _SITE_KEYS)
        else:
            known = ", ".join(("download", *SITE_SECTIONS))
            raise InvalidInput(f"config: unknown section [{section}] (known: {known})")
    return FileConfig(file, download, sites)


def write_secret_file(name: str, data: Mapping[str, Any]) -> Path:
    """Write ``<config>/name`` readable by the user only (0600), atomically."""
    return write_private_json(config_dir() / name, data)


def read_secret_file(name: str) -> dict[str, Any]:
    """The JSON object in ``<config>/name`` (empty when missing or unreadable)."""
    try:
        data = json.loads((config_dir() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
