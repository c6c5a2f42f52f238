"""The run's settings from parsed options, environment and config file."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from msgspec import structs

from .._protocol.config import KEMONO_CONFIG, Config
from .._protocol.errors import InvalidInput
from .._protocol.http import Timeout
from .._protocol.ratelimit import is_loopback
from ..downloader.engine import Settings
from ..downloader.entry import RunSettings, families_of, runner_configs
from ..downloader.filters import Filters, parse_date, parse_size
from ..downloader.metadata import SidecarOptions
from ..downloader.targets import KEMONO_SITES, Origins, Target, parse_target
from ..downloader.templates import DEFAULT_TEMPLATES, Template
from ..downloader.traffic import HostPolicy
from .config import FileConfig

__all__ = [
    "DEFAULT_OUTPUT",
    "build_settings",
    "host_policies",
    "origins_for",
    "output_root",
    "parse_targets",
    "run_settings",
    "site_of_host",
]

DEFAULT_OUTPUT = "kemopix"
OUTPUT_ENV = "KEMOPIX_OUTPUT"
TEMPLATE_ENV = "KEMOPIX_TEMPLATE"

# Site defaults for public hosts (loopback hosts are unlimited unless a rate is given).
DEFAULT_RATES: Mapping[str, tuple[float, int] | None] = {
    "kemono": (KEMONO_CONFIG.rate_limit.rate, KEMONO_CONFIG.rate_limit.burst)
    if KEMONO_CONFIG.rate_limit
    else None,
    "pixiv-api": (1.0, 3),  # PIXIV_BULK_CONFIG: about one API request per second
    "pixiv-images": None,  # i.pximg.net serves files; pixiv throttles the API, not images
}


def _opt(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def origins_for(args: argparse.Namespace, config: FileConfig) -> Origins:
    """Extra origins per site: ``--SITE-url``, then ``KEMOPIX_*_URL``, then ``[SITE] url``."""
    extra: dict[str, str] = {}
    files: dict[str, str] = {}
    for site in ("kemono", "coomer", "pawchive", "pixiv"):
        value = _opt(args, f"{site}_url") or config.site_url(site)
        if value:
            if "://" not in value:
                raise InvalidInput(f"--{site}-url must be an http(s) URL, got {value!r}")
            extra[site] = value.rstrip("/")
        served = config.site_files_url(site) if site != "pixiv" else None
        if served:
            if "://" not in served:
                raise InvalidInput(f"the files URL of {site} must be http(s), got {served!r}")
            files[site] = served.rstrip("/")
    return Origins(extra, files)


def parse_targets(urls: list[str], origins: Origins) -> list[Target]:
    """Every URL as a target; the first bad one stops everything (nothing is fetched)."""
    return [parse_target(url, origins) for url in urls]


def output_root(args: argparse.Namespace, config: FileConfig) -> Path:
    value = _opt(args, "output") or os.environ.get(OUTPUT_ENV) or config.download.get("output")
    return Path(os.path.expanduser(str(value or DEFAULT_OUTPUT))).absolute()


def _templates(args: argparse.Namespace, config: FileConfig) -> dict[str, Template]:
    forced = _opt(args, "template") or os.environ.get(TEMPLATE_ENV)
    general = config.download.get("template")
    out: dict[str, Template] = {}
    for site in ("kemono", "coomer", "pawchive", "pixiv"):
        family = "pixiv" if site == "pixiv" else "kemono"
        text = forced or config.site(site, "template") or general or DEFAULT_TEMPLATES[family]
        out[site] = Template.parse(str(text))
    out["discord"] = Template.parse(str(forced or DEFAULT_TEMPLATES["discord"]))
    return out


def _filters(args: argparse.Namespace) -> Filters:
    def size(name: str) -> int | None:
        value = _opt(args, name)
        return parse_size(value) if value else None

    after, before = _opt(args, "after"), _opt(args, "before")
    return Filters(
        after=parse_date(after) if after else None,
        before=parse_date(before) if before else None,
        tags=frozenset(_opt(args, "tag") or ()),
        exclude_tags=frozenset(_opt(args, "exclude_tag") or ()),
        query=_opt(args, "query") or None,
        types=frozenset(_opt(args, "type") or ()),
        exclude_types=frozenset(_opt(args, "exclude_type") or ()),
        min_size=size("min_size"),
        max_size=size("max_size"),
    )


DEFAULT_TEXT = "md"
_TEXT_WORDS = {"md": "md", "markdown": "md", "html": "html", "none": ""}


def text_formats(value: str) -> frozenset[str]:
    """``md``, ``html``, ``md,html`` or ``none``: the renderings of a post's text to write."""
    words = [w.strip().lower() for w in value.split(",") if w.strip()]
    unknown = [w for w in words if w not in _TEXT_WORDS]
    if unknown or not words:
        raise InvalidInput(
            f"--text {value!r}: say md, html, md,html or none (unknown: {', '.join(unknown)})"
        )
    return frozenset(_TEXT_WORDS[w] for w in words) - {""}


