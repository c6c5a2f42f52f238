"""Per-host pacing as pure state: adaptive concurrency (AIMD) and an adaptive request rate.

No I/O and no clock of its own: the caller passes ``now`` and does the waiting.

Concurrency grows while throughput rises (doubling at first, then one slot per round) and
halves on a congestion signal (429, 503, timeouts, resets). The rate budget is a token bucket
whose rate starts at the configured one (a site default, or none on an unlimited host). A
throttling answer sets a *ceiling* (the rate that was refused, or the rate the site let through)
and cuts the rate to ``RATE_CUT`` of it; while requests succeed the rate creeps back up by
``RATE_STEP`` per second to just under the ceiling (``CEILING_MARGIN``), so a steady limit is
found after one or two answers and then respected. After ``PROBE_AFTER`` calm seconds at the
ceiling it is raised a little, in case the site became more generous.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = [
    "RATE_FLOOR",
    "BudgetState",
    "Concurrency",
    "reserve",
    "succeeded",
    "throttled",
]

RATE_FLOOR = 0.2  # requests per second: never slower than one every five seconds
RATE_CUT = 0.9  # a throttling answer sets the rate to 90% of the ceiling
RATE_STEP = 0.25  # then it grows by this many requests per second, each second...
CEILING_MARGIN = 0.97  # ...up to 97% of the ceiling
PROBE_AFTER = 30.0  # seconds at the ceiling without a refusal before probing 5% higher
LEARNED_TTL = 120.0  # a learned (not configured) rate is forgotten after this idle time


@dataclass(frozen=True, slots=True)
class BudgetState:
    """A host's token bucket: ``rate`` None means unlimited (until a throttling answer)."""

    rate: float | None
    cap: float | None
    burst: int
    tokens: float
    updated: float
    paused_until: float = 0.0
    learned: bool = False
    ceiling: float | None = None  # the rate the site refused, once it has refused one
    calm_since: float = 0.0  # when the rate last reached the ceiling without a refusal

    @classmethod
    def initial(cls, rate: float | None, burst: int, now: float) -> BudgetState:
        return cls(rate, rate, max(1, burst), float(max(1, burst)), now)


def _refill(state: BudgetState, now: float) -> BudgetState:
    if state.learned and now - state.updated > LEARNED_TTL:
        return BudgetState.initial(state.cap, state.burst, now)
    if state.rate is None:
        return replace(state, updated=max(now, state.updated))
    if now <= state.updated:
        return state  # still inside a pause: nothing refills before it ends
    elapsed = now - state.updated
    tokens = min(float(state.burst), state.tokens + elapsed * state.rate)
    return replace(state, tokens=tokens, updated=now)


def reserve(state: BudgetState, now: float) -> tuple[BudgetState, float]:
    """Book one request; the new state and the seconds to wait before sending it."""
    state = _refill(state, now)
    pause = max(0.0, state.paused_until - now)
    if state.rate is None:
        return state, pause
    tokens = state.tokens - 1.0
    wait = 0.0 if tokens >= 0 else -tokens / state.rate
    return replace(state, tokens=tokens), max(pause, wait)


def throttled(
    state: BudgetState, now: float, achieved: float, retry_after: float | None
) -> BudgetState:
    """The host said "slow down": ``achieved`` is the rate it let through lately (req/s)."""
    state = _refill(state, now)
    if state.ceiling is None:
        # First refusal: the site's limit is about what it let through.
        ceiling = achieved if achieved > 0 else (state.rate or RATE_FLOOR)
        if state.rate is not None:
            ceiling = min(ceiling, state.rate)
    else:
        # Refused again: the rate in force was too high.
        ceiling = min(state.ceiling, state.rate if state.rate is not None else state.ceiling)
    ceiling = max(RATE_FLOOR, ceiling)
    rate = max(RATE_FLOOR, ceiling * RATE_CUT)
    if state.cap is not None:
        rate = min(rate, state.cap)
    until = max(state.paused_until, now + retry_after) if retry_after else state.paused_until
    # Empty the bucket and refill it only from the end of the pause, one token at a time: the
    # requests queued behind the pause must not burst into the same wall again.
    tokens = min(state.tokens, 0.0)
    return replace(
        state,
        rate=rate,
        burst=1,
        tokens=tokens,
        updated=max(now, until),
        paused_until=until,
        learned=True,
        ceiling=ceiling,
        calm_since=0.0,
    )


def succeeded(state: BudgetState, now: float, since: float) -> BudgetState:
    """A request went through: let the rate creep up (``since`` = previous success time)."""
    if state.rate is None or not state.learned:
        return state
    elapsed = min(1.0, max(0.0, now - since))
    rate = state.rate + RATE_STEP * elapsed
    ceiling, calm = state.ceiling, state.calm_since
    if ceiling is not None:
        top = ceiling * CEILING_MARGIN
        if rate >= top:
            rate = top
            calm = calm or now
            if now - calm >= PROBE_AFTER:
                ceiling, calm = ceiling * 1.05, 0.0
        else:
            calm = 0.0
    if state.cap is not None:
        rate = min(rate, state.cap)
    return replace(state, rate=rate, ceiling=ceiling, calm_since=calm)


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
        self.in_flight = max(0, self.in_flight - 1)
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
        """A 429, 503, timeout or reset: halve the limit and leave slow start."""
        self.limit = max(self.floor, self.limit // 2)
        self.slow_start = False
        self._best = 0.0
        self._new_round(now)

    def _new_round(self, now: float) -> None:
        self._round_start = now if self.in_flight else None
        self._round_units = 0.0
        self._round_done = 0
        self._saturated = self.in_flight >= self.limit
