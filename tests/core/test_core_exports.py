"""The core's public names are pinned: a change to them is a deliberate change to this list."""

from __future__ import annotations

import kemopix
import kemopix._io
import kemopix._protocol
import kemopix.files

EXPECTED_KEMOPIX = {
    "KEMONO_CONFIG", "PIXIV_BULK_CONFIG", "PIXIV_CONFIG", "Challenge", "ClientError", "Config",
    "ConnectError", "ConnectTimeout", "DecodeError", "DownloadResult", "Forbidden",
    "HTTPStatusError", "IntegrityError", "InvalidInput", "KemopixError", "NetworkError",
    "NotFound", "PathBudget", "RateLimit", "RateLimited", "ReadTimeout", "RetryPolicy", "Secret",
    "ServerError", "Timeout", "Timeouts", "TransportError", "TruncatedBody", "Unauthorized",
    "UnsafePathError", "__version__", "safe_join", "sanitize_component", "ConnectionRefused",
    "LimitExceeded", "Limits", "ResponseTooLarge", "ResponseTooSlow",
}  # fmt: skip


def test_kemopix_all_is_pinned_and_importable() -> None:
    assert set(kemopix.__all__) == EXPECTED_KEMOPIX
    for module in (kemopix, kemopix._protocol, kemopix._io, kemopix.files):
        assert len(module.__all__) == len(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_error_tree_shape() -> None:
    assert issubclass(kemopix.RateLimited, kemopix.HTTPStatusError)
    assert issubclass(kemopix.TruncatedBody, kemopix.DecodeError)
    assert issubclass(kemopix.ConnectTimeout, kemopix.Timeout)
    assert issubclass(kemopix.Timeout, kemopix.TransportError)
    assert issubclass(kemopix.ConnectionRefused, kemopix.ConnectError)
    assert issubclass(kemopix.ResponseTooLarge, kemopix.LimitExceeded)
    assert issubclass(kemopix.ResponseTooSlow, kemopix.LimitExceeded)
    assert issubclass(kemopix.LimitExceeded, kemopix.TransportError)
    assert issubclass(kemopix.UnsafePathError, ValueError)
    for name in kemopix.__all__:
        obj = getattr(kemopix, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, kemopix.KemopixError)
