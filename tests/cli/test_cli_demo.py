"""`kemopix demo`: both emulators, one creator each, a tree of the result; idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from kemopix.cli import main


def test_demo_archives_both_sites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    monkeypatch.setenv("KEMOPIX_CONFIG_DIR", str(config))
    monkeypatch.setenv("KEMOPIX_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "demo-output"
    assert main(["demo", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "kemono" in text and "Demo Creator" in text and "Demo Artist [2188232]" in text
    assert "0 failed" in text
    assert (out / "kemono" / "patreon" / "Demo Creator").is_dir()
    assert any((out / "pixiv").rglob("*.png"))
    assert not config.exists()  # the demo account's token is not stored
    assert main(["demo", "-o", str(out)]) == 0
    assert "0 files downloaded" in capsys.readouterr().out
