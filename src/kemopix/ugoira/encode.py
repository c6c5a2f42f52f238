"""``encode_ugoira``: validate the zip, encode in a private temp folder, verify, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from .errors import BadUgoira
from .ffmpeg import check_ffmpeg, encode_ffmpeg, find_ffmpeg, verify_ffmpeg
from .frames import Frame, UgoiraFormat, iter_decoded
from .pillow import encode_pillow, verify_pillow
from .repack import repack_zip, verify_zip

__all__ = ["encode_ugoira"]

_TEMP_PREFIX = ".kemopix-ugoira-"


def encode_ugoira(
    zip_path: Path,
    frames: Sequence[Frame],
    dest: Path,
    fmt: UgoiraFormat | str,
    *,
    ffmpeg: str | None = None,
) -> Path:
    """Turn a downloaded ugoira zip into ``dest`` in format ``fmt`` and return ``dest``.

    Every frame the metadata names must be in the zip (members are read in memory, never
    extracted by their own names). The output is written in a temp folder beside ``dest`` (same
    file system, so the final ``os.replace`` is atomic), decoded back and checked against
    ``frames`` (count, size, delays) before it is renamed; a failed check leaves nothing behind.
    ``ffmpeg`` is the binary for MP4/WebM; by default imageio-ffmpeg's.

    :raises BadUgoira: the zip or the frame metadata is not a usable ugoira.
    :raises UgoiraMismatch: the encoded file does not play the frames as given.
    :raises FFmpegMissing: MP4/WebM without ffmpeg (``pip install kemopix[ugoira]``).
    :raises EncodeFailed: the encoder failed.
    """
    fmt = UgoiraFormat.parse(fmt)
    frames = tuple(frames)
    if not frames:
        raise BadUgoira("an ugoira needs at least one frame")
    exe = ""
    if fmt.needs_ffmpeg:
        exe = check_ffmpeg(ffmpeg) if ffmpeg is not None else find_ffmpeg()
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX, dir=dest.parent) as temp,
        closing(iter_decoded(Path(zip_path), frames)) as decoded,
    ):
        workdir = Path(temp)
        out_name = f"out{fmt.extension}"
        out = workdir / out_name
        if fmt is UgoiraFormat.ZIP:
            repack_zip(decoded, out)
            verify_zip(out, frames)
        elif fmt.needs_ffmpeg:
            size = encode_ffmpeg(exe, decoded, workdir, out_name, fmt)
            verify_ffmpeg(exe, workdir, out_name, frames, fmt, size)
        else:
            encoded = encode_pillow(decoded, out, fmt)
            verify_pillow(out, frames, fmt, encoded)
        os.replace(out, dest)
    return dest
