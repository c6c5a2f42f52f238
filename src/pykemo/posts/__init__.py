"""Posts and their revisions."""

from .post_revisions import PostRevision
from .posts import (
    ELEMENTS_PER_PAGE,
    CommentsList,
    Post,
    PostID,
    PostMedia,
    PostRevsList,
    PostsList,
)

__all__ = [
    "ELEMENTS_PER_PAGE",
    "CommentsList",
    "Post",
    "PostID",
    "PostMedia",
    "PostRevision",
    "PostRevsList",
    "PostsList",
]
