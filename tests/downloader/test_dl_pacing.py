"""Pure pacing rules: AIMD concurrency and the adaptive, decaying rate budget, on a fake clock."""

from __future__ import annotations

import math
import random
import sqlite3
import threading
from collections import deque
from pathlib import Path

import pytest

from kemopix._protocol import Request, Response
from kemopix._protocol.throttle import Attempt
from kemopix.downloader.budget_store import LocalBudgets, SharedBudgets
from kemopix.downloader.pacing import (
    DECAY,
    FORGET,
    HOLD,
    RATE_FLOOR,
    WINDOW,
    BudgetState,
    Concurrency,
    Signals,
    reserve,
    throttled,
)
from kemopix.downloader.traffic import HostPolicy, Traffic


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
    state = throttled(state, 0.0, achieved=20.0, retry_after=2.0, learn=False)
    assert state.learned is None  # a lone refusal pauses, it does not teach a rate
    _, wait = reserve(state, 1.0)
    assert abs(wait - 1.0) < 1e-9  # the Retry-After pause


def test_rate_budget_spaces_requests() -> None:
    state = BudgetState.initial(2.0, 2, 0.0)
    waits = []
    for _ in range(5):
        state, wait = reserve(state, 0.0)
        waits.append(wait)
    assert waits == [0.0, 0.0, 0.5, 1.0, 1.5]


def test_learned_rate_decays_back_to_unlimited() -> None:
    state = BudgetState.initial(None, 5, 0.0)
    state = throttled(state, 0.0, achieved=10.0, retry_after=1.0, learn=True)
    assert state.learned == 9.0 and state.updated == 1.0  # nothing refills during the pause
    assert state.current(1.0 + HOLD) == pytest.approx(9.0)  # held, from the end of the pause
    assert state.current(1.0 + HOLD + DECAY) == pytest.approx(9.0 * math.e)
    rate = state.current(1.0 + HOLD + 5 * DECAY)
    assert rate is not None and rate > 1000  # practically unlimited again
    state, wait = reserve(state, 1.0 + FORGET + 1)
    assert state.learned is None and wait == 0.0


def test_learned_rate_decays_to_the_configured_rate_never_above() -> None:
    state = throttled(
        BudgetState.initial(2.0, 5, 0.0), 0.0, achieved=8.0, retry_after=None, learn=True
    )
    assert state.learned == pytest.approx(1.8)  # at most the configured rate, cut by 10%
    for now in (0.0, 1.0, 10.0, 100.0):
        rate = state.current(now)
        assert rate is not None and 1.8 - 1e-9 <= rate <= 2.0
    assert state.current(100.0) == pytest.approx(2.0)


def test_repeated_refusals_learn_a_lower_rate_with_a_floor() -> None:
    state = BudgetState.initial(None, 5, 0.0)
    state = throttled(state, 0.0, achieved=10.0, retry_after=None, learn=True)
    # Refused again while 9/s is in force: 9/s was too high, whatever got through meanwhile.
    state = throttled(state, 0.5, achieved=12.0, retry_after=None, learn=True)
    assert state.learned == pytest.approx(8.1)
    floor = throttled(
        BudgetState.initial(None, 1, 0.0), 0.0, achieved=0.0, retry_after=None, learn=True
    )
    assert floor.learned is not None and floor.learned >= RATE_FLOOR


def test_signals_count_the_recent_window() -> None:
    signals = Signals()
    assert signals.add(True) == 1
    for _ in range(WINDOW - 1):
        signals.add(False)
    assert signals.add(False) == 0  # the old signal left the window


@pytest.mark.parametrize("rate", [0.3, 0.02])  # 0.02: the window is mostly empty
def test_signals_kept_count_equals_a_recount_of_the_window(rate: float) -> None:
    rng = random.Random(7)
    signals, window = Signals(), deque[bool](maxlen=WINDOW)
    for step in range(5_000):
        if step % 997 == 0:
            signals.clear()
            window.clear()
        mark = rng.random() < rate
        window.append(mark)
        assert signals.add(mark) == sum(window)


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


