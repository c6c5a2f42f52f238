"""Run gallery-dl with its site origins pointed at local emulators; nothing else changes.

Usage (in the peers venv): ``python bench/peers/gallery_dl_at.py ORIGIN=LOCAL [...] -- ARGS``,
e.g. ``https://kemono.cr=http://127.0.0.1:8080 -- --config-ignore -d out URL``.

gallery-dl knows each site by its real origin (``https://kemono.cr``,
``https://app-api.pixiv.net``...), and its extractors build every request URL from that
origin. This adapter rewrites the prefix of each outgoing request URL, at the one place every
request passes (requests' ``HTTPAdapter.send``), so gallery-dl's own extraction, paging,
retries and download code run unchanged against the emulator.
"""

from __future__ import annotations

import sys
from typing import Any

import requests.adapters


def _install(mapping: list[tuple[str, str]]) -> None:
    original_send = requests.adapters.HTTPAdapter.send

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        url = request.url or ""
        for origin, local in mapping:
            if url == origin or url.startswith((origin + "/", origin + "?")):
                request.url = local + url[len(origin) :]
                break
        return original_send(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    split = argv.index("--")
    mapping = [tuple(pair.split("=", 1)) for pair in argv[:split]]
    _install([(origin.rstrip("/"), local.rstrip("/")) for origin, local in mapping])
    from gallery_dl import main as gallery_dl_main

    sys.argv = ["gallery-dl", *argv[split + 1 :]]
    return int(gallery_dl_main() or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
