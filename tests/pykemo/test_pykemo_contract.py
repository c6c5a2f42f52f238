"""The seed contract: every account name and signature, module paths, enums and the error tree."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

import kemopix
from kemopix.sites.kemono import errors as site_errors

# A verbatim copy of /work/shared/seeds/pykemo-accounts-reference.txt, so a clone is self-contained.
SEED = Path(__file__).with_name("pykemo-accounts-reference.txt")
CLASS_LINE = re.compile(r"^class (pykemo[\w.]+)\.(\w+)\((.*)\)$")
METHOD_LINE = re.compile(r"^(async )?(classmethod |static )?(\w+)\((.*)\)$")
# surface §10: the two entries the seed prints without a name.
NAMELESS = {
    "Moderator": [("async ", "", "creator_link_requests", "")],
    "Admin": [
        ("async ", "", "creator_link_requests", ""),
        ("async ", "", "remove_creator_link", "service, creator_id"),
    ],
}

Entry = tuple[str, str, str, str]


def seed_entries() -> dict[tuple[str, str], tuple[str, list[Entry]]]:
    """(module, class) → (constructor parameters, [(async, kind, name, params)])."""
    classes: dict[tuple[str, str], tuple[str, list[Entry]]] = {}
    current: list[Entry] | None = None
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        found = CLASS_LINE.match(line)
        if found:
            module, name, params = found.groups()
            current = list(NAMELESS.get(name, []))
            classes[(module, name)] = (params, current)
            continue
        method = METHOD_LINE.match(line)
        if method and current is not None:
            is_async, kind, name, params = method.groups()
            current.append((is_async or "", kind or "", name, params))
    return classes


def rendered(signature: inspect.Signature) -> str:
    """Parameters as the seed prints them: names, defaults, ``*`` for keyword-only."""
    out: list[str] = []
    star = False
    for param in signature.parameters.values():
        if param.name in ("self", "cls"):
            continue
        if param.kind is param.KEYWORD_ONLY and not star:
            out.append("*")
            star = True
        text = param.name
        if param.default is not param.empty:
            text += f"={param.default!r}"
        out.append(text)
    return ", ".join(out)


ENTRIES = seed_entries()


def test_seed_lists_the_three_kinds_and_the_view() -> None:
    names = {name for _, name in ENTRIES}
    assert names == {"Consumer", "Moderator", "Admin", "AccountView"}
    assert len(ENTRIES[("pykemo.accounts.kinds.admin", "Admin")][1]) == 17


@pytest.mark.parametrize(("module", "name"), sorted(ENTRIES))
def test_constructor_matches_seed(module: str, name: str) -> None:
    klass = getattr(importlib.import_module(module), name)
    assert rendered(inspect.signature(klass)) == ENTRIES[(module, name)][0]


@pytest.mark.parametrize(
    ("module", "name", "entry"),
    [(m, n, e) for (m, n), (_, entries) in sorted(ENTRIES.items()) for e in entries],
    ids=lambda v: v[2] if isinstance(v, tuple) else str(v),
)
def test_method_matches_seed(module: str, name: str, entry: Entry) -> None:
    is_async, kind, method, params = entry
    klass = getattr(importlib.import_module(module), name)
    static = inspect.getattr_static(klass, method)
    if kind == "classmethod ":
        assert isinstance(static, classmethod)
    elif kind == "static ":
        assert isinstance(static, staticmethod)
    else:
        assert inspect.isfunction(static)
    function: Any = getattr(klass, method)
    assert inspect.iscoroutinefunction(function) == bool(is_async)
    assert rendered(inspect.signature(function)) == params


def test_kinds_report_their_roles() -> None:
    from pykemo.accounts.kinds.admin import Admin
    from pykemo.accounts.kinds.cons import Consumer
    from pykemo.accounts.kinds.mod import Moderator
    from pykemo.accounts.role import AccountRole

    assert [k.role() for k in (Consumer, Moderator, Admin)] == list(AccountRole)
    assert [r.value for r in AccountRole] == ["consumer", "moderator", "administrator"]


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("pykemo.sessions.session", ["KemoSession", "TokenValue", "SITE_DOMAIN"]),
        ("pykemo.core.urltypes", ["UrlType"]),
        ("pykemo.core.api_versions", ["APIVersion"]),
        ("pykemo.services.services_enum", ["ServiceType", "ServiceLike"]),
        ("pykemo.creators.creators", ["Creator", "CreatorsList"]),
        ("pykemo.posts.posts", ["Post", "PostID", "ELEMENTS_PER_PAGE"]),
        ("pykemo.posts.post_revisions", ["PostRevision"]),
        ("pykemo.comments.comments", ["Comment"]),
        ("pykemo.comments.comments_rev", ["CommentRevision"]),
        ("pykemo.files.files", ["File", "BAR_WIDTH"]),
        ("pykemo.announcements.announcements", ["Announcement", "ANN_DATE_FMT"]),
        ("pykemo.patreon.announcements", ["Announcement"]),
        ("pykemo.fanbox.fancards", ["Fancard", "FANC_DATE_FMT"]),
        ("pykemo.discord.channels", ["DiscordChannel", "OFFSET_STEPPING"]),
        ("pykemo.discord.messages", ["DiscordMessage"]),
        ("pykemo.discord.users", ["DiscordUser"]),
        ("pykemo.tags.tag", ["Tag", "TagName", "TagLike", "TagsDict", "TagsResult"]),
        ("pykemo.accounts.role", ["AccountRole"]),
        ("pykemo.accounts.view", ["AccountView"]),
        ("pykemo.moderation.requests.creator_lnk_req", ["CreatorLinkRequest"]),
        ("pykemo.moderation.requests.creator_lnk_status", ["CreatorLinkStatus"]),
        ("pykemo.general.general_func", ["login", "register", "get_posts", "MAX_POSTS_LIMIT"]),
        ("pykemo._aux.aux_classes", ["FileHashResult"]),
    ],
)
def test_module_paths(path: str, names: list[str]) -> None:
    module = importlib.import_module(path)
    for name in names:
        assert hasattr(module, name), f"{path}.{name}"


def test_enum_values_match_the_original() -> None:
    from pykemo import APIVersion, ServiceType, UrlType

    assert ServiceType.SUSCRIBE_STAR.value == "subscribestar"
    assert UrlType.DATA.format_data(3) == "https://c3.kemono.su"
    assert UrlType.API.format_data(3) == UrlType.API.value
    assert (APIVersion.V1.value, APIVersion.V2.value) == ("/v1", "/v2")


def test_exception_tree() -> None:
    from pykemo import exceptions as exc

    for klass in (
        exc.LoginError,
        exc.RegisterError,
        exc.InvalidRole,
        exc.InsufficientPrivileges,
        exc.IncorrectService,
        exc.PyKemoHTTPError,
    ):
        assert issubclass(klass, exc.PyKemoException)
    assert issubclass(exc.PyKemoException, kemopix.KemopixError)
    assert issubclass(exc.InvalidLogin, exc.LoginError)
    assert issubclass(exc.AlreadyLoggedIn, exc.LoginError)
    assert issubclass(exc.InvalidRegister, exc.RegisterError)
    assert issubclass(exc.NotFanbox, exc.IncorrectService)
    # The core class comes first: generic handlers keep working.
    assert exc.InvalidLogin.__mro__[1] is site_errors.InvalidCredentials
    assert issubclass(exc.InsufficientPrivileges, kemopix.NotFound)
    assert issubclass(exc.PyKemoValueError, ValueError)


def test_error_map_rebases_core_errors() -> None:
    from pykemo.exceptions import PYKEMO_ERRORS, InvalidLogin, PyKemoNotFound

    core = site_errors.InvalidCredentials("bad", status=400, url="http://x/api/v1/login")
    mapped = PYKEMO_ERRORS.translate(core)
    assert isinstance(mapped, InvalidLogin)
    assert getattr(mapped, "status", None) == 400
    assert isinstance(PYKEMO_ERRORS.translate(kemopix.NotFound("gone", status=404)), PyKemoNotFound)
