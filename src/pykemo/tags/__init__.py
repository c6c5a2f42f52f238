"""Tags."""

from .tag import Tag, TagLike, TagName, TagsDict, TagsResult, tag_names

__all__ = ["Tag", "TagLike", "TagName", "TagsDict", "TagsResult", "tag_names"]
