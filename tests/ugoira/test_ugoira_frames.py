"""Frame metadata, the timeline check and zip validation (missing, corrupt and hostile zips)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from ugoira_samples import DELAYS, frame_bytes, make_ugoira, write_zip

from kemopix import DecodeError, IntegrityError, InvalidInput, KemopixError, UnsafePathError
from kemopix.ugoira import (
    BadUgoira,
    Frame,
    UgoiraError,
    UgoiraFormat,
    UgoiraMismatch,
    encode_ugoira,
    parse_frames,
)
from kemopix.ugoira.timeline import centisecond_delays, check_timeline, frame_starts


def test_error_classes_sit_in_the_kemopix_tree() -> None:
    assert issubclass(BadUgoira, DecodeError) and issubclass(BadUgoira, UgoiraError)
    assert issubclass(UgoiraMismatch, IntegrityError) and issubclass(UgoiraMismatch, UgoiraError)
    assert issubclass(UgoiraError, KemopixError)


@pytest.mark.parametrize("name", ["../000000.jpg", "a/b.jpg", "a\\b.jpg", "", "..", "C:x.jpg"])
def test_frame_names_must_be_plain_file_names(name: str) -> None:
    with pytest.raises(UnsafePathError):
        Frame(name, 40)


@pytest.mark.parametrize("delay", [0, -5, True, 1.5, "40"])
def test_frame_delays_are_whole_positive_milliseconds(delay: object) -> None:
    with pytest.raises(InvalidInput):
        Frame("000000.jpg", delay)  # type: ignore[arg-type]


def test_parse_frames_accepts_the_api_shapes() -> None:
    listing = [{"file": "000000.jpg", "delay": 70}, {"file": "000001.jpg", "delay": 120}]
    expected = (Frame("000000.jpg", 70), Frame("000001.jpg", 120))
    api = {"ugoira_metadata": {"zip_urls": {"medium": "https://x/1.zip"}, "frames": listing}}
    assert parse_frames(api) == expected
    assert parse_frames(api["ugoira_metadata"]) == expected
    assert parse_frames(listing) == expected


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"frames": []},
        "000000.jpg",
        [1],
        [{"file": "000000.jpg"}],
        [{"file": "../x", "delay": 1}],
    ],
)
def test_parse_frames_rejects_malformed_metadata(raw: object) -> None:
    with pytest.raises(BadUgoira):
        parse_frames(raw)


def test_formats_know_their_extension_and_encoder() -> None:
    assert UgoiraFormat("apng").extension == ".png"
    assert [f.extension for f in UgoiraFormat] == [
        ".webp", ".png", ".gif", ".mp4", ".webm", ".zip",
    ]  # fmt: skip
    assert {f for f in UgoiraFormat if f.needs_ffmpeg} == {UgoiraFormat.MP4, UgoiraFormat.WEBM}
    assert UgoiraFormat.parse("WebM") is UgoiraFormat.WEBM
    with pytest.raises(InvalidInput, match="unknown ugoira format 'avi'; use one of webp, apng"):
        UgoiraFormat.parse("avi")


def test_frame_starts_and_centisecond_rounding() -> None:
    assert frame_starts([40, 100, 250]) == [0.0, 40.0, 140.0]
    # 45 ms frames alternate 50/40 so each boundary stays within 5 ms and the loop keeps 180 ms
    assert centisecond_delays([45, 45, 45, 45]) == [50, 40, 50, 40]
    assert centisecond_delays([3, 3, 100]) == [10, 10, 90]  # never a 0 delay
    assert sum(centisecond_delays([40, 100, 250, 70])) == 460


def test_check_timeline_accepts_exact_and_merged_frames() -> None:
    delays = [40, 100, 250]
    assert check_timeline(delays, [0, 40, 140], 390, tolerance_ms=0.5) is None
    # frames 1 and 2 merged into one 350 ms frame: fine when frame 2 need not stay separate
    assert check_timeline(delays, [0, 40], 390, tolerance_ms=0.5, cuts=[True, True, False]) is None
    assert check_timeline([70], [0], None, tolerance_ms=0.5) is None  # a still image


@pytest.mark.parametrize(
    ("starts", "total", "cuts", "fragment"),
    [
        ([0, 40, 140], 400, None, "plays 400 ms"),
        ([0, 40], 390, None, "frame 2 (at 140 ms) is missing"),
        ([0, 50, 140], 390, None, "starts at 50 ms"),
        ([0, 40, 140, 200], 390, None, "starts at 200 ms"),
        ([], 390, None, "no frames"),
        ([0], None, None, "still image"),
        ([0, 140], 390, [True, True, False], "frame 1 should start at 40 ms"),
    ],
)
def test_check_timeline_reports_mismatches(
    starts: list[float], total: float | None, cuts: list[bool] | None, fragment: str
) -> None:
    problem = check_timeline([40, 100, 250], starts, total, tolerance_ms=0.5, cuts=cuts)
    assert problem is not None and fragment in problem


def test_missing_frame_is_a_typed_error(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path)
    wanted = (*frames, Frame("000099.jpg", 40))
    with pytest.raises(BadUgoira, match=r"lacks 1 frame\(s\): 000099\.jpg"):
        encode_ugoira(zip_path, wanted, tmp_path / "out" / "a.webp", UgoiraFormat.WEBP)
    assert list((tmp_path / "out").iterdir()) == []


def test_member_in_a_subfolder_does_not_count_as_the_frame(tmp_path: Path) -> None:
    zip_path = write_zip(tmp_path / "u.zip", [("x/000000.jpg", frame_bytes(0, (16, 16)))])
    with pytest.raises(BadUgoira, match="lacks"):
        encode_ugoira(zip_path, [Frame("000000.jpg", 40)], tmp_path / "a.gif", "gif")


def test_unreadable_zips_and_frames_are_typed_errors(tmp_path: Path) -> None:
    frames = [Frame("000000.jpg", 40), Frame("000001.jpg", 40)]
    not_zip = tmp_path / "nz.zip"
    not_zip.write_bytes(b"<html>403 Forbidden</html>")
    garbage = write_zip(
        tmp_path / "g.zip", [("000000.jpg", frame_bytes(0, (16, 16))), ("000001.jpg", b"xx")]
    )
    sizes = write_zip(
        tmp_path / "s.zip",
        [("000000.jpg", frame_bytes(0, (16, 16))), ("000001.jpg", frame_bytes(1, (18, 16)))],
    )
    cases = {
        not_zip: "cannot open",
        tmp_path / "absent.zip": "cannot open",
        garbage: "not a readable image",
        sizes: "18x16",
    }
    for zip_path, fragment in cases.items():
        with pytest.raises(BadUgoira, match=fragment):
            encode_ugoira(zip_path, frames, tmp_path / "out.webp", UgoiraFormat.WEBP)
    assert not (tmp_path / "out.webp").exists()


def test_corrupt_member_fails_its_crc(tmp_path: Path) -> None:
    zip_path, frames = make_ugoira(tmp_path)
    data = bytearray(zip_path.read_bytes())
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo(frames[3].file)
    # flip a byte in the middle of frame 3's (stored) data
    data[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 0xFF
    zip_path.write_bytes(bytes(data))
    with pytest.raises(BadUgoira, match=frames[3].file):
        encode_ugoira(zip_path, frames, tmp_path / "a.apng", UgoiraFormat.APNG)


def test_frames_with_too_many_pixels_are_refused(tmp_path: Path) -> None:
    huge = io.BytesIO()
    Image.new("1", (4097, 4096)).save(huge, format="PNG")  # 16.8 Mpx in a few kB
    zip_path = write_zip(tmp_path / "u.zip", [("000000.png", huge.getvalue())])
    with pytest.raises(BadUgoira, match="too many pixels"):
        encode_ugoira(zip_path, [Frame("000000.png", 40)], tmp_path / "a.webp", "webp")


HOSTILE = [
    ("../../escape.jpg", b"evil"),
    ("/tmp/absolute-evil.jpg", b"evil"),
    ("..\\windows-evil.jpg", b"evil"),
    ("sub/../../dotdot.jpg", b"evil"),
]


@pytest.mark.parametrize("fmt", list(UgoiraFormat))
def test_hostile_member_names_are_never_written(tmp_path: Path, fmt: UgoiraFormat) -> None:
    zip_path, frames = make_ugoira(tmp_path, DELAYS[:3], extra=HOSTILE)
    outdir = tmp_path / "a" / "b"
    dest = encode_ugoira(zip_path, frames, outdir / f"w{fmt.extension}", fmt)
    assert sorted(p.name for p in outdir.iterdir()) == [dest.name]
    every = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    assert every == {"a", "a/b", f"a/b/{dest.name}", "source", f"source/{zip_path.name}"}
    assert not Path("/tmp/absolute-evil.jpg").exists()
    if fmt is UgoiraFormat.ZIP:
        with zipfile.ZipFile(dest) as kept:
            assert not any("evil" in name or ".." in name for name in kept.namelist())
