"""WebP, APNG, GIF and the kept zip: encode real frames, decode them back, check the timing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from ugoira_samples import DELAYS, make_ugoira, pillow_timeline

from kemopix.ugoira import (
    ANIMATION_JSON,
    Frame,
    UgoiraFormat,
    UgoiraMismatch,
    encode_ugoira,
    parse_frames,
)
from kemopix.ugoira.pillow import Encoded, verify_pillow
from kemopix.ugoira.timeline import centisecond_delays

PILLOW = [UgoiraFormat.WEBP, UgoiraFormat.APNG, UgoiraFormat.GIF]
FORMAT_NAMES = {UgoiraFormat.WEBP: "WEBP", UgoiraFormat.APNG: "PNG", UgoiraFormat.GIF: "GIF"}


@pytest.mark.parametrize("size", [(64, 48), (63, 45)], ids=["even", "odd"])
@pytest.mark.parametrize("fmt", PILLOW)
def test_pillow_formats_play_every_frame_for_its_delay(
    tmp_path: Path, fmt: UgoiraFormat, size: tuple[int, int]
) -> None:
    zip_path, frames = make_ugoira(tmp_path, size=size)
    dest = encode_ugoira(zip_path, frames, tmp_path / "out" / f"123{fmt.extension}", fmt)
    found, found_size, durations = pillow_timeline(dest)
    assert (found, found_size) == (FORMAT_NAMES[fmt], size)
    expected = centisecond_delays(DELAYS) if fmt is UgoiraFormat.GIF else list(DELAYS)
    assert durations == [float(d) for d in expected]
    with Image.open(dest) as image:
        assert image.info.get("loop") == 0  # loops forever, like pixiv's player


def test_gif_keeps_boundaries_within_half_a_centisecond(tmp_path: Path) -> None:
    delays = (45, 45, 45, 45, 33, 67, 125)
    zip_path, frames = make_ugoira(tmp_path, delays)
    dest = encode_ugoira(zip_path, frames, tmp_path / "a.gif", UgoiraFormat.GIF)
    _, _, durations = pillow_timeline(dest)
    assert len(durations) == len(delays)
    assert abs(sum(durations) - sum(delays)) <= 5  # 405 ms cannot be; 410 is the nearest
    exact = decoded = 0.0
    for want, got in zip(delays, durations, strict=True):
        exact += want
        decoded += got
        assert abs(exact - decoded) <= 5


@pytest.mark.parametrize("fmt", [UgoiraFormat.WEBP, UgoiraFormat.APNG])
def test_transparent_png_frames_keep_their_alpha(tmp_path: Path, fmt: UgoiraFormat) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:4], mode="RGBA", image_format="PNG")
    dest = encode_ugoira(zip_path, frames, tmp_path / f"a{fmt.extension}", fmt)
    with Image.open(dest) as image:
        image.seek(2)
        image.load()
        assert image.mode == "RGBA"
        pixel = image.getpixel((40, 40))
    assert isinstance(pixel, tuple) and pixel[3] == 160
    if fmt is UgoiraFormat.APNG:  # lossless: frame 2's exact colour
        assert pixel == (2 * 37, 90 + 2 * 11, 200 - 2 * 23, 160)


def test_identical_frames_may_merge_but_keep_their_total_time(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, (40, 100))
    # frame 0 shown three times in a row, as a "hold": APNG merges them losslessly
    held = (Frame(frames[0].file, 40), Frame(frames[0].file, 60), *frames)
    dest = encode_ugoira(zip_path, held, tmp_path / "a.png", "apng")
    assert pillow_timeline(dest)[2] == [140.0, 100.0]


def test_single_frame_becomes_a_still_image(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, (500,))
    dest = encode_ugoira(zip_path, frames, tmp_path / "still.webp", UgoiraFormat.WEBP)
    with Image.open(dest) as image:
        assert not getattr(image, "is_animated", False)


def test_kept_zip_holds_the_frames_and_their_delays(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path, extra=[("thumbs.db", b"junk")])
    dest = encode_ugoira(zip_path, frames, tmp_path / "kept.zip", UgoiraFormat.ZIP)
    with zipfile.ZipFile(dest) as kept, zipfile.ZipFile(zip_path) as source:
        assert kept.namelist() == [f.file for f in frames] + [ANIMATION_JSON]
        assert all(kept.read(f.file) == source.read(f.file) for f in frames)
        assert parse_frames(json.loads(kept.read(ANIMATION_JSON))) == frames
    # the kept zip is itself a valid ugoira source, and rewriting it in place works
    again = encode_ugoira(dest, frames, dest, UgoiraFormat.ZIP)
    assert again == dest
    with zipfile.ZipFile(dest) as kept:
        assert kept.testzip() is None
    assert pillow_timeline(encode_ugoira(dest, frames, tmp_path / "b.gif", "gif"))[2]


def test_output_replaces_dest_atomically_and_leaves_no_temp(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path)
    outdir = tmp_path / "works"
    outdir.mkdir()
    dest = outdir / "123.webp"
    dest.write_bytes(b"an older, broken encode")
    assert encode_ugoira(zip_path, frames, dest, "webp") == dest
    assert [p.name for p in outdir.iterdir()] == ["123.webp"]
    assert pillow_timeline(dest)[2] == [float(d) for d in DELAYS]


@pytest.mark.parametrize("fmt", PILLOW)
def test_verify_rejects_an_output_that_does_not_match(tmp_path: Path, fmt: UgoiraFormat) -> None:
    zip_path, frames = make_ugoira(tmp_path)
    dest = encode_ugoira(zip_path, frames, tmp_path / f"a{fmt.extension}", fmt)
    encoded = Encoded((64, 48), (True,) * len(frames))
    slower = [Frame(f.file, f.delay_ms + 30) for f in frames]
    with pytest.raises(UgoiraMismatch, match="does not match"):
        verify_pillow(dest, slower, fmt, encoded)
    with pytest.raises(UgoiraMismatch, match="is \\(64, 48\\), the frames are \\(32, 32\\)"):
        verify_pillow(dest, frames, fmt, Encoded((32, 32), encoded.changed))
    other = UgoiraFormat.GIF if fmt is not UgoiraFormat.GIF else UgoiraFormat.WEBP
    with pytest.raises(UgoiraMismatch, match="decodes as"):
        verify_pillow(dest, frames, other, encoded)