def build_settings(
    args: argparse.Namespace, config: FileConfig, root: Path, *, dry_run: bool = False
) -> Settings:
    """The engine settings from options, environment and config file."""
    download = config.download
    max_files = _opt(args, "max_files")
    if max_files is not None and max_files < 0:
        raise InvalidInput("--max-files must be 0 or more")
    overlap = _opt(args, "overlap") or download.get("overlap") or 25
    if overlap < 1:
        raise InvalidInput("--overlap must be at least 1")
    metadata = not _opt(args, "no_metadata") and download.get("metadata", True)
    comments = bool(_opt(args, "comments")) or bool(download.get("comments", False))
    text = text_formats(str(_opt(args, "text") or download.get("text") or DEFAULT_TEXT))
    max_bytes = _opt(args, "max_bytes")
    ugoira = str(_opt(args, "ugoira") or config.site("pixiv", "ugoira") or "webp")
    from ..ugoira import UgoiraFormat

    UgoiraFormat.parse(ugoira)  # an unknown name is a usage error now, not at the first ugoira
    return Settings(
        root=root,
        templates=_templates(args, config),
        filters=_filters(args),
        max_files=max_files,
        max_bytes=parse_size(max_bytes) if max_bytes else None,
        dry_run=dry_run,
        sizes=bool(_opt(args, "sizes")) or dry_run,
        copy=bool(_opt(args, "copy") or download.get("copy", False)),
        full=bool(_opt(args, "full")),
        overlap=int(overlap),
        sidecars=SidecarOptions(
            json=metadata,
            markdown=metadata and "md" in text,
            html=metadata and "html" in text,
            text=metadata,
            comments=metadata and comments,
            revisions=metadata,
        ),
        workers=int(download.get("workers", 64)),
        ugoira=ugoira,
        quality=_opt(args, "quality")
        or download.get("quality")
        or config.site("kemono", "quality")
        or "auto",
        keep_thumbnails=bool(_opt(args, "keep_thumbnails"))
        or bool(download.get("keep_thumbnails", False)),
    )


def site_of_host(host: str, origins: Origins) -> str | None:
    """``kemono``, ``coomer``, ``pawchive``, ``pixiv-api``, ``pixiv-images`` or None."""
    site = origins.site_of(host)
    if site == "pixiv":
        return "pixiv-api"
    if site is not None:
        return site
    name = host.split("://", 1)[-1].split(":", 1)[0].lower()
    for kemono_site, domains in KEMONO_SITES.items():
        if any(name == d or name.endswith("." + d) for d in domains):
            return kemono_site
    if name.endswith("pximg.net"):
        return "pixiv-images"
    if name.endswith("pixiv.net"):
        return "pixiv-api"
    return None


