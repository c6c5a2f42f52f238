"""What the user asked for: URLs parsed into typed targets. Pure logic, no I/O.

Kemono-compatible sites (kemono, coomer, pawchive): creator, post, Discord server/channel and
favorites pages. pixiv: user (works, illustrations, manga, novels), artwork, novel, novel
series, bookmarks, ranking and tag search pages. Extra origins (the emulators on 127.0.0.1, a
mirror) are named per site in :class:`Origins`. Anything else is an ``InvalidInput`` with a
one-line reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from msgspec import Struct, field

from .._protocol.errors import InvalidInput

__all__ = [
    "KEMONO_SITES",
    "Origins",
    "Target",
    "origin_of",
    "parse_target",
]

KEMONO_SITES: Mapping[str, tuple[str, ...]] = {
    "kemono": ("kemono.cr", "kemono.su", "kemono.party"),
    "coomer": ("coomer.st", "coomer.su", "coomer.party"),
    "pawchive": ("pawchive.st", "pawchive.pw"),
}
PIXIV_DOMAINS = ("pixiv.net",)
SITES = (*KEMONO_SITES, "pixiv")

# Compiled on first use (re's cache): a run parses a few targets, with some of these only.
_SLUG = r"^[a-z][a-z0-9_-]{0,31}$"
_ID = r"^[A-Za-z0-9_.-]{1,128}$"
_DIGITS = r"^\d{1,20}$"
_NOT_SERVICES = frozenset({"api", "account", "favorites", "posts", "artists", "search", "data"})

# pixiv's web ranking modes and the App API's names for them (pixiv-protocol.md §4).
RANKING_MODES: Mapping[str, str] = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "rookie": "week_rookie",
    "original": "week_original",
    "male": "day_male",
    "female": "day_female",
    "daily_ai": "day_ai",
    "daily_r18": "day_r18",
    "weekly_r18": "week_r18",
    "male_r18": "day_male_r18",
    "female_r18": "day_female_r18",
    "r18g": "week_r18g",
}
SEARCH_MODES: Mapping[str, str] = {
    "s_tag": "partial_match_for_tags",
    "s_tag_full": "exact_match_for_tags",
    "s_tc": "title_and_caption",
}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` in lower case."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Origins(Struct, frozen=True):
    """Extra origins per site (``{"kemono": "http://127.0.0.1:8080"}``): emulators, mirrors;
    ``files``: the origin serving a Kemono-compatible site's ``/data`` files when the site
    itself would redirect there (pawchive's ``file.`` host)."""

    extra: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)

    def site_of(self, url: str) -> str | None:
        """The site an URL belongs to, or None."""
        origin = origin_of(url)
        for site, base in self.extra.items():
            if base and origin_of(base) == origin:
                return site
        host = (urlsplit(url).hostname or "").lower()
        for prefix in ("www.", "beta."):
            host = host.removeprefix(prefix)
        for site, domains in KEMONO_SITES.items():
            if host in domains:
                return site
        if host in PIXIV_DOMAINS:
            return "pixiv"
        return None


class Target(Struct, frozen=True):
    """One thing to archive.

    ``kind``: Kemono ``creator``, ``post``, ``discord``, ``favorites``; pixiv ``user``,
    ``illust``, ``novel``, ``novel_series``, ``bookmarks``, ``ranking``, ``search``.
    """

    site: str
    kind: str
    url: str
    service: str = ""
    id: str = ""
    post_id: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str, default: str = "") -> str:
        for key, value in self.options:
            if key == name:
                return value
        return default

    @property
    def is_kemono(self) -> bool:
        return self.site in KEMONO_SITES

    def __str__(self) -> str:
        parts = [self.site, self.kind, self.service, self.id, self.post_id]
        text = " ".join(p for p in parts if p)
        opts = " ".join(f"{k}={v}" for k, v in self.options)
        return f"{text} ({opts})" if opts else text


