"""Post HTML sanitizing and external links (pure logic)."""

from __future__ import annotations

from kemopix.serve.sanitize import external_links, sanitize
from kemopix.serve.views import fts_query


def test_scripts_handlers_and_remote_loads_go() -> None:
    dirty = (
        '<p onclick="x()">hi</p><script>alert(1)</script><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">j</a><a href="JaVaScRiPt:alert(1)">k</a>'
        '<img src="https://evil.example/a.png" alt="cat"><iframe src="https://e.example"></iframe>'
        '<svg><script>alert(1)</script></svg><object data="x"></object>'
        '<p style="background:url(https://e.example/b.png)">s</p><base href="https://e.example/">'
        '<img srcset="https://e.example/c.png 2x" src="/file/1"><link rel=stylesheet href=x>'
    )
    clean = sanitize(dirty)
    lowered = clean.lower()
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<svg", "<object",
                "style=", "<base", "srcset", "<link"):  # fmt: skip
        assert bad not in lowered, bad
    assert '<a href="https://evil.example/a.png" rel="noopener noreferrer nofollow">' in clean
    assert "[remote image: cat]" in clean
    assert "<img" not in clean  # /file/1 was not the viewer's choice: no local() mapping


def test_archived_inline_image_becomes_a_local_file() -> None:
    digest = "ab" * 32
    html = f'<p>x</p><img src="https://kemono.cr/data/ab/ab/{digest}.png" alt="in">'
    clean = sanitize(html, lambda url: "/file/7" if digest in url else None)
    assert '<img src="/file/7" alt="in">' in clean


def test_external_links_named_and_listed_once() -> None:
    clean = sanitize(
        '<a href="https://mega.nz/file/x#k">mega</a> <a href="https://mega.nz/file/x#k">again</a>'
        " see https://www.dropbox.com/s/abc/file.zip?dl=0."
    )
    links = external_links(clean)
    assert [(link.host_label, link.url) for link in links] == [
        ("MEGA", "https://mega.nz/file/x#k"),
        ("Dropbox", "https://www.dropbox.com/s/abc/file.zip?dl=0"),
    ]


def test_search_words_are_quoted() -> None:
    assert fts_query('cat "dog" NEAR( x* -y') == '"cat" "dog" "NEAR(" "x"* "-y"'
    assert fts_query("   ") == ""
