"""The downloader's one settings value: what the CLI builds, and no secret in its repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from kemopix.cli.config import FileConfig
from kemopix.cli.parser import parse_args
from kemopix.cli.settings import parse_targets, run_settings
from kemopix.downloader import RunSettings


def test_run_settings_from_options_and_no_secret_in_its_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEMOPIX_CONFIG_DIR", str(tmp_path / "config"))
    args = parse_args(["download", "https://www.pixiv.net/users/11", "--rate", "2",
                       "--retries", "7", "--comments", "--no-shared-budget"])  # fmt: skip
    targets = parse_targets(list(args.urls), run_settings(args, FileConfig(), tmp_path).origins)
    settings = run_settings(args, FileConfig(), tmp_path, targets=targets, pixiv_token="tok-123")
    assert isinstance(settings, RunSettings) and settings.root == tmp_path
    assert settings.pixiv_token == "tok-123" and settings.kemono_sessions == {}
    assert settings.runners["pixiv"].retry.max_attempts == 7
    assert settings.hosts("app-api.pixiv.net").rate == 2.0
    assert settings.comments == {"kemono": True, "pixiv": True}
    assert settings.shared_budget is False
    assert "tok-123" not in repr(settings)
