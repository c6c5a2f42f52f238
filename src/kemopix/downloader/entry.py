"""The downloader's entry points: one settings value in, a summary out.

``RunSettings`` holds everything a run needs (the CLI fills it from options, environment and
config file); :func:`run` and :func:`refetch` assemble the rest — traffic control, network,
archive, site adapters, engine — and close it all whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from msgspec import Struct, field

from .._dirs import cache_dir
from .._protocol.config import Config
from .archive import ARCHIVE_NAME, Archive, FileRecord
from .budget_store import BUDGET_FILE, BudgetStore, LocalBudgets, SharedBudgets
from .engine import Engine, Settings
from .network import Network
from .reporting import Reporter, Summary
from .sources.base import Source
from .targets import Origins, Target
from .traffic import HostPolicy, Traffic

__all__ = ["RunSettings", "families_of", "refetch", "run", "runner_configs"]


def _pixiv_config() -> Config:
    from ..sites.pixiv import PIXIV_BULK

    return PIXIV_BULK


def _kemono_config() -> Config:
    from .._protocol.config import KEMONO_CONFIG

    return KEMONO_CONFIG


_CONFIGS = {"kemono": _kemono_config, "pixiv": _pixiv_config}


def runner_configs(families: Iterable[str] | None = None) -> dict[str, Config]:
    """The base runner config of each site family in ``families`` (default: all); budgets are
    the traffic controller's. Only the named families' site modules are imported."""
    wanted = _CONFIGS if families is None else [f for f in _CONFIGS if f in set(families)]
    return {family: _CONFIGS[family]() for family in wanted}


def families_of(targets: list[Target]) -> set[str]:
    """The site families (``kemono``, ``pixiv``) the targets need adapters for."""
    return {"kemono" if t.is_kemono else t.site for t in targets}


class RunSettings(Struct, frozen=True):
    """Everything a run needs besides its targets and its reporter.

    ``hosts`` gives each host's traffic policy; ``runners`` the runner config of each site
    family; ``comments`` whether each family fetches comments. The credentials are kept out of
    the repr: ``pixiv_token`` (a refresh token) and ``kemono_sessions`` (cookies by site).
    """

    engine: Settings
    origins: Origins
    hosts: Callable[[str], HostPolicy]
    runners: Mapping[str, Config]
    shared_budget: bool = True
    comments: Mapping[str, bool] = field(default_factory=dict)
    pixiv_token: str | None = None
    kemono_sessions: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"RunSettings(engine={self.engine!r}, origins={self.origins!r}, hosts={self.hosts!r}, "
            f"runners={self.runners!r}, shared_budget={self.shared_budget!r}, "
            f"comments={self.comments!r})"
        )

    @property
    def root(self) -> Path:
        return self.engine.root


def _network(settings: RunSettings) -> Network:
    shared = settings.shared_budget
    store: BudgetStore = SharedBudgets(cache_dir() / BUDGET_FILE) if shared else LocalBudgets()
    return Network(Traffic(settings.hosts, store), settings.runners)


def _sources(settings: RunSettings, network: Network, families: set[str]) -> dict[str, Source]:
    """An adapter per family named in ``families`` (imports only what is used)."""
    sources: dict[str, Source] = {}
    if "pixiv" in families:
        from ..sites.pixiv import PixivAuth, PixivSite
        from .sources.pixiv import PixivSource
        from .sources.pixiv_token import TOKEN_CACHE, load_access_token

        url = settings.origins.extra.get("pixiv")
        site = PixivSite.at(url) if url else PixivSite.from_env()
        auth = PixivAuth(refresh_token=settings.pixiv_token)
        load_access_token(cache_dir() / TOKEN_CACHE, site, auth)  # no token exchange then
        comments = settings.comments.get("pixiv", False)
        sources["pixiv"] = PixivSource(network, site, auth, comments=comments)
    if "kemono" in families:
        from .sources.kemono import KemonoSource

        sources["kemono"] = KemonoSource(
            network,
            settings.origins,
            comments=settings.comments.get("kemono", False),
            sessions=settings.kemono_sessions,
        )
    return sources


def _open_archive(root: Path, dry_run: bool) -> Archive:
    if dry_run and not (root / ARCHIVE_NAME).exists():
        return Archive.in_memory(root)  # a plan writes nothing, not even an empty archive
    return Archive(root, exclusive=not dry_run)


async def run(
    settings: RunSettings, targets: list[Target], reporter: Reporter | None = None
) -> Summary:
    """Archive ``targets`` into the output folder (the archive lives there)."""
    network = _network(settings)
    # The folder's lock before any request: a second process is refused at once.
    try:
        archive = _open_archive(settings.root, settings.engine.dry_run)
    except BaseException:
        await network.aclose()
        raise
    sources: dict[str, Source] = {}
    try:
        sources = _sources(settings, network, families_of(targets))
        return await Engine(settings.engine, archive, network, sources, reporter).run(targets)
    finally:
        try:
            if "pixiv" in sources:
                _keep_pixiv_token(settings, sources["pixiv"])
            archive.close()
        finally:
            await network.aclose()  # also when closing the archive failed (disk full)


def _keep_pixiv_token(settings: RunSettings, source: Source) -> None:
    """Keep the access token the run got (if it got one) for the next runs."""
    from .sources.pixiv import PixivSource
    from .sources.pixiv_token import TOKEN_CACHE, save_access_token

    if isinstance(source, PixivSource) and settings.pixiv_token and source.auth.generation:
        save_access_token(cache_dir() / TOKEN_CACHE, source.site, source.auth, settings.pixiv_token)


async def refetch(
    settings: RunSettings,
    archive: Archive,
    records: list[FileRecord],
    reporter: Reporter | None = None,
    *,
    upgrade: bool = False,
) -> Summary:
    """Fetch archived files of the open ``archive`` again, without listing (``retry-failed``,
    ``verify``); with ``upgrade``, the originals of files held as thumbnails or unavailable."""
    network = _network(settings)
    try:
        engine = Engine(settings.engine, archive, network, {}, reporter)
        return await engine.retry(records, upgrade=upgrade)
    finally:
        await network.aclose()
