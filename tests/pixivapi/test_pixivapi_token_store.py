"""The saved refresh token: a 0600 file under KEMOPIX_CONFIG_DIR (or the platform folder)."""

from __future__ import annotations

import stat
from pathlib import Path

import platformdirs
import pytest

from pixivapi import auth


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cfg" / "kemopix"
    monkeypatch.setenv("KEMOPIX_CONFIG_DIR", str(folder))
    return folder


def test_save_then_load_round_trips_in_a_private_file(config_dir: Path) -> None:
    assert auth.load_refresh_token() is None
    path = auth.save_refresh_token("refresh-token-value")
    assert path == config_dir / "pixiv-token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert auth.load_refresh_token() == "refresh-token-value"
    auth.save_refresh_token("second")
    assert auth.load_refresh_token() == "second"
    assert [p.name for p in config_dir.iterdir()] == ["pixiv-token.json"]  # no temp left over


def test_unreadable_or_missing_token_files_load_as_none(config_dir: Path) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "pixiv-token.json").write_text("not json")
    assert auth.load_refresh_token() is None
    (config_dir / "pixiv-token.json").write_text('{"refresh_token": 5}')
    assert auth.load_refresh_token() is None
    assert auth.delete_refresh_token() is True
    assert auth.delete_refresh_token() is False


def test_empty_tokens_are_refused(config_dir: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        auth.save_refresh_token("  ")
    assert not config_dir.exists()


def test_default_folder_is_the_platform_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEMOPIX_CONFIG_DIR", raising=False)
    assert auth.config_dir() == Path(platformdirs.user_config_dir("kemopix"))


def test_pkce_login_url_gives_url_and_verifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEMOPIX_PIXIV_URL", "http://127.0.0.1:9")
    url, verifier = auth.pkce_login_url()
    assert url.startswith("http://127.0.0.1:9/web/v1/login?code_challenge=")
    assert len(verifier) >= 43
