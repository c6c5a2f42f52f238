"""Starting the disk helper process (``disk_ops.py``), early when the command allows.

The helper takes ~20-40 ms to start. Started by the event loop when the run needs it, that
was on the run's critical path (its first part file waited for it); ``kemopix download``
starts it right after parsing its command line instead (:func:`start_early`), so it starts
while the downloader imports aiohttp, and the run's :class:`~.disk_worker.DiskWorker` adopts
it (:func:`take_early`). A helper never adopted is ended by :func:`discard_early` (the command
failed first), or sees the end of its input when the downloader exits, however it exits. It
needs only the standard library, so this module imports no more than that.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys

__all__ = ["close_pipes", "discard_early", "reap", "spawn", "start_early", "take_early"]

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "disk_ops.py")
# The helper's module imported from its folder (appended to the isolated interpreter's path:
# the standard library comes first): its compiled bytecode is read, where running the file as
# a script compiled it at every start (a fifth of the helper's start-up).
_BOOT = (
    "import os, sys; sys.path.append(os.path.dirname(sys.argv[1]))\n"
    "import disk_ops; disk_ops.main(sys.argv[2:])"
)

_early: subprocess.Popen[bytes] | None = None
_early_owner = 0  # the process that started it (a forked child must not adopt it)


def available() -> bool:
    """Whether a helper process is used here (the proactor loop cannot watch pipes; the
    variable is for comparisons)."""
    return os.name == "posix" and os.environ.get("KEMOPIX_DISK_WORKER") != "thread"


def _library() -> str:
    """Where msgspec is, for the helper (isolated, without site-packages) to indent JSON."""
    import msgspec

    return os.path.dirname(os.path.dirname(os.path.abspath(msgspec.__file__)))


def spawn() -> subprocess.Popen[bytes] | None:
    """A new helper process working for this one (None: it cannot start). It is started
    with SIGINT blocked, so a Ctrl-C during its start-up cannot kill it before it ignores
    the signal (the downloader gets that Ctrl-C once the helper is started)."""
    if not available():
        return None
    argv = [sys.executable, "-I", "-S", "-c", _BOOT, HELPER, str(os.getpid()), _library()]
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
    except OSError:
        return None  # no helper: a thread does the work
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def start_early() -> None:
    """Start the helper the coming run will adopt (nothing when one is waiting already)."""
    global _early, _early_owner
    if _early is None:
        _early, _early_owner = spawn(), os.getpid()


def take_early() -> subprocess.Popen[bytes] | None:
    """The helper :func:`start_early` started, still running, for its new owner (once)."""
    global _early
    if _early_owner != os.getpid():
        return None
    proc, _early = _early, None
    if proc is not None and proc.poll() is not None:
        close_pipes(proc)
        return None
    return proc


def discard_early() -> None:
    """End a helper :func:`start_early` started that no run adopted: its input closed, it
    exits within its next look at it (it had no job)."""
    global _early
    proc, _early = _early, None
    if proc is not None:
        close_pipes(proc)
        reap(proc)


def close_pipes(proc: subprocess.Popen[bytes]) -> None:
    """Close our ends of a helper's pipes (its input closed: it ends at its next look)."""
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def reap(proc: subprocess.Popen[bytes], seconds: float = 2.0) -> None:
    """Wait for a helper told to end (its input closed); kill it if it has not in
    ``seconds``.

    Where the system can say when a process ends (Linux: a pidfd), this sleeps until then:
    ``Popen.wait(timeout)`` looks every few milliseconds instead, and each look takes the GIL
    from the run's last work (measured: the end of a run 5-20 ms later)."""
    try:
        ended = os.pidfd_open(proc.pid)  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        ended = None
    try:
        if ended is None:
            proc.wait(timeout=seconds)
        elif _readable(ended, seconds):
            proc.wait()
        else:
            raise subprocess.TimeoutExpired(proc.args, seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    finally:
        if ended is not None:
            os.close(ended)


def _readable(fd: int, seconds: float) -> bool:
    """Whether ``fd`` becomes readable within ``seconds`` (poll: any descriptor number)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(seconds * 1000))
