"""Top-level helper functions."""

from .general_func import (
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

__all__ = [
    "MAX_POSTS_LIMIT",
    "AccountType",
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
