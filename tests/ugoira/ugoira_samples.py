"""Real ugoira zips for the ugoira tests: Pillow-drawn frames, every frame visibly different."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from kemopix.ugoira import Frame

DELAYS = (40, 100, 250, 40, 100, 250, 70, 40)  # ms: varied, 8 frames, 840 ms in all
_FRAMECRC = re.compile(r"^\s*0,\s*(-?\d+),\s*(-?\d+),\s*(\d+),", re.MULTILINE)
_TIMEBASE = re.compile(r"^#tb 0: (\d+)/(\d+)", re.MULTILINE)


def frame_bytes(
    index: int, size: tuple[int, int], *, mode: str = "RGB", image_format: str = "JPEG"
) -> bytes:
    """A frame whose colour and block position depend on ``index``."""
    alpha = (160,) if mode == "RGBA" else ()
    fill = (index * 37 % 256, 90 + index * 11 % 120, 200 - index * 23 % 180, *alpha)
    image = Image.new(mode, size, fill)
    width, height = size
    x = index * 4 % max(1, width - 12)
    block = (255, 255, 0, *((255,) if alpha else ()))
    ImageDraw.Draw(image).rectangle((x, 2, x + 10, min(height - 1, 14)), fill=block)
    out = io.BytesIO()
    image.save(out, format=image_format, **({"quality": 92} if image_format == "JPEG" else {}))
    return out.getvalue()


def write_zip(path: Path, members: Sequence[tuple[str, bytes]]) -> Path:
    """A zip holding ``members`` under exactly the given names (hostile ones included)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
    return path


def make_ugoira(
    root: Path,
    delays: Sequence[int] = DELAYS,
    *,
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    image_format: str = "JPEG",
    extra: Sequence[tuple[str, bytes]] = (),
    name: str = "123_ugoira600x600.zip",
) -> tuple[Path, tuple[Frame, ...]]:
    """``root/source/<name>``: a pixiv-style zip (``000000.jpg`` ...) and its frame metadata."""
    ext = "jpg" if image_format == "JPEG" else image_format.lower()
    frames = tuple(Frame(f"{i:06d}.{ext}", delay) for i, delay in enumerate(delays))
    members = [
        (frame.file, frame_bytes(i, size, mode=mode, image_format=image_format))
        for i, frame in enumerate(frames)
    ]
    return write_zip(root / "source" / name, [*members, *extra]), frames


def pillow_timeline(path: Path) -> tuple[str | None, tuple[int, int], list[float]]:
    """Format, size and every frame's duration (ms), decoded by Pillow."""
    with Image.open(path) as image:
        durations = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            image.load()
            durations.append(float(image.info["duration"]))
        return image.format, image.size, durations


def packet_times(ffmpeg: str, path: Path) -> list[float]:
    """Each video packet's pts in ms, read from the container without decoding (framecrc)."""
    command = [ffmpeg, "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0"]
    command += ["-c", "copy", "-f", "framecrc", "-"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
    )
    match = _TIMEBASE.search(done.stdout)
    assert match is not None, done.stdout
    num, den = int(match.group(1)), int(match.group(2))
    return sorted(int(pts) * 1000 * num / den for _dts, pts, _dur in _FRAMECRC.findall(done.stdout))
