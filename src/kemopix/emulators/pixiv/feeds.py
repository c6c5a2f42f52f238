"""Which works a listing holds, in which order: rankings, related, recommended, searches, trends.

Pure functions over the in-memory :class:`Catalog`; every ordering that live derives from
signals we do not have is a seeded hash, so it is stable for a seed.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

from .catalog import Catalog, NovelInfo, WorkInfo
from .records import DATASET_NOW, JST

__all__ = [
    "RANKING_MODES",
    "RANKING_SIZE",
    "RELATED_SIZE",
    "default_ranking_date",
    "ranking_ids",
    "recommended_ids",
    "related_ids",
    "search_illust_ids",
    "search_novel_ids",
    "search_user_ids",
    "trending_tags",
]

T = TypeVar("T", WorkInfo, NovelInfo)
Visible = Callable[[WorkInfo], bool]

# mode -> (types, x_restrict); the seed's RankingMode values plus pixivpy's r18 ones.
RANKING_MODES: dict[str, tuple[frozenset[str], int]] = {
    "day": (frozenset({"illust", "ugoira"}), 0),
    "week": (frozenset({"illust", "ugoira"}), 0),
    "month": (frozenset({"illust", "ugoira"}), 0),
    "day_male": (frozenset({"illust", "ugoira", "manga"}), 0),
    "day_female": (frozenset({"illust", "ugoira", "manga"}), 0),
    "week_original": (frozenset({"illust", "ugoira"}), 0),
    "week_rookie": (frozenset({"illust", "ugoira"}), 0),
    "day_ai": (frozenset({"illust", "ugoira", "manga"}), 0),
    "day_manga": (frozenset({"manga"}), 0),
    "week_manga": (frozenset({"manga"}), 0),
    "month_manga": (frozenset({"manga"}), 0),
    "week_rookie_manga": (frozenset({"manga"}), 0),
    "day_r18": (frozenset({"illust", "ugoira", "manga"}), 1),
    "day_male_r18": (frozenset({"illust", "ugoira", "manga"}), 1),
    "day_female_r18": (frozenset({"illust", "ugoira", "manga"}), 1),
    "week_r18": (frozenset({"illust", "ugoira", "manga"}), 1),
    "day_r18_ai": (frozenset({"illust", "ugoira", "manga"}), 1),
    "week_r18g": (frozenset({"illust", "ugoira", "manga"}), 2),
}
RANKING_SIZE = 150
RELATED_SIZE = 180  # offsets 0..150, as reported live (pixiv-protocol.md §5, UNCONFIRMED)
_DURATIONS = {"within_last_day": 1, "within_last_week": 7, "within_last_month": 30}
_WORDS = re.compile(r"[\s\u3000]+")


def _hash(*parts: object) -> float:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def default_ranking_date() -> date:
    """Live ranks yesterday by default: the day before the dataset's clock."""
    return (DATASET_NOW - timedelta(days=1)).date()


def ranking_ids(catalog: Catalog, mode: str, day: date, seed: int, visible: Visible) -> list[int]:
    """The ranking of ``mode`` on ``day``: works posted by then, best first, 150 at most."""
    types, x_restrict = RANKING_MODES[mode]
    if day > default_ranking_date():
        return []
    cutoff = datetime(day.year, day.month, day.day, tzinfo=JST) + timedelta(days=1)
    stamp = cutoff.isoformat()
    pool = [
        w
        for w in catalog.illusts
        if w.type in types and w.x_restrict == x_restrict and w.created < stamp and visible(w)
    ]
    if mode.startswith("week_original"):
        pool = [w for w in pool if "オリジナル" in w.tags or "創作" in w.tags] or pool
    if "_ai" in mode:
        pool = [w for w in pool if w.ai_type == 2]
    key = (seed, mode, day.isoformat())
    ranked = sorted(pool, key=lambda w: -(w.total_bookmarks + 1) * (0.5 + _hash(*key, w.id)))
    ranked = ranked[:RANKING_SIZE]
    if "manga" not in mode:
        # The first page always shows a multi-page work and an ugoira when the pool has them,
        # so clients meet every shape on page one.
        _promote(ranked, pool, lambda w: w.page_count > 1, 4)
        _promote(ranked, pool, lambda w: w.type == "ugoira", 8)
    return [w.id for w in ranked]


def _promote(
    ranked: list[WorkInfo], pool: list[WorkInfo], wanted: Callable[[WorkInfo], bool], at: int
) -> None:
    if len(ranked) <= at or any(wanted(w) for w in ranked[:30]):
        return
    candidate = next((w for w in ranked[30:] if wanted(w)), None)
    if candidate is None:
        candidate = next((w for w in pool if wanted(w) and w not in ranked), None)
        if candidate is None:
            return
    else:
        ranked.remove(candidate)
    ranked.insert(at, candidate)
    del ranked[RANKING_SIZE:]


