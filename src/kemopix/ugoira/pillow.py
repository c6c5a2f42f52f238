"""Animated WebP, APNG and GIF through Pillow, and reading them back to verify them.

Pillow needs every frame in memory at once: about width x height x 3 bytes per frame
(600x600 x 100 frames is ~110 MB). The ffmpeg formats stream from disk instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .errors import EncodeFailed, UgoiraMismatch
from .frames import DecodedFrame, Frame, UgoiraFormat
from .timeline import centisecond_delays, check_timeline, frame_starts

__all__ = ["PILLOW_FORMATS", "Encoded", "encode_pillow", "verify_pillow"]

PILLOW_FORMATS = {UgoiraFormat.WEBP: "WEBP", UgoiraFormat.APNG: "PNG", UgoiraFormat.GIF: "GIF"}
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_WEBP_OPTIONS = {"quality": 90, "method": 4}
# default_image=False: frame 0 is part of the animation, not a separate fallback image;
# disposal 0 / blend 0 (none / source): each frame replaces its region, so no ghosting.
_APNG_OPTIONS = {"default_image": False, "disposal": 0, "blend": 0}


@dataclass(frozen=True, slots=True)
class Encoded:
    """What verifying an encode needs: the frame size and which frames differ from the last."""

    size: tuple[int, int]
    changed: tuple[bool, ...]


def _normalize(image: Image.Image) -> Image.Image:
    alpha = image.mode in _ALPHA_MODES or "transparency" in image.info
    return image.convert("RGBA" if alpha else "RGB")


def encode_pillow(decoded: Iterable[DecodedFrame], out: Path, fmt: UgoiraFormat) -> Encoded:
    """Write the frames to ``out`` as an endlessly looping animation in ``fmt``."""
    images: list[Image.Image] = []
    delays: list[int] = []
    changed: list[bool] = []
    previous = b""
    for item in decoded:
        image = _normalize(item.image)
        digest = hashlib.blake2b(image.tobytes(), digest_size=16).digest()
        changed.append(digest != previous)
        previous = digest
        images.append(image)
        delays.append(item.frame.delay_ms)
    if any(image.mode == "RGBA" for image in images):
        images = [image.convert("RGBA") for image in images]
    options: dict[str, object] = {}
    if fmt is UgoiraFormat.WEBP:
        options = dict(_WEBP_OPTIONS)
    elif fmt is UgoiraFormat.APNG:
        options = dict(_APNG_OPTIONS)
    elif fmt is UgoiraFormat.GIF:
        delays = centisecond_delays(delays)  # GIF stores centiseconds
    else:
        raise ValueError(f"{fmt} is not a Pillow format")
    first, *rest = images
    try:
        first.save(
            out,
            format=PILLOW_FORMATS[fmt],
            save_all=True,
            append_images=rest,
            duration=delays,
            loop=0,
            **options,
        )
    except (OSError, ValueError) as exc:
        raise EncodeFailed(f"Pillow could not write {fmt.value}: {exc}") from exc
    return Encoded(first.size, tuple(changed))


def verify_pillow(path: Path, frames: Sequence[Frame], fmt: UgoiraFormat, encoded: Encoded) -> None:
    """Decode ``path`` and check format, size, frame count and per-frame delays."""
    try:
        with Image.open(path) as image:
            found = image.format
            size = image.size
            durations: list[float | None] = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                image.load()  # WebP sets the frame's duration only when it is decoded
                value = image.info.get("duration")
                durations.append(float(value) if value is not None else None)
    except (OSError, ValueError, EOFError) as exc:
        raise UgoiraMismatch(f"the {fmt.value} output cannot be decoded: {exc}") from exc
    if found != PILLOW_FORMATS[fmt]:
        raise UgoiraMismatch(f"the {fmt.value} output decodes as {found}")
    if size != encoded.size:
        raise UgoiraMismatch(f"the {fmt.value} output is {size}, the frames are {encoded.size}")
    if len(durations) == 1 and not durations[0]:
        starts, total = [0.0], None  # a still image (one distinct frame) has no timing
    elif None in durations:
        raise UgoiraMismatch(f"the {fmt.value} output has frames without a duration")
    else:
        timed = [d or 0.0 for d in durations]
        starts, total = frame_starts(timed), sum(timed)
    # APNG is lossless, so only truly identical frames may merge; lossy WebP and GIF palettes
    # can make near-identical frames equal, so for them only the first frame is certain.
    if fmt is UgoiraFormat.APNG:
        cuts: Sequence[bool] = encoded.changed
    else:
        cuts = [True] + [False] * (len(frames) - 1)
    tolerance = 5.0 if fmt is UgoiraFormat.GIF else 0.5
    delays = [frame.delay_ms for frame in frames]
    problem = check_timeline(delays, starts, total, tolerance_ms=tolerance, cuts=cuts)
    if problem:
        raise UgoiraMismatch(f"the {fmt.value} output does not match the metadata: {problem}")
