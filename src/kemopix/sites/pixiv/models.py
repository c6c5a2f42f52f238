"""The App API's JSON as msgspec Structs (pixiv-protocol.md §3-4).

Unknown keys are ignored (pixiv adds fields over time) and most fields have defaults, so a
sparse or newer answer still decodes; a wrong type is a ``DecodeError``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

__all__ = [
    "BookmarkDetail",
    "BookmarkDetailResponse",
    "BookmarkTag",
    "BookmarkTagState",
    "BookmarkTagsResponse",
    "Comment",
    "CommentsResponse",
    "Illust",
    "IllustDetailResponse",
    "IllustsResponse",
    "ImageUrls",
    "MetaPage",
    "MetaSinglePage",
    "Novel",
    "NovelDetailResponse",
    "NovelSeriesDetail",
    "NovelSeriesResponse",
    "NovelText",
    "NovelsResponse",
    "RecommendedResponse",
    "SearchIllustsResponse",
    "SearchNovelsResponse",
    "Series",
    "Tag",
    "TokenResponse",
    "TokenUser",
    "TrendTag",
    "TrendTagsResponse",
    "UgoiraFrame",
    "UgoiraMetadata",
    "UgoiraMetadataResponse",
    "User",
    "UserDetailResponse",
    "UserPreview",
    "UserPreviewsResponse",
]


class _Wire(msgspec.Struct, omit_defaults=True):
    """Base of the wire models."""


class User(_Wire):
    id: int
    name: str = ""
    account: str = ""
    profile_image_urls: dict[str, str] = {}
    is_followed: bool | None = None
    comment: str | None = None
    is_access_blocking_user: bool | None = None
    is_accept_request: bool | None = None


class Tag(_Wire):
    name: str
    translated_name: str | None = None
    added_by_uploaded_user: bool | None = None


class Series(_Wire):
    """``null`` on illusts and ``{}`` on novels when there is no series."""

    id: int | None = None
    title: str | None = None


class ImageUrls(_Wire):
    square_medium: str | None = None
    medium: str | None = None
    large: str | None = None
    original: str | None = None


class MetaSinglePage(_Wire):
    original_image_url: str | None = None


class MetaPage(_Wire):
    image_urls: ImageUrls = msgspec.field(default_factory=ImageUrls)


class Illust(_Wire):
    id: int
    title: str = ""
    type: str = "illust"
    caption: str = ""
    restrict: int = 0
    x_restrict: int = 0
    sanity_level: int = 0
    image_urls: ImageUrls = msgspec.field(default_factory=ImageUrls)
    user: User = msgspec.field(default_factory=lambda: User(id=0))
    tags: list[Tag] = []
    tools: list[str] = []
    create_date: datetime | None = None
    page_count: int = 1
    width: int = 0
    height: int = 0
    series: Series | None = None
    meta_single_page: MetaSinglePage = msgspec.field(default_factory=MetaSinglePage)
    meta_pages: list[MetaPage] = []
    total_view: int = 0
    total_bookmarks: int = 0
    is_bookmarked: bool = False
    visible: bool = True
    is_muted: bool = False
    total_comments: int | None = None
    illust_ai_type: int = 0
    illust_book_style: int = 0
    # Live: present on some works only (e.g. ["restricted_mode"]).
    restriction_attributes: list[str] | None = None
    comment_access_control: int | None = None
    # A work made for a pixiv Request (commission): its request details, as sent.
    request: dict[str, Any] | None = None

    def page_urls(self, size: str = "original") -> list[str]:
        """One URL per page at ``size`` (``original`` falls back to ``large`` when missing)."""
        if self.meta_pages:
            return [_pick(page.image_urls, size) for page in self.meta_pages]
        if size == "original" and self.meta_single_page.original_image_url:
            return [self.meta_single_page.original_image_url]
        return [_pick(self.image_urls, size)]


def _pick(urls: ImageUrls, size: str) -> str:
    value = getattr(urls, size, None) or urls.original or urls.large or urls.medium
    return value or ""


class Novel(_Wire):
    id: int
    title: str = ""
    caption: str = ""
    restrict: int = 0
    x_restrict: int = 0
    is_original: bool = False
    image_urls: ImageUrls = msgspec.field(default_factory=ImageUrls)
    create_date: datetime | None = None
    tags: list[Tag] = []
    page_count: int = 1
    text_length: int = 0
    user: User = msgspec.field(default_factory=lambda: User(id=0))
    series: Series | None = None
    is_bookmarked: bool = False
    total_bookmarks: int = 0
    total_view: int = 0
    visible: bool = True
    total_comments: int = 0
    is_muted: bool = False
    is_mypixiv_only: bool = False
    is_x_restricted: bool = False
    novel_ai_type: int = 0


class Comment(_Wire):
    """``parent_comment`` is ``{}`` when there is none: it decodes to a Comment with ``id`` 0."""

    id: int = 0
    comment: str = ""
    date: datetime | None = None
    user: User | None = None
    parent_comment: Comment | None = None
    has_replies: bool | None = None


class UserPreview(_Wire):
    user: User
    illusts: list[Illust] = []
    novels: list[Novel] = []
    is_muted: bool = False


class BookmarkTag(_Wire):
    name: str
    count: int = 0


class BookmarkTagState(_Wire):
    name: str
    is_registered: bool = False


class BookmarkDetail(_Wire):
    is_bookmarked: bool = False
    restrict: str = "public"
    tags: list[BookmarkTagState] = []


class TrendTag(_Wire):
    tag: str
    translated_name: str | None = None
    illust: Illust | None = None


class UgoiraFrame(_Wire):
    file: str
    delay: int


class UgoiraMetadata(_Wire):
    zip_urls: dict[str, str]
    frames: list[UgoiraFrame] = []

    def zip_url(self, original: bool = True) -> str:
        """The frames zip: full size (``_ugoira1920x1080``, as gallery-dl does) or the 600px one."""
        url = self.zip_urls.get("medium") or next(iter(self.zip_urls.values()), "")
        return url.replace("_ugoira600x600.", "_ugoira1920x1080.") if original else url

    @property
    def delays(self) -> list[int]:
        """Each frame's delay in milliseconds, in order."""
        return [frame.delay for frame in self.frames]


