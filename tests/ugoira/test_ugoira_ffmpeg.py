"""MP4 and WebM through the real imageio-ffmpeg binary, and the errors when ffmpeg is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from ugoira_samples import DELAYS, make_ugoira, packet_times, pillow_timeline

from kemopix.ugoira import (
    EncodeFailed,
    FFmpegMissing,
    Frame,
    UgoiraFormat,
    UgoiraMismatch,
    encode_ugoira,
    find_ffmpeg,
)
from kemopix.ugoira.ffmpeg import verify_ffmpeg
from kemopix.ugoira.timeline import frame_starts

VIDEO = [UgoiraFormat.MP4, UgoiraFormat.WEBM]


@pytest.fixture(scope="module")
def ffmpeg() -> str:
    return find_ffmpeg()


def test_find_ffmpeg_gives_an_executable(ffmpeg: str) -> None:
    assert Path(ffmpeg).is_absolute() and os.access(ffmpeg, os.X_OK)


def test_ffmpeg_can_be_given_by_name_on_path(
    tmp_path: Path, ffmpeg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "my-ffmpeg").symlink_to(ffmpeg)
    monkeypatch.setenv("PATH", str(bindir))
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:3])
    dest = encode_ugoira(zip_path, frames, tmp_path / "a.webm", "webm", ffmpeg="my-ffmpeg")
    assert packet_times(ffmpeg, dest) == [0.0, 40.0, 140.0, 390.0]


@pytest.mark.parametrize("size", [(64, 48), (63, 45)], ids=["even", "odd"])
@pytest.mark.parametrize("fmt", VIDEO)
def test_videos_show_every_frame_at_its_time(
    tmp_path: Path, ffmpeg: str, fmt: UgoiraFormat, size: tuple[int, int]
) -> None:
    zip_path, frames = make_ugoira(tmp_path, size=size)
    dest = encode_ugoira(zip_path, frames, tmp_path / "out" / f"123{fmt.extension}", fmt)
    head = dest.read_bytes()[:8]
    assert head[4:8] == b"ftyp" if fmt is UgoiraFormat.MP4 else head[:4] == b"\x1aE\xdf\xa3"
    # one packet per frame at its exact start, plus the end marker at the total (840 ms)
    assert packet_times(ffmpeg, dest) == [*frame_starts(DELAYS), float(sum(DELAYS))]
    assert sorted(p.name for p in dest.parent.iterdir()) == [dest.name]


def test_mp4_pads_odd_sizes_to_even(tmp_path: Path, ffmpeg: str) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:3], size=(63, 45))
    dest = encode_ugoira(zip_path, frames, tmp_path / "a.mp4", UgoiraFormat.MP4)
    # re-encode one frame to PNG with the same binary to read the stored size
    png = tmp_path / "first.png"
    command = [ffmpeg, "-loglevel", "error", "-nostdin", "-i", str(dest), "-frames:v", "1"]
    subprocess.run([*command, str(png)], check=True)
    with Image.open(png) as first:
        assert first.size == (64, 46)


def test_png_frames_and_long_delays(tmp_path: Path) -> None:
    delays = (1000, 20, 1234)
    zip_path, frames = make_ugoira(tmp_path, delays, image_format="PNG")
    for fmt in VIDEO:
        dest = encode_ugoira(zip_path, frames, tmp_path / f"a{fmt.extension}", fmt)
        assert packet_times(find_ffmpeg(), dest) == [0.0, 1000.0, 1020.0, 2254.0]


@pytest.mark.parametrize("fmt", VIDEO)
def test_verify_rejects_a_video_that_does_not_match(
    tmp_path: Path, ffmpeg: str, fmt: UgoiraFormat
) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:4])
    dest = encode_ugoira(zip_path, frames, tmp_path / f"a{fmt.extension}", fmt)
    workdir, name = dest.parent, dest.name
    swapped = [Frame(f.file, d) for f, d in zip(frames, (100, 40, 250, 40), strict=True)]
    with pytest.raises(UgoiraMismatch, match="starts at 40 ms"):
        verify_ffmpeg(ffmpeg, workdir, name, swapped, fmt, (64, 48))
    with pytest.raises(UgoiraMismatch, match="frame sizes"):
        verify_ffmpeg(ffmpeg, workdir, name, frames, fmt, (32, 48))
    with pytest.raises(UgoiraMismatch, match="plays 430 ms, the frames add up to 470 ms"):
        verify_ffmpeg(ffmpeg, workdir, name, [*frames, Frame("x.jpg", 40)], fmt, (64, 48))


def test_missing_ffmpeg_module_tells_how_to_install() -> None:
    with pytest.raises(FFmpegMissing, match=r"pip install 'kemopix\[ugoira\]'"):
        find_ffmpeg(module="kemopix_no_such_ffmpeg_provider")


@pytest.mark.parametrize("fmt", VIDEO)
def test_missing_ffmpeg_binary_is_a_typed_error(tmp_path: Path, fmt: UgoiraFormat) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:3])
    absent = str(tmp_path / "no-ffmpeg-here")
    with pytest.raises(FFmpegMissing, match=r"kemopix\[ugoira\]"):
        encode_ugoira(zip_path, frames, tmp_path / "out" / f"a{fmt.extension}", fmt, ffmpeg=absent)
    assert not (tmp_path / "out").exists()
    # the Pillow formats never need it
    gif = encode_ugoira(zip_path, frames, tmp_path / "a.gif", UgoiraFormat.GIF, ffmpeg=absent)
    assert len(pillow_timeline(gif)[2]) == 3


def test_failing_encoder_leaves_nothing_behind(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:3])
    false = shutil.which("false")
    assert false is not None
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "a.mp4").write_bytes(b"an earlier encode")
    with pytest.raises(EncodeFailed, match="exited with status 1"):
        encode_ugoira(zip_path, frames, outdir / "a.mp4", UgoiraFormat.MP4, ffmpeg=false)
    assert [p.name for p in outdir.iterdir()] == ["a.mp4"]
    assert (outdir / "a.mp4").read_bytes() == b"an earlier encode"
