"""The seed's enums (pixiv-api 0.2.1), with the values the API uses."""

from __future__ import annotations

from enum import Enum

__all__ = ["ContentType", "Duration", "RankingMode", "SearchTarget", "Size", "Sort", "Visibility"]


class ContentType(Enum):
    """This Enum represents the various types of content that are present on Pixiv.

    The 0.2.1 docs print ``ILLUSTRATION = 'illustration'``; the seed's code, its defaults and the
    API all use ``'illust'`` (pixiv-protocol.md §2), so that is the value.
    """

    ILLUSTRATION = "illust"
    MANGA = "manga"
    UGOIRA = "ugoira"
    NOVEL = "novel"


class Duration(Enum):
    """This Enum is used when searching Pixiv to limit the age of the returned results."""

    LAST_DAY = "within_last_day"
    LAST_WEEK = "within_last_week"
    LAST_MONTH = "within_last_month"


class RankingMode(Enum):
    """This Enum is used to specify which ranking list of illustrations should be fetched."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    DAY_MALE = "day_male"
    DAY_FEMALE = "day_female"
    WEEK_ORIGINAL = "week_original"
    WEEK_ROOKIE = "week_rookie"
    DAY_MANGA = "day_manga"


class SearchTarget(Enum):
    """This Enum determines how the search should match the searched words to the results."""

    TAGS_PARTIAL = "partial_match_for_tags"
    TAGS_EXACT = "exact_match_for_tags"
    TITLE_AND_CAPTION = "title_and_caption"


class Size(Enum):
    """This Enum represents the possible sizes of an image. ORIGINAL has the best quality."""

    LARGE = "large"
    MEDIUM = "medium"
    ORIGINAL = "original"
    SQUARE_MEDIUM = "square_medium"


class Sort(Enum):
    """This Enum determines how search results are sorted by date: oldest or newest first."""

    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"


class Visibility(Enum):
    """The visibility restrictions a Pixiv user can put on their bookmarks, follows, etc."""

    PUBLIC = "public"
    PRIVATE = "private"
