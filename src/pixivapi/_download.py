"""Downloads through the shared engine: the seed's destination checks and file layout.

Every file goes through ``kemopix.files.download`` (``.part`` file, Range resume, atomic
rename, a complete file is not fetched again) at a path made by ``safe_join`` inside the folder
the caller chose.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from kemopix._protocol.flow import Flow
from kemopix.files import DownloadResult, download, safe_join
from kemopix.files.paths import split_extension
from kemopix.sites.pixiv import IMAGE_REFERER

from ._state import ClientState
from .enums import Size
from .errors import PixivInvalidInput
from .models import Illustration

__all__ = [
    "check_destination",
    "download_file",
    "illustration_downloads",
    "illustration_files",
]


def check_destination(destination: str | os.PathLike[str]) -> Path:
    """The seed's promises: FileNotFoundError without the folder, PermissionError if unwritable.

    Writability is probed by creating (and dropping) a temporary file in the folder, which also
    catches what ``os.access`` cannot see (root, read-only or immutable folders). Returns the
    destination with its file name made safe, inside that folder.
    """
    path = Path(destination)
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, "the destination's directory does not exist", str(folder)
        )
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno in (errno.EROFS, errno.EPERM):
            raise PermissionError(
                exc.errno, "the destination cannot be written to", str(path)
            ) from exc
        raise
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "the destination cannot be written to", str(path))
    return safe_join(folder, path.name)


def _headers(c: ClientState, url: str, referer: str) -> dict[str, str]:
    site = c._site
    # The seed sent its token with every download; it goes to pixiv's API hosts only here.
    token = c._auth.bearer() if site.is_api_host(url) else None
    headers = site.headers(token)
    headers["Referer"] = referer
    return headers


def download_file(
    c: ClientState, url: str, destination: str | os.PathLike[str], referer: str
) -> Flow[DownloadResult]:
    """Download ``url`` to ``destination`` (checked as the seed documents)."""
    dest = check_destination(destination)
    url = c._site.image(url)
    return download(url, dest, headers=_headers(c, url, referer))


def _basename(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name


def illustration_files(
    illustration: Illustration, directory: Path, size: Size, filename: str | None
) -> Iterator[tuple[str, Path]]:
    """``(url, path)`` of each file of ``illustration`` at ``size``, as the seed laid them out.

    One page: ``<directory>/<filename or id><ext>``. Several: ``<directory>/<filename or
    id>/<page's original file name>``, with the extension of the size actually fetched (the
    seed kept the original's, which mislabels a ``.jpg`` sample as ``.png``).
    """
    name = filename or str(illustration.id)
    directory = Path(directory)
    if illustration.meta_pages:
        for page in illustration.meta_pages:
            url = _require(page.get(size), illustration, size)
            original = page.get(Size.ORIGINAL) or url
            stem, _ = split_extension(_basename(original))
            _, ext = split_extension(_basename(url))
            yield url, safe_join(directory, name, stem + ext)
        return
    url = _require(illustration.image_urls.get(size), illustration, size)
    _, ext = split_extension(_basename(url))
    yield url, safe_join(directory, name + ext)


def _require(url: str | None, illustration: Illustration, size: Size) -> str:
    if not url:
        raise PixivInvalidInput(f"illustration {illustration.id} has no {size.value} image")
    return url


def illustration_downloads(
    c: ClientState, illustration: Illustration, directory: Path, size: Size, filename: str | None
) -> list[Flow[DownloadResult]]:
    """One download flow per file of ``illustration`` (folders are created here)."""
    flows = []
    for url, path in illustration_files(illustration, directory, size, filename):
        path.parent.mkdir(parents=True, exist_ok=True)
        path = check_destination(path)
        image = c._site.image(url)
        flows.append(download(image, path, headers=_headers(c, image, IMAGE_REFERER)))
    return flows
