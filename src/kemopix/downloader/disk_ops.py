"""The file-system work of a post, and the helper process that does it.

Each function here is plain blocking file work on string paths: the folder and empty ``.part``
of each file a post will fetch, a small download's body (verified by the downloader) written
and renamed into place, and the post's sidecars (each through a temporary file and a
rename, dated), finished here where the event loop left them so (JSON to indent, Markdown to
convert from the post's HTML); and a download's archive writes (:class:`Ledger`), in the order
given. The module needs nothing but the standard library to start, so
``disk_worker`` can run it as a small child process (``python -I -S disk_ops.py OWNER
LIBRARY``, or :func:`main` of this file imported from its folder, which reads its compiled
bytecode) that reads pickled jobs on standard input and answers on standard output; it loads
msgspec from ``LIBRARY`` and the Markdown converter from the file beside this one when the
first sidecar needs them. Where that is not possible the same functions run in a thread.

Temporary files are named ``.kemopix-<owner>-<n>.tmp``, the owner being the downloading
process, so that process and its helper never take each other's files for a killed run's.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import select
import sqlite3
import struct
import sys
import time
from collections import deque

# typing.TYPE_CHECKING without importing typing: a tenth of the helper's start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, TypeAlias

    Answer: TypeAlias = tuple[Any, ...]

__all__ = [
    "PART_SUFFIX",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "clear_stale_temps",
    "drop_empty_part",
    "make_parts",
    "put_file",
    "write_atomic",
    "write_files",
]

PART_SUFFIX = ".part"  # kemopix.files.PART_SUFFIX (a test keeps them equal)
TEMP_PREFIX, TEMP_SUFFIX = ".kemopix-", ".tmp"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_CREATE |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)

_owner = os.getpid()  # whose temporary files these are (the helper is told its parent's)
_serial = 0
_cleared: set[str] = set()


def _own_prefix() -> str:
    return f"{TEMP_PREFIX}{_owner}-"


def clear_stale_temps(folder: str) -> None:
    """Remove temporary files a killed run left in ``folder`` (once per folder and process).

    Only called under the output folder's lock: another owner's temporary file is stale.
    """
    if folder in _cleared:
        return
    _cleared.add(folder)
    own = _own_prefix()
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                if not name.startswith(own):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(folder, name))


def _create_temp(folder: str) -> tuple[int, str]:
    """A new temporary file in ``folder`` (made when missing): its descriptor and path."""
    global _serial
    while True:
        _serial += 1
        tmp = os.path.join(folder, f"{_own_prefix()}{_serial}{TEMP_SUFFIX}")
        try:
            # 0o666 less the umask: what open() gives a media file (a sidecar is no secret)
            return os.open(tmp, _CREATE, 0o666), tmp
        except FileExistsError:
            continue  # left by a killed process that had this pid
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)


def write_atomic(path: str, data: bytes, mtime: float | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (made when
    missing), with ``mtime`` as modification time when given."""
    fd, tmp = _create_temp(os.path.dirname(path))
    try:
        _fill(fd, tmp, data, mtime, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fill(fd: int, temporary: str, data: bytes, mtime: float | None, final: str) -> None:
    """Write ``data`` to ``fd`` (the file at ``temporary``), date it ``mtime`` when given,
    close it and rename it onto ``final``."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if mtime is not None and os.utime in os.supports_fd:
            os.utime(fd, (mtime, mtime))
    finally:
        os.close(fd)
    if mtime is not None and os.utime not in os.supports_fd:
        os.utime(temporary, (mtime, mtime))  # Windows dates by path
    os.replace(temporary, final)


def write_files(
    folder: str,
    files: Sequence[tuple[str, bytes]],
    keep_previous: tuple[str, str] | None,
    mtime: float | None,
    fresh: bool,
    compact: Sequence[str] = (),
    markdown: tuple[str, str, str] | None = None,
) -> None:
    """A post's sidecars: each written atomically and dated; ``keep_previous`` (the main
    sidecar, its revision's name) is moved aside first; ``fresh``: the folder is new;
    ``compact``: the paths whose bytes are compact JSON, written indented (:func:`indent_json`);
    ``markdown``: the path, head and HTML of a Markdown sidecar to make (:func:`markdown_text`)."""
    if not fresh:
        clear_stale_temps(folder)
        if keep_previous is not None and os.path.exists(keep_previous[0]):
            os.replace(*keep_previous)
    for path, data in files:
        write_atomic(path, indent_json(data) if path in compact else data, mtime)
    if markdown is not None:
        path, head, html = markdown
        write_atomic(path, markdown_text(head, html).encode("utf-8"), mtime)


_LIBRARY: str | None = None  # where the helper finds msgspec (the downloader tells it)


def markdown_text(head: str, html: str) -> str:
    """A Markdown sidecar's text: its ``head`` (title, date, tags), then ``html`` converted
    (``kemopix.downloader.markdown``, standard library only: the helper loads it by path)."""
    return f"{head}\n{_html_to_markdown()(html)}"


@functools.cache
def _html_to_markdown() -> Callable[[str], str]:
    import importlib.util

    if __package__:  # imported with its package, in the downloader's process
        module = importlib.import_module(f"{__package__}.markdown")
    else:  # the helper runs this file as a script: the module is the file beside it
        where = os.path.join(os.path.dirname(os.path.abspath(__file__)), "markdown.py")
        spec = importlib.util.spec_from_file_location("kemopix_markdown", where)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    convert: Callable[[str], str] = module.html_to_markdown
    return convert


def indent_json(data: bytes) -> bytes:
    """Compact JSON indented as a sidecar is (two spaces, a newline at the end), by msgspec
    (imported on first use: the helper starts without it)."""
    try:
        import msgspec
    except ImportError:
        if _LIBRARY is None or _LIBRARY in sys.path:
            raise
        sys.path.append(_LIBRARY)
        import msgspec
    return msgspec.json.format(data, indent=2) + b"\n"


def make_parts(finals: Sequence[str]) -> None:
    """Make the folder and an empty ``.part`` of each of ``finals`` (an existing part is kept)."""
    for final in finals:
        part = final + PART_SUFFIX
        for _ in range(2):
            try:
                os.close(os.open(part, _CREATE, 0o666))
            except FileExistsError:
                pass  # the download got there first, or a previous run left bytes: kept
            except FileNotFoundError:
                os.makedirs(os.path.dirname(part), exist_ok=True)
                continue
            break


_APPEND = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
_APPEND |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def put_file(final: str, data: bytes, mtime: float | None) -> None:
    """Write a download's whole body, already verified by the downloader, to ``final``'s
    ``.part`` (made when missing, emptied if it holds bytes), date it ``mtime`` when given,
    and rename it onto ``final``. A failure leaves at most a prefix of ``data`` in the part,
    which the next attempt resumes from."""
    part = final + PART_SUFFIX
    try:
        fd = os.open(part, _APPEND, 0o666)
    except FileNotFoundError:  # the folder went away since it was made
        os.makedirs(os.path.dirname(part), exist_ok=True)
        fd = os.open(part, _APPEND, 0o666)
    try:
        # Appending to the empty part make_parts left: truncating one would make ext4 write
        # it out at close (auto_da_alloc). Bytes found there are another body's: dropped.
        if os.fstat(fd).st_size:
            os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    _fill(fd, part, data, mtime, final)


def drop_empty_part(final: str) -> None:
    """Remove ``final``'s part file if it holds no byte (one :func:`make_parts` made)."""
    part = final + PART_SUFFIX
    with contextlib.suppress(OSError):
        if os.stat(part).st_size == 0:
            os.unlink(part)


OPERATIONS: dict[str, Callable[..., None]] = {
    "write_files": write_files,
    "make_parts": make_parts,
    "put_file": put_file,
}
# Jobs a download waits for: run first at each look and answered at once.
_URGENT = frozenset({"make_parts", "put_file"})
ARCHIVE_JOB = "archive"  # a statement of the archive (see :class:`Ledger`)
LEDGER = "sqlite3"  # the file name of an archive statement's error answer


class Ledger:
    """The archive's writes, made by the helper for the downloader (``disk_worker.Route``).

    Statements run in the order sent, in a transaction committed when the downloader says
    (every fraction of a second, and at the end). A statement that fails (a full disk) fails
    every later one: the transaction is gone, and a write after it would record a state the
    lost ones contradict (a post complete whose file rows were never written).
    """

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._failed: tuple[str, str] | None = None

    def run(self, path: str, sql: str | None, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Run ``sql`` (None: commit; with ``params`` ``("close",)``, then close)."""
        if self._failed is not None:
            raise LedgerError(*self._failed)
        try:
            db = self._db
            if db is None:
                db = self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
                db.execute("PRAGMA synchronous=NORMAL")  # as the downloader's connection
            if sql is None:
                if db.in_transaction:
                    db.execute("COMMIT")
                if params == ("close",):
                    # The WAL copied into the database here, not by the downloader's last
                    # close on its event loop (~10 ms on ext4 for a few thousand posts).
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    self._db = None
                    db.close()
                return []
            if not db.in_transaction:
                db.execute("BEGIN")
            return db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            self._failed = (type(exc).__name__, str(exc))
            raise LedgerError(*self._failed) from exc


class LedgerError(Exception):
    """A statement of the archive failed in the helper: the sqlite3 error's name and text."""


HEADER = struct.Struct("!I")  # the length of the pickled frame that follows


def frame(value: object) -> bytes:
    """``value`` pickled, after its length."""
    return b"".join(frame_parts(value))


def frame_parts(value: object) -> tuple[bytes, bytes]:
    """:func:`frame` in its two parts, the length and the pickle (not copied together)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)), data


def frames(buffer: bytearray) -> list[Any]:
    """The whole frames at the start of ``buffer`` (removed from it), unpickled."""
    out: list[Any] = []
    start, size = 0, HEADER.size
    while len(buffer) - start >= size:
        (length,) = HEADER.unpack_from(buffer, start)
        if len(buffer) - start - size < length:
            break
        out.append(pickle.loads(buffer[start + size : start + size + length]))
        start += size + length
    del buffer[:start]
    return out


POLL_SECONDS = 0.005
IDLE_SECONDS = 0.25  # without a job this long, the helper sleeps on the pipe instead
# The first looks after some work come sooner: an answer is often followed by the next job at
# once (a post settled, then the archive's last commit), which waited a whole look before.
SOON_SECONDS, SOON_LOOKS = 0.0005, 4


def _read(stdin: int, wait: bool) -> bytes | None:
    """What is in the pipe (None: nothing yet), waiting for some when ``wait``; b"" at end of
    input.

    The helper looks every few milliseconds rather than sleeping on the pipe: a writer that
    finds a reader asleep on it must wake that process, which cost the downloader ~1 ms of its
    own core per write on the virtual machines measured; a helper that naps wakes itself.
    Once no job came for ``IDLE_SECONDS`` (the run waits on the network), it sleeps on the
    pipe: 200 looks a second cost CPU for nothing, one wake-up per idle spell is cheap.
    """
    idle, looks = 0.0, 0
    while True:
        try:
            return os.read(stdin, 1 << 20)
        except BlockingIOError:
            if not wait:
                return None
            if idle < IDLE_SECONDS:
                pause = SOON_SECONDS if looks < SOON_LOOKS else POLL_SECONDS
                looks += 1
                time.sleep(pause)
                idle += pause
            else:
                select.select([stdin], [], [])  # readable: a job, or the end of input


def _run(job: tuple[int, str, tuple[Any, ...]], ledger: Ledger) -> Answer | None:
    """One job's answer: ``(id, None[, rows])`` or ``(id, (errno, message, filename))``;
    None for an archive statement that asked for no answer (id 0) and did not fail."""
    ident, name, args = job
    error: tuple[int | None, str, str | None] | None = None
    try:
        if name == ARCHIVE_JOB:
            rows = ledger.run(*args)
            return (ident, None, rows) if ident else None
        OPERATIONS[name](*args)
    except LedgerError as exc:
        error = (None, f"{exc.args[0]}: {exc.args[1]}", LEDGER)
    except OSError as exc:
        error = (exc.errno, exc.strerror or str(exc), exc.filename)
    except Exception as exc:  # reported to the job's owner, who decides
        error = (None, f"{type(exc).__name__}: {exc}", None)
    return (ident, error)


def _answer(stdout: int, answers: list[Answer]) -> None:
    out = memoryview(frame(answers))  # the answers of one look, in one frame
    while out:
        out = out[os.write(stdout, out) :]


def serve(stdin: int, stdout: int, parent: int | None = None) -> None:
    """The helper process: run each job ``(id, name, args)`` and answer ``(id, error)``
    (each frame, both ways, a list of them: those of one write, those of one look); end
    at end of input, dropping the jobs not yet run (the downloader waits for every answer
    before it closes; one that died must not have a writer outliving its folder lock, and
    the next run does those jobs again). With ``parent`` (the downloader's pid), it also
    ends before any job once that process is gone, so a batch read before a kill -9 is not
    written beside the next run. Part files and handed bodies (:func:`put_file`) go first
    and are answered at once (downloads wait for them); sidecars (only a post's completion
    waits for those) are written a few at a time between looks at the input. Archive
    statements run in their order, all those read at each look, after the part files; one
    not committed when the helper ends is rolled back with its transaction (as when the
    downloader itself is killed)."""
    os.set_blocking(stdin, False)
    buffer = bytearray()
    ledger = Ledger()
    parts: deque[tuple[int, str, tuple[Any, ...]]] = deque()
    records: deque[tuple[int, str, tuple[Any, ...]]] = deque()
    rest: deque[tuple[int, str, tuple[Any, ...]]] = deque()
    warm = False
    while True:
        idle = not (parts or records or rest)
        chunk = _read(stdin, wait=idle and warm)
        if chunk is None and idle and not warm:
            # Nothing to do yet (a helper started early, beside the downloader's imports):
            # what the first sidecars would load on the run's path is loaded now.
            warm = True
            with contextlib.suppress(Exception):  # the sidecar that needs it says why
                indent_json(b"{}")
                _html_to_markdown()
            continue
        if chunk == b"":
            return
        if chunk:
            buffer += chunk
            for jobs in frames(buffer):
                for job in jobs:
                    name = job[1]
                    queue = parts if name in _URGENT else records if name == ARCHIVE_JOB else rest
                    queue.append(job)
        answers: list[Answer] = []
        for queue, most in ((parts, len(parts)), (records, len(records)), (rest, 4)):
            for _ in range(min(len(queue), most)):
                if parent is not None and os.getppid() != parent:
                    return  # orphaned: the downloader died (its lock is free for another)
                answer = _run(queue.popleft(), ledger)
                if answer is not None:
                    answers.append(answer)
            if answers:
                _answer(stdout, answers)
                answers = []


def main(argv: Sequence[str]) -> None:
    """The helper process: ``argv`` is the downloader's pid, then where msgspec is."""
    global _owner, _LIBRARY
    import signal

    _owner = int(argv[0])
    _LIBRARY = argv[1] if len(argv) > 1 else None
    # Ctrl-C reaches the whole process group: the helper ignores it and ends when the
    # downloader, its answers had, closes its input (or dies).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(BrokenPipeError):
        serve(sys.stdin.fileno(), sys.stdout.fileno(), _owner)


if __name__ == "__main__":
    main(sys.argv[1:])
