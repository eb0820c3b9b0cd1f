"""Analyze many messages, in parallel processes, results in input order, memory bounded.

Each worker process keeps one resolver for the whole run. With live DNS and several
workers, the resolver lives in one manager process that all workers ask, so a name and
type is asked at most once per run however many workers there are.

With several jobs, this process only finds the messages (for an mbox, where each one starts
and ends), hands batches of those places to the workers, and writes their rows in input
order; each worker reads its messages itself. The workers are plain processes, each with a
pipe for its batches and one for its rows, and no thread of this process stands between
them: on a two-core machine every CPU cycle this process spends is taken from a worker. On
Linux they are started with ``os.fork`` and plain pipes (``forked``); where there is no fork,
or a worker needs the DNS manager's proxy, with ``multiprocessing``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._value import Value, frozen, replace
from ..api import AnalysisOptions, analyze_loaded
from ..dns.interface import Resolver
from ..loader import load_bytes
from ..model import Finding, Report, Severity
from ..text import visible_path
from .readers import DEFAULT_MAX_MESSAGE, UNLISTED_FOLDER, ScanInput, iter_inputs, read_input

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ..model import SpamFilterVerdict
    from .forked import Channel, ForkedProcess


@frozen
class ScanOptions(Value):
    """What every worker needs to analyze a message the same way."""

    offline: bool = False
    """No network."""
    dns_snapshot: str | None = None
    """One snapshot for the whole scan."""
    nameserver: str | None = None
    """Live DNS server."""
    dns_timeout: float = 5.0
    """Seconds per DNS question."""
    want_json: bool = False
    """Keep each full report as one JSON line (for --format jsonl)."""
    now: str | None = None
    """ISO time of analysis, for reproducible runs."""
    max_message: int = DEFAULT_MAX_MESSAGE
    """Bytes; a larger message becomes an error row (checked again when a worker reads it)."""
    trusted_relays: tuple[str, ...] = ()
    """The receiving side's own relays (--trusted-relay, AnalysisOptions.trusted_relays)."""


