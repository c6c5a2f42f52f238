"""The protocol layer does no I/O: it may not import network or event-loop modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import kemopix._protocol

FORBIDDEN = {"requests", "aiohttp", "asyncio", "socket", "urllib3", "http.client", "ssl"}
PROTOCOL_DIR = Path(kemopix._protocol.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_protocol_sources_import_no_io_modules() -> None:
    files = sorted(PROTOCOL_DIR.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for name in imported_modules(path):
            root = name.split(".")[0]
            assert root not in FORBIDDEN and name not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_the_protocol_layer_loads_no_io_modules() -> None:
    code = (
        "import sys, kemopix._protocol, kemopix.files.paths\n"
        f"bad = sorted(m for m in {sorted(FORBIDDEN)!r} if m in sys.modules)\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
