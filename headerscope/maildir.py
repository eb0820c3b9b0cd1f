"""What makes a directory a Maildir, and the names of its folders, shared by the scan's reader
(scan.readers), the folder a copy was in (folders) and ``analyze``'s reading of a file in one (cli).

Kept free of the analysis' imports: the command line asks it before anything else is loaded."""

from __future__ import annotations

import base64
import binascii
import os


def is_maildir(folder: str | os.PathLike[str]) -> bool:
    """A Maildir has a cur/ folder beside new/ (https://cr.yp.to/proto/maildir.html; Courier,
    Dovecot) or beside tmp/: Thunderbird's Maildir store creates "tmp" and "cur" but no "new"
    (comm-central mailnews/local/src/nsMsgMaildirStore.cpp, CreateMaildir), since it files each
    message straight into cur/."""
    try:
        return os.path.isdir(os.path.join(folder, "cur")) and (
            os.path.isdir(os.path.join(folder, "new")) or os.path.isdir(os.path.join(folder, "tmp")))
    except (OSError, ValueError):  # a folder that cannot be looked into; a NUL in a name
        return False


def is_thunderbird_maildir(folder: str | os.PathLike[str]) -> bool:
    """Thunderbird's Maildir folder: cur/ and tmp/ without new/ (is_maildir). Its directory is
    named as the folder ("Junk"), where a Courier or Dovecot Maildir's own directory is the inbox."""
    try:
        return is_maildir(folder) and not os.path.isdir(os.path.join(folder, "new"))
    except (OSError, ValueError):
        return False


_MAX_FOLDER_NAME = 1000
"""Longest folder name decoded (a name on disk is at most 255 bytes; a longer one is kept as written)."""


def decode_folder_name(name: str) -> str:
    """A Maildir++ folder name as its user sees it: Courier and Dovecot store names in IMAP's
    modified UTF-7 (RFC 3501 section 5.1.3: "&" starts a run of modified BASE64 of UTF-16, ","
    for "/", "-" ends it; "&-" is "&"), so "Courrier ind&AOk-sirable" is "Courrier indésirable".
    A name that is not valid modified UTF-7 (a run not closed, bad BASE64, an odd byte count, a
    lone surrogate, printable ASCII encoded, or non-ASCII written as itself) is kept as written."""
    if "&" not in name or len(name) > _MAX_FOLDER_NAME:
        return name
    if not name.isascii():
        return name  # modified UTF-7 is ASCII only: a name written in UTF-8 is its own
    out: list[str] = []
    index = 0
    while index < len(name):
        amp = name.find("&", index)
        if amp < 0:
            out.append(name[index:])
            break
        out.append(name[index:amp])
        end = name.find("-", amp + 1)
        if end < 0:
            return name
        run = name[amp + 1:end]
        index = end + 1
        if not run:
            out.append("&")
            continue
        # RFC 3501: the BASE64 is unpadded, its bits after the last whole 16-bit unit are zero.
        if len(run) % 4 == 1 or not all(c.isalnum() or c in "+," for c in run):
            return name
        try:
            raw = base64.b64decode(run.replace(",", "/") + "=" * (-len(run) % 4), validate=True)
        except (binascii.Error, ValueError):
            return name
        if len(raw) % 2 or not raw:
            return name
        try:
            text = raw.decode("utf-16-be")
        except UnicodeDecodeError:
            return name  # a lone surrogate
        if any(" " <= char <= "~" for char in text):
            return name  # RFC 3501: printable US-ASCII stands for itself, never encoded
        if base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") != run:
            return name  # non-zero pad bits: not how any writer encodes
        out.append(text)
    return "".join(out)
