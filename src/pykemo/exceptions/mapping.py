"""The ``ErrorMap`` that turns kemopix core errors into pykemo's classes."""

from __future__ import annotations

from kemopix._protocol.errors import (
    Challenge,
    DecodeError,
    ErrorMap,
    Forbidden,
    HTTPStatusError,
    IntegrityError,
    InvalidInput,
    KemopixError,
    LimitExceeded,
    NotFound,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
    UnsafePathError,
)
from kemopix.sites.kemono import errors as site

from . import general, roles, sessions

__all__ = ["PYKEMO_ERRORS"]

_MAPPING: dict[type[KemopixError], type[BaseException]] = {
    TransportError: general.PyKemoTransportError,
    Timeout: general.PyKemoTimeout,
    LimitExceeded: general.PyKemoLimitExceeded,
    HTTPStatusError: general.PyKemoHTTPError,
    NotFound: general.PyKemoNotFound,
    Unauthorized: general.PyKemoUnauthorized,
    RateLimited: general.PyKemoRateLimited,
    Forbidden: general.PyKemoForbidden,
    Challenge: general.PyKemoChallenge,
    ServerError: general.PyKemoServerError,
    DecodeError: general.PyKemoDecodeError,
    IntegrityError: general.PyKemoIntegrityError,
    InvalidInput: general.PyKemoValueError,
    UnsafePathError: general.PyKemoUnsafePath,
    site.PasswordChangeFailed: general.PasswordChangeError,
    site.AlreadyFlagged: general.PostAlreadyFlagged,
    site.LoginFailed: sessions.LoginError,
    site.InvalidCredentials: sessions.InvalidLogin,
    site.LoginConflict: sessions.AlreadyLoggedIn,
    site.RegistrationFailed: sessions.RegisterError,
    site.RegistrationRejected: sessions.InvalidRegister,
    site.InsufficientRole: roles.InsufficientPrivileges,
}

PYKEMO_ERRORS = ErrorMap(_MAPPING)
