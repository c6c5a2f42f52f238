"""The command line without any network: help everywhere, one-line errors, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from kemopix.cli import main

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["download"],
        ["plan"],
        ["verify"],
        ["retry-failed"],
        ["fields"],
        ["login"],
        ["login", "kemono"],
        ["login", "pixiv"],
        ["emulate"],
        ["demo"],
    ],
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kemopix")
    assert "exit status" in out or "COMMAND" in out or "SITE" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("kemopix ")


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["download", "https://example.com/x"], "not a Kemono, Coomer, Pawchive or pixiv URL"),
        (["download", "https://kemono.cr/patreon/user/1/oops"], "unrecognised kemono URL"),
        (["download", "https://www.pixiv.net/users/x"], "bad pixiv user id"),
        (["download", "https://kemono.cr/patreon/user/1", "--max-files", "x"], "invalid int"),
        (["download", "https://kemono.cr/patreon/user/1", "--min-size", "big"], "not a size"),
        (["download", "https://kemono.cr/patreon/user/1", "--after", "yesterday"], "not a date"),
        (["download", "https://kemono.cr/patreon/user/1", "--template", "{x}/{name}"], "{x}"),
        (["download", "https://kemono.cr/patreon/user/1", "--rate", "0"], "--rate"),
        # 0 is refused, not taken for "not given" (and the default of 5 attempts used)
        (["download", "https://kemono.cr/patreon/user/1", "--retries", "0"], "--retries"),
        (["download", "https://kemono.cr/patreon/user/1", "--timeout", "0"], "--timeout"),
        (["download", "https://kemono.cr/patreon/user/1", "--kemono-url", "localhost"], "URL"),
        (["download", "https://kemono.cr/patreon/user/1", "--bogus"], "unrecognized arguments"),
        (["plan", "https://kemono.cr/patreon/user/1", "--type", "foo"], "accepted groups: image"),
        (["plan", "https://kemono.cr/patreon/user/1", "--type", "png,jpq"], "'jpq'"),
        (["download", "https://kemono.cr/patreon/user/1", "--exclude-type", "x"], "unknown file"),
        (["frobnicate"], "invalid choice"),
        ([], "a command is needed"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    archive = argv[:1] in (["download"], ["plan"])
    assert main([*argv, "-o", str(tmp_path / "out")] if archive else argv) == 2
    line = one_line_error(capsys)
    assert line.startswith("kemopix") and fragment in line
    assert not (tmp_path / "out").exists()  # nothing was written for a bad command


def test_config_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("[download]\noutput = 3\n")
    assert main(["download", "https://kemono.cr/patreon/user/1"]) == 2
    assert "[download] output has the wrong type" in one_line_error(capsys)
    (config / "config.toml").write_text("[kemono]\nspeed = 1\n")
    assert main(["download", "https://kemono.cr/patreon/user/1"]) == 2
    assert "unknown key 'speed' in [kemono]" in one_line_error(capsys)
    (config / "config.toml").write_text("[kemono\n")
    assert main(["download", "https://kemono.cr/patreon/user/1"]) == 2
    assert "not valid TOML" in one_line_error(capsys)
    assert main(["plan", "https://kemono.cr/x/user/1", "--config", str(tmp_path / "no.toml")]) == 2
    assert "config file not found" in one_line_error(capsys)


def test_archive_commands_need_an_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("verify", "retry-failed"):
        assert main([command, "-o", str(tmp_path / "empty")]) == 2
        assert "no kemopix archive" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[kemono]\nrate = -1\n", "[kemono] rate must be more than 0 (like --rate), not -1"),
        ("[pixiv]\nrate = 0\n", "[pixiv] rate must be more than 0"),
        ("[kemono]\nconcurrency = 0\n", "[kemono] concurrency must be at least 1"),
        ("[coomer]\nretries = 0\n", "[coomer] retries must be at least 1"),
        ("[kemono]\ntimeout = -5.0\n", "timeout must be more than 0"),
        ("[download]\noverlap = 0\n", "[download] overlap must be at least 1"),
        ('[kemono]\nurl = "localhost:8080"\n', "must be an http(s) URL"),
        ('[pixiv]\nugoira = "avi"\n', "[pixiv] ugoira: unknown ugoira format 'avi'"),
        ('[download]\ntemplate = "{nope}/{name}"\n', "[download] template: unknown"),
    ],
)
def test_config_values_are_checked_like_options(
    text: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(text)
    assert main(["plan", "https://kemono.cr/patreon/user/1", "-o", str(tmp_path / "o")]) == 2
    assert fragment in one_line_error(capsys)
