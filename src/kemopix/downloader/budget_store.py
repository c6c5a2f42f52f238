"""Where the per-host rate budgets live: in memory, or in a SQLite file shared by processes.

Several kemopix processes pointed at the same site share one budget through
``<cache>/rate-budget.sqlite3``: each reservation is one short ``BEGIN IMMEDIATE`` transaction,
so the processes together stay within the host's rate, and a throttling answer seen by one
slows all of them. Times are wall-clock seconds (comparable across processes). What is shared
is the bucket's fill, the pause and the learned rate, which relaxes back to the configured rate
within seconds (``pacing.DECAY``): a few refusals never make a later run slower. Each process
brings its own configured rate and burst. Loopback hosts (local servers) are never shared.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from .pacing import BudgetState

__all__ = ["BUDGET_FILE", "BudgetStore", "LocalBudgets", "SharedBudgets"]

BUDGET_FILE = "rate-budget.sqlite3"

Update = Callable[[BudgetState], tuple[BudgetState, float]]


class BudgetStore(Protocol):
    """Applies an update to a host's budget state atomically; returns the new state and the
    update's number (e.g. the seconds to wait)."""

    shared: bool

    def update(
        self, host: str, default: BudgetState, change: Update
    ) -> tuple[BudgetState, float]: ...

    def close(self) -> None: ...


class LocalBudgets:
    """Budgets of this process only."""

    shared = False

    def __init__(self) -> None:
        self._states: dict[str, BudgetState] = {}

    def update(self, host: str, default: BudgetState, change: Update) -> tuple[BudgetState, float]:
        state, value = change(self._states.get(host, default))
        self._states[host] = state
        return state, value

    def close(self) -> None:
        self._states.clear()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS budgets (
    host TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL,
    paused_until REAL NOT NULL, learned REAL, learned_at REAL NOT NULL
)
"""


class SharedBudgets:
    """Budgets shared by every kemopix process of this user (SQLite, one row per host).

    The configured rate comes from the caller each time, so a process started with a lower
    ``--rate`` than another still obeys its own.
    """

    shared = True

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(
            path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # Budgets are seconds-long state: losing the last update to a crash is harmless, an
        # fsync per request is not.
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("DROP TABLE IF EXISTS host_budgets")  # the first layout: rates for good
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()

    def update(self, host: str, default: BudgetState, change: Update) -> tuple[BudgetState, float]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT tokens, updated, paused_until, learned, learned_at FROM budgets"
                    " WHERE host=?",
                    (host,),
                ).fetchone()
                state = default
                if row is not None:
                    state = BudgetState(
                        rate=default.rate,
                        burst=default.burst,
                        tokens=min(float(default.burst), row[0]),
                        updated=row[1],
                        paused_until=row[2],
                        learned=row[3],
                        learned_at=row[4],
                    )
                new, value = change(state)
                self._db.execute(
                    "INSERT OR REPLACE INTO budgets VALUES (?,?,?,?,?,?)",
                    (host, new.tokens, new.updated, new.paused_until, new.learned, new.learned_at),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return new, value

    def close(self) -> None:
        with self._lock:
            self._db.close()
