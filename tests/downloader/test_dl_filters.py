"""Filters and budgets say why they skip; sizes and dates parse or fail clearly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kemopix import InvalidInput
from kemopix.downloader.filters import Budget, Filters, parse_date, parse_size
from kemopix.downloader.markdown import html_to_markdown
from kemopix.downloader.model import Creator, Post, PostKey, RemoteFile


def post(tags: list[str], when: datetime | None, title: str = "Cats") -> Post:
    return Post(
        key=PostKey("kemono", "patreon", "1"),
        creator=Creator("kemono", "patreon", "2"),
        title=title,
        published=when,
        files=[],
        raw={},
        tags=tags,
        content="<p>a tabby</p>",
    )


def test_sizes_and_dates() -> None:
    assert parse_size("500") == 500
    assert parse_size("10k") == 10 * 1024
    assert parse_size("1.5MB") == int(1.5 * 1024 * 1024)
    assert parse_size("2GiB") == 2 << 30
    assert parse_date("2024-02-03") == datetime(2024, 2, 3, tzinfo=UTC)
    assert parse_date("2024-02-03T04:05:06").hour == 4
    for bad in ("ten", "-1", "5X"):
        with pytest.raises(InvalidInput, match="not a size"):
            parse_size(bad)
    with pytest.raises(InvalidInput, match="not a date"):
        parse_date("03/02/2024")


def test_post_filters() -> None:
    filters = Filters(
        after=parse_date("2024-01-01"),
        before=parse_date("2025-01-01"),
        tags=frozenset({"Cat"}),
        exclude_tags=frozenset({"wip"}),
        query="tabby",
    )
    assert filters.skip_post(post(["cat"], datetime(2024, 6, 1))) is None
    assert "before 2024-01-01" in (filters.skip_post(post(["cat"], datetime(2023, 6, 1))) or "")
    assert "on or after" in (filters.skip_post(post(["cat"], datetime(2025, 6, 1))) or "")
    assert filters.skip_post(post(["cat"], None)) is not None
    assert filters.skip_post(post(["dog"], datetime(2024, 6, 1))) == "none of the wanted tags"
    assert "wip" in (filters.skip_post(post(["cat", "WIP"], datetime(2024, 6, 1))) or "")
    other = Filters(query="dog")
    assert "query" in (other.skip_post(post([], None)) or "")


def test_file_filters() -> None:
    image = RemoteFile("https://x/a.PNG", "a.PNG", 1)
    archive = RemoteFile("https://x/b", "b.zip", 2, size=5000)
    only_images = Filters(types=frozenset({"image"}))
    assert only_images.skip_file(image) is None
    assert only_images.skip_file(archive) == "type zip not wanted"
    no_zip = Filters(exclude_types=frozenset({".zip"}))
    assert no_zip.skip_file(archive) == "type zip excluded"
    sized = Filters(min_size=1000, max_size=4000)
    assert sized.needs_sizes
    assert sized.skip_file(archive) == "larger than 4000 bytes"
    assert sized.skip_file(image, 10) == "smaller than 1000 bytes"
    assert sized.skip_file(image) is None  # unknown size: kept


def test_budget() -> None:
    budget = Budget(max_files=2, max_bytes=100)
    assert budget.take(60) is None
    assert budget.take(50) == "--max-bytes 100 reached"
    assert budget.take(40) is None
    assert budget.take(0) == "--max-files 2 reached"


def test_markdown() -> None:
    html = (
        '<p>Hi <b>there</b> <a href="https://x.y/a">link</a></p><p>one<br>two</p>'
        "<ul><li>a</li><li>b</li></ul><blockquote>q</blockquote><script>x()</script>"
        "<h2>T</h2><pre>code *raw*</pre>5*3"
    )
    assert html_to_markdown(html) == (
        "Hi **there** [link](https://x.y/a)\n\none  \ntwo\n\n- a\n- b\n\n> q\n\n## T\n\n"
        "```\ncode *raw*\n```\n\n5\\*3\n"
    )
    assert html_to_markdown("") == ""


def test_type_words() -> None:
    from kemopix.downloader.filters import TYPE_GROUPS, parse_types

    assert parse_types(["png,JPG", ".gif"]) == {"png", "jpg", "gif"}
    assert parse_types(["images"]) == TYPE_GROUPS["image"] == parse_types(["image"])
    assert parse_types(["video,zip"]) == TYPE_GROUPS["video"] | {"zip"}
    for bad in (["foo"], ["png,foo"], ["imagez"]):
        with pytest.raises(InvalidInput, match=r"unknown file type.*groups: image, video"):
            parse_types(bad)
    with pytest.raises(InvalidInput, match="'exe'"):
        Filters(exclude_types=frozenset({"exe"}))