class NovelSeriesDetail(_Wire):
    id: int
    title: str = ""
    caption: str = ""
    is_original: bool = False
    is_concluded: bool = False
    content_count: int = 0
    total_character_count: int = 0
    user: User | None = None
    display_text: str = ""


# -- responses --------------------------------------------------------------------------------
class _Paged(_Wire):
    next_url: str | None = None


class IllustDetailResponse(_Wire):
    illust: Illust


class IllustsResponse(_Paged):
    illusts: list[Illust] = []
    user: User | None = None


class SearchIllustsResponse(_Paged):
    illusts: list[Illust] = []
    search_span_limit: int | None = None
    show_ai: bool | None = None


class RecommendedResponse(_Paged):
    illusts: list[Illust] = []
    ranking_illusts: list[Illust] = []
    contest_exists: bool = False


class CommentsResponse(_Paged):
    comments: list[Comment] = []
    total_comments: int = 0


class TrendTagsResponse(_Wire):
    trend_tags: list[TrendTag] = []


class BookmarkDetailResponse(_Wire):
    bookmark_detail: BookmarkDetail


class UserDetailResponse(_Wire):
    user: User
    profile: dict[str, Any] = {}
    profile_publicity: dict[str, Any] = {}
    workspace: dict[str, Any] = {}


class UserPreviewsResponse(_Paged):
    user_previews: list[UserPreview] = []


class BookmarkTagsResponse(_Paged):
    bookmark_tags: list[BookmarkTag] = []


class NovelsResponse(_Paged):
    novels: list[Novel] = []
    user: User | None = None


class SearchNovelsResponse(_Paged):
    novels: list[Novel] = []
    search_span_limit: int | None = None
    show_ai: bool | None = None


class NovelDetailResponse(_Wire):
    novel: Novel


class NovelSeriesResponse(_Paged):
    novel_series_detail: NovelSeriesDetail | None = None
    novel_series_first_novel: Novel | None = None
    novels: list[Novel] = []


class UgoiraMetadataResponse(_Wire):
    ugoira_metadata: UgoiraMetadata


class NovelText(_Wire, rename="camel"):
    """The ``novel`` object embedded in ``/webview/v2/novel`` (pixiv-protocol.md §5)."""

    id: str | int
    title: str = ""
    text: str = ""
    caption: str = ""
    series_id: str | int | None = None
    series_title: str | None = None
    user_id: str | int | None = None
    cover_url: str | None = None
    tags: list[str] = []
    cdate: str | None = None
    is_original: bool | None = None
    ai_type: int | None = None


# -- token endpoint ---------------------------------------------------------------------------
class TokenUser(_Wire):
    """The account in a token answer; ``id`` is a string there (pixiv-protocol.md §5)."""

    id: str | int
    name: str = ""
    account: str = ""
    profile_image_urls: dict[str, str] = {}
    mail_address: str = ""
    is_premium: bool = False
    x_restrict: int = 0
    is_mail_authorized: bool = False
    require_policy_agreement: bool | None = None


class TokenResponse(_Wire):
    access_token: str
    refresh_token: str
    expires_in: int = 3600
    token_type: str = "bearer"
    scope: str = ""
    user: TokenUser | None = None
    # Not on the wire: ``user`` as received (set by the token flows; no tokens in it).
    user_json: Any = msgspec.field(default=None, name="kemopix:user_json")


class TokenEnvelope(_Wire):
    """pixiv repeats the token fields at the top level and under ``response``; either will do."""

    response: TokenResponse | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    expires_in: int = 3600
    user: TokenUser | None = None

    def token(self) -> TokenResponse | None:
        if self.response is not None:
            return self.response
        if self.access_token and self.refresh_token:
            return TokenResponse(
                self.access_token, self.refresh_token, self.expires_in, user=self.user
            )
        return None
