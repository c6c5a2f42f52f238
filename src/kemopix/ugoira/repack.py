"""``UgoiraFormat.ZIP``: keep the frames as a zip, with their delays inside as ``animation.json``.

The kept zip holds exactly the frames the metadata names, in order, stored uncompressed as
pixiv stores them (JPEG and PNG do not deflate), plus ``animation.json``: the metadata's
``[{"file": ..., "delay": ms}]`` list, so the zip alone can be converted later
(``parse_frames`` reads it). Any other member of the downloaded zip is dropped.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import UgoiraMismatch
from .frames import DecodedFrame, Frame, parse_frames

__all__ = ["ANIMATION_JSON", "repack_zip", "verify_zip"]

ANIMATION_JSON = "animation.json"
# A fixed timestamp keeps the kept zip byte-identical across runs.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _metadata(frames: Sequence[Frame]) -> bytes:
    listing = [{"file": frame.file, "delay": frame.delay_ms} for frame in frames]
    return json.dumps(listing, separators=(",", ":")).encode()


def repack_zip(decoded: Iterable[DecodedFrame], out: Path) -> list[Frame]:
    """Write the (already validated) frames and ``animation.json`` to ``out``."""
    frames: list[Frame] = []
    written: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in decoded:
            frames.append(item.frame)
            if item.frame.file not in written:  # a frame shown twice is stored once
                written.add(item.frame.file)
                archive.writestr(zipfile.ZipInfo(item.frame.file, _EPOCH), item.data)
        archive.writestr(zipfile.ZipInfo(ANIMATION_JSON, _EPOCH), _metadata(frames))
    return frames


def verify_zip(path: Path, frames: Sequence[Frame]) -> None:
    """Check the kept zip: intact (CRC), the right members, and ``animation.json`` = frames."""
    expected = [*dict.fromkeys(frame.file for frame in frames), ANIMATION_JSON]
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            broken = archive.testzip()
            listed = parse_frames(json.loads(archive.read(ANIMATION_JSON)))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UgoiraMismatch(f"the kept zip cannot be read back: {exc}") from exc
    if broken is not None:
        raise UgoiraMismatch(f"the kept zip has a corrupt member {broken}")
    if names != expected:
        raise UgoiraMismatch(f"the kept zip holds {names}, expected {expected}")
    if list(listed) != list(frames):
        raise UgoiraMismatch("the kept zip's animation.json does not match the metadata")
