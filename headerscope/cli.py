"""Command line: converts choices into objects and prints what a renderer returns.

Exit status: 0 done; 1 the input, a snapshot or the output could not be used (one line on
stderr, no traceback); 2 usage error; 3 (scan) a message matched ``--fail-on``; 70 internal error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click

from . import __version__

EXIT_INPUT_ERROR = 1
EXIT_FAIL_ON = 3
EXIT_INTERNAL_ERROR = 70

if TYPE_CHECKING:
    from collections.abc import Callable

    from .api import AnalysisOptions
    from .loader import LoadedInput
    from .scan.readers import ScanInput

_OWNS_PROCESS = False
"""Set by ``main()``, the console entry point: this process runs one command and exits."""


def _check_nameserver(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from .dns.live import parse_nameserver

    try:
        parse_nameserver(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _check_trusted_relays(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        return ()
    from .hops import trusted_relay

    for spec in value:
        try:
            trusted_relay(spec)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


# Repeatable on analyze and scan: hosts the receiving side's own (hops.trusted_relay).
_trusted_relay_option = click.option(
    "--trusted-relay", "trusted_relays", multiple=True, metavar="SPEC", callback=_check_trusted_relays,
    help="A relay of your own receiving side that headers alone cannot show is yours (an inbound gateway such as "
         "Exchange Online Protection in front of on-premises Exchange: outlook.com; an in-house filter): an IP "
         "address, a CIDR network, or a domain name (it and the names under it). The trust boundary moves past the "
         "hops it handed on, to where it took the message from another server. Matched by the client's recorded "
         "address or reverse-DNS name, or a forward-confirmed PTR name, never by its greeting alone. Repeatable.")


_DNS_OPTIONS = [
    click.option("--offline", is_flag=True, help="Use no network: checks that need DNS say 'not checked (offline)'."),
    click.option("--dns-snapshot", type=click.Path(dir_okay=False), default=None,
                 help="Replay DNS from this snapshot file (default: NAME.dns.json beside the message, if present)."),
    click.option("--nameserver", default=None, metavar="IP[:PORT]", callback=_check_nameserver,
                 help="Ask this DNS server (default: the system's)."),
    click.option("--dns-timeout", type=click.FloatRange(min=0.1, max=120), default=5.0, show_default=True,
                 help="Seconds allowed for each DNS question."),
    click.option("--record-dns", type=click.Path(dir_okay=False), default=None,
                 help="Write every DNS answer used (live or from --dns-snapshot) to this snapshot file, for offline replay."),
]


def _unused_dns_options(offline: bool, dns_snapshot: str | None, nameserver: str | None,
                        record_dns: str | None = None) -> None:
    """Refuse --offline with --record-dns (no answer is used, so none can be written: the file
    would silently not appear), and say on stderr which DNS option wins when several name where
    the answers come from: --offline, then --dns-snapshot, then --nameserver (V42a D4, D5)."""
    if offline and record_dns:
        raise click.UsageError("--offline and --record-dns contradict: offline, no DNS answer is used, so there is "
                               "nothing to record (record with live DNS or with --dns-snapshot)")
    ignored = ([f"--dns-snapshot {dns_snapshot}"] if offline and dns_snapshot else []) + \
        ([f"--nameserver {nameserver}"] if nameserver and (offline or dns_snapshot) else [])
    if ignored:
        from .text import one_line

        winner = "--offline: no DNS is used" if offline else "DNS is replayed from --dns-snapshot"
        click.echo(f"headerscope: note: {one_line(' and '.join(ignored))} not used: {winner}", err=True)


def _dns_options(func: Any) -> Any:
    for option in reversed(_DNS_OPTIONS):
        func = option(func)
    return func


def _fail(message: str, code: int = EXIT_INPUT_ERROR) -> None:
    from .text import one_line

    click.echo(f"headerscope: error: {one_line(message)}", err=True)
    sys.exit(code)


def _dumb_terminal() -> bool:
    """TERM=dumb: a terminal (Emacs's shell buffer, a serial console) that shows escape sequences
    as text, so neither colours nor a progress bar's cursor movements are written to it."""
    return os.environ.get("TERM") == "dumb"


def _use_color(output: str | None, color: bool | None) -> bool:
    if color is not None:
        return color
    if output is not None or os.environ.get("NO_COLOR") or _dumb_terminal():
        return False
    return sys.stdout.isatty()


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("expected an ISO 8601 date-time, e.g. 2026-11-27T10:00:00Z") from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    # The checks add tolerances and spans to it (a day, an hour): a moment at the ends of the
    # calendar would overflow them. No message was or will be judged there.
    if not 1970 <= parsed.year <= 9000:
        raise click.BadParameter("expected a time between the years 1970 and 9000")
    return parsed


EXIT_INTERRUPTED = 130
"""128 + SIGINT (2): the shell's own status for a command Ctrl-C stopped."""


class _Commands(click.Group):
    """The command group, with Ctrl-C ending a command as "headerscope: interrupted", status 130.

    In standalone mode click turns KeyboardInterrupt into its "Aborted!" and status 1 (which the
    tool documents as "the input could not be used") before ``_run`` could see it; caught here,
    inside click's handler, the SystemExit passes through click unchanged."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


def _interrupted() -> NoReturn:
    # The terminal echoed "^C" on the current line: the message starts a line of its own.
    click.echo("\nheaderscope: interrupted" if sys.stderr.isatty() else "headerscope: interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="headerscope")
def cli() -> None:
    """The full story of a raw email message: route, envelope, and who vouches for it."""


@cli.command()
@click.argument("path", required=False, metavar="[FILE | -]")
@click.option("--paste", is_flag=True, help="Read the message from the clipboard.")
@click.option("-f", "--format", "output_format", type=click.Choice(["terminal", "json", "html", "markdown"]),
              default="terminal", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of standard output.")
@_dns_options
@click.option("--client-ip", default=None, help="SPF: evaluate this client IP instead of the boundary hop's.")
@click.option("--mail-from", default=None, help="SPF: evaluate this MAIL FROM instead of the recorded one.")
@click.option("--helo", default=None, help="SPF: evaluate this HELO name instead of the boundary hop's.")
@_trusted_relay_option
@click.option("--redact", is_flag=True, help="Hide the local parts of addresses (keep domains) in the report.")
@click.option("--now", "now_text", default=None, metavar="ISO-TIME",
              help="Evaluate signature expiry as of this time (default: now).")
@click.option("--color/--no-color", default=None, help="Force colours on or off (default: on for a terminal, off with NO_COLOR).")
@click.option("-v", "--verbose", is_flag=True, help="Terminal: also list every DNS answer used.")
@click.option("--attached", "attached_number", default=None, metavar="N[.N]",
              help="Analyze the N-th message attached to this one (a reported phishing mail forwarded as an "
                   "attachment, the message a bounce returned); the report lists them. 1.2: the second message "
                   "inside attached message 1.")
def analyze(path: str | None, paste: bool, output_format: str, output: str | None, offline: bool,
            dns_snapshot: str | None, nameserver: str | None, dns_timeout: float, record_dns: str | None,
            client_ip: str | None, mail_from: str | None, helo: str | None, trusted_relays: tuple[str, ...],
            redact: bool, now_text: str | None, color: bool | None, verbose: bool, attached_number: str | None) -> None:
    """Analyze one message: a .eml, Outlook .msg or Apple Mail .emlx file, '-' for standard input, or --paste.

    \b
    Examples:
      headerscope analyze samples/direct.eml
      pbpaste | headerscope analyze -
      headerscope analyze msg.eml --format html -o report.html
      headerscope analyze msg.eml --offline --format json
      headerscope analyze bounce.eml --attached 1
    """
    from .sources.interface import InputError

    if paste and path is not None:
        raise click.UsageError("give a FILE or --paste, not both")
    if not paste and path is None:
        raise click.UsageError("give a FILE, '-' for standard input, or --paste")
    now = _parse_now(now_text)
    _unused_dns_options(offline, dns_snapshot, nameserver, record_dns)
    try:
        # A mailbox file is read only as far as its first message (V52d D3-2): a Takeout mbox of
        # several GB was refused, and one of 209 MB held whole, to report a message of 2 KB.
        # Standard input alike, streamed (V54a D3).
        first = (None if paste or path is None else _first_of_stdin() if path == "-"
                 else _first_of_mailbox_file(path))
        source_name, data = (path, first.data) if path is not None and first is not None else _read_input(path, paste)
    except InputError as exc:
        _fail(str(exc))
        return
    # Only now: a usage error or an unreadable file is reported without waiting for them.
    _import_analysis(terminal=output_format == "terminal")
    from .api import AnalysisOptions, analyze_loaded
    from .dns.interface import SnapshotError
    from .loader import load_bytes
    from .render import RenderError, get_renderer

    options = AnalysisOptions(
        offline=offline, dns_snapshot=dns_snapshot, nameserver=nameserver, dns_timeout=dns_timeout,
        record_dns=record_dns, client_ip=client_ip, mail_from=mail_from, helo=helo, now=now,
        source=source_name, redact=redact, trusted_relays=trusted_relays,
    )
    # A file named may be a header pasted into an editor and saved (often without its last line
    # end): only a mail store's entry is known to have been written whole, as a file in a
    # Maildir's cur/ or new/ folder is (what scan reads as one).
    if first is None:
        first = _first_of_mailbox(data, source_name)
    data, in_mailbox, mbox_quoting = first.data, first.in_mailbox, first.quoting
    loaded = load_bytes(data, source=source_name, from_mail_store=_in_maildir(path) or in_mailbox is not None,
                        mbox_quoting=mbox_quoting)
    if first.entry_digest is not None and loaded.format == "mbox-entry":
        loaded = _hashed_as_entry(loaded, first.entry_digest)
    if in_mailbox is not None:
        import dataclasses

        # An mbox entry as scan reads one (its "From " line already taken off, its quoting kept).
        loaded = dataclasses.replace(loaded, in_mailbox=in_mailbox,
                                     format=("mmdf-entry" if "MMDF" in in_mailbox else "mbox-entry")
                                     if loaded.format in ("eml", "mbox-entry") else loaded.format)
    if loaded.unreadable is not None:
        # Empty or binary input (a compressed file, a PDF, a wrong paste): a report of it
        # would be a page of "not found"; one line says what went wrong.
        _fail(f"{'standard input' if source_name == '-' else source_name}: {loaded.unreadable}")
    if attached_number is not None:
        # "1.2": the second message inside attached message 1, opened one level after another.
        numbers = attached_number.split(".")
        if len(numbers) > 8 or not all(n.isascii() and n.isdigit() and len(n) <= 4 and int(n) >= 1 for n in numbers):
            raise click.BadParameter(f"{attached_number[:40]!r} is no attached message's number (1, 2, or 1.2 for the "
                                     "second inside the first)", param_hint="'--attached'")
        for number in numbers:
            loaded, options = _attached_input(loaded, int(number), options)
    try:
        report = analyze_loaded(loaded, options)
    except SnapshotError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return
    if dns_snapshot is None and report.dns_source.source == "snapshot":
        # NAME.dns.json beside the message was used without being asked for: a message and a
        # snapshot saved together (someone else's archive) are trusted together, so say so.
        from .dns.snapshot import FOUND_BESIDE
        from .text import one_line

        path = (report.dns_source.detail or "").removesuffix(f", {FOUND_BESIDE}")
        click.echo(f"headerscope: note: DNS answers replayed from {one_line(path)}, a snapshot found beside the "
                   "message and not named with --dns-snapshot: it is only as trustworthy as whoever saved it",
                   err=True)
    if not any(field.name for field in report.headers):
        # What scan makes an error row: text without one header field is no message (a mail
        # client's index file, a note); one line, not a report of a message that is not there.
        _fail(f"{'standard input' if source_name == '-' else source_name}: no header fields: not a message")
    if redact:
        from .redact import redact_report

        report = redact_report(report)
    renderer_options: dict[str, object] = {}
    if output_format == "terminal":
        renderer_options = {"color": _use_color(output, color), "verbose": verbose,
                            "width": _terminal_width(output)}
    try:
        text = get_renderer(output_format, **renderer_options).render(report)
    except RenderError as exc:
        _fail(str(exc))
        return
    _write(text, output)


class _FirstOfMailbox(NamedTuple):
    """What analyze reads of its input: the message's bytes, and what a mailbox adds to them."""

    data: bytes
    """The bytes given to the loader: the first message of a mailbox of several, else the input."""
    in_mailbox: str | None
    """Which message of a mailbox it is, in words (LoadedInput.in_mailbox); None otherwise."""
    quoting: bool | None
    """Whether its writer may have quoted its "From " lines (ScanInput.quoted); None when the loader is to judge."""
    entry_digest: tuple[str, int] | None = None
    """For an mbox of one message, read whole (the loader takes its "From " line off): SHA-256
    and size of the message after that line, the bytes scan's row hashes; None otherwise."""


class _ReadEnough(Exception):
    """Raised by the reader of ``_split_first`` once the first entry runs past the message limit."""


# How far past the first message's end analyze reads on to count the messages after it: a
# mailbox up to about this size says how many it holds, as before; a larger one says how many
# were met that far (V52d D3-2: a Takeout mbox runs to several GB, which scan is for).
_COUNT_AFTER_FIRST = 16 * 1024 * 1024
# Read beyond a message's limit before its end is found: the splitter reads in chunks of 1 MiB,
# and a separator line (at most 64 KiB) after the message decides where it ends.
_SPLIT_SLACK = 4 * 1024 * 1024


class _Split(NamedTuple):
    """What ``_split_first`` found of a mailbox."""

    first: ScanInput | None
    """Its first entry (an error entry when that is over the message limit); None when it has none."""
    started: int
    """How many entries start in the bytes read: all of them when ``complete``."""
    complete: bool
    """Whether the input was read to its end."""
    done: int
    """How many bytes were read."""
    whole: list[bytes] | None
    """The input in the pieces read, when asked for and its end came before its first entry was
    found (an mbox of one message is given to the loader whole); None otherwise."""


def _split_first(read: Callable[[int], bytes], name: str, count_after: int | None, *,
                 keep_whole: bool = False) -> _Split:
    """The first entry of the mailbox ``read`` gives (as scan's reader splits it: RFC 4155's
    "From " lines, MMDF's delimiters) and how many entries start in what was read. After the
    first entry at most ``count_after`` more bytes are read (None: all); an entry cut off there is
    counted, its start having been met. The first entry is read however far it runs, up to the
    message limit and a little slack: a larger one is returned as an error entry, never read
    through. ``keep_whole``: keep the bytes read until the first entry is found, in case the
    input ends there (an mbox of one message), and no longer: memory holds about the first
    message and what is counted after it, whatever the size of the input."""
    from .scan.readers import ScanInput, iter_stream
    from .sources.interface import DEFAULT_MAX_SIZE

    done = 0
    allowed = DEFAULT_MAX_SIZE + _SPLIT_SLACK
    counting = False  # the first entry was found: those after it are being counted
    ended = False  # the input's end was met, or, counting, is taken to be there
    unread = False  # counting stopped before the input's end
    held: list[bytes] = []
    holding = keep_whole

    def bounded_read(size: int) -> bytes:
        nonlocal done, ended, unread
        if ended:
            return b""
        if done >= allowed:
            if not counting:
                raise _ReadEnough
            # Read no further. The splitter takes this for the input's end, so an entry cut off
            # here is counted too: its separator was met (verification V54a D-2: a second message
            # running past what was read to count was not said to start). One more byte says
            # whether the input went on.
            ended, unread = True, bool(read(1))
            return b""
        data = read(size)
        done += len(data)
        ended = not data
        if holding:
            held.append(data)
        return data

    entries = iter_stream(bounded_read, name, max_message=DEFAULT_MAX_SIZE, decompress=False)
    try:
        first = next(entries, None)
    except _ReadEnough:
        return _Split(ScanInput(label=name, data=None, error=f"message over the {DEFAULT_MAX_SIZE}-byte limit"),
                      1, False, done, None)
    if not ended:
        # Found before the input's end: another entry starts after it, and the input is not
        # wanted whole.
        holding = False
        held.clear()
    whole = held if keep_whole and ended else None
    if first is None or first.data is None:
        return _Split(first, int(first is not None), False, done, whole)
    count = 1
    counting = True
    allowed = done + count_after if count_after is not None else sys.maxsize
    for _ in entries:
        count += 1
    return _Split(first, count, not unread, done, whole)


def _starts_a_mailbox(head: bytes) -> tuple[bool, int | None] | None:
    """Whether an input starting with ``head`` (its first _MAILBOX_HEAD bytes) is read as a
    mailbox: whether an MMDF one, and where its first "From " line is (None for MMDF); None when
    it is not one. Most inputs are told by one search, without importing the mailbox readers."""
    if not head.startswith(b"\x01") and b"From " not in head[:_MAILBOX_HEAD]:
        return None
    from .scan.readers import MMDF_DELIMITER, mbox_start

    if head.startswith(MMDF_DELIMITER):
        return True, None
    start = mbox_start(head[:1024])
    return None if start is None else (False, start)


def _in_mailbox_words(split: _Split, mmdf: bool, read_from: str, scan: str) -> str:
    """Which message of the mailbox ``split`` the report is of, in words (LoadedInput.in_mailbox).
    ``read_from`` names the input as read no further ("a file of N bytes"), ``scan`` the command
    that reads it all."""
    kind = "an MMDF mailbox" if mmdf else "an mbox mailbox (RFC 4155)"
    if split.complete:
        return (f"the first of the {split.started} messages of {kind}" if split.started > 1
                else f"the message of {kind}, without its delimiter lines")
    # Read no further: how many messages follow is said as far as they were met.
    return (f"the first message of {kind}, {read_from} read only as far as its first {split.done} bytes"
            + (f", in which {split.started - 1} more message(s) start: at least {split.started} in all"
               if split.started > 1 else "")
            + f" (`{scan}` reads them all)")


def _entry_digest(entry: bytes) -> tuple[str, int]:
    """SHA-256 and size of a mailbox's entry, as scan's row gives them."""
    return hashlib.sha256(entry).hexdigest(), len(entry)


def _one_message_mbox(data: bytes, digest: tuple[str, int], start: int | None, quoted: bool) -> _FirstOfMailbox:
    """An mbox of one message, given to the loader whole (it drops the "From " line and keeps the
    sender it names), with the SHA-256 and size of its entry (``digest``, _entry_digest), as
    scan's row has them. ``start``: where its "From " line is; ``quoted``: ScanInput.quoted."""
    # (An mboxcl2 message whose Content-Length keeps a "From " line in its body: not quoted.)
    if start is not None and data.find(b"\nFrom ", start + 5) < 0:
        return _FirstOfMailbox(data, None, None, digest)  # no line there to have been quoted
    return _FirstOfMailbox(data, None, quoted, digest)


def _first_of_stream(read: Callable[[int], bytes], name: str, shown: str, head: bytes, read_from: str,
                     scan: str, *, read_again: bool = True) -> _FirstOfMailbox | None:
    """``_first_of_mailbox`` of an input that starts like a mailbox (``head``, its start), read
    only as far as its first message and ``_COUNT_AFTER_FIRST`` bytes on: the limit on size is
    the message's, not the input's. When its first entry is no message (none at all, or an error
    other than its size), the input is read as one message, as before: None, for the caller to
    read it again; or, when it cannot be (``read_again`` False: a stream), the bytes read, which
    are all of it when it holds no entry (InputError when a read failed)."""
    from .sources.interface import DEFAULT_MAX_SIZE, InputError, format_size

    mailbox = _starts_a_mailbox(head)
    assert mailbox is not None
    mmdf, start = mailbox
    split = _split_first(read, name, _COUNT_AFTER_FIRST, keep_whole=True)
    first = split.first
    if first is not None and first.data is None and first.error is not None and "limit" in first.error:
        raise InputError(f"{shown}: its first message is larger than the limit of {format_size(DEFAULT_MAX_SIZE)}")
    if first is None or first.data is None:
        if read_again:
            return None
        if split.whole is None:
            raise InputError(f"{shown} cannot be read: {first.error if first is not None else 'no message'}")
        return _FirstOfMailbox(b"".join(split.whole), None, None)
    entry, quoted = first.data, first.quoted
    first = None
    if split.complete and split.started == 1 and not mmdf and split.whole is not None:
        digest, pieces = _entry_digest(entry), split.whole
        # The entry's copy is freed before the input is joined, the pieces once it is: a message
        # near the limit is held twice at most, not three times.
        entry, split = b"", split._replace(first=None, whole=None)
        data = b"".join(pieces)
        pieces.clear()
        return _one_message_mbox(data, digest, start, quoted)
    return _FirstOfMailbox(entry, _in_mailbox_words(split, mmdf, read_from, scan), None if mmdf else quoted)


def _first_of_mailbox_file(path: str) -> _FirstOfMailbox | None:
    """``_first_of_stream`` of a file that starts like a mailbox ("From ", MMDF's delimiter).
    None for any other file, and for a mailbox whose first entry is no message (text without a
    header field), read whole as before (FileSource)."""
    import stat

    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below; a failure is FileSource's to word
    except OSError:
        return None
    with handle:
        try:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return None
            head = handle.read(_MAILBOX_HEAD)
            if _starts_a_mailbox(head) is None:
                return None  # no mailbox: read whole, as a message is
            handle.seek(0)
            return _first_of_stream(handle.read, path, repr(path)[1:-1], head, f"a file of {info.st_size} bytes",
                                    "headerscope scan")
        except OSError:
            return None


def _first_of_stdin() -> _FirstOfMailbox:
    """Standard input as analyze reads it. A mailbox is streamed as a mailbox file is read, as
    far as its first message and ``_COUNT_AFTER_FIRST`` bytes on (verification V54a: it was read
    whole, so a mailbox over the 256 MiB limit was refused, and a smaller one held in memory
    whole to report its first message). Anything else is read whole up to the limit, as before,
    and so is a mailbox whose first entry is no message."""
    from .sources.interface import InputError
    from .sources.stdin import StdinSource

    source = StdinSource()
    stream = source.open()
    head = b""
    try:
        # A pipe's read may return less than asked: read on until the start is long enough.
        while len(head) < _MAILBOX_HEAD:
            more = stream.read(_MAILBOX_HEAD - len(head))
            if not more:
                break
            head += more
        if _starts_a_mailbox(head) is None:
            return _FirstOfMailbox(source.read_after(head), None, None)
        unread = head

        def read_on(size: int) -> bytes:
            """The stream's bytes, the start already read coming first, in reads of the sizes
            a file gives (the splitter tells the kind of mailbox by its first bytes, and reads on
            in chunks: a mailbox piped in is read as far as the same file is)."""
            nonlocal unread
            if not unread:
                return stream.read(size)
            piece, unread = unread[:size], unread[size:]
            return piece if len(piece) == size else piece + stream.read(size - len(piece))

        first = _first_of_stream(read_on, "-", "standard input", head, "standard input", "headerscope scan -",
                                 read_again=False)
    except OSError as exc:
        raise InputError(f"standard input cannot be read: {exc.strerror or exc}") from exc
    assert first is not None
    return first


# The start of an input looked at for a mailbox's: a few blank lines and a "From " line.
_MAILBOX_HEAD = 1100


def _first_of_mailbox(data: bytes, name: str) -> _FirstOfMailbox:
    """The first message of a mailbox given to analyze (an mbox of several messages, an
    MMDF mailbox), split as scan splits it, and how many it holds in words; the bytes as they
    are, and None, for anything else (one message, an mbox of one: the loader drops its "From "
    line, and the entry's SHA-256 and size are given, as scan's row has them). Without this the
    later messages were read as the first one's body (RFC 4155 section 2: each "From " line starts
    a new message). Third, for an mbox split so, whether its writer may have quoted the message's
    "From " lines (ScanInput.quoted: scan tells the loader the same); None when the loader is to
    judge. (A file and standard input are read so by ``_first_of_stream``, as far as their first
    message.)"""
    mailbox = _starts_a_mailbox(data[:_MAILBOX_HEAD])
    if mailbox is None:
        return _FirstOfMailbox(data, None, None)  # the common case, without importing the mailbox readers
    import io

    mmdf, start = mailbox
    split = _split_first(io.BytesIO(data).read, name, None)
    first = split.first
    if first is None or first.data is None:
        return _FirstOfMailbox(data, None, None)  # over the size limit, or nothing: read as one message, as before
    if split.started == 1 and not mmdf:
        return _one_message_mbox(data, _entry_digest(first.data), start, first.quoted)
    return _FirstOfMailbox(first.data, _in_mailbox_words(split, mmdf, "", ""), None if mmdf else first.quoted)


def _hashed_as_entry(loaded: LoadedInput, digest: tuple[str, int]) -> LoadedInput:
    """An mbox of one message, its "From " line taken off by the loader: its SHA-256 and size are
    the message's after that line, as scan's row gives them (V52d D3-3: they were the file's, so a
    scan row's hash matched no analyze of the same entry), and its clean-up says so."""
    import dataclasses

    from .loader import MBOX_SEPARATOR_REMOVED

    cleanups = tuple(f"{cleanup}; the size and SHA-256 are of the message after it, as `headerscope scan` "
                     "gives them" if cleanup == MBOX_SEPARATOR_REMOVED else cleanup for cleanup in loaded.cleanups)
    return dataclasses.replace(loaded, sha256=digest[0], size=digest[1], cleanups=cleanups)


def _in_maildir(path: str | None) -> bool:
    """Whether a file named to analyze is a message in a Maildir (its cur/ or new/ folder)."""
    if not path or path == "-":
        return False
    folder, name = os.path.split(os.path.dirname(os.path.abspath(path)))
    if name not in ("cur", "new"):
        return False
    from .maildir import is_maildir

    return is_maildir(folder)


def _import_analysis(terminal: bool = False) -> None:
    """Import the analysis (and rich, for a terminal report) with Python's cyclic garbage
    collector paused, then freeze everything imported so far.

    The collector runs after every 700 new container objects; importing the analysis makes
    about a hundred thousand (classes, functions, their dicts), all alive until exit, so
    those collections find nothing. ``gc.freeze()`` then moves them to a permanent
    generation: later collections, the one at interpreter exit, and those of forked scan
    workers (which would otherwise write to, and so copy, every page the objects sit on)
    skip them. Together about 6% of a cold ``analyze``. Only the entry point does this: it
    owns its process, whereas a program calling the commands (a test with click's runner, say)
    would have its uncollected garbage frozen with the rest, never to be freed.
    https://docs.python.org/3/library/gc.html#gc.freeze
    """
    if not _OWNS_PROCESS:
        return
    import gc

    gc.disable()
    try:
        from . import api  # noqa: F401

        if terminal:
            from .render import terminal as terminal_renderer

            terminal_renderer.import_rich()
    finally:
        gc.enable()
    gc.freeze()


def _attached_input(loaded: LoadedInput, number: int, options: AnalysisOptions
                    ) -> tuple[LoadedInput, AnalysisOptions]:
    """The input and options to analyze the message attached to ``loaded`` as its part
    ``number`` (``analyze --attached N``); one line and status 1 when there is no such part."""
    import dataclasses
    import re

    from .dns.factory import snapshot_beside
    from .loader import load_carried
    from .message import parse_message
    from .mime import (
        MAX_COUNTED,
        attached_messages,
        attached_path,
        count_attached,
        feedback_report,
        in_spamcop_layout,
        returned_sender,
        spamcop_lookalike_copy,
    )
    from .model import ReportedEnvelope

    carrier = parse_message(loaded.data)
    signed_by: frozenset[str] = frozenset()
    if in_spamcop_layout(carrier):
        # A SpamCop report's inline copy is offered only when spamcop.net's DKIM signature passes
        # (review V18 P3): that takes the carrier's own analysis, with the same options.
        from .api import analyze_loaded, dkim_passing_domains

        signed_by = dkim_passing_domains(analyze_loaded(loaded, dataclasses.replace(options, record_dns=None)))
    found = attached_messages(carrier, limit=min(number, MAX_COUNTED), signed_by=signed_by)
    lookalike = False
    if not found and number == 1 and in_spamcop_layout(carrier):
        # spamcop.net did not sign it (a look-alike, or a genuine old report whose signature is
        # gone): its quote is not offered in the report, but an analyst who asks gets it, said to
        # be the sender's text (review V19 P7).
        found, lookalike = spamcop_lookalike_copy(carrier), True
    name = "standard input" if loaded.source == "-" else loaded.source
    if number > len(found):
        total, more = count_attached(carrier)
        carries = f"{'at least ' if more else ''}{total}" if total else "none"
        # An Outlook .msg's embedded messages past a cap were not rebuilt: not "none", but unread.
        left_out = f"; {loaded.msg_read.left_out}" if loaded.msg_read is not None and loaded.msg_read.left_out else ""
        _fail(f"{name}: no attached message {number} (it carries {carries}{left_out})")
    entry, data = found[number - 1]
    label = f"{loaded.source}#attached-{number}"
    inner = load_carried(loaded, data, label)
    if inner.unreadable is not None:
        _fail(f"{name}: attached message {number}: {inner.unreadable}")
    kind = "the header of the message" if entry.headers_only else "the message"
    carried_in = (f"{kind} quoted by {name}, an unauthenticated look-alike of a SpamCop report (spamcop.net did not "
                  "sign it): its header is the sender's text, not a report's copy" if lookalike else
                  f"{kind} attached to {name} as its part {number} ({entry.content_type})")
    inner = dataclasses.replace(inner, carried_in=carried_in,
                                attached_path=attached_path(loaded.attached_path, number))
    feedback = feedback_report(carrier, signed_by)
    if feedback is not None and (feedback.original_mail_from is not None or feedback.original_rcpt_to
                                 or feedback.source_ip or feedback.authentication_results or feedback.dkim_domain):
        # An abuse or authentication failure report records the envelope and arrival of the
        # message it reports (RFC 5965 section 3.2; RFC 6591 section 3.1: its Authentication-Results
        # and DKIM-Domain), which the copy it attaches, often without the reporter's own Received
        # or the DKIM-Signature, does not: the reporter's record of that delivery.
        dkim_domains = tuple(dict.fromkeys(
            d.strip().strip(".").lower() for d in re.split(r"[;,\s]+", (feedback.dkim_domain or "")[:500])
            if d.strip().strip(".")))[:10]
        inner = dataclasses.replace(inner, reported_envelope=ReportedEnvelope(
            source="the feedback report that carries it", mail_from=feedback.original_mail_from,
            rcpt_to=feedback.original_rcpt_to, client_ip=feedback.source_ip,
            arrival_date=feedback.arrival_date, authentication_results=feedback.authentication_results[:10],
            dkim_domains=dkim_domains))
    elif feedback is None:
        returned = returned_sender(carrier, parse_message(data))
        if returned is not None:
            # A bounce records the sender it returns the message to (Postfix's X-Postfix-Sender,
            # else its To:: RFC 5321 section 4.5.5), and the copy it returns often has no
            # Return-Path (only a final delivery adds one: Postfix and Sendmail return none).
            # It stands in only where the copy records no MAIL FROM of its own (envelope.py), and
            # is the bouncing server's word: whoever writes the bounce writes the copy's
            # Return-Path just as well, so it gives SPF nothing `--mail-from` does not.
            inner = dataclasses.replace(inner, reported_envelope=ReportedEnvelope(
                source="the bounce that returns it (the bouncing server's claim)", mail_from=returned[0],
                mail_from_field=returned[1]))
    if not loaded.byte_exact and inner.byte_exact:
        # A message inside a copy is a copy: an Outlook .msg rebuilds the messages it embeds too.
        inner = dataclasses.replace(inner, byte_exact=False, byte_exact_note=(
            f"it is carried inside {name}, which is not the original bytes either"
            + (f" ({loaded.byte_exact_note})" if loaded.byte_exact_note else "")))
    # A part of a .msg's body that is none of its embedded messages (load_carried knows those by
    # their rebuilt bytes) is the sender's text, never a rebuild: a copy like any other, whatever
    # boundary its Content-Type names (verification V24 D2: a forged part naming the rebuild's
    # boundary prefix had its failing signature excused as the rebuild's doing).
    # The DNS snapshot recorded beside the file serves the messages inside it too.
    snapshot = options.dns_snapshot
    if snapshot is None and not options.offline and options.nameserver is None:
        beside = snapshot_beside(loaded.source)
        snapshot = str(beside) if beside is not None else None
    return inner, dataclasses.replace(options, source=label, dns_snapshot=snapshot)


# The narrowest width laid out for: below it the terminal wraps the lines itself. The renderer
# stacks each hop's fields below a width the hop table's columns need (terminal._WIDE_HOP_TABLE).
_NARROWEST = 40


# The widest width laid out for, on a terminal or by COLUMNS: wider, a line is too long to read.
_WIDEST = 200
# The width of a report written to a pipe or a file when COLUMNS does not say one.
_PIPE_WIDTH = 110


def _terminal_width(output: str | None) -> int:
    """The terminal's own width (COLUMNS when set, as shutil reads it), for a report shown on it;
    for one written to a pipe or a file, COLUMNS when it is set to a number (POSIX's COLUMNS: the
    user's preferred width, which is how `COLUMNS=160 headerscope ... | less` asks for one), else
    110. Both held between _NARROWEST and _WIDEST."""
    if output is None and sys.stdout.isatty():
        import shutil

        return max(_NARROWEST, min(shutil.get_terminal_size((_PIPE_WIDTH, 24)).columns, _WIDEST))
    # As shutil.get_terminal_size reads it: a positive whole number, else not set. The length is
    # bounded before int() reads it (a value of 5,000 digits is no width).
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and len(columns) <= 6 and int(columns) > 0:
        return max(_NARROWEST, min(int(columns), _WIDEST))
    return _PIPE_WIDTH


def _read_input(path: str | None, paste: bool) -> tuple[str, bytes]:
    if paste:
        from .sources.clipboard import ClipboardSource

        clipboard = ClipboardSource()
        return clipboard.name, clipboard.read()
    if path == "-":
        from .sources.stdin import StdinSource

        stdin = StdinSource()
        return stdin.name, stdin.read()
    assert path is not None
    from .sources.file import FileSource

    return path, FileSource(Path(path)).read()


def _write(text: str, output: str | None) -> None:
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            # `headerscope analyze x | head` closed the pipe: not an error worth a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError as exc:  # a full disk under `> file`, say: the user's problem, not ours
            _write_failed(output, exc)
        return
    try:
        Path(output).write_text(text, encoding="utf-8", errors="replace")
    except OSError as exc:
        _write_failed(output, exc)


def _write_failed(output: str | None, exc: OSError) -> None:
    """One line and status 1 for output that could not be written (a full disk, say)."""
    _fail(f"cannot write {output or 'standard output'}: {exc.strerror or exc}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "output_format", type=click.Choice(["terminal", "csv", "jsonl"]), default="terminal",
              show_default=True, help="terminal: summary and table; csv: one row per message; jsonl: one full report per line.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@click.option("-j", "--jobs", type=click.IntRange(min=1, max=256), default=None,
              help="Worker processes (default: the number of CPUs). Results keep input order.")
@click.option("--offline", is_flag=True, help="Use no network.")
@click.option("--dns-snapshot", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Answer DNS from this snapshot for every message.")
@click.option("--nameserver", default=None, metavar="IP[:PORT]", callback=_check_nameserver,
              help="Ask this DNS server.")
@click.option("--dns-timeout", type=click.FloatRange(min=0.1, max=120), default=5.0, show_default=True,
              help="Seconds allowed for each DNS question.")
@_trusted_relay_option
@click.option("--filter", "filters", multiple=True, metavar="KEY=VALUE",
              help="Keep only matching messages, e.g. dmarc=fail, verdict=spoofed,suspicious, domain=example.com, "
                   "spam=yes (the receiver's spam filter, or a copy in a junk folder, whatever the receiver said), reason=recorded.dmarc_fail (any finding's id), ip=203.0.113.0/24 "
                   "(the sending server), flag=replied (a mailbox flag), name=paypal (the From: display name, a "
                   "substring), reply_to=@gmail.com, subject=invoice, rcpt=alice@ (an envelope recipient; "
                   "substrings), envelope=bcc,forwarded,list (why the envelope differs from the header), "
                   "attached=example.com (the From: domain of a message a forward or user report carries). "
                   "Repeat to AND.")
@click.option("--fail-on", "fail_on", multiple=True, metavar="KEY=VALUE",
              help="Exit with status 3 when any message matches, e.g. --fail-on spoofed or --fail-on dmarc=fail "
                   "(status 1 wins when the run fails: a missing path, no message read).")
@click.option("--max-size", type=click.IntRange(min=1), default=256 * 1024 * 1024, show_default=True,
              help="Messages larger than this many bytes become error rows.")
@click.option("--now", "now_text", default=None, metavar="ISO-TIME", help="Judge signature expiry as of this time.")
@click.option("--color/--no-color", default=None, help="Force colours on or off.")
def scan(paths: tuple[str, ...], output_format: str, output: str | None, jobs: int | None, offline: bool,
         dns_snapshot: str | None, nameserver: str | None, dns_timeout: float, trusted_relays: tuple[str, ...],
         filters: tuple[str, ...],
         fail_on: tuple[str, ...], max_size: int, now_text: str | None, color: bool | None) -> None:
    """Analyze every message in mbox files, Maildir folders, .eml trees, .msg files and Apple Mail stores (.emlx)
    ('-': an mbox or a message on standard input).

    \b
    Examples:
      headerscope scan ~/mail/inbox.mbox --filter dmarc=fail
      headerscope scan Maildir/ --format jsonl -o reports.jsonl --jobs 4
      headerscope scan exports/ --format csv --fail-on spoofed
      headerscope scan list-archive/2024-*.txt.gz
      ssh mx cat /var/mail/alice | headerscope scan -

    --filter expressions must all match (repeat to narrow); repeated --fail-on are
    alternatives. Exit status 3 when a message matches --fail-on; status 1 wins over it when
    the run fails (a path given is not there, or no input holds a message), and the matches
    are said on standard error either way.
    """
    from collections import Counter

    # First: the scan modules below import the analysis, which must happen with the collector
    # paused (_import_analysis); imported here before it, it ran about 20 collections that found
    # nothing, some 20 million instructions of every scan's start-up.
    _import_analysis()
    from .scan.filters import FilterError, asked_check, combine, not_checked_notes, parse_expression
    from .scan.output import CsvWriter, JsonlWriter, Summary, render_summary
    from .scan.runner import ScanOptions, scan_paths

    try:
        keep = combine(filters)
        # Repeated --fail-on are alternatives: any one matching fails the run.
        fail_predicates = [parse_expression(e) for e in fail_on]
    except FilterError as exc:
        raise click.UsageError(str(exc)) from None
    now = _parse_now(now_text)
    if paths.count("-") > 1:
        raise click.UsageError("'-' (standard input) is given more than once: it can be read once")
    _unused_dns_options(offline, dns_snapshot, nameserver)
    if dns_snapshot is not None and not offline:
        # Read once here, so a broken snapshot is one line and status 1 before any message is
        # scanned, not an error in every worker.
        from .dns.interface import SnapshotError
        from .dns.snapshot import SnapshotResolver

        try:
            SnapshotResolver.from_file(dns_snapshot)
        except SnapshotError as exc:
            _fail(str(exc))
    options = ScanOptions(offline=offline, dns_snapshot=dns_snapshot, nameserver=nameserver, dns_timeout=dns_timeout,
                          want_json=output_format == "jsonl", now=now.isoformat() if now else None,
                          max_message=max_size, trusted_relays=trusted_relays)
    use_color = _use_color(output, color)
    if output:
        # Opening the output empties it: a mailbox named as both would be lost before it is read.
        for path in paths:
            with contextlib.suppress(OSError):
                if path != "-" and os.path.isfile(path) and os.path.samefile(output, path):
                    raise click.UsageError(f"-o {output} is also an input: it would be emptied before it is read")
    try:
        stream = (open(output, "w", encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
                  if output else sys.stdout)
        writer: CsvWriter | JsonlWriter | None = None
        if output_format == "csv":
            writer = CsvWriter(stream)
        elif output_format == "jsonl":
            writer = JsonlWriter(stream)
    except BrokenPipeError:
        raise  # the reader went away: click ends quietly
    except OSError as exc:
        _write_failed(output, exc)
        return
    summary = Summary(keep_rows=output_format == "terminal")
    matched_fail_on = 0
    matched_fail_on_errors = 0  # of them, error rows (--fail-on error=yes): counted apart from the messages
    # The checks a --filter or --fail-on asks a result of, and how many messages left each not
    # checked: such an expression cannot match them, which is said, not left silent.
    asked = [("--filter", e) for e in filters] + [("--fail-on", e) for e in fail_on]
    checks_asked = {key for _, e in asked if (key := asked_check(e)) is not None}
    unchecked: Counter[str] = Counter()
    # A path that is not there is a mistake on the command line, not a mailbox with one bad
    # message: its error row is written, the other paths are scanned, and the run fails.
    missing = [path for path in paths if path != "-" and not os.path.lexists(path)]
    rows = read_rows = 0
    # Messages so far whose every DNS question failed (dns.unanswered); None once said or disproved.
    dead_dns: int | None = 0 if not offline and not dns_snapshot else None
    progress = _progress(output_format == "terminal" or output is not None)
    passed_over: list[str] = []
    empty_mailboxes: list[str] = []
    try:
        # The output file, written inside a scanned folder, is not a message of it.
        skip: frozenset[tuple[int, int]] = frozenset()
        if output:
            status = os.fstat(stream.fileno())
            skip = frozenset({(status.st_dev, status.st_ino)})
        for row in scan_paths(paths, options, jobs, passed_over, skip, empty_mailboxes):
            if progress is not None:
                progress.advance()
            rows += 1
            read_rows += row.error is None
            summary.seen(row)
            if dead_dns is not None and row.error is None:
                dead_dns = _warn_dead_nameserver(row, dead_dns, nameserver)
            for key in checks_asked:
                unchecked[key] += getattr(row, key) == "not_checked"
            if any(p(row) for p in fail_predicates):
                matched_fail_on += 1
                matched_fail_on_errors += row.error is not None
            if keep is not None and not keep(row):
                continue
            summary.add(row)
            if writer is not None:
                try:
                    writer.write(row)
                except BrokenPipeError:
                    raise  # the reader went away: click ends quietly
                except OSError as exc:  # a full disk: the scan stops here, said in one line
                    _write_failed(output, exc)
    finally:
        if progress is not None:
            progress.stop()
    if keep is not None:
        summary.scanned = rows
    try:
        if writer is not None:
            writer.close()
        else:
            stream.write(render_summary(summary, use_color, width=max(160, _terminal_width(output))))
        if output:
            stream.close()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _write_failed(output, exc)
    for note in not_checked_notes(asked, unchecked, read_rows, offline):
        click.echo(f"headerscope: {note}", err=True)
    if passed_over:
        # Said, not silent: a folder of pastes or notes must not look smaller than it is.
        from .text import visible_path

        # The names are the scanned data's, not the user's: no escape sequence of theirs reaches
        # the terminal, and they are spelled as the rows spell them.
        shown = ", ".join(visible_path(name) for name in passed_over[:3]) + (", ..." if len(passed_over) > 3 else "")
        click.echo(f"headerscope: passed over {len(passed_over)}{'+' if len(passed_over) >= 1000 else ''} file(s) "
                   f"in the folders given that do not look like mail ({shown}); name a file to analyze it "
                   "anyway", err=True)
    if empty_mailboxes:
        # Said once, apart from the messages and the unreadable files (V52d D3-1): a mailbox
        # with no message (an empty Drafts.mbox) was read, and holds none.
        from .text import visible_path

        shown = ", ".join(visible_path(name) for name in empty_mailboxes[:3]) + (", ..." if len(empty_mailboxes) > 3 else "")
        click.echo(f"headerscope: {len(empty_mailboxes)}{'+' if len(empty_mailboxes) >= 1000 else ''} empty "
                   f"mailbox(es), holding no message ({shown})", err=True)
    failure: str | None = None
    if not rows and keep is None:
        failure = "no messages found in " + ", ".join(paths)
    elif missing:
        failure = (f"{missing[0]}: no such file or directory"
                   + (f" (and {len(missing) - 1} more path(s) given)" if len(missing) > 1 else ""))
    elif rows and not read_rows:
        failure = f"no message could be read in {', '.join(paths)}: every input is an error row"
    if matched_fail_on:
        # Status 3 is the answer a script wants; the person reading the terminal is told why.
        # A run that failed (status 1: a path not there, no message read) keeps status 1, which
        # says the scan did not cover what was asked; the matches are said all the same, so a
        # gate's reader sees them whichever status wins.
        said_status = "exit status 1, as the run failed: see below" if failure else "exit status 3"
        matched_messages = matched_fail_on - matched_fail_on_errors
        matched = " and ".join(([f"{matched_messages} message(s)"] if matched_messages or not matched_fail_on_errors
                                else []) + ([f"{matched_fail_on_errors} unreadable input(s)"]
                                            if matched_fail_on_errors else []))
        click.echo(f"headerscope: {matched} match --fail-on {' or '.join(fail_on)} ({said_status}; "
                   "judged on every message scanned, whatever --filter keeps)", err=True)
    if failure is not None:
        _fail(failure)
    if matched_fail_on:
        sys.exit(EXIT_FAIL_ON)


class _Progress:
    """A rich progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        from .render.terminal import make_console

        self._progress = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=make_console(color=True), transient=True)
        self._task = self._progress.add_task("scan", total=None)
        self._progress.start()

    def advance(self) -> None:
        self._progress.advance(self._task)

    def stop(self) -> None:
        self._progress.stop()


# Messages in a row whose every DNS question failed before a scan says so on stderr: a dead
# --nameserver would otherwise cost the whole mailbox its timeouts without a word.
_DEAD_DNS_ROWS = 20


def _warn_dead_nameserver(row: Any, seen: int, nameserver: str | None) -> int | None:
    """The count of messages so far whose DNS all failed, or None once the warning is given or a
    message got an answer (the nameserver works)."""
    if "dns.unanswered" not in row.failing_reasons:
        return None
    seen += 1
    if seen < _DEAD_DNS_ROWS:
        return seen
    server = nameserver or "the system's nameserver"
    click.echo(f"headerscope: warning: {server} answered none of the DNS questions of the first {seen} messages: "
               "their DNS-based results are unknown (check --nameserver, or use --dns-snapshot or --offline)",
               err=True)
    return None


def _progress(wanted: bool) -> _Progress | None:
    if not wanted or not sys.stderr.isatty() or os.environ.get("NO_COLOR") or _dumb_terminal():
        return None
    return _Progress()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; any unexpected exception becomes one line and exit 70.

    Called without arguments (the console script, ``python -m headerscope``) it owns the
    process and ends it with ``_exit_now``; with ``argv`` (a program or test calling it) it
    raises SystemExit like any click command."""
    global _OWNS_PROCESS
    _OWNS_PROCESS = True
    try:
        _run(argv)
    except SystemExit as exc:
        if argv is not None:
            raise
        _exit_now(exc.code)


def _exit_now(code: object) -> NoReturn:
    """Flush standard output and error, then end the process without tearing the interpreter down.

    Python's finalisation frees the analysis's modules and objects one by one: about 7 ms of
    a cold ``analyze`` (15 million instructions, 3% of it) and 15 ms of a scan's parent
    process, all after the last line is written. Nothing here needs it: the commands close
    their own files, the scan's workers and DNS manager are stopped in ``finally`` blocks,
    and no thread is left running. SystemExit's own conventions are kept: None is 0, an int
    is the status, anything else is printed to stderr with status 1.
    https://docs.python.org/3/library/os.html#os._exit
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader went away (`| head`): what it wanted, it read
        except ValueError:
            pass  # closed: nothing is waiting in it
        except OSError as exc:  # a full disk under `> file`: the output is incomplete, say so
            with contextlib.suppress(OSError):
                os.write(2, f"headerscope: error: cannot write the output: {exc}\n".encode())
            status = status or EXIT_INPUT_ERROR
    os._exit(status)


def _run(argv: list[str] | None) -> None:
    try:
        cli.main(args=argv, prog_name="headerscope", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _interrupted()  # outside a command's run (click's own start-up)
    except Exception as exc:
        if os.environ.get("HEADERSCOPE_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set HEADERSCOPE_DEBUG=1 for a traceback)",
              EXIT_INTERNAL_ERROR)
