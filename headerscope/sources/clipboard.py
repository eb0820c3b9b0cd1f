"""Read a message from the system clipboard (``headerscope analyze --paste``).

pyperclip is tried first; when it has no working mechanism, the platform's own tool is run
directly (pbpaste on macOS, wl-paste on Wayland, xclip or xsel on X11, PowerShell's
Get-Clipboard on Windows and WSL). Text from the clipboard is encoded as UTF-8.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence

from .interface import DEFAULT_MAX_SIZE, InputError, InputSource, format_size

NO_CLIPBOARD_HINT = ("no clipboard available (install xclip or wl-clipboard, or pipe the message: "
                     "pbpaste | headerscope analyze -)")

_TOOL_TIMEOUT_SECONDS = 10.0

# PowerShell writes in the console code page unless told otherwise.
_POWERSHELL_SCRIPT = ("[Console]::OutputEncoding=[System.Text.Encoding]::UTF8; "
                      "Get-Clipboard -Raw")

Runner = Callable[[Sequence[str]], bytes]
"""Runs a command and returns its standard output; raises OSError or CalledProcessError."""


def _run_tool(command: Sequence[str]) -> bytes:
    completed = subprocess.run(list(command), capture_output=True, check=True, timeout=_TOOL_TIMEOUT_SECONDS)
    return completed.stdout


def _pyperclip_paste() -> str:
    """The one place that touches pyperclip (untyped, module-global state)."""
    import pyperclip

    text = pyperclip.paste()
    return text if isinstance(text, str) else ""


def clipboard_commands(platform: str, environ: Mapping[str, str]) -> list[list[str]]:
    """The platform tools to try, most specific first."""
    if platform == "darwin":
        return [["pbpaste"]]
    if platform.startswith(("win", "cygwin", "msys")):
        return [["powershell", "-NoProfile", "-NonInteractive", "-Command", _POWERSHELL_SCRIPT]]
    commands: list[list[str]] = []
    if environ.get("WAYLAND_DISPLAY"):
        commands.append(["wl-paste", "--no-newline"])
    if environ.get("DISPLAY"):
        commands.append(["xclip", "-selection", "clipboard", "-o"])
        commands.append(["xsel", "--clipboard", "--output"])
    if environ.get("WSL_DISTRO_NAME"):
        commands.append(["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", _POWERSHELL_SCRIPT])
    return commands


class ClipboardSource(InputSource):
    """The clipboard's text. Every dependency is a constructor argument so tests need no clipboard."""

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE, *,
                 paste: Callable[[], str] | None = _pyperclip_paste,
                 run: Runner = _run_tool,
                 which: Callable[[str], str | None] = shutil.which,
                 platform: str | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.name = "clipboard"
        self.max_size = max_size
        self._paste = paste
        self._run = run
        self._which = which
        self._platform = platform if platform is not None else sys.platform
        self._environ = environ if environ is not None else os.environ

    def read(self) -> bytes:
        data = self._read_any()
        if data is None:
            raise InputError(NO_CLIPBOARD_HINT)
        if len(data) > self.max_size:
            raise InputError(f"the clipboard holds more than the limit of {format_size(self.max_size)}")
        if not data.strip():
            raise InputError("the clipboard is empty (copy the message's original text first)")
        return data

    def _read_any(self) -> bytes | None:
        """The clipboard bytes, ``b""`` when it is empty, None when no clipboard works."""
        pyperclip_works = False
        if self._paste is not None:
            try:
                text = self._paste()
                pyperclip_works = True
            except Exception:  # noqa: BLE001 - pyperclip raises its own types when it has no mechanism
                text = ""
            if text:
                return text.encode("utf-8", errors="surrogateescape")
        for command in clipboard_commands(self._platform, self._environ):
            if self._which(command[0]) is None:
                continue
            try:
                output = self._run(command)
            except (OSError, subprocess.SubprocessError):
                continue  # e.g. xclip without a running X server: try the next tool
            return output  # the tool works; b"" means the clipboard is empty
        return b"" if pyperclip_works else None
