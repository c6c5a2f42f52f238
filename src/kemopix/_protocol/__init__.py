"""The protocol layer: requests, responses, errors and policies, with no I/O.

Nothing here imports requests, aiohttp, asyncio or socket (a test enforces it); the drivers in
``kemopix._io`` do the sending and the sleeping.
"""

from .config import DEFAULT_USER_AGENT, KEMONO_CONFIG, PIXIV_BULK_CONFIG, PIXIV_CONFIG, Config
from .errors import (
    Challenge,
    ClientError,
    ConnectError,
    ConnectionRefused,
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
    ResponseTooLarge,
    ResponseTooSlow,
    ServerError,
    Timeout,
    TransportError,
    TruncatedBody,
    Unauthorized,
    UnsafePathError,
)
from .flow import Clock, DriverFlow, Flow, call, supervise
from .http import Request, Response, Sink, Sleep
from .http import Timeout as Timeouts
from .limits import MIB, Limits
from .paging import Page, check_offset, next_offset
from .ratelimit import HostLimiter, RateLimit, TokenBucket
from .retry import NO_RETRY, RetryEvent, RetryPolicy
from .secrets import Secret, redact_headers, redact_text
from .status import check_status, error_for, is_challenge, parse_retry_after
from .throttle import Attempt, Throttle

__all__ = [
    "DEFAULT_USER_AGENT",
    "KEMONO_CONFIG",
    "MIB",
    "NO_RETRY",
    "PIXIV_BULK_CONFIG",
    "PIXIV_CONFIG",
    "Attempt",
    "Challenge",
    "ClientError",
    "Clock",
    "Config",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionRefused",
    "DecodeError",
    "DriverFlow",
    "ErrorMap",
    "Flow",
    "Forbidden",
    "HTTPStatusError",
    "HostLimiter",
    "IntegrityError",
    "InvalidInput",
    "KemopixError",
    "LimitExceeded",
    "Limits",
    "NetworkError",
    "NotFound",
    "Page",
    "RateLimit",
    "RateLimited",
    "ReadTimeout",
    "Request",
    "Response",
    "ResponseTooLarge",
    "ResponseTooSlow",
    "RetryEvent",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "Sink",
    "Sleep",
    "Throttle",
    "Timeout",
    "Timeouts",
    "TokenBucket",
    "TransportError",
    "TruncatedBody",
    "Unauthorized",
    "UnsafePathError",
    "call",
    "check_offset",
    "check_status",
    "error_for",
    "is_challenge",
    "next_offset",
    "parse_retry_after",
    "redact_headers",
    "redact_text",
    "supervise",
]
