"""``Tag``: a post tag and how many posts carry it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

from kemopix._protocol.raw import HasRaw, RawBody
from kemopix.sites.kemono import posts as post_flows
from kemopix.sites.kemono.models import TagCount

from .._raw import listed

if TYPE_CHECKING:
    from ..sessions.session import KemoSession

__all__ = ["Tag", "TagLike", "TagName", "TagsDict", "TagsResult", "tag_names"]

TagName = str
TagsDict = dict[str, int]


@dataclass
class Tag(HasRaw):
    value: str
    post_count: int

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def process_tag_response(
        raw: list[TagCount], *, as_dict: bool = False, body: RawBody | None = None
    ) -> TagsResult:
        """Wire tags as ``Tag`` objects or as a ``{name: count}`` dict; ``body``: the answer
        they came from (each tag's ``raw``)."""
        if as_dict:
            return {t.tag: t.post_count for t in raw}
        tags = [Tag(t.tag, t.post_count) for t in raw]
        if body is not None:
            for tag, ref, n in listed(tags, body, "tags"):
                tag._keep_raw(ref, n)
        return tags

    @overload
    @classmethod
    async def all(cls, ks: KemoSession, *, as_dict: Literal[False] = ...) -> list[Tag]: ...
    @overload
    @classmethod
    async def all(cls, ks: KemoSession, *, as_dict: Literal[True]) -> TagsDict: ...
    @classmethod
    async def all(cls, ks: KemoSession, *, as_dict: bool = False) -> TagsResult:
        """Every tag of the site."""
        raw, body = await ks.run_raw(post_flows.post_tags(ks.site))
        return cls.process_tag_response(raw, as_dict=as_dict, body=body)

    @classmethod
    async def with_name(
        cls, name: TagName, ks: KemoSession, *, cache: TagsDict | None = None
    ) -> Tag | None:
        """The tag called ``name``, or None."""
        return (await cls.from_names([name], ks, cache=cache))[0]

    @classmethod
    async def from_names(
        cls, names: Iterable[TagName], ks: KemoSession, *, cache: TagsDict | None = None
    ) -> list[Tag | None]:
        """The tags for ``names`` (None for unknown ones); ``cache`` avoids a fetch."""
        counts = cache if cache is not None else await cls.all(ks, as_dict=True)
        return [Tag(n, counts[n]) if n in counts else None for n in names]


TagLike = Tag | str
TagsResult = list[Tag] | TagsDict


def tag_names(tags: Iterable[TagLike] | None) -> list[str]:
    """Tag values to send as repeated ``tag=`` parameters (objects by value, not repr)."""
    return [t.value if isinstance(t, Tag) else str(t) for t in tags or ()]