@frozen
class ScanRow(Value):
    """The summary of one message in a scan (or why it could not be analyzed)."""

    index: int
    """1-based position in input order."""
    label: str
    """Where the message came from."""
    error: str | None
    """Why it could not be read or analyzed; None when it was."""
    date: str | None = None
    """Date: as ISO 8601."""
    from_address: str | None = None
    """First From: address."""
    from_domain: str | None = None
    """Its domain."""
    from_name: str | None = None
    """Its display name (decoded, bounded): the brand an impersonation shows ("Facebook" <>)."""
    reply_to: tuple[str, ...] = ()
    """The Reply-To: addresses (a phish's collector), at most ``MAX_ADDRESSES``."""
    to: tuple[str, ...] = ()
    """The To: addresses (who was targeted), at most ``MAX_ADDRESSES``."""
    addresses_not_kept: int = 0
    """To: addresses past ``MAX_ADDRESSES``, counted, not kept."""
    subject: str | None = None
    """Decoded Subject."""
    verdict: str | None = None
    """Verdict status."""
    dkim: str | None = None
    """Best DKIM result (pass if any signature passes)."""
    spf: str | None = None
    """SPF result."""
    dmarc: str | None = None
    """DMARC result."""
    arc: str | None = None
    """ARC result."""
    hops: int | None = None
    """Number of hops."""
    total_delay_seconds: float | None = None
    """Date: to delivery."""
    failing_reasons: tuple[str, ...] = ()
    """Ids of the warning and danger findings."""
    other_findings: tuple[str, ...] = ()
    """Ids of the other findings (notices and information), each once: --filter reason= matches them too."""
    slowest_hop: str | None = None
    """The slowest hop as the hand-over "client → receiving host" (the receiving host alone when no client is named)."""
    slowest_delay_seconds: float | None = None
    """Its wait net of the clock steps the stamps show (``Hop.wait_seconds``, as analyze's hops.slow_hop measures it)."""
    delivered: str | None = None
    """The latest Received stamp, normally the delivering server's (ISO 8601, UTC): the
    receiving side's clock, unlike the sender's Date:."""
    spam: str | None = None
    """``spam`` when the receiving side's spam filter said so (see Report.spam_filters) or the
    copy was in a junk folder (``folder``: the user or a client-side filter put it there, a spam
    report the receiver's "not spam" at delivery does not undo); ``not spam`` when the receiver
    said only that and the copy was not in a junk folder; None when neither says anything."""
    folder: str | None = None
    """The mail folder the copy was in (a Maildir folder, an mbox file's name; see InputInfo.folder)."""
    mailbox_flags: tuple[str, ...] = ()
    """What the mail store marked it (Maildir flags in words: replied, seen, passed on...)."""
    client_ip: str | None = None
    """The boundary hop's client IP: the server that handed the message to the receiving side
    (SPF's client IP)."""
    mail_from: str | None = None
    """The envelope sender (MAIL FROM, from Return-Path and the like); "" for the null sender."""
    dkim_domains: tuple[str, ...] = ()
    """The d= domains of the DKIM signatures, in order, each once."""
    message_id: str | None = None
    """The Message-ID field as written."""
    kind: str = ""
    """What the message is: ``message``, ``delivery_report`` (a bounce or delay notice),
    ``feedback_report`` (ARF), ``receipt`` (a disposition notification), ``auto_reply``,
    ``dmarc_report`` (a DMARC aggregate report), ``tls_report`` (an SMTP TLS report, RFC 8460);
    empty for an error row, which holds no message (like its verdict and the other cells), and
    ``folder`` for the error row of a folder that could not be listed (counted apart from the
    messages)."""
    delivery_status: str | None = None
    """For a delivery report: each recipient with its action and status ("a@x failed 5.1.1; ...")."""
    rcpt_to: tuple[str, ...] = ()
    """The envelope recipients of this delivery as the receiving side recorded them (RCPT TO,
    X-Original-To, a "for" clause...; not the mailboxes its alias expansion reached), at most
    ``MAX_ADDRESSES``: who the copy was delivered to, which To: need not name (a Bcc)."""
    envelope: tuple[str, ...] = ()
    """The kinds of the differences between envelope and header (EnvelopeDifference.kind: bcc,
    forwarded, list, srs, verp, alias...), each once: why the copy's envelope is not its header."""
    attached_domains: tuple[str, ...] = ()
    """The From: domains of the messages a person's forward or user report carries (Report.carried,
    the first five), each once, lower case: what a reporting mailbox received, which the row's
    own From: (the reporter) is not."""
    report_json: bytes | None = None
    """The full report as one JSON line (UTF-8, as ``Report.to_json`` writes it), when asked for:
    bytes, so that a parallel scan's parent writes what its worker made without decoding and
    encoding it again."""


# The containers a mail store wrote (ScanInput.container).
_MAIL_STORES = frozenset({"maildir", "mbox", "mmdf"})
# The input format of a mailbox's message (InputInfo.format), as analyze gives a mailbox's first.
_ENTRY_FORMATS = {"mbox": "mbox-entry", "mmdf": "mmdf-entry"}

_DKIM_RANK = {"pass": 0, "fail": 1, "permerror": 2, "temperror": 3, "policy": 4, "neutral": 5, "none": 6}

_worker_state: dict[str, Any] = {}


def _base_resolver(options: ScanOptions, shared: Resolver | None) -> Resolver:
    if shared is not None:
        return shared
    if options.offline:
        from ..dns.offline import OfflineResolver

        return OfflineResolver()
    if options.dns_snapshot:
        from ..dns.snapshot import SnapshotResolver

        return SnapshotResolver.from_file(options.dns_snapshot)
    from ..dns.live import LiveResolver

    return LiveResolver(nameserver=options.nameserver, timeout=options.dns_timeout)


def _init_worker(options: ScanOptions, shared: Resolver | None) -> None:
    from ..auth._dkimpy import use_openssl_rsa

    _worker_state["options"] = options
    _worker_state["resolver"] = _base_resolver(options, shared)
    # Many messages: worth importing OpenSSL's RSA once (a single analyze is not).
    use_openssl_rsa()


