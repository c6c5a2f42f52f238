"""Instructions a ``kemopix download`` of a pixiv user executes: a figure the machine's load
does not move (wall time swings 2x on a shared 2-core machine; counted instructions barely).

The pixiv scenario of ``bench_peers.py`` (the emulator in its own process, a user with
``--works`` added works), ``kemopix download`` run under ``valgrind --tool=cachegrind
--cache-sim=no`` (its process only; the disk helper is not counted), this tree and, with
``--baseline TREE``, another source tree in the same run; ``--works 0`` leaves about the
fixed cost (start-up and exit). Each run downloads into a fresh folder on tmpfs where there is
one, so the disk does not decide what the process does. Prints the counts and their ratio.

Run: ``.venv/bin/python bench/bench_instructions.py [--works 350] [--baseline TREE]``
(needs ``valgrind``: ``apt-get install valgrind``; ~10 s a run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_common import compiled
from bench_peers import pixiv_emulator

REPO = Path(__file__).resolve().parent.parent
# The console script's own entry point; a tree from before it existed runs main().
_ENTRY = (
    "import sys\n"
    "try:\n    from kemopix.cli import run\nexcept ImportError:\n"
    "    from kemopix.cli import main\n    sys.exit(main())\n"
    "run()\n"
)


def instructions(tree: Path, argv: list[str], env: dict[str, str]) -> int:
    """Instructions of one run of the kemopix of ``tree`` (its ``src`` first on the path)."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", _ENTRY, *argv],
        env={**env, "PYTHONPATH": str(tree / "src")}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"kemopix failed under valgrind: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--works", type=int, default=350, help="pixiv works to add")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", type=Path, help="another kemopix tree, in the same run")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)")
        return 1
    trees = {"kemopix": REPO}
    if args.baseline is not None:
        trees["kemopix-before"] = args.baseline.resolve()
    compiled(*trees.values())
    where = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with pixiv_emulator(args.works) as emu, tempfile.TemporaryDirectory(dir=where) as work:
        url, token, user = emu["url"], emu["refresh_token"], emu["user"]
        config = Path(work) / "config"
        config.mkdir()
        (config / "pixiv-token.json").write_text(json.dumps({"refresh_token": token}))
        os.chmod(config / "pixiv-token.json", 0o600)
        env = dict(os.environ, KEMOPIX_CONFIG_DIR=str(config), KEMOPIX_PIXIV_API_URL=url,
                   KEMOPIX_CACHE_DIR=str(Path(work) / "cache"))  # fmt: skip
        command = ["download", f"https://www.pixiv.net/users/{user}", "--pixiv-url", url, "-q"]
        # A first run outside the count: the access token is then cached, as on a second run.
        subprocess.run([sys.executable, "-c", _ENTRY, *command, "-o", f"{work}/warm"],
                       env={**env, "PYTHONPATH": str(REPO / "src")}, check=True)  # fmt: skip
        counts: dict[str, list[int]] = {name: [] for name in trees}
        for n in range(args.rounds):
            for name, tree in trees.items():
                out = f"{work}/{name}-{n}"
                counts[name].append(instructions(tree, [*command, "-o", out], env))
                shutil.rmtree(out, ignore_errors=True)
    print(f"pixiv user with {args.works} added works, instructions of `kemopix download`:")
    least = {name: min(values) for name, values in counts.items()}
    for name, value in least.items():
        print(f"  {name:<16} {value / 1e6:9.1f} million")
    if "kemopix-before" in least:
        print(f"  kemopix / kemopix-before = {least['kemopix'] / least['kemopix-before']:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
