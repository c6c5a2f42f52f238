"""Login, registration and session errors."""

from __future__ import annotations

from kemopix.sites.kemono.errors import (
    InvalidCredentials,
    LoginConflict,
    LoginFailed,
    RegistrationFailed,
    RegistrationRejected,
)

from .general import PyKemoException, PyKemoHTTPError

__all__ = [
    "AlreadyLoggedIn",
    "InvalidLogin",
    "InvalidRegister",
    "LoginError",
    "RegisterError",
    "SessionRequired",
]


class LoginError(LoginFailed, PyKemoHTTPError):
    """The site refused the login (any status but 400 and 409)."""


class InvalidLogin(InvalidCredentials, LoginError):
    """400: wrong user name or password."""


class AlreadyLoggedIn(LoginConflict, LoginError):
    """409: this session is already logged in."""


class RegisterError(RegistrationFailed, PyKemoHTTPError):
    """The site refused the registration."""


class InvalidRegister(RegistrationRejected, RegisterError):
    """400: empty field, mismatching passwords or a taken name."""


class SessionRequired(PyKemoException):
    """An object built without a ``KemoSession`` was asked to fetch something."""