def test_a_few_refusals_do_not_slow_the_next_process(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite3"
    host = "https://kemono.cr"
    first = Traffic(lambda host: HostPolicy(), SharedBudgets(path))
    for n in range(60):  # two scattered 429s among 60 answers: noise, not a limit
        request = Request.build("GET", f"{host}/api/{n}")
        first.admit(request, n * 0.01)
        status = 429 if n in (10, 40) else 200
        outcome = Response(status, {}, b"", request.url, request)
        first.observe(Attempt(request, outcome, n * 0.01, n * 0.01 + 0.005, None, status == 429))
    first.close()
    second = Traffic(lambda host: HostPolicy(), SharedBudgets(path))  # the next run
    request = Request.build("GET", f"{host}/api/next")
    assert second.admit(request, 1.0) == 0.0
    state, _ = second.store.update(host, BudgetState.initial(None, 5, 0.0), lambda s: (s, 0.0))
    assert state.learned is None
    second.close()


def test_a_confirmed_limit_is_shared_then_relaxes(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite3"
    first = SharedBudgets(path)
    default = BudgetState.initial(None, 5, 100.0)
    first.update(
        "https://kemono.cr", default, lambda s: (throttled(s, 100.0, 50.0, 1.0, learn=True), 0.0)
    )
    first.close()
    second = SharedBudgets(path)  # another process, right away: it obeys the learned rate
    state, _ = second.update("https://kemono.cr", default, lambda s: reserve(s, 102.0))
    assert state.learned == pytest.approx(45.0) and state.current(102.0) == pytest.approx(45.0)
    rate = state.current(101.0 + HOLD + 3 * DECAY)
    assert rate is not None and rate > 45.0 * 20  # and it relaxes within seconds after the hold
    second.close()


def test_loopback_budgets_stay_in_the_process(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite3"
    traffic = Traffic(lambda host: HostPolicy(rate=1.0), SharedBudgets(path))
    local = Request.build("GET", "http://127.0.0.1:8000/api")
    public = Request.build("GET", "https://kemono.cr/api")
    for request in (local, public):
        traffic.admit(request, 0.0)
        traffic.observe(Attempt(request, None, 0.0, 0.0))
    traffic.close()
    with sqlite3.connect(path) as db:
        hosts = [row[0] for row in db.execute("SELECT host FROM budgets")]
    assert hosts == ["https://kemono.cr"]


def test_a_long_run_keeps_only_the_recent_answers_of_a_host() -> None:
    traffic = Traffic(lambda host: HostPolicy())
    host = "http://127.0.0.1:8000"
    for n in range(1000):  # 1,000 answers over 10 s, ten of them in flight at a time
        request = Request.build("GET", f"{host}/api/{n}")
        traffic.admit(request, n * 0.01)
        outcome = Response(200, {}, b"", request.url, request)
        traffic.observe(Attempt(request, outcome, n * 0.01, n * 0.01 + 0.1))
    lane = traffic.host(host)
    # the answers of the last RATE_WINDOW (2 s) only, and the rate they make is the same
    assert len(lane.shared.ok) == 201
    assert lane.achieved_rate(10.09) == pytest.approx(200 / 2.0, rel=0.01)
    assert traffic.totals().requests == 1000 and not traffic._sent
    traffic.close()


def test_one_request_in_flight_twice_is_counted_twice_in_order() -> None:
    # One request object sent twice at once: each answer is told the time of the oldest send
    # still open (the congestion cut ignores answers to requests sent before it), and an
    # answer to a send never admitted is not counted.
    traffic = Traffic(lambda host: HostPolicy())
    request = Request.build("GET", "http://127.0.0.1:8000/api")
    lane = traffic.host("http://127.0.0.1:8000")
    traffic.admit(request, 0.0)
    traffic.admit(request, 5.0)
    lane.cut_at = 1.0  # a cut between the two sends
    lane.congestion.add(True)
    lane.congestion.add(True)  # one more signal confirms congestion
    limit = lane.concurrency.limit

    def refused(n: int) -> None:
        outcome = Response(503, {}, b"", request.url, request)
        traffic.observe(Attempt(request, outcome, 0.0, 6.0 + n))

    refused(0)  # the answer to the send at 0.0: old news, no cut
    assert lane.concurrency.limit == limit
    refused(1)  # the answer to the send at 5.0: the cut
    assert lane.concurrency.limit == limit // 2
    refused(2)  # never admitted: not counted
    assert lane.stats.requests == 2 and lane.concurrency.in_flight == 0
    assert not traffic._sent and not traffic._sent_more
    traffic.close()