def host_policies(
    args: argparse.Namespace, config: FileConfig, origins: Origins
) -> Callable[[str], HostPolicy]:
    """Per-host policies (site defaults, config sections, ``--rate``/``--concurrency``)."""
    cli_rate, cli_conc = _opt(args, "rate"), _opt(args, "concurrency")
    if cli_rate is not None and cli_rate <= 0:
        raise InvalidInput("--rate must be more than 0")
    if cli_conc is not None and cli_conc < 1:
        raise InvalidInput("--concurrency must be at least 1")

    def policy(host: str) -> HostPolicy:
        site = site_of_host(host, origins)
        section = "pixiv" if site and site.startswith("pixiv") else site
        rate = cli_rate if cli_rate is not None else config.site(section or "", "rate")
        burst = int(config.site(section or "", "burst", 0) or 0)
        conc = cli_conc or config.site(section or "", "concurrency") or 16
        if rate is None and not is_loopback(host):
            default = DEFAULT_RATES.get(site or "", None) if site else None
            if site in ("coomer", "pawchive"):
                default = DEFAULT_RATES["kemono"]
            if default is not None:
                rate, burst = default[0], burst or default[1]
        return HostPolicy(
            rate=float(rate) if rate is not None else None,
            burst=burst or 5,
            initial_concurrency=min(4, int(conc)),
            max_concurrency=int(conc),
        )

    return policy


def site_config(args: argparse.Namespace, config: FileConfig, section: str, base: Config) -> Config:
    """A runner config with the section's retries and timeout."""
    # "is None", not "or": `--retries 0` is refused, not taken for "not given"
    retries = _opt(args, "retries")
    retries = config.site(section, "retries") if retries is None else retries
    timeout = _opt(args, "timeout")
    timeout = config.site(section, "timeout") if timeout is None else timeout
    if retries is not None and retries < 1:
        raise InvalidInput("--retries must be at least 1")
    if timeout is not None and timeout <= 0:
        raise InvalidInput("--timeout must be more than 0")
    out = base
    if retries is not None:
        out = out.replace(retry=structs.replace(out.retry, max_attempts=int(retries)))
    if timeout is not None:
        out = out.replace(timeout=Timeout(connect=min(10.0, float(timeout)), read=float(timeout)))
    return out


def run_settings(
    args: argparse.Namespace,
    config: FileConfig,
    root: Path,
    *,
    dry_run: bool = False,
    targets: list[Target] | None = None,
    pixiv_token: str | None = None,
) -> RunSettings:
    """The run's one settings value: engine settings, traffic policies, runner configs, and
    the credentials of the families ``targets`` need (pixiv: ``pixiv_token`` when given, the
    demo's account, else the stored login)."""
    engine = build_settings(args, config, root, dry_run=dry_run)
    origins = origins_for(args, config)
    hosts = host_policies(args, config, origins)
    # Without targets (retry, verify, upgrade) the archive's files may be of any family.
    families = families_of(targets or [])
    runners = {
        family: site_config(args, config, "pixiv" if family == "pixiv" else "kemono", base)
        for family, base in runner_configs(families if targets else None).items()
    }
    comments = engine.sidecars.comments
    token, sessions = None, {}
    if "pixiv" in families:
        from pixivapi.auth import load_refresh_token

        token = pixiv_token or load_refresh_token()
    if "kemono" in families:
        from .login import kemono_session

        found = {site: kemono_session(site) for site in ("kemono", "coomer", "pawchive")}
        sessions = {site: cookie for site, cookie in found.items() if cookie}
    return RunSettings(
        engine=engine,
        origins=origins,
        hosts=hosts,
        runners=runners,
        shared_budget=bool(
            not _opt(args, "no_shared_budget") and config.download.get("shared_budget", True)
        ),
        comments={
            family: bool(config.site(family, "comments", comments))
            for family in ("kemono", "pixiv")
        },
        pixiv_token=token,
        kemono_sessions=sessions,
    )
