"""Comments."""

from .comments import Comment
from .comments_rev import CommentRevision

__all__ = ["Comment", "CommentRevision"]
