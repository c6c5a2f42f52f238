"""Salted password hashes for the emulator's accounts (PBKDF2-HMAC-SHA256, stdlib only).

A stored hash reads ``pbkdf2_sha256$<iterations>$<salt hex>$<digest hex>``; the plain password is
never stored. The iteration count is modest on purpose (a few milliseconds per hash): this is a
local emulator that logs in often, not a production credential store.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["ITERATIONS", "hash_password", "verify_password"]

ITERATIONS = 20_000
_SCHEME = "pbkdf2_sha256"


def hash_password(password: str, *, iterations: int = ITERATIONS) -> str:
    """A fresh salted hash of ``password``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        scheme, rounds, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        candidate = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), bytes.fromhex(salt), int(rounds)
        )
    except ValueError:
        return False
    return secrets.compare_digest(candidate.hex(), digest)
