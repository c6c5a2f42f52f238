"""Pure logic of ``kemopix.sites.pixiv``: hosts, headers, PKCE, cursors, error classification.

No sockets here: these functions do no I/O. Everything that talks HTTP is tested against the
emulator in the other files.
"""

from __future__ import annotations

import ast
import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

import kemopix.sites.pixiv
from kemopix._protocol import DecodeError, Request, Response
from kemopix.sites.pixiv import (
    PKCE_REDIRECT_URI,
    InvalidToken,
    OAuthError,
    PixivAuth,
    PixivSite,
    api_message,
    api_path,
    client_time_headers,
    is_invalid_token,
    is_rate_limit,
    make_pkce,
    next_cursor_value,
    raise_for_error,
)
from kemopix.sites.pixiv.auth import code_grant, password_grant, refresh_grant
from kemopix.sites.pixiv.models import UgoiraFrame, UgoiraMetadata
from kemopix.sites.pixiv.novel import parse_novel_text

FORBIDDEN = {"requests", "aiohttp", "asyncio", "socket", "urllib3", "http.client", "ssl"}


def test_the_site_protocol_imports_no_io_modules() -> None:
    folder = Path(kemopix.sites.pixiv.__file__).parent
    files = sorted(folder.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_site_defaults_to_real_pixiv_and_env_overrides_hosts() -> None:
    site = PixivSite.from_env({})
    assert site.api_url == "https://app-api.pixiv.net"
    assert site.token_url == "https://oauth.secure.pixiv.net/auth/token"
    one = PixivSite.from_env({"KEMOPIX_PIXIV_URL": "http://127.0.0.1:9/"})
    assert (one.api_url, one.oauth_url, one.image_url) == ("http://127.0.0.1:9",) * 3
    api_only = PixivSite.from_env({"KEMOPIX_PIXIV_API_URL": "http://127.0.0.1:8"})
    assert api_only.oauth_url == "http://127.0.0.1:8" and api_only.image_url is None
    split = PixivSite.from_env(
        {
            "KEMOPIX_PIXIV_API_URL": "http://127.0.0.1:8",
            "KEMOPIX_PIXIV_OAUTH_URL": "http://127.0.0.1:7",
        }
    )
    assert split.token_url == "http://127.0.0.1:7/auth/token"
    with pytest.raises(ValueError, match="http"):
        PixivSite(api_url="ftp://example.org")


def test_next_url_is_rebased_on_the_configured_api_host() -> None:
    site = PixivSite.at("http://127.0.0.1:5")
    url = site.api("https://app-api.pixiv.net/v1/user/illusts?user_id=1&offset=30")
    assert url == "http://127.0.0.1:5/v1/user/illusts?user_id=1&offset=30"
    assert site.is_api_host(url) and not site.is_api_host("https://i.pximg.net/a.png")
    assert site.image("https://i.pximg.net/img-original/1_p0.png") == (
        "http://127.0.0.1:5/img-original/1_p0.png"
    )
    assert site.image("https://example.org/a.png") == "https://example.org/a.png"


def test_headers_carry_the_app_identity_language_and_token() -> None:
    headers = PixivSite(language="English").headers("tok")
    assert headers["App-OS"] == "ios" and headers["Accept-Language"] == "English"
    assert headers["Authorization"] == "Bearer tok"
    assert "Authorization" not in PixivSite().headers(None)


def test_client_hash_is_md5_of_time_and_salt() -> None:
    headers = client_time_headers(datetime(2026, 11, 23, 0, 34, 4, tzinfo=UTC))
    assert headers["X-Client-Time"] == "2026-11-23T00:34:04+00:00"
    salt = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"
    expected = hashlib.md5((headers["X-Client-Time"] + salt).encode()).hexdigest()
    assert headers["X-Client-Hash"] == expected


def test_pkce_challenge_is_s256_of_the_verifier_and_secret_stays_out_of_repr() -> None:
    pkce = make_pkce(PixivSite())
    digest = hashlib.sha256(pkce.verifier.encode()).digest()
    assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert pkce.url.startswith("https://app-api.pixiv.net/web/v1/login?code_challenge=")
    assert "code_challenge_method=S256" in pkce.url and "client=pixiv-android" in pkce.url
    assert pkce.verifier not in repr(pkce)
    assert make_pkce().verifier != pkce.verifier


def _form(request: Request) -> dict[str, str]:
    from urllib.parse import parse_qsl

    assert request.content is not None
    return dict(parse_qsl(request.content.decode()))


def test_grants_send_the_protocol_fields() -> None:
    site = PixivSite()
    password = next(password_grant(site, "user", "pw"))
    refresh = next(refresh_grant(site, "rt"))
    code = next(code_grant(site, "c0de", "verif"))
    for request in (password, refresh, code):
        form = _form(request)
        assert request.url == "https://oauth.secure.pixiv.net/auth/token"
        assert form["client_id"] == site.client_id and form["get_secure_url"] == "1"
        assert request.header("X-Client-Hash") and request.header("X-Client-Time")
    assert _form(password)["grant_type"] == "password"
    assert _form(refresh) | {"grant_type": "refresh_token", "refresh_token": "rt"} == _form(refresh)
    code_form = _form(code)
    assert code_form["grant_type"] == "authorization_code"
    assert code_form["code_verifier"] == "verif" and code_form["redirect_uri"] == PKCE_REDIRECT_URI
    assert "Android" in (code.header("User-Agent") or "")
    assert not password.retryable and refresh.retryable
    assert "pw" not in repr(password)


def test_api_path_drops_none_and_spells_booleans_and_enums() -> None:
    from pixivapi.enums import Visibility

    assert api_path("/v1/x", {"a": 1, "b": None, "c": True, "d": Visibility.PRIVATE}) == (
        "/v1/x?a=1&c=true&d=private"
    )
    assert api_path("/v1/x", {"ids[]": [1, 2]}) == "/v1/x?ids%5B%5D=1&ids%5B%5D=2"
    assert api_path("/v1/x", {}) == "/v1/x"


def test_next_cursor_value_reads_the_seed_next() -> None:
    url = "https://app-api.pixiv.net/v1/user/bookmarks/illust?user_id=1&max_bookmark_id=99"
    assert next_cursor_value(url, "max_bookmark_id") == 99
    assert next_cursor_value(url, "offset") is None
    assert next_cursor_value(None, "offset") is None


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> Response:
    request = Request.build("GET", "https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
    return Response(status, headers or {}, body, request.url, request)


API_ERROR = b'{"error":{"user_message":"","message":"%s","reason":"","user_message_details":{}}}'


def test_rate_limit_answers_are_recognised() -> None:
    assert is_rate_limit(_response(403, API_ERROR % b"Rate Limit"))
    assert is_rate_limit(_response(429, b"{}"))
    assert not is_rate_limit(_response(403, API_ERROR % b"forbidden"))
    from kemopix._protocol import RateLimited

    with pytest.raises(RateLimited) as info:
        raise_for_error(_response(403, API_ERROR % b"Rate Limit", {"retry-after": "7"}), 0.0)
    assert info.value.retry_after == 7.0 and info.value.status == 403
    assert "Rate Limit" in str(info.value)


def test_token_errors_and_api_messages_are_typed() -> None:
    expired = API_ERROR % (
        b"Error occurred at the OAuth process. Please check your Access Token to fix this. "
        b"Error Message: invalid_grant"
    )
    assert is_invalid_token(_response(400, expired))
    with pytest.raises(InvalidToken):
        raise_for_error(_response(400, expired))
    oauth = (
        b'{"has_error":true,"errors":{"system":{"message":"Invalid refresh token",'
        b'"code":1508}},"error":"invalid_grant"}'
    )
    assert api_message(_response(400, oauth)) == "Invalid refresh token"
    assert api_message(_response(404, b'{"error":{"user_message":"Page not found"}}')) == (
        "Page not found"
    )
    assert api_message(_response(500, b"<html>")) is None
    assert issubclass(OAuthError, Exception)


def test_novel_text_is_cut_from_the_web_view() -> None:
    html = (
        "<html><script>Object.defineProperty(window, 'pixiv', {value: {\n"
        '  novel: {"id":"12","title":"T","text":"line1\\nline2","seriesId":null,'
        '"userId":"3","tags":["a","b"],"aiType":1,"extra":{"x":[1,2]}},\n'
        "  isOwnWork: false}});</script></html>"
    )
    novel = parse_novel_text(html)
    assert novel.title == "T" and novel.text == "line1\nline2"
    assert novel.tags == ["a", "b"] and novel.ai_type == 1
    with pytest.raises(DecodeError):
        parse_novel_text("<html>nothing here</html>")


def test_ugoira_metadata_knows_the_full_size_zip_and_delays() -> None:
    meta = UgoiraMetadata(
        {"medium": "https://i.pximg.net/img-zip-ugoira/img/x/1_ugoira600x600.zip"},
        [UgoiraFrame("000000.jpg", 40), UgoiraFrame("000001.jpg", 60)],
    )
    assert meta.zip_url().endswith("1_ugoira1920x1080.zip")
    assert meta.zip_url(original=False).endswith("1_ugoira600x600.zip")
    assert meta.delays == [40, 60]


def test_auth_state_expiry_and_repr_without_tokens() -> None:
    now = [1000.0]
    auth = PixivAuth(refresh_token="refresh-secret", clock=lambda: now[0])
    assert auth.expired
    token = msgspec.convert(
        {"access_token": "access-secret", "refresh_token": "refresh-2", "expires_in": 3600},
        kemopix.sites.pixiv.models.TokenResponse,
    )
    auth.store(token)
    fresh = auth.expired
    now[0] += 3600 - 59
    near_the_end = auth.expired
    assert (fresh, near_the_end, auth.generation) == (False, True, 1)
    assert "secret" not in repr(auth) and "refresh-2" not in repr(auth)


# A URL is drawn part by part: mostly well-formed, with odd pieces mixed in.
URL_PIECES = [
    ("https://", "http://", "HTTPS://", "ftp://", "//", "https:", "", " https://", "ht\ttps://"),
    ("i.pximg.net", "I.PXIMG.net", "127.0.0.1", "h", "user:pw@h", "[::1]", "[::1", "ex\u00e4m.pl"),
    ("", ":8080", ":", ":80x", "\n", "@x"),
    ("", "/img-original/img/2019/01/01/00/00/00/1_p0.png", "/", "/a b", "/é", "/a\tb", "x/y"),
    ("", "?", "?x=1&y=2", "?a?b", "?a#b", "?\r", "?%41"),
    ("", "#", "#frag", "#f?q", "#\n", "\n"),
]


def test_url_parts_give_what_urlsplit_gives() -> None:
    import random
    from urllib.parse import urlsplit

    from kemopix._protocol import http
    from kemopix._protocol.http import host_of
    from kemopix.sites.pixiv.site import url_parts

    rng = random.Random(14)
    plain = 0
    for _ in range(20_000):
        url = "".join(rng.choice(pieces) for pieces in URL_PIECES)
        try:
            parts = urlsplit(url)
            expected: object = (parts.hostname, parts.path, parts.query)
            origin: object = f"{parts.scheme}://{parts.netloc}".lower()
        except ValueError as exc:  # an invalid IPv6 host: the same error
            expected = origin = type(exc)
        try:
            got: object = url_parts(url)
        except ValueError as exc:
            got = type(exc)
        assert got == expected, url
        try:  # the request layer's host, from the same quick path
            host: object = host_of.__wrapped__(url)
        except ValueError as exc:
            host = type(exc)
        assert host == origin, url
        plain += http._PLAIN_URL.match(url) is not None
    assert plain > 500  # the quick path was taken often enough to mean something
    url = "https://i.pximg.net/img-original/img/2019/01/01/00/00/00/74000000_p0.png"
    assert url_parts(url) == ("i.pximg.net", url[19:], "")
    site = PixivSite(image_url="http://127.0.0.1:8080")
    assert site.image(url) == "http://127.0.0.1:8080" + url[19:]
    assert site.image(url + "?x=1#f") == "http://127.0.0.1:8080" + url[19:] + "?x=1"
    assert site.image("https://example.com/a.png") == "https://example.com/a.png"
