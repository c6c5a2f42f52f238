"""The Markdown sidecar's converter: its shortcuts for simple tags and plain paragraphs give
what HTMLParser gives."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest

from kemopix.downloader import markdown
from kemopix.downloader.markdown import html_to_markdown

PIECES = [
    *("<p>", "</p>", "<br>", "<b>", "</B>", "<i>", "</i>", "<ul>", "<li>", "</li>", "</ul>"),
    *("<ol>", "</ol>", "<h2>", "</h2>", "<h7>", "<pre>", "</pre>", "<blockquote>", "<hr>"),
    *("</blockquote>", "<code>", "</code>", "<span>", "<div>", "</div>", "<s>", "</s>", "<a>"),
    *("</a>", "<P>", "<Br>", "<tr>", "<title>", "</title>"),
    *("text", " ", "\n", "  x  ", "a*b_c", "[x]", "`", "\\", ">", "é", "\t\r\n", "x>y"),
    # Not bare: the whole fragment goes through HTMLParser.
    *("</>", "<3", "<", "<br/>", "<script>", "</script>", "<style>", "\x00"),
    *("<!-- c -->", "<a href='x'>", "<p >", "<!DOCTYPE html>"),
]

ATTRIBUTES = [
    *("<p>", "</p>", "<br>", "<a>", "</a>", "<b>", "</b>", "<li>", "<ul>", "</ul>", "<img>"),
    *('<a href="https://x.test/?a=1&amp;b=2">', '<img src="/i.png" alt="">', '<a HREF="X">'),
    *('<img src="s" alt="a &quot;q&quot; &amp" />', '<a href="x" title="t" href="y">'),
    *('<p class="c">', '<span data-x="1"\n id="i">', '<a href="x"/>', '<IMG SRC="u"/>'),
    *("&amp;", "&#39;", "&lt;", "&gt;", "&nbsp;", "&copy", "&#x27;", "&bogus;", "&", "&#", "&a"),
    *("text", " ", "\n", "a*b", "é", ">", "x;y", "amp;", "\u00a0"),
    # Not simple: the whole fragment goes through HTMLParser.
    *('</a href="x">', '<span data-x="1" >', "<a href='x'>", '<a href="x>">', "<a href=x>"),
    *("<title>", "</title>", "<textarea>", "</textarea>", "<xmp>", "<iframe>", "<noscript>"),
    *('<a href = "x">', '<a\u00a0href="x">', '<a href="x"title="y">', "<script>", "<3"),
]


def _parsed(html: str) -> list[str]:
    converter = markdown._Converter()
    parser = markdown._Parser(converter)
    parser.feed(html)
    parser.close()
    return converter.out


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


SELF_CLOSING = [
    *("<br />", "<br/>", "<BR />", "<br  \n/>", "<br\t/>", "<p/>", "</p>", "<hr />", "<li/>"),
    *("<ul>", "</ul>", "<b>", "</b>", "<h3/>", "<pre/>", "</pre>", "<blockquote />", "<a/>"),
    *("caption", " ", "\n", "x_y", "é", ">", "Thanks!"),
    # Not bare: HTMLParser takes the whole fragment.
    *("</br/>", "<br / >", "<br /x>", "<br\u00a0/>", "<script/>", "<br //>", "<br x/>"),
]


@pytest.mark.parametrize(("pieces", "seed"), [(PIECES, 14), (SELF_CLOSING, 15), (ATTRIBUTES, 20)])
def test_simple_markup_gives_what_the_parser_gives(pieces: list[str], seed: int) -> None:
    rng = random.Random(seed)
    shortcut = 0
    for _ in range(20_000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        converter = markdown._Converter()
        if markdown._feed_simple(converter, html):
            shortcut += 1
            assert converter.out == _parsed(html), html
        else:
            assert converter.out == [], html  # nothing given before falling back
    assert shortcut > 2_000  # the shortcut was taken often enough to mean something


def test_pixiv_captions_take_the_shortcut() -> None:
    caption = "Caption of <strong>76100001</strong>.<br />Thanks for looking!<br/>"
    assert markdown._feed_simple(markdown._Converter(), caption)
    assert html_to_markdown(caption) == "Caption of **76100001**.  \nThanks for looking!\n"
    assert not markdown._feed_simple(markdown._Converter(), "a</br/>b")


def test_html_parser_is_loaded_only_for_markup_the_shortcut_cannot_take() -> None:
    probe = (
        "import sys\n"
        "import kemopix.downloader.engine\n"  # metadata, transcripts and all
        "from kemopix.downloader.markdown import html_to_markdown\n"
        "html_to_markdown('a<br />b<strong>c</strong>')\n"
        "print('html' in sys.modules, 'html.parser' in sys.modules)\n"
        """html_to_markdown('a &amp; b<a href="x?a&amp;b">l</a>')\n"""
        "print('html.entities' in sys.modules, 'html.parser' in sys.modules)\n"
        "html_to_markdown('a<!-- c -->b')\n"
        "print('html.parser' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "True", "False", "True"]


PARAGRAPHS = [
    *("<p>", "</p>", "<p>", "</p>", "<P>", "</p/>", "<p/>", "<br>", "<", ">", "&", "\x00"),
    *("text", "x", " ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2028", "\x1c", "a*b_c", "[x]"),
    *("`", "\\", "é", " tail ", "p>", "</"),
    *("&amp;", "&nbsp;", "&#39;", "&lt;p&gt;", "&#x2028;", "&#10;", "&#13;", "&", "&amp"),
]


def test_paragraphs_give_what_the_converter_gives() -> None:
    rng = random.Random(16)
    quick = 0
    for _ in range(30_000):
        html = "".join(rng.choice(PARAGRAPHS) for _ in range(rng.randint(0, 12)))
        expected = markdown._converted(html)
        got = markdown._paragraphs(html)
        if got is not None:
            quick += 1
            assert got == expected, repr(html)
        assert html_to_markdown(html) == expected, repr(html)
    assert quick > 3_000


def test_inline_text_is_collapsed_and_escaped() -> None:
    # _inline's shortcut: printable text holds no whitespace but the space.
    assert [c for c in map(chr, range(0x110000)) if c.isspace() and c.isprintable()] == [" "]
    rng = random.Random(17)
    chars = [" ", "  ", "\n", "\t", "\r", "\x0b", "\x1c", "\x85", "\u00a0", "\u2028", "\u3000"]
    chars += ["a", "é", "\\", "`", "*", "_", "[", "]"]
    for _ in range(5_000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        expected = re.sub(r"([\\`*_\[\]])", r"\\\1", re.sub(r"\s+", " ", text))
        assert markdown._inline(text) == expected, repr(text)


def test_tidy_as_before() -> None:
    def reference(text: str) -> str:
        lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
        return text.strip() + "\n" if text.strip() else ""

    rng = random.Random(24)
    chars = ["a", "x y", " ", "  ", "\n", "\n\n\n", "\t", "\r", "\u00a0", "\u2028", "> ", "  \n"]
    for _ in range(20_000):
        text = "".join(rng.choice(chars) for _ in range(rng.randrange(12)))
        assert markdown._tidy(text) == reference(text), repr(text)
