"""The passes after a listing's sweep (files held but gone from disk fetched again, originals of
thumbnails tried again) never mark complete a post the run left unfinished on purpose, and
count against ``--max-files`` / ``--max-bytes`` like any other new work.

Each case through the real entry point, against the Kemono emulator over real sockets.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from cli_helpers import originals_down, run
from test_cli_integrity_runs import byte_exact

from kemopix.downloader import engine
from kemopix.downloader.archive import Archive
from kemopix.downloader.model import PostKey
from kemopix.emulators import KemonoEmulator

pytestmark = pytest.mark.usefixtures("private_kemopix_env")


def two_posts(emu: KemonoEmulator, name: str, files: int = 2) -> str:
    """A creator whose older post ("held back") has ``files`` files and whose newer post
    ("other") has one."""
    emu.add_creator("fanbox", name, name.title())
    emu.add_post(
        "fanbox",
        name,
        title="held back",
        files=[(f"{name}-{i}.bin", 3000 + i) for i in range(files)],
        published=1_700_000_000,
        post_id="1",
    )
    emu.add_post(
        "fanbox",
        name,
        title="other",
        files=[(f"{name}-other.bin", 2000)],
        published=1_700_086_400,
        post_id="2",
    )
    return f"{emu.url}/fanbox/user/{name}"


def complete(out: Path, post_id: str) -> bool:
    with Archive(out, exclusive=False) as archive:
        state = archive.post_state(PostKey("kemono", "fanbox", post_id))
    assert state is not None
    return state.complete


def post_folder(out: Path, name: str) -> Path:
    return out / "kemono" / "fanbox" / name.title() / "2023-11-14 held back [1]"


def hold_back(how: str, out: Path, name: str, outside: Path) -> list[str]:
    """Make the first run leave the older post unfinished on purpose; its extra options."""
    folder = post_folder(out, name)
    if how == "budget":
        return ["--max-files", "2"]  # the other post's file, then the first of this one
    folder.mkdir(parents=True)
    if how == "sidecar":
        (folder / "1.json").mkdir()  # its sidecar cannot be written
    else:  # a name that cannot be made safe: a link out of the folder where it would go
        outside.mkdir()
        (folder / f"02 {name}-1.bin").symlink_to(outside / "x.bin")
    return []


def undo(how: str, out: Path, name: str) -> None:
    folder = post_folder(out, name)
    if how == "sidecar":
        (folder / "1.json").rmdir()
    elif how == "unsafe":
        (folder / f"02 {name}-1.bin").unlink()


@pytest.mark.parametrize("how", ["budget", "sidecar", "unsafe"])
def test_a_post_left_open_stays_open_when_a_later_pass_refetches_its_files(
    kemono_emulator: KemonoEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    emu = kemono_emulator
    name = f"open-{how}"
    url = two_posts(emu, name)
    out = tmp_path / "out"
    args = ["--kemono-url", emu.url, "-o", str(out)]
    extra = hold_back(how, out, name, tmp_path / "outside")
    code, summary = run(capsys, "download", url, *args, *extra)
    assert summary["files_downloaded"] == (3 if how == "sidecar" else 2)
    assert code == (0 if how == "budget" else 1)
    assert not complete(out, "1")
    first = post_folder(out, name) / f"01 {name}-0.bin"
    first.unlink()
    # A search of the same creator lists only the other post; after its sweep the files the
    # archive holds for the creator but the disk lacks are fetched again: the held back
    # post's first file. That must not make the post complete: it still lacks what the first
    # run left out.
    code, summary = run(capsys, "download", url + "?q=other", *args)
    assert code == 0 and summary["files_downloaded"] == 1 and first.is_file()
    assert not complete(out, "1")
    # So the plain run that follows comes back for the rest.
    undo(how, out, name)
    code, summary = run(capsys, "download", url, *args)
    assert code == 0
    assert summary["files_downloaded"] == (1 if how != "sidecar" else 0), summary
    assert complete(out, "1") and byte_exact(out) == 3
    assert not (tmp_path / "outside" / "x.bin").exists()


def test_an_upgrade_does_not_complete_a_post_left_open(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "thumbs", "Thumbs")
    emu.add_post(
        "fanbox",
        "thumbs",
        title="held back",
        files=[("thumbs-0.png", 3000), ("thumbs-1.bin", 3001)],
        published=1_700_000_000,
        post_id="1",
    )
    url = f"{emu.url}/fanbox/user/thumbs"
    out = tmp_path / "out"
    args = ["--kemono-url", emu.url, "-o", str(out)]
    hold_back("unsafe", out, "thumbs", tmp_path / "outside")
    with originals_down(emu):
        code, summary = run(capsys, "download", url, *args)
    assert code == 1 and summary["files_thumbnail"] == 1
    # The image's original is back: the upgrade replaces the thumbnail, and the post still
    # lacks its second file.
    code, summary = run(capsys, "upgrade", "-o", str(out))
    assert code == 0 and summary["files_upgraded"] == 1, summary
    assert not complete(out, "1")
    undo("unsafe", out, "thumbs")
    code, summary = run(capsys, "download", url, *args)
    assert code == 0 and summary["files_downloaded"] == 1, summary
    assert complete(out, "1") and byte_exact(out) == 2


def one_file_posts(emu: KemonoEmulator, name: str, count: int, ext: str = "bin") -> str:
    emu.add_creator("fanbox", name, name.title())
    for n in range(count):
        emu.add_post(
            "fanbox",
            name,
            title=f"post {n}",
            files=[(f"{name}-{n}.{ext}", 4000 + n)],
            published=1_700_000_000 + n * 86_400,
        )
    return f"{emu.url}/fanbox/user/{name}"


@pytest.mark.parametrize(
    ("budget", "inline"),
    [(["--max-files", "1"], engine.INLINE_CHECKS), (["--max-bytes", "5000"], 1)],
)
def test_files_fetched_again_after_the_sweep_count_against_the_budget(
    kemono_emulator: KemonoEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    budget: list[str],
    inline: int,
) -> None:
    # With more held files than ``inline``, the disk is looked at in a thread, through a
    # read-only connection to the archive: the same files found.
    monkeypatch.setattr(engine, "INLINE_CHECKS", inline)
    emu = kemono_emulator
    name = "regone" + budget[0][6:]
    url = one_file_posts(emu, name, 3)
    out = tmp_path / "out"
    args = ["--kemono-url", emu.url, "-o", str(out)]
    code, summary = run(capsys, "download", url, *args)
    assert code == 0 and summary["files_downloaded"] == 3
    gone = sorted(out.rglob(f"* {name}-*.bin"))[:2]
    for path in gone:
        path.unlink()
    # The sweep finds every post known; the pass after it finds two files gone: room for one.
    code, summary = run(capsys, "download", url, *args, *budget)
    assert code == 0 and summary["files_downloaded"] == 1, summary
    assert summary["files_skipped"] == 1
    assert sum(p.is_file() for p in gone) == 1
    code, summary = run(capsys, "download", url, *args)
    assert code == 0 and summary["files_downloaded"] == 1, summary
    assert byte_exact(out) == 3
    code, summary = run(capsys, "download", url, *args)
    assert code == 0 and summary["files_downloaded"] == 0


def test_originals_tried_after_the_sweep_count_against_the_budget(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = kemono_emulator
    url = one_file_posts(emu, "reup", 3, ext="png")
    out = tmp_path / "out"
    args = ["--kemono-url", emu.url, "-o", str(out)]
    with originals_down(emu):
        code, summary = run(capsys, "download", url, *args)
    assert code == 0 and summary["files_thumbnail"] == 3
    code, summary = run(capsys, "download", url, *args, "--max-files", "2")
    assert code == 0 and summary["files_upgraded"] == 2, summary
    assert summary["files_skipped"] == 1
    code, summary = run(capsys, "download", url, *args, "--max-files", "2")
    assert code == 0 and summary["files_upgraded"] == 1, summary
    assert byte_exact(out) == 3


def test_a_run_with_its_disk_work_in_a_thread_leaves_no_thread_behind(
    kemono_emulator: KemonoEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEMOPIX_DISK_WORKER", "thread")
    url = one_file_posts(kemono_emulator, "threadless", 3)
    before = {t for t in threading.enumerate() if t.name == "kemopix-disk"}
    for _ in range(2):
        out = tmp_path / "out"
        code, _ = run(capsys, "download", url, "--kemono-url", kemono_emulator.url, "-o", str(out))
        assert code == 0
    assert byte_exact(out) == 3
    assert {t for t in threading.enumerate() if t.name == "kemopix-disk"} <= before


def test_the_original_of_a_thumbnail_in_an_edited_post_counts_against_the_budget(
    kemono_emulator: KemonoEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = kemono_emulator
    emu.add_creator("fanbox", "edited", "Edited")
    emu.add_post("fanbox", "edited", title="post", files=[("edited.png", 4000)], post_id="7")
    url = f"{emu.url}/fanbox/user/edited"
    out = tmp_path / "out"
    # A title not in the paths: the edited post keeps its file where it is.
    args = ["--kemono-url", emu.url, "-o", str(out), "--template", "{site}/{id}/{index:02} {name}"]
    with originals_down(emu):
        code, summary = run(capsys, "download", url, *args)
    assert code == 0 and summary["files_thumbnail"] == 1
    emu.edit_post("fanbox", "edited", "7", title="post, edited")
    # The edited post is planned again, its thumbnail's original is new work: none allowed.
    code, summary = run(capsys, "download", url, *args, "--max-files", "0")
    assert code == 0 and summary["posts_updated"] == 1
    assert summary["files_upgraded"] == 0 and summary["files_skipped"] == 1, summary
    code, summary = run(capsys, "download", url, *args)
    assert code == 0 and summary["files_upgraded"] == 1, summary
    assert byte_exact(out) == 1
