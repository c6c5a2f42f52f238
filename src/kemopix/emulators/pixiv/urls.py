"""Image URLs shaped like i.pximg.net / s.pximg.net ones, and the parser that reads them back.

The emulator serves images from its own origin under the live paths, so a URL looks like
``http://127.0.0.1:PORT/img-original/img/2019/07/01/00/00/00/75523989_p0.png``
(pixiv-protocol.md §5 "Images", §1.1 for the avatar and placeholder hosts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ILLUST_SAMPLES",
    "NOVEL_SAMPLES",
    "PLACEHOLDERS",
    "ImagePath",
    "ImageUrls",
    "parse_image_path",
]

# size name -> (URL spec, box width, box height, JPEG quality)
ILLUST_SAMPLES: dict[str, tuple[str, int, int, int]] = {
    "square_medium": ("360x360_70", 360, 360, 70),
    "medium": ("540x540_70", 540, 540, 70),
    "large": ("600x1200_90", 600, 1200, 90),
}
NOVEL_SAMPLES: dict[str, tuple[str, int, int, int]] = {
    "square_medium": ("128x128", 128, 128, 75),
    "medium": ("176x352", 176, 352, 75),
    "large": ("240x480_80", 240, 480, 80),
}
_SQUARE = {"square_medium"}
_DATE = r"(?P<path>\d{4}/\d\d/\d\d/\d\d/\d\d/\d\d)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "sample",
        re.compile(
            rf"^/c/(?P<spec>[^/]+)/img-master/img/{_DATE}/(?P<id>\d+)(?:_p(?P<page>\d+))?"
            r"_(?P<variant>master1200|square1200)\.jpg$"
        ),
    ),
    (
        "original",
        re.compile(
            rf"^/img-original/img/{_DATE}/(?P<id>\d+)_(?:p(?P<page>\d+)|ugoira(?P<frame>\d+))"
            r"\.(?P<ext>png|jpg|gif)$"
        ),
    ),
    (
        "zip",
        re.compile(
            rf"^/img-zip-ugoira/img/{_DATE}/(?P<id>\d+)_ugoira(?P<spec>600x600|1920x1080)\.zip$"
        ),
    ),
    (
        "avatar",
        re.compile(
            rf"^/user-profile/img/{_DATE}/(?P<id>\d+)_(?P<hash>[0-9a-f]+)_(?P<spec>170|50|16)"
            r"\.(?P<ext>jpg)$"
        ),
    ),
    (
        "cover",
        re.compile(
            rf"^/c/(?P<spec>[^/]+)/novel-cover-master/img/{_DATE}/ci(?P<id>\d+)_(?P<hash>[0-9a-f]+)"
            r"_(?P<variant>master1200|square1200)\.jpg$"
        ),
    ),
    ("common", re.compile(r"^/common/images/(?P<name>[a-z0-9_]+)\.png$")),
]
PLACEHOLDERS = frozenset(
    {
        "no_profile",
        "no_profile_s",
        "limit_sanity_level_360",
        "limit_mypixiv_360",
        "limit_unviewable_360",
    }
)


@dataclass(frozen=True, slots=True)
class ImagePath:
    """A parsed image path: what to render (the route checks it against the dataset)."""

    kind: str  # sample | original | zip | avatar | cover | common
    id: int = 0
    path: str = ""
    page: int | None = None
    frame: int | None = None
    spec: str = ""
    variant: str = ""
    ext: str = ""
    hash: str = ""
    name: str = ""


def parse_image_path(path: str) -> ImagePath | None:
    """Read an image path back, or None when it is not one the image host serves."""
    for kind, pattern in _PATTERNS:
        match = pattern.match(path)
        if match is None:
            continue
        groups = match.groupdict()
        if kind == "common":
            return ImagePath("common", name=groups["name"])
        page, frame = groups.get("page"), groups.get("frame")
        return ImagePath(
            kind,
            id=int(groups["id"]),
            path=groups["path"],
            page=int(page) if page is not None else None,
            frame=int(frame) if frame is not None else None,
            spec=groups.get("spec") or "",
            variant=groups.get("variant") or "",
            ext=groups.get("ext") or "",
            hash=groups.get("hash") or "",
        )
    return None


class ImageUrls:
    """Builds the image URLs of works, users and novels under one origin."""

    def __init__(self, origin: str) -> None:
        self.origin = origin.rstrip("/")

    def common(self, name: str) -> str:
        return f"{self.origin}/common/images/{name}.png"

    def illust_page(
        self, work_id: int, path: str, page: int, ext: str, *, ugoira: bool = False
    ) -> dict[str, str]:
        """``square_medium, medium, large, original`` of one page."""
        stem = f"{work_id}" if ugoira else f"{work_id}_p{page}"
        urls = {}
        for size, (spec, *_rest) in ILLUST_SAMPLES.items():
            variant = "square1200" if size in _SQUARE else "master1200"
            urls[size] = f"{self.origin}/c/{spec}/img-master/img/{path}/{stem}_{variant}.jpg"
        original = f"{work_id}_ugoira0.jpg" if ugoira else f"{work_id}_p{page}.{ext}"
        urls["original"] = f"{self.origin}/img-original/img/{path}/{original}"
        return urls

    def ugoira_zip(self, work_id: int, path: str, spec: str = "600x600") -> str:
        return f"{self.origin}/img-zip-ugoira/img/{path}/{work_id}_ugoira{spec}.zip"

    def avatar(self, user_id: int, avatar: str, size: int) -> str:
        """An avatar URL (``size`` 170, 50 or 16), or the no-profile placeholder."""
        if not avatar:
            return self.common("no_profile" if size == 170 else "no_profile_s")
        path, digest = avatar.rsplit("/", 1)
        return f"{self.origin}/user-profile/img/{path}/{user_id}_{digest}_{size}.jpg"

    def novel_cover(self, novel_id: int, path: str, digest: str) -> dict[str, str]:
        urls = {}
        for size, (spec, *_rest) in NOVEL_SAMPLES.items():
            variant = "square1200" if size in _SQUARE else "master1200"
            urls[size] = (
                f"{self.origin}/c/{spec}/novel-cover-master/img/{path}/"
                f"ci{novel_id}_{digest}_{variant}.jpg"
            )
        return urls
