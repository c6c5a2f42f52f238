"""The sans-I/O Kemono protocol: site, wire models and one flow per endpoint.

Run the flows with ``SyncRunner``/``AsyncRunner`` from ``kemopix._io``; page steps go to
``iter_items``/``aiter_items``. Facts: /work/shared/docs/kemono-protocol.md (cited as §n).
"""

from . import accounts, answers, creators, discord, posts
from .dates import parse_date
from .errors import (
    AlreadyFlagged,
    InsufficientRole,
    InvalidCredentials,
    LoginConflict,
    LoginFailed,
    PasswordChangeFailed,
    RegistrationFailed,
    RegistrationRejected,
    api_error,
    expect_ok,
)
from .site import DEFAULT_URL, ENV_URL, PRESETS, Flavour, KemonoSite

__all__ = [
    "DEFAULT_URL",
    "ENV_URL",
    "PRESETS",
    "AlreadyFlagged",
    "Flavour",
    "InsufficientRole",
    "InvalidCredentials",
    "KemonoSite",
    "LoginConflict",
    "LoginFailed",
    "PasswordChangeFailed",
    "RegistrationFailed",
    "RegistrationRejected",
    "accounts",
    "answers",
    "api_error",
    "creators",
    "discord",
    "expect_ok",
    "parse_date",
    "posts",
]
