"""One frozen configuration object for a client, with defaults for each site."""

from __future__ import annotations

from typing import Any, Self

from msgspec import Struct, field
from msgspec.structs import replace

from .http import Timeout
from .limits import Limits
from .ratelimit import RateLimit
from .retry import RetryPolicy

__all__ = ["DEFAULT_USER_AGENT", "KEMONO_CONFIG", "PIXIV_BULK_CONFIG", "PIXIV_CONFIG", "Config"]

DEFAULT_USER_AGENT = "kemopix/0.1 (+https://pypi.org/project/kemopix/)"


class Config(Struct, frozen=True):
    """How a client talks to a site: timeouts, retries, budgets, limits, identity, proxy, TLS.

    ``rate_limit`` is per host and skips loopback hosts unless ``limit_loopback``;
    ``max_connections_per_host`` caps concurrent requests to one host (async clients);
    ``limits`` bounds each response (size, decompression, time).
    """

    timeout: Timeout = field(default_factory=Timeout)
    limits: Limits = field(default_factory=Limits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit: RateLimit | None = None
    limit_loopback: bool = False
    max_connections_per_host: int = 8
    user_agent: str = DEFAULT_USER_AGENT
    proxy: str | None = None
    verify: bool = True
    seed: int | None = None  # for the retry jitter; None: unpredictable

    def replace(self, **changes: Any) -> Self:
        return replace(self, **changes)


# Kemono's operators ask scrapers to be gentle: a few requests per second, few connections.
KEMONO_CONFIG = Config(rate_limit=RateLimit(rate=2.0, burst=5), max_connections_per_host=4)
# Interactive pixiv use: no client-side budget (the server's "Rate Limit" answer is honoured).
PIXIV_CONFIG = Config()
# Bulk pixiv work (the downloader): about one request per second, as pixiv tolerates.
PIXIV_BULK_CONFIG = Config(rate_limit=RateLimit(rate=1.0, burst=3), max_connections_per_host=4)
