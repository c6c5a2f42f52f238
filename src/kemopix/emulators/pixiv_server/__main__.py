"""``python -m kemopix.emulators.pixiv_server``."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