def analyze_one(index: int, item: ScanInput) -> ScanRow:
    """Analyze one input in this process (worker state must be initialised)."""
    options: ScanOptions = _worker_state["options"]
    if item.data is None:
        item = read_input(item, options.max_message)
    # The row names the file as the file system does, a byte that is not UTF-8 or a line break
    # in its name escaped (the analysis reads the path itself: its folder, a Maildir's flags).
    label = visible_path(item.label)
    if item.data is None:
        # A folder that could not be listed is no message: its row says so (``kind``).
        return ScanRow(index=index, label=label, error=item.error or "unreadable",
                       kind="folder" if item.container == UNLISTED_FOLDER else "")
    try:
        now = datetime.fromisoformat(options.now) if options.now else None
        # A Maildir file or a mailbox's entry was written whole by a mail store: a header alone
        # that stops inside a field is cut off, not a paste (a loose file may be a saved paste).
        # An mbox entry comes as stored, its "From " quoting kept: the loader is told whether its
        # writer may have quoted lines (analyze tells it the same of a mailbox's first message).
        loaded = load_bytes(item.data, source=item.label, from_mail_store=item.container in _MAIL_STORES,
                            mbox_quoting=item.quoted if item.container == "mbox" else None)
        if loaded.format in ("eml", "mbox-entry") and item.container in _ENTRY_FORMATS:
            # A mailbox's message, its separator already taken off (Python's MMDF writer also puts a
            # "From " line inside each message): said by its container, as analyze says it.
            loaded = replace(loaded, format=_ENTRY_FORMATS[item.container])
        if loaded.unreadable is not None:
            # Empty or binary (a compressed mailbox, an attachment saved as .eml): its report
            # would count a message that is not there among the unauthenticated ones.
            return ScanRow(index=index, label=label, error=loaded.unreadable)
        # The DNS options only describe the run in the report (as analyze's do): the resolver
        # made from them once per worker answers.
        report = analyze_loaded(loaded, AnalysisOptions(
            resolver=_worker_state["resolver"], now=now, source=item.label, offline=options.offline,
            dns_snapshot=options.dns_snapshot, nameserver=options.nameserver, dns_timeout=options.dns_timeout,
            trusted_relays=options.trusted_relays))
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the scan
        return ScanRow(index=index, label=label, error=f"{type(exc).__name__}: {exc}"[:500])
    if not any(field.name for field in report.headers):
        # Text without one header field is no message: in a mailbox, the end of the one before
        # it, cut off at a body line taken for a separator (an unquoted "From " line). Its
        # report would count a phantom message among the unauthenticated ones.
        return ScanRow(index=index, label=label,
                       error="no header fields: not a message (in an mbox, part of the message before it, "
                             "split at an unquoted body line starting with 'From ')")
    if item.no_separator:
        report = replace(report, findings=(*report.findings, Finding(
            id="input.no_separator", severity=Severity.NOTICE, title="A mailbox's first entry, without its 'From ' line",
            explanation="The mailbox does not start with a 'From ' line, yet holds mbox separators further on (a "
                        "cut mailbox, or text saved before one): this is what comes before its first separator, "
                        "read as a message of its own (RFC 4155).",
            reference="https://www.rfc-editor.org/rfc/rfc4155#section-2")))
    if label != item.label:
        # The JSON report names the file as the row does (its writer would put U+FFFD for the
        # byte), and the folder named after a path part shows the same escapes.
        folder = report.input.folder
        report = replace(report, input=replace(
            report.input, source=label, folder=replace(folder, name=visible_path(folder.name)) if folder else None))
    return summarize(index, label, report, want_json=options.want_json)


def _steady_hops(hops: Any) -> list[Any]:
    """The hops whose delay is a wait, not a clock step: a delay a later hop takes back (at
    least half of it, as a negative delay) is a stamp from a wrong clock (hops.clock_skew), and
    a negative delay is no wait at all. A delay that undoes a lagging clock's earlier step back
    is left out by its hops.clock_lag finding (summarize), which pairs the two steps strictly: an
    earlier step back of any other clock says nothing of a later wait (verification V13 R2)."""
    # Walked from the last hop, keeping the smallest later delay: a later hop takes a delay back
    # exactly when the smallest later delay does (delays are differences of datetimes, finite).
    steady = []
    smallest_later: float | None = None
    for hop in reversed(hops):
        delay = hop.delay_seconds
        if delay is None:
            continue
        if delay > 0 and (smallest_later is None or smallest_later >= -0.5 * delay):
            steady.append(hop)
        if smallest_later is None or delay < smallest_later:
            smallest_later = delay
    steady.reverse()
    return steady


