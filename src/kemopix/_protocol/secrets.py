"""Masking of credentials: a ``Secret`` value type and redaction of headers and text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["MASK", "SENSITIVE_HEADERS", "Secret", "redact_headers", "redact_text"]

MASK = "********"

SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})

# Keys whose values are credentials wherever they appear: JSON bodies, form bodies, query strings.
_SECRET_KEYS = (
    "password|new_password|current_password|new_password_conf|refresh_token|access_token|"
    "session|code_verifier|code|client_secret|token"
)
_JSON_PAIR = re.compile(rf'("(?:{_SECRET_KEYS})"\s*:\s*)"(?:[^"\\]|\\.)*"', re.IGNORECASE)
_FORM_PAIR = re.compile(rf"(?<![\w-])((?:{_SECRET_KEYS})=)[^&;\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


class Secret:
    """A credential that never shows itself in ``repr``/``str``; ``reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)


def redact_text(text: str, known: Iterable[str] = ()) -> str:
    """Mask credential-looking pairs (JSON, form, query, Bearer) and any ``known`` secret values."""
    text = _JSON_PAIR.sub(rf'\1"{MASK}"', text)
    text = _FORM_PAIR.sub(rf"\1{MASK}", text)
    text = _BEARER.sub(rf"\1{MASK}", text)
    for value in known:
        if value and len(value) >= 4:
            text = text.replace(value, MASK)
    return text


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` with the credential-bearing ones masked."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return {k: (MASK if k.lower() in SENSITIVE_HEADERS else v) for k, v in pairs}
