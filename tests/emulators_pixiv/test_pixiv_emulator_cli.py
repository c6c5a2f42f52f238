"""Pixiv emulator command line, module isolation and reset cost."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import time

import requests

from kemopix.emulators.pixiv_server import PixivEmulator
from kemopix.emulators.pixiv_server.cli import add_cli_arguments


def test_cli_arguments() -> None:
    parser = argparse.ArgumentParser()
    add_cli_arguments(parser)
    ns = parser.parse_args(["--port", "0", "--seed", "3", "--rate-limit", "5", "--no-client-hash"])
    assert (ns.seed, ns.rate_limit, ns.no_client_hash, ns.access_token_ttl) == (
        3,
        5.0,
        True,
        3600.0,
    )


def test_python_dash_m_serves_and_stops_on_interrupt() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kemopix.emulators.pixiv_server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert match, first
        lines = [proc.stdout.readline() for _ in range(3)]
        assert any("demo" in line for line in lines)
        health = requests.get(f"{match.group(0)}/_emulator/health", timeout=10)
        assert health.json() == {"status": "ok", "site": "pixiv"}
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        if proc.stdout is not None:
            proc.stdout.close()


def test_no_client_code_is_imported() -> None:
    code = (
        "import sys, kemopix.emulators.pixiv_server as m; m.PixivEmulator();"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('pixivapi', 'pykemo', 'pixivpy3')"
        " or n.startswith(('kemopix.sites', 'kemopix._io'))]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_reset_is_fast(pixiv_emulator: PixivEmulator) -> None:
    pixiv_emulator.create_account("carol")
    started = time.perf_counter()
    for _ in range(10):
        pixiv_emulator.reset()
    assert (time.perf_counter() - started) / 10 < 0.01
    assert "carol" not in pixiv_emulator.state.accounts


def test_password_grant_switch_on_the_command_line() -> None:
    argv = [sys.executable, "-m", "kemopix.emulators.pixiv_server", "--port", "0"]
    form = {
        "client_id": "KzEZED7aC0vird8jWyHM38mXjNTY",
        "client_secret": "W9JZoJe00qPvJsiyCGT3CCtC6ZUtdpKpzMbNlUGP",
        "grant_type": "password",
        "username": "demo",
        "password": "demo-password",
    }
    for extra, status in (([], 400), (["--password-grant"], 200)):
        with subprocess.Popen(
            [*argv, "--no-client-hash", *extra], stdout=subprocess.PIPE, text=True
        ) as proc:
            try:
                assert proc.stdout is not None
                match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
                assert match
                answer = requests.post(f"{match.group(0)}/auth/token", data=form, timeout=10)
                assert answer.status_code == status, answer.text
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=30)
