"""Find the messages under the paths given to ``scan``, streaming: memory stays flat.

mbox files (RFC 4155) are split on ``From `` lines. Each message keeps its bytes as stored: its
``>From `` lines are not un-quoted, since which of them the writer quoted cannot be known (mboxo
quotes ``From `` lines only and leaves a ``>From `` line alone, mboxrd quotes both); an entry with
such lines says so (``ScanInput.quoted``), and DKIM and ARC read its body both ways (see
``LoadedInput.mbox_quoted``). A message whose ``Content-Length:`` field is borne out by the
mailbox (a separator, or the end of the file, right after that many body bytes: mboxcl2, Solaris
and SVR4 mail) keeps the unquoted ``From `` lines of its body, and its ``>From `` lines are the
sender's own (not ``quoted``). A mailbox whose lines end in a bare CR (classic Mac OS) is
split on those; its messages keep them, for the loader to convert as it does any message's.
Maildir folders are read from ``new/`` then ``cur/``, then their sub-folders (Maildir++
``.Sent`` and the like). Other directories are walked. Names come in natural order
(``name_order``: an MH folder's 2 before its 10). Each file is an mbox when it starts with
``From ``, else one message (.eml, .msg, Apple Mail's .emlx, ...). A walk passes over files that
neither start like mail nor are named as mail, so an Apple Mail store (``~/Library/Mail``) reads
as its messages without their attachment files. gzip, bzip2 and xz files are read as they decompress, and judged by
what they hold.
"""

from __future__ import annotations

import io
import os
import re
import sys
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .._value import Value, frozen, replace
from ..maildir import is_maildir as _is_maildir
from ..text import compiled_on_first_use

DEFAULT_MAX_MESSAGE = 256 * 1024 * 1024
# The container of an error row for a folder that could not be listed (ScanInput.container).
UNLISTED_FOLDER = "folder"
# The label of what standard input holds ("stdin", or "stdin#N" for a mailbox's N-th message).
STDIN_LABEL = "stdin"

# "From sender Mon Nov  2 10:00:00 2026": a separator even without the blank line before it.
_MBOX_SEPARATOR = re.compile(rb"^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d")
# The other date forms Thunderbird's mbox parser takes (nsParseMailbox.cpp, quoted in cpython
# issue #93376): "From jwz  Fri, Jul 01 09:13:09 1994", a zone after the year (which the form
# above takes already), and exporters' "From - addr  Mon Oct 16 2023 16:18:56 GMT-0700" (the year
# before the time). Without a blank line before it such a line separates only when a header
# field follows it, so a body line ("From here on, Mon Jul 1 ...") stays a body line. Each part
# is bounded, and \S and spaces do not overlap: linear on any line. The time has its seconds and
# the year stands before or after it, as every form writes them: a body line "From Alice Mon, Oct
# 16 09:12" with "Duration: 0:42" after it is a voicemail listing, not a separator (V39b).
_MBOX_SEPARATOR_OTHER = compiled_on_first_use(
    rb"^From \S{1,500} +(?:\S{1,500} +)?[A-Z][a-z]{2},? +[A-Z][a-z]{2} +\d?\d +(?:\d{4} +\d\d:\d\d:\d\d|\d\d:\d\d:\d\d +\d{4})")


@frozen
class ScanInput(Value):
    """One message to analyze, or why it could not be read."""

    label: str
    """Where it came from: a path, or ``mbox-path#N`` for the N-th message of a mailbox."""
    data: bytes | None
    """The message bytes (None when unreadable)."""
    error: str | None = None
    """Why it could not be read."""
    container: str = "file"
    """file, mbox, maildir; ``folder`` for an error row of a folder that could not be listed
    (not a message: the summary counts it apart)."""
    path: str | None = None
    """The file to read the message from, when it is read later (``data`` is None until then)."""
    span: tuple[int, int] | None = None
    """(start, stop): the message's bytes in ``path`` (an mbox entry); None for the whole file."""
    quoted: bool = False
    """An mbox entry with lines starting with ``>From ``, ``>>From ``... that its writer may have
    quoted (RFC 4155 section 2; not an mboxcl2 entry, which quotes nothing): its bytes are as
    stored, and the loader is told (``load_bytes``'s ``mbox_quoting``)."""
    no_separator: bool = False
    """The first entry of a mailbox whose first line is not a "From " line (a cut mailbox, a
    stray message before it): read up to the mailbox's first separator, and said so."""


def read_input(item: ScanInput, max_message: int = DEFAULT_MAX_MESSAGE) -> ScanInput:
    """The input with its bytes, when it was found but not read (``iter_inputs(lazy=True)``);
    any other input as it is. A parallel scan lets each worker read its own messages, so only
    their places cross between processes. A mailbox appended to meanwhile reads the same; one
    cut shorter, or rewritten in place (compacted by a mail client during the scan) so that a
    message's "From " line is no longer before it, gives an error row."""
    if item.path is None or item.data is not None or item.error is not None:
        return item
    try:
        # Unbuffered: a span is read in one call, and the buffer a buffered reader would
        # allocate for each message costs more than the read.
        with open(item.path, "rb", buffering=0) as handle:
            if item.span is None:
                # Asked for what the file holds, plus a byte: a read allocates all it is asked
                # for, and most messages are far below the limit. A file that grew meanwhile
                # is read on, up to the limit.
                size = min(os.fstat(handle.fileno()).st_size, max_message)
                data = _read_span(handle, 0, size + 1)
                if len(data) > size:
                    data += _read_span(handle, len(data), max_message + 1)
                if len(data) > max_message:
                    return ScanInput(label=item.label, data=None, container=item.container,
                                     error=f"message over the {max_message}-byte limit")
            else:
                start, stop = item.span
                # The separator line before the message is read too: it must still be there.
                lead = min(start, _SEPARATOR_CHECK)
                data = _read_span(handle, start - lead, stop)
                if len(data) != stop - start + lead or not _after_separator(data, lead, start == lead):
                    return ScanInput(label=item.label, data=None, container=item.container,
                                     error="the mailbox changed while it was being read")
                data = data[lead:]
    except OSError as exc:
        return ScanInput(label=item.label, data=None, container=item.container, error=exc.strerror or str(exc))
    return ScanInput(label=item.label, data=data, container=item.container, quoted=item.quoted,
                     no_separator=item.no_separator)


# Bytes before a message read to check that its "From " line is still there: a mailbox a mail
# client compacted during a parallel scan has other bytes at the places the scan found.
_SEPARATOR_CHECK = 4096


def _after_separator(data: bytes, lead: int, from_file_start: bool) -> bool:
    """Whether data[:lead] ends with a whole "From " line (the separator the message follows).
    A line longer than the window read is taken on trust."""
    if lead == 0 or data[lead - 1:lead] != b"\n":
        return lead == 0 and from_file_start
    line_start = data.rfind(b"\n", 0, lead - 1) + 1
    if line_start == 0 and not from_file_start:
        return True  # its start is before the window
    if data.startswith(b"From ", line_start) or data.startswith(b"\xef\xbb\xbfFrom ", line_start):
        return True
    # After a run of NUL bytes a crashed mail client left (see _is_nul_run and mbox_start).
    return data.startswith(b"\x00", line_start) and data[line_start:lead].lstrip(b"\x00").startswith(b"From ")


def _read_span(handle: BinaryIO, start: int, stop: int) -> bytes:
    """Bytes [start, stop) of an unbuffered file, fewer only if the file ends first (an
    unbuffered read may return less than asked without being at the end)."""
    handle.seek(start)
    parts: list[bytes] = []
    wanted = stop - start
    while wanted > 0:
        piece = handle.read(wanted)
        if not piece:
            break
        parts.append(piece)
        wanted -= len(piece)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def is_maildir(path: Path) -> bool:
    """A Maildir has cur/ beside new/ or tmp/ (maildir.is_maildir: Thunderbird's has no new/)."""
    return _is_maildir(path)


