"""The seeded dataset: users, works, novels, comments, bookmarks and follows, built into SQLite.

Everything comes from ``random.Random(seed)``, so one seed always gives the same rows (and so the
same JSON and image bytes). Some rows are fixed whatever the seed: the demo account, the demo
artist, the seed Quickstart's artist 2188232 and its work 75523989.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import vocab
from .records import (
    AI_EPOCH,
    DATASET_NOW,
    DATASET_START,
    JST,
    IllustRecord,
    NovelRecord,
    UserRecord,
    insert_illust,
    insert_novel,
    insert_user,
    pick_frames,
    pick_size,
)
from .texts import make_novel_text, make_profile, make_title, make_workspace

__all__ = [
    "DEMO_ACCOUNT",
    "DEMO_ARTIST_ID",
    "DEMO_PASSWORD",
    "DEMO_REFRESH_TOKEN",
    "DEMO_USER_ID",
    "PLACEHOLDER_ACCOUNT",
    "PLACEHOLDER_PASSWORD",
    "PLACEHOLDER_REFRESH_TOKEN",
    "PLACEHOLDER_USER_ID",
    "QUICKSTART_ARTIST_ID",
    "QUICKSTART_ILLUST_ID",
    "DatasetSpec",
    "build_dataset",
]

DEMO_USER_ID = 1000
DEMO_ACCOUNT = "kemopix_demo"
DEMO_PASSWORD = "kemopix-demo-password"  # published on purpose: a fake credential
DEMO_REFRESH_TOKEN = "kemopix-demo-refresh-token"
DEMO_ARTIST_ID = 4242
# The seed's Quickstart runs verbatim: login('username', 'password'), authenticate('refresh_token').
PLACEHOLDER_USER_ID = 1001
PLACEHOLDER_ACCOUNT = "username"
PLACEHOLDER_PASSWORD = "password"  # published on purpose: the seed text's placeholders
PLACEHOLDER_REFRESH_TOKEN = "refresh_token"
QUICKSTART_ARTIST_ID = 2188232
QUICKSTART_ILLUST_ID = 75523989

_FIRST_USER_ID = 100_000
_ILLUST_ID_START = 60_000_000
_NOVEL_ID_START = 9_000_000
_COMMENT_ID_START = 90_000_000
_BOOKMARK_ID_START = 5_000_000_000
_SPECIAL_USERS = frozenset(
    {DEMO_USER_ID, PLACEHOLDER_USER_ID, DEMO_ARTIST_ID, QUICKSTART_ARTIST_ID}
)


@dataclass(frozen=True)
class DatasetSpec:
    """What to build: the seed and the size knobs (the fixed users and works always exist)."""

    seed: int = 0
    users: int = 40
    works_per_user: int = 8
    novels_per_user: int = 2
    comments_per_work: int = 5
    bookmarks_per_user: int = 12


@dataclass
class _Work:
    record: IllustRecord
    fixed_id: int | None = None


class _Builder:
    def __init__(self, conn: sqlite3.Connection, spec: DatasetSpec) -> None:
        self.conn = conn
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.works: list[_Work] = []
        self.novels: list[NovelRecord] = []
        self.user_ids: list[int] = []
        self.comment_id = _COMMENT_ID_START
        self.bookmark_id = _BOOKMARK_ID_START
        self.follow_seq = 0

    # -- users ------------------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        account: str,
        name: str,
        *,
        comment: str | None = None,
        password: str | None = None,
        mail_address: str | None = None,
    ) -> UserRecord:
        rng = self.rng
        created = DATASET_START + timedelta(days=rng.randrange(0, 400))
        avatar = ""
        if rng.random() < 0.8 or user_id in _SPECIAL_USERS:
            avatar = f"{created:%Y/%m/%d/%H/%M/%S}/{rng.getrandbits(128):032x}"
        record = UserRecord(
            id=user_id,
            account=account,
            name=name,
            created=created,
            comment=comment if comment is not None else f"{name} のページです。",
            password=password,
            avatar=avatar,
            mail_address=mail_address or f"{account}@example.invalid",
            profile=make_profile(rng, account, bool(avatar)),
            workspace=make_workspace(rng),
        )
        insert_user(self.conn, record)
        self.user_ids.append(user_id)
        return record

    def random_users(self) -> list[int]:
        taken = set(_SPECIAL_USERS)
        ids: list[int] = []
        for index in range(self.spec.users):
            user_id = self.rng.randrange(_FIRST_USER_ID, 50_000_000)
            while user_id in taken:
                user_id += 1
            taken.add(user_id)
            base = self.rng.choice(vocab.NAMES)
            self.user(user_id, f"{base.lower()}_{index:03d}", f"{base}{index}")
            ids.append(user_id)
        return ids

    # -- works ------------------------------------------------------------------------------
    def work(
        self,
        user_id: int,
        kind: str,
        *,
        pages: int | None = None,
        created: datetime | None = None,
        tags: list[str] | None = None,
        fixed_id: int | None = None,
        x_restrict: int = 0,
        restrict: int = 0,
        series_id: int | None = None,
        exts: list[str] | None = None,
    ) -> IllustRecord:
        rng = self.rng
        if created is None:
            span = int((DATASET_NOW - DATASET_START).total_seconds())
            created = DATASET_START + timedelta(seconds=rng.randrange(span - 86_400))
        if pages is None:
            pages = 1 if kind == "ugoira" else (rng.randint(2, 6) if kind == "manga" else 1)
            if kind == "illust" and rng.random() < 0.3:
                pages = rng.randint(2, 5)
        # A fixed work looks the same whatever the seed and sizes (the Quickstart's 75523989).
        width, height = pick_size(random.Random(fixed_id) if fixed_id else rng)
        if exts is None:
            exts = (
                ["jpg"] if kind == "ugoira" else [rng.choice(("png", "jpg")) for _ in range(pages)]
            )
        if tags is None:
            tags = rng.sample(vocab.ILLUST_TAGS, rng.randint(2, 5))
            if kind == "manga":
                tags = ["漫画", *tags[:3]]
            elif kind == "ugoira":
                tags = ["うごイラ", *tags[:3]]
        ai_type = 0
        if created >= AI_EPOCH:
            ai_type = 2 if rng.random() < 0.1 else 1
            if ai_type == 2:
                tags = [*tags, "AI生成"]
        if x_restrict:
            tags = ["R-18" if x_restrict == 1 else "R-18G", *tags]
        uploaded = created
        if rng.random() < 0.1 and not fixed_id:  # edited later: URLs follow the edit date
            uploaded = min(created + timedelta(days=rng.randint(1, 30)), DATASET_NOW)
        bookmarks = int(rng.paretovariate(1.3) * 20)
        record = IllustRecord(
            id=fixed_id or 0,
            user_id=user_id,
            title=make_title(rng),
            type=kind,
            created=created,
            uploaded=uploaded,
            page_count=pages,
            width=width,
            height=height,
            exts=exts,
            tags=tags,
            caption=rng.choice(("", "", "いつもありがとうございます！", "Commission work.")),
            restrict=restrict,
            x_restrict=x_restrict,
            sanity_level=6 if x_restrict else rng.choice((2, 2, 2, 4)),
            series_id=series_id,
            total_view=bookmarks * rng.randint(5, 20) + rng.randint(0, 50),
            total_bookmarks=bookmarks,
            ai_type=ai_type,
            book_style=1 if kind == "manga" and rng.random() < 0.3 else 0,
            tools=rng.sample(vocab.TOOLS, rng.randint(0, 2)),
            frames=pick_frames(rng, rng.randint(4, 10)) if kind == "ugoira" else [],
        )
        self.works.append(_Work(record, fixed_id))
        return record

    def assign_ids(self) -> None:
        """IDs grow with the posting date, as pixiv's do; fixed IDs are kept."""
        fixed = {w.fixed_id for w in self.works if w.fixed_id}
        next_id = _ILLUST_ID_START
        for work in sorted(self.works, key=lambda w: w.record.created):
            if work.fixed_id:
                continue
            next_id += self.rng.randint(20_000, 200_000)
            while next_id in fixed:
                next_id += 1
            work.record.id = next_id
        for work in self.works:
            insert_illust(self.conn, work.record)

    def series(self, table: str, user_id: int, title: str, created: datetime) -> int:
        series_id = self.rng.randrange(100_000, 9_000_000)
        if table == "illust_series":
            self.conn.execute(
                "INSERT INTO illust_series (id, user_id, title, caption, create_date)"
                " VALUES (?,?,?,?,?)",
                (series_id, user_id, title, "", created.isoformat()),
            )
        else:
            self.conn.execute(
                "INSERT INTO novel_series (id, user_id, title, caption, is_original,"
                " is_concluded) VALUES (?,?,?,?,?,?)",
                (series_id, user_id, title, f"{title} のあらすじ", 1, 0),
            )
        return series_id

    # -- novels -----------------------------------------------------------------------------
    def novel(
        self,
        user_id: int,
        *,
        series: tuple[int, int] | None = None,
        created: datetime | None = None,
    ) -> NovelRecord:
        rng = self.rng
        if created is None:
            span = int((DATASET_NOW - DATASET_START).total_seconds())
            created = DATASET_START + timedelta(seconds=rng.randrange(span - 86_400))
        bookmarks = int(rng.paretovariate(1.5) * 5)
        record = NovelRecord(
            id=0,
            user_id=user_id,
            title=make_title(rng),
            text=make_novel_text(rng, rng.randint(1, 3)),
            created=created,
            cover=f"{rng.getrandbits(128):032x}",
            tags=rng.sample(vocab.NOVEL_TAGS, rng.randint(2, 4)),
            caption=rng.choice(("", "短編です。", "シリーズ続編。")),
            is_original=rng.random() < 0.7,
            series_id=series[0] if series else None,
            series_order=series[1] if series else None,
            total_bookmarks=bookmarks,
            total_view=bookmarks * rng.randint(5, 30) + rng.randint(0, 40),
            ai_type=(1 if created >= AI_EPOCH else 0),
        )
        self.novels.append(record)
        return record

    def assign_novel_ids(self) -> None:
        next_id = _NOVEL_ID_START
        for novel in sorted(self.novels, key=lambda n: n.created):
            next_id += self.rng.randint(5_000, 60_000)
            novel.id = next_id
        for novel in self.novels:
            insert_novel(self.conn, novel)

    # -- social -----------------------------------------------------------------------------
    def comments(self, kind: str, work_id: int, created: datetime, count: int) -> None:
        rng = self.rng
        posted: list[int] = []
        moment = created
        for _ in range(count):
            moment = min(moment + timedelta(minutes=rng.randint(5, 5000)), DATASET_NOW)
            parent = rng.choice(posted) if posted and rng.random() < 0.25 else None
            self.comment_id += rng.randint(1, 40)
            self.conn.execute(
                "INSERT INTO comments (id, kind, work_id, user_id, comment, date, parent_id)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    self.comment_id,
                    kind,
                    work_id,
                    rng.choice(self.user_ids),
                    rng.choice(vocab.COMMENTS),
                    moment.isoformat(),
                    parent,
                ),
            )
            if parent is None:
                posted.append(self.comment_id)

    def bookmark(self, user_id: int, kind: str, work_id: int, restrict: str, tags: str) -> None:
        self.bookmark_id += self.rng.randint(1, 5000)
        self.conn.execute(
            "INSERT OR IGNORE INTO bookmarks (id, user_id, kind, work_id, restrict_, tags)"
            " VALUES (?,?,?,?,?,?)",
            (self.bookmark_id, user_id, kind, work_id, restrict, tags),
        )

    def follow(self, follower: int, followee: int, restrict: str = "public") -> None:
        if follower == followee:
            return
        self.follow_seq += 1
        self.conn.execute(
            "INSERT OR IGNORE INTO follows (follower_id, followee_id, restrict_, seq)"
            " VALUES (?,?,?,?)",
            (follower, followee, restrict, self.follow_seq),
        )