def parse_target(url: str, origins: Origins | None = None) -> Target:
    """The target an URL names; ``InvalidInput`` with the reason when it names none."""
    text = url.strip()
    if not text:
        raise InvalidInput("empty URL")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host, _ = parts.hostname, parts.port  # both raise ValueError on a malformed netloc
    except ValueError as exc:
        raise InvalidInput(f"malformed URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput(f"not an http(s) URL: {url!r}")
    site = (origins or Origins()).site_of(text)
    if site is None:
        raise InvalidInput(
            f"not a Kemono, Coomer, Pawchive or pixiv URL: {url!r} "
            "(for an emulator or mirror, pass --kemono-url/--pixiv-url)"
        )
    segments = [unquote(s) for s in parts.path.split("/") if s]
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if site == "pixiv":
        return _pixiv(url, segments, query, parts.fragment)
    return _kemono(site, url, segments, query, parts.fragment)


# -- Kemono ---------------------------------------------------------------------------------
def _check_id(value: str, what: str, url: str) -> str:
    if not re.match(_ID, value) or not value.strip("."):
        raise InvalidInput(f"bad {what} {value!r} in {url!r}")
    return value


def _service(value: str, url: str) -> str:
    if not re.match(_SLUG, value) or value in _NOT_SERVICES:
        raise InvalidInput(f"unrecognised service {value!r} in {url!r}")
    return value


def _kemono(site: str, url: str, seg: list[str], query: dict[str, str], fragment: str) -> Target:
    if seg[:2] == ["api", "v1"] or seg[:2] == ["api", "v2"]:
        seg = seg[2:]
    opts: list[tuple[str, str]] = []
    if query.get("q"):
        opts.append(("query", query["q"]))
    if seg and seg[0] == "account":
        seg = seg[1:]
    if seg and seg[0] == "favorites":
        kind = query.get("type", "")
        if len(seg) > 1:
            kind = {"posts": "post", "artists": "artist", "creators": "artist"}.get(seg[1], "?")
        if kind not in ("", "post", "artist"):
            raise InvalidInput(f"unrecognised favorites page in {url!r} (posts or artists)")
        return Target(site, "favorites", url, options=(("type", kind or "artist"),))
    if len(seg) >= 3 and seg[0] == "discord" and seg[1] == "server":
        server = _check_id(seg[2], "Discord server id", url)
        channel = seg[3] if len(seg) > 3 else fragment
        if channel:
            opts.append(("channel", _check_id(channel, "Discord channel id", url)))
        return Target(site, "discord", url, service="discord", id=server, options=tuple(opts))
    if len(seg) >= 3 and seg[1] == "user":
        service = _service(seg[0], url)
        creator = _check_id(seg[2], "creator id", url)
        if len(seg) == 3:
            return Target(site, "creator", url, service, creator, options=tuple(opts))
        if len(seg) >= 5 and seg[3] == "post":
            post = _check_id(seg[4], "post id", url)
            if len(seg) in (5, 7) and (len(seg) == 5 or seg[5] == "revision"):
                return Target(site, "post", url, service, creator, post)
    if len(seg) == 3 and seg[1] == "post":
        service = _service(seg[0], url)
        return Target(site, "post", url, service, "", _check_id(seg[2], "post id", url))
    raise InvalidInput(
        f"unrecognised {site} URL {url!r}: expected a creator (/SERVICE/user/ID), a post "
        "(/SERVICE/user/ID/post/POST), a Discord server (/discord/server/ID) or /favorites"
    )


# -- pixiv ----------------------------------------------------------------------------------
def _digits(value: str | None, what: str, url: str) -> str:
    if not value or not re.match(_DIGITS, value):
        raise InvalidInput(f"bad pixiv {what} {value!r} in {url!r}")
    return value


def _pixiv(url: str, seg: list[str], query: dict[str, str], fragment: str) -> Target:
    if seg and re.fullmatch(r"[a-z]{2}(?:-[a-z]{2,4})?", seg[0]) and seg[0] != "i":
        seg = seg[1:]  # language prefix: /en/, /ja/, /zh-tw/
    head = seg[0] if seg else ""
    if head == "users" and len(seg) >= 2:
        user = _digits(seg[1], "user id", url)
        rest = seg[2:]
        if rest and rest[0] == "bookmarks":
            return _bookmarks(url, user, rest[1:], query)
        scope = {
            "": "all",
            "artworks": "artworks",
            "illustrations": "illust",
            "manga": "manga",
            "novels": "novel",
        }.get(rest[0] if rest else "")
        if scope is None:
            raise InvalidInput(f"unrecognised pixiv user page {url!r}")
        return Target("pixiv", "user", url, id=user, options=(("scope", scope),))
    if head in ("member.php", "member_illust.php") and "illust_id" not in query:
        return Target(
            "pixiv",
            "user",
            url,
            id=_digits(query.get("id"), "user id", url),
            options=(("scope", "artworks" if head == "member_illust.php" else "all"),),
        )
    if head == "member_illust.php":
        return Target("pixiv", "illust", url, id=_digits(query.get("illust_id"), "work id", url))
    if head in ("artworks", "i") and len(seg) == 2:
        return Target("pixiv", "illust", url, id=_digits(seg[1], "work id", url))
    if head == "novel" and len(seg) >= 2 and seg[1] == "show.php":
        return Target("pixiv", "novel", url, id=_digits(query.get("id"), "novel id", url))
    if head == "novel" and len(seg) == 3 and seg[1] == "series":
        return Target("pixiv", "novel_series", url, id=_digits(seg[2], "series id", url))
    if head == "bookmark.php":
        user = _digits(query.get("id"), "user id", url)
        return _bookmarks(url, user, [], query)
    if head == "ranking.php":
        return _ranking(url, query)
    if head == "tags" and len(seg) >= 2:
        return _search(url, seg[1], seg[2] if len(seg) > 2 else "artworks", query)
    if head == "search.php" and query.get("word"):
        return _search(url, query["word"], "artworks", query)
    raise InvalidInput(
        f"unrecognised pixiv URL {url!r}: expected a user (/users/ID), an artwork "
        "(/artworks/ID), a novel, bookmarks, ranking.php or a tag search (/tags/TAG)"
    )


def _bookmarks(url: str, user: str, rest: list[str], query: dict[str, str]) -> Target:
    what = rest[0] if rest else "artworks"
    if what not in ("artworks", "novels"):
        raise InvalidInput(f"unrecognised pixiv bookmarks page {url!r}")
    opts = [("type", "novel" if what == "novels" else "illust")]
    opts.append(("restrict", "private" if query.get("rest") == "hide" else "public"))
    tag = rest[1] if len(rest) > 1 else query.get("tag", "")
    if tag:
        opts.append(("tag", tag))
    return Target("pixiv", "bookmarks", url, id=user, options=tuple(opts))


def _ranking(url: str, query: dict[str, str]) -> Target:
    web_mode = query.get("mode", "daily")
    mode = RANKING_MODES.get(web_mode, web_mode if web_mode in RANKING_MODES.values() else "")
    if not mode:
        known = ", ".join(RANKING_MODES)
        raise InvalidInput(f"unknown pixiv ranking mode {web_mode!r} in {url!r} ({known})")
    if query.get("content") == "manga" and not mode.endswith("manga"):
        mode = f"{mode}_manga"
    opts = [("mode", mode)]
    day = query.get("date", "")
    if day:
        if not re.fullmatch(r"\d{8}", day):
            raise InvalidInput(f"bad pixiv ranking date {day!r} in {url!r} (YYYYMMDD)")
        opts.append(("date", f"{day[:4]}-{day[4:6]}-{day[6:]}"))
    return Target("pixiv", "ranking", url, options=tuple(opts))


def _search(url: str, word: str, what: str, query: dict[str, str]) -> Target:
    if not word.strip():
        raise InvalidInput(f"empty pixiv search in {url!r}")
    kinds = {"artworks": "illust", "illustrations": "illust", "manga": "illust", "novels": "novel"}
    if what not in kinds:
        raise InvalidInput(f"unrecognised pixiv search page {url!r}")
    target = SEARCH_MODES.get(query.get("s_mode", "s_tag"), "partial_match_for_tags")
    sort = "date_asc" if query.get("order") == "date" else "date_desc"
    opts = [("type", kinds[what]), ("search_target", target), ("sort", sort)]
    return Target("pixiv", "search", url, id=word, options=tuple(opts))
