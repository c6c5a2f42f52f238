"""Pure rules of the quality ladder: the per-host circuit breaker, thumbnail checks, states."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from kemopix._protocol.errors import (
    ConnectionRefused,
    IntegrityError,
    NetworkError,
    NotFound,
)
from kemopix._protocol.http import Request, Response
from kemopix.downloader.archive import ARCHIVE_NAME, Archive, PostState, file_state
from kemopix.downloader.model import PostKey
from kemopix.downloader.quality import Breaker, HostDown, check_thumbnail, host_failure

DATA = "http://n1.example/data/ab/cd/x.png"


def request(url: str = DATA) -> Request:
    return Request.build("GET", url)


def answer(status: int) -> Response:
    return Response(status, {}, b"", DATA, request())


def test_breaker_opens_after_failures_in_a_row_and_reprobes() -> None:
    breaker = Breaker(trip_after=3, reprobe_after=5.0)
    req = request()
    for now in (0.0, 0.1):
        breaker.observe(req, NetworkError("connection reset by peer"), now)
        breaker.check(req, now)  # not yet: two failures
    breaker.observe(req, answer(404), 0.2)  # an answer: the host is up, start again
    for now in (0.3, 0.4, 0.5):
        breaker.observe(req, ConnectionRefused("refused"), now)
    with pytest.raises(HostDown, match=r"n1\.example is down"):
        breaker.check(req, 1.0)
    # the image host and the site's other paths are not affected
    breaker.check(request("http://n1.example/thumbnail/data/ab/cd/x.png"), 1.0)
    breaker.check(request("http://n2.example/data/ab/cd/x.png"), 1.0)
    breaker.check(req, 5.6)  # the re-probe goes through...
    with pytest.raises(HostDown):
        breaker.check(req, 5.7)  # ...alone
    breaker.observe(req, answer(200), 5.8)
    breaker.check(req, 5.9)  # closed again


def test_host_failures_are_connection_level_only() -> None:
    assert host_failure(ConnectionRefused("x")) and host_failure(NetworkError("reset"))
    assert host_failure(HostDown("down"))
    assert not host_failure(NotFound("gone", status=404))


def test_thumbnail_check_decodes(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    good.write_bytes(buffer.getvalue())
    check_thumbnail(good)
    for name, data in (("empty.png", b""), ("junk.png", b"<html>not an image</html>")):
        bad = tmp_path / name
        bad.write_bytes(data)
        with pytest.raises(IntegrityError):
            check_thumbnail(bad)
    cut = tmp_path / "cut.png"
    cut.write_bytes(buffer.getvalue()[:40])
    with pytest.raises(IntegrityError):
        check_thumbnail(cut)


def test_file_states() -> None:
    assert file_state("done", "original") == "original"
    assert file_state("done", "thumbnail") == "thumbnail"
    assert file_state("unavailable", "nothing") == "unavailable"
    assert file_state("failed") == "failed" and file_state("pending") == "pending"


def test_schema_2_archive_gains_the_thumbnail_column(tmp_path: Path) -> None:
    with Archive(tmp_path):
        pass
    db = sqlite3.connect(tmp_path / ARCHIVE_NAME)
    db.execute("ALTER TABLE files DROP COLUMN thumbnail")
    db.execute(
        "INSERT INTO files VALUES ('a.png', 'kemono', 'patreon', '1', 1, 'http://x/a.png',"
        " 'a.png', 'file', NULL, 'ab', 3, NULL, '[]', 'done', NULL, 0, 'original')"
    )
    db.execute("INSERT INTO watermarks VALUES ('kemono/patreon/1', NULL, NULL, NULL, 1, 0)")
    db.execute("PRAGMA user_version=2")
    db.commit()
    db.close()
    with Archive(tmp_path) as archive:
        (record,) = archive.files_of(PostKey("kemono", "patreon", "1"))
        assert record.held == "original" and record.thumbnail is None
        mark = archive.watermark("kemono/patreon/1")
        assert mark is not None and mark.complete  # schema 2 listings are not swept again
        archive.finish_file("a.png", sha256="cd", size=2, held="thumbnail", note="host down")
        (record,) = archive.upgradable()
        assert record.held == "thumbnail" and record.error == "host down"


def test_schema_3_archive_gains_replan_for_its_unfinished_posts(tmp_path: Path) -> None:
    with Archive(tmp_path):
        pass
    db = sqlite3.connect(tmp_path / ARCHIVE_NAME)
    db.execute("ALTER TABLE posts DROP COLUMN replan")
    for ident, complete in (("1", 0), ("2", 1)):
        db.execute(
            "INSERT INTO posts VALUES ('kemono', 'patreon', ?, 'c', 't', NULL, NULL, NULL,"
            " 's', 1, ?, 0)",
            (ident, complete),
        )
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()
    with Archive(tmp_path) as archive:
        # Why the unfinished post is unfinished was not recorded: only planning it again
        # (a plain run) may complete it, not a refetch of its files.
        assert archive.post_state(PostKey("kemono", "patreon", "1")) == PostState(
            "s", 1, False, True
        )
        assert archive.post_state(PostKey("kemono", "patreon", "2")) == PostState(
            "s", 1, True, False
        )
        archive.set_complete(PostKey("kemono", "patreon", "1"))
        assert archive.post_state(PostKey("kemono", "patreon", "1")) == PostState(
            "s", 1, True, False
        )
