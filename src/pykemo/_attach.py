"""The session an object fetches through, and the error when it has none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from kemopix._protocol.raw import HasRaw
from kemopix.sites.kemono import KemonoSite

from .exceptions.sessions import SessionRequired

if TYPE_CHECKING:
    from .sessions.session import KemoSession

__all__ = ["Attached"]


class Attached(HasRaw):
    """Mixin: ``set_underlying_session``, a ``_ks`` that raises ``SessionRequired``, and
    ``raw`` (the JSON the object was built from, when it came from the site).
    """

    _session: KemoSession | None = None
    _bound_site: KemonoSite | None = None
    _cache: dict[str, Any]

    def bind_site(self, site: KemonoSite) -> Self:
        """Name the site URLs point at when there is no session (the sync facade's objects)."""
        object.__setattr__(self, "_bound_site", site)
        return self

    def _site_of(self) -> KemonoSite:
        if self._session is not None:
            return self._session.site
        return self._bound_site or KemonoSite.default()

    def set_underlying_session(self, ks: KemoSession | None) -> Self:
        """Attach the session later fetches go through; returns ``self``."""
        object.__setattr__(self, "_session", ks)
        return self

    def _ks(self) -> KemoSession:
        if self._session is None:
            raise SessionRequired(
                f"{type(self).__name__} has no session: use set_underlying_session()"
            )
        return self._session

    def _cached(self) -> dict[str, Any]:
        try:
            return self._cache
        except AttributeError:
            object.__setattr__(self, "_cache", {})
            return self._cache
