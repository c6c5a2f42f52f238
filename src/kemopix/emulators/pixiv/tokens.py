"""Access tokens, login codes and refresh-token minting (in memory; a reset clears them).

Access tokens expire after the emulator's ``access_token_ttl`` so clients exercise refresh;
login codes expire after 30 s and serve once (pixiv-protocol.md §1.3).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["CODE_TTL", "AuthCode", "TokenStore"]

CODE_TTL = 30.0

TokenState = Literal["ok", "unknown", "expired"]


@dataclass(slots=True)
class _Access:
    user_id: int
    expires_at: float


@dataclass(frozen=True, slots=True)
class AuthCode:
    """A login code waiting for its ``authorization_code`` grant."""

    user_id: int
    challenge: str
    method: str
    expires_at: float


class TokenStore:
    """Thread-safe store of the short-lived credentials."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._access: dict[str, _Access] = {}
        self._codes: dict[str, AuthCode] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._access.clear()
            self._codes.clear()

    @staticmethod
    def new_refresh_token() -> str:
        return secrets.token_urlsafe(32)

    def issue(self, user_id: int, ttl: float) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._access[token] = _Access(user_id, self.clock() + ttl)
        return token

    def resolve(self, token: str) -> tuple[int | None, TokenState]:
        """The user of an access token, or why there is none."""
        with self._lock:
            entry = self._access.get(token)
        if entry is None:
            return None, "unknown"
        if self.clock() >= entry.expires_at:
            return None, "expired"
        return entry.user_id, "ok"

    def expire_all(self) -> int:
        """Make every access token expired now; returns how many there were."""
        with self._lock:
            now = self.clock()
            for entry in self._access.values():
                entry.expires_at = min(entry.expires_at, now)
            return len(self._access)

    def issue_code(self, user_id: int, challenge: str, method: str = "S256") -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = AuthCode(user_id, challenge, method, self.clock() + CODE_TTL)
        return code

    def take_code(self, code: str) -> AuthCode | None:
        """The code's data if it is known and fresh; a code serves once."""
        with self._lock:
            entry = self._codes.pop(code, None)
        if entry is None or self.clock() >= entry.expires_at:
            return None
        return entry
