"""URL parsing: every supported page becomes a typed target; anything else a clear InvalidInput."""

from __future__ import annotations

import pytest

from kemopix import InvalidInput
from kemopix.downloader.targets import Origins, Target, parse_target

EMU = Origins({"kemono": "http://127.0.0.1:8080", "pixiv": "http://127.0.0.1:9090/"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://kemono.cr/patreon/user/123", ("kemono", "creator", "patreon", "123", "")),
        ("kemono.su/fanbox/user/12/post/99", ("kemono", "post", "fanbox", "12", "99")),
        ("kemono.party/fanbox/user/1/post/9/revision/3", ("kemono", "post", "fanbox", "1", "9")),
        ("https://kemono.cr/patreon/post/77", ("kemono", "post", "patreon", "", "77")),
        ("https://coomer.st/onlyfans/user/a.b", ("coomer", "creator", "onlyfans", "a.b", "")),
        ("https://pawchive.pw/gumroad/user/abc", ("pawchive", "creator", "gumroad", "abc", "")),
        ("https://kemono.cr/discord/server/111", ("kemono", "discord", "discord", "111", "")),
        ("https://kemono.cr/api/v1/patreon/user/5", ("kemono", "creator", "patreon", "5", "")),
        ("http://127.0.0.1:8080/patreon/user/1", ("kemono", "creator", "patreon", "1", "")),
        ("https://www.pixiv.net/en/users/11", ("pixiv", "user", "", "11", "")),
        ("https://www.pixiv.net/users/11/manga", ("pixiv", "user", "", "11", "")),
        ("https://www.pixiv.net/member.php?id=11", ("pixiv", "user", "", "11", "")),
        ("https://www.pixiv.net/en/artworks/123", ("pixiv", "illust", "", "123", "")),
        ("https://pixiv.net/i/123", ("pixiv", "illust", "", "123", "")),
        ("pixiv.net/member_illust.php?mode=medium&illust_id=9", ("pixiv", "illust", "", "9", "")),
        ("https://www.pixiv.net/novel/show.php?id=5", ("pixiv", "novel", "", "5", "")),
        ("https://www.pixiv.net/novel/series/8", ("pixiv", "novel_series", "", "8", "")),
        ("https://www.pixiv.net/users/11/bookmarks/artworks", ("pixiv", "bookmarks", "", "11", "")),
        ("https://www.pixiv.net/ranking.php?mode=daily", ("pixiv", "ranking", "", "", "")),
        ("https://www.pixiv.net/tags/cat/artworks", ("pixiv", "search", "", "cat", "")),
        ("http://127.0.0.1:9090/users/7", ("pixiv", "user", "", "7", "")),
    ],
)
def test_supported_urls(url: str, expected: tuple[str, str, str, str, str]) -> None:
    target = parse_target(url, EMU)
    assert (target.site, target.kind, target.service, target.id, target.post_id) == expected


def test_options_are_kept() -> None:
    assert parse_target("https://kemono.cr/discord/server/1/22").option("channel") == "22"
    assert parse_target("https://kemono.cr/favorites?type=post").option("type") == "post"
    assert parse_target("https://kemono.cr/account/favorites/artists").option("type") == "artist"
    assert parse_target("https://pawchive.st/patreon/user/5?q=cats").option("query") == "cats"
    user = parse_target("https://www.pixiv.net/users/11/novels")
    assert user.option("scope") == "novel"
    hidden = parse_target("https://www.pixiv.net/users/11/bookmarks/novels/tagname?rest=hide")
    assert (hidden.option("type"), hidden.option("restrict"), hidden.option("tag")) == (
        "novel",
        "private",
        "tagname",
    )
    ranking = parse_target(
        "https://www.pixiv.net/ranking.php?mode=weekly&content=manga&date=20240102"
    )
    assert (ranking.option("mode"), ranking.option("date")) == ("week_manga", "2024-01-02")
    search = parse_target(
        "https://www.pixiv.net/tags/%E7%8C%AB/novels?s_mode=s_tag_full&order=date"
    )
    assert search.id == "猫"
    assert search.options == (
        ("type", "novel"),
        ("search_target", "exact_match_for_tags"),
        ("sort", "date_asc"),
    )
    assert isinstance(search, Target) and search.site == "pixiv"


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty URL"),
        ("ftp://kemono.cr/patreon/user/1", "not an http(s) URL"),
        ("https://example.com/patreon/user/1", "not a Kemono"),
        ("http://127.0.0.1:9999/patreon/user/1", "--kemono-url"),
        ("https://kemono.cr/patreon/user/..", "bad creator id"),
        ("https://kemono.cr/patreon/user/1/post", "unrecognised kemono URL"),
        ("https://kemono.cr/posts/user/1", "unrecognised service"),
        ("https://kemono.cr/favorites/things", "favorites"),
        ("https://www.pixiv.net/users/abc", "bad pixiv user id"),
        ("https://www.pixiv.net/ranking.php?mode=hourly", "unknown pixiv ranking mode"),
        ("https://www.pixiv.net/ranking.php?mode=daily&date=2024", "ranking date"),
        ("https://www.pixiv.net/dashboard", "unrecognised pixiv URL"),
    ],
)
def test_bad_urls_say_why(url: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_target(url, EMU)
    message = str(info.value)
    assert fragment in message and "\n" not in message
