"""The downloader's pacing policy: a ``Throttle`` that learns each host's limits as it goes.

The runners (``kemopix._io.AsyncRunner``) consult it around every attempt, retries included:
``concurrency`` for the attempts in flight per host and lane, ``admit`` once an attempt has its
slot (a rate-budget or pause wait), ``observe`` after (the outcome, Retry-After parsed once by
the core). API calls and
file bodies to one host are two lanes with their own concurrency (a page request must not queue
behind a dozen large files), sharing the host's rate budget. The rules are pure, in ``pacing``;
budgets of public hosts are shared between processes (``budget_store``), loopback hosts' never.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable

from msgspec import Struct, field

from .._protocol.errors import KemopixError, Timeout
from .._protocol.http import Request, Response
from .._protocol.ratelimit import is_loopback
from .._protocol.throttle import Attempt
from .budget_store import BudgetStore, LocalBudgets
from .pacing import (
    CONFIRM_CONGESTION,
    CONFIRM_THROTTLE,
    BudgetState,
    Concurrency,
    Signals,
    reserve,
    throttled,
)
from .quality import Breaker

__all__ = ["HostPolicy", "HostStats", "HostTraffic", "Traffic", "default_policy"]

CONGESTION_STATUSES = frozenset({429, 503})
RATE_WINDOW = 2.0  # seconds over which the rate a host lets through is measured
PEEK_EVERY = 1.0  # seconds between looks at the shared store for an unlimited host
MB = 1 << 20


class HostPolicy(Struct, frozen=True):
    """Limits of one host: a rate budget (None: unlimited) and concurrency bounds."""

    rate: float | None = None
    burst: int = 5
    initial_concurrency: int = 4
    max_concurrency: int = 16


class HostStats(Struct):
    """What happened on one host during the run."""

    requests: int = 0
    bytes: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    throttled: int = 0
    peak_concurrency: int = 0


class _HostShared:
    """What the lanes of one host share: the rate it let through lately, throttling signals."""

    def __init__(self, store: BudgetStore) -> None:
        self.store = store
        self.ok: deque[float] = deque()  # when answers that were not refusals came back
        self.throttles = Signals()
        self.rate_cut_at = float("-inf")
        self.learned = False  # the store holds a learned rate or a pause for this host
        self.known = False  # ... a learned rate
        self.peeked = float("-inf")


class HostTraffic:
    """Concurrency and statistics of one lane (``api`` or ``files``) of a host."""

    def __init__(self, host: str, policy: HostPolicy, shared: _HostShared) -> None:
        self.host = host
        self.policy = policy
        self.concurrency = Concurrency(policy.initial_concurrency, policy.max_concurrency)
        self.stats = HostStats()
        self.congestion = Signals()
        self.shared = shared
        self.cut_at = float("-inf")

    def default(self, now: float) -> BudgetState:
        return BudgetState.initial(self.policy.rate, self.policy.burst, now)

    def achieved_rate(self, now: float) -> float:
        """Answers per second the host gave lately (over at least one second)."""
        ok = self.shared.ok
        while ok and ok[0] < now - RATE_WINDOW:
            ok.popleft()
        if not ok:
            return 0.0
        return len(ok) / max(1.0, now - ok[0])


class Traffic:
    """Every host's traffic state for one run; the ``Throttle`` of the downloader's runners.

    ``store`` holds the rate budgets of public hosts (shared between processes when it is a
    ``SharedBudgets``); loopback hosts keep theirs in this process only.
    """

    def __init__(
        self, policy_for: Callable[[str], HostPolicy], store: BudgetStore | None = None
    ) -> None:
        self.policy_for = policy_for
        self.store: BudgetStore = store if store is not None else LocalBudgets()
        self._local = LocalBudgets()
        self.hosts: dict[str, HostTraffic] = {}
        self._shared: dict[str, _HostShared] = {}
        # The lanes by host, asked several times per attempt: no key to build each time.
        self._api: dict[str, HostTraffic] = {}
        self._files: dict[str, HostTraffic] = {}
        self._wall = time.time() - time.monotonic()  # budgets keep wall-clock times
        # Admitted attempts in flight, by request: when each was sent, and its lane (one
        # request object may be in flight more than once: the later ones wait in
        # ``_sent_more``, oldest first).
        self._sent: dict[int, tuple[float, HostTraffic]] = {}
        self._sent_more: dict[int, list[tuple[float, HostTraffic]]] = {}
        # The lane last looked up: a runner asks for a request's concurrency, then admits it.
        self._last: tuple[Request | None, HostTraffic | None] = (None, None)
        # File hosts that are down (connection-level failures): refused at once (``HostDown``).
        self.breaker = Breaker()

    def host(self, host: str, lane: str = "api") -> HostTraffic:
        """The traffic state of ``host``'s ``lane`` (``api`` or ``files``)."""
        key = f"{host} {lane}"
        traffic = self.hosts.get(key)
        if traffic is None:
            shared = self._shared.get(host)
            if shared is None:
                store = self._local if is_loopback(host) else self.store
                shared = self._shared[host] = _HostShared(store)
            traffic = self.hosts[key] = HostTraffic(host, self.policy_for(host), shared)
        return traffic

    def _lane(self, request: Request) -> HostTraffic:
        last, lane = self._last
        if last is request and lane is not None:
            return lane
        lanes = self._api if request.sink is None else self._files
        host = request.host
        lane = lanes.get(host)
        if lane is None:
            lane = lanes[host] = self.host(host, "api" if request.sink is None else "files")
        self._last = (request, lane)
        return lane

    # -- the Throttle interface ---------------------------------------------------------------
    def admit(self, request: Request, now: float) -> float:
        if request.sink is not None:
            self.breaker.check(request, now)  # before any state: a refused request never ran
        lane = self._lane(request)
        concurrency = lane.concurrency
        concurrency.started(now)
        key = id(request)
        if key in self._sent:
            self._sent_more.setdefault(key, []).append((now, lane))
        else:
            self._sent[key] = (now, lane)
        stats = lane.stats
        if concurrency.in_flight > stats.peak_concurrency:  # (seldom: no min() call for most)
            in_flight = min(concurrency.in_flight, concurrency.limit)
            if in_flight > stats.peak_concurrency:
                stats.peak_concurrency = in_flight
        shared = lane.shared
        # An unlimited host looks at the store (for a pause or a rate another process learned)
        # once a second, not on every request.
        if lane.policy.rate is None and not shared.learned and now - shared.peeked < PEEK_EVERY:
            return 0.0
        shared.peeked = now
        wall = now + self._wall
        state, wait = shared.store.update(
            lane.host, lane.default(wall), lambda state: reserve(state, wall)
        )
        shared.learned = state.learned is not None or state.paused_until > wall
        shared.known = state.learned is not None
        return wait

    def concurrency(self, request: Request) -> int | None:
        return self._lane(request).concurrency.limit

    def observe(self, attempt: Attempt) -> None:
        request = attempt.request
        key = id(request)
        admitted = self._sent.pop(key, None)
        if admitted is None:
            return  # abandoned before it was admitted
        sent, lane = admitted
        if self._sent_more:
            later = self._sent_more.get(key)
            if later:
                self._sent[key] = later.pop(0)
                if not later:
                    del self._sent_more[key]
        outcome, now = attempt.outcome, attempt.ended
        if request.sink is not None:
            self.breaker.observe(request, outcome, now)
        stats = lane.stats
        units = 1.0
        status = None  # None: no answer
        if isinstance(outcome, Response):
            status = outcome.status
            stats.requests += 1
            stats.statuses[status] += 1
            stats.bytes += outcome.received
            units += outcome.received / MB
        elif isinstance(outcome, KemopixError):
            stats.requests += 1
            stats.errors[type(outcome).__name__] += 1
        lane.concurrency.finished(now, units)
        if outcome is None:
            return
        # Broken connections (resets, short bodies) are retried, not a reason to slow down.
        was_throttled = attempt.throttled
        if was_throttled:
            congested = True
        elif status is None:
            congested = isinstance(outcome, Timeout)
        else:
            congested = status in CONGESTION_STATUSES
            ok = lane.shared.ok
            ok.append(now)
            while ok[0] < now - RATE_WINDOW:  # kept short: a long run's answers are not held
                ok.popleft()
        # Once per round trip, and only when confirmed: answers to requests sent before the
        # last cut are old news, and a lone refusal among many answers is noise.
        # (A quiet answer to a quiet window changes nothing: no call to count it.)
        congestion = lane.congestion
        if (congested or congestion.count) and (
            congestion.add(congested) >= CONFIRM_CONGESTION and sent >= lane.cut_at
        ):
            lane.concurrency.congested(now)
            congestion.clear()
            lane.cut_at = now
        learn = False
        if was_throttled:
            stats.throttled += 1
            throttles = lane.shared.throttles.add(True)
            # A host with a learned rate in force is known to throttle: one refusal is enough.
            confirmed = throttles >= CONFIRM_THROTTLE or lane.shared.known
            learn = confirmed and sent >= lane.shared.rate_cut_at
        elif lane.shared.throttles.count:
            lane.shared.throttles.add(False)
        told = attempt.retry_after is not None and attempt.retryable
        if learn or (told and status is not None):
            self._throttled(lane, now, attempt.retry_after, learn=learn)

    def _throttled(
        self, lane: HostTraffic, now: float, retry_after: float | None, *, learn: bool
    ) -> None:
        shared = lane.shared
        if learn:
            shared.rate_cut_at = now
            shared.throttles.clear()
        achieved = lane.achieved_rate(now)
        wall = now + self._wall
        state, _ = shared.store.update(
            lane.host,
            lane.default(wall),
            lambda state: (throttled(state, wall, achieved, retry_after, learn=learn), 0.0),
        )
        shared.learned = state.learned is not None or state.paused_until > wall
        shared.known = state.learned is not None

    # -- reporting ----------------------------------------------------------------------------
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
        self._local.close()


def default_policy(
    rate: float | None, *, limit_loopback: bool = False
) -> Callable[[str], HostPolicy]:
    """A policy function: ``rate`` on public hosts, none on loopback unless ``limit_loopback``."""

    def policy(host: str) -> HostPolicy:
        if rate is not None and (limit_loopback or not is_loopback(host)):
            return HostPolicy(rate=rate)
        return HostPolicy()

    return policy
