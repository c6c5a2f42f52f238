"""MP4 (H.264) and WebM (VP9) through the ffmpeg binary of imageio-ffmpeg, and verifying them.

Frames go to ffmpeg through the concat demuxer with one ``duration`` per file, so each frame
keeps its own delay. Three details make the timestamps exact (measured with ffmpeg 9.0.2):

* ``option framerate 1000`` per file: the image demuxer's default 25 fps time base would
  otherwise round every timestamp to 40 ms.
* The last file is listed twice: the demuxer applies a ``duration`` only when another file
  follows, so the extra copy marks where the last frame ends. With ``-fps_mode vfr`` it becomes
  a 1 ms frame at exactly the total time, which is what gives the last frame its length.
* MP4 uses ``-bf 0`` and a 1 ms track timescale: with B-frames the muxer wrote shuffled
  sample durations for variable frame rates.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import EncodeFailed, FFmpegMissing, UgoiraMismatch
from .frames import DecodedFrame, Frame, UgoiraFormat
from .timeline import check_timeline

__all__ = ["INSTALL_HINT", "encode_ffmpeg", "find_ffmpeg", "verify_ffmpeg"]

INSTALL_HINT = "MP4 and WebM need ffmpeg: pip install 'kemopix[ugoira]'"
_LIST_NAME = "frames.ffconcat"
_MP4_ARGS = (
    # H.264 4:2:0 needs even sizes; limited range is what every player expects.
    *("-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2,scale=out_range=tv,format=yuv420p"),
    *("-c:v", "libx264", "-preset", "medium", "-crf", "18", "-bf", "0"),
    *("-video_track_timescale", "1000", "-movflags", "+faststart", "-f", "mp4"),
)
_WEBM_ARGS = (
    *("-vf", "scale=out_range=tv,format=yuv420p"),
    *("-c:v", "libvpx-vp9", "-crf", "30", "-b:v", "0"),
    *("-deadline", "good", "-cpu-used", "4", "-row-mt", "1", "-f", "webm"),
)
_SHOWINFO = re.compile(r"\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:(-?[\d.]+)")
_FRAME_SIZE = re.compile(r"\bs:(\d+)x(\d+)\b")
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_TOLERANCE_MS = 1.5  # timestamps are whole ms; the rest is pts_time's decimal printing


def find_ffmpeg(module: str = "imageio_ffmpeg") -> str:
    """The ffmpeg binary that ``module`` (imageio-ffmpeg) ships or that IMAGEIO_FFMPEG_EXE names.

    :raises FFmpegMissing: the module is not installed or has no usable binary.
    """
    try:
        provider = importlib.import_module(module)
        exe = provider.get_ffmpeg_exe()
    except ImportError as exc:
        raise FFmpegMissing(f"{INSTALL_HINT} ({module} is not installed)") from exc
    except (RuntimeError, OSError) as exc:
        raise FFmpegMissing(f"{INSTALL_HINT} ({module} found no binary: {exc})") from exc
    return check_ffmpeg(str(exe))


def check_ffmpeg(exe: str) -> str:
    """The absolute path of ``exe`` (a path, or a name looked up on PATH), else FFmpegMissing."""
    found = shutil.which(exe)
    if found is None:
        raise FFmpegMissing(f"{INSTALL_HINT} (no executable ffmpeg at {exe})")
    return os.path.abspath(found)  # ffmpeg runs in the temp folder, so no relative paths


def _run(exe: str, args: Sequence[str], cwd: Path, timeout: float) -> str:
    """Run ffmpeg in ``cwd`` (all paths relative, so no name can look like an option)."""
    command = [exe, "-hide_banner", "-nostdin", "-y", *args]
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout
        )
    except (FileNotFoundError, PermissionError) as exc:
        raise FFmpegMissing(f"{INSTALL_HINT} (cannot run {exe}: {exc})") from exc
    except subprocess.TimeoutExpired as exc:
        raise EncodeFailed(f"ffmpeg did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise EncodeFailed(f"cannot run ffmpeg: {exc}") from exc
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise EncodeFailed(f"ffmpeg exited with status {done.returncode}: {tail}")
    return done.stderr


def _write_frames(decoded: Iterable[DecodedFrame], workdir: Path) -> tuple[int, tuple[int, int]]:
    """Write each frame under a generated name, then the concat list; (frame count, size)."""
    lines = ["ffconcat version 1.0"]
    count = 0
    size = (0, 0)
    name = ""
    for index, item in enumerate(decoded):
        # Pass JPEG/PNG bytes through untouched (no second lossy step); anything ffmpeg may
        # not read (CMYK JPEG, BMP, WebP frames) is rewritten as PNG by Pillow.
        if item.format == "JPEG" and item.image.mode in {"RGB", "L"}:
            name = f"{index:06d}.jpg"
            (workdir / name).write_bytes(item.data)
        elif item.format == "PNG":
            name = f"{index:06d}.png"
            (workdir / name).write_bytes(item.data)
        else:
            name = f"{index:06d}.png"
            item.image.convert("RGBA").save(workdir / name, format="PNG")
        delay = item.frame.delay_ms
        seconds = f"{delay // 1000}.{delay % 1000:03d}"
        lines += [f"file '{name}'", "option framerate 1000", f"duration {seconds}"]
        count += 1
        size = item.image.size
    lines += [f"file '{name}'", "option framerate 1000"]
    (workdir / _LIST_NAME).write_text("\n".join(lines) + "\n", encoding="ascii")
    return count, size


def encode_ffmpeg(
    exe: str, decoded: Iterable[DecodedFrame], workdir: Path, out_name: str, fmt: UgoiraFormat
) -> tuple[int, int]:
    """Encode the frames to ``workdir / out_name`` as MP4 or WebM and return the frame size.

    The frame files and the concat list are written to ``workdir`` under generated names.
    """
    codec = {UgoiraFormat.MP4: _MP4_ARGS, UgoiraFormat.WEBM: _WEBM_ARGS}.get(fmt)
    if codec is None:
        raise ValueError(f"{fmt} is not an ffmpeg format")
    count, size = _write_frames(decoded, workdir)
    # -safe 0 allows the per-file ``option`` lines; every name in the list is ours.
    args = ["-loglevel", "error", "-f", "concat", "-safe", "0", "-i", _LIST_NAME]
    args += ["-map", "0:v:0", "-fps_mode", "vfr", *codec, out_name]
    _run(exe, args, workdir, timeout=120 + count)
    return size


def verify_ffmpeg(
    exe: str,
    workdir: Path,
    out_name: str,
    frames: Sequence[Frame],
    fmt: UgoiraFormat,
    size: tuple[int, int],
) -> None:
    """Decode the output with ffmpeg and check frame count, size and every frame's start time."""
    args = ["-loglevel", "info", "-i", out_name, "-map", "0:v:0", "-vf", "showinfo"]
    args += ["-f", "null", "-"]
    log = _run(exe, args, workdir, timeout=120 + len(frames))
    starts = [float(value) * 1000 for value in _SHOWINFO.findall(log)]
    sizes = {(int(w), int(h)) for w, h in _FRAME_SIZE.findall(log)}
    width, height = size
    want = (width + width % 2, height + height % 2) if fmt is UgoiraFormat.MP4 else size
    if sizes != {want}:
        raise UgoiraMismatch(f"the {fmt.value} output has frame sizes {sorted(sizes)}, not {want}")
    delays = [frame.delay_ms for frame in frames]
    expected_total = float(sum(delays))
    container = _container_ms(log)
    tolerance = _TOLERANCE_MS
    if len(starts) == len(frames) + 1 and abs(starts[-1] - expected_total) <= tolerance:
        total: float | None = starts.pop()  # the end marker: the last file listed twice
    else:
        total = container
        tolerance = 10.0 + _TOLERANCE_MS  # ffmpeg prints the duration in centiseconds
    if container is not None and total is not None and abs(container - total) > 10 + _TOLERANCE_MS:
        raise UgoiraMismatch(
            f"the {fmt.value} output lasts {container:g} ms, its frames end at {total:g} ms"
        )
    problem = check_timeline(delays, starts, total, tolerance_ms=tolerance)
    if problem:
        raise UgoiraMismatch(f"the {fmt.value} output does not match the metadata: {problem}")


def _container_ms(log: str) -> float | None:
    match = _DURATION.search(log)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return ((int(hours) * 60 + int(minutes)) * 60 + float(seconds)) * 1000
