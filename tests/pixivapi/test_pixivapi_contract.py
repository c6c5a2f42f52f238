"""The pixiv-api 0.2.1 contract, read from the seed's own text: names, signatures, defaults,
enum values, exception bases and documented attributes.

Two deliberate deviations from the printed docs, both from pixiv-protocol.md §1.3/§2: the
default client secret ends in ``MbNlUGP`` (the docs' font shows ``MbNIUGP``; the seed's source
and pixiv use ``l``), and ``ContentType.ILLUSTRATION`` is ``'illust'`` (the docs print
``'illustration'``; the seed's code, its own defaults in the same docs, and the API use
``'illust'``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import requests

import pixivapi
from pixivapi import AsyncClient, Client
from pixivapi.enums import ContentType, Size

# A verbatim copy of /work/shared/seeds/pixiv-api-0.2.1-docs.txt, so a clone is self-contained.
SEED = Path(__file__).with_name("pixiv-api-0.2.1-docs.txt")

KNOWN_DEVIATIONS = {
    ("Client", "__init__", "client_secret"): (
        "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNIUGP",
        "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNlUGP",
    ),
}
ENUM_DEVIATIONS = {("ContentType", "ILLUSTRATION"): ("illustration", "illust")}


@dataclass
class SeedClass:
    module: str
    name: str
    kind: str  # class | exception
    params: list[tuple[str, str | None]] = field(default_factory=list)
    methods: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    variables: list[str] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)
    bases: list[str] = field(default_factory=list)


def _split_params(text: str) -> list[tuple[str, str | None]]:
    text = text.replace("*", "").strip()
    if not text:
        return []
    out: list[tuple[str, str | None]] = []
    for part in re.split(r",\s*(?![^<]*>)", text):
        name, eq, default = part.strip().partition("=")
        out.append((name.strip(), default.strip() if eq else None))
    return out


def _seed_text() -> str:
    """The API chapter, with page-break debris removed and wrapped signatures joined."""
    text = SEED.read_text(encoding="utf-8")
    text = text[text.index("2.1 Client") : text.index("CHAPTER 3")]
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if pending:
            pending += " " + line.strip()
            if ")" in line:
                lines.append(pending)
                pending = ""
            continue
        if re.match(r"^(class|exception) pixivapi\.", line) and "(" in line and ")" not in line:
            pending = line
            continue
        lines.append(line)
    return "\n".join(lines)


def parse_seed() -> dict[str, SeedClass]:
    classes: dict[str, SeedClass] = {}
    current: SeedClass | None = None
    for line in _seed_text().splitlines():
        stripped = line.strip().strip("`").strip()
        head = re.match(
            r"^(class|exception) pixivapi\.(\w+)\.(\w+)\s*(?:\((.*)\))?$", stripped.replace("*", "")
        )
        if head:
            kind, module, name, params = head.groups()
            current = classes[name] = SeedClass(f"pixivapi.{module}", name, kind)
            current.params = _split_params(params or "")
            continue
        if current is None:
            continue
        method = re.match(r"^(\w+) \((.*)\)$", stripped)
        if method and method.group(1) not in ("Bases",):
            current.methods[method.group(1)] = _split_params(method.group(2))
            continue
        variable = re.match(r"^- \*\*(\w+)\*\*", stripped)
        if variable and not current.methods:
            current.variables.append(variable.group(1))
            continue
        member = re.match(r"^([A-Z_]+) = '([^']*)'$", stripped)
        if member:
            current.members[member.group(1)] = member.group(2)
            continue
        bases = re.match(r"^Bases: (.+)$", stripped)
        if bases:
            current.bases = [b.strip().replace("*", "") for b in bases.group(1).split(",")]
    return classes


SEED_API = parse_seed()


def _default(text: str) -> Any:
    enum = re.match(r"^<(\w+)\.(\w+): '[^']*'>$", text)
    if enum:
        return getattr(getattr(pixivapi.enums, enum.group(1)), enum.group(2))
    return ast.literal_eval(text)


def _public(cls: SeedClass) -> Any:
    return getattr(importlib.import_module(cls.module), cls.name)


def _check_signature(
    owner: str, method: str, func: Any, seed: list[tuple[str, str | None]]
) -> None:
    params = [p for p in inspect.signature(func).parameters.values() if p.name != "self"]
    ours = [(p.name, p.default) for p in params if p.kind is not p.KEYWORD_ONLY]
    assert [name for name, _ in ours] == [name for name, _ in seed], (owner, method)
    for (name, default), (_, seed_default) in zip(ours, seed, strict=True):
        if seed_default is None:
            assert default is inspect.Parameter.empty, (owner, method, name)
            continue
        expected = _default(seed_default)
        deviation = KNOWN_DEVIATIONS.get((owner, method, name))
        if deviation is not None:
            assert expected == deviation[0]
            expected = deviation[1]
        assert default == expected, (owner, method, name, default, expected)
    for p in params:
        assert p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY), (owner, method, p.name)
        if p.kind is p.KEYWORD_ONLY:
            assert p.default is not inspect.Parameter.empty, (owner, method, p.name)


def test_the_seed_text_parses_into_every_documented_name() -> None:
    assert set(SEED_API) == {
        "Client",
        "User",
        "Account",
        "FullUser",
        "Illustration",
        "Novel",
        "Comment",
        "ContentType",
        "Duration",
        "RankingMode",
        "SearchTarget",
        "Size",
        "Sort",
        "Visibility",
        "PixivError",
        "LoginError",
        "AuthenticationRequired",
        "BadApiResponse",
    }
    assert len(SEED_API["Client"].methods) == 20
    assert SEED_API["Illustration"].methods.keys() == {"download"}


@pytest.mark.parametrize("name", sorted(SEED_API))
def test_every_seed_name_lives_at_its_module_path_and_in_the_package(name: str) -> None:
    cls = SEED_API[name]
    obj = _public(cls)
    assert getattr(pixivapi, name) is obj
    assert name in pixivapi.__all__


@pytest.mark.parametrize(
    "name", sorted(n for n, c in SEED_API.items() if c.params or c.module.endswith("models"))
)
def test_constructor_signatures_match_the_seed(name: str) -> None:
    _check_signature(name, "__init__", _public(SEED_API[name]).__init__, SEED_API[name].params)


@pytest.mark.parametrize(
    ("owner", "method"),
    sorted((n, m) for n, c in SEED_API.items() for m in c.methods),
)
def test_method_signatures_match_the_seed(owner: str, method: str) -> None:
    _check_signature(
        owner, method, getattr(_public(SEED_API[owner]), method), SEED_API[owner].methods[method]
    )


@pytest.mark.parametrize("method", sorted(SEED_API["Client"].methods))
def test_async_client_has_every_method_with_the_same_parameters(method: str) -> None:
    func = getattr(AsyncClient, method)
    assert inspect.iscoroutinefunction(func), method
    _check_signature("Client", method, func, SEED_API["Client"].methods[method])


def test_async_client_constructor_extends_the_seed_with_keywords_only() -> None:
    _check_signature("Client", "__init__", AsyncClient.__init__, SEED_API["Client"].params)


@pytest.mark.parametrize("name", sorted(n for n, c in SEED_API.items() if c.members))
def test_enum_members_and_values_match_the_seed(name: str) -> None:
    enum = _public(SEED_API[name])
    assert issubclass(enum, Enum)
    expected = dict(SEED_API[name].members)
    for (owner, member), (printed, actual) in ENUM_DEVIATIONS.items():
        if owner == name:
            assert expected[member] == printed
            expected[member] = actual
    assert {m.name: m.value for m in enum} == expected


@pytest.mark.parametrize("name", sorted(n for n, c in SEED_API.items() if c.kind == "exception"))
def test_exception_bases_match_the_seed(name: str) -> None:
    cls = _public(SEED_API[name])
    bases = [b.removeprefix("pixivapi.errors.") for b in SEED_API[name].bases]
    assert [b.__name__ for b in cls.__bases__] == bases
    assert issubclass(cls, Exception)


def test_client_has_every_documented_variable() -> None:
    with Client() as client:
        for variable in SEED_API["Client"].variables:
            assert hasattr(client, variable), variable
        assert client.language == "English"
        assert client.account is None and client.access_token is None
        assert client.refresh_token is None
        assert isinstance(client.session, requests.Session)


USER: dict[str, Any] = {
    "account": "acc",
    "id": 7,
    "name": "Name",
    "profile_image_urls": {"medium": "u"},
}
ILLUST: dict[str, Any] = {
    "caption": "c",
    "create_date": "2021-01-20T18:52:22+09:00",
    "height": 10,
    "id": 1,
    "image_urls": {"square_medium": "sq", "medium": "m", "large": "l"},
    "is_bookmarked": False,
    "is_muted": False,
    "meta_pages": [],
    "meta_single_page": {"original_image_url": "o"},
    "page_count": 1,
    "restrict": 0,
    "sanity_level": 2,
    "series": None,
    "tags": [{"name": "t", "translated_name": None}],
    "title": "T",
    "tools": [],
    "total_bookmarks": 3,
    "total_view": 4,
    "type": "illust",
    "user": {**USER, "is_followed": True, "unknown_new_field": 1},
    "visible": True,
    "width": 20,
    "x_restrict": 0,
}
NOVEL: dict[str, Any] = {
    "caption": "c",
    "create_date": "2021-01-20T18:52:22+09:00",
    "id": 2,
    "image_urls": {"square_medium": "sq", "medium": "m", "large": "l"},
    "is_bookmarked": False,
    "is_muted": False,
    "is_mypixiv_only": False,
    "is_x_restricted": False,
    "page_count": 1,
    "restrict": 0,
    "series": {},
    "tags": [],
    "text_length": 100,
    "title": "N",
    "total_bookmarks": 0,
    "total_comments": 0,
    "total_view": 0,
    "user": USER,
    "visible": True,
    "x_restrict": 0,
}
COMMENT: dict[str, Any] = {
    "comment": "hi",
    "date": "2021-01-20T18:52:22+09:00",
    "id": 5,
    "parent_comment": {
        "comment": "p",
        "date": "2021-01-19T10:00:00+09:00",
        "id": 4,
        "parent_comment": {},
        "user": USER,
    },
    "user": USER,
}


def _instances() -> dict[str, Any]:
    return {
        "User": pixivapi.User(**USER),
        "Account": pixivapi.Account({"px_16x16": "a"}, "acc", 7, "Name", "m@x", True, 0, True),
        "FullUser": pixivapi.FullUser(**USER, comment="hey", profile={}, workspace={}),
        "Illustration": pixivapi.Illustration(**ILLUST),
        "Novel": pixivapi.Novel(**NOVEL),
        "Comment": pixivapi.Comment(**COMMENT),
    }


@pytest.mark.parametrize(
    "name", ["User", "Account", "FullUser", "Illustration", "Novel", "Comment"]
)
def test_models_have_every_documented_variable(name: str) -> None:
    instance = _instances()[name]
    for variable in SEED_API[name].variables:
        assert hasattr(instance, variable), (name, variable)


def test_seed_constructors_transform_api_values_as_the_seed_did() -> None:
    illust = pixivapi.Illustration(**ILLUST)
    assert illust.create_date == datetime.fromisoformat("2021-01-20T18:52:22+09:00")
    assert illust.image_urls[Size.ORIGINAL] == "o" and illust.image_urls[Size.LARGE] == "l"
    assert illust.type is ContentType.ILLUSTRATION
    assert isinstance(illust.user, pixivapi.User) and illust.user.is_followed is True
    assert illust.client is None and illust.total_comments is None
    comment = pixivapi.Comment(**COMMENT)
    assert comment.parent_comment is not None and comment.parent_comment.id == 4
    assert comment.parent_comment.parent_comment is None
    novel = pixivapi.Novel(**NOVEL)
    assert novel.series is None and novel.image_urls[Size.MEDIUM] == "m"
    assert pixivapi.Account.__mro__[1] is pixivapi.User
    assert pixivapi.FullUser.__mro__[1] is pixivapi.User
