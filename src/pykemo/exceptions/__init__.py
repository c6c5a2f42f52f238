"""pykemo's exception tree, rooted at ``PyKemoException`` (itself a ``kemopix.KemopixError``)."""

from .general import (
    PasswordChangeError,
    PostAlreadyFlagged,
    PyKemoChallenge,
    PyKemoDecodeError,
    PyKemoException,
    PyKemoForbidden,
    PyKemoHTTPError,
    PyKemoIntegrityError,
    PyKemoLimitExceeded,
    PyKemoNotFound,
    PyKemoRateLimited,
    PyKemoServerError,
    PyKemoTimeout,
    PyKemoTransportError,
    PyKemoUnauthorized,
    PyKemoUnsafePath,
    PyKemoValueError,
)
from .mapping import PYKEMO_ERRORS
from .roles import InsufficientPrivileges, InvalidRole
from .services import IncorrectService, NotDiscord, NotFanbox
from .sessions import (
    AlreadyLoggedIn,
    InvalidLogin,
    InvalidRegister,
    LoginError,
    RegisterError,
    SessionRequired,
)

__all__ = [
    "PYKEMO_ERRORS",
    "AlreadyLoggedIn",
    "IncorrectService",
    "InsufficientPrivileges",
    "InvalidLogin",
    "InvalidRegister",
    "InvalidRole",
    "LoginError",
    "NotDiscord",
    "NotFanbox",
    "PasswordChangeError",
    "PostAlreadyFlagged",
    "PyKemoChallenge",
    "PyKemoDecodeError",
    "PyKemoException",
    "PyKemoForbidden",
    "PyKemoHTTPError",
    "PyKemoIntegrityError",
    "PyKemoLimitExceeded",
    "PyKemoNotFound",
    "PyKemoRateLimited",
    "PyKemoServerError",
    "PyKemoTimeout",
    "PyKemoTransportError",
    "PyKemoUnauthorized",
    "PyKemoUnsafePath",
    "PyKemoValueError",
    "RegisterError",
    "SessionRequired",
]