def related_ids(catalog: Catalog, work: WorkInfo, seed: int, visible: Visible) -> list[int]:
    """Works sharing tags with ``work``, most shared first."""
    tags = set(work.tags) - {"R-18", "R-18G"}
    scored = []
    for other in catalog.illusts:
        if other.id == work.id or not visible(other):
            continue
        shared = len(tags.intersection(other.tags))
        if shared:
            scored.append((-(shared + _hash(seed, work.id, other.id)), other.id))
    return [work_id for _, work_id in sorted(scored)[:RELATED_SIZE]]


def recommended_ids(
    catalog: Catalog,
    viewer_id: int,
    types: frozenset[str],
    liked_tags: Counter[str],
    exclude: set[int],
    seed: int,
    visible: Visible,
) -> list[int]:
    """Works by others the viewer has not bookmarked, closest to their bookmarks' tags first."""
    scored = []
    for work in catalog.illusts:
        if work.type not in types or work.user_id == viewer_id or work.id in exclude:
            continue
        if not visible(work):
            continue
        affinity = sum(liked_tags[t] for t in work.tags)
        scored.append((-(affinity + 3 * _hash(seed, viewer_id, work.id)), work.id))
    return [work_id for _, work_id in sorted(scored)]


def _translations(catalog: Catalog, tag: str) -> Iterable[str]:
    yield tag.lower()
    for translated in catalog.translations.get(tag, (None, None)):
        if translated:
            yield translated.lower()


def _matches(catalog: Catalog, item: WorkInfo | NovelInfo, word: str, target: str) -> bool:
    names = [name for tag in item.tags for name in _translations(catalog, tag)]
    if target == "exact_match_for_tags":
        return word in names
    in_tags = any(word in name for name in names)
    in_text = word in item.title.lower() or word in item.caption.lower()
    if target == "partial_match_for_tags":
        return in_tags
    if target == "title_and_caption":
        return in_text
    if target == "text":
        return isinstance(item, NovelInfo) and word in item.text.lower()
    body = isinstance(item, NovelInfo) and word in item.text.lower()
    return in_tags or in_text or body  # keyword


def _window(
    items: Sequence[T], duration: str | None, start: date | None, end: date | None
) -> list[T]:
    out = list(items)
    if duration in _DURATIONS:
        since = (DATASET_NOW - timedelta(days=_DURATIONS[duration])).isoformat()
        out = [i for i in out if i.created >= since]
    if start is not None:
        out = [i for i in out if i.created[:10] >= start.isoformat()]
    if end is not None:
        out = [i for i in out if i.created[:10] <= end.isoformat()]
    return out


def _sorted(items: list[T], sort: str) -> list[int]:
    if sort == "date_asc":
        return [i.id for i in sorted(items, key=lambda i: i.id)]
    if sort.startswith("popular"):
        return [i.id for i in sorted(items, key=lambda i: (-i.total_bookmarks, -i.id))]
    return [i.id for i in sorted(items, key=lambda i: -i.id)]


def search_illust_ids(
    catalog: Catalog,
    word: str,
    target: str,
    sort: str,
    *,
    duration: str | None,
    start: date | None,
    end: date | None,
    show_ai: bool,
    visible: Visible,
) -> list[int]:
    words = [w.lower() for w in _WORDS.split(word.strip()) if w]
    found = [
        w
        for w in catalog.illusts
        if visible(w)
        and (show_ai or w.ai_type != 2)
        and all(_matches(catalog, w, x, target) for x in words)
    ]
    return _sorted(_window(found, duration, start, end), sort)


def search_novel_ids(
    catalog: Catalog,
    word: str,
    target: str,
    sort: str,
    *,
    duration: str | None,
    start: date | None,
    end: date | None,
    show_ai: bool,
) -> list[int]:
    words = [w.lower() for w in _WORDS.split(word.strip()) if w]
    found = [
        n
        for n in catalog.novels
        if n.x_restrict == 0
        and (show_ai or n.ai_type != 2)
        and all(_matches(catalog, n, x, target) for x in words)
    ]
    return _sorted(_window(found, duration, start, end), sort)


def search_user_ids(catalog: Catalog, word: str) -> list[int]:
    needle = word.strip().lower()
    return sorted(
        (
            uid
            for uid, (name, account) in catalog.users.items()
            if needle in name.lower() or needle in account.lower()
        ),
        reverse=True,
    )


def trending_tags(catalog: Catalog, visible: Visible, limit: int = 40) -> list[tuple[str, int]]:
    """The most used tags with their most bookmarked work: ``[(tag, work_id)]``."""
    counts: Counter[str] = Counter()
    best: dict[str, WorkInfo] = {}
    for work in catalog.illusts:
        if not visible(work) or work.x_restrict:
            continue
        for tag in work.tags:
            counts[tag] += 1
            if tag not in best or work.total_bookmarks > best[tag].total_bookmarks:
                best[tag] = work
    return [(tag, best[tag].id) for tag, _ in counts.most_common(limit)]
