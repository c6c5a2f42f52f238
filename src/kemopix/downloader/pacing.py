"""Per-host pacing as pure state: adaptive concurrency (AIMD) and an adaptive request rate.

No I/O and no clock of its own: the caller passes ``now`` and does the waiting.

Concurrency grows while throughput rises (doubling at first, then one slot per round) and
halves when congestion (429, 503, timeouts) is *confirmed*: ``CONFIRM_CONGESTION`` signals among
the lane's last ``WINDOW`` answers. A lone random 503 costs a retry, not half the connections.

The rate budget is a token bucket at the configured rate (a site default, or none on an
unlimited host). A confirmed throttling answer (``CONFIRM_THROTTLE`` among the last ``WINDOW``)
*learns* a lower rate: ``RATE_CUT`` of the rate the host let through; while a learned rate is in
force, any fresh refusal cuts it by ``RATE_CUT`` again (it was too high). A learned rate is not a
new configuration: it holds for ``HOLD`` seconds after the last lesson (or the Retry-After pause
that came with it), then relaxes back toward the configured rate with time constant ``DECAY``
(the spacing between requests shrinks by e each ``DECAY`` seconds) and is forgotten after
``FORGET`` seconds. A host with a fixed limit is probed about every ``HOLD`` seconds (a refusal
or two); one that was only unlucky never learns a rate, or is back at full speed within
seconds, in this run and the next.
"""

from __future__ import annotations

import math
from collections import deque

from msgspec import Struct
from msgspec.structs import replace

__all__ = [
    "CONFIRM_CONGESTION",
    "CONFIRM_THROTTLE",
    "DECAY",
    "FORGET",
    "HOLD",
    "RATE_FLOOR",
    "WINDOW",
    "BudgetState",
    "Concurrency",
    "Signals",
    "reserve",
    "throttled",
]

RATE_FLOOR = 0.2  # requests per second: never slower than one every five seconds
RATE_CUT = 0.9  # a confirmed throttling answer learns 90% of what the host let through
HOLD = 20.0  # seconds a learned rate holds after its last lesson (or the pause that came with it)
DECAY = 5.0  # ...then the time constant of its return to the configured rate
FORGET = HOLD + 8 * DECAY  # after this, a learned rate is gone (its effect is below 0.04%)
WINDOW = 20  # answers of a host (lane) over which signals are counted
CONFIRM_THROTTLE = 3  # throttling answers in the window before the rate is cut
CONFIRM_CONGESTION = 3  # congestion signals in the window before concurrency halves


class BudgetState(Struct, frozen=True):
    """A host's token bucket. ``rate`` is the configured rate (None: unlimited); ``learned``
    the rate a throttling answer taught, relaxing toward ``rate`` from ``learned_at`` on."""

    rate: float | None
    burst: int
    tokens: float
    updated: float
    paused_until: float = 0.0
    learned: float | None = None
    learned_at: float = 0.0

    @classmethod
    def initial(cls, rate: float | None, burst: int, now: float) -> BudgetState:
        return cls(rate, max(1, burst), float(max(1, burst)), now)

    def current(self, now: float) -> float | None:
        """The rate in force at ``now``: the learned one on its way back to the configured one."""
        if self.learned is None:
            return self.rate
        floor_gap = 0.0 if self.rate is None else 1.0 / self.rate
        age = max(0.0, now - self.learned_at - HOLD)
        extra = (1.0 / self.learned - floor_gap) * math.exp(-age / DECAY)
        gap = floor_gap + max(0.0, extra)
        return None if gap <= 0.0 else 1.0 / gap

    def with_config(self, rate: float | None, burst: int) -> BudgetState:
        """The same learned state under this process's configured rate and burst."""
        return replace(self, rate=rate, burst=max(1, burst), tokens=min(self.tokens, burst))


def _refill(state: BudgetState, now: float) -> BudgetState:
    if state.learned is not None and now - state.learned_at > FORGET:
        state = replace(state, learned=None)
    if now <= state.updated:
        return state  # still inside a pause: nothing refills before it ends
    rate = state.current(now)
    if rate is None:
        return replace(state, tokens=float(state.burst), updated=now)
    # While a learned rate is in force, no bursts: one token at a time.
    top = 1.0 if state.learned is not None else float(state.burst)
    tokens = min(top, state.tokens + (now - state.updated) * rate)
    return replace(state, tokens=tokens, updated=now)