def _hand_over(fields: Any) -> str | None:
    """The slowest hop as the hand-over it was, "client → receiver" (analyze's from and by
    columns): the wait is between the client's stamp and the receiver's, most often in the
    client's queue, so the receiver alone would read as the slow one (review AL D7)."""
    client = fields.from_rdns or fields.from_helo or fields.from_ip
    if not client:
        return fields.by  # type: ignore[no-any-return]
    return f"{str(client)[:120]} → {str(fields.by or '?')[:120]}"


def summarize(index: int, label: str, report: Any, want_json: bool = False) -> ScanRow:
    """The scan row of a report."""
    assert isinstance(report, Report)
    sender = report.envelope.author()
    dkim = min((s.result for s in report.dkim), key=lambda r: _DKIM_RANK.get(r, 9), default="none")
    findings = report.findings
    # Each reason once per message: a message with two broken signatures fails for one reason.
    failing = tuple(dict.fromkeys([f.id for f in findings if f.severity in (Severity.DANGER, Severity.WARNING)]))
    others = tuple(dict.fromkeys([f.id for f in findings if f.severity not in (Severity.DANGER, Severity.WARNING)]))
    # A step read as a server's clock being off by whole half hours (hops.clock_offset) is no wait either.
    # Nor is the time between two deliveries (hops.earlier_delivery).
    offset = {f.subject for f in findings if f.id in ("hops.clock_offset", "hops.clock_lag", "hops.earlier_delivery")}
    # Measured as analyze's hops.slow_hop measures it (Hop.wait_seconds): a step out of a stamp
    # behind an earlier hop's, or into a fast clock's, counts only the wait net of that clock.
    slowest = max((h for h in _steady_hops(report.hops)
                   if h.wait_seconds is not None and h.number > 1 and f"hop {h.number}" not in offset),
                  key=lambda h: h.wait_seconds or 0.0, default=None)
    stamp = next((h.fields.timestamp for h in reversed(report.hops) if h.fields.timestamp), None)
    report_json = report.to_json() if want_json else None
    spf = report.spf.result if report.spf else None
    dmarc = report.dmarc.result if report.dmarc else None
    arc = report.arc.result if report.arc else "none"
    if "input.never_sent" in failing or "input.never_sent" in others:
        # A draft (an Outlook .msg flagged unsent, api._never_sent): no server took it in, so no
        # check has a delivery to judge; "dkim none" or "dmarc permerror" (no From: domain in
        # its rebuilt header) would list it beside the forgeries (--filter dmarc=permerror).
        dkim = spf = dmarc = arc = "not_checked"
    return ScanRow(
        index=index, label=label, error=None, date=report.date,
        from_address=sender.address if sender else None, from_domain=sender.domain if sender else None,
        from_name=_bounded(sender.display_name) if sender else None,
        reply_to=_addresses(report.envelope.reply_to), to=_addresses(report.envelope.to),
        addresses_not_kept=max(0, len(report.envelope.to) - MAX_ADDRESSES),
        subject=report.subject, verdict=report.verdict.status, dkim=dkim, spf=spf, dmarc=dmarc, arc=arc,
        hops=len(report.hops),
        total_delay_seconds=report.total_delay_seconds,
        failing_reasons=failing,
        other_findings=others,
        slowest_hop=_hand_over(slowest.fields) if slowest else None,
        slowest_delay_seconds=slowest.wait_seconds if slowest else None,
        delivered=_utc_iso(stamp),
        spam=_spam(report),
        folder=report.input.folder.name if report.input.folder else None,
        mailbox_flags=report.input.folder.flags if report.input.folder else (),
        client_ip=_client_ip(report),
        mail_from=report.envelope.mail_from,
        dkim_domains=tuple(dict.fromkeys(s.domain.lower() for s in report.dkim if s.domain)),
        message_id=report.message_id.strip()[:998] if report.message_id else None,
        kind=_kind(report, failing + others),
        delivery_status="; ".join(
            f"{r.final_recipient or r.original_recipient or '?'} {r.action or '?'} {r.status or '?'}"[:300]
            for r in report.delivery_report.recipients[:20]) or None if report.delivery_report else None,
        rcpt_to=tuple(_bounded(rcpt) or "" for i, rcpt in enumerate(report.envelope.rcpt_to)
                      if report.envelope.rcpt_role(i) != "resolved_mailbox")[:MAX_ADDRESSES],
        envelope=tuple(dict.fromkeys(d.kind for d in report.envelope.differences)),
        attached_domains=tuple(dict.fromkeys((_bounded(c.from_domain) or "").lower()
                                             for c in report.carried if c.from_domain)),
        report_json=report_json,
    )


