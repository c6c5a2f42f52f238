"""Post text as safe HTML: no script, no event handler, no remote load, remote images as links.

Sanitizing is nh3's (the Rust ``ammonia`` sanitizer, maintained, allow-list based). Before it,
every ``<img>`` becomes either an archived file (``/file/<id>``, when its URL names a file the
archive holds) or a plain link to the remote image, so the page never loads anything remote.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

__all__ = ["ExternalLink", "external_links", "sanitize"]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "*": {"title"}}
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""<a\b[^>]*?\bhref="([^"]+)"[^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_BARE_URL = re.compile(r"""https?://[^\s<>"']+""")

# Hosts whose links are downloads kept elsewhere (named in the post's "external links" list).
KNOWN_HOSTS = {
    "mega.nz": "MEGA",
    "mega.co.nz": "MEGA",
    "drive.google.com": "Google Drive",
    "docs.google.com": "Google Docs",
    "dropbox.com": "Dropbox",
    "mediafire.com": "MediaFire",
    "gofile.io": "Gofile",
    "pixeldrain.com": "Pixeldrain",
    "1drv.ms": "OneDrive",
    "onedrive.live.com": "OneDrive",
    "bunkr.si": "Bunkr",
    "catbox.moe": "Catbox",
    "github.com": "GitHub",
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "fanbox.cc": "pixivFANBOX",
    "patreon.com": "Patreon",
}


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = {k.lower(): v or "" for k, v in attrs}

    handle_startendtag = handle_starttag


def _img_attrs(tag: str) -> dict[str, str]:
    parser = _Attrs()
    parser.feed(tag)
    parser.close()
    return parser.attrs


def sanitize(content: str, local: Callable[[str], str | None] = lambda url: None) -> str:
    """Safe HTML of ``content``; ``local(url)`` gives the viewer URL of an archived image."""

    def image(match: re.Match[str]) -> str:
        attrs = _img_attrs(match.group(0))
        src = attrs.get("src", "").strip()
        alt = attrs.get("alt", "")
        target = local(src) if src else None
        if target is not None:
            return f'<img src="{html.escape(target)}" alt="{html.escape(alt)}">'
        label = html.escape(alt or src.rsplit("/", 1)[-1] or "image")
        if urlsplit(src).scheme in ("http", "https"):
            return f'<a href="{html.escape(src)}">[remote image: {label}]</a>'
        return f"[image: {label}]"

    rewritten = _IMG.sub(image, content)
    return nh3.clean(
        rewritten,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_only_local_images,
    )


def _only_local_images(tag: str, attribute: str, value: str) -> str | None:
    # Defence in depth: an <img> that survived with anything but a viewer path loses its src.
    if tag == "img" and attribute == "src" and not value.startswith("/file/"):
        return None
    return value


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """A link in a post's text to somewhere else; ``host_label`` names known file hosts."""

    url: str
    text: str
    host: str
    host_label: str | None


def external_links(safe_html: str, plain: str = "") -> list[ExternalLink]:
    """The http(s) links of sanitized HTML and of plain text, in order, once each."""
    found: dict[str, ExternalLink] = {}

    def add(url: str, text: str) -> None:
        url = html.unescape(url).rstrip(".,);]")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or url in found:
            return
        host = parts.hostname.lower().removeprefix("www.")
        label = next(
            (
                name
                for known, name in KNOWN_HOSTS.items()
                if host == known or host.endswith("." + known)
            ),
            None,
        )
        found[url] = ExternalLink(url, text.strip() or url, host, label)

    for match in _HREF.finditer(safe_html):
        add(match.group(1), html.unescape(re.sub(r"<[^>]*>", "", match.group(2))))
    for match in _BARE_URL.finditer(html.unescape(re.sub(r"<[^>]*>", " ", safe_html)) + plain):
        add(match.group(0), "")
    return list(found.values())
