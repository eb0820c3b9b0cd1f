"""Input sources: bounded reads and one-line errors."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from headerscope.sources.clipboard import NO_CLIPBOARD_HINT, ClipboardSource, clipboard_commands
from headerscope.sources.file import FileSource
from headerscope.sources.interface import InputError
from headerscope.sources.stdin import StdinSource


def _one_line(error: pytest.ExceptionInfo[InputError]) -> str:
    text = str(error.value)
    assert "\n" not in text and text
    return text


def test_file_reads_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(b"From: a@b.test\r\n\r\nx\xff")
    source = FileSource(path)
    assert source.read() == b"From: a@b.test\r\n\r\nx\xff" and source.name == str(path)


def test_file_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        FileSource(tmp_path / "nope\nfile.eml").read()
    assert "no such file" in _one_line(missing)
    with pytest.raises(InputError) as directory:
        FileSource(tmp_path).read()
    assert "directory" in _one_line(directory)
    big = tmp_path / "big.eml"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InputError) as too_big:
        FileSource(big, max_size=1024).read()
    assert "1 KiB" in _one_line(too_big)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_file_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.eml"
    path.write_bytes(b"x")
    path.chmod(0)
    with pytest.raises(InputError) as denied:
        FileSource(path).read()
    assert "permission denied" in _one_line(denied)


def test_stdin_bounded() -> None:
    assert StdinSource(io.BytesIO(b"abc")).read() == b"abc"
    assert StdinSource(io.BytesIO(b"abc")).name == "-"
    with pytest.raises(InputError) as too_big:
        StdinSource(io.BytesIO(b"x" * 11), max_size=10).read()
    assert "standard input" in _one_line(too_big)


def _fail_paste() -> str:
    raise RuntimeError("no mechanism")


def test_clipboard_pyperclip_text_is_utf8() -> None:
    source = ClipboardSource(paste=lambda: "Subject: é\n", which=lambda _: None, environ={})
    assert source.read() == "Subject: é\n".encode() and source.name == "clipboard"


def test_clipboard_falls_back_to_platform_tool() -> None:
    calls: list[Sequence[str]] = []

    def run(command: Sequence[str]) -> bytes:
        calls.append(command)
        if command[0] == "xclip":
            raise subprocess.CalledProcessError(1, list(command))
        return b"From: a@b.test\n"

    source = ClipboardSource(paste=_fail_paste, run=run, which=lambda name: f"/usr/bin/{name}",
                             platform="linux", environ={"DISPLAY": ":0"})
    assert source.read() == b"From: a@b.test\n"
    assert [c[0] for c in calls] == ["xclip", "xsel"]


def test_no_clipboard_gives_the_hint() -> None:
    source = ClipboardSource(paste=_fail_paste, which=lambda _: None, platform="linux", environ={})
    with pytest.raises(InputError) as error:
        source.read()
    assert _one_line(error) == NO_CLIPBOARD_HINT


def test_empty_clipboard() -> None:
    source = ClipboardSource(paste=lambda: "", which=lambda _: None, platform="linux", environ={})
    with pytest.raises(InputError) as error:
        source.read()
    assert "empty" in _one_line(error)


def test_platform_commands() -> None:
    assert clipboard_commands("darwin", {}) == [["pbpaste"]]
    assert clipboard_commands("win32", {})[0][0] == "powershell"
    assert clipboard_commands("linux", {"WAYLAND_DISPLAY": "wayland-0"})[0][0] == "wl-paste"
    assert clipboard_commands("linux", {}) == []
