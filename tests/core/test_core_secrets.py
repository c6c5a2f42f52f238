"""Credentials never show in reprs, error messages or redacted text."""

from __future__ import annotations

from kemopix._protocol import (
    HTTPStatusError,
    Request,
    Response,
    Secret,
    error_for,
    redact_headers,
    redact_text,
)

TOKEN = "AbCdEf0123456789secretRefresh"


def test_secret_never_reveals_itself() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret) and TOKEN not in str(secret) and TOKEN not in f"{secret}"
    assert secret.reveal() == TOKEN
    assert secret == Secret(TOKEN) and bool(secret)


def test_redact_text_masks_every_form() -> None:
    text = (
        f'{{"refresh_token": "{TOKEN}", "password": "hunter22", "user": "bob"}} '
        f"grant_type=refresh_token&refresh_token={TOKEN}&client_id=abc "
        f"Authorization: Bearer {TOKEN}; Cookie: session={TOKEN}"
    )
    cleaned = redact_text(text)
    assert TOKEN not in cleaned and "hunter22" not in cleaned
    assert '"user": "bob"' in cleaned and "client_id=abc" in cleaned
    assert redact_text("no secrets here", known=[TOKEN]) == "no secrets here"
    assert TOKEN not in redact_text(f"x {TOKEN} y", known=[TOKEN])


def test_request_repr_masks_headers_and_body() -> None:
    request = Request.build(
        "POST",
        "https://oauth.secure.pixiv.net/auth/token",
        headers={"Authorization": f"Bearer {TOKEN}", "Cookie": f"session={TOKEN}"},
        data={"refresh_token": TOKEN},
    )
    assert TOKEN not in repr(request)
    assert redact_headers({"Cookie": "x", "Accept": "y"}) == {"Cookie": "********", "Accept": "y"}


def test_error_messages_and_bodies_are_redacted() -> None:
    request = Request.build("POST", "https://kemono.cr/api/v1/authentication/login")
    body = f'{{"error": "bad", "password": "hunter22", "session": "{TOKEN}"}}'.encode()
    error = error_for(Response(400, {}, body, request.url, request), 0.0)
    assert isinstance(error, HTTPStatusError)
    for text in (str(error), repr(error), error.body):
        assert TOKEN not in text and "hunter22" not in text
    assert "bad" in str(error)