def _fixed_users(b: _Builder) -> None:
    b.user(
        DEMO_USER_ID,
        DEMO_ACCOUNT,
        "Kemopix Demo",
        password=DEMO_PASSWORD,
        mail_address="demo@kemopix.invalid",
        comment="The emulator's demo account.",
    )
    b.user(
        PLACEHOLDER_USER_ID,
        PLACEHOLDER_ACCOUNT,
        "Quickstart Reader",
        password=PLACEHOLDER_PASSWORD,
        mail_address="quickstart@kemopix.invalid",
        comment="Logs in with the seed Quickstart's placeholder credentials.",
    )
    b.user(
        DEMO_ARTIST_ID,
        "kemopix_demo_artist",
        "Kemopix Demo Artist",
        comment="A small catalogue for `make demo`: illustrations, manga, ugoira, novels.",
    )
    b.user(
        QUICKSTART_ARTIST_ID,
        "quickstart_artist",
        "Quickstart Artist",
        comment="Stands in for the artist of the seed library's Quickstart.",
    )


def _fixed_works(b: _Builder) -> None:
    day = timedelta(days=1)
    base = datetime(2019, 7, 1, tzinfo=JST)
    b.work(
        QUICKSTART_ARTIST_ID,
        "illust",
        pages=1,
        created=base,
        tags=["ghostblade", "女の子", "ファンタジー", "illustration"],
        fixed_id=QUICKSTART_ILLUST_ID,
        exts=["png"],
    )
    kinds = ["illust"] * 37 + ["ugoira"] * 2 + ["manga"] * 5
    for index, kind in enumerate(kinds):
        tags = ["ghostblade", *b.rng.sample(vocab.ILLUST_TAGS, 2)]
        created = base + day * (index * 9 - 150) + timedelta(hours=b.rng.randint(0, 23))
        b.work(QUICKSTART_ARTIST_ID, kind, created=created, tags=tags)
    demo_base = datetime(2023, 3, 1, 18, tzinfo=JST)
    series = b.series("illust_series", DEMO_ARTIST_ID, "Demo Manga Series", demo_base)
    plan: list[tuple[str, int | None, int | None]] = [
        *[("illust", 1, None)] * 8,
        *[("illust", 3, None)] * 3,
        ("manga", 4, series),
        ("manga", 5, series),
        ("ugoira", 1, None),
        ("ugoira", 1, None),
        ("illust", 2, None),
    ]
    for index, (kind, pages, series_id) in enumerate(plan):
        created = demo_base + day * (index * 11)
        tags = ["オリジナル", *b.rng.sample(vocab.ILLUST_TAGS, 2)]
        if kind != "illust":
            tags.insert(1, "漫画" if kind == "manga" else "うごイラ")
        b.work(DEMO_ARTIST_ID, kind, pages=pages, created=created, tags=tags, series_id=series_id)
    novel_series = b.series("novel_series", DEMO_ARTIST_ID, "Demo Novel Series", demo_base)
    b.novel(DEMO_ARTIST_ID, series=(novel_series, 1), created=demo_base + day * 3)
    b.novel(DEMO_ARTIST_ID, series=(novel_series, 2), created=demo_base + day * 40)
    b.novel(DEMO_ARTIST_ID, created=demo_base + day * 90)


