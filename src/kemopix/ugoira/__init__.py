"""Pixiv ugoira (zip of frames + per-frame delays) to WebP, APNG, GIF, MP4, WebM, or a kept zip.

::

    from kemopix.ugoira import UgoiraFormat, encode_ugoira, parse_frames

    frames = parse_frames(api_json["ugoira_metadata"])
    encode_ugoira(zip_path, frames, folder / "123.webp", UgoiraFormat.WEBP)

Every output is decoded back and checked against the frame delays before it is kept. MP4 and
WebM need the ``ugoira`` extra (imageio-ffmpeg); the Pillow formats always work.
:class:`UgoiraEncoder` runs encodes in worker processes, for use beside downloads.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from .errors import BadUgoira, EncodeFailed, FFmpegMissing, UgoiraError, UgoiraMismatch
from .frames import Frame, UgoiraFormat, parse_frames

if TYPE_CHECKING:
    from .encode import encode_ugoira
    from .ffmpeg import find_ffmpeg
    from .pool import UgoiraEncoder
    from .repack import ANIMATION_JSON

__all__ = [
    "ANIMATION_JSON",
    "BadUgoira",
    "EncodeFailed",
    "FFmpegMissing",
    "Frame",
    "UgoiraEncoder",
    "UgoiraError",
    "UgoiraFormat",
    "UgoiraMismatch",
    "encode_ugoira",
    "find_ffmpeg",
    "parse_frames",
]


# Loaded on first use: the encoders bring Pillow and multiprocessing, which a download without
# ugoira (and the start-up of every download) does not need.
__getattr__ = lazy_attributes(
    __name__,
    {
        "ANIMATION_JSON": "repack",
        "UgoiraEncoder": "pool",
        "encode_ugoira": "encode",
        "find_ffmpeg": "ffmpeg",
    },
)
