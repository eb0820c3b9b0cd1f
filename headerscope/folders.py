"""The mail folder a stored copy was in, and the flags its mail store kept, read from its path.

A Maildir keeps each message in a file whose name ends with its flags (":2,RS": replied, seen;
https://cr.yp.to/proto/maildir.html, "info semantics") and its folders as directories
(Maildir++ ".Junk" or ".INBOX.Junk" beside the inbox's cur/ and new/, as Courier and Dovecot
lay them out; Dovecot's LAYOUT=fs a plain "Junk" directory); an mbox mail client keeps one file
per folder (Thunderbird's "Junk", Apple Mail's "Junk.mbox/mbox"); an export to files keeps one
directory per folder (Outlook's "Junk E-mail"). The path and the file name are the mail store's,
never part of the message: a sender cannot write them, so a junk folder here is where the
receiving side's filter or the mailbox's owner put the copy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .maildir import decode_folder_name, is_maildir, is_thunderbird_maildir
from .model import HeaderField, MailFolder

# Maildir info flags, in the order the specification lists them (file names keep them in
# ASCII order). Lower-case letters are Dovecot's own keywords, named in dovecot-keywords: not read.
_MAILDIR_FLAGS = {"P": "passed on (forwarded or bounced)", "R": "replied", "S": "seen", "T": "trashed",
                  "D": "draft", "F": "flagged"}
# The flags' words in the order every store's flags are listed (the Maildir letters' ASCII order).
_FLAG_ORDER = tuple(_MAILDIR_FLAGS[letter] for letter in sorted(_MAILDIR_FLAGS))

# Names mail systems give their junk folder (RFC 6154's \Junk role has no fixed name): Dovecot's
# and Thunderbird's and Apple's "Junk", Gmail's "[Gmail]/Spam", Yahoo's "Bulk Mail", Outlook's
# "Junk E-mail" / "Junk Email", and Outlook's folder in the languages it ships most.
_JUNK_NAMES = frozenset({
    "junk", "spam", "junk e-mail", "junk email", "junk mail", "junkmail", "bulk", "bulk mail", "spam mail",
    "junk-e-mail", "spamverdacht", "courrier indésirable", "correo no deseado", "posta indesiderata",
    "ongewenste e-mail", "lixo eletrônico", "skräppost", "uønsket e-post", "roskaposti", "wiadomości-śmieci",
    "迷惑メール", "垃圾邮件",
})

# Containers whose name says nothing (a Thunderbird folder's subfolders live in "NAME.sbd";
# an Apple Mail folder "NAME.mbox" holds an "mbox" file or a Messages/ tree).
_MBOX_SUFFIXES = (".mbox", ".mbx", ".sbd", ".mbs")
# Longest folder name kept: a path is the user's, but a scan's labels can be long.
_MAX_NAME = 200


# Apple Mail's .emlx flags (its property list's "flags" number), the bits Mail sets for what was
# done with the copy, as Thunderbird's importer reads them (mailnews/import/applemail,
# nsEmlxHelperUtils.h): read 1<<0, deleted 1<<1, answered 1<<2, flagged 1<<4, draft 1<<6,
# forwarded 1<<8; in the words of the Maildir flags, so one --filter flag= reads both.
_EMLX_FLAGS = ((1 << 6, "draft"), (1 << 4, "flagged"), (1 << 8, "passed on (forwarded or bounced)"),
               (1 << 2, "replied"), (1 << 0, "seen"), (1 << 1, "trashed"))


# Thunderbird's (and SeaMonkey's, Betterbird's) message flags, which it keeps in its mbox
# folders as the fields X-Mozilla-Status (the low 16 bits, 4 hex digits) and X-Mozilla-Status2
# (the high 16, 8 hex digits) written at the top of each message (nsMsgLocalFolderHdrs.h,
# nsMsgMessageFlags.idl): read 0x1, replied 0x2, marked (starred) 0x4, expunged 0x8 (deleted,
# kept in the file until the folder is compacted), forwarded 0x1000; deleted on the IMAP server
# 0x200000. In the words of the Maildir flags, so one --filter flag= reads every store.
_MOZILLA_FLAGS = ((0x4, "flagged"), (0x1000, "passed on (forwarded or bounced)"), (0x2, "replied"), (0x1, "seen"),
                  (0x8 | 0x200000, "trashed"))
_MOZILLA_STATUS = ("x-mozilla-status", "x-mozilla-status2")
# The fields Thunderbird and Google Takeout write at the top of a stored message.
_STORE_FIELDS = frozenset({*_MOZILLA_STATUS, "x-mozilla-keys", "x-account-key", "x-uidl", "x-gm-thrid",
                           "x-gmail-labels"})


# Google Takeout's mbox export writes each message's Gmail labels above it (X-Gmail-Labels,
# after X-GM-THRID), in the account's language: a French export writes "Ouvert" for Opened,
# "Boîte de réception" for Inbox, "Non lus", "Envoyé", "Messages archivés" (its non-ASCII labels
# as RFC 2047 encoded-words, "=?UTF-8?Q?Archiv=C3=A9s,Envoy=C3=A9?="), and "Spam" as in English.
# Those that say what was done with the copy, in the words of the Maildir flags; "Spam" is read
# as the receiver's verdict (spamfilters.py), the others name folders, not actions. Only the
# localised names seen in real exports are listed; another language's are not read (no flag).
_GMAIL_LABEL_FLAGS = {"starred": "flagged", "opened": "seen", "ouvert": "seen", "trash": "trashed"}
_MAX_LABELS_READ = 2000
"""Characters of an X-Gmail-Labels value read (a few labels; a sender's field may be long)."""


def gmail_labels(value: str) -> tuple[str, ...]:
    """The labels of an X-Gmail-Labels value as Gmail shows them: its RFC 2047 encoded-words
    decoded first (a label's comma may be inside one: the whole list is often one word), then
    split on the commas outside double quotes (a label holding a comma is quoted), white space
    (a fold, a no-break space) made one space; each at most 60 characters."""
    from .text import decode_rfc2047

    text = decode_rfc2047(value[:_MAX_LABELS_READ])
    labels: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            labels.append("".join(current))
            current = []
        else:
            current.append(char)
    labels.append("".join(current))
    return tuple(" ".join(label.split())[:60] for label in labels if label.strip())


def store_status(headers: Sequence[HeaderField]) -> tuple[tuple[str, ...], str] | None:
    """The flags a mail client or an export kept inside a stored copy of a message, and the
    fields as written: Thunderbird's X-Mozilla-Status fields, Google Takeout's X-Gmail-Labels.
    None when the copy has none of them that the store wrote.

    A sender can write these fields too; the store writes its own above every field of the
    message it keeps, so only fields above the first Received field are read (a delivery adds
    one at the top), and in a message with none (never delivered: a copy in Sent or Drafts, or
    a file someone wrote) only the run of them at the very top."""
    status = 0
    mozilla: list[str] = []
    labels: tuple[str, ...] | None = None
    labels_written = ""
    # Fields up to the first Received; with no Received at all (a copy never delivered, in Sent
    # or Drafts, or a file someone wrote), only the run of the store's own fields at the very top,
    # where the store writes them: any field below could be the file's author's.
    leading_run = True
    delivered = any(field.name.lower() == "received" for field in headers)
    for field in headers:
        name = field.name.lower()
        if name == "received":
            break
        if name not in _STORE_FIELDS:
            leading_run = False
            continue
        if not leading_run and not delivered:
            continue
        if name in _MOZILLA_STATUS and len(mozilla) < 2:
            value = field.value.strip()
            if not value or len(value) > 8 or any(c not in "0123456789abcdefABCDEF" for c in value):
                return None
            number = int(value, 16)
            status |= (number & 0xFFFF) if name == "x-mozilla-status" else (number & 0xFFFF0000)
            mozilla.append(f"{field.name}: {value}")
        elif name == "x-gmail-labels" and labels is None:
            labels = tuple(label.casefold() for label in gmail_labels(field.value))
            labels_written = f"{field.name}: {' '.join(field.value.split())}"
    if mozilla:
        return tuple(word for bits, word in _MOZILLA_FLAGS if status & bits), "; ".join(mozilla)
    if labels is not None:
        words = {_GMAIL_LABEL_FLAGS[label] for label in labels if label in _GMAIL_LABEL_FLAGS}
        return tuple(word for word in _FLAG_ORDER if word in words), labels_written
    return None


def mail_folder(source: str, input_format: str, store_flags: int | None = None,
                headers: Sequence[HeaderField] = ()) -> MailFolder | None:
    """The folder of the copy at ``source`` (a path, or ``PATH#N`` for a mailbox's N-th
    message), or None when its path names no mail folder (a loose file, standard input).
    ``store_flags``: an .emlx's flags number, read from Mail's property list; ``headers``: the
    message's fields, for the flags Thunderbird keeps in its mbox folders."""
    if not source or source in ("-", "clipboard", "api") or source.startswith("stdin"):
        return None
    path = source
    stem, hash_mark, number = source.rpartition("#")
    if hash_mark and number.isdigit() and input_format in ("mbox-entry", "mmdf-entry"):
        # "PATH#N": the N-th message of a mailbox file, as the scan labels them.
        return _mbox_folder(stem, headers)
    # A file in a Maildir's cur/ or new/ is a Maildir message whatever its format: procmail and
    # maildrop deliveries, mutt saves and mb2md conversions leave the envelope "From " line at
    # its top, which makes the loader read it as an mbox entry, yet its folder and flags are the
    # Maildir's (https://cr.yp.to/proto/maildir.html).
    parent = os.path.dirname(os.path.abspath(path))
    store_dir, sub = os.path.split(parent)
    if sub in ("cur", "new") and is_maildir(store_dir):
        return _maildir_folder(store_dir, os.path.basename(path), headers)
    if input_format in ("mbox-entry", "mmdf-entry"):
        return _mbox_folder(path, headers)
    if input_format == "emlx":
        # Apple Mail: ~/Library/Mail/V10/<account>/Junk.mbox/<id>/Data/.../Messages/123.emlx
        for part in reversed(parent.split(os.sep)):
            if part.lower().endswith(".mbox"):
                name = part[:-len(".mbox")]
                flags = tuple(word for bit, word in _EMLX_FLAGS if store_flags is not None and store_flags & bit)
                return MailFolder(name=name[:_MAX_NAME], store="Apple Mail", junk=is_junk_name(name), flags=flags,
                                  flags_as_written=f"emlx flags {store_flags:#x}" if store_flags is not None else "")
        return None
    # A loose file's directory is a folder only when it is named as a junk folder (an Outlook or
    # Thunderbird export); any other directory name ("Downloads") says nothing about the mail.
    name = os.path.basename(parent)
    if is_junk_name(name):
        return MailFolder(name=name[:_MAX_NAME], store="folder", junk=True)
    return None


def is_junk_name(name: str) -> bool:
    """Whether a folder name (its last part) is one mail systems give their junk folder."""
    last = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip()
    for suffix in _MBOX_SUFFIXES:
        if last.lower().endswith(suffix):
            last = last[:-len(suffix)]
            break
    return " ".join(last.split()).casefold() in _JUNK_NAMES


def _mbox_folder(path: str, headers: Sequence[HeaderField] = ()) -> MailFolder | None:
    name = os.path.basename(path)
    if name.lower().endswith((".eml", ".msg")):
        # A message saved with its mbox "From " line (mutt, an archive's download): a file named
        # as one message, not a mail client's folder.
        return None
    if name.lower() == "mbox":
        # Apple Mail's "Junk.mbox/mbox", an export's "Junk/mbox": the folder is the directory.
        name = os.path.basename(os.path.dirname(os.path.abspath(path))) or name
    for suffix in (".gz", ".bz2", ".xz", ".zst"):
        if name.lower().endswith(suffix):
            name = name[:-len(suffix)]
            break
    for suffix in (*_MBOX_SUFFIXES, ".txt", ".mmdf"):
        if name.lower().endswith(suffix):
            name = name[:-len(suffix)]
            break
    if not name:
        return None
    found = store_status(headers)
    if found is None:
        return MailFolder(name=name[:_MAX_NAME], store="mbox", junk=is_junk_name(name))
    flags, written = found
    return MailFolder(name=name[:_MAX_NAME], store="mbox", junk=is_junk_name(name), flags=flags,
                      flags_as_written=written[:_MAX_NAME])


def _maildir_folder(store_dir: str, file_name: str, headers: Sequence[HeaderField] = ()) -> MailFolder:
    """A Maildir message's folder: Maildir++ names its folders ".Name" (".Lists.dev" for
    Lists/dev) beside the inbox's cur/ and new/; Dovecot's LAYOUT=fs a plain directory inside
    its parent folder; the Maildir itself is the inbox (Dovecot, Courier). Thunderbird's Maildir
    store (cur/ and tmp/, no new/) keeps each folder as a Maildir named as the folder ("Junk"),
    its messages' flags in X-Mozilla-Status fields (store_status) as in its mbox folders, not in
    the file name. Courier's and Dovecot's names are in modified UTF-7 (maildir.decode_folder_name)."""
    base = os.path.basename(store_dir)
    thunderbird = False
    if base.startswith(".") and len(base) > 1:
        name = "/".join(decode_folder_name(part) for part in base[1:].split("."))
    elif is_maildir(os.path.dirname(store_dir)):
        name = decode_folder_name(base)
    elif is_thunderbird_maildir(store_dir):
        name, thunderbird = base, True
    else:
        name = "INBOX"
    written, flags = _maildir_flags(file_name)
    if thunderbird and not written:
        found = store_status(headers)
        if found is not None:
            flags, written = found[0], found[1][:_MAX_NAME]
    return MailFolder(name=name[:_MAX_NAME], store="Maildir", junk=is_junk_name(name), flags=flags,
                      flags_as_written=written)


def _maildir_flags(file_name: str) -> tuple[str, tuple[str, ...]]:
    """(":2,RS", ("replied", "seen")) from a Maildir file name. The info follows the last ":"
    (or "!" or ";", which Maildirs on file systems without ":" use, as Dovecot's
    maildir_colon_char and mbsync's FieldDelimiter allow); "2," marks the flags form."""
    for separator in (":", "!", ";"):
        _, found, info = file_name.rpartition(separator)
        if found and info.startswith("2,"):
            letters = info[2:32]
            words = tuple(_MAILDIR_FLAGS[letter] for letter in sorted(set(letters)) if letter in _MAILDIR_FLAGS)
            return separator + info[:32], words
    return "", ()
