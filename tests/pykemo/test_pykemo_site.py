"""Pure logic of the sans-I/O Kemono site: URLs, flavours, dates, tolerant models, errors."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from kemopix._protocol import Request, Response
from kemopix._protocol.errors import DecodeError, NotFound
from kemopix.sites.kemono import ENV_URL, PRESETS, KemonoSite, api_error, parse_date
from kemopix.sites.kemono.errors import InsufficientRole, server_message
from kemopix.sites.kemono.models import Post, PostRef, convert
from kemopix.sites.kemono.site import seg


def response(status: int, body: bytes) -> Response:
    request = Request.build("GET", "https://kemono.cr/api/v1/x")
    return Response(status, {}, body, request.url, request)


def test_default_site_and_env_override() -> None:
    assert KemonoSite.default({}) is PRESETS["kemono.cr"]
    site = KemonoSite.default({ENV_URL: "http://127.0.0.1:9/api/v1/"})
    assert (site.url, site.flavour) == ("http://127.0.0.1:9", "kemono")
    assert KemonoSite.default({ENV_URL: "https://pawchive.st"}) is PRESETS["pawchive.st"]
    assert KemonoSite.from_url("https://coomer.st").flavour == "coomer"
    with pytest.raises(ValueError, match="http"):
        KemonoSite("ftp://kemono.cr")
    with pytest.raises(ValueError, match="flavour"):
        KemonoSite("https://x.test", "other")  # type: ignore[arg-type]


def test_headers_and_urls_per_flavour() -> None:
    kemono, pawchive = PRESETS["kemono.cr"], PRESETS["pawchive.st"]
    assert kemono.headers() == {"Accept": "text/css"}
    assert pawchive.headers() == {"Accept": "application/json"}
    assert kemono.api("/posts") == "https://kemono.cr/api/v1/posts"
    path = "/ab/cd/abcd.png"
    assert kemono.file_url(path, "a b.png") == "https://kemono.cr/data/ab/cd/abcd.png?f=a%20b.png"
    assert pawchive.file_url("/data" + path) == "https://file.pawchive.st/data/ab/cd/abcd.png"
    assert kemono.file_url("\\ab\\cd\\x.png") == "https://kemono.cr/data/ab/cd/x.png"
    assert kemono.page_url("patreon", "user", "a/b") == "https://kemono.cr/patreon/user/a%2Fb"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-10-24T05:52:59.498767", datetime(2024, 10, 24, 5, 52, 59, 498767, UTC)),
        ("2024-06-04T23:53:36", datetime(2024, 6, 4, 23, 53, 36, tzinfo=UTC)),
        ("2022-07-29T21:12:11.483", datetime(2022, 7, 29, 21, 12, 11, 483000, UTC)),
        (1656059580, datetime(2022, 6, 24, 8, 33, tzinfo=UTC)),
        (1656059580.5, datetime(2022, 6, 24, 8, 33, 0, 500000, UTC)),
        ("Tue, 01 Aug 2023 12:00:00 GMT", datetime(2023, 8, 1, 12, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("yesterday", None),
    ],
)
def test_dates_in_every_shape(raw: str | float | None, expected: datetime | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        *("2024-10-24T05:52:59.498767", "2024-06-04", " 2024-06-04T23:53 ", "2024-06-04 23:53:36"),
        *("2024-06-04T23:53:36+02:00", "2024-06-04T23:53:36Z", "20240604T235336"),
        *("Tue, 01 Aug 2023 12:00:00 -0000", "Tue, 01 Aug 2023 12:00:00 +0200"),
    ],
)
def test_dates_without_a_zone_are_utc(raw: str) -> None:
    parsed = parse_date(raw)
    assert parsed is not None and parsed.tzinfo is not None
    if "+" not in raw and "Z" not in raw:
        naive = parsed.replace(tzinfo=None)
        assert repr(parsed) == repr(naive.replace(tzinfo=UTC)) and parsed.tzinfo is UTC
        assert type(parsed) is datetime and parsed.fold == 0


def test_posts_tolerate_both_generations() -> None:
    empty = convert({"id": 5, "user": 7, "service": "fanbox", "file": {}, "extra": 1}, Post)
    assert empty.main_file() is None and empty.files() == [] and empty.tag_list() == []
    revision = convert(
        {
            "id": "a",
            "file": '{"name": "x.png", "path": "/x.png"}',
            "attachments": '[{"name": "y", "path": "/y"}, {}]',
            "tags": "{one,two}",
            "revision_id": 3,
        },
        Post,
    )
    main = revision.main_file()
    assert main is not None and main.path == "/x.png"
    assert [f.path for f in revision.files()] == ["/y"]
    assert revision.tag_list() == ["one", "two"]
    assert convert({"service": "x", "user": "c1", "post_id": 2}, PostRef).creator_id() == "c1"
    with pytest.raises(DecodeError):
        convert({"title": "no id"}, Post)


def test_error_bodies_become_typed_errors() -> None:
    gone = response(404, b'{"error": "Creator not found."}')
    assert server_message(gone) == "Creator not found."
    error = api_error(gone)
    assert isinstance(error, NotFound) and "Creator not found." in str(error)
    role = api_error(response(404, b"{}"), InsufficientRole, "moderator role required")
    assert isinstance(role, InsufficientRole) and "moderator role required" in str(role)
    assert server_message(response(500, b"<html>")) is None


def test_cookie_for_jarless_clients_stays_secret() -> None:
    site = PRESETS["kemono.cr"].with_session_cookie("abcdef123456")
    assert site.headers()["Cookie"] == "session=abcdef123456"
    assert "abcdef123456" not in repr(site)
    assert "abcdef123456" not in repr(site.request("GET", "/account"))
    assert site == PRESETS["kemono.cr"] and site.with_session_cookie(None).session_cookie is None
    assert site.file_url("/a/b/c.png", server="https://n2.kemono.cr/") == (
        "https://n2.kemono.cr/data/a/b/c.png"
    )


def test_dates_of_random_shapes_are_utc_as_replace_gives() -> None:
    rng = random.Random(23)
    for _ in range(5_000):
        text = (
            f"{rng.randrange(1, 10000):04d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        )
        if rng.random() < 0.9:
            text += rng.choice("T Tx1")
            time = [
                f"{rng.randrange(24):02d}",
                f"{rng.randrange(60):02d}",
                f"{rng.randrange(60):02d}",
            ]
            text += rng.choice([":", ""]).join(time[: rng.randrange(1, 4)])
            if rng.random() < 0.5:
                text += (
                    rng.choice(".,")
                    + "".join(rng.choice("0123456789") for _ in range(6))[: rng.randrange(0, 8)]
                )
        if rng.random() < 0.2:
            text += rng.choice(["Z", "+09:00", "-0130", "+00:00", " ", "x", "+", "-"])
        try:
            naive = datetime.fromisoformat(text.strip())
        except ValueError:
            naive = None
        parsed = parse_date(text)
        if naive is None:
            continue  # not ISO: the other readers, tested above
        expected = naive if naive.tzinfo is not None else naive.replace(tzinfo=UTC)
        assert parsed is not None and repr(parsed) == repr(expected), text
        assert type(parsed) is datetime and parsed.tzinfo == expected.tzinfo, text
        assert naive.tzinfo is not None or parsed.tzinfo is UTC, text


def test_segments_and_names_are_quoted_as_quote_does() -> None:
    rng = random.Random(18)
    chars = ["a", "Z", "0", "-", "_", ".", "~", "/", " ", "%", "?", "#", "é", "\u3042", "+", "&"]
    site = KemonoSite("https://kemono.cr")
    for _ in range(3_000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 8)))
        assert seg(text) == quote(text, safe="")
        query = f"?f={quote(text)}" if text else ""
        assert site.file_url("/ab/cd/x.png", text) == f"https://kemono.cr/data/ab/cd/x.png{query}"
    assert seg(20000002) == "20000002"
