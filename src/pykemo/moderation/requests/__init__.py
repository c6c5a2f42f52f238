"""Creator link requests."""

from .creator_lnk_req import CreatorLinkRequest, CreatorLnkReqID
from .creator_lnk_status import CreatorLinkStatus

__all__ = ["CreatorLinkRequest", "CreatorLinkStatus", "CreatorLnkReqID"]
