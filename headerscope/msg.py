"""Outlook .msg files (OLE compound documents): rebuild a message from the transport headers.

A .msg is Outlook's own storage format, not the message as it travelled: it keeps the
transport headers (PR_TRANSPORT_MESSAGE_HEADERS) and the decoded body, but not the original
MIME bytes, so anything that hashes the body (DKIM's bh=) cannot be trusted on it.
"""

from __future__ import annotations

import contextlib
from email.utils import format_datetime
from typing import Any

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class MsgError(Exception):
    """The .msg file could not be read (its str is a one-line reason)."""


def is_msg(data: bytes) -> bool:
    """True for an OLE compound document (the container of Outlook .msg files)."""
    return data[:8] == OLE_MAGIC


def _header_value(text: str | None) -> str:
    # Header values from properties must not smuggle extra header lines in.
    return " ".join((text or "").split())


def msg_to_message(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """Message bytes rebuilt from a .msg, and what was done to get them (in words)."""
    try:
        import extract_msg
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MsgError(f"cannot read Outlook .msg files: {exc}") from None
    try:
        msg: Any = extract_msg.openMsg(data, delayAttachments=True)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on damaged files
        raise MsgError(f"not a readable Outlook .msg file: {type(exc).__name__}: {exc}") from None
    try:
        notes = ["Outlook .msg: rebuilt from its transport headers and decoded body; "
                 "the original MIME bytes are not stored in a .msg, so DKIM body hashes cannot be checked"]
        header_text = getattr(msg, "headerText", None) or ""
        header_text = header_text.replace("\r\n", "\n").strip("\n")
        if not header_text:
            notes.append("the .msg has no transport headers (never sent, or saved from Drafts): "
                         "headers were rebuilt from its properties")
            lines = []
            for name, attr in (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Subject", "subject"),
                               ("Message-ID", "messageId")):
                value = _header_value(getattr(msg, attr, None))
                if value:
                    lines.append(f"{name}: {value}")
            date = getattr(msg, "date", None)
            if date is not None:
                with contextlib.suppress(TypeError, ValueError):
                    lines.append(f"Date: {format_datetime(date)}")
            header_text = "\n".join(lines)
        body = getattr(msg, "body", None) or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        text = header_text + "\n\n" + body.replace("\r\n", "\n")
        return text.replace("\n", "\r\n").encode("utf-8", errors="replace"), tuple(notes)
    except Exception as exc:  # noqa: BLE001
        raise MsgError(f"damaged Outlook .msg file: {type(exc).__name__}: {exc}") from None
    finally:
        # Closing a damaged file may fail too; the message bytes are already built.
        with contextlib.suppress(Exception):
            msg.close()
