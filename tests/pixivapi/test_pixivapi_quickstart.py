"""The seed's Quickstart, taken verbatim from its text, runs against the emulator.

Only the environment changes: KEMOPIX_PIXIV_URL points pixivapi at the emulator and HOME at a
temporary folder (the Quickstart downloads under ``Path.home()``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kemopix.emulators import PixivEmulator

SEED = Path(__file__).with_name("pixiv-api-0.2.1-docs.txt")


def quickstart_code() -> str:
    text = SEED.read_text(encoding="utf-8")
    chapter = text[text.index("CHAPTER 1") : text.index("2.1 Client")]
    blocks = re.findall(r"```\n(.*?)```", chapter, flags=re.DOTALL)
    code = [b for b in blocks if not b.lstrip().startswith("$")]
    return "\n".join(code)


def test_the_quickstart_code_is_what_the_seed_shows() -> None:
    code = quickstart_code()
    assert "client = Client()" in code
    assert "client.login('username', 'password')" in code
    assert "client.authenticate('refresh_token')" in code
    assert "illustration = client.fetch_illustration(75523989)" in code
    assert "response = client.fetch_user_illustrations(" in code
    compile(code, "quickstart", "exec")


def test_the_quickstart_runs_unchanged(pixiv_emulator: PixivEmulator, tmp_path: Path) -> None:
    pixiv_emulator.password_grant = True  # the seed's quickstart logs in with a password
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "KEMOPIX_PIXIV_URL": pixiv_emulator.url,
        "KEMOPIX_CONFIG_DIR": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "-c", quickstart_code()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    images = list((tmp_path / "my_pixiv_images").iterdir())
    assert [p.name.split(".")[0] for p in images] == ["75523989"]
    assert images[0].stat().st_size > 0
    # The loop downloads every page but the last (the seed's loop stops when 'next' is None).
    assert list((tmp_path / "wlop").iterdir())
