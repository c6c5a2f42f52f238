"""JSON builders: the live object shapes from database rows (pixiv-protocol.md §3).

These build the parts that do not depend on who asks; :mod:`.views` adds the viewer's
``is_bookmarked`` / ``is_followed`` and the restricted form of works they may not see.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .urls import ImageUrls

__all__ = [
    "LANG_EN",
    "LANG_NONE",
    "LANG_ZH",
    "comment_shape",
    "illust_shape",
    "language_of",
    "novel_shape",
    "profile_shape",
    "tag_shape",
    "token_user_shape",
    "user_shape",
]

JsonDict = dict[str, Any]
Translations = dict[str, tuple[str | None, str | None]]

LANG_NONE, LANG_EN, LANG_ZH = 0, 1, 2


def language_of(header: str | None) -> int:
    """Which translation ``Accept-Language`` asks for.

    assumption (pixiv-protocol.md §1.2 marks it UNCONFIRMED): the first language is matched by
    prefix, so the seed's ``English`` gets English; Japanese or no header gets ``null``.
    """
    if not header:
        return LANG_NONE
    first = header.split(",", 1)[0].split(";", 1)[0].strip().lower()
    if first.startswith("en"):
        return LANG_EN
    if first.startswith(("zh", "chinese")):
        return LANG_ZH
    return LANG_NONE


def tag_shape(name: str, translations: Translations, lang: int) -> JsonDict:
    translated = None
    if lang != LANG_NONE and name in translations:
        translated = translations[name][lang - 1]
    return {"name": name, "translated_name": translated}


def user_shape(row: sqlite3.Row, images: ImageUrls) -> JsonDict:
    """A user inside lists and works (``is_followed`` is added per viewer)."""
    return {
        "id": int(row["id"]),
        "name": row["name"],
        "account": row["account"],
        "profile_image_urls": {"medium": images.avatar(int(row["id"]), row["avatar"], 170)},
    }


def token_user_shape(row: sqlite3.Row, images: ImageUrls) -> JsonDict:
    """The ``user`` of a token answer: ``id`` is a string there (pixiv-protocol.md §1.3)."""
    user_id, avatar = int(row["id"]), row["avatar"]
    return {
        "profile_image_urls": {
            "px_16x16": images.avatar(user_id, avatar, 16),
            "px_50x50": images.avatar(user_id, avatar, 50),
            "px_170x170": images.avatar(user_id, avatar, 170),
        },
        "id": str(user_id),
        "name": row["name"],
        "account": row["account"],
        "mail_address": row["mail_address"],
        "is_premium": bool(row["is_premium"]),
        "x_restrict": int(row["x_restrict"]),
        "is_mail_authorized": True,
        "require_policy_agreement": False,
    }


def illust_shape(
    row: sqlite3.Row,
    tags: list[JsonDict],
    user: JsonDict,
    images: ImageUrls,
    series: JsonDict | None,
    total_comments: int | None,
) -> JsonDict:
    """An illust as live lists it; ``total_comments`` only in the detail answer."""
    work_id, path, kind = int(row["id"]), row["upload_path"], row["type"]
    exts = row["exts"].split(",")
    pages = int(row["page_count"])
    ugoira = kind == "ugoira"
    first = images.illust_page(work_id, path, 0, exts[0], ugoira=ugoira)
    meta_pages: list[JsonDict] = []
    meta_single: JsonDict = {}
    if pages > 1:
        meta_pages = [
            {"image_urls": images.illust_page(work_id, path, n, exts[n])} for n in range(pages)
        ]
    else:
        meta_single = {"original_image_url": first["original"]}
    shape: JsonDict = {
        "id": work_id,
        "title": row["title"],
        "type": kind,
        "image_urls": {k: first[k] for k in ("square_medium", "medium", "large")},
        "caption": row["caption"],
        "restrict": int(row["restrict_"]),
        "user": user,
        "tags": tags,
        "tools": json.loads(row["tools"]),
        "create_date": row["create_date"],
        "page_count": pages,
        "width": int(row["width"]),
        "height": int(row["height"]),
        "sanity_level": int(row["sanity_level"]),
        "x_restrict": int(row["x_restrict"]),
        "series": series,
        "meta_single_page": meta_single,
        "meta_pages": meta_pages,
        "total_view": int(row["total_view"]),
        "total_bookmarks": int(row["total_bookmarks"]),
        "is_bookmarked": False,
        "visible": True,
        "is_muted": False,
    }
    if total_comments is not None:
        shape["total_comments"] = total_comments
    shape["illust_ai_type"] = int(row["ai_type"])
    shape["illust_book_style"] = int(row["book_style"])
    shape["comment_access_control"] = 0
    shape["restriction_attributes"] = []
    return shape


def novel_shape(
    row: sqlite3.Row,
    tags: list[JsonDict],
    user: JsonDict,
    images: ImageUrls,
    series: JsonDict,
    total_comments: int,
) -> JsonDict:
    """A novel (``series`` is ``{}`` when there is none, as live)."""
    text = row["text"]
    return {
        "id": int(row["id"]),
        "title": row["title"],
        "caption": row["caption"],
        "restrict": int(row["restrict_"]),
        "x_restrict": int(row["x_restrict"]),
        "is_original": bool(row["is_original"]),
        "image_urls": images.novel_cover(int(row["id"]), row["upload_path"], row["cover"]),
        "create_date": row["create_date"],
        "tags": [{**tag, "added_by_uploaded_user": True} for tag in tags],
        "page_count": text.count("[newpage]") + 1,
        "text_length": len(text),
        "user": user,
        "series": series,
        "is_bookmarked": False,
        "total_bookmarks": int(row["total_bookmarks"]),
        "total_view": int(row["total_view"]),
        "visible": True,
        "total_comments": total_comments,
        "is_muted": False,
        "is_mypixiv_only": int(row["restrict_"]) == 1,
        "is_x_restricted": False,
        "novel_ai_type": int(row["ai_type"]),
    }


def comment_shape(
    row: sqlite3.Row, user: JsonDict, parent: JsonDict | None, *, v3: bool = False
) -> JsonDict:
    """A comment; v1 nests ``parent_comment`` (``{}`` when none), v2/v3 add ``has_replies``."""
    shape: JsonDict = {
        "id": int(row["id"]),
        "comment": row["comment"],
        "date": row["date"],
        "user": user,
    }
    if v3:
        shape["has_replies"] = False
        shape["stamp"] = None
    else:
        shape["parent_comment"] = parent if parent is not None else {}
    return shape


def profile_shape(row: sqlite3.Row, counts: dict[str, int], images: ImageUrls) -> JsonDict:
    """``user_detail.profile``: the stored fields plus the counted totals."""
    stored = json.loads(row["profile"])
    return {
        "webpage": stored.get("webpage"),
        "gender": stored.get("gender", ""),
        "birth": stored.get("birth", ""),
        "birth_day": stored.get("birth_day", ""),
        "birth_year": stored.get("birth_year", 0),
        "region": stored.get("region", ""),
        "address_id": stored.get("address_id", 0),
        "country_code": stored.get("country_code", ""),
        "job": stored.get("job", ""),
        "job_id": stored.get("job_id", 0),
        "total_follow_users": counts["follow_users"],
        "total_mypixiv_users": counts["mypixiv_users"],
        "total_illusts": counts["illusts"],
        "total_manga": counts["manga"],
        "total_novels": counts["novels"],
        "total_illust_bookmarks_public": counts["illust_bookmarks_public"],
        "total_illust_series": counts["illust_series"],
        "total_novel_series": counts["novel_series"],
        # assumption: pixivpy's model wants a string here (pixiv-protocol.md §3).
        "background_image_url": "",
        "twitter_account": stored.get("twitter_account", ""),
        "twitter_url": stored.get("twitter_url"),
        "pawoo_url": stored.get("pawoo_url"),
        "is_premium": bool(row["is_premium"]),
        "is_using_custom_profile_image": bool(row["avatar"]),
    }
