"""Downloads: one file, or every page of an illustration (``illustration.download``)."""

from __future__ import annotations

import os
from pathlib import Path

from kemopix.files import DownloadResult

from .. import _download
from .._backends import AsyncBackend
from ..enums import Size
from ..models import Illustration

__all__ = ["Downloads"]


class Downloads(AsyncBackend):
    """Atomic, resumable downloads through ``kemopix.files``."""

    async def download(
        self, url: str, destination: str | os.PathLike[str], referer: str = "https://pixiv.net"
    ) -> None:
        """Download a file to a given destination (atomic, resumable, skipped when complete).

        :param str url: The URL to the file.
        :param destination: The destination file. Must be writeable.
        :param str referer: The Referer header.
        :raises FileNotFoundError: If the destination's directory does not exist.
        :raises PermissionError: If the destination cannot be written to.
        """
        await self._run(_download.download_file(self, url, destination, referer))

    async def download_illustration(
        self,
        illustration: Illustration,
        directory: Path,
        size: Size = Size.ORIGINAL,
        filename: str | None = None,
    ) -> list[DownloadResult]:
        """Every page of ``illustration`` (what its ``download`` method does): one after the
        other with the blocking client, concurrently with the asyncio one."""
        flows = _download.illustration_downloads(self, illustration, directory, size, filename)
        return await self._run_all(flows)
