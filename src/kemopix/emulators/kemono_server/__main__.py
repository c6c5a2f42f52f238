"""``python -m kemopix.emulators.kemono_server``."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
