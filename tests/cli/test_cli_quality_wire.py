"""One Kemono wire model: a post URL costs one detail request, counted at the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


@pytest.mark.parametrize("form", ["user/demo-creator/post/1000006", "post/1000006"])
def test_a_post_url_costs_one_detail_request(
    kemono_emulator: KemonoEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    form: str,
) -> None:
    emu = kemono_emulator
    # A "latency" fault of no delay answers normally: the injector only counts the requests.
    detail = emu.add_fault(
        kind="latency",
        delay=0.0,
        probability=1.0,
        times=100,
        path=r"^/api/v1/patreon/user/demo-creator/post/1000006$",
    )
    out = tmp_path / "out"
    url = f"{emu.url}/patreon/{form}"
    assert main(["download", url, "--kemono-url", emu.url, "-o", str(out), "--json"]) == 0
    assert detail.times == 99  # one detail request (it was two)
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert events[-1]["held"]["original"] == 5  # the summary counts the post's files
    sidecar = json.loads(next(out.rglob("1000006.json")).read_text())
    assert sidecar["data"]["post"]["id"] == "1000006"  # the envelope as received
    assert len(sidecar["kemopix"]["files"]) == 5
