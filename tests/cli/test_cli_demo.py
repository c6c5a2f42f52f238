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
    # The summary and the tree count the same media files, and name the metadata beside them.
    downloaded = int(text.split(" files downloaded")[0].rsplit(" ", 1)[-1])
    assert f"{downloaded} media files and " in text and " metadata files " in text
    on_disk = [p for p in out.rglob("*") if p.is_file() and ".kemopix-archive" not in p.name]
    metadata = int(text.split(" media files and ")[1].split(" ")[0])
    assert downloaded + metadata == len(on_disk)
    assert (out / "kemono" / "patreon" / "Demo Creator").is_dir()
    assert any((out / "pixiv").rglob("*.png"))
    assert not config.exists()  # the demo account's token is not stored
    assert main(["demo", "-o", str(out)]) == 0
    assert "0 files downloaded" in capsys.readouterr().out
