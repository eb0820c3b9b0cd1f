"""Worker processes started with ``os.fork`` and plain pipes, for a scan on Linux.

``multiprocessing`` does the same job everywhere, but importing it (its connection module
pulls in socket, tempfile, shutil, bz2, lzma, random, subprocess...) costs about 47 million
instructions, 20 ms, before the first worker can start: on a two-core machine a tenth of a
1,000-message scan's serial start-up. A forked worker needs none of that: it inherits the
imported analysis, and its batches and rows cross two pipes as pickles, each after its length.
The objects here offer the few methods of ``multiprocessing``'s Process and Connection that the
runner uses, with the same errors (EOFError at the end of a pipe, OSError when the other end is
gone), so the runner drives either kind the same way. POSIX only; the runner uses
``multiprocessing`` where there is no fork, or where a worker needs a manager's proxy (live DNS).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

_LENGTH_BYTES = 8


class Channel:
    """One end of a one-way pipe carrying pickled objects, each after its length (8 bytes)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        if self._fd < 0:
            raise OSError("the channel is closed")
        return self._fd

    def send(self, obj: object) -> None:
        """Write one object; OSError (BrokenPipeError) when the reading process is gone."""
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self._write_all(len(data).to_bytes(_LENGTH_BYTES, "big"))
        self._write_all(data)

    def recv(self) -> Any:
        """Read one object; EOFError when the writing end is closed (its process ended)."""
        size = int.from_bytes(self._read_exact(_LENGTH_BYTES), "big")
        return pickle.loads(self._read_exact(size))

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        fd = self.fileno()
        while view:
            view = view[os.write(fd, view):]

    def _read_exact(self, size: int) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        fd = self.fileno()
        got = 0
        while got < size:
            count = os.readv(fd, [view[got:]])
            if count == 0:
                raise EOFError
            got += count
        return buffer


def channel_pair() -> tuple[Channel, Channel]:
    """(reading end, writing end) of a new pipe. Both are inherited by a fork: each side
    closes the end it does not use."""
    reader, writer = os.pipe()
    return Channel(reader), Channel(writer)


class HasFileno(Protocol):
    def fileno(self) -> int: ...


def wait(channels: Sequence[HasFileno], timeout: float | None = None) -> list[HasFileno]:
    """The channels with something to read (or whose writer is gone), waiting at most
    ``timeout`` seconds (None: until one is ready). poll(2), so any descriptor number works."""
    poller = select.poll()
    by_fd: dict[int, HasFileno] = {}
    for channel in channels:
        fd = channel.fileno()
        by_fd[fd] = channel
        poller.register(fd, select.POLLIN | select.POLLPRI)
    events = poller.poll(None if timeout is None else max(0.0, timeout) * 1000)
    return [by_fd[fd] for fd, _ in events]


class ForkedProcess:
    """A child process running ``target(*args)`` and then exiting, as ``multiprocessing``'s
    fork start method does, without its bookkeeping."""

    def __init__(self, target: Callable[..., object], args: tuple[object, ...]) -> None:
        self._target = target
        self._args = args
        self.pid: int | None = None
        self.exitcode: int | None = None
        """None while it runs; its exit status, or minus the signal that ended it."""
        self._sentinel = -1

    def start(self) -> None:
        # Output waiting in this process's buffers would be written twice, once by the child.
        _flush_standard_streams()
        # The child keeps the sentinel's writing end open until it exits: its end-of-file is
        # how ``join`` waits with a timeout, without polling waitpid.
        sentinel_reader, sentinel_writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(sentinel_reader)
            self._run_child()
        os.close(sentinel_writer)
        self.pid = pid
        self._sentinel = sentinel_reader

    def _run_child(self) -> None:
        code = 1
        try:
            self._target(*self._args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - as multiprocessing: a traceback on stderr, status 1
            sys.excepthook(*sys.exc_info())
        finally:
            _flush_standard_streams()
            # Never return into the parent's code, nor run its exit handlers and finally blocks.
            os._exit(code)

    def join(self, timeout: float | None = None) -> None:
        """Wait until it ends, or ``timeout`` seconds (None: as long as it takes)."""
        if self.pid is None or self.exitcode is not None:
            return
        if timeout is not None:
            deadline = time.monotonic() + timeout
            poller = select.poll()
            poller.register(self._sentinel, select.POLLIN)
            while not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
                if time.monotonic() >= deadline:
                    self._reap(os.WNOHANG)
                    return
        self._reap(0)

    def is_alive(self) -> bool:
        if self.pid is None:
            return False
        if self.exitcode is None:
            self._reap(os.WNOHANG)
        return self.exitcode is None

    def terminate(self) -> None:
        if self.pid is not None and self.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)

    def _reap(self, flags: int) -> None:
        assert self.pid is not None
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped elsewhere: its status is lost
            pid, status = self.pid, 0
        if pid == 0:
            return
        self.exitcode = os.waitstatus_to_exitcode(status)
        if self._sentinel >= 0:
            os.close(self._sentinel)
            self._sentinel = -1


def _flush_standard_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed, or a reader gone: nothing to keep
            stream.flush()
