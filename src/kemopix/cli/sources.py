"""The site adapters a run needs, with their hosts and credentials."""

from __future__ import annotations

from collections.abc import Mapping

from .._protocol.config import Config
from ..downloader.network import Network
from ..downloader.sources.base import Source
from ..downloader.targets import Origins, Target
from .config import FileConfig

__all__ = ["build_sources", "families_of", "runner_configs"]


def _pixiv_config() -> Config:
    from ..sites.pixiv import PIXIV_BULK

    return PIXIV_BULK


def _kemono_config() -> Config:
    from .._protocol.config import KEMONO_CONFIG

    return KEMONO_CONFIG


def runner_configs() -> dict[str, Config]:
    """The base runner config of each site family (budgets are the traffic controller's)."""
    return {"kemono": _kemono_config(), "pixiv": _pixiv_config()}


def families_of(targets: list[Target]) -> set[str]:
    return {"kemono" if t.is_kemono else t.site for t in targets}


def build_sources(
    network: Network,
    origins: Origins,
    config: FileConfig,
    families: set[str],
    *,
    comments: bool = False,
    pixiv_token: str | None = None,
) -> Mapping[str, Source]:
    """An adapter per family named in ``families`` (imports only what is used).

    pixiv uses ``pixiv_token`` when given (the demo's account), else the stored login.
    """
    sources: dict[str, Source] = {}
    if "pixiv" in families:
        from pixivapi.auth import load_refresh_token

        from ..downloader.sources.pixiv import PixivSource
        from ..sites.pixiv import PixivAuth, PixivSite

        url = origins.extra.get("pixiv")
        site = PixivSite.at(url) if url else PixivSite.from_env()
        auth = PixivAuth(refresh_token=pixiv_token or load_refresh_token())
        pixiv_comments = bool(config.site("pixiv", "comments", comments))
        sources["pixiv"] = PixivSource(network, site, auth, comments=pixiv_comments)
    if "kemono" in families:
        from ..downloader.sources.kemono import KemonoSource
        from .login import kemono_session

        kemono_comments = bool(config.site("kemono", "comments", comments))
        sessions = {site: kemono_session(site) for site in ("kemono", "coomer", "pawchive")}
        sources["kemono"] = KemonoSource(
            network,
            origins,
            comments=kemono_comments,
            sessions={site: cookie for site, cookie in sessions.items() if cookie},
        )
    return sources
