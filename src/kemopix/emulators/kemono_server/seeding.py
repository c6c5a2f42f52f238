"""The hand-made rich creators (demo, fanbox, Discord) and :func:`build_dataset`."""

from __future__ import annotations

import json

from .dataset import (
    FEATURED_SYNTHETIC,
    Creator,
    Dataset,
    Json,
    file_ref,
    make_post,
    synthetic_creators,
    synthetic_posts,
)
from .files import FileStore
from .timefmt import BASE_EPOCH, iso, iso_micro

__all__ = [
    "DEMO_CREATOR_ID",
    "DISCORD_SERVER_ID",
    "FANBOX_CREATOR_ID",
    "HOSTILE_NAMES",
    "build_dataset",
]

DEMO_CREATOR_ID = "demo-creator"
FANBOX_CREATOR_ID = "70050825"
DISCORD_SERVER_ID = "1000000000000000001"
HOSTILE_NAMES: tuple[str, ...] = (
    "../../etc/passwd",
    "/tmp/x.png",
    "C:\\evil.png",
    "CON.png",
    "nul.txt",
    "L" * 296 + ".png",
    "日本語のファイル名 ✨.png",
)


def _demo_creator(ds: Dataset) -> None:
    key = (ds.demo_service, DEMO_CREATOR_ID)
    day = 86_400.0
    newest = BASE_EPOCH + 200 * day
    ds.creators[key] = Creator(key[0], key[1], "Demo Creator", BASE_EPOCH, newest, 1234, True)
    f = ds.files
    png1, png2, png3 = (f.add_image(f"page{i}.png", "png", 300) for i in (1, 2, 3))
    jpg1, jpg2, jpg3 = (f.add_image(f"photo{i}.jpg", "jpeg", 400) for i in (1, 2, 3))
    big = f.add_generated("bonus-pack.zip", 3 * 1024 * 1024 + 17)
    notes = f.add_generated("notes.txt", 2048)
    video = f.add_generated("clip.mp4", 48_000)
    same = f.add_generated("cover.gif", 9000)
    first = f.add_generated("hello.txt", 120)
    hostile = [(f.add_generated(f"hostile-{i}", 100 + i), n) for i, n in enumerate(HOSTILE_NAMES)]
    posts = [
        make_post(
            key,
            "1000006",
            "Sketch pack",
            newest,
            content='<p>Five sketches and a bonus archive.</p><img src="/inline/a.png">',
            file=png1,
            attachments=[jpg1, png2, big, notes],
            tags=["sketch", "pack"],
            edited=newest + day,
        ),
        make_post(
            key,
            "1000005",
            "Hostile names",
            newest - day,
            content="<p>Attachments with names no downloader should trust.</p>",
            attachments=hostile,
            tags=["test"],
        ),
        make_post(
            key,
            "1000004",
            "Video post",
            newest - 2 * day,
            content="<p>A short clip.</p>",
            file=video,
            attachments=[],
            embed={"url": "https://example.invalid/v", "subject": "Clip", "description": "c"},
        ),
        make_post(
            key,
            "1000003",
            "Same hash twice",
            newest - 3 * day,
            content="<p>Cover.</p>",
            file=same,
            attachments=[same],
            tags=["cover"],
        ),
        make_post(
            key,
            "1000002",
            "JPEG set",
            newest - 4 * day,
            content="<p>Photos.</p>",
            file=jpg2,
            attachments=[jpg3, png3],
            tags=["photo", "sketch"],
        ),
        make_post(
            key,
            "1000001",
            "First post",
            newest - 5 * day,
            content="<p>Hello world</p>",
            file=first,
            attachments=[],
        ),
    ]
    ds.posts[key] = posts
    current = posts[0]
    old1 = dict(current, title="Sketch pack (draft)", revision_id=7001)
    old1["attachments"] = current["attachments"][:2]
    # kemono-protocol.md §3/§6.11: some revisions carry `file` as a JSON string.
    old2 = dict(current, title="Sketch pack (first)", revision_id=7000)
    old2["file"] = json.dumps(current["file"])
    ds.revisions[(key[0], key[1], "1000006")] = [old1, old2]
    ds.comments[(key[0], key[1], "1000006")] = [
        _comment(1, None, "fan1", "Lovely!", newest + 100),
        _comment(2, 1, "demo-creator", "Thanks!", newest + 200),
    ]
    ds.comments[(key[0], key[1], "1000005")] = [_comment(3, None, "fan2", "Odd names", newest)]
    ds.announcements[key] = [
        {
            "service": key[0],
            "user_id": key[1],
            "hash": "a" * 63 + str(i),
            "content": f"Announcement {i}",
            "added": iso_micro(newest - i * day + 0.5),
            "published": iso(newest - i * day) if i else None,
        }
        for i in range(2)
    ]
    ds.dms[key] = [
        {
            "hash": "d" * 64,
            "user": key[1],
            "service": key[0],
            "content": "Thanks for the support",
            "embed": {},
            "file": {},
            "added": iso_micro(newest),
            "published": iso(newest),
            "artist": None,
        }
    ]
    for i, post in enumerate(posts):
        ds.fav_counts[post["id"]] = 100 - i * 7


