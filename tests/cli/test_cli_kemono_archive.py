"""`kemopix download` against the Kemono emulator, through the real entry point.

A creator's whole catalogue byte-exact, hostile names inside the folder, incremental re-runs,
edits, de-duplication, plans, verify and retry-failed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run

from kemopix.cli import main
from kemopix.emulators import KemonoEmulator
from kemopix.files import PART_SUFFIX, file_sha256

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def creator_url(emu: KemonoEmulator, creator: str | None = None) -> str:
    service, ident = emu.demo_creator
    return f"{emu.url}/{service}/user/{creator or ident}"


def sidecar_files(root: Path) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    for path in root.rglob("*.json"):
        if path.name.count(".") == 1 and path.stem.isdigit():
            files.extend(json.loads(path.read_text())["kemopix"]["files"])
    return files


def assert_byte_exact(root: Path) -> int:
    """Every file a sidecar lists is on disk with the SHA-256 its Kemono path names."""
    files = sidecar_files(root)
    for item in files:
        path = root / item["path"]
        assert path.is_relative_to(root)
        assert file_sha256(path) == item["sha256"], item["path"]
    assert not [p for p in root.rglob("*") if p.name.endswith(PART_SUFFIX)]
    return len(files)


def test_full_archive_then_incremental(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    url = creator_url(kemono_emulator)
    code, first = run(capsys, "download", url, "--kemono-url", kemono_emulator.url, "-o", str(out))
    assert code == 0
    assert first["posts_new"] == 6 and first["files_failed"] == 0
    assert assert_byte_exact(out) == 18
    hostile = next(out.rglob("*Hostile names*"))
    assert len([p for p in hostile.iterdir() if not p.name.startswith("1000005")]) == 7
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    post = json.loads(next(out.rglob("1000006.json")).read_text())
    names = [f["original_name"] for f in post["kemopix"]["files"]]
    assert names == ["page1.png", "photo1.jpg", "page2.png", "bonus-pack.zip", "notes.txt"]
    assert post["data"]["post"]["content"].startswith("<p>Five sketches")
    assert (hostile / "1000005.md").read_text().startswith("# Hostile names")
    revisions = json.loads(next(out.rglob("1000006.revisions.json")).read_text())
    assert {r["revision_id"] for r in revisions} == {7000, 7001}
    # the files carry the post date
    assert int(next(out.rglob("01 page1.png")).stat().st_mtime) == 1721347200

    # Nothing new: one profile and one page, nothing downloaded.
    code, again = run(capsys, "download", url, "--kemono-url", kemono_emulator.url, "-o", str(out))
    assert code == 0
    assert (again["requests"], again["posts_known"], again["files_downloaded"]) == (2, 6, 0)

    # A new post: only its files come down.
    service, creator = kemono_emulator.demo_creator
    kemono_emulator.add_post(
        service, creator, title="Brand new", files=[("fresh.png", 5000), ("more.bin", 7000)]
    )
    code, third = run(capsys, "download", url, "--kemono-url", kemono_emulator.url, "-o", str(out))
    assert code == 0
    assert (third["posts_new"], third["files_downloaded"], third["posts_known"]) == (1, 2, 6)
    assert assert_byte_exact(out) == 20


def test_edited_post_is_a_new_revision(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    url, site = creator_url(kemono_emulator), kemono_emulator.url
    assert run(capsys, "download", url, "--kemono-url", site, "-o", str(out))[0] == 0
    service, creator = kemono_emulator.demo_creator
    extra = {"name": "added later.jpg", "path": sidecar_files(out)[0]["url"].split("/data")[1]}
    extra["path"] = extra["path"].split("?")[0]
    kemono_emulator.edit_post(service, creator, "1000001", attachments=[extra])
    code, summary = run(capsys, "download", url, "--kemono-url", site, "-o", str(out))
    assert code == 0
    assert (summary["posts_updated"], summary["files_linked"]) == (1, 1)
    folder = next(out.rglob("*First post*"))
    assert json.loads((folder / "1000001.json").read_text())["kemopix"]["revision"] == 2
    assert (folder / "1000001.r1.json").exists()  # the previous record is kept
    assert (folder / "02 added later.jpg").exists()
    assert_byte_exact(out)


def test_duplicates_are_hard_links_or_copies(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blob = os.urandom(50_000)
    for creator in ("dup-a", "dup-b"):
        kemono_emulator.add_creator("patreon", creator, f"Creator {creator}")
        kemono_emulator.add_post("patreon", creator, title="same", files=[("x.bin", blob)])
    urls = [creator_url(kemono_emulator, c) for c in ("dup-a", "dup-b")]
    site = kemono_emulator.url
    out = tmp_path / "links"
    code, summary = run(capsys, "download", *urls, "--kemono-url", site, "-o", str(out))
    assert code == 0 and (summary["files_downloaded"], summary["files_linked"]) == (1, 1)
    first, second = sorted(out.rglob("01 x.bin"))
    assert first.stat().st_ino == second.stat().st_ino
    copies = tmp_path / "copies"
    code, summary = run(
        capsys, "download", *urls, "--kemono-url", site, "-o", str(copies), "--copy"
    )
    assert code == 0
    first, second = sorted(copies.rglob("01 x.bin"))
    assert first.stat().st_ino != second.stat().st_ino
    assert first.read_bytes() == second.read_bytes() == blob


def test_plan_filters_and_budgets(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    url, site = creator_url(kemono_emulator), kemono_emulator.url
    assert main(["plan", url, "--kemono-url", site, "-o", str(out), "--type", "image"]) == 0
    text = capsys.readouterr().out
    assert "+ new post kemono/patreon/1000006 'Sketch pack': 3 files" in text
    assert "skip bonus-pack.zip: type zip not wanted" in text
    assert "page1.png (264.4 KiB)" in text
    assert text.splitlines()[-1].startswith("plan: 6 new and 0 edited posts")
    assert not out.exists()  # a plan writes nothing
    args = ["--kemono-url", site, "-o", str(out), "--tag", "sketch"]
    code, summary = run(capsys, "download", url, *args, "--max-files", "2")
    assert code == 0
    assert (summary["posts_skipped"], summary["files_downloaded"]) == (4, 2)
    assert summary["files_skipped"] == 6  # over the budget: left for the next run
    code, summary = run(
        capsys, "download", url, "--kemono-url", site, "-o", str(out), "--tag", "sketch"
    )
    assert code == 0 and summary["files_downloaded"] == 6


def test_verify_and_retry_failed(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    url, site = creator_url(kemono_emulator), kemono_emulator.url
    notes = "804b6f9091c1a374535ce7da41902e43f2e6a357ee47fac07ab9b0af2891c412"
    kemono_emulator.add_fault(kind="status", status=500, path=notes, probability=1.0)
    args = ["--kemono-url", site, "-o", str(out), "--retries", "2"]
    code, summary = run(capsys, "download", url, *args)
    assert code == 1 and summary["files_failed"] == 1
    kemono_emulator.clear_faults()
    code, summary = run(capsys, "retry-failed", *args)
    assert code == 0 and summary["files_downloaded"] == 1
    assert assert_byte_exact(out) == 18

    photo = next(out.rglob("02 photo1.jpg"))
    photo.write_bytes(b"not a photo")
    next(out.rglob("01 hello.txt")).unlink()
    assert main(["verify", "--check-only", "-o", str(out)]) == 1
    report = capsys.readouterr().out
    assert "SHA-256 mismatch" in report or "size" in report
    assert "missing" in report
    code, summary = run(capsys, "verify", *args)
    assert code == 0 and summary["files_downloaded"] == 2
    assert assert_byte_exact(out) == 18


@pytest.mark.parametrize(
    ("text", "suffixes"),
    [
        ("md", {".json", ".md"}),
        ("html", {".json", ".html"}),
        ("md,html", {".json", ".md", ".html"}),
    ],
)
def test_text_renderings_beside_the_record(
    kemono_emulator: KemonoEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    suffixes: set[str],
) -> None:
    out = tmp_path / "out"
    argv = ["download", creator_url(kemono_emulator), "--kemono-url", kemono_emulator.url]
    code, _ = run(capsys, *argv, "-o", str(out), "--text", text)
    assert code == 0
    sidecars = {p.suffix for p in out.rglob("1000006.*")}
    assert sidecars == suffixes
    if ".html" in suffixes:
        page = next(out.rglob("1000006.html")).read_text()
        assert "Five sketches" in page


def test_text_words_are_checked(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["download", creator_url(kemono_emulator), "--kemono-url", kemono_emulator.url]
    assert main([*argv, "-o", str(tmp_path / "out"), "--text", "pdf"]) == 2
    assert "--text 'pdf'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_post_whose_sidecar_cannot_be_written_stays_unfinished(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["download", creator_url(kemono_emulator), "--kemono-url", kemono_emulator.url]
    assert run(capsys, *argv, "-o", str(tmp_path / "probe"))[0] == 0
    folder = next((tmp_path / "probe").rglob("1000006.json")).parent
    out = tmp_path / "out"
    blocker = out / folder.relative_to(tmp_path / "probe") / "1000006.json"
    blocker.mkdir(parents=True)  # a folder where the sidecar goes: its rename fails
    code, first = run(capsys, *argv, "-o", str(out))
    assert code == 1 and first["errors"]["failed"] >= 1
    blocker.rmdir()
    code, again = run(capsys, *argv, "-o", str(out))
    assert code == 0 and again["posts_unfinished"] == 1
    assert json.loads(blocker.read_text())["kemopix"]["id"] == "1000006"


def test_a_part_file_planted_as_a_link_is_not_written_through(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["download", creator_url(kemono_emulator), "--kemono-url", kemono_emulator.url]
    assert run(capsys, *argv, "-o", str(tmp_path / "probe"))[0] == 0
    probe = next((tmp_path / "probe").rglob("*bonus-pack.zip"))
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"not yours")
    out = tmp_path / "out"
    part = out / probe.relative_to(tmp_path / "probe")
    part = part.with_name(part.name + PART_SUFFIX)
    part.parent.mkdir(parents=True)
    part.symlink_to(outside)
    assert run(capsys, *argv, "-o", str(out))[0] == 0
    assert outside.read_bytes() == b"not yours"
    final = part.with_name(probe.name)
    assert not final.is_symlink() and final.read_bytes() == probe.read_bytes()
    assert assert_byte_exact(out) == 18