# A row keeps this many To: and Reply-To: addresses, each at most _MAX_TEXT characters: a
# hostile header may name thousands (an address is at most 254 octets, RFC 5321 section 4.5.3.1.3,
# but what is written need not be one).
MAX_ADDRESSES = 20
_MAX_TEXT = 300


def _bounded(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT - 1] + "…"


def _addresses(mailboxes: Any) -> tuple[str, ...]:
    return tuple(text for text in (_bounded(m.address) for m in mailboxes[:MAX_ADDRESSES]) if text)


# Findings that say what kind of message it is, in the order they decide it.
_KIND_FINDINGS = (("dsn.", "delivery_report"), ("feedback.", "feedback_report"), ("mdn.", "receipt"),
                  ("message.auto_reply", "auto_reply"), ("message.dmarc_report", "dmarc_report"),
                  ("message.tls_report", "tls_report"), ("message.carrier", "forward"))
_KIND_PREFIXES = tuple(prefix for prefix, _ in _KIND_FINDINGS)


def _kind(report: Any, ids: tuple[str, ...]) -> str:
    """What the message is, for a row (see ScanRow.kind): a bounce mailbox is sorted by it.
    ``ids``: the ids of the report's findings (each once is enough)."""
    if report.delivery_report is not None:
        return "delivery_report"
    if report.feedback_report is not None:
        return "feedback_report"
    # Most messages have none of these findings: one C-level test per id finds that.
    telling = [i for i in ids if i.startswith(_KIND_PREFIXES)]
    return next((kind for prefix, kind in _KIND_FINDINGS if any(i.startswith(prefix) for i in telling)), "message")


def _client_ip(report: Any) -> str | None:
    """SPF's client IP (the boundary hop's, or the receiver's Received-SPF for it), else the
    boundary hop's own."""
    if report.spf is not None and report.spf.client_ip:
        return str(report.spf.client_ip)
    if any(f.id == "hops.arrival_missing" for f in report.findings):
        # The copy stops before the hop where the message arrived: the earliest hop's client is
        # a hand-over inside the receiving side, not the server that sent it (as SPF judges).
        return None
    if report.boundary_hop:
        return report.hops[report.boundary_hop - 1].fields.from_ip or None
    return None


def _spam(report: Any) -> str | None:
    """The row's spam cell (see ScanRow.spam). A copy in a junk folder was moved there after
    delivery, by the user or a client-side filter: a later and stronger word than the
    receiver's "not spam" at delivery, so either one saying spam makes it spam."""
    if report.input.folder is not None and report.input.folder.junk:
        return "spam"
    return _receiver_spam_verdict(report.spam_filters)


def _receiver_spam_verdict(verdicts: Iterable[SpamFilterVerdict]) -> str | None:
    """``spam`` if a filter of the receiving side said so, ``not spam`` if its filters said
    only that, None when the receiver recorded no verdict."""
    said = {v.spam for v in verdicts if v.trusted and v.spam is not None}
    return "spam" if True in said else "not spam" if said else None


def utc_moment(timestamp: str | None) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime; None when there is none, it is unreadable,
    or it has no UTC time."""
    if not timestamp:
        return None
    try:
        moment = datetime.fromisoformat(timestamp)
        if moment.tzinfo is None:  # "-0000": the zone is unknown; read as UTC (RFC 5322 section 3.3)
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def _utc_iso(timestamp: str | None) -> str | None:
    moment = utc_moment(timestamp)
    return moment.isoformat() if moment else None


def _start_method() -> str:
    """How workers start: ``fork`` on Linux (in milliseconds, sharing the imported modules);
    ``spawn`` on macOS and Windows, which lack a safe fork."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _mp_context() -> Any:
    # Imported here, not with the module: a scan with one job never starts a process, and
    # multiprocessing (with logging, pickle, socket, tempfile...) costs it ~25 ms of start-up.
    import multiprocessing

    return multiprocessing.get_context(_start_method())


