"""pykemo: an async client for Kemono-compatible sites, on the kemopix core.

``async with KemoSession() as ks: creator = await get_creator("patreon", "123", ks)``. The site
is ``KemonoSite.default()`` (kemono.cr, or ``KEMOPIX_KEMONO_URL``) unless one is given.
"""

from ._aux.aux_classes import FileHashResult
from .accounts.kinds.admin import Admin
from .accounts.kinds.cons import Consumer
from .accounts.kinds.mod import Moderator
from .accounts.role import AccountRole
from .accounts.view import AccountView
from .announcements.announcements import Announcement
from .comments.comments import Comment
from .comments.comments_rev import CommentRevision
from .core.api_versions import APIVersion
from .core.urltypes import UrlType
from .creators.creators import Creator
from .discord.channels import DiscordChannel
from .discord.messages import DiscordMessage
from .discord.users import DiscordUser
from .exceptions import (
    AlreadyLoggedIn,
    InsufficientPrivileges,
    InvalidLogin,
    InvalidRegister,
    InvalidRole,
    LoginError,
    PyKemoException,
    RegisterError,
)
from .fanbox.fancards import Fancard
from .files.files import File
from .general.general_func import (
    MAX_POSTS_LIMIT,
    AccountType,
    get_api_version,
    get_creator,
    get_creator_links,
    get_creators,
    get_file_hash,
    get_post,
    get_posts,
    iter_posts,
    login,
    random_post,
    register,
    save_posts,
)
from .moderation.requests import CreatorLinkRequest, CreatorLinkStatus
from .posts.post_revisions import PostRevision
from .posts.posts import Post, PostID
from .services.services_enum import ServiceLike, ServiceType
from .sessions.session import KemoSession
from .tags.tag import Tag

__version__ = "0.6.2"

__all__ = [
    "MAX_POSTS_LIMIT",
    "APIVersion",
    "AccountRole",
    "AccountType",
    "AccountView",
    "Admin",
    "AlreadyLoggedIn",
    "Announcement",
    "Comment",
    "CommentRevision",
    "Consumer",
    "Creator",
    "CreatorLinkRequest",
    "CreatorLinkStatus",
    "DiscordChannel",
    "DiscordMessage",
    "DiscordUser",
    "Fancard",
    "File",
    "FileHashResult",
    "InsufficientPrivileges",
    "InvalidLogin",
    "InvalidRegister",
    "InvalidRole",
    "KemoSession",
    "LoginError",
    "Moderator",
    "Post",
    "PostID",
    "PostRevision",
    "PyKemoException",
    "RegisterError",
    "ServiceLike",
    "ServiceType",
    "Tag",
    "UrlType",
    "__version__",
    "get_api_version",
    "get_creator",
    "get_creator_links",
    "get_creators",
    "get_file_hash",
    "get_post",
    "get_posts",
    "iter_posts",
    "login",
    "random_post",
    "register",
    "save_posts",
]
