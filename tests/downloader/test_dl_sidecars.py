"""Rendered sidecars: the same bytes, whatever shortcut renders them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec

from kemopix.downloader.disk_ops import indent_json, markdown_text
from kemopix.downloader.markdown import html_to_markdown
from kemopix.downloader.metadata import SidecarOptions, render_sidecars, sidecar_document
from kemopix.downloader.model import Creator, Post, PostKey, RemoteFile, isoformat


def _json(value: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n"


def _markdown(post: Post) -> str:
    lines = [f"# {post.title or post.key.id}", ""]
    if post.published is not None:
        lines.append(f"Published: {post.published.isoformat()}  ")
    if post.tags:
        lines.append(f"Tags: {', '.join(post.tags)}  ")
    lines.append("")
    return "\n".join(lines) + "\n" + html_to_markdown(post.content)


def test_sidecars_of_varied_posts() -> None:
    rng = random.Random(21)
    dates = [None, datetime(2023, 11, 15, 0, 13, 20, tzinfo=UTC), datetime(2024, 1, 2, 3, 4, 5, 6)]
    dates.append(datetime(2024, 6, 4, 23, 53, 36, 498767, timezone(timedelta(hours=9))))
    contents = ["", " ", "<p>Work number 7</p>", "<p>a &amp; b</p><p><br></p>", "plain *x*"]
    contents += ['<p><a href="https://x.test/?a=1&amp;b=2">l</a><img src="/i.png" alt=""></p>']
    for n in range(400):
        files = [
            RemoteFile(f"https://h.test/data/ab/cd/{i}.bin?f=f{i}.bin", f"f{i}.bin", i + 1)
            for i in range(rng.randrange(3))
        ]
        post = Post(
            key=PostKey("kemono", "patreon", str(n)),
            creator=Creator("kemono", "patreon", "c", rng.choice(["", "Name é"])),
            title=rng.choice(["", "Work", 'q"\\\u3042']),
            published=rng.choice(dates),
            files=files,
            raw={"id": str(n), "title": "t", "n": [1, 2.5, None, True], "nested": {"e": "é"}},
            added=rng.choice(dates),
            edited=rng.choice(dates),
            tags=rng.choice([[], ["a"], ["a", "b c"]]),
            content=rng.choice(contents),
            text=rng.choice([None, "", "novel\ntext"]),
            comments=rng.choice([None, [], [{"id": 1, "content": "c"}]]),
            revisions=rng.choice([[], [{"revision_id": 2}]]),
        )
        options = SidecarOptions(*(rng.random() < 0.8 for _ in range(6)))
        revision = rng.choice([1, 2])
        placed = [(file, f"x/{file.name}") for file in files]
        rendered = render_sidecars(post, lambda name: f"/dl/c/{name}", placed, revision, options)
        expected: list[tuple[str, bytes]] = []
        if options.json:
            document = _json(sidecar_document(post, placed, revision))
            expected.append((f"/dl/c/{n}.json", document))
        if post.content.strip():
            if options.html:
                html = next(data for path, data in rendered.files if path.endswith(".html"))
                expected.append((f"/dl/c/{n}.html", html))  # unchanged code: taken as it is
            if options.markdown:
                expected.append((f"/dl/c/{n}.md", _markdown(post).encode()))
        if options.text and post.text:
            expected.append((f"/dl/c/{n}.txt", post.text.encode()))
        if options.comments and post.comments:
            expected.append((f"/dl/c/{n}.comments.json", _json(post.comments)))
        if options.revisions and post.revisions:
            expected.append((f"/dl/c/{n}.revisions.json", _json(post.revisions)))
        assert rendered.files == expected, n
        # Left to the disk helper to finish (JSON to indent, Markdown to convert): the same
        # bytes once written.
        deferred = render_sidecars(
            post, lambda name: f"/dl/c/{name}", placed, revision, options, defer=True
        )
        assert set(deferred.compact) == {p for p, _ in expected if p.endswith(".json")}
        done = [(p, indent_json(d) if p in deferred.compact else d) for p, d in deferred.files]
        if deferred.markdown is not None:
            md_path, head, content = deferred.markdown
            done.append((md_path, markdown_text(head, content).encode()))
        assert sorted(done) == sorted(expected), n
        assert deferred.keep_previous == rendered.keep_previous
        assert deferred.mtime == rendered.mtime


def test_dates_in_markdown_as_isoformat_gives() -> None:
    rng = random.Random(25)
    zones = [UTC, timezone(timedelta(0)), timezone(timedelta(hours=9)), None]
    zones.append(timezone(timedelta(0), "z"))
    for at in range(20_000):
        year = rng.choice([1, 9, 999, 1970, 9999]) if at % 4 == 0 else rng.randrange(1, 10000)
        micro = rng.choice([0, 1, 500000, 999999, rng.randrange(1_000_000)])
        when = datetime(
            *(year, rng.randrange(1, 13), rng.randrange(1, 29)),
            *(rng.randrange(24), rng.randrange(60), rng.randrange(60), micro),
            tzinfo=rng.choice(zones),
            fold=rng.randrange(2),
        )
        assert isoformat(when) == when.isoformat(), repr(when)
