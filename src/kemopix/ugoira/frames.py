"""Ugoira frame metadata and the zip holding the frames: parse, validate, read in memory.

# pixiv-protocol.md §5: ``/v1/ugoira/metadata`` gives ``frames: [{file: "000000.jpg", delay: ms}]``
# and a zip whose entries are those 6-digit frame files; delays can vary frame to frame.

Zip members are only ever looked up by the names the metadata gives and read into memory; no
member is extracted by its own name, so hostile names (``../x``, ``/etc/x``) cannot place a file
anywhere. Extra members are ignored.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Mapping, Sequence
from contextlib import closing
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

if TYPE_CHECKING:
    from PIL import Image

from .._protocol.errors import InvalidInput, UnsafePathError
from .errors import BadUgoira

__all__ = [
    "MAX_FRAME_BYTES",
    "MAX_FRAME_PIXELS",
    "DecodedFrame",
    "Frame",
    "UgoiraFormat",
    "iter_decoded",
    "parse_frames",
    "read_members",
]

MAX_FRAME_BYTES = 64 << 20
"""A frame member larger than this (uncompressed) is refused: pixiv frames are < 2 MB."""
MAX_FRAME_PIXELS = 4096 * 4096
"""A frame with more pixels is refused (pixiv's largest ugoira zip is 1920x1080)."""
_IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP")


class Frame(Struct, frozen=True):
    """One frame of the metadata: the zip member's file name and how long it shows, in ms."""

    file: str
    delay_ms: int

    def __post_init__(self) -> None:
        name = self.file
        if not isinstance(name, str) or not name or name in {".", ".."}:
            raise UnsafePathError(f"bad ugoira frame name {name!r}")
        # A plain file name only: it may be written into a kept zip (``UgoiraFormat.ZIP``).
        if any(ch in name for ch in "/\\\x00") or ":" in name:
            raise UnsafePathError(f"ugoira frame name {name!r} is not a plain file name")
        delay = self.delay_ms
        if isinstance(delay, bool) or not isinstance(delay, int) or delay < 1:
            raise InvalidInput(f"ugoira frame {name!r} has delay {delay!r}; need whole ms >= 1")


class UgoiraFormat(StrEnum):
    """What an ugoira becomes: an animation, a video, or the zip kept as it is."""

    WEBP = "webp"
    APNG = "apng"
    GIF = "gif"
    MP4 = "mp4"
    WEBM = "webm"
    ZIP = "zip"

    @classmethod
    def parse(cls, value: str) -> UgoiraFormat:
        """The format named ``value`` (any case); :class:`InvalidInput` for an unknown name."""
        try:
            return cls(str(value).lower())
        except ValueError:
            names = ", ".join(member.value for member in cls)
            raise InvalidInput(f"unknown ugoira format {value!r}; use one of {names}") from None

    @property
    def extension(self) -> str:
        """The usual file extension, with the dot (APNG files are ``.png``)."""
        return ".png" if self is UgoiraFormat.APNG else f".{self.value}"

    @property
    def needs_ffmpeg(self) -> bool:
        """Whether this format is encoded by ffmpeg (the optional ``ugoira`` extra)."""
        return self in {UgoiraFormat.MP4, UgoiraFormat.WEBM}


def parse_frames(raw: object) -> tuple[Frame, ...]:
    """Frames from the API's ``ugoira_metadata`` (or its ``frames`` list); raises BadUgoira."""
    if isinstance(raw, Mapping):
        inner = raw.get("ugoira_metadata", raw)
        raw = inner.get("frames") if isinstance(inner, Mapping) else None
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes) or not raw:
        raise BadUgoira("ugoira metadata has no frame list")
    frames: list[Frame] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise BadUgoira(f"ugoira frame {index} is not an object")
        try:
            frames.append(Frame(item.get("file"), item.get("delay")))  # type: ignore[arg-type]
        except InvalidInput as exc:
            raise BadUgoira(f"ugoira frame {index}: {exc}") from exc
    return tuple(frames)


def read_members(zip_path: Path, frames: Sequence[Frame]) -> Generator[bytes, None, None]:
    """The bytes of each frame's member, in metadata order, after checking all are present.

    Raises :class:`BadUgoira` for an unreadable zip, a missing, oversized, encrypted or
    corrupt (CRC) member.
    """
    import zipfile

    if not frames:
        raise BadUgoira("an ugoira needs at least one frame")
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BadUgoira(f"cannot open ugoira zip {zip_path.name}: {exc}") from exc
    with archive:
        infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        missing = [frame.file for frame in frames if frame.file not in infos]
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise BadUgoira(f"ugoira zip {zip_path.name} lacks {len(missing)} frame(s): {shown}")
        for frame in frames:
            info = infos[frame.file]
            if info.file_size > MAX_FRAME_BYTES:
                raise BadUgoira(f"ugoira frame {frame.file} is {info.file_size} bytes, too large")
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_FRAME_BYTES + 1)
            except (OSError, RuntimeError, NotImplementedError, zipfile.BadZipFile) as exc:
                # CRC mismatch, encrypted member, unsupported compression, truncated data
                raise BadUgoira(f"cannot read ugoira frame {frame.file}: {exc}") from exc
            if len(data) > MAX_FRAME_BYTES:
                raise BadUgoira(f"ugoira frame {frame.file} inflates past {MAX_FRAME_BYTES} bytes")
            yield data


class DecodedFrame(Struct, frozen=True):
    """A frame's metadata, its raw member bytes, its image format and the loaded image."""

    frame: Frame
    data: bytes
    format: str
    image: Image.Image


def iter_decoded(zip_path: Path, frames: Sequence[Frame]) -> Generator[DecodedFrame, None, None]:
    """Decode each frame with Pillow, checking format, pixel budget and a common size."""
    size: tuple[int, int] | None = None
    with closing(read_members(zip_path, frames)) as members:
        for frame, data in zip(frames, members, strict=True):
            image = _decode(frame, data)
            if size is None:
                size = image.size
            elif image.size != size:
                raise BadUgoira(
                    f"ugoira frame {frame.file} is {image.size[0]}x{image.size[1]}, "
                    f"the first frame is {size[0]}x{size[1]}"
                )
            yield DecodedFrame(frame, data, image.format or "", image)


def _decode(frame: Frame, data: bytes) -> Image.Image:
    from PIL import Image, UnidentifiedImageError  # Pillow loads only when frames are decoded

    try:
        image = Image.open(io.BytesIO(data), formats=_IMAGE_FORMATS)
        width, height = image.size
        if width * height > MAX_FRAME_PIXELS:
            raise BadUgoira(f"ugoira frame {frame.file} is {width}x{height}, too many pixels")
        image.load()
    except BadUgoira:
        raise
    except (
        OSError,
        ValueError,
        SyntaxError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,  # raised only where warnings are errors
    ) as exc:
        raise BadUgoira(f"ugoira frame {frame.file} is not a readable image: {exc}") from exc
    return image
