"""TLS contexts of the async transport, made when the first https request needs one.

aiohttp builds two contexts of its own when it is imported, reading the system's CA store
twice: about 35 ms, a tenth of a ``kemopix`` start. kemopix hands every https request the
context from :func:`context` instead, so the ``kemopix`` command (and only it: the process is
kemopix's alone) imports aiohttp without building them (:func:`lean_import`). A run against
plain-http servers (the emulators) then reads no CA store at all; an https run reads it once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

__all__ = ["context", "lean_import", "lean_process"]

_contexts: dict[bool, ssl.SSLContext] = {}
_lean = False


def context(verify: bool) -> ssl.SSLContext:
    """The process's client context: the system's CA store and host names checked, or (with
    ``verify`` false) nothing checked. HTTP/1.1 is offered by ALPN, as aiohttp does."""
    made = _contexts.get(verify)
    if made is None:
        import ssl

        if verify:
            made = ssl.create_default_context()
        else:
            made = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            made.check_hostname = False
            made.verify_mode = ssl.CERT_NONE
        made.set_alpn_protocols(["http/1.1"])
        made = _contexts.setdefault(verify, made)
    return made


def lean_process() -> None:
    """This process is the ``kemopix`` command's: aiohttp may skip its own contexts."""
    global _lean
    _lean = True


@contextmanager
def lean_import() -> Iterator[None]:
    """Around the first ``import aiohttp`` of a :func:`lean_process`: the contexts aiohttp
    makes at import get no CA store (any connection made with them fails verification: they
    fail closed). kemopix never uses them: every https request carries :func:`context`."""
    if not _lean:
        yield
        return
    import ssl  # here, not at the top: `kemopix --version` imports this module

    default_context = ssl.create_default_context

    def bare(*args: object, **kwargs: object) -> ssl.SSLContext:
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, and trusts no one

    def no_store(self: ssl.SSLContext) -> None:
        pass

    own = ssl.SSLContext.__dict__.get("set_default_verify_paths")  # else inherited, from C
    ssl.create_default_context = bare
    ssl.SSLContext.set_default_verify_paths = no_store  # type: ignore[method-assign]
    try:
        yield
    finally:
        ssl.create_default_context = default_context
        if own is None:
            del ssl.SSLContext.set_default_verify_paths
        else:
            ssl.SSLContext.set_default_verify_paths = own  # type: ignore[method-assign]