def _comment(cid: int, parent: int | None, who: str, text: str, when: float) -> Json:
    return {
        "id": str(cid),
        "parent_id": None if parent is None else str(parent),
        "commenter": who,
        "commenter_name": who.title(),
        "content": text,
        "published": iso_micro(when),
        "revisions": [],
    }


def _fanbox_creator(ds: Dataset) -> None:
    key = ("fanbox", FANBOX_CREATOR_ID)
    top = BASE_EPOCH + 150 * 86_400.0
    ds.creators[key] = Creator(key[0], key[1], "Fanbox Artist", BASE_EPOCH, top, 321, True)
    posts = []
    for n in range(3):
        stored = ds.files.add_generated(f"fanbox-{n}.jpg", 3000 + n)
        posts.append(
            make_post(
                key,
                str(5000 + n),
                f"Fanbox post {n}",
                top - n * 86_400,
                content=f"<p>Fanbox {n}</p>",
                file=stored,
                attachments=[],
                tags=["fanbox"],
            )
        )
    ds.posts[key] = posts
    if ds.flavour == "pawchive":
        _pawchive_previews(ds, posts)
    cards = []
    for n in range(3):
        card = ds.files.add_generated(f"fancard-{n}.jpg", 2000 + n)
        cards.append(
            {
                "id": 900 + n,
                "user_id": key[1],
                "file_id": 8000 + n,
                "hash": card.sha256,
                "mtime": iso_micro(top - n),
                "ctime": iso_micro(top - n),
                "mime": "image/jpeg",
                "ext": card.ext,
                "added": iso_micro(top - n),
                "size": card.size,
                "ihash": None,
                "price": f"{(n + 1) * 500} JPY",
                "last_checked_at": iso_micro(top),
            }
        )
    ds.fancards[key[1]] = cards
    demo = (ds.demo_service, DEMO_CREATOR_ID)
    ds.links[demo] = [key]
    ds.links[key] = [demo]


def _pawchive_previews(ds: Dataset, posts: list[Json]) -> None:
    """Pawchive posts whose originals it does not hold (kemono-protocol.md §10; the values of
    ``origin``/``preview_state`` are assumptions): 5001 has only previews, 5002 is deferred."""
    for post, state in ((posts[1], "preview_only"), (posts[2], "deferred")):
        post["file"] = dict(post["file"], **{state: True})
        ds.unheld[post["file"]["path"].rsplit("/", 1)[-1][:64]] = state
        post.update(
            origin="kemono",
            preview_state="preview" if state == "preview_only" else "pending",
            has_full=False,
            preview_attempts=1 if state == "preview_only" else 0,
            detail_fetched=state == "preview_only",
        )


def _discord(ds: Dataset) -> None:
    top = BASE_EPOCH + 100 * 86_400.0
    channels = [("1000000000000000011", "general", 160), ("1000000000000000012", "art", 5)]
    ds.servers[DISCORD_SERVER_ID] = {
        "id": DISCORD_SERVER_ID,
        "name": "Demo Server",
        "indexed": iso(BASE_EPOCH),
        "updated": iso(top),
        "channels": [
            {
                "id": cid,
                "name": name,
                "is_nsfw": False,
                "type": 0,
                "topic": None,
                "parent_channel_id": None,
                "post_count": count,
                "icon_emoji": None,
            }
            for cid, name, count in channels
        ],
    }
    author = {
        "id": "2000",
        "username": "poster",
        "avatar": "abc",
        "discriminator": "0",
        "public_flags": 0,
        "global_name": "Poster",
    }
    for cid, name, count in channels:
        msgs = []
        for n in range(count):
            when = top - n * 600
            attachments = []
            if name == "art":
                stored = ds.files.add_generated(f"discord-{n}.png", 1500 + n)
                attachments = [file_ref(stored)]
            msgs.append(
                {
                    "id": str(3_000_000_000 + int(cid[-2:]) * 1000 + count - n),
                    "author": author,
                    "server": DISCORD_SERVER_ID,
                    "channel": cid,
                    "content": f"message {count - n}",
                    "added": iso_micro(when + 5.5),
                    "published": iso_micro(when),
                    "edited": None,
                    "embeds": [],
                    "mentions": [],
                    "attachments": attachments,
                    "seq": count - n,
                }
            )
        ds.messages[cid] = msgs


def build_dataset(seed: int, creators: int, flavour: str) -> Dataset:
    """The in-memory part of the seeded dataset (fast: the synthetic creators are not made here).

    The featured synthetic creators (the first 100) get their posts now; the database builder
    streams all ``creators`` synthetic ones with :func:`synthetic_creators`.
    """
    demo_service = "onlyfans" if flavour == "coomer" else "patreon"
    ds = Dataset(
        seed=seed,
        flavour=flavour,
        demo_service=demo_service,
        files=FileStore(seed),
        synthetic_count=creators,
    )
    _demo_creator(ds)
    if flavour != "coomer":
        _fanbox_creator(ds)
        _discord(ds)
    ds.featured = list(ds.posts)
    for creator in synthetic_creators(seed, flavour, min(creators, FEATURED_SYNTHETIC)):
        key = (creator.service, creator.id)
        ds.posts[key] = synthetic_posts(seed, ds.files, creator)
        ds.featured.append(key)
    return ds
