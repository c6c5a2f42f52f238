"""The seed's models: plain classes with the seed's constructors and attributes.

The constructors take the API's values as the seed's did (``create_date`` as an ISO string,
``user`` as a dict ...), and ignore unknown keys inside nested dicts. The clients build models
from the decoded wire Structs through ``from_wire``, which skips that re-parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kemopix._protocol.raw import HasRaw, RawBody, RawRef
from kemopix.sites.pixiv import models as wire

from .enums import ContentType, Size
from .errors import PixivError

if TYPE_CHECKING:
    from ._state import ClientState

__all__ = ["Account", "Comment", "FullUser", "Illustration", "Novel", "User"]

_SIZES = {size.value: size for size in Size}
_TYPES = {kind.value: kind for kind in ContentType}


def _date(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _sized(urls: Mapping[str, str | None]) -> dict[Size, str | None]:
    return {_SIZES[key]: url for key, url in urls.items() if key in _SIZES}


def _wire_sized(urls: wire.ImageUrls) -> dict[Size, str | None]:
    out: dict[Size, str | None] = {}
    if urls.square_medium is not None:
        out[Size.SQUARE_MEDIUM] = urls.square_medium
    if urls.medium is not None:
        out[Size.MEDIUM] = urls.medium
    if urls.large is not None:
        out[Size.LARGE] = urls.large
    if urls.original is not None:
        out[Size.ORIGINAL] = urls.original
    return out


def _user(value: User | Mapping[str, Any]) -> User:
    if isinstance(value, User):
        return value
    return User(
        value.get("account", ""),
        value.get("id", 0),
        value.get("name", ""),
        value.get("profile_image_urls", {}),
        value.get("is_followed"),
    )


def _series(value: wire.Series | None) -> dict[str, Any] | None:
    if value is None or value.id is None:
        return None
    return {"id": value.id, "title": value.title}


def _child(raw: RawRef | None, key: str) -> RawRef | None:
    return None if raw is None else raw.child(key)


class User(HasRaw):
    """A model that represents a user. Not all instance variables will be populated; which
    are depends on the endpoint the user came from. ``profile_image_urls`` typically has a
    ``'medium'`` key.
    """

    def __init__(
        self,
        account: str,
        id: int,
        name: str,
        profile_image_urls: dict[str, str],
        is_followed: bool | None = None,
    ) -> None:
        self.account = account
        self.id = id
        self.name = name
        self.profile_image_urls = profile_image_urls
        self.is_followed = is_followed

    @classmethod
    def from_wire(cls, user: wire.User, raw: RawRef | None = None) -> User:
        self = cls(user.account, user.id, user.name, user.profile_image_urls, user.is_followed)
        self._raw = raw
        return self

    def __repr__(self) -> str:
        # pixiv-api's format (code and doctests that print models expect it).
        return f"<{type(self).__name__} id={self.id} name={self.name}>"


class Account(User):
    """The authenticated user (from the token answer); profile images 16x16, 50x50, 170x170."""

    def __init__(
        self,
        profile_image_urls: dict[str, str],
        account: str,
        id: int,
        name: str,
        mail_address: str,
        is_premium: bool,
        x_restrict: int,
        is_mail_authorized: bool,
    ) -> None:
        super().__init__(account, id, name, profile_image_urls)
        self.mail_address = mail_address
        self.is_premium = is_premium
        self.x_restrict = x_restrict
        self.is_mail_authorized = is_mail_authorized

    @classmethod
    def from_token_user(cls, user: wire.TokenUser, raw: Any = None) -> Account:
        # The token answer gives the id as a string; the seed documents an int.
        user_id = int(user.id) if str(user.id).isdigit() else user.id
        self = cls(
            user.profile_image_urls,
            user.account,
            user_id,  # type: ignore[arg-type]
            user.name,
            user.mail_address,
            user.is_premium,
            user.x_restrict,
            user.is_mail_authorized,
        )
        self._raw = None if raw is None else RawBody.decoded(raw).at()
        return self


class FullUser(User):
    """A user with the ``comment``, ``profile``, ``profile_publicity`` and ``workspace`` that
    ``Client.fetch_user`` returns.
    """

    def __init__(
        self,
        account: str,
        id: int,
        name: str,
        profile_image_urls: dict[str, str],
        is_followed: bool | None = None,
        comment: str | None = None,
        profile: dict[str, Any] | None = None,
        profile_publicity: dict[str, Any] | None = None,
        workspace: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(account, id, name, profile_image_urls, is_followed)
        self.comment = comment
        self.profile = profile
        self.profile_publicity = profile_publicity
        self.workspace = workspace

    @classmethod
    def from_detail(cls, detail: wire.UserDetailResponse, raw: RawRef | None = None) -> FullUser:
        """``raw`` is the whole answer: ``user``, ``profile``, ``profile_publicity``,
        ``workspace``."""
        user = detail.user
        self = cls(
            user.account,
            user.id,
            user.name,
            user.profile_image_urls,
            user.is_followed,
            user.comment,
            detail.profile,
            detail.profile_publicity,
            detail.workspace,
        )
        self._raw = raw
        return self


class Illustration(HasRaw):
    """An illustration (or manga, or ugoira) and a convenient ``download``.

    Beyond the seed's attributes: ``illust_ai_type`` (0 undeclared, 1 not AI-generated,
    2 AI-generated), ``illust_book_style`` (the manga reading direction), ``restriction_attributes``
    (a list such as ``["restricted_mode"]``, or None when the work carries none),
    ``comment_access_control`` (detail only) and ``request`` (the pixiv Request a commissioned
    work was made for, as sent; None otherwise).
    """

    def __init__(
        self,
        caption: str,
        create_date: datetime | str,
        height: int,
        id: int,
        image_urls: Mapping[str, str | None],
        is_bookmarked: bool,
        is_muted: bool,
        meta_pages: list[Mapping[str, Any]],
        meta_single_page: Mapping[str, Any],
        page_count: int,
        restrict: int,
        sanity_level: int,
        series: dict[str, Any] | None,
        tags: list[dict[str, Any]],
        title: str,
        tools: list[str],
        total_bookmarks: int,
        total_view: int,
        type: str | ContentType,
        user: User | Mapping[str, Any],
        visible: bool,
        width: int,
        x_restrict: int,
        client: ClientState | None = None,
        total_comments: int | None = None,
        *,
        illust_ai_type: int = 0,
        illust_book_style: int = 0,
        restriction_attributes: list[str] | None = None,
        comment_access_control: int | None = None,
        request: dict[str, Any] | None = None,
    ) -> None:
        self.caption = caption
        self.create_date = _date(create_date)
        self.height = height
        self.id = id
        self.image_urls = {
            **_sized(image_urls),
            Size.ORIGINAL: meta_single_page.get("original_image_url"),
        }
        self.is_bookmarked = is_bookmarked
        self.is_muted = is_muted
        self.meta_pages = [_sized(page.get("image_urls", {})) for page in meta_pages]
        self.page_count = page_count
        self.restrict = restrict
        self.sanity_level = sanity_level
        self.series = series
        self.tags = tags
        self.title = title
        self.tools = tools
        self.total_bookmarks = total_bookmarks
        self.total_view = total_view
        self.type = type if isinstance(type, ContentType) else ContentType(type)
        self.user = _user(user)
        self.visible = visible
        self.width = width
        self.x_restrict = x_restrict
        self.client = client
        self.total_comments = total_comments
        self.illust_ai_type = illust_ai_type
        self.illust_book_style = illust_book_style
        self.restriction_attributes = restriction_attributes
        self.comment_access_control = comment_access_control
        self.request = request

    @classmethod
    def from_wire(
        cls, illust: wire.Illust, client: ClientState | None = None, raw: RawRef | None = None
    ) -> Illustration:
        self = cls.__new__(cls)
        self._raw = raw
        self.caption = illust.caption
        self.create_date = illust.create_date
        self.height = illust.height
        self.id = illust.id
        self.image_urls = _wire_sized(illust.image_urls)
        self.image_urls[Size.ORIGINAL] = illust.meta_single_page.original_image_url
        self.is_bookmarked = illust.is_bookmarked
        self.is_muted = illust.is_muted
        self.meta_pages = [_wire_sized(page.image_urls) for page in illust.meta_pages]
        self.page_count = illust.page_count
        self.restrict = illust.restrict
        self.sanity_level = illust.sanity_level
        self.series = _series(illust.series)
        self.tags = [{"name": t.name, "translated_name": t.translated_name} for t in illust.tags]
        self.title = illust.title
        self.tools = illust.tools
        self.total_bookmarks = illust.total_bookmarks
        self.total_view = illust.total_view
        self.type = _TYPES.get(illust.type, ContentType.ILLUSTRATION)
        self.user = User.from_wire(illust.user, _child(raw, "user"))
        self.visible = illust.visible
        self.width = illust.width
        self.x_restrict = illust.x_restrict
        self.client = client
        self.total_comments = illust.total_comments
        self.illust_ai_type = illust.illust_ai_type
        self.illust_book_style = illust.illust_book_style
        self.restriction_attributes = illust.restriction_attributes
        self.comment_access_control = illust.comment_access_control
        self.request = illust.request
        return self

    def download(
        self, directory: Path, size: Size = Size.ORIGINAL, filename: str | None = None
    ) -> None:
        """Download the illustration into ``directory`` (created if missing). A multi-page work
        goes into a folder named ``filename`` (default: the ID), one file per page.

        :raises requests.RequestException: If the request fails.
        :raises FileNotFoundError: If the destination's directory does not exist.
        :raises PermissionError: If the destination cannot be written to.
        """
        from .client import Client

        if not isinstance(self.client, Client):
            raise PixivError(
                "this illustration has no synchronous client; with AsyncClient use "
                "`await illustration.adownload(...)`"
            )
        self.client.download_illustration(self, directory, size, filename)

    async def adownload(
        self, directory: Path, size: Size = Size.ORIGINAL, filename: str | None = None
    ) -> None:
        """``download`` for illustrations fetched with an ``AsyncClient``."""
        from .aio import AsyncClient

        if not isinstance(self.client, AsyncClient):
            raise PixivError("this illustration has no AsyncClient; use download()")
        await self.client.download_illustration(self, directory, size, filename)

    def __repr__(self) -> str:
        return f"<Illustration id={self.id} user={self.user.name}>"


class Novel(HasRaw):
    """A novel."""

    def __init__(
        self,
        caption: str,
        create_date: datetime | str,
        id: int,
        image_urls: Mapping[str, str | None],
        is_bookmarked: bool,
        is_muted: bool,
        is_mypixiv_only: bool,
        is_x_restricted: bool,
        page_count: int,
        restrict: int,
        series: dict[str, Any] | None,
        tags: list[dict[str, Any]],
        text_length: int,
        title: str,
        total_bookmarks: int,
        total_comments: int,
        total_view: int,
        user: User | Mapping[str, Any],
        visible: bool,
        x_restrict: int,
        client: ClientState | None = None,
    ) -> None:
        self.caption = caption
        self.create_date = _date(create_date)
        self.id = id
        self.image_urls = _sized(image_urls)
        self.is_bookmarked = is_bookmarked
        self.is_muted = is_muted
        self.is_mypixiv_only = is_mypixiv_only
        self.is_x_restricted = is_x_restricted
        self.page_count = page_count
        self.restrict = restrict
        self.series = series or None
        self.tags = tags
        self.text_length = text_length
        self.title = title
        self.total_bookmarks = total_bookmarks
        self.total_comments = total_comments
        self.total_view = total_view
        self.user = _user(user)
        self.visible = visible
        self.x_restrict = x_restrict
        self.client = client

    @classmethod
    def from_wire(
        cls, novel: wire.Novel, client: ClientState | None = None, raw: RawRef | None = None
    ) -> Novel:
        tags = [
            {
                "name": t.name,
                "translated_name": t.translated_name,
                "added_by_uploaded_user": t.added_by_uploaded_user,
            }
            for t in novel.tags
        ]
        return cls(
            novel.caption,
            novel.create_date,  # type: ignore[arg-type]
            novel.id,
            {},
            novel.is_bookmarked,
            novel.is_muted,
            novel.is_mypixiv_only,
            novel.is_x_restricted,
            novel.page_count,
            novel.restrict,
            _series(novel.series),
            tags,
            novel.text_length,
            novel.title,
            novel.total_bookmarks,
            novel.total_comments,
            novel.total_view,
            User.from_wire(novel.user, _child(raw, "user")),
            novel.visible,
            novel.x_restrict,
            client,
        )._with_images(novel.image_urls, raw)

    def _with_images(self, urls: wire.ImageUrls, raw: RawRef | None) -> Novel:
        self.image_urls = _wire_sized(urls)
        self._raw = raw
        return self

    def __repr__(self) -> str:
        return f"<Novel id={self.id} user={self.user.name}>"


class Comment(HasRaw):
    """A comment; ``parent_comment`` is the comment it answers, or None."""

    def __init__(
        self,
        comment: str,
        date: datetime | str,
        id: int,
        parent_comment: Comment | Mapping[str, Any] | None,
        user: User | Mapping[str, Any],
        client: ClientState | None = None,
    ) -> None:
        self.comment = comment
        self.date = _date(date)
        self.id = id
        self.parent_comment: Comment | None
        if isinstance(parent_comment, Comment):
            self.parent_comment = parent_comment
        elif not parent_comment:  # the API sends {} for "no parent"
            self.parent_comment = None
        else:
            self.parent_comment = Comment(
                parent_comment["comment"],
                parent_comment["date"],
                parent_comment["id"],
                None,
                parent_comment["user"],
                client,
            )
        self.user = _user(user)
        self.client = client

    @classmethod
    def from_wire(
        cls, comment: wire.Comment, client: ClientState | None = None, raw: RawRef | None = None
    ) -> Comment:
        parent = comment.parent_comment
        user = comment.user
        self = cls(
            comment.comment,
            comment.date,  # type: ignore[arg-type]
            comment.id,
            cls.from_wire(parent, client, _child(raw, "parent_comment"))
            if parent is not None and parent.id
            else None,
            User.from_wire(user, _child(raw, "user")) if user is not None else User("", 0, "", {}),
            client,
        )
        self._raw = raw
        return self

    def __repr__(self) -> str:
        return f"<Comment id={self.id} user={self.user.name}>"
