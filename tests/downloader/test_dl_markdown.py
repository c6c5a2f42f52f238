"""The Markdown sidecar's converter: its shortcut for bare tags gives what HTMLParser gives."""

from __future__ import annotations

import random

from kemopix.downloader import markdown
from kemopix.downloader.markdown import html_to_markdown

PIECES = [
    *("<p>", "</p>", "<br>", "<b>", "</B>", "<i>", "</i>", "<ul>", "<li>", "</li>", "</ul>"),
    *("<ol>", "</ol>", "<h2>", "</h2>", "<h7>", "<pre>", "</pre>", "<blockquote>", "<hr>"),
    *("</blockquote>", "<code>", "</code>", "<span>", "<div>", "</div>", "<s>", "</s>", "<a>"),
    *("</a>", "<P>", "<Br>", "<tr>", "<title>", "</title>"),
    *("text", " ", "\n", "  x  ", "a*b_c", "[x]", "`", "\\", ">", "é", "\t\r\n", "x>y"),
    # Not bare: the whole fragment goes through HTMLParser.
    *("</>", "<3", "<", "&amp;", "&", "<br/>", "<script>", "</script>", "<style>", "\x00"),
    *("<!-- c -->", "<a href='x'>", "<p >", "<!DOCTYPE html>"),
]


def _parsed(html: str) -> list[str]:
    converter = markdown._Converter()
    parser = markdown._Parser(converter)
    parser.feed(html)
    parser.close()
    return converter.out


def test_bare_markup_gives_what_the_parser_gives() -> None:
    rng = random.Random(14)
    shortcut = 0
    for _ in range(20_000):
        html = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))
        converter = markdown._Converter()
        if markdown._feed_bare(converter, html):
            shortcut += 1
            assert converter.out == _parsed(html), html
        else:
            assert converter.out == [], html  # nothing given before falling back
    assert shortcut > 2_000  # the shortcut was taken often enough to mean something


def test_markdown_of_typical_posts() -> None:
    assert html_to_markdown("<p>Work number 7</p>") == "Work number 7\n"
    assert html_to_markdown("<p>a<br>b</p><p>c_d</p>") == "a  \nb\n\nc\\_d\n"
    assert html_to_markdown("plain *text*") == "plain \\*text\\*\n"
    assert html_to_markdown("<p>x &amp; y</p>") == "x & y\n"  # an entity: the parser
    assert html_to_markdown("<script>a<b>c</script>d") == "d\n"  # raw text: the parser
    assert html_to_markdown("<p> </p>") == ""
    links = '<a href="x" href="y">l</a><a>m</a><a href>n</a><img alt="a" src="s" alt="b"><img>'
    assert html_to_markdown(links) == "[l](y)[m][n]![b](s)![]()\n"  # the last value counts


def test_quotes_lists_and_long_posts() -> None:
    html = (
        "<blockquote><p>a</p><p>b<br>c</p></blockquote><ul><li>x<ul><li>y</li></ul></li></ul>"
        "<pre>p  q\n</pre><hr><p> </p><p>end</p>"
    )
    assert html_to_markdown(html) == (
        ">\n\n> a\n\n>\n\n> b  \n> c\n\n>\n\n- x\n   - y\n\n```\np  q\n\n```\n\n---\n\nend\n"
    )
    paragraphs = "".join(f'<p><a href="/{n}">{n}</a></p>' for n in range(3000))
    assert html_to_markdown(paragraphs) == "\n\n".join(f"[{n}](/{n})" for n in range(3000)) + "\n"
