"""Post signatures and file extensions stay what they were (the archive compares signatures
run after run; templates name files by extension)."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from kemopix.downloader.model import RemoteFile, signature_of


def _reference(*parts: Any) -> str:
    def default(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else str(value)

    text = json.dumps(parts, default=default, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def test_signatures_are_json_dumps_digests() -> None:
    rng = random.Random(19)
    when = datetime(2024, 6, 4, 23, 53, 36, 498767, UTC)
    scalars: list[Any] = [
        *("", "Work 2", "é\u3042", 'q"\\', "\x00\x1f\x7f\n\t", "\u2028", "2023-11-15T00:13:20"),
        *(None, 0, -7, 2**70, 1.5, float("nan"), float("inf"), True, False),
        *(when, when.astimezone(timezone(timedelta(hours=9))), when.replace(tzinfo=None)),
        b"bytes",
        frozenset({1}),
    ]

    def value(depth: int) -> Any:
        kind = rng.randrange(4 if depth < 3 else 1)
        if kind == 1:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        if kind == 2:
            return tuple(value(depth + 1) for _ in range(rng.randrange(3)))
        if kind == 3:
            return {rng.choice(["b", "a", "é", "1"]): value(depth + 1) for _ in range(3)}
        return rng.choice(scalars)

    for _ in range(3_000):
        parts = [value(0) for _ in range(rng.randrange(5))]
        assert signature_of(*parts) == _reference(*parts), parts
    assert signature_of("Work 2", "2023-11-15T00:13:20", ["/13/20/x.bin"], None) == _reference(
        "Work 2", "2023-11-15T00:13:20", ["/13/20/x.bin"], None
    )


def test_extensions_as_before() -> None:
    def reference(name: str, url: str) -> str:
        for source in (name, url.split("?", 1)[0]):
            tail = source.rsplit("/", 1)[-1]
            if "." in tail:
                ext = tail.rsplit(".", 1)[1].lower()
                if ext.isalnum() and len(ext) <= 16:
                    return ext
        return ""

    rng = random.Random(22)
    chars = ["a", "B", "1", ".", "/", "?", "é", "Ⅻ", " ", "-", "x" * 15, "İ"]
    for _ in range(5_000):
        name, url = ("".join(rng.choice(chars) for _ in range(rng.randrange(7))) for _ in "nu")
        file = RemoteFile(url=url, name=name, index=1)
        assert file.extension == reference(name, url), (name, url)
