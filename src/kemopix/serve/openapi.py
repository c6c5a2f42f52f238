"""The OpenAPI 3.1 document of ``/api/`` (served at ``/api/openapi.json``)."""

from __future__ import annotations

import functools
from typing import Any

from .. import __version__

__all__ = ["openapi_document"]

_FILTERS = [
    ("type", "image, video, audio, archive, document, ugoira, novel or text (no file)"),
    ("tag", "posts with this tag"),
    ("after", "published on or after YYYY[-MM[-DD]]"),
    ("before", "published before YYYY[-MM[-DD]]"),
]


def _query(name: str, description: str, schema: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": schema}}  # fmt: skip


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _get(summary: str, params: list[dict[str, Any]], schema: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {
                    "description": summary,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                    },
                },
                "400": {"description": "a malformed parameter", "content": _error()},
                "404": {"description": "no such item", "content": _error()},
            },
        }
    }


def _error() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


_S = {"type": "string"}
_I = {"type": "integer"}
_NS = {"type": ["string", "null"]}
_NI = {"type": ["integer", "null"]}


@functools.cache  # built once per process: it does not change while it runs
def openapi_document() -> dict[str, Any]:
    """What ``/api/`` serves, for tools that read an archive (LANraragi, stash, scripts)."""
    page = [_query("page", "page number, from 1", "integer")]
    filters = [_query(name, text) for name, text in _FILTERS]
    health = {"type": "object", "additionalProperties": _I}
    creator = _obj(
        key=_S, site=_S, service=_S, id=_S, name=_S, posts=_I, files=_I, bytes=_I,
        last_sync={"type": ["number", "null"]}, avatar=_NI, health=health,
    )  # fmt: skip
    card = _obj(
        site=_S, service=_S, id=_S, creator=_S, title=_S, kind=_S, published=_NS, files=_I,
        bytes=_I, cover=_NI, types={"type": "array", "items": _S},
        tags={"type": "array", "items": _S},
    )  # fmt: skip
    file = _obj(
        id=_I, index=_I, name=_S, stored_name=_S, kind=_S, media=_S, size=_NI, sha256=_NS,
        expected_sha256=_NS, verified={"type": "boolean"}, state=_S,
        on_disk={"type": "boolean"}, error=_NS, url=_S,
    )  # fmt: skip
    paging = _obj(page=_I, pages=_I, total=_I, size=_I, more=_I)
    ref = {"$ref": "#/components/schemas/"}
    posts = {"type": "array", "items": {"$ref": ref["$ref"] + "PostCard"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kemopix archive",
            "version": __version__,
            "description": "Read-only data of one kemopix archive folder. File bytes are at "
            "/file/{id} (Range supported), thumbnails at /thumb/{id}, ugoira frames at "
            "/ugoira/{id}/{n}.",
        },
        "paths": {
            "/api/creators": _get("every archived creator", [], "Creators"),
            "/api/creators/{site}/{service}/{id}": _get(
                "a creator and one page of its posts, newest first",
                [_path("site"), _path("service"), _path("id"), *page, *filters],
                "Creator",
            ),
            "/api/posts/{site}/{service}/{id}": _get(
                "a post: sanitized HTML, files, ugoira timing, links, revisions, comments",
                [_path("site"), _path("service"), _path("id")],
                "Post",
            ),
            "/api/files/{id}": _get("one file's record", [_path("id")], "File"),
            "/api/search": _get(
                "full-text search over titles, text, tags and file names",
                [
                    _query("q", "words (all must match; word* for a prefix)"),
                    _query("site", "kemono, coomer, pawchive or pixiv"),
                    _query("creator", "a creator key site/service/id"),
                    *filters,
                    *page,
                ],
                "Search",
            ),
            "/api/health": _get("files and posts needing attention", [], "Health"),
        },
        "components": {
            "schemas": {
                "Error": _obj(error=_S),
                "CreatorSummary": creator,
                "PostCard": card,
                "File": file,
                "Paging": paging,
                "Creators": _obj(
                    creators={"type": "array", "items": {"$ref": ref["$ref"] + "CreatorSummary"}}
                ),
                "Creator": _obj(
                    creator={"$ref": ref["$ref"] + "CreatorSummary"},
                    posts=posts,
                    paging={"$ref": ref["$ref"] + "Paging"},
                    filters={"type": "object"},
                    tags={"type": "array", "items": _S},
                ),
                "Post": _obj(
                    post={"$ref": ref["$ref"] + "PostCard"},
                    creator={"$ref": ref["$ref"] + "CreatorSummary"},
                    author=_NS,
                    content_html=_S,
                    text=_NS,
                    files={"type": "array", "items": {"$ref": ref["$ref"] + "File"}},
                    ugoira={"type": ["object", "null"]},
                    external_links={"type": "array", "items": {"type": "object"}},
                    revisions={},
                    comments={},
                    newer={"type": ["object", "null"]},
                    older={"type": ["object", "null"]},
                ),
                "Search": _obj(
                    query=_S,
                    filters={"type": "object"},
                    posts=posts,
                    paging={"$ref": ref["$ref"] + "Paging"},
                    sites={"type": "array", "items": _S},
                ),
                "Health": _obj(
                    total=health,
                    creators={"type": "array", "items": {"$ref": ref["$ref"] + "CreatorSummary"}},
                    problems={"type": "array", "items": {"type": "object"}},
                ),
            }
        },
    }
