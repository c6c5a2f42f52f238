"""Works, novels and users as a given viewer sees them, with a cache of the shared parts.

The viewer-independent shape of each object is built once per state generation (any write
clears it); each answer copies it and sets ``is_bookmarked``, ``is_followed`` and, for works
the viewer may not see, the restricted form (pixiv-protocol.md §3 "Restricted work").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .shapes import JsonDict, illust_shape, novel_shape, tag_shape, user_shape
from .state import PixivState, Viewer
from .urls import ImageUrls

__all__ = ["Ctx", "Views"]


@dataclass(slots=True)
class Ctx:
    """Who asks, in which language, and whom they follow."""

    viewer: Viewer
    lang: int
    followees: dict[int, str]


class Views:
    """Builds answer objects from the state for one emulator."""

    def __init__(self, state: PixivState, images: ImageUrls) -> None:
        self.state = state
        self.images = images
        self._generation = -1
        self._users: dict[int, JsonDict | None] = {}
        self._illusts: dict[tuple[int, int, bool], JsonDict | None] = {}
        self._novels: dict[tuple[int, int], JsonDict | None] = {}
        self._memo: dict[tuple[object, ...], list[int]] = {}

    def _fresh(self) -> None:
        if self._generation != self.state.generation:
            self._users.clear()
            self._illusts.clear()
            self._novels.clear()
            self._memo.clear()
            self._generation = self.state.generation

    def memo(self, key: tuple[object, ...], compute: Callable[[], list[int]]) -> list[int]:
        """A listing's ids, computed once per state generation (rankings, feeds)."""
        self._fresh()
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > 512:
                self._memo.clear()
            found = self._memo[key] = compute()
        return found

    # -- users ------------------------------------------------------------------------------
    def user_base(self, user_id: int) -> JsonDict | None:
        self._fresh()
        if user_id not in self._users:
            row = self.state.user(user_id)
            self._users[user_id] = user_shape(row, self.images) if row is not None else None
        return self._users[user_id]

    def user(self, user_id: int, ctx: Ctx | None) -> JsonDict:
        base = self.user_base(user_id)
        if base is None:  # a deleted author: live keeps the work with an empty user
            base = {"id": 0, "name": "", "account": "", "profile_image_urls": {}}
        return {**base, "is_followed": ctx is not None and user_id in ctx.followees}

    # -- illusts ----------------------------------------------------------------------------
    def _illust_base(self, work_id: int, lang: int, detail: bool) -> JsonDict | None:
        self._fresh()
        key = (work_id, lang, detail)
        if key in self._illusts:
            return self._illusts[key]
        state = self.state
        row = state.one("SELECT * FROM illusts WHERE id = ?", work_id)
        shape = None
        if row is not None:
            translations = state.catalog().translations
            tags = [
                tag_shape(r[0], translations, lang)
                for r in state.all(
                    "SELECT tag FROM illust_tags WHERE illust_id = ? ORDER BY pos", work_id
                )
            ]
            series = None
            if row["series_id"] is not None:
                found = state.one(
                    "SELECT id, title FROM illust_series WHERE id = ?", row["series_id"]
                )
                series = {"id": int(found[0]), "title": found[1]} if found else None
            total = None
            if detail:
                count = state.one(
                    "SELECT COUNT(*) FROM comments WHERE kind = 'illust' AND work_id = ?", work_id
                )
                total = int(count[0]) if count is not None else 0
            user = self.user_base(int(row["user_id"])) or {}
            shape = illust_shape(row, tags, user, self.images, series, total)
        self._illusts[key] = shape
        return shape

    def illust(self, work_id: int, ctx: Ctx, *, detail: bool = False) -> JsonDict | None:
        shape = self._illust_base(work_id, ctx.lang, detail)
        if shape is None:
            return None
        marks = self.state.bookmarks_among(ctx.viewer.id, "illust", [work_id])
        return self._dress(shape, ctx, work_id in marks)

    def illusts(self, ids: list[int], ctx: Ctx) -> list[JsonDict]:
        marks = self.state.bookmarks_among(ctx.viewer.id, "illust", ids)
        out = []
        for work_id in ids:
            shape = self._illust_base(work_id, ctx.lang, False)
            if shape is not None:
                out.append(self._dress(shape, ctx, work_id in marks))
        return out

    def _dress(self, shape: JsonDict, ctx: Ctx, bookmarked: bool) -> JsonDict:
        owner = int(shape["user"]["id"])
        out = dict(shape)
        out["user"] = {**shape["user"], "is_followed": owner in ctx.followees}
        out["is_bookmarked"] = bookmarked
        placeholder = self._restriction(shape, owner, ctx)
        if placeholder is not None:
            url = self.images.common(placeholder)
            out.update(
                title="",
                caption="",
                tags=[],
                image_urls={"square_medium": url, "medium": url, "large": url},
                meta_single_page={},
                meta_pages=[],
                visible=False,
            )
            out["user"]["name"] = ""
        return out

    def _restriction(self, shape: JsonDict, owner: int, ctx: Ctx) -> str | None:
        """The placeholder a viewer gets instead of the work, or None when it is visible."""
        if owner == ctx.viewer.id:
            return None
        if int(shape["x_restrict"]) > ctx.viewer.x_restrict:
            return "limit_sanity_level_360"
        if int(shape["restrict"]) == 1:
            mutual = owner in ctx.followees and self.state.one(
                "SELECT 1 FROM follows WHERE follower_id = ? AND followee_id = ?",
                owner,
                ctx.viewer.id,
            )
            if not mutual:
                return "limit_mypixiv_360"
        return None

    def can_see(self, work: Any, ctx: Ctx) -> bool:
        """Whether a catalogue entry may appear in feeds, searches and rankings."""
        if work.user_id == ctx.viewer.id:
            return True
        return bool(work.x_restrict <= ctx.viewer.x_restrict and work.restrict == 0)

    # -- novels -----------------------------------------------------------------------------
    def _novel_base(self, novel_id: int, lang: int) -> JsonDict | None:
        self._fresh()
        key = (novel_id, lang)
        if key in self._novels:
            return self._novels[key]
        state = self.state
        row = state.one("SELECT * FROM novels WHERE id = ?", novel_id)
        shape = None
        if row is not None:
            translations = state.catalog().translations
            tags = [
                tag_shape(r[0], translations, lang)
                for r in state.all(
                    "SELECT tag FROM novel_tags WHERE novel_id = ? ORDER BY pos", novel_id
                )
            ]
            series: JsonDict = {}
            if row["series_id"] is not None:
                found = state.one(
                    "SELECT id, title FROM novel_series WHERE id = ?", row["series_id"]
                )
                series = {"id": int(found[0]), "title": found[1]} if found else {}
            count = state.one(
                "SELECT COUNT(*) FROM comments WHERE kind = 'novel' AND work_id = ?", novel_id
            )
            user = self.user_base(int(row["user_id"])) or {}
            total = int(count[0]) if count is not None else 0
            shape = novel_shape(row, tags, user, self.images, series, total)
        self._novels[key] = shape
        return shape

    def novels(self, ids: list[int], ctx: Ctx) -> list[JsonDict]:
        marks = self.state.bookmarks_among(ctx.viewer.id, "novel", ids)
        out = []
        for novel_id in ids:
            shape = self._novel_base(novel_id, ctx.lang)
            if shape is None:
                continue
            owner = int(shape["user"]["id"])
            dressed = dict(shape)
            dressed["user"] = {**shape["user"], "is_followed": owner in ctx.followees}
            dressed["is_bookmarked"] = novel_id in marks
            out.append(dressed)
        return out

    def novel(self, novel_id: int, ctx: Ctx) -> JsonDict | None:
        found = self.novels([novel_id], ctx)
        return found[0] if found else None
