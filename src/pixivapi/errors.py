"""The seed's exceptions, and the concrete classes the clients raise.

The four seed names keep their seed bases (``PixivError(Exception)`` ...). What a client raises
is a class that subclasses the kemopix core error first, then the seed name that fits, then the
``requests`` exception the seed promises where it promises one, so all of these work::

    except pixivapi.BadApiResponse          # a 4xx/5xx answer or a body that is not JSON
    except requests.RequestException        # the request failed (network or HTTP status)
    except kemopix._protocol.RateLimited    # the core tree, with status, url, retry_after

``ERROR_MAP`` is given to the runners; it re-raises core errors as these classes.
"""

from __future__ import annotations

import requests

from kemopix._protocol.errors import (
    Challenge,
    ClientError,
    ConnectError,
    ConnectTimeout,
    DecodeError,
    ErrorMap,
    Forbidden,
    HTTPStatusError,
    IntegrityError,
    InvalidInput,
    KemopixError,
    LimitExceeded,
    NetworkError,
    NotFound,
    RateLimited,
    ReadTimeout,
    ServerError,
    Timeout,
    TransportError,
    TruncatedBody,
    Unauthorized,
    UnsafePathError,
)
from kemopix.sites.pixiv.errors import InvalidToken, NotAuthenticated, OAuthError

__all__ = [
    "ERROR_MAP",
    "PASSWORD_GRANT_GONE",
    "AuthenticationRequired",
    "BadApiResponse",
    "LoginError",
    "PixivAuthRequired",
    "PixivChallenge",
    "PixivClientError",
    "PixivConnectTimeout",
    "PixivConnectionError",
    "PixivDecodeError",
    "PixivError",
    "PixivForbidden",
    "PixivHTTPError",
    "PixivIntegrityError",
    "PixivInvalidInput",
    "PixivInvalidToken",
    "PixivLimitExceeded",
    "PixivLoginError",
    "PixivLoginFailed",
    "PixivNetworkError",
    "PixivNotFound",
    "PixivRateLimited",
    "PixivReadTimeout",
    "PixivRequestError",
    "PixivServerError",
    "PixivTimeout",
    "PixivTruncatedBody",
    "PixivUnauthorized",
    "PixivUnsafePath",
]


# -- the seed's names -------------------------------------------------------------------------
class PixivError(Exception):
    """Root of the pixivapi errors."""


class LoginError(PixivError):
    """Logging in or renewing the tokens failed."""


class AuthenticationRequired(PixivError):
    """The call needs an authenticated client (``login`` or ``authenticate`` first)."""


class BadApiResponse(PixivError):
    """The API answered with an error status or with a body that is not the expected JSON."""


# -- what the clients raise -------------------------------------------------------------------
class PixivRequestError(TransportError, PixivError, requests.RequestException):
    """The request did not complete."""


class PixivTimeout(Timeout, PixivError, requests.Timeout):
    """No answer in time."""


class PixivConnectTimeout(ConnectTimeout, PixivError, requests.ConnectTimeout):
    """Connecting took too long."""


class PixivReadTimeout(ReadTimeout, PixivError, requests.ReadTimeout):
    """The server stopped answering."""


class PixivConnectionError(ConnectError, PixivError, requests.ConnectionError):
    """Could not connect."""


class PixivNetworkError(NetworkError, PixivError, requests.ConnectionError):
    """The connection broke mid-exchange."""


class PixivTruncatedBody(TruncatedBody, BadApiResponse, requests.exceptions.ChunkedEncodingError):
    """The body ended early."""


class PixivLimitExceeded(LimitExceeded, BadApiResponse, requests.RequestException):
    """An answer broke a bound of ``Config.limits`` (too large, a decompression bomb, too slow)."""


class PixivHTTPError(HTTPStatusError, BadApiResponse, requests.HTTPError):
    """An error status, with the API's message."""


class PixivClientError(ClientError, BadApiResponse, requests.HTTPError):
    """A 4xx answer, with the API's message."""


class PixivUnauthorized(Unauthorized, BadApiResponse, requests.HTTPError):
    """401."""


class PixivForbidden(Forbidden, BadApiResponse, requests.HTTPError):
    """403 (other than pixiv's "Rate Limit")."""


class PixivNotFound(NotFound, BadApiResponse, requests.HTTPError):
    """404: no such work, user or endpoint."""


class PixivServerError(ServerError, BadApiResponse, requests.HTTPError):
    """A 5xx answer, after the retries."""


class PixivRateLimited(RateLimited, BadApiResponse, requests.HTTPError):
    """pixiv's "Rate Limit" (403 or 429) still there after the retries; see ``retry_after``."""


class PixivChallenge(Challenge, BadApiResponse, requests.HTTPError):
    """An anti-bot page instead of the API."""


class PixivDecodeError(DecodeError, BadApiResponse):
    """The body is not the JSON the endpoint promises."""


class PixivInvalidToken(InvalidToken, AuthenticationRequired, BadApiResponse, requests.HTTPError):
    """The API refused the access token and there is no refresh token to renew it."""


class PixivAuthRequired(NotAuthenticated, AuthenticationRequired):
    """No token at all: ``login``/``authenticate`` first."""


PASSWORD_GRANT_GONE = (
    "pixiv refused the password grant: Client.login(username, password) stopped working in "
    "2021. Log in once in a browser instead (pixivapi.auth.pkce_login_url() then "
    "Client.exchange_code(code, verifier), or `kemopix login pixiv`), keep the refresh token "
    "and call Client.authenticate(refresh_token) from then on"
)


class PixivLoginError(OAuthError, LoginError, requests.HTTPError):
    """The token endpoint refused the credentials (password, refresh token or code)."""


class PixivLoginFailed(KemopixError, LoginError):
    """Logging in failed for another reason (network, bad answer); the cause is chained."""


class PixivIntegrityError(IntegrityError, PixivError):
    """A download did not match its expected size or hash; nothing was kept."""


class PixivInvalidInput(InvalidInput, PixivError):
    """A bad argument."""


class PixivUnsafePath(UnsafePathError, PixivError):
    """A file name that would leave the chosen folder."""


ERROR_MAP = ErrorMap(
    {
        TransportError: PixivRequestError,
        Timeout: PixivTimeout,
        ConnectTimeout: PixivConnectTimeout,
        ReadTimeout: PixivReadTimeout,
        ConnectError: PixivConnectionError,
        NetworkError: PixivNetworkError,
        TruncatedBody: PixivTruncatedBody,
        LimitExceeded: PixivLimitExceeded,
        HTTPStatusError: PixivHTTPError,
        ClientError: PixivClientError,
        Unauthorized: PixivUnauthorized,
        Forbidden: PixivForbidden,
        NotFound: PixivNotFound,
        ServerError: PixivServerError,
        RateLimited: PixivRateLimited,
        Challenge: PixivChallenge,
        DecodeError: PixivDecodeError,
        InvalidToken: PixivInvalidToken,
        NotAuthenticated: PixivAuthRequired,
        OAuthError: PixivLoginError,
        IntegrityError: PixivIntegrityError,
        InvalidInput: PixivInvalidInput,
        UnsafePathError: PixivUnsafePath,
    }
)
