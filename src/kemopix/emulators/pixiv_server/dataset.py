"""The seeded Pixiv dataset: users, illustrations, novels, comments, tags, social graph.

Everything is derived from ``seed`` with :class:`random.Random`, so two emulators with the same
seed serve the same JSON and the same image bytes. :func:`build_dataset` only generates it;
:mod:`.db` writes it into SQLite, which then holds it (and every change) for :mod:`.state`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal

__all__ = [
    "DEMO_ARTIST_ID",
    "DEMO_PASSWORD",
    "DEMO_REFRESH_TOKEN",
    "DEMO_USERNAME",
    "DEMO_USER_ID",
    "JST",
    "QUICKSTART_USERNAME",
    "TAG_TRANSLATIONS",
    "WORKSPACE_KEYS",
    "Account",
    "Bookmark",
    "Comment",
    "Dataset",
    "Illust",
    "IllustKind",
    "Novel",
    "NovelSeries",
    "Restrict",
    "SeedAccount",
    "User",
    "build_dataset",
]

JST = timezone(timedelta(hours=9))
Restrict = Literal["public", "private"]
IllustKind = Literal["illust", "manga", "ugoira"]

DEMO_USER_ID = 1000001
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_REFRESH_TOKEN = "kemopix-demo-refresh-token"
DEMO_ARTIST_ID = 2188232
QUICKSTART_USERNAME = "username"

# Japanese tag -> English translation (None: the tag has no translation).
TAG_TRANSLATIONS: dict[str, str | None] = {
    "オリジナル": "original",
    "風景": "scenery",
    "猫": "cat",
    "女の子": "girl",
    "創作": "original creation",
    "ファンタジー": "fantasy",
    "漫画": "manga",
    "うごイラ": "ugoira",
    "小説": "novel",
    "R-18": None,
}


# The ``workspace`` object of ``/v1/user/detail``, in the live order (values are free text).
WORKSPACE_KEYS = (
    "pc",
    "monitor",
    "tool",
    "scanner",
    "tablet",
    "mouse",
    "printer",
    "desktop",
    "music",
    "desk",
    "chair",
    "comment",
)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    account: str
    comment: str = ""
    is_premium: bool = False
    x_restrict: int = 0
    webpage: str | None = None
    region: str = ""
    country_code: str = ""
    job: str = ""
    twitter_account: str = ""
    workspace: tuple[tuple[str, str], ...] = ()  # (WORKSPACE_KEYS entry, value) pairs


@dataclass(frozen=True)
class SeedAccount:
    """A login of the seed, with its documented plain password (the database stores a hash)."""

    user_id: int
    username: str
    password: str
    refresh_token: str
    mail_address: str = ""


@dataclass(frozen=True)
class Account:
    """A stored login: the password only as a salted hash (:mod:`.passwords`)."""

    user_id: int
    username: str
    password_hash: str = field(repr=False)
    refresh_token: str = field(repr=False)
    mail_address: str = ""


@dataclass(frozen=True)
class Illust:
    id: int
    user_id: int
    title: str
    kind: IllustKind
    caption: str
    tags: tuple[str, ...]
    created: datetime
    page_count: int = 1
    width: int = 64
    height: int = 48
    ext: str = "jpg"
    x_restrict: int = 0
    total_view: int = 0
    total_bookmarks: int = 0
    tools: tuple[str, ...] = ()
    frame_delays: tuple[int, ...] = ()  # ugoira only, in ms


@dataclass(frozen=True)
class NovelSeries:
    id: int
    title: str
    user_id: int
    caption: str = ""


@dataclass(frozen=True)
class Novel:
    id: int
    user_id: int
    title: str
    caption: str
    tags: tuple[str, ...]
    created: datetime
    text: str
    series_id: int | None = None
    x_restrict: int = 0
    total_view: int = 0
    total_bookmarks: int = 0
    is_original: bool = True


@dataclass(frozen=True)
class Comment:
    id: int
    illust_id: int
    user_id: int
    text: str
    created: datetime
    parent_id: int | None = None


@dataclass(frozen=True)
class Bookmark:
    work_id: int
    restrict: Restrict
    bookmark_id: int
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    users: dict[int, User]
    accounts: dict[str, SeedAccount]
    tags: dict[str, str | None]  # name -> English translation
    illusts: dict[int, Illust]
    novels: dict[int, Novel]
    series: dict[int, NovelSeries]
    comments: dict[int, Comment]
    # owner user id -> work id -> bookmark
    illust_bookmarks: dict[int, dict[int, Bookmark]]
    novel_bookmarks: dict[int, dict[int, Bookmark]]
    # follower id -> followee id -> restrict
    follows: dict[int, dict[int, Restrict]]


_TITLES = ("Morning", "Lantern", "Harbor", "Petals", "Nightfall", "Comet", "Meadow", "Tide")
_TOOLS = (("CLIP STUDIO PAINT",), ("SAI",), ("Photoshop",), ())
_SIZES = ((64, 48), (48, 64), (56, 56))


def _users() -> dict[int, User]:
    users = [
        User(DEMO_USER_ID, "Demo User", "demo", "The emulator's demo account."),
        User(
            DEMO_ARTIST_ID,
            "Demo Artist",
            "demo_artist",
            "I draw every day.",
            is_premium=True,
            webpage="https://demo-artist.example.invalid/",
            region="Tokyo",
            country_code="JP",
            job="Illustrator",
            twitter_account="demo_artist",
            workspace=(
                ("pc", "Desktop PC"),
                ("monitor", "27-inch IPS"),
                ("tool", "CLIP STUDIO PAINT"),
                ("tablet", "Wacom Intuos"),
                ("comment", "A small desk by the window."),
            ),
        ),
        User(
            3000001,
            "Mika",
            "mika_draws",
            "Cats and ugoira.",
            region="Osaka",
            country_code="JP",
            workspace=(("tool", "SAI"), ("music", "Lo-fi")),
        ),
        User(3000002, "Ren", "ren_writes", "Novels, mostly fantasy."),
        User(3000003, "Quiet Sketcher", "quiet_sketch", "Sketches.", x_restrict=1),
    ]
    return {user.id: user for user in users}


def _illust(
    rng: random.Random,
    illust_id: int,
    user_id: int,
    created: datetime,
    *,
    title: str | None = None,
    kind: IllustKind = "illust",
    pages: int = 1,
    tags: tuple[str, ...] | None = None,
    ext: str | None = None,
    x_restrict: int = 0,
    delays: tuple[int, ...] = (),
) -> Illust:
    width, height = rng.choice(_SIZES)
    names = list(TAG_TRANSLATIONS)[:6]
    return Illust(
        id=illust_id,
        user_id=user_id,
        title=title or f"{rng.choice(_TITLES)} #{illust_id % 1000}",
        kind=kind,
        caption=f"Caption of <strong>{illust_id}</strong>.<br />Thanks for looking!",
        tags=tags if tags is not None else tuple(rng.sample(names, 2)),
        created=created,
        page_count=pages,
        width=width,
        height=height,
        ext=ext or rng.choice(("jpg", "png")),
        x_restrict=x_restrict,
        total_view=rng.randrange(100, 50000),
        total_bookmarks=rng.randrange(0, 5000),
        tools=rng.choice(_TOOLS),
        frame_delays=delays,
    )


def _illusts(rng: random.Random) -> dict[int, Illust]:
    items: list[Illust] = []
    start = datetime(2019, 1, 1, 12, 0, 0, tzinfo=JST)
    for k in range(40):  # > 30 so that the artist's list pages
        created = start + timedelta(days=4 * k, minutes=k)
        items.append(_illust(rng, 74000000 + k * 30011, DEMO_ARTIST_ID, created))
    items.append(
        _illust(
            rng,
            75523989,
            DEMO_ARTIST_ID,
            datetime(2019, 7, 1, 0, 0, 0, tzinfo=JST),
            title="Summer Lantern",
            tags=("オリジナル", "風景", "女の子"),
            ext="png",
        )
    )
    items.append(
        _illust(
            rng,
            76100001,
            DEMO_ARTIST_ID,
            datetime(2019, 8, 2, 21, 30, 0, tzinfo=JST),
            title="Three Seasons",
            pages=3,
            tags=("オリジナル", "風景"),
        )
    )
    for n, pages in enumerate((4, 2)):
        items.append(
            _illust(
                rng,
                76200001 + n,
                DEMO_ARTIST_ID,
                datetime(2019, 9, 10 + n, 18, 0, 0, tzinfo=JST),
                title=f"Short Comic {n + 1}",
                kind="manga",
                pages=pages,
                tags=("漫画", "創作"),
                ext="jpg",
            )
        )
    mika = datetime(2020, 3, 3, 10, 0, 0, tzinfo=JST)
    for k in range(5):
        items.append(_illust(rng, 80000001 + k, 3000001, mika + timedelta(days=k), tags=("猫",)))
    items.append(
        _illust(
            rng,
            44298467,
            3000001,
            datetime(2014, 6, 30, 9, 15, 0, tzinfo=JST),
            title="Blinking Cat",
            kind="ugoira",
            tags=("うごイラ", "猫"),
            ext="jpg",
            delays=(100, 150, 100, 250),
        )
    )
    quiet = datetime(2020, 5, 5, 23, 0, 0, tzinfo=JST)
    for k in range(3):
        items.append(
            _illust(
                rng,
                81000001 + k,
                3000003,
                quiet + timedelta(days=k),
                tags=("R-18", "女の子") if k else ("女の子",),
                x_restrict=1 if k else 0,
            )
        )
    return {item.id: item for item in items}


_PARAGRAPHS = (
    "The lantern swayed over the road, and the road went on into the dark.",
    "She counted the stars twice and got a different number each time.",
    "By morning the harbor had forgotten the storm entirely.",
    "Nobody in the village knew who had planted the first cherry tree.",
)


def _novels(rng: random.Random) -> tuple[dict[int, Novel], dict[int, NovelSeries]]:
    series = NovelSeries(7000001, "The Lantern Road", 3000002, "A travel story in chapters.")
    start = datetime(2020, 6, 1, 20, 0, 0, tzinfo=JST)
    novels: list[Novel] = []
    for k in range(4):
        paragraphs = [rng.choice(_PARAGRAPHS) for _ in range(3)]
        text = "\n\n".join(paragraphs[:2]) + "\n[newpage]\n" + paragraphs[2]
        novels.append(
            Novel(
                id=14000001 + k,
                user_id=3000002,
                title=f"The Lantern Road, part {k + 1}" if k < 3 else "A Quiet Harbor",
                caption=f"Chapter {k + 1}." if k < 3 else "A short story.",
                tags=("小説", "ファンタジー", "オリジナル", "風景") if k < 3 else ("小説", "風景"),
                created=start + timedelta(days=7 * k),
                text=text,
                series_id=series.id if k < 3 else None,
                total_view=rng.randrange(100, 9000),
                total_bookmarks=rng.randrange(0, 900),
            )
        )
    novels.append(
        Novel(
            id=14000010,
            user_id=DEMO_ARTIST_ID,
            title="Notes from the Studio",
            caption="A break from drawing.",
            tags=("小説", "創作"),
            created=datetime(2019, 12, 24, 22, 0, 0, tzinfo=JST),
            text="I drew lanterns all year.\n\nThis is what they taught me.",
            total_view=321,
            total_bookmarks=12,
        )
    )
    return {n.id: n for n in novels}, {series.id: series}


def _comments(illusts: dict[int, Illust]) -> dict[int, Comment]:
    when = datetime(2019, 7, 2, 12, 0, 0, tzinfo=JST)
    comments = [
        Comment(90000001, 75523989, DEMO_USER_ID, "Lovely colours!", when),
        Comment(90000002, 75523989, 3000001, "Great work", when + timedelta(hours=1)),
        Comment(
            90000003, 75523989, DEMO_ARTIST_ID, "Thank you!", when + timedelta(hours=2), 90000001
        ),
    ]
    for k in range(33):  # > 30 so that comment lists page
        author = (DEMO_USER_ID, 3000001, 3000002)[k % 3]
        comments.append(
            Comment(90001000 + k, 76100001, author, f"Comment {k + 1}", when + timedelta(days=k))
        )
    assert all(c.illust_id in illusts for c in comments)
    return {c.id: c for c in comments}


def _bookmarks(illusts: dict[int, Illust]) -> dict[int, dict[int, Bookmark]]:
    artist_works = sorted(i.id for i in illusts.values() if i.user_id == DEMO_ARTIST_ID)
    demo: dict[int, Bookmark] = {}
    next_id = 5000001
    for work in artist_works[:33]:  # > 30 public bookmarks, so the list pages
        demo[work] = Bookmark(work, "public", next_id, ("風景",) if work % 2 else ())
        next_id += 7
    for work in (44298467, 81000002):
        demo[work] = Bookmark(work, "private", next_id, ("secret",))
        next_id += 7
    mika = {
        75523989: Bookmark(75523989, "public", 5100001),
        76100001: Bookmark(76100001, "public", 5100002),
        81000001: Bookmark(81000001, "private", 5100003),
    }
    return {DEMO_USER_ID: demo, 3000001: mika}


def build_dataset(seed: int = 0) -> Dataset:
    """Build the dataset for ``seed`` (a few milliseconds; images are rendered lazily)."""
    rng = random.Random(seed)
    users = _users()
    illusts = _illusts(rng)
    novels, series = _novels(rng)
    accounts = {
        DEMO_USERNAME: SeedAccount(
            DEMO_USER_ID, DEMO_USERNAME, DEMO_PASSWORD, DEMO_REFRESH_TOKEN, "demo@example.invalid"
        ),
        # The seed's Quickstart logs in with these literal placeholders; they open the demo user.
        QUICKSTART_USERNAME: SeedAccount(
            DEMO_USER_ID, QUICKSTART_USERNAME, "password", "refresh_token", "demo@example.invalid"
        ),
    }
    novel_bookmarks: dict[int, dict[int, Bookmark]] = {
        DEMO_USER_ID: {
            14000001: Bookmark(14000001, "public", 6000001),
            14000002: Bookmark(14000002, "public", 6000002),
            14000004: Bookmark(14000004, "private", 6000003),
        }
    }
    follows: dict[int, dict[int, Restrict]] = {
        DEMO_USER_ID: {DEMO_ARTIST_ID: "public", 3000001: "public", 3000002: "private"},
        3000001: {DEMO_ARTIST_ID: "public", 3000003: "private"},
        3000003: {DEMO_ARTIST_ID: "private"},
    }
    return Dataset(
        users=users,
        accounts=accounts,
        tags=dict(TAG_TRANSLATIONS),
        illusts=illusts,
        novels=novels,
        series=series,
        comments=_comments(illusts),
        illust_bookmarks=_bookmarks(illusts),
        novel_bookmarks=novel_bookmarks,
        follows=follows,
    )
