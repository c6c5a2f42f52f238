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
    return imported_modules_of(path.read_text())


def imported_modules_of(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from http import client``: the name may be a submodule
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
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


KEMOPIX_DIR = PROTOCOL_DIR.parent


def _is_module(name: str) -> bool:
    """Whether the dotted kemopix ``name`` is a module or package of the source tree."""
    where = KEMOPIX_DIR.joinpath(*name.split(".")[1:])
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def kemopix_imports(path: Path, source: str | None = None) -> set[str]:
    """The kemopix modules ``path`` (or ``source`` as if it stood there) imports: relative
    imports resolved, and ``from .. import x`` names ``x`` when it is a module."""
    package = ["kemopix", *path.parent.relative_to(KEMOPIX_DIR).parts]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module:
                module = node.module
            else:
                continue
            names.add(module)
            if module == "kemopix" or module.startswith("kemopix."):
                found = (f"{module}.{alias.name}" for alias in node.names)
                names.update(name for name in found if _is_module(name))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name == "kemopix" or name.startswith("kemopix.")}


def test_kemopix_imports_sees_every_import_form() -> None:
    source = (
        "from .. import emulators\n"
        "from ..emulators import kemono_server\n"
        "from kemopix import ugoira\n"
        "import kemopix._server\n"
        "from . import source, not_a_module\n"
        "from .views import post_page\n"
    )
    assert kemopix_imports(KEMOPIX_DIR / "serve" / "probe.py", source) == {
        "kemopix",
        "kemopix.emulators",
        "kemopix.emulators.kemono_server",
        "kemopix.ugoira",
        "kemopix._server",
        "kemopix.serve",
        "kemopix.serve.source",
        "kemopix.serve.views",
    }


def test_the_protocol_import_check_sees_from_package_import_module() -> None:
    tree = "from http import client\nfrom typing import Any\n"
    assert "http.client" in imported_modules_of(tree)


def test_the_threaded_server_base_imports_nothing_of_kemopix() -> None:
    # the emulators and `kemopix serve` both build on it: it must sit below both
    assert kemopix_imports(KEMOPIX_DIR / "_server.py") == set()


def test_the_viewer_does_not_depend_on_the_emulators() -> None:
    for path in sorted((KEMOPIX_DIR / "serve").glob("*.py")):
        assert not any(n.startswith("kemopix.emulators") for n in kemopix_imports(path)), path


def test_the_emulators_import_nothing_of_the_client_side() -> None:
    for path in sorted((KEMOPIX_DIR / "emulators").rglob("*.py")):
        for name in kemopix_imports(path):
            assert name.startswith("kemopix.emulators") or name == "kemopix._server", (path, name)
