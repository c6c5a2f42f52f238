"""``File``: a file on a Kemono data server, and its verified, resumable download."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from kemopix.files import download, safe_join
from kemopix.sites.kemono.models import FileRef

from .._attach import Attached
from ..core.urltypes import UrlType

if TYPE_CHECKING:
    from ..sessions.session import KemoSession

__all__ = ["BAR_WIDTH", "File", "FileDict", "FilesList"]

BAR_WIDTH = 100
FileDict = dict[str, str]
_SHA256 = re.compile(r"[0-9a-f]{64}")


class File(Attached):
    """A file: display ``name`` and ``path`` (``/data/xx/yy/<sha256>.ext`` for Kemono files)."""

    def __init__(
        self,
        name: str,
        path: str,
        content_type: str | None = None,
        url_source: UrlType = UrlType.DATA,
        server: int = 3,
    ) -> None:
        path = path.replace("\\", "/")  # boosty paths may use backslashes (§6.9)
        if url_source is UrlType.DATA and not path.startswith("/data/"):
            path = "/data" + (path if path.startswith("/") else "/" + path)
        self._name = name
        self.path = path
        self._content_type = content_type
        self.url_source = url_source
        self.server = server
        #: Pawchive: the original is not fetched yet / only a preview is held (None elsewhere).
        self.deferred: bool | None = None
        self.preview_only: bool | None = None
        self._session = None

    @classmethod
    def from_ref(cls, ref: FileRef, ks: KemoSession | None = None) -> File | None:
        """A ``File`` for a wire file reference (None when it has no path)."""
        if not ref.path:
            return None
        name = ref.name or ref.path.rsplit("/", 1)[-1]
        file = cls(name, ref.path).with_session(ks)
        file.deferred, file.preview_only = ref.deferred, ref.preview_only
        return file

    def with_session(self, ks: KemoSession | None) -> Self:
        """Attach the session downloads go through; returns ``self``."""
        return self.set_underlying_session(ks)

    @property
    def name(self) -> str:
        return self._name

    @property
    def content_type(self) -> str | None:
        return self._content_type

    @property
    def sha256(self) -> str | None:
        """The SHA-256 the content-addressed path names (None for other files)."""
        stem = self.path.rsplit("/", 1)[-1].split(".", 1)[0].lower()
        return stem if _SHA256.fullmatch(stem) else None

    @property
    def url(self) -> str:
        """Where the bytes are."""
        if self.url_source is UrlType.DATA:
            return self._site_of().file_url(self.path)
        if self.url_source is UrlType.DISCORD:
            return UrlType.DISCORD.value + self.path
        if self.url_source is UrlType.API:
            return self._site_of().url + "/api" + self.path
        return self._site_of().url + self.path

    def __repr__(self) -> str:
        return f"<File {self._name!r} in {self.path!r}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, File):
            return NotImplemented
        return (self.path, self.url_source) == (other.path, other.url_source)

    def __hash__(self) -> int:
        return hash((self.path, self.url_source))

    def destination(self, path: str | Path = "") -> Path:
        """Where :meth:`save` writes: a folder gets the (sanitized) file name appended."""
        target = Path(path) if str(path) else Path.cwd()
        if str(path) == "" or target.is_dir() or not target.suffix:
            return safe_join(target, self._name)
        return safe_join(target.parent, target.name)

    async def save(
        self,
        path: str | Path = "",
        *,
        force: bool = True,
        verbose: bool = False,
        show_order: int = 1,
        chunk_size: int = 4096,
    ) -> bool:
        """Download the file to ``path`` (a folder or a file name); False if it exists and not
        ``force``. The bytes go to ``<dest>.part`` and are renamed after the SHA-256 in the path
        checks out; an interrupted download resumes. Failures raise typed errors.

        ``verbose``, ``show_order`` and ``chunk_size`` are accepted for compatibility.
        """
        dest = self.destination(path)
        if dest.exists() and not force:
            return False
        expected = self.sha256
        if dest.exists() and expected is None:
            dest.unlink()  # force, and no hash to tell whether the old copy is right
        headers: dict[str, Any] = {"Referer": self._site_of().url + "/"}
        flow = download(self.url, dest, expected_sha256=expected, headers=headers,
                        verify_existing=True)  # fmt: skip
        await self._ks().run(flow)
        return True


FilesList = list[File]
