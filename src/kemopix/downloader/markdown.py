"""Post HTML (Kemono content, pixiv captions) to readable Markdown, with the standard library.

Covers what posts use: paragraphs, line breaks, links, images, emphasis, headings, lists,
quotes, code and rules. Unknown tags keep their text; scripts and styles are dropped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from html.parser import HTMLParser

__all__ = ["html_to_markdown"]

_BLOCKS = {"p", "div", "section", "article", "figure", "figcaption", "table", "tr"}
_SKIP = {"script", "style", "head", "title"}
_ESCAPE = re.compile(r"([\\`*_\[\]])")
# What r"\s+" finds, but for lone spaces: replacing those with a space changes nothing.
_SPACES = re.compile(r"\s{2,}|[^\S ]")
_GAPS = re.compile(r"\n{3,}")
_LINE_END_SPACE = re.compile(r"[^\S\n](?:\n|\Z)")  # whitespace ending a line
# A simple tag: a name, attributes with double-quoted values, and for a start tag an optional
# closing slash (pixiv's ``<br />``); most posts hold nothing else. HTMLParser gives such markup
# the same calls as cutting it on this pattern does (a self-closing tag: its start, then its
# end; values and text with their character references replaced), without its machinery.
_SIMPLE_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9]*)"
    r'((?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*="[^"<>]*")*)'
    r"((?:[ \t\n\r\f]*/)?)>"
)
# An end tag with attributes or a closing slash ("</x/>", "</x y="z">"): not a simple tag.
_ODD_END = re.compile(r"</[a-zA-Z][a-zA-Z0-9]*[ \t\n\r\f/]")
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"<>]*)"')
# HTMLParser takes their content as text, tags included: script and style, and in the
# Python releases that follow HTML5 more closely (3.13.6, 3.14) these others too.
_RAW_TEXT = {"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"}
_RAW_TEXT |= {"noscript", "plaintext"}


class _Converter:
    """Markdown from the events of a parse (tags and text, as HTMLParser gives them)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.links: list[str] = []
        self.lists: list[list[int]] = []  # one [counter] per open list; -1 for bullets
        self.skip = 0
        self.pre = 0
        self.quote = 0
        self.written = False  # anything but whitespace in ``out`` yet

    # -- helpers ----------------------------------------------------------------------------
    def _text(self, text: str) -> None:
        self.out.append(text)
        self.written = self.written or bool(text.strip())

    def _newlines(self, count: int) -> None:
        if not self.written:
            return
        trailing = 0  # newlines ending ``out``, counted from its end (not joined: long posts)
        for piece in reversed(self.out):
            kept = piece.rstrip("\n")
            trailing += len(piece) - len(kept)
            if kept:
                break
        if trailing < count:
            self.out.append("\n" * (count - trailing))
            if self.quote:
                self.out.append("> " * self.quote)

    # -- parser callbacks -------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCKS:
            self._newlines(2)
        elif tag == "br":
            self._text("  \n" + "> " * self.quote)
        elif tag in ("strong", "b"):
            self._text("**")
        elif tag in ("em", "i"):
            self._text("*")
        elif tag in ("s", "del", "strike"):
            self._text("~~")
        elif tag == "code" and not self.pre:
            self._text("`")
        elif tag == "pre":
            self._newlines(2)
            self._text("```\n")
            self.pre += 1
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._newlines(2)
            self._text("#" * int(tag[1]) + " ")
        elif tag == "a":
            self.links.append(_attribute(attrs, "href"))
            self._text("[")
        elif tag == "img":
            alt = _attribute(attrs, "alt")
            self._text(f"![{alt}]({_attribute(attrs, 'src')})")
        elif tag in ("ul", "ol"):
            self._newlines(1 if self.lists else 2)
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._newlines(1)
            indent = "   " * max(0, len(self.lists) - 1)
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                self._text(f"{indent}{counter[0]}. ")
            else:
                self._text(f"{indent}- ")
        elif tag == "blockquote":
            self.quote += 1
            self._newlines(2)
            self._text("> ")
        elif tag == "hr":
            self._newlines(2)
            self._text("---")
            self._newlines(2)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS or (len(tag) == 2 and tag[0] == "h" and tag[1] in "123456"):
            self._newlines(2)
        elif tag in ("strong", "b"):
            self._text("**")
        elif tag in ("em", "i"):
            self._text("*")
        elif tag in ("s", "del", "strike"):
            self._text("~~")
        elif tag == "code" and not self.pre:
            self._text("`")
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._text("\n```")
            self._newlines(2)
        elif tag == "a":
            href = self.links.pop() if self.links else ""
            self._text(f"]({href})" if href else "]")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newlines(2 if not self.lists else 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newlines(2)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self._text(data)
            return
        self._text(_inline(data))


def _escaped(match: re.Match[str]) -> str:
    return "\\" + match[0]


def _inline(data: str) -> str:
    """Text as Markdown: whitespace collapsed, Markdown's special characters escaped."""
    # Printable text holds no whitespace but spaces; without two in a row there is nothing to
    # collapse (the check costs a tenth of the search).
    if "  " in data or not data.isprintable():
        data = _SPACES.sub(" ", data)
    # A function, not a template: re.sub calls back into Python for a template on every call.
    return _ESCAPE.sub(_escaped, data)


def _attribute(attrs: list[tuple[str, str | None]], name: str) -> str:
    """The value of the last attribute ``name`` ("" when absent or bare)."""
    for key, value in reversed(attrs):
        if key == name:
            return value or ""
    return ""


def _parser(converter: _Converter) -> HTMLParser:
    """An HTMLParser that gives its events to ``converter``. html.parser is imported here, on
    the first markup the simple-tag path cannot take: a run whose texts are simple tags without
    character references (or none) never loads it nor html.entities (about 3 ms of start-up)."""
    from html.parser import HTMLParser

    parser = HTMLParser(convert_charrefs=True)
    parser.handle_starttag = converter.handle_starttag  # type: ignore[method-assign]
    parser.handle_endtag = converter.handle_endtag  # type: ignore[method-assign]
    parser.handle_data = converter.handle_data  # type: ignore[method-assign]
    return parser


_Parser = _parser  # the name the converter's tests know it by


@functools.cache
def _html_unescape() -> Callable[[str], str]:
    from html import unescape  # only for text with references (it loads html.entities)

    return unescape


def _unescape(text: str) -> str:
    """``text`` with its character references replaced, as HTMLParser gives text and values."""
    return _html_unescape()(text) if "&" in text else text


def _attributes(markup: str) -> list[tuple[str, str | None]]:
    return [(name.lower(), _unescape(value)) for name, value in _ATTRIBUTE.findall(markup)]


def _feed_simple(converter: _Converter, html: str) -> bool:
    """Give ``converter`` the calls HTMLParser would for markup of simple tags (see
    ``_SIMPLE_TAG``) and text without ``<``; False, and nothing given, for any other markup."""
    if "\0" in html or _ODD_END.search(html):
        return False
    pieces = _SIMPLE_TAG.split(html)  # text, "/" or "", name, attributes, "/" or "", text, ...
    names = [name.lower() for name in pieces[2::5]]
    if html.count("<") != len(names):  # a simple tag holds one "<": the others are in text
        return False
    if not _RAW_TEXT.isdisjoint(names):
        return False
    for at, name in enumerate(names):
        text = pieces[5 * at]
        if text:
            converter.handle_data(_unescape(text))
        if pieces[5 * at + 1]:
            converter.handle_endtag(name)
        else:
            markup = pieces[5 * at + 3]
            converter.handle_starttag(name, _attributes(markup) if markup else [])
            if pieces[5 * at + 4]:
                converter.handle_endtag(name)
    if pieces[-1]:
        converter.handle_data(_unescape(pieces[-1]))
    return True


def _paragraphs(html: str) -> str | None:
    """The Markdown of text (character references allowed) in bare ``<p>`` and ``</p>`` tags,
    as most posts are, or None for any other markup. It is what the converter makes of it,
    without its machinery: each tag is a paragraph break, so each text between tags that is
    not blank is a paragraph."""
    if "\0" in html or html.count("<") != html.count("<p>") + html.count("</p>"):
        return None  # a "<" that is not a paragraph tag's
    lines = []
    for piece in html.replace("</p>", "<p>").split("<p>"):
        text = _unescape(piece)
        if text.strip():
            lines.append(_inline(text).rstrip())
    text = "\n\n".join(lines).lstrip()
    return text + "\n" if text else ""


def html_to_markdown(html: str) -> str:
    """Markdown for a fragment of post HTML (plain text passes through, escaped)."""
    quick = _paragraphs(html)
    if quick is not None:
        return quick
    return _converted(html)


def _converted(html: str) -> str:
    """:func:`html_to_markdown` through the converter (simple tags, else HTMLParser)."""
    converter = _Converter()
    if not _feed_simple(converter, html):
        parser = _parser(converter)
        parser.feed(html)
        parser.close()
    return _tidy("".join(converter.out))


def _tidy(text: str) -> str:
    """The converter's text with lines stripped on the right (but for line breaks, which end in
    two spaces), runs of blank lines made one, and one newline at the end (none if empty)."""
    if _LINE_END_SPACE.search(text):  # else no line has anything to strip
        lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
        text = "\n".join(lines)
    if "\n\n\n" in text:
        text = _GAPS.sub("\n\n", text)
    text = text.strip()
    return text + "\n" if text else ""