def reserve(state: BudgetState, now: float) -> tuple[BudgetState, float]:
    """Book one request; the new state and the seconds to wait before sending it."""
    state = _refill(state, now)
    pause = max(0.0, state.paused_until - now)
    rate = state.current(now)
    if rate is None:
        return state, pause
    tokens = state.tokens - 1.0
    wait = 0.0 if tokens >= 0 else -tokens / rate
    return replace(state, tokens=tokens), max(pause, wait)


def throttled(
    state: BudgetState, now: float, achieved: float, retry_after: float | None, *, learn: bool
) -> BudgetState:
    """The host said "slow down". ``retry_after`` pauses it; with ``learn``, a rate is learned:
    the first time ``RATE_CUT`` of ``achieved`` (what the host let through lately), while a
    learned rate is in force ``RATE_CUT`` of that rate (it was refused: too high)."""
    state = _refill(state, now)
    until = max(state.paused_until, now + retry_after) if retry_after else state.paused_until
    state = replace(state, paused_until=until, updated=max(state.updated, until))
    if not learn:
        return state
    current = state.current(now)
    if state.learned is not None and current is not None:
        base = current
    else:
        base = achieved if achieved > 0 else (current or RATE_FLOOR)
        base = base if current is None else min(base, current)
    learned = max(RATE_FLOOR, base * RATE_CUT)
    if state.rate is not None:
        learned = min(learned, state.rate)
    # Empty the bucket and refill it only from the end of the pause: the requests queued behind
    # the pause must not burst into the same wall again.
    tokens = min(state.tokens, 0.0)
    return replace(state, learned=learned, learned_at=max(now, until), tokens=tokens)


class Signals:
    """The last ``WINDOW`` answers of a host (lane): how many carried a given signal."""

    __slots__ = ("_marks", "count")

    def __init__(self) -> None:
        self._marks: deque[bool] = deque(maxlen=WINDOW)
        self.count = 0  # the signals in the window, kept as answers come and go

    def add(self, signal: bool) -> int:
        """Record one answer; the number of signals now in the window."""
        if not signal and not self.count:
            # Nothing in the window (most of the time): a quiet answer changes nothing, since
            # a signal leaves after WINDOW answers that came after it, whatever came before.
            return 0
        marks = self._marks
        if len(marks) == WINDOW and marks[0]:
            self.count -= 1  # the oldest leaves the window
        marks.append(signal)
        self.count += signal
        return self.count

    def clear(self) -> None:
        self._marks.clear()
        self.count = 0


class Concurrency:
    """AIMD concurrency for one host: a limit, the requests in flight and throughput rounds.

    A round ends after ``limit`` completions; if the host was kept busy and throughput rose
    by ``GAIN`` over the best round so far, the limit grows (doubling during slow start).
    """

    GAIN = 1.08

    def __init__(self, initial: int = 4, ceiling: int = 32, floor: int = 1) -> None:
        self.floor = max(1, floor)
        self.ceiling = max(self.floor, ceiling)
        self.limit = min(self.ceiling, max(self.floor, initial))
        self.in_flight = 0
        self.slow_start = True
        self._best = 0.0
        self._round_start: float | None = None
        self._round_units = 0.0
        self._round_done = 0
        self._saturated = False

    @property
    def available(self) -> bool:
        return self.in_flight < self.limit

    def started(self, now: float) -> None:
        self.in_flight += 1
        if self._round_start is None:
            self._round_start = now
        if self.in_flight >= self.limit:
            self._saturated = True

    def finished(self, now: float, units: float) -> None:
        """A request completed; ``units`` measure its work (e.g. megabytes plus one)."""
        if self.in_flight > 0:
            self.in_flight -= 1
        self._round_units += units
        self._round_done += 1
        if self._round_done < self.limit or self._round_start is None:
            return
        elapsed = max(1e-6, now - self._round_start)
        throughput = self._round_units / elapsed
        if self._saturated and throughput > self._best * self.GAIN:
            grow = self.limit if self.slow_start else 1
            self.limit = min(self.ceiling, self.limit + grow)
        elif self._saturated:
            self.slow_start = False
        self._best = max(self._best, throughput)
        self._new_round(now)

    def congested(self, now: float) -> None:
        """Confirmed congestion (429, 503, timeouts): halve the limit and leave slow start."""
        self.limit = max(self.floor, self.limit // 2)
        self.slow_start = False
        self._best = 0.0
        self._new_round(now)

    def _new_round(self, now: float) -> None:
        self._round_start = now if self.in_flight else None
        self._round_units = 0.0
        self._round_done = 0
        self._saturated = self.in_flight >= self.limit
