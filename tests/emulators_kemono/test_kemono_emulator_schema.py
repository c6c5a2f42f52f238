"""Emulator responses checked against the official OpenAPI 1.0.0 schema (a small validator)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from kemopix.emulators.kemono_server import KemonoEmulator

# A verbatim copy of /work/shared/docs/kemono-openapi-1.0.0.json, so a clone is self-contained.
SPEC_PATH = Path(__file__).with_name("kemono-openapi-1.0.0.json")
CSS = {"Accept": "text/css"}
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def validate(
    instance: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$"
) -> list[str]:
    """Errors of ``instance`` against the subset type/properties/items/required/$ref/format.

    ``null`` is accepted for any type: the specification's own examples carry ``null`` in
    string fields (``ihash``, ``edited``) without marking them nullable.
    """
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return validate(instance, target, root, at)
    if instance is None:
        return []
    errors: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        ok = isinstance(instance, TYPES[kind])
        if kind in ("integer", "number") and isinstance(instance, bool):
            ok = False
        if not ok:
            return [f"{at}: expected {kind}, got {type(instance).__name__}"]
    if schema.get("format") == "date-time" and isinstance(instance, str):
        if not DATE_TIME.match(instance):
            errors.append(f"{at}: not a date-time: {instance!r}")
    if isinstance(instance, dict):
        errors.extend(
            f"{at}: missing {name}" for name in schema.get("required", []) if name not in instance
        )
        for name, sub in schema.get("properties", {}).items():
            if name in instance:
                errors.extend(validate(instance[name], sub, root, f"{at}.{name}"))
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            errors.extend(validate(item, schema["items"], root, f"{at}[{index}]"))
    return errors


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return data


def response_spec(spec: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    content: dict[str, Any] = spec["paths"][path][method]["responses"]["200"]["content"]
    return next(iter(content.values()))


def check(spec: dict[str, Any], path: str, body: Any) -> None:
    media = response_spec(spec, path)
    assert validate(body, media["schema"], spec) == []
    example = media.get("example")
    if isinstance(example, list) and example and isinstance(body, list) and body:
        assert set(example[0]) <= set(body[0]), set(example[0]) - set(body[0])
    elif isinstance(example, dict):
        assert set(example) <= set(body), set(example) - set(body)


def test_validator_rejects_wrong_types(spec: dict[str, Any]) -> None:
    schema = response_spec(spec, "/{service}/user/{creator_id}/fancards")["schema"]
    assert validate([{"id": "1", "size": 3}], schema, spec) == [
        "$[0].id: expected integer, got str"
    ]
    assert validate({"a": 1}, schema, spec) == ["$: expected array, got dict"]
    assert validate({}, {"required": ["x"]}, spec) == ["$: missing x"]
    assert validate({}, {"$ref": "#/components/schemas/401"}, spec) == []
    assert validate(True, {"type": "integer"}, spec) == ["$: expected integer, got bool"]


def test_spec_examples_pass_the_validator(spec: dict[str, Any]) -> None:
    for path, methods in spec["paths"].items():
        for operation in methods.values():
            for media in operation["responses"].get("200", {}).get("content", {}).values():
                if "example" in media and "schema" in media:
                    assert validate(media["example"], media["schema"], spec) == [], path


def get(emu: KemonoEmulator, path: str, **kwargs: Any) -> Any:
    response = requests.get(emu.api_url + path, headers=CSS, timeout=10, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_public_responses_match_schema(
    kemono_emulator: KemonoEmulator, spec: dict[str, Any]
) -> None:
    demo = "/patreon/user/demo-creator"
    check(
        spec,
        "/{service}/user/{creator_id}/announcements",
        get(kemono_emulator, demo + "/announcements"),
    )
    check(
        spec,
        "/{service}/user/{creator_id}/fancards",
        get(kemono_emulator, "/fanbox/user/70050825/fancards"),
    )
    server = get(kemono_emulator, "/discord/server/1000000000000000001")
    channel = server["channels"][1]["id"]
    check(
        spec, "/discord/channel/{channel_id}", get(kemono_emulator, f"/discord/channel/{channel}")
    )
    check(
        spec,
        "/discord/channel/lookup/{discord_server}",
        get(kemono_emulator, "/discord/channel/lookup/1000000000000000001"),
    )
    posts = get(kemono_emulator, demo + "/posts")
    sha = posts[0]["file"]["path"].rsplit("/", 1)[-1][:64]
    check(spec, "/search_hash/{file_hash}", get(kemono_emulator, f"/search_hash/{sha}"))
    version = requests.get(kemono_emulator.api_url + "/app_version", headers=CSS, timeout=10)
    assert "text/plain" in version.headers["Content-Type"]
    assert validate(version.text, response_spec(spec, "/app_version")["schema"], spec) == []


def test_revisions_match_schema_except_the_string_quirk(
    kemono_emulator: KemonoEmulator, spec: dict[str, Any]
) -> None:
    path = "/{service}/user/{creator_id}/post/{post_id}/revisions"
    kemono_emulator.edit_post("patreon", "demo-creator", "1000002", title="Edited")
    check(spec, path, get(kemono_emulator, "/patreon/user/demo-creator/post/1000002/revisions"))
    quirky = get(kemono_emulator, "/patreon/user/demo-creator/post/1000006/revisions")
    errors = validate(quirky, response_spec(spec, path)["schema"], spec)
    assert errors == ["$[1].file: expected object, got str"]  # gallery-dl #8929, on purpose


def test_favorites_and_flag_statuses(kemono_emulator: KemonoEmulator, spec: dict[str, Any]) -> None:
    session = requests.Session()
    session.headers.update(CSS)
    api = kemono_emulator.api_url
    creds = {"username": "schema", "password": "pw", "confirm_password": "pw"}
    assert session.post(api + "/authentication/register", json=creds, timeout=10).ok
    assert session.post(api + "/authentication/login", json=creds, timeout=10).ok
    assert session.post(api + "/favorites/creator/patreon/demo-creator", timeout=10).ok
    favorites = session.get(api + "/account/favorites", params={"type": "artist"}, timeout=10)
    check(spec, "/account/favorites", favorites.json())
    flag_spec = spec["paths"]["/{service}/user/{creator_id}/post/{post}/flag"]
    url = api + "/patreon/user/demo-creator/post/1000004/flag"
    assert str(session.get(url, timeout=10).status_code) in flag_spec["get"]["responses"]
    statuses = [str(session.post(url, timeout=10).status_code) for _ in range(2)]
    assert statuses == sorted(flag_spec["post"]["responses"])
    assert str(session.get(url, timeout=10).status_code) in flag_spec["get"]["responses"]