def scan_paths(paths: Iterable[str], options: ScanOptions, jobs: int | None = None,
               passed_over: list[str] | None = None, skip: frozenset[tuple[int, int]] = frozenset(),
               empty_mailboxes: list[str] | None = None) -> Iterator[ScanRow]:
    """Rows for every message under the paths, in input order. With several jobs, this
    process only finds the messages and each worker reads its own. ``passed_over`` collects
    the files of folders that do not look like mail; ``skip`` names files (device, inode) a
    folder walk leaves out; ``empty_mailboxes`` collects the mailbox files that hold no message."""
    jobs = jobs or os.cpu_count() or 1
    return run_scan(iter_inputs(paths, max_message=options.max_message, lazy=jobs > 1, passed_over=passed_over,
                                skip=skip, empty_mailboxes=empty_mailboxes), options, jobs)


def run_scan(inputs: Iterable[ScanInput], options: ScanOptions, jobs: int | None = None) -> Iterator[ScanRow]:
    """Rows in input order. At most a few messages per worker are in flight, so memory stays flat."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        _init_worker(options, None)
        for index, item in enumerate(inputs, start=1):
            yield analyze_one(index, item)
        return
    yield from _run_parallel(inputs, options, jobs)


def _warm_up(options: ScanOptions) -> None:
    """Import the analysis and load the Public Suffix List once, before forking, so the
    workers share them instead of each paying for them (about a third of a second each)."""
    from .. import api
    from ..auth._dkimpy import use_openssl_rsa
    from ..auth._dkimpy_import import import_dkim
    from ..auth._pyspf_import import import_pyspf
    from ..domains import organizational_domain

    import_dkim()
    import_pyspf()
    # What an analysis imports only on first use: ed25519 keys (PyNaCl, with cffi).
    importlib.import_module("nacl.signing")
    importlib.import_module("nacl.exceptions")
    use_openssl_rsa()
    api.warm_up()
    organizational_domain("example.com")
    # The module of the workers' own resolver (each worker still makes its own).
    if options.offline:
        from ..dns import offline  # noqa: F401
    elif options.dns_snapshot:
        from ..dns import snapshot  # noqa: F401


# Messages are sent to the workers in batches: with one task per message the parent (which
# also finds the messages and writes every row) spent 0.8 ms per message on task overhead,
# CPU the two workers of a two-core machine needed. A batch closes at this many messages or
# bytes, whichever comes first: the bytes a worker holds stay bounded, and a batch of large
# messages does not keep one worker busy long after the other has finished. 16 messages
# (1 MB) rather than 8 (512 KB) cut the parent's CPU by a fifth and a two-job scan of the
# benchmark corpus by 2.6% (median of 12 alternating pairs); 32 gained 1% more, not worth
# the longer wait for the last batch, or the worse split of a short scan.
_BATCH_MESSAGES = 16
_BATCH_BYTES = 1 << 20


def analyze_batch(first_index: int, items: list[ScanInput]) -> list[ScanRow]:
    """Analyze consecutive inputs in this process; rows in the same order."""
    return [analyze_one(first_index + offset, item) for offset, item in enumerate(items)]


def _batches(inputs: Iterable[ScanInput]) -> Iterator[tuple[int, list[ScanInput]]]:
    """(index of the first, inputs) runs of consecutive inputs, bounded in count and bytes."""
    batch: list[ScanInput] = []
    size = 0
    first = 1
    for index, item in enumerate(inputs, start=1):
        if not batch:
            first = index
        batch.append(item)
        if item.data is not None:
            size += len(item.data)
        elif item.span is not None:
            size += item.span[1] - item.span[0]
        if len(batch) >= _BATCH_MESSAGES or size >= _BATCH_BYTES:
            yield first, batch
            batch, size = [], 0
    if batch:
        yield first, batch


# Batches each worker holds at once: one being analyzed and one waiting in its pipe, so it
# never waits for this process between two batches.
_WORKER_DEPTH = 2
# Batches between the oldest whose rows are not written yet and the newest handed out: bounds
# the rows held while an earlier batch (a huge message, say) is still being analyzed.
_WINDOW_PER_JOB = 4
# A worker that dies (killed, out of memory, a crash in a C library) turns its batches into
# error rows and is replaced, at most this many times per job before the scan gives up.
_RESTARTS_PER_JOB = 3


def _worker_main(tasks: Connection | Channel, rows: Connection | Channel, options: ScanOptions,
                 shared: Resolver | None, parent_ends: list[int]) -> None:
    """A worker process: analyze each batch it is sent and send back its rows, until None
    or until the parent is gone.

    A thread takes the batches off the pipe as they come, so this process's send of a
    batch never waits on a worker busy sending its rows (which would deadlock both)."""
    import queue
    import signal
    import threading

    # A forked worker holds copies of the parent's ends of its own pipes and of the other
    # workers'. Closed, so that when the parent dies (killed, say) the worker's batch pipe
    # reads end-of-file and the worker ends, instead of the workers keeping them open forever.
    for fd in parent_ends:
        with contextlib.suppress(OSError):
            os.close(fd)
    # Ctrl-C reaches every process of the terminal's group: the parent handles it and stops
    # the workers, which would otherwise each print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(options, shared)
    inbox: queue.SimpleQueue[tuple[int, int, list[ScanInput]] | None] = queue.SimpleQueue()

    def receive() -> None:
        while True:
            try:
                task = tasks.recv()
            except (EOFError, OSError):
                task = None
            inbox.put(task)
            if task is None:
                return

    threading.Thread(target=receive, daemon=True).start()
    while (task := inbox.get()) is not None:
        batch_id, first, items = task
        try:
            rows.send((batch_id, analyze_batch(first, items)))
        except OSError:  # the parent is gone: nobody wants the rows
            return


def _widen_pipe(connection: Connection | Channel) -> None:
    """On Linux, let a pipe hold 1 MB (the unprivileged limit) instead of 64 KB, so a worker
    can write a batch's rows (about 150 KB with --format jsonl) and go on to its next batch
    without waiting for this process to read them."""
    if sys.platform.startswith("linux"):
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.fcntl(connection.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)


class _Worker:
    """A worker process and this process's ends of its two pipes."""

    def __init__(self, context: Any | None, options: ScanOptions, shared: Resolver | None,
                 siblings: list[_Worker]) -> None:
        """``context``: a multiprocessing context, or None to start the worker with a plain fork."""
        self.tasks: Connection | Channel
        self.rows: Connection | Channel
        task_reader: Connection | Channel
        rows_writer: Connection | Channel
        if context is None:
            from .forked import ForkedProcess, channel_pair

            task_reader, self.tasks = channel_pair()
            self.rows, rows_writer = channel_pair()
        else:
            task_reader, self.tasks = context.Pipe(duplex=False)
            self.rows, rows_writer = context.Pipe(duplex=False)
        # Only a forked child inherits this process's descriptors (a spawned one gets only its own):
        # its copies of the parent's ends of its own pipes and of the other workers' pipes.
        parent_ends = ([fd for worker in (self, *siblings) for fd in (worker.tasks.fileno(), worker.rows.fileno())]
                       if context is None or context.get_start_method() == "fork" else [])
        args = (task_reader, rows_writer, options, shared, parent_ends)
        self.process: ForkedProcess | Any
        if context is None:
            self.process = ForkedProcess(target=_worker_main, args=args)
        else:
            self.process = context.Process(target=_worker_main, args=args, daemon=True, name="headerscope-scan")
        self.process.start()
        # The worker's ends belong to it alone now: closing ours lets a worker's death show
        # as end-of-file on its pipe.
        task_reader.close()
        rows_writer.close()
        _widen_pipe(self.rows)
        self.batches: dict[int, tuple[int, list[ScanInput]]] = {}
        """Batches sent and not answered: id -> (index of the first input, the inputs)."""

    def finish_up(self) -> None:
        """Tell the worker to end after its batches (it is sent None)."""
        with contextlib.suppress(OSError):  # it died already
            self.tasks.send(None)

    def stop(self, wait: bool = True) -> None:
        """End the worker: when wait is set, after its batches (``finish_up`` first), else at once."""
        if wait:
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.tasks.close()
        self.rows.close()


