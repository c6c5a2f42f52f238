"""``next_url``: the request's own parameters, in the live order, with the cursor updated.

pixiv-protocol.md §5: an absolute URL that repeats the request's parameters with the next
offset (or ``max_bookmark_id``, ``max_illust_id``, ``last_order``), ``null`` on the last page.
Array parameters come back indexed (``seed_illust_ids[0]``), as live.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlencode

from multidict import MultiMapping

__all__ = ["ORDERS", "PAGE_SIZE", "build_next_url", "page"]

PAGE_SIZE = 30

# Canonical parameter order per path; the cursor parameter is listed where live puts it.
ORDERS: dict[str, tuple[str, ...]] = {
    "/v1/user/illusts": ("user_id", "type", "filter", "offset"),
    "/v1/user/novels": ("user_id", "filter", "offset"),
    "/v1/illust/ranking": ("mode", "filter", "date", "offset"),
    "/v1/search/illust": (
        "word",
        "search_target",
        "sort",
        "filter",
        "duration",
        "start_date",
        "end_date",
        "search_ai_type",
        "offset",
    ),
    "/v1/search/novel": (
        "word",
        "search_target",
        "merge_plain_keyword_results",
        "include_translated_tag_results",
        "sort",
        "filter",
        "duration",
        "start_date",
        "end_date",
        "search_ai_type",
        "offset",
    ),
    "/v1/search/user": ("word", "sort", "duration", "filter", "offset"),
    "/v2/illust/related": ("illust_id", "filter", "seed_illust_ids[]", "viewed[]", "offset"),
    "/v1/illust/recommended": (
        "content_type",
        "filter",
        "include_ranking_label",
        "include_ranking_illusts",
        "min_bookmark_id_for_recent_illust",
        "max_bookmark_id_for_recommend",
        "offset",
        "include_privacy_policy",
        "viewed[]",
    ),
    "/v1/novel/recommended": (
        "include_ranking_label",
        "filter",
        "include_ranking_novels",
        "already_recommended",
        "max_bookmark_id_for_recommend",
        "offset",
        "include_privacy_policy",
    ),
    "/v2/illust/follow": ("restrict", "offset"),
    "/v1/novel/follow": ("restrict", "offset"),
    "/v1/illust/new": ("content_type", "filter", "max_illust_id"),
    "/v1/novel/new": ("filter", "max_novel_id"),
    "/v1/illust/comments": ("illust_id", "include_total_comments", "offset"),
    "/v2/illust/comments": ("illust_id", "include_total_comments", "offset"),
    "/v3/illust/comments": ("illust_id", "include_total_comments", "offset"),
    "/v2/illust/comment/replies": ("comment_id", "offset"),
    "/v1/novel/comments": ("novel_id", "include_total_comments", "offset"),
    "/v3/novel/comments": ("novel_id", "include_total_comments", "offset"),
    "/v1/novel/comment/replies": ("comment_id", "offset"),
    "/v1/user/bookmarks/illust": ("user_id", "restrict", "filter", "tag", "max_bookmark_id"),
    "/v1/user/bookmarks/novel": ("user_id", "restrict", "filter", "tag", "max_bookmark_id"),
    "/v1/user/bookmark-tags/illust": ("user_id", "restrict", "offset"),
    "/v1/user/bookmark-tags/novel": ("user_id", "restrict", "offset"),
    "/v1/user/following": ("user_id", "restrict", "offset"),
    "/v1/user/follower": ("user_id", "filter", "offset"),
    "/v1/user/mypixiv": ("user_id", "offset"),
    "/v2/user/list": ("user_id", "filter", "offset"),
    "/v1/user/related": ("filter", "offset", "seed_user_id"),
    "/v1/user/recommended": ("filter", "offset"),
    "/v2/novel/series": ("series_id", "filter", "last_order"),
    "/v1/novel/series": ("series_id", "filter", "last_order"),
    "/v1/illust/series": ("illust_series_id", "filter", "offset"),
}
_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d*)\]$")


def _array_values(query: MultiMapping[str], name: str) -> list[str]:
    """Values of ``name[]`` and ``name[N]`` (in index order) from a query."""
    indexed: list[tuple[int, int, str]] = []
    for position, (key, value) in enumerate(query.items()):
        match = _INDEXED.match(key)
        if match is None or match["name"] != name:
            continue
        index = int(match["index"]) if match["index"] else position
        indexed.append((index, position, value))
    return [value for _, _, value in sorted(indexed)]


def build_next_url(
    origin: str,
    path: str,
    query: MultiMapping[str],
    cursor: Mapping[str, object],
    *,
    arrays: Mapping[str, Iterable[object]] | None = None,
) -> str:
    """The absolute next page URL: ``query`` in the live order with ``cursor`` set."""
    pairs: list[tuple[str, str]] = []
    for name in ORDERS[path]:
        if name.endswith("[]"):
            base = name[:-2]
            values = list(arrays[base]) if arrays and base in arrays else None
            if values is None:
                values = list(_array_values(query, base))
            pairs.extend((f"{base}[{i}]", str(v)) for i, v in enumerate(values))
        elif name in cursor:
            pairs.append((name, str(cursor[name])))
        elif name in query:
            pairs.append((name, query.getall(name)[-1]))
    for name, value in cursor.items():
        if name not in ORDERS[path]:
            pairs.append((name, str(value)))
    return f"{origin}{path}?{urlencode(pairs, quote_via=quote)}"


def page(items: list[int], offset: int, size: int = PAGE_SIZE) -> tuple[list[int], int | None]:
    """The slice at ``offset`` and the next offset (None on the last page)."""
    chunk = items[offset : offset + size]
    following = offset + size
    return chunk, (following if following < len(items) else None)
