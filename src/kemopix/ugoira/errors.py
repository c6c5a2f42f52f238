"""Errors of the ugoira encoder, placed in the kemopix error tree.

::

    UgoiraError (KemopixError)          anything that stopped an ugoira encode
    ├── BadUgoira (DecodeError)         the zip or its frame metadata is not a usable ugoira
    ├── UgoiraMismatch (IntegrityError) the encoded file does not play the frames as given
    ├── FFmpegMissing                   MP4/WebM asked for, but no ffmpeg binary was found
    └── EncodeFailed                    the encoder (Pillow or ffmpeg) failed or timed out

A bad or mismatching output is never left at the destination.
"""

from __future__ import annotations

from .._protocol.errors import DecodeError, IntegrityError, KemopixError

__all__ = ["BadUgoira", "EncodeFailed", "FFmpegMissing", "UgoiraError", "UgoiraMismatch"]


class UgoiraError(KemopixError):
    """Root of the errors raised by :mod:`kemopix.ugoira`."""


class BadUgoira(UgoiraError, DecodeError):
    """The zip is unreadable, a frame is missing or undecodable, or the metadata is malformed."""


class UgoiraMismatch(UgoiraError, IntegrityError):
    """Decoding the output back did not give the expected frames, sizes or delays."""


class FFmpegMissing(UgoiraError):
    """No usable ffmpeg binary: MP4 and WebM need ``pip install kemopix[ugoira]``."""


class EncodeFailed(UgoiraError):
    """The encoder failed (ffmpeg exit status, timeout, a dead worker process)."""