def _run_parallel(inputs: Iterable[ScanInput], options: ScanOptions, jobs: int) -> Iterator[ScanRow]:
    """Rows in input order, from ``jobs`` worker processes."""
    method = _start_method()
    if method == "fork":
        _warm_up(options)
    live_dns = not options.offline and not options.dns_snapshot
    # Workers started by a plain fork (see forked), unless they share the DNS manager: its
    # proxies reconnect in a child through multiprocessing's own after-fork hooks.
    context = _mp_context() if live_dns or method != "fork" else None
    wait: Callable[..., list[Any]]
    if context is None:
        from .forked import wait
    else:
        from multiprocessing.connection import wait
    manager = None
    shared: Resolver | None = None
    if live_dns:
        from ..dns.shared import start_shared_resolver

        manager, shared = start_shared_resolver(context, options.nameserver, options.dns_timeout)
    workers: list[_Worker] = []
    finished: dict[int, list[ScanRow]] = {}  # rows of batches later than the next to write
    retry: deque[tuple[int, int, list[ScanInput]]] = deque()  # batches a dead worker never began
    restarts_left = _RESTARTS_PER_JOB * jobs
    window = _WINDOW_PER_JOB * jobs
    next_to_write = 0

    def has_room() -> bool:
        return any(len(worker.batches) < _WORKER_DEPTH for worker in workers)

    def send(batch_id: int, first: int, items: list[ScanInput]) -> None:
        worker = min(workers, key=lambda w: len(w.batches))
        try:
            worker.tasks.send((batch_id, first, items))
        except OSError:  # it died since its last answer: this batch goes to another worker
            replace(worker)
            retry.append((batch_id, first, items))
            return
        worker.batches[batch_id] = (first, items)

    def replace(worker: _Worker) -> None:
        """A worker died: the batch it was analyzing becomes error rows (a worker takes its
        batches in order, so that is the oldest it was sent); the others go to the workers
        again, and a new worker takes its place."""
        nonlocal restarts_left
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        if worker.batches:
            lost, *unstarted = sorted(worker.batches)
            first, items = worker.batches[lost]
            finished[lost] = [ScanRow(index=first + offset, label=visible_path(item.label),
                                      error=f"the worker process analyzing it died ({how})")
                              for offset, item in enumerate(items)]
            retry.extend((batch_id, *worker.batches[batch_id]) for batch_id in unstarted)
        worker.batches.clear()
        workers.remove(worker)
        worker.stop(wait=False)
        if restarts_left <= 0:
            raise RuntimeError("scan worker processes keep dying; giving up")
        restarts_left -= 1
        workers.append(_Worker(context, options, shared, workers))

    def collect(block: bool) -> None:
        """Take every answer that has arrived (waiting for one when block is set)."""
        by_pipe = {worker.rows: worker for worker in workers if worker.batches}
        if not by_pipe:
            return
        for ready in wait(list(by_pipe), timeout=None if block else 0):
            worker = by_pipe[ready]
            try:
                batch_id, rows = worker.rows.recv()
            except (EOFError, OSError):
                replace(worker)
                continue
            del worker.batches[batch_id]
            finished[batch_id] = rows

    def progress(block: bool) -> Iterator[ScanRow]:
        """Answers taken, batches to retry sent, and the rows now in order written. Waits
        for an answer only when block is set and nothing else can move."""
        nonlocal next_to_write
        collect(block and next_to_write not in finished and not (retry and has_room()))
        while retry and has_room():
            send(*retry.popleft())
        while next_to_write in finished:
            yield from finished.pop(next_to_write)
            next_to_write += 1

    completed = False
    try:
        for _ in range(jobs):
            workers.append(_Worker(context, options, shared, workers))
        for batch_id, (first, batch) in enumerate(_batches(inputs)):
            while retry or batch_id - next_to_write >= window or not has_room():
                yield from progress(block=True)
            send(batch_id, first, batch)
            yield from progress(block=False)
        while retry or next_to_write in finished or any(worker.batches for worker in workers):
            yield from progress(block=True)
        completed = True
    finally:
        # Interrupted (Ctrl-C, an error, the reader of the rows stopped): no batch is waited for.
        # Every worker is told before any is waited for: they end at the same time, not one
        # after the other (about 2 ms of a two-job scan).
        if completed:
            for worker in workers:
                worker.finish_up()
        for worker in workers:
            worker.stop(wait=completed)
        if manager is not None:
            manager.shutdown()