def _head(path: Path) -> bytes:
    """The first bytes of a file (enough for an mbox's "From " after a few blank lines, and
    the compression magic numbers); b"" when it cannot be read, for the read proper to report."""
    try:
        with path.open("rb") as handle:
            return _read_head(handle.read)
    except OSError:
        return b""


def _read_head(read: Callable[[int], bytes]) -> bytes:
    """The first _MBOX_HEAD bytes ``read`` gives (a buffered file's: all it is asked for), and
    when they start with a NUL byte, up to _LEADING_NULS more: a mail client that crashed
    while writing a mailbox can leave kilobytes of NULs before its first "From " line."""
    head = read(_MBOX_HEAD)
    if head.startswith(b"\x00") and len(head) == _MBOX_HEAD:
        head += read(_LEADING_NULS)
    return head


_MBOX_HEAD = 1024
_LEADING_NULS = 64 * 1024
_BOM = b"\xef\xbb\xbf"


def mbox_start(head: bytes) -> int | None:
    """Where the first "From " line of an mbox starting with ``head`` is: after a UTF-8 byte
    order mark and blank lines, which editors and careless concatenations leave before it, or
    a run of NUL bytes a crashed mail client left (see ``_read_head``); None when ``head`` is
    no mbox's start."""
    start = len(_BOM) if head.startswith(_BOM) else 0
    if head.startswith(b"\x00", start):
        start = len(head) - len(head[start:].lstrip(b"\x00\r\n"))
    while start < len(head) and head[start] in b"\r\n":
        start += 1
    return start if head.startswith(b"From ", start) else None


# The start of a file found in a directory walk: an mbox "From " line, an OLE document (an
# Outlook .msg), or a header field name and colon (RFC 5322 section 2.2) on its first
# non-blank line. Files named on the command line are always analyzed.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# RFC 5322 allows any printable character in a field name, but real ones are letters, digits
# and hyphens; the stricter form keeps JSON (`{"name":`) and similar files out.
_FIELD_START = re.compile(rb"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}[ \t]*:")


# Files named as messages or mailboxes are taken whatever they hold, so a damaged one (binary,
# empty, compressed) becomes an error row instead of vanishing from the scan unnoticed.
# Apple Mail's store keeps one message per ``N.emlx`` (``N.partial.emlx`` when attachments are
# kept apart, as ``.emlxpart`` files and under ``Attachments/``: those are not messages).
_MAIL_SUFFIXES = (".eml", ".msg", ".mbox", ".mbx", ".emlx")
# Passed-over files remembered to be named in the scan's closing note (the count goes on).
_MAX_PASSED_OVER = 1000
_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip")


def _without_compression_suffix(name: str) -> str:
    """``name`` without a compression suffix (``inbox.mbox.gz``: ``inbox.mbox``)."""
    lower = name.lower()
    suffix = next((suffix for suffix in _COMPRESSION_SUFFIXES if lower.endswith(suffix)), "")
    return name[:len(name) - len(suffix)]


def named_like_mail(name: str) -> bool:
    """Whether a file name says message or mailbox: ``.eml``, ``.msg``, ``.mbox``, ``.mbx``,
    ``.emlx``, also followed by a compression suffix (``inbox.mbox.gz``)."""
    return _without_compression_suffix(name).lower().endswith(_MAIL_SUFFIXES)


def looks_like_mail(path: Path) -> bool:
    """Whether a file met while walking a directory is a message or mailbox worth analyzing,
    so a tree's keys, snapshots, scripts and images are passed over instead of becoming
    reports of garbage. A file named as mail always is (see ``named_like_mail``)."""
    if named_like_mail(path.name):
        return True
    try:
        with path.open("rb") as handle:
            head = _read_head(handle.read)
    except OSError:
        return True  # unreadable: let the read report the error as a row
    module = _decompressor(head)
    if module is not None:
        # What it holds decides, as for any file (a list archive "2024-January.txt.gz").
        try:
            with _open_compressed(path, module) as stream:
                head = _read_head(stream.read)
        except Exception:  # noqa: BLE001 - damaged, or not that format after all: not mail
            return False
    if head.startswith((_OLE_MAGIC, b"\xff\xfe", b"\xfe\xff", _MMDF_DELIMITER)) or mbox_start(head) is not None:
        return True  # an mbox, an MMDF mailbox, an Outlook .msg, a UTF-16 text (a Windows paste saved as is)
    first = head.lstrip(b"\r\n\t \xef\xbb\xbf")
    # A paste's own first lines: Gmail's "Show original" page, Outlook's header pane banner,
    # a reply's quote marks before the fields.
    if first[:80].lower().startswith((b"original message", b"message id", b"microsoft mail internet headers")):
        return True
    if _FIELD_START.match(first.lstrip(b"> \t")) is None:
        return False
    # "Key: value" lines alone make no message (an MH "context" file, a YAML or properties
    # file): one of the fields a message or its trace carries must be among them.
    return _mail_field().search(head) is not None


# Fields that every message, or its trace, has one of (RFC 5322 sections 3.6, RFC 5321
# section 4.4, MIME, DKIM); an extension field ("X-...") counts too. A line may end in a bare CR
# (classic Mac OS), which the loader converts.
_mail_field = compiled_on_first_use(
    rb"(?:^|[\r\n])[ >\t]*(?:received|from|to|cc|subject|date|message-id|return-path|delivered-to|mime-version|"
    rb"dkim-signature|arc-seal|authentication-results|reply-to|sender|content-type|in-reply-to|references|"
    rb"resent-[a-z]+|envelope-to|x-[a-z0-9-]+)[ \t]*:", re.IGNORECASE)


def iter_inputs(paths: Iterable[str], max_message: int = DEFAULT_MAX_MESSAGE, lazy: bool = False,
                passed_over: list[str] | None = None, skip: frozenset[tuple[int, int]] = frozenset(),
                empty_mailboxes: list[str] | None = None) -> Iterator[ScanInput]:
    """Every message under the paths, in a stable order, each read only when it is its turn.

    lazy: found but not read; ``read_input`` reads each (an mbox is still read through, to
    find where its messages start and end). ``skip``: (device, inode) of files a directory walk
    passes over silently (the scan's own output file, written inside a scanned folder).
    ``passed_over`` collects the files of a directory
    walk that do not look like mail (see ``looks_like_mail``), so the caller can say so.
    ``empty_mailboxes`` collects the mailbox files that hold nothing (see ``_empty_mailbox``):
    a mailbox with no message, neither an error row nor a file passed over."""
    for raw_path in paths:
        if raw_path == "-":
            yield from iter_stream(sys.stdin.buffer.read, STDIN_LABEL, max_message)
            continue
        path = Path(raw_path)
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as exc:  # in a folder that cannot be looked into
            yield ScanInput(label=str(path), data=None, error=exc.strerror or str(exc))
            continue
        if is_dir:
            yield from _iter_dir(path, max_message, lazy, passed_over, skip, empty_mailboxes)
        elif is_file:
            yield from _iter_file(path, max_message, lazy, empty_mailboxes)
        elif not path.exists():
            yield ScanInput(label=str(path), data=None, error="no such file or directory")
        else:
            yield ScanInput(label=str(path), data=None, error="not a regular file")


_MAILDIR_PARTS = frozenset({"cur", "new", "tmp"})


_DIGITS = re.compile(r"(\d+)")


