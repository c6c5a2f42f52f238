"""JSON shapes of users, illustrations, novels and comments (pixiv-protocol.md §3).

Image URLs point at the emulator's own image host (``{base}/i/...``, shaped like i.pximg.net).
The per-work part of an illustration is cached; the viewer-dependent fields (``is_bookmarked``,
``is_followed``, ``total_bookmarks``) are filled per request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .dataset import JST, Comment, Illust, Novel, User
from .state import PixivState

__all__ = ["Shapes", "date_path", "iso"]

Json = dict[str, Any]


def date_path(when: datetime) -> str:
    """The ``YYYY/MM/DD/hh/mm/ss`` part of image URLs (JST, §5)."""
    return when.astimezone(JST).strftime("%Y/%m/%d/%H/%M/%S")


def iso(when: datetime) -> str:
    return when.astimezone(JST).isoformat()


class Shapes:
    """Builds response objects for one emulator (its base URL and state)."""

    def __init__(self, state: PixivState, base: str) -> None:
        self.state = state
        self.base = base
        self._illusts: dict[tuple[int, bool], Json] = {}

    def clear(self) -> None:
        self._illusts.clear()

    # ----- users

    def avatar(self, user_id: int, size: int = 170) -> str:
        return f"{self.base}/i/user-profile/img/2019/01/01/00/00/00/{user_id}_{size}.jpg"

    def user(self, user: User, viewer: int) -> Json:
        return {
            "id": user.id,
            "name": user.name,
            "account": user.account,
            "profile_image_urls": {"medium": self.avatar(user.id)},
            "is_followed": self.state.is_followed(viewer, user.id),
        }

    def user_preview(self, user: User, viewer: int) -> Json:
        works = sorted(
            (i for i in self.state.illusts.values() if i.user_id == user.id),
            key=lambda i: i.id,
            reverse=True,
        )[:3]
        novels = sorted(
            (n for n in self.state.novels.values() if n.user_id == user.id),
            key=lambda n: n.id,
            reverse=True,
        )[:3]
        # Live: only the following/follower previews carry the two request flags.
        listed = {**self.user(user, viewer), "is_access_blocking_user": False}
        listed["is_accept_request"] = False
        return {
            "user": listed,
            "illusts": [self.illust(i, viewer) for i in works],
            "novels": [self.novel(n, viewer) for n in novels],
            "is_muted": False,
        }

    def account_user(self, user: User, mail: str) -> Json:
        """The ``user`` object of a token response (its ``id`` is a string, §1.3)."""
        return {
            "profile_image_urls": {
                "px_16x16": self.avatar(user.id, 16),
                "px_50x50": self.avatar(user.id, 50),
                "px_170x170": self.avatar(user.id, 170),
            },
            "id": str(user.id),
            "name": user.name,
            "account": user.account,
            "mail_address": mail,
            "is_premium": user.is_premium,
            "x_restrict": user.x_restrict,
            "is_mail_authorized": True,
            "require_policy_agreement": False,
        }

    # ----- tags

    def tags(self, names: tuple[str, ...], translate: bool) -> list[Json]:
        translations = self.state.translations
        return [
            {"name": n, "translated_name": translations.get(n) if translate else None}
            for n in names
        ]

    # ----- illustrations

    def page_urls(self, illust: Illust, page: int) -> Json:
        dp = date_path(illust.created)
        stem = f"img-master/img/{dp}/{illust.id}_p{page}"
        crop = f"{self.base}/i/c"
        return {
            "square_medium": f"{crop}/360x360_70/{stem}_square1200.jpg",
            "medium": f"{crop}/540x540_70/{stem}_master1200.jpg",
            "large": f"{crop}/600x1200_90/{stem}_master1200.jpg",
        }

    def original_url(self, illust: Illust, page: int) -> str:
        dp = date_path(illust.created)
        if illust.kind == "ugoira":
            return f"{self.base}/i/img-original/img/{dp}/{illust.id}_ugoira0.jpg"
        return f"{self.base}/i/img-original/img/{dp}/{illust.id}_p{page}.{illust.ext}"

    def ugoira_zip_url(self, illust: Illust, full: bool = False) -> str:
        size = "1920x1080" if full else "600x600"
        dp = date_path(illust.created)
        return f"{self.base}/i/img-zip-ugoira/img/{dp}/{illust.id}_ugoira{size}.zip"

    def _illust_base(self, illust: Illust, translate: bool) -> Json:
        key = (illust.id, translate)
        cached = self._illusts.get(key)
        if cached is not None:
            return cached
        single = illust.page_count == 1
        meta_pages = (
            []
            if single
            else [
                {
                    "image_urls": {
                        **self.page_urls(illust, n),
                        "original": self.original_url(illust, n),
                    }
                }
                for n in range(illust.page_count)
            ]
        )
        shape: Json = {
            "id": illust.id,
            "title": illust.title,
            "type": illust.kind,
            "image_urls": self.page_urls(illust, 0),
            "caption": illust.caption,
            "restrict": 0,
            "user": None,
            "tags": self.tags(illust.tags, translate),
            "tools": list(illust.tools),
            "create_date": iso(illust.created),
            "page_count": illust.page_count,
            "width": illust.width,
            "height": illust.height,
            "sanity_level": 6 if illust.x_restrict else 2,
            "x_restrict": illust.x_restrict,
            "series": self._illust_series(illust),
            "meta_single_page": {"original_image_url": self.original_url(illust, 0)}
            if single
            else {},
            "meta_pages": meta_pages,
            "total_view": illust.total_view,
            "total_bookmarks": illust.total_bookmarks,
            "is_bookmarked": False,
            "visible": True,
            "is_muted": False,
            "illust_ai_type": illust.id % 3,  # 0 undeclared, 1 not AI, 2 AI
            "illust_book_style": 1 if illust.kind == "manga" else 0,
        }
        # Live: present on some works only.
        if illust.x_restrict:
            shape["restriction_attributes"] = ["restricted_mode"]
        elif illust.id % 4 == 0:
            shape["restriction_attributes"] = []
        self._illusts[key] = shape
        return shape

    def _illust_series(self, illust: Illust) -> Json | None:
        """Live: an object on series works, null otherwise (here: manga are series works)."""
        if illust.kind != "manga":
            return None
        author = self.state.users[illust.user_id].name
        return {"id": 100_000 + illust.user_id, "title": f"{author}'s manga"}

    def illust(self, illust: Illust, viewer: int, translate: bool = False) -> Json:
        shape = dict(self._illust_base(illust, translate))
        state = self.state
        shape["user"] = self.user(state.users[illust.user_id], viewer)
        shape["is_bookmarked"] = illust.id in state.illust_bookmarks.get(viewer, {})
        shape["total_bookmarks"] = illust.total_bookmarks  # the stored count moves with bookmarks
        return shape

    def illust_detail(self, illust: Illust, viewer: int, translate: bool) -> Json:
        shape = self.illust(illust, viewer, translate)
        shape["total_comments"] = self.state.comment_counts.get(illust.id, 0)
        shape["comment_access_control"] = 0
        return shape

    # ----- novels

    def novel(self, novel: Novel, viewer: int, translate: bool = False) -> Json:
        dp = date_path(novel.created)
        cover = f"novel-cover-master/img/{dp}/ci{novel.id}"
        series = self.state.series.get(novel.series_id or 0)
        return {
            "id": novel.id,
            "title": novel.title,
            "caption": novel.caption,
            "restrict": 0,
            "x_restrict": novel.x_restrict,
            "is_original": novel.is_original,
            "image_urls": {
                "square_medium": f"{self.base}/i/c/128x128/{cover}_square1200.jpg",
                "medium": f"{self.base}/i/c/176x352/{cover}_master1200.jpg",
                "large": f"{self.base}/i/c/240x480_80/{cover}_master1200.jpg",
            },
            "create_date": iso(novel.created),
            "tags": [
                {**t, "added_by_uploaded_user": True} for t in self.tags(novel.tags, translate)
            ],
            "page_count": novel.text.count("[newpage]") + 1,
            "text_length": len(novel.text),
            "user": self.user(self.state.users[novel.user_id], viewer),
            "series": {"id": series.id, "title": series.title} if series else {},
            "is_bookmarked": novel.id in self.state.novel_bookmarks.get(viewer, {}),
            "total_bookmarks": novel.total_bookmarks,
            "total_view": novel.total_view,
            "visible": True,
            "total_comments": 0,
            "is_muted": False,
            "is_mypixiv_only": False,
            "is_x_restricted": False,
            "novel_ai_type": 1,
        }

    # ----- comments

    def comment(self, comment: Comment, viewer: int, *, v1: bool = True) -> Json:
        shape: Json = {
            "id": comment.id,
            "comment": comment.text,
            "date": iso(comment.created),
            "user": self.user(self.state.users[comment.user_id], viewer),
        }
        if v1:
            parent = self.state.comments.get(comment.parent_id or 0)
            shape["parent_comment"] = self.comment(parent, viewer) if parent else {}
        else:
            shape["has_replies"] = any(
                c.parent_id == comment.id for c in self.state.comments.values()
            )
            shape["stamp"] = None
        return shape
