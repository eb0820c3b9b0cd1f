"""Workers started by a plain fork (headerscope.scan.forked): the pieces of multiprocessing's
Process and Connection the runner uses, with the same results and errors, without importing it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def test_objects_cross_a_channel_whole_in_order_and_large() -> None:
    from headerscope.scan.forked import ForkedProcess, channel_pair

    reader, writer = channel_pair()
    big = os.urandom(3 * 1024 * 1024)  # larger than any pipe buffer: written and read in pieces

    def child() -> None:
        reader.close()
        for item in ({"a": 1}, None, big, ("row", 2)):
            writer.send(item)

    process = ForkedProcess(target=child, args=())
    process.start()
    writer.close()
    assert [reader.recv() for _ in range(4)] == [{"a": 1}, None, big, ("row", 2)]
    with pytest.raises(EOFError):  # the child exited: its end of the pipe is closed
        reader.recv()
    process.join()
    assert process.exitcode == 0 and not process.is_alive()
    reader.close()


def test_sending_to_a_process_that_is_gone_is_an_os_error() -> None:
    from headerscope.scan.forked import channel_pair

    reader, writer = channel_pair()
    reader.close()
    with pytest.raises(OSError):
        writer.send(b"x" * 100)
    writer.close()
    with pytest.raises(OSError):
        writer.send(b"x")


@pytest.mark.parametrize(("how", "exitcode"), [("return", 0), ("exit 3", 3), ("os._exit 5", 5),
                                               ("raise", 1), ("kill", -signal.SIGKILL)])
def test_exit_codes_as_multiprocessing_reports_them(how: str, exitcode: int, capfd: pytest.CaptureFixture[str]) -> None:
    from headerscope.scan.forked import ForkedProcess

    def child() -> None:
        if how == "exit 3":
            sys.exit(3)
        if how == "os._exit 5":
            os._exit(5)
        if how == "raise":
            raise ValueError("boom in the worker")
        if how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)

    process = ForkedProcess(target=child, args=())
    process.start()
    process.join(timeout=30)
    assert process.exitcode == exitcode
    if how == "raise":  # the worker's traceback, on stderr
        assert "ValueError: boom in the worker" in capfd.readouterr().err


def test_join_with_a_timeout_returns_while_the_child_runs_and_terminate_ends_it() -> None:
    from headerscope.scan.forked import ForkedProcess, channel_pair, wait

    reader, writer = channel_pair()
    process = ForkedProcess(target=lambda: time.sleep(60), args=())
    process.start()
    started = time.monotonic()
    process.join(timeout=0.2)
    assert process.is_alive() and process.exitcode is None and time.monotonic() - started < 10
    assert wait([reader], timeout=0.05) == []  # nothing to read yet
    writer.send("ready")
    assert wait([reader], timeout=5) == [reader]
    process.terminate()
    process.join(timeout=30)
    assert process.exitcode == -signal.SIGTERM
    reader.close()
    writer.close()


def test_a_parallel_scan_from_a_snapshot_or_offline_does_not_import_multiprocessing() -> None:
    # multiprocessing's import is 20 ms of a parallel scan's serial start-up; live DNS still
    # uses it for the shared resolver (tests/test_scan_live_dns.py).
    code = ("import sys\n"
            "from headerscope.scan.runner import ScanOptions, run_scan\n"
            "from headerscope.scan.readers import ScanInput\n"
            "items = [ScanInput(label=f'm{i}', data=b'From: a@example.org\\r\\n\\r\\nhi %d\\r\\n' % i)"
            " for i in range(40)]\n"
            "rows = list(run_scan(items, ScanOptions(offline=True), jobs=2))\n"
            "print([r.index for r in rows] == list(range(1, 41)), all(r.error is None for r in rows))\n"
            "print(sorted(m for m in sys.modules if m.startswith('multiprocessing')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True,
                         timeout=120)
    assert out.stdout.splitlines() == ["True True", "[]"], out.stderr