def name_order(name: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key putting names in natural order: runs of digits compare as numbers, so an MH
    folder's messages 1, 2, ..., 10 come in that order (plain sorting puts 10 before 2).
    Text and numbers alternate from a text part (``re.split`` with a group), so like always
    meets like; the name itself settles ties such as "1" and "01"."""
    parts = _DIGITS.split(name)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts)), name


def _listing(folder: Path) -> list[Path | ScanInput]:
    """The entries of a folder in name order, or an error entry when it cannot be listed."""
    try:
        return [*sorted(folder.iterdir(), key=lambda entry: name_order(entry.name))]
    except OSError as exc:
        return [ScanInput(label=str(folder), data=None, container=UNLISTED_FOLDER, error=exc.strerror or str(exc))]


# The start of a stream read before deciding what it is: bzip2's magic number with its block
# header is ten bytes.
_STREAM_HEAD = 16


def iter_stream(read: Callable[[int], bytes], name: str, max_message: int = DEFAULT_MAX_MESSAGE,
                decompress: bool = True, named_mailbox: bool | None = None) -> Iterator[ScanInput]:
    """The messages of a stream (``scan -`` reads standard input): an mbox when it starts with
    ``From ``, else one message, or a cut mailbox (_late_separator_in) when the file the stream
    decompresses is named as a mailbox (``named_mailbox``, _may_be_cut_mailbox). Standard input
    (None) has no name to say so, and a single message piped in keeps its sender's "From " lines
    unquoted (RFC 4155 section 2: quoting is a mailbox writer's job), so it is never cut there:
    verification V41b cut a list post quoting a mailbox entry in two, and a forger's message
    quoting a genuine signed one gave that one a row of its own. Read as it comes, never
    whole: a mailbox piped from another host or a decompressor can be any size. Its entries
    carry their bytes, since the stream cannot be read again (a worker reads no span of it)."""
    head = b""
    try:
        # A read of a pipe may return fewer bytes than asked: read on until the start is long
        # enough to tell an mbox ("From ") or a compression's magic number, or the stream ends.
        while len(head) < _STREAM_HEAD:
            more = read(_STREAM_HEAD - len(head))
            if not more:
                break
            head += more
    except OSError as exc:
        yield ScanInput(label=name, data=None, error=exc.strerror or str(exc))
        return
    unread = [head]

    def read_on(size: int) -> bytes:
        """``read``, the start already read coming first."""
        if unread:
            start = unread.pop()
            return start + read(max(size - len(start), 1))
        return read(size)

    if head.startswith(_MMDF_DELIMITER):
        yield from iter_mmdf(read_on, name, max_message)
        return
    if mbox_start(head) is not None:
        # Its bytes travel with its messages (no span is read again): a byte order mark before
        # the first "From " line is dropped, so that line starts the first message.
        if head.startswith(_BOM):
            unread[0] = head[len(_BOM):]
        yield from _split_mbox(read_on, name, max_message, lazy=False)
        return
    module = _decompressor(head) if decompress else None
    if module is not None:
        # "cat 2024-January.txt.gz | headerscope scan -", as a file of that name is read.
        source = _CountedReader(read_on)
        try:
            import importlib

            stream: io.BufferedIOBase = importlib.import_module(module).open(io.BufferedReader(source), "rb")
        except ImportError:
            yield ScanInput(label=name, data=None,
                            error=f"this Python has no {module} module to decompress it with: decompress it first")
            return
        yield from _iter_decompressed(stream, module, name, max_message,
                                      lambda: source.count * _MAX_EXPANSION + _EXPANSION_SLACK, named_mailbox)
        return
    parts: list[bytes] = []
    size = 0
    try:
        while size <= max_message:
            piece = read_on(_READ_CHUNK)
            if not piece:
                data = b"".join(parts)
                if named_mailbox and _late_separator_in(data, True):
                    yield from _split_mbox(_replay([data], read_on), name, max_message, False, no_separator=True)
                    return
                yield ScanInput(label=name, data=data)
                return
            parts.append(piece)
            size += len(piece)
    except OSError as exc:
        yield ScanInput(label=name, data=None, error=exc.strerror or str(exc))
        return
    if named_mailbox and _late_separator_in(b"".join(parts), False):
        # Over a message's limit: a mailbox, read on as one (a message that large is an error row anyway).
        yield from _split_mbox(_replay(parts, read_on), name, max_message, False, no_separator=True)
        return
    yield ScanInput(label=name, data=None, error=f"message over the {max_message}-byte limit")


def _replay(parts: list[bytes], read: Callable[[int], bytes]) -> Callable[[int], bytes]:
    """``read``, the bytes ``parts`` already read from it coming first."""
    kept = deque(parts)

    def read_on(size: int) -> bytes:
        return kept.popleft() if kept else read(size)

    return read_on


def _iter_dir(path: Path, max_message: int, lazy: bool, passed_over: list[str] | None = None,
              skip: frozenset[tuple[int, int]] = frozenset(), empty_mailboxes: list[str] | None = None
              ) -> Iterator[ScanInput]:
    if is_maildir(path):
        # Thunderbird's Maildir has no new/ (maildir.is_maildir): only the folders there are read.
        for sub in ("new", "cur") if (path / "new").is_dir() else ("cur",):
            for entry in _listing(path / sub):
                if isinstance(entry, ScanInput):
                    yield entry
                elif not entry.name.startswith(".") and not _skipped(entry, skip):
                    kind = _special_file(entry)
                    if kind is not None:
                        yield ScanInput(label=str(entry), data=None, container="maildir",
                                        error=f"not a regular file ({kind})")
                    elif entry.is_file():
                        yield _read_single(entry, max_message, lazy, container="maildir")
        # Its folders: Maildir++ keeps them beside cur/ and new/ as ".Sent", ".Lists.dev"
        # (Courier, Dovecot's default layout), Dovecot's LAYOUT=fs as plain subdirectories.
        # Symbolic links are not followed, as os.walk does not: a link back up would loop.
        for entry in _listing(path):
            if isinstance(entry, ScanInput):
                yield entry
            elif entry.name not in _MAILDIR_PARTS and entry.is_dir() and not entry.is_symlink():
                yield from _iter_dir(entry, max_message, lazy, passed_over, skip, empty_mailboxes)
        return
    unlistable: list[OSError] = []
    for root, dirs, files in os.walk(path, onerror=unlistable.append):
        yield from _unlistable_rows(unlistable)
        dirs.sort(key=name_order)
        root_path = Path(root)
        # A Maildir nested in a tree is read as one (its tmp/ holds unfinished deliveries).
        for name in list(dirs):
            if is_maildir(root_path / name) and not (root_path / name).is_symlink():
                dirs.remove(name)
                yield from _iter_dir(root_path / name, max_message, lazy, passed_over, skip, empty_mailboxes)
        if root_path.name == "tmp" and is_maildir(root_path.parent):
            continue
        for name in sorted(files, key=name_order):
            if name.startswith((".", ",")) or _skipped(root_path / name, skip):
                continue  # hidden, or an MH folder's deleted message (",3": nmh's rmm renames it so)
            kind = _special_file(root_path / name)
            if kind is not None:
                # A FIFO would block the walk for ever; a device (a link to /dev/zero) never ends.
                yield ScanInput(label=str(root_path / name), data=None, error=f"not a regular file ({kind})")
                continue
            if not looks_like_mail(root_path / name):
                if _empty_mailbox(root_path / name, _head(root_path / name)):
                    # Thunderbird's empty folder file (no name suffix, its .msf beside it).
                    _note_empty(root_path / name, empty_mailboxes)
                elif passed_over is not None and len(passed_over) < _MAX_PASSED_OVER:
                    passed_over.append(str(root_path / name))
                continue
            yield from _iter_file(root_path / name, max_message, lazy, empty_mailboxes)
    yield from _unlistable_rows(unlistable)


def _skipped(path: Path, skip: frozenset[tuple[int, int]]) -> bool:
    """Whether a walked file is one of ``skip`` (by device and inode, so links to it are too)."""
    if not skip:
        return False
    try:
        status = path.stat()
    except OSError:
        return False
    return (status.st_dev, status.st_ino) in skip


def _unlistable_rows(failures: list[OSError]) -> Iterator[ScanInput]:
    """Error rows for the folders the walk could not list, where they are met."""
    while failures:
        failure = failures.pop(0)
        yield ScanInput(label=str(failure.filename), data=None, container=UNLISTED_FOLDER,
                        error=failure.strerror or str(failure))


def _special_file(path: Path) -> str | None:
    """What a walked entry is when it is not a regular file (links followed), or None."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # gone, or a broken link: the read reports it
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _iter_file(path: Path, max_message: int, lazy: bool, empty_mailboxes: list[str] | None = None
               ) -> Iterator[ScanInput]:
    head = _head(path)
    module = _decompressor(head)
    if _empty_mailbox(path, head):
        _note_empty(path, empty_mailboxes)
    elif module is not None:
        yield from _iter_compressed(path, module, max_message)
    elif (start := mbox_start(head)) is not None:
        yield from iter_mbox(path, max_message, lazy, start)
    elif head.startswith(_MMDF_DELIMITER):
        try:
            handle = path.open("rb")
        except OSError as exc:
            yield ScanInput(label=str(path), data=None, error=exc.strerror or str(exc), container="mmdf")
            return
        with handle:
            yield from iter_mmdf(handle.read, str(path), max_message)
    elif _may_be_cut_mailbox(path) and _late_separator(path, max_message):
        yield from iter_mbox(path, max_message, lazy, no_separator=True)
    else:
        yield _read_single(path, max_message, lazy)


def _empty_mailbox(path: Path, head: bytes) -> bool:
    """Whether a file is a mailbox that holds no message: named or kept as a mailbox (see
    ``_may_be_cut_mailbox``: an empty Drafts.mbox, Thunderbird's empty Trash with its Trash.msf)
    and holding nothing but white space (``head`` is its start). A mail client writes a folder with no
    message so (RFC 4155 section 2: an mbox is a sequence of messages, which may be none), and a
    folder emptied is no damage: neither an error row nor a file passed over as not mail. A
    single message named so (.eml, .msg) that is empty stays an error row."""
    return len(head) < _MBOX_HEAD and not head.strip(b" \t\r\n") and _may_be_cut_mailbox(path)


def _note_empty(path: Path, empty_mailboxes: list[str] | None) -> None:
    """Collect an empty mailbox for the caller to say (at most _MAX_PASSED_OVER of them)."""
    if empty_mailboxes is not None and len(empty_mailboxes) < _MAX_PASSED_OVER:
        empty_mailboxes.append(str(path))


# The fixed date "git format-patch" writes on its "From <commit>" line (git-format-patch(1)).
_GIT_PATCH_DATE = b"Mon Sep 17 00:00:00 2001"


def _may_be_cut_mailbox(path: Path) -> bool:
    """Whether a file that does not start with "From " is looked through for a mailbox's later
    separators: only one named as a mailbox (.mbox, .mbx, "mbox" in its name), or kept as one by
    Thunderbird, and not named as a single message (.eml, .emlx, .msg, .txt). Thunderbird keeps each
    folder as an mbox file with no extension ("Inbox", "Sent", "Archives", subfolders under
    "Inbox.sbd/") and its summary index beside it, the same name with ".msf" added (a Mork file,
    never a message): that sibling says mailbox where the name does not. A single message's body
    can quote a separator-shaped line with header fields after it (an inline "git format-patch"
    text, a quoted bounce's mbox entry): read as a mailbox, it would be cut in two and its DKIM
    body hash would fail (verification V39b: an extensionless saved message given by name was),
    and a message saved on its own has no such index."""
    name = path.name.lower()
    if name.endswith((".eml", ".emlx", ".msg", ".txt")):
        return False
    if name.endswith((".mbox", ".mbx")) or "mbox" in name:
        return True
    try:
        return path.with_name(path.name + ".msf").is_file()
    except (OSError, ValueError):  # a folder that cannot be looked into; a name with no file name part
        return False


# A separator of an mbox after a blank line, in a file that does not start with one: "\n\nFrom "
# (the blank line may end in CRLF).
_late_from = compiled_on_first_use(rb"\n\r?\nFrom ")


def _late_separator(path: Path, max_message: int) -> bool:
    """Whether a file that does not start with "From " holds, after a blank line, a "From " line
    of a separator's full shape (a "From sender date" line, dated as ``_mbox_dated`` reads it)
    with a header field on the line after it: a mailbox whose first entry lost its separator (a
    cut mailbox, a stray message saved before one). A plain message whose body has a "From "
    line after a blank line ("From my side: ...", an mbox writer's unquoted body line) has no
    date there or no header field after it, and stays one message; a file named as one message
    (.eml, .emlx, .msg) is not looked through at all (see _iter_file): its name says what it is,
    and a quoted mailbox in its body must not cut its body short (a DKIM body hash would fail).
    Read in chunks, at most ``max_message`` bytes (a larger file is an error row anyway)."""
    try:
        handle = path.open("rb")
    except OSError:
        return False  # the read proper reports it
    with handle:
        carry = b""
        read = 0
        while read <= max_message:
            try:
                chunk = handle.read(_READ_CHUNK)
            except OSError:
                return False
            if not chunk:
                return _late_separator_in(carry, True)
            read += len(chunk)
            data = carry + chunk
            if _late_separator_in(data, False):
                return True
            # The last bytes again with the next chunk: a separator line and the line after it
            # may straddle the two (bounded as the splitter bounds a dated line).
            carry = data[-(_LONGEST_DATED + 8):]
    return False


def _late_separator_in(data: bytes, at_end: bool) -> bool:
    """Whether ``data`` holds a "\n\nFrom " separator of the full shape (see _late_separator) whose
    line and the line after it are whole in it (or it ends there, ``at_end``)."""
    for found in _late_from().finditer(data):
        start = found.end() - len(b"From ")
        line_end = data.find(b"\n", start, start + _LONGEST_DATED)
        if line_end < 0:
            continue
        if _mbox_dated().search(data, start + 5, min(line_end, start + _DATE_WINDOW)) is None:
            continue
        if _GIT_PATCH_DATE in data[start:line_end]:
            continue  # "git format-patch" output quoted in a message's body, not a mailbox's separator
        if line_end + 1 >= len(data) and not at_end:
            continue  # the next line is in the next chunk: searched again with it
        if _header_follows(data, line_end + 1, len(data)):
            return True
    return False


# MMDF mailboxes (SCO, old MMDF and some Unix systems; Python's mailbox.MMDF) enclose each
# message between two lines of four ^A characters, and need no "From " quoting.
_MMDF_DELIMITER = b"\x01\x01\x01\x01"
MMDF_DELIMITER = _MMDF_DELIMITER
"""The line of four ^A characters that opens and closes each message of an MMDF mailbox."""
_mmdf_line = compiled_on_first_use(rb"^\x01\x01\x01\x01\r?\n", re.MULTILINE)


def iter_mmdf(read: Callable[[int], bytes], name: str, max_message: int = DEFAULT_MAX_MESSAGE
              ) -> Iterator[ScanInput]:
    """The messages of an MMDF mailbox, read chunk after chunk: what lies between an opening
    and a closing delimiter line is a message (its bytes travel with it). Each byte is searched
    once and copied once; memory holds about one message and one chunk, and a message over the
    limit becomes an error row."""
    number = 0
    inside = False  # between an opening delimiter and its closing one
    pieces: list[bytes] = []  # the current message so far
    size = 0
    too_big = False
    carry = b""  # the unfinished last line of the previous chunk, when it may start a delimiter
    at_line_start = True  # whether the next data starts a line

    def finish() -> ScanInput | None:
        nonlocal number
        message = b"".join(pieces)
        if too_big:
            number += 1
            return ScanInput(label=f"{name}#{number}", data=None, container="mmdf",
                             error=f"message over the {max_message}-byte limit")
        if not message.strip():
            return None  # an empty pair of delimiters holds no message
        number += 1
        return ScanInput(label=f"{name}#{number}", data=message, container="mmdf")

    def keep(piece: bytes) -> None:
        nonlocal size, too_big
        if not inside or not piece:
            return
        size += len(piece)
        if size > max_message:
            too_big = True
            pieces.clear()
        elif not too_big:
            pieces.append(piece)

    while True:
        try:
            chunk = read(_READ_CHUNK)
        except OSError as exc:
            yield ScanInput(label=f"{name}#{number + 1}", data=None, container="mmdf", error=exc.strerror or str(exc))
            return
        data = carry + chunk
        position = 0
        for match in _mmdf_line().finditer(data):
            if match.start() == 0 and not at_line_start:
                continue  # "^" at the data's start, which is not a line's
            keep(data[position:match.start()])
            if inside:
                row = finish()
                if row is not None:
                    yield row
                pieces.clear()
                size, too_big = 0, False
            inside = not inside
            position = match.end()
        if not chunk:
            keep(data[position:])
            break
        # The last line, unfinished, may be the start of a delimiter line: searched again with
        # the next chunk (it is at most the delimiter's length). Anything else is kept now.
        newline = data.rfind(b"\n", position)
        last_line = newline + 1 if newline >= 0 else position
        tail = data[last_line:]
        # The tail starts a line after a line end, after a delimiter, or where the data did.
        starts_line = newline >= 0 or position > 0 or at_line_start
        if starts_line and len(tail) <= len(_MMDF_DELIMITER) + 1 and _MMDF_DELIMITER.startswith(tail.rstrip(b"\r")[:4]):
            keep(data[position:last_line])
            carry, at_line_start = tail, True
        else:
            keep(data[position:])
            carry, at_line_start = b"", data.endswith(b"\n")
    if inside and (pieces or too_big):
        # No closing delimiter: the mailbox ends inside its last message (cut off).
        row = finish()
        if row is not None:
            yield row


# Compressed files a scan reads through the standard library's decompressors, by their magic
# numbers (gzip: RFC 1952 section 2.3.1): mailbox archives are usually kept so (a mailing
# list's monthly "2024-January.txt.gz"). zstd and zip have no decompressor there: such files
# stay error rows that say how to decompress them.
# The formats are told by the loader's magic numbers (``loader.compression``).
_DECOMPRESSORS = {"gzip": "gzip", "bzip2": "bz2", "xz": "lzma"}
# A compressed file is read no further once it has given this many times its own size: mail
# compresses about fourfold, base64 attachments less; a decompression bomb would otherwise cost
# minutes of work (its memory is bounded anyway, by --max-size per message).
_MAX_EXPANSION = 100
_EXPANSION_SLACK = 64 << 20


def _decompressor(head: bytes) -> str | None:
    """The module that reads a file starting with ``head`` (gzip, bz2 or lzma), or None when
    it is not compressed in one of their formats."""
    # Imported here: the loader comes with the analysis, which the CLI imports with the
    # garbage collector paused (cli._import_analysis), after this module.
    from ..loader import compression

    name = compression(head)
    return _DECOMPRESSORS.get(name) if name else None


def _open_compressed(path: Path, module: str) -> io.BufferedIOBase:
    """``path`` opened for reading through ``module`` (gzip, bz2 or lzma: imported only now)."""
    import importlib

    opened: io.BufferedIOBase = importlib.import_module(module).open(path, "rb")
    return opened


def _iter_compressed(path: Path, module: str, max_message: int) -> Iterator[ScanInput]:
    """The messages of a compressed mbox, or the compressed message, decompressed as they are
    read (never whole). Their bytes travel with them: a worker cannot read a span of it."""
    try:
        limit = path.stat().st_size * _MAX_EXPANSION + _EXPANSION_SLACK
        stream = _open_compressed(path, module)
    except OSError as exc:
        yield ScanInput(label=str(path), data=None, error=exc.strerror or str(exc))
        return
    except ImportError:
        # A Python built without the library (pyenv without liblzma's headers, say).
        yield ScanInput(label=str(path), data=None,
                        error=f"this Python has no {module} module to decompress it with: decompress it first")
        return
    # Looked through for a cut mailbox as the file it holds would be: by that file's name.
    held = _without_compression_suffix(path.name)
    named = bool(held) and _may_be_cut_mailbox(path.with_name(held))
    yield from _iter_decompressed(stream, module, str(path), max_message, lambda: limit, named)


def _iter_decompressed(stream: io.BufferedIOBase, module: str, name: str, max_message: int,
                       limit: Callable[[], int], named_mailbox: bool | None = None) -> Iterator[ScanInput]:
    """The messages of a decompressing stream, read no further once it has given ``limit()``
    bytes (a decompression bomb); ``named_mailbox`` as iter_stream's."""
    given = 0

    def read(size: int) -> bytes:
        nonlocal given
        if given > limit():
            raise OSError(f"it decompresses to over {_MAX_EXPANSION} times its size: not read further")
        try:
            # read1: what one step decompresses, so a damaged end loses nothing before it
            # (read would drop the part of its chunk decompressed before the damage).
            data = stream.read1(size)
        except Exception as exc:  # noqa: BLE001 - each decompressor has its own errors (EOFError, LZMAError...)
            raise OSError(f"damaged {module} data: {exc}") from None
        given += len(data)
        return data

    with stream:
        yield from iter_stream(read, name, max_message, decompress=False, named_mailbox=named_mailbox)


class _CountedReader(io.RawIOBase):
    """A readable stream over a ``read`` function, counting the bytes it gave: standard input
    handed to a decompressor, whose input size bounds its output."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


def _read_single(path: Path, max_message: int, lazy: bool = False, container: str = "file") -> ScanInput:
    try:
        size = path.stat().st_size
        if size > max_message:
            return ScanInput(label=str(path), data=None, container=container,
                             error=f"message of {size} bytes is over the {max_message}-byte limit")
        if lazy:
            return ScanInput(label=str(path), data=None, container=container, path=str(path))
        return ScanInput(label=str(path), data=path.read_bytes(), container=container)
    except OSError as exc:
        return ScanInput(label=str(path), data=None, container=container, error=exc.strerror or str(exc))


_READ_CHUNK = 1 << 20
# A line longer than this (and than the message limit) cannot be a "From " separator line.
_LONGEST_SEPARATOR = 1 << 16
# The date of a "From sender date" line: a time, with a year soon after it or a weekday or month
# name soon before it ("From - Mon Jan  1 00:00:00 2001", "From a at b.org  Sat Nov 14 21:29:28
# 2015", Takeout's "... 00:00:00 +0000 2025"). Each part is bounded, so a line of many times
# costs linear time.
_mbox_dated = compiled_on_first_use(
    rb"\b\d\d?:\d\d(?::\d\d)?\b.{0,40}?\b(?:19|20)\d\d\b|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul"
    rb"|Aug|Sep|Oct|Nov|Dec)\b.{0,40}?\b\d\d?:\d\d\b")
_header_field_start = compiled_on_first_use(rb"[\x21-\x39\x3b-\x7e]{1,200}[ \t]*:")
# In a message's header, whichever comes first: a Content-Length field (group 1, its value) or
# the empty line that ends the header. Both follow a line end, which the search finds fast.
_header_mark = compiled_on_first_use(
    rb"\n(?:\r?\n|content-length[ \t]*:[ \t]*(\d{1,15})[ \t]*\r?(?=\n))", re.IGNORECASE)
# A header longer than this is not looked through for a Content-Length field.
_LONGEST_HEADER = 1 << 16
# Bytes read past a Content-Length body to judge the line there (and the next) as a separator.
_AFTER_BODY = 4096
_LONGEST_DATED = 1000
# Where the date of a "From sender date" line is looked for: after a sender address, however
# long an SRS or VERP address makes it.
_DATE_WINDOW = 320


def _header_follows(region: bytes, start: int, end: int) -> bool:
    """Whether the line at region[start] (before ``end``) begins with a header field's name."""
    return _header_field_start().match(region, start, min(end, start + _LONGEST_DATED)) is not None


# A mail client that crashes while writing a mailbox leaves a run of NUL bytes where the data
# should be (the file's length was set, its blocks never written), and the next message's
# "From " line right after it: a "From " after a NUL starts a line, and a message's last
# "line" of NULs (up to that "From ", or the end of the file) is dropped with the separator.
def _is_nul_run(line: bytes) -> bool:
    return bool(line) and not line.strip(b"\x00")


def _from_lines(region: bytes, begin: int, end: int) -> tuple[list[int], list[int]]:
    """Offsets of the lines of region[begin:end] (a run of whole lines) that start with
    "From ", and of those that start with ">From ", ">>From "... (mboxrd quoting), found in
    one search for "From " (a regex anchored at line starts tries every
    position; a second pass for the quoted lines would read every byte twice)."""
    separators: list[int] = []
    quoted: list[int] = []
    previous = -1  # the previous hit
    # A regex's literal search finds "From " in about half the time of bytes.find's loop here
    # (mail text is full of "F" and "r"; measured 26 -> 12 us per benchmark message), and
    # finditer makes no Python call per miss.
    for hit in _from_word().finditer(region, begin, end):
        found = hit.start()
        before = region[found - 1] if found > begin else 0x0A
        if before == 0x0A or before == 0x00:  # "\n": the line starts here; NUL: see _NUL_RUN
            separators.append(found)
        elif before == 0x3E:  # ">": quoted if only ">" precede it on its line
            # Looked for back to the previous hit only: a line that holds an earlier "From "
            # is not quoted, and so each byte is looked at once however hostile the lines.
            newline = region.rfind(b"\n", max(previous, begin), found)
            line_start = newline + 1 if newline >= 0 else (begin if previous < 0 else -1)
            if line_start >= 0 and region.count(b">", line_start, found) == found - line_start:
                quoted.append(line_start)
        previous = found
    return separators, quoted


_from_word = compiled_on_first_use(rb"From ")


# The empty line ending an mbox entry before the next "From " line (RFC 4155 section 2): the
# mailbox's, not the message's, so held past the message's limit until the entry ends.
_MBOX_BLANK_LINE = len(b"\r\n")


class _MboxSplitter:
    """Splits mbox bytes, fed in runs of whole lines, into messages.

    Works on runs of lines with bytes.find and regular expressions instead of a Python loop
    per line: the parent process of a parallel scan reads through every mailbox to find its
    messages, so its cost per line limits how well the workers scale. For the same reason a
    message's bytes are copied once, when it is finished: the runs are given as offsets into
    the bytes read, and the message's lines are kept as views of them until then. With
    ``lazy`` nothing is kept or copied: only where the message lies in the file.
    """

    def __init__(self, name: str, max_message: int, lazy: bool = False) -> None:
        self.name = name
        """The mailbox's path (labels, and where a lazy entry is read), or ``stdin``."""
        self.max_message = max_message
        self.lazy = lazy
        """Find each message's place in the file (``ScanInput.span``) instead of its bytes."""
        self.start = 0
        """File offset of the current message's first byte."""
        self.stop = 0
        """File offset just after the last byte kept of the current message."""
        self.number = 0
        self.started = False
        self.parts: list[memoryview] = []
        """Runs of whole lines of the current message, as read (views of the bytes read)."""
        self.size = 0
        """Bytes of the message so far."""
        self.quoted = False
        self.too_big = False
        self.last_line = b""
        """The last line kept of the current message ("" when none is)."""
        self.undecided: tuple[bytes, int] | None = None
        """A "From " line ending the run of lines fed, and its file offset: whether it is a
        separator depends on the line after it, in the next run."""
        self.undecided_long = False
        """The undecided line is one too long to hold (only where the line after it starts)."""
        self.header_open = False
        """The current message's header is still being looked through (for Content-Length)."""
        self.header_seen = 0
        """Bytes of the open header looked through so far."""
        self.content_length = -1
        """The current message's Content-Length (-1: none)."""
        self.body_end = -1
        """File offset where the current message's body ends by its Content-Length, while that
        may still be borne out (-1: no such field, or the mailbox does not bear it out)."""
        self.body_checked = False
        """Whether the bytes at body_end were found to start the next message (or end the file)."""
        self.unquoted_body = False
        """A "From " line was kept in the body by its Content-Length: the writer quotes nothing
        (mboxcl2), so its ">From " lines are the sender's own."""
        self.peek: Callable[[int, int], bytes] = lambda start, stop: b""
        """The mailbox's bytes [start, stop) after the lines fed so far (fewer at its end): read
        ahead, they are fed later as they come."""
        self.eof_at = -1
        """The file offset where the mailbox ends, once reading found it (-1: not yet)."""
        self.no_separator = False
        """The current message is a mailbox's first, which has no "From " line before it."""
        self.swapped = False
        """The mailbox's lines end in a bare CR: it is fed with CR and LF swapped (see
        _split_mbox), and each message swapped back."""

    def _keep(self, region: bytes, view: memoryview, pos: int, end: int, offset: int, quoted: int) -> None:
        """Whole lines region[pos:end] of the current message (the last may lack its line
        end at EOF), of which ``quoted`` start with ">...From "; view is memoryview(region),
        whose first byte is at ``offset`` in the file."""
        if pos >= end or not self.started or self.too_big:
            return
        piece = view[pos:end]
        self.size += end - pos
        if self.size > self.max_message + _MBOX_BLANK_LINE:
            # Over the limit: forget it, keep reading to the next separator. (Its last line may
            # be the empty line before the next "From " line, which is the mailbox's, not the
            # message's: finish() tells, once the message has ended.)
            self.too_big = True
            self.parts = []
            self.last_line = b""
            return
        self.quoted = self.quoted or quoted > 0
        self.stop = offset + end
        if not self.lazy:
            self.parts.append(piece)
        # pos starts a line, so with no line end before the last byte the piece is one line.
        line_start = region.rfind(b"\n", pos, end - 1) + 1
        self.last_line = region[max(line_start, pos):end]

    def _is_separator(self, region: bytes, start: int, end: int) -> bool | None:
        """Whether the "From " line at region[start] starts a new message (the lines before
        it are already kept); None when that depends on the next line, not yet read."""
        line_end = region.find(b"\n", start, end)
        decided = self.separates(region[start:line_end if line_end >= 0 else end])
        if decided is not None:
            return decided
        if line_end < 0 or line_end + 1 >= end:
            return None  # the next line is in the next run of lines
        return _header_follows(region, line_end + 1, end)

    def separates(self, line: bytes) -> bool | None:
        """Whether a "From " line starts a new message, judged by the line itself (or, for a
        line too long to hold, its start); None when the line after it decides."""
        if not self.started or self.too_big or self.stop == self.start:
            # Before the first message, after an over-long one, or as a message's first line.
            return True
        # RFC 4155: a separator follows an empty line; a full "From sender date" line is one
        # even without it.
        if self.last_line not in (b"\n", b"\r\n"):
            if _MBOX_SEPARATOR.match(line, 0, _LONGEST_DATED) is not None:
                return True
            # Thunderbird's other date forms: decided by the line after it, a header field.
            return None if _MBOX_SEPARATOR_OTHER().match(line, 0, _LONGEST_DATED) is not None else False
        # After an empty line, a "From " line is a separator when it carries the time of its
        # "From sender date" form (RFC 4155 section 2; pipermail writes the sender as "a at b"),
        # or a header field follows it. A body line an mbox writer left unquoted ("From my side:
        # ...", mboxcl2 quotes nothing) is neither, and stays in its message, as mutt's is_from()
        # keeps it.
        if _mbox_dated().search(line, 5, _DATE_WINDOW):
            return True
        return None

    def feed(self, region: bytes, begin: int = 0, end: int | None = None, offset: int = 0) -> Iterator[ScanInput]:
        """Messages completed by the run of whole lines region[begin:end] (to its end when
        end is None); region[0] is at ``offset`` in the file."""
        if end is None:
            end = len(region)
        view = memoryview(region)
        pos = begin
        if self.undecided is not None:
            if pos >= end:
                return  # still no next line
            yield from self.settle(region, pos, end)
        if self.header_open:
            self._read_header(region, pos, end, offset)
        separators, quoted = _from_lines(region, begin, end)

        def quoted_in(first: int, stop: int) -> int:
            """How many quoted lines start in region[first:stop]."""
            return bisect_left(quoted, stop) - bisect_left(quoted, first) if quoted else 0

        for start in separators:
            if start < pos:
                continue
            # Kept first: an over-long message must be known before the separator test.
            self._keep(region, view, pos, start, offset, quoted_in(pos, start))
            pos = start
            if self.body_end > offset + start and self._length_holds(region, end, offset):
                # Inside the body its Content-Length gives, and the mailbox bears the length
                # out: kept there (an mboxcl2 writer quotes no "From " line).
                self.unquoted_body = True
                continue
            decided = self._is_separator(region, start, end)
            if decided is None:
                # The region's last line: decided by the first line of the next run.
                self.undecided = (bytes(region[start:end]), offset + start)
                return
            if not decided:
                continue
            if self.started:
                yield self.finish()
            line_end = region.find(b"\n", start, end)
            pos = end if line_end < 0 else line_end + 1
            self._begin(offset + pos)
            self._read_header(region, pos, end, offset)
        self._keep(region, view, pos, end, offset, quoted_in(pos, end))

    def _read_header(self, region: bytes, pos: int, end: int, offset: int) -> None:
        """Look through region[pos:end], the next lines of the current message's header, for
        its Content-Length and the empty line ending it (where the body starts). One search
        finds whichever comes first: a message without the field costs one pass over its header."""
        if not self.started or self.too_big:
            self.header_open = False
            return
        stop = min(end, pos + _LONGEST_HEADER - self.header_seen)
        at = pos
        if pos == 0 or region[pos - 1] != 0x0A:
            # The search finds a field or empty line by the line end before it: one before the
            # region is looked at here (a copy of the line's start).
            found = _header_mark().match(b"\n" + region[pos:min(stop, pos + 100)])
            if found is not None and not self._take_header_mark(found, offset + pos - 1):
                return
            if found is not None:
                at = pos - 1 + found.end()
        else:
            at = pos - 1
        while True:
            found = _header_mark().search(region, at, stop)
            if found is None:
                break
            if not self._take_header_mark(found, offset):
                return
            at = found.end()
        if stop < end:
            self.header_open = False  # a header that long: its Content-Length is not looked for
        else:
            self.header_seen += end - pos

    def _take_header_mark(self, found: re.Match[bytes], offset: int) -> bool:
        """Take a match of _header_mark (at ``offset`` + its position in the file): a
        Content-Length field, or the header's empty line. False once the header is over."""
        length = found.group(1)
        if length is None:  # the empty line: the body starts after it
            self.header_open = False
            if 0 <= self.content_length <= self.max_message:
                # A length over the limit is not honoured: the message would be over it anyway.
                self.body_end = offset + found.end() + self.content_length
            return False
        if self.content_length < 0:
            self.content_length = int(length)
        return True

    def _length_holds(self, region: bytes, end: int, offset: int) -> bool:
        """Whether the current message's Content-Length is borne out: the bytes at body_end are
        the end of the file, or an optional line end and a "From " line the separator test
        takes (mutt checks the same before trusting the field). Judged once per message, on
        the bytes around body_end: those not fed yet are read ahead (``peek``), at most a
        message's length (the limit) ahead."""
        if self.body_checked:
            return True
        low, high = max(offset, self.body_end - 4), self.body_end + _AFTER_BODY
        window = region[low - offset:max(min(end, high - offset), low - offset)]
        if offset + end < high and (self.eof_at < 0 or offset + end < self.eof_at):
            window += self.peek(max(low, offset + end), high)
        if self._separator_at(window, self.body_end - low, len(window), low):
            self.body_checked = True
            return True
        self.body_end = -1  # stale or wrong (a message edited after delivery): split as usual
        return False

    def _separator_at(self, region: bytes, at: int, end: int, offset: int) -> bool:
        """Whether region[at] (just after a Content-Length body) is the end of the file, or an
        optional line end then a "From " line that starts the next message, judged as
        ``separates`` would judge it after that body."""
        eof = self.eof_at - offset if self.eof_at >= 0 else -1
        if at >= end:
            return at == eof
        if region.startswith(b"\r\n", at):
            at += 2
        elif region.startswith(b"\n", at):
            at += 1
        if at == eof:
            return True
        if at >= end or region[at - 1] != 0x0A or not region.startswith(b"From ", at):
            return False
        line_end = region.find(b"\n", at, end)
        line = region[at:line_end if line_end >= 0 else end]
        previous = region.rfind(b"\n", 0, at - 1) + 1
        if region[previous:at] not in (b"\n", b"\r\n"):
            if _MBOX_SEPARATOR.match(line, 0, _LONGEST_DATED) is not None:
                return True
            if _MBOX_SEPARATOR_OTHER().match(line, 0, _LONGEST_DATED) is None:
                return False
        elif _mbox_dated().search(line, 5, _DATE_WINDOW):
            return True
        return 0 <= line_end < end - 1 and _header_follows(region, line_end + 1, end)

    def settle(self, region: bytes, start: int, end: int) -> Iterator[ScanInput]:
        """Decide the pending "From " line by the line after it, at region[start:end]."""
        if self.undecided is None:
            return
        line, line_offset = self.undecided
        long, self.undecided, self.undecided_long = self.undecided_long, None, False
        if _header_follows(region, start, end):
            if self.started:
                yield self.finish()
            self._begin(line_offset + len(line))
        elif long:
            # A body line longer than any message: the message is over the limit.
            self.too_big = self.started
            self.parts = []
        else:
            self._keep(line, memoryview(line), 0, len(line), line_offset, 0)

    def close(self) -> Iterator[ScanInput]:
        """The last message, at the end of the mailbox."""
        if self.undecided is not None:
            # A "From " line with nothing after it starts no message.
            line, line_offset = self.undecided
            if self.undecided_long:
                self.too_big = self.started
            else:
                self._keep(line, memoryview(line), 0, len(line), line_offset, 0)
            self.undecided, self.undecided_long = None, False
        if self.started:
            yield self.finish()

    def _begin(self, start: int) -> None:
        self.started = True
        self.start = self.stop = start
        self.number += 1
        self.parts = []
        self.size = 0
        self.quoted = False
        self.too_big = False
        self.last_line = b""
        self.header_open = True
        self.header_seen = 0
        self.content_length = self.body_end = -1
        self.body_checked = self.unquoted_body = False

    def finish(self) -> ScanInput:
        label = f"{self.name}#{self.number}"
        if self.too_big:
            return ScanInput(label=label, data=None, container="mbox",
                             error=f"message over the {self.max_message}-byte limit")
        parts, self.parts = self.parts, []
        # RFC 4155: the empty line before the next "From " line belongs to the mbox, not the
        # message. The last line kept is the message's last line (parts are whole lines). A run
        # of NUL bytes there is the mbox's too.
        blank = len(self.last_line) if self.last_line in (b"\n", b"\r\n") or _is_nul_run(self.last_line) else 0
        if self.size - blank > self.max_message:
            # The limit is the message's: a message of exactly the limit, then the mailbox's
            # empty line, is not over it (verification V54a D-3).
            self.parts = []
            return ScanInput(label=label, data=None, container="mbox",
                             error=f"message over the {self.max_message}-byte limit")
        # An mboxcl2 writer (its Content-Length borne out) quotes nothing: its ">From " lines are the sender's.
        quoted = self.quoted and not self.unquoted_body
        if self.lazy:
            found = ScanInput(label=label, data=None, container="mbox", path=self.name,
                              span=(self.start, self.stop - blank), quoted=quoted)
            return self._said_cut(found) if self.no_separator else found
        if blank:
            parts[-1] = parts[-1][: len(parts[-1]) - blank]
        data = b"".join(parts)
        # A mailbox of bare CRs was split with CR and LF swapped: its bytes as they are.
        found = ScanInput(label=label, data=data.translate(_SWAP_LINE_ENDS) if self.swapped else data,
                          container="mbox", quoted=quoted)
        return self._said_cut(found) if self.no_separator else found

    def _said_cut(self, item: ScanInput) -> ScanInput:
        """The mailbox's first entry, which had no "From " line: said so (once)."""
        self.no_separator = False
        return replace(item, no_separator=True)


def iter_mbox(path: Path, max_message: int = DEFAULT_MAX_MESSAGE, lazy: bool = False,
              start: int = 0, no_separator: bool = False) -> Iterator[ScanInput]:
    """Messages of an mbox file, one at a time; an over-long one becomes an error entry.
    ``start``: the offset of its first "From " line (see ``mbox_start``). ``no_separator``: the
    file does not start with one, its first entry starts at its first byte (see _late_separator).

    Memory holds the read chunks the current message lies in (about one message and one
    chunk), however large the mailbox; with lazy, one chunk (each message's place in the
    file is given instead of its bytes).
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ScanInput(label=str(path), data=None, error=exc.strerror or str(exc), container="mbox")
        return
    with handle:
        if start:
            handle.seek(start)
        yield from _split_mbox(handle.read, str(path), max_message, lazy, start, no_separator)


def _swapping(read: Callable[[int], bytes]) -> Callable[[int], bytes]:
    """``read`` with CR and LF swapped in what it returns."""
    return lambda size: read(size).translate(_SWAP_LINE_ENDS)


# CR and LF, each in the other's place (see _split_mbox); the first bytes of a mailbox looked at
# for a LF, to tell one whose lines end in a bare CR.
_SWAP_LINE_ENDS = bytes.maketrans(b"\r\n", b"\n\r")
_CR_SNIFF = 4096


def _prefix_parts(parts: list[bytes], size: int) -> int:
    """How many of ``parts`` from the first hold ``size`` bytes (all of them when they hold fewer)."""
    held = 0
    for count, part in enumerate(parts, 1):
        held += len(part)
        if held >= size:
            return count
    return len(parts)


def _split_mbox(read: Callable[[int], bytes], name: str, max_message: int, lazy: bool,
                start: int = 0, no_separator: bool = False) -> Iterator[ScanInput]:
    """The messages of the mbox that ``read`` returns chunk after chunk (b"" at its end), the
    first chunk from file offset ``start``."""
    splitter = _MboxSplitter(name, max_message, lazy)
    if no_separator:
        # The first entry lost its "From " line: it starts at the first byte, and says so.
        splitter._begin(start)
        splitter.no_separator = True
    # The start of a line whose end is not read yet (it ends where chunk starts), in the pieces
    # read, joined once its end is: adding each read to one bytes copied the line at every read,
    # quadratic in a long line (a gzip bomb of NULs: 256 MB of one line took two minutes).
    pending: list[bytes] = []
    pending_size = 0
    skipping_line = False
    begin_after_line = False  # a too-long separator line is being skipped: a message follows it
    position = start  # file offset just after the bytes read so far
    # Chunks read ahead (and their file offsets), gone through before reading on: the bytes
    # after a Content-Length body decide whether a "From " line inside it splits the message.
    ready: deque[tuple[bytes, int]] = deque()
    failure: OSError | None = None  # a read ahead failed: reported once the bytes before are gone through
    chunk, chunk_offset = b"", start  # the chunk being fed

    def peek(low: int, high: int) -> bytes:
        """The bytes [low, high) of the mailbox, from the chunk being fed on (low is in it, or
        just after it), reading ahead as needed; fewer at its end. Only these are copied."""
        nonlocal position, failure
        pieces = [chunk[low - chunk_offset:high - chunk_offset]]
        for data, at in ready:
            pieces.append(data[max(low - at, 0):max(high - at, 0)])
        while position < high and failure is None and splitter.eof_at < 0:
            try:
                data = read(_READ_CHUNK)
            except OSError as exc:
                failure = exc
                break
            if not data:
                splitter.eof_at = position
                break
            ready.append((data, position))
            pieces.append(data[max(low - position, 0):max(high - position, 0)])
            position += len(data)
        return b"".join(pieces)

    splitter.peek = peek
    # Classic Mac OS ends lines with a bare CR. A mailbox whose start has CRs and no LF is fed
    # with the two swapped: its CRs end its lines, a LF in it is any byte, the offsets stay
    # (a byte for a byte), and each message is swapped back, so it keeps the bytes it has (the
    # loader converts bare CRs in any message, and says so). Its messages carry their bytes.
    pieces: list[bytes] = []
    size = 0
    while size < _CR_SNIFF:
        try:
            piece = read(_READ_CHUNK)
        except OSError as exc:
            failure = exc
            break
        pieces.append(piece)
        size += len(piece)
        if not piece or piece.find(b"\n", 0, _CR_SNIFF) >= 0:
            break
    head = b"".join(pieces)
    if head.find(b"\n", 0, _CR_SNIFF) < 0 and head.find(b"\r", 0, _CR_SNIFF) >= 0:
        head, read = head.translate(_SWAP_LINE_ENDS), _swapping(read)
        splitter.swapped, splitter.lazy = True, False
    if head:
        ready.append((head, position))
        position += len(head)
    while True:
        if ready:
            chunk, chunk_offset = ready.popleft()
        else:
            try:
                if failure is not None:
                    raise failure
                chunk = b"" if splitter.eof_at >= 0 else read(_READ_CHUNK)
            except OSError as exc:
                # The message being read is cut off (the next one, if none was begun): an error
                # row in its place, after every message read whole.
                number = splitter.number if splitter.started else splitter.number + 1
                yield ScanInput(label=f"{name}#{number}", data=None, container="mbox", error=exc.strerror or str(exc))
                return
            if not chunk:
                splitter.eof_at = position
                break
            chunk_offset = position
            position += len(chunk)
        begin = 0
        if skipping_line:
            # The rest of a line longer than any message: dropped up to its end.
            line_end = chunk.find(b"\n")
            if line_end < 0:
                continue
            begin, skipping_line = line_end + 1, False
            if begin_after_line:
                # The long line was a separator: the next message starts after it.
                splitter._begin(chunk_offset + begin)
                begin_after_line = False
            elif splitter.undecided is not None and splitter.undecided_long:
                splitter.undecided = (b"", chunk_offset + begin)
        # The chunk is fed where it was read (no copy): first the pending line completed by
        # the chunk's first line end, then the chunk's whole lines.
        first_end = chunk.find(b"\n", begin)
        if first_end < 0:
            if begin < len(chunk):
                pending.append(chunk[begin:])  # one long line: wait for its end
                pending_size += len(chunk) - begin
            if pending_size > max(max_message, _LONGEST_SEPARATOR):
                # Its start is all that is read of it (settle and separates read _LONGEST_DATED
                # bytes at most): that, not the whole line, is joined.
                line = b"".join(pending[:_prefix_parts(pending, _LONGEST_DATED)])
                pending.clear()
                # Never hold more than a message's worth of one line: the message is
                # over the limit whatever follows (after a "From " line before it is
                # decided by the line's start).
                yield from splitter.settle(line, 0, len(line))
                # A "From " line is judged by its start, as a whole line would be, so a
                # mailbox splits the same however it is read (a decompressor gives small reads).
                separates = splitter.separates(line) if line.startswith(b"From ") else False
                if separates:
                    if splitter.started:
                        yield splitter.finish()
                    begin_after_line = True
                elif separates is None:
                    splitter.undecided, splitter.undecided_long = (b"", position), True  # offset set at its end
                else:
                    splitter.too_big = splitter.started
                    splitter.parts = []
                pending_size, skipping_line = 0, True
            continue
        if pending:
            yield from splitter.feed(b"".join((*pending, chunk[begin:first_end + 1])), offset=chunk_offset - pending_size)
            begin = first_end + 1
        cut = chunk.rfind(b"\n") + 1
        yield from splitter.feed(chunk, begin, cut, chunk_offset)
        pending = [chunk[cut:]] if cut < len(chunk) else []
        pending_size = len(chunk) - cut
    if begin_after_line:
        splitter._begin(position)  # the separator was the last line, with no line end
    if pending:
        yield from splitter.feed(b"".join(pending), offset=position - pending_size)
    yield from splitter.close()