def _random_works(b: _Builder, users: list[int]) -> None:
    rng = b.rng
    for user_id in users:
        for _ in range(rng.randint(1, max(1, 2 * b.spec.works_per_user - 1))):
            roll = rng.random()
            kind = "manga" if roll < 0.18 else ("ugoira" if roll < 0.24 else "illust")
            x_restrict = 1 if rng.random() < 0.04 else (2 if rng.random() < 0.01 else 0)
            restrict = 1 if rng.random() < 0.02 else 0
            b.work(user_id, kind, x_restrict=x_restrict, restrict=restrict)
        if rng.random() < 0.45:
            count = rng.randint(1, max(1, 2 * b.spec.novels_per_user - 1))
            series = None
            if count >= 2:
                series = b.series("novel_series", user_id, make_title(rng), DATASET_START)
            for order in range(1, count + 1):
                b.novel(user_id, series=(series, order) if series else None)


def _social(b: _Builder, users: list[int]) -> None:
    rng = b.rng
    illusts = [w.record for w in b.works]
    for work in illusts:
        count = rng.randint(0, b.spec.comments_per_work)
        if work.id == QUICKSTART_ILLUST_ID:
            count = 42  # more than a page of 30
        b.comments("illust", work.id, work.created, count)
    for novel in b.novels:
        b.comments("novel", novel.id, novel.created, rng.randint(0, 3))
    # The demo account: 75 illust bookmarks (3 pages), a third private, some tagged.
    eligible = [w for w in illusts if not w.x_restrict and not w.restrict]
    chosen = rng.sample(eligible, min(75, len(eligible)))
    for index, work in enumerate(chosen):
        restrict = "private" if index % 3 == 2 else "public"
        tags = rng.choice(('["お気に入り"]', '["資料", "背景"]', "[]", "[]"))
        b.bookmark(DEMO_USER_ID, "illust", work.id, restrict, tags)
    for novel in rng.sample(b.novels, min(8, len(b.novels))):
        b.bookmark(DEMO_USER_ID, "novel", novel.id, rng.choice(("public", "private")), "[]")
    for user_id in users:
        for work in rng.sample(illusts, min(len(illusts), b.spec.bookmarks_per_user)):
            b.bookmark(user_id, "illust", work.id, rng.choice(("public",) * 3 + ("private",)), "[]")
        for followee in rng.sample(b.user_ids, min(len(b.user_ids), rng.randint(3, 10))):
            b.follow(user_id, followee, "private" if rng.random() < 0.15 else "public")
    b.follow(DEMO_USER_ID, DEMO_ARTIST_ID)
    b.follow(DEMO_USER_ID, QUICKSTART_ARTIST_ID)
    for index, followee in enumerate(rng.sample(users, min(len(users), 16))):
        b.follow(DEMO_USER_ID, followee, "private" if index % 4 == 3 else "public")
    for follower in rng.sample(users, min(len(users), 12)):
        b.follow(follower, DEMO_USER_ID)


def build_dataset(conn: sqlite3.Connection, spec: DatasetSpec) -> None:
    """Fill an empty database (schema already created) with the dataset of ``spec``."""
    builder = _Builder(conn, spec)
    _fixed_users(builder)
    users = builder.random_users()
    _fixed_works(builder)
    _random_works(builder, users)
    builder.assign_ids()
    builder.assign_novel_ids()
    _social(builder, users)
    conn.executemany(
        "INSERT INTO refresh_tokens (token, user_id) VALUES (?, ?)",
        [(DEMO_REFRESH_TOKEN, DEMO_USER_ID), (PLACEHOLDER_REFRESH_TOKEN, PLACEHOLDER_USER_ID)],
    )
    from .vocab import TAG_TRANSLATIONS

    conn.executemany(
        "INSERT INTO tags (name, en, zh) VALUES (?,?,?)",
        [(name, en, zh) for name, (en, zh) in TAG_TRANSLATIONS.items()],
    )
