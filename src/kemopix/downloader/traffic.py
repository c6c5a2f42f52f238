"""Per-host traffic control for the async engine: concurrency permits, rate budgets, statistics.

``Traffic`` keeps one ``HostTraffic`` per ``scheme://host:port``. The transport
(``kemopix.downloader.transport``) asks it for a permit and a send time before every request
(retries included) and reports how each one ended; the pure rules are in ``pacing``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .._protocol.ratelimit import is_loopback
from .budget_store import BudgetStore, LocalBudgets
from .pacing import BudgetState, Concurrency, reserve, succeeded, throttled

__all__ = ["HostPolicy", "HostStats", "HostTraffic", "Traffic"]

CONGESTION_STATUSES = frozenset({429, 503})
RATE_WINDOW = 2.0  # seconds over which the rate a host lets through is measured


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """Limits of one host: a rate budget (None: unlimited) and concurrency bounds."""

    rate: float | None = None
    burst: int = 5
    initial_concurrency: int = 4
    max_concurrency: int = 16


@dataclass(slots=True)
class HostStats:
    """What happened on one host during the run."""

    requests: int = 0
    bytes: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    throttled: int = 0
    peak_concurrency: int = 0


class _HostShared:
    """What the lanes of one host share: recent send times and the rate-cut moment."""

    def __init__(self) -> None:
        self.ok: deque[float] = deque()  # when answers that were not refusals came back
        self.rate_cut_at = 0.0
        self.last_success = time.time()
        self.learned = False
        self.checked = float("-inf")  # last look at the store for an unlimited host


class HostTraffic:
    """Permits and pacing for one lane of a host.

    API calls and file bodies to one host are two lanes with their own concurrency (a page
    request must not queue behind a dozen large files), sharing the host's rate budget.
    """

    def __init__(
        self,
        host: str,
        policy: HostPolicy,
        store: BudgetStore,
        shared: _HostShared | None = None,
    ) -> None:
        self.host = host
        self.policy = policy
        self.store = store
        self.concurrency = Concurrency(policy.initial_concurrency, policy.max_concurrency)
        self.stats = HostStats()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._shared = shared if shared is not None else _HostShared()
        self._cut_at = 0.0

    def _default(self) -> BudgetState:
        return BudgetState.initial(self.policy.rate, self.policy.burst, time.time())

    async def _store(self, change: Callable[[BudgetState], tuple[BudgetState, float]]) -> float:
        if self.store.shared:
            state, value = await asyncio.to_thread(
                self.store.update, self.host, self._default(), change
            )
        else:
            state, value = self.store.update(self.host, self._default(), change)
        self._shared.learned = state.learned
        return value

    async def acquire(self) -> float:
        """Wait for a concurrency permit and the rate budget; returns the start time."""
        if self._waiters or not self.concurrency.available:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter  # _wake has taken the slot on our behalf
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self.release(time.time(), 0.0)
                elif waiter in self._waiters:
                    self._waiters.remove(waiter)
                raise
        else:
            self.concurrency.started(time.time())
        now = time.time()
        self.stats.peak_concurrency = max(self.stats.peak_concurrency, self.concurrency.in_flight)
        try:
            shared = self._shared
            # An unlimited host looks at the store (for a rate another process learned) once
            # a second, not on every request.
            if self.policy.rate is not None or shared.learned or now - shared.checked >= 1.0:
                shared.checked = now
                wait = await self._store(lambda state: reserve(state, time.time()))
                if wait > 0:
                    await asyncio.sleep(wait)
        except BaseException:
            self.release(time.time(), 0.0)
            raise
        started = time.time()
        self.stats.requests += 1
        return started

    def release(self, now: float, units: float) -> None:
        self.concurrency.finished(now, units)
        self._wake()

    def _wake(self) -> None:
        """Hand every free slot to the next waiter (the limit may have grown by several)."""
        while self._waiters and self.concurrency.available:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.concurrency.started(time.time())
                waiter.set_result(None)

    def achieved_rate(self, now: float) -> float:
        """Answers per second the host gave lately (over at least one second)."""
        ok = self._shared.ok
        while ok and ok[0] < now - RATE_WINDOW:
            ok.popleft()
        if not ok:
            return 0.0
        return len(ok) / max(1.0, now - ok[0])

    async def answered(
        self,
        started: float,
        status: int,
        size: int,
        retry_after: float | None,
        *,
        throttle: bool = False,
    ) -> None:
        """Account for a response (before :meth:`release`); ``throttle`` marks a site's own
        rate-limit answer (pixiv's 403 "Rate Limit") as a 429."""
        now = time.time()
        self.stats.statuses[status] += 1
        self.stats.bytes += size
        throttle = throttle or status == 429
        if not throttle:
            self._shared.ok.append(now)
        if throttle or status in CONGESTION_STATUSES:
            await self._congestion(started, now, throttle=throttle, retry_after=retry_after)
        elif status < 400 and self._shared.learned:
            since, self._shared.last_success = self._shared.last_success, now
            await self._store(lambda state: (succeeded(state, now, since), 0.0))

    async def failed(self, started: float, kind: str) -> None:
        """A timeout or a broken connection: a congestion signal too."""
        self.stats.errors[kind] += 1
        await self._congestion(started, time.time(), throttle=False, retry_after=None)

    async def _congestion(
        self, started: float, now: float, *, throttle: bool, retry_after: float | None
    ) -> None:
        # Once per round trip: answers to requests sent before the last cut are old news.
        if started >= self._cut_at:
            self.concurrency.congested(now)
            self._cut_at = now
        fresh = started >= self._shared.rate_cut_at
        if throttle and fresh:
            self._shared.rate_cut_at = now
        if throttle:
            self.stats.throttled += 1
            achieved = self.achieved_rate(now)

            def cut(state: BudgetState) -> tuple[BudgetState, float]:
                if fresh or state.rate is None:
                    return throttled(state, now, achieved, retry_after), 0.0
                until = now + retry_after if retry_after else state.paused_until
                return BudgetState(
                    state.rate,
                    state.cap,
                    state.burst,
                    min(state.tokens, 0.0),
                    state.updated,
                    max(state.paused_until, until),
                    state.learned,
                ), 0.0

            await self._store(cut)


class Traffic:
    """Every host's traffic state for one run, over a shared or local budget store."""

    def __init__(
        self,
        policy_for: Callable[[str], HostPolicy],
        store: BudgetStore | None = None,
    ) -> None:
        self.policy_for = policy_for
        self.store: BudgetStore = store if store is not None else LocalBudgets()
        self.hosts: dict[str, HostTraffic] = {}
        self._shared: dict[str, _HostShared] = {}

    def host(self, host: str, lane: str = "api") -> HostTraffic:
        """The traffic state of ``host``'s ``lane`` (``api`` or ``files``)."""
        key = f"{host} {lane}"
        traffic = self.hosts.get(key)
        if traffic is None:
            shared = self._shared.setdefault(host, _HostShared())
            policy = self.policy_for(host)
            traffic = HostTraffic(host, policy, self.store, shared)
            self.hosts[key] = traffic
        return traffic

    def totals(self) -> HostStats:
        total = HostStats()
        for traffic in self.hosts.values():
            stats = traffic.stats
            total.requests += stats.requests
            total.bytes += stats.bytes
            total.statuses.update(stats.statuses)
            total.errors.update(stats.errors)
            total.throttled += stats.throttled
            total.peak_concurrency = max(total.peak_concurrency, stats.peak_concurrency)
        return total

    def close(self) -> None:
        self.store.close()


def default_policy(
    rate: float | None, *, limit_loopback: bool = False
) -> Callable[[str], HostPolicy]:
    """A policy function: ``rate`` on public hosts, none on loopback unless ``limit_loopback``."""

    def policy(host: str) -> HostPolicy:
        if rate is not None and (limit_loopback or not is_loopback(host)):
            return HostPolicy(rate=rate)
        return HostPolicy()

    return policy
