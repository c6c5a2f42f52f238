"""``python -m pykemo [SERVICE CREATOR_ID]``: print a creator and its newest posts."""

from __future__ import annotations

import asyncio
import sys

from .general.general_func import get_creator
from .sessions.session import KemoSession

__all__ = ["main"]


async def _show(service: str, creator_id: str) -> int:
    async with KemoSession() as ks:
        creator = await get_creator(service, creator_id, ks)
        if creator is None:
            print(f"no creator {service}/{creator_id} on {ks.site.url}")  # noqa: T201
            return 1
        print(creator, creator.url)  # noqa: T201
        for post in await creator.posts(max_posts=5):
            print(f"  {post.published:%Y-%m-%d}  {post.title}  {post.url}")  # noqa: T201
    return 0


def main(*args: str) -> int:
    """Run the demo; returns the exit status."""
    argv = list(args) or sys.argv[1:]
    service, creator_id = (argv[0], argv[1]) if len(argv) >= 2 else ("patreon", "demo-creator")
    return asyncio.run(_show(service, creator_id))
