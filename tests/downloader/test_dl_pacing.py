"""Pure pacing rules: AIMD concurrency and the adaptive rate budget, on a fake clock."""

from __future__ import annotations

import threading
from pathlib import Path

from kemopix.downloader.budget_store import LocalBudgets, SharedBudgets
from kemopix.downloader.pacing import (
    RATE_FLOOR,
    BudgetState,
    Concurrency,
    reserve,
    succeeded,
    throttled,
)


def run_round(conc: Concurrency, now: float, seconds: float, units: float) -> float:
    """Keep the host saturated for one round of ``limit`` requests; returns the new time."""
    limit = conc.limit
    for _ in range(limit):
        conc.started(now)
    end = now + seconds
    for _ in range(limit):
        conc.finished(end, units)
    return end


def test_concurrency_grows_while_throughput_rises_then_holds() -> None:
    conc = Concurrency(initial=2, ceiling=32)
    now = run_round(conc, 0.0, 1.0, 1.0)  # 2 units/s
    assert conc.limit == 4  # slow start doubles
    now = run_round(conc, now, 1.0, 1.0)  # 4 units/s
    assert conc.limit == 8
    now = run_round(conc, now, 2.0, 1.0)  # 4 units/s again: no gain, leave slow start
    assert conc.limit == 8 and not conc.slow_start
    now = run_round(conc, now, 1.0, 1.5)  # 12 units/s: one more slot
    assert conc.limit == 9


def test_congestion_halves_and_never_below_floor() -> None:
    conc = Concurrency(initial=16, ceiling=32)
    conc.congested(0.0)
    assert conc.limit == 8
    for _ in range(10):
        conc.congested(0.0)
    assert conc.limit == 1 and not conc.slow_start


def test_unsaturated_host_does_not_grow() -> None:
    conc = Concurrency(initial=4, ceiling=32)
    for step in range(10):
        conc.started(step)
        conc.finished(step + 0.5, 1.0 + step)
    assert conc.limit == 4


def test_unlimited_budget_only_obeys_pauses() -> None:
    state = BudgetState.initial(None, 5, 0.0)
    for _ in range(100):
        state, wait = reserve(state, 0.0)
        assert wait == 0.0
    state = throttled(state, 0.0, achieved=20.0, retry_after=2.0)
    assert state.rate is not None and abs(state.rate - 18.0) < 1e-9
    _, wait = reserve(state, 1.0)
    assert abs(wait - 1.0) < 1e-9  # the Retry-After pause dominates


def test_rate_budget_spaces_requests() -> None:
    state = BudgetState.initial(2.0, 2, 0.0)
    waits = []
    for _ in range(5):
        state, wait = reserve(state, 0.0)
        waits.append(wait)
    assert waits == [0.0, 0.0, 0.5, 1.0, 1.5]


def recover(state: BudgetState, seconds: int, start: float = 0.0) -> BudgetState:
    previous = start
    for second in range(1, seconds + 1):
        state = succeeded(state, start + second, previous)
        previous = start + second
    return state


def test_throttle_sets_a_ceiling_and_recovers_under_it() -> None:
    state = BudgetState.initial(None, 5, 0.0)
    state = throttled(state, 0.0, achieved=10.0, retry_after=1.0)
    assert state.ceiling == 10.0 and state.rate == 9.0 and state.learned
    assert state.burst == 1 and state.updated == 1.0  # nothing refills during the pause
    state = recover(state, 20)
    assert state.rate is not None and abs(state.rate - 9.7) < 1e-9  # just under the ceiling
    # Refused again at 9.7: the ceiling comes down to it.
    state = throttled(state, 21.0, achieved=9.5, retry_after=None)
    assert state.ceiling is not None and abs(state.ceiling - 9.7) < 1e-9
    state = recover(state, 10, start=21.0)
    assert state.rate is not None and state.rate < 9.7


def test_calm_ceiling_is_probed_but_never_above_cap() -> None:
    state = throttled(BudgetState.initial(10.0, 5, 0.0), 0.0, achieved=8.0, retry_after=None)
    assert state.ceiling == 8.0 and state.rate is not None and abs(state.rate - 7.2) < 1e-9
    state = recover(state, 200)
    assert state.rate == 10.0  # probing found more room, up to the configured cap
    floor = throttled(BudgetState.initial(None, 1, 0.0), 0.0, achieved=0.0, retry_after=None)
    assert floor.rate is not None and floor.rate >= RATE_FLOOR


def test_learned_rate_is_forgotten_when_idle() -> None:
    state = throttled(BudgetState.initial(None, 5, 0.0), 0.0, achieved=5.0, retry_after=None)
    state, wait = reserve(state, 1000.0)
    assert state.rate is None and wait == 0.0


def test_shared_budget_is_shared_between_connections(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite3"
    first, second = SharedBudgets(path), SharedBudgets(path)
    default = BudgetState.initial(1.0, 1, 100.0)
    waits: list[float] = []
    lock = threading.Lock()

    def book(store: SharedBudgets) -> None:
        _, wait = store.update("h", default, lambda s: reserve(s, 100.0))
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=book, args=(s,)) for s in (first, second) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    first.close()
    second.close()
    local = LocalBudgets()
    _, wait = local.update("h", default, lambda s: reserve(s, 100.0))
    assert wait == 0.0
