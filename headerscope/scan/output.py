"""Scan outputs: CSV and JSONL written row by row as results arrive, and the terminal summary."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import IO

from ..text import one_line
from .runner import ScanRow, utc_moment

CSV_COLUMNS = ("index", "source", "error", "date", "from", "from_domain", "subject", "verdict", "dkim", "spf",
               "dmarc", "arc", "hops", "total_delay_seconds", "failing_reasons", "slowest_hop",
               "slowest_delay_seconds", "delivered", "spam", "client_ip", "mail_from", "dkim_domains", "message_id",
               "kind", "delivery_status", "other_findings", "folder", "mailbox_flags", "from_name", "reply_to", "to", "rcpt_to", "envelope", "attached_domains")

# Spreadsheet programs run a cell starting with these as a formula (CSV injection); message
# text is hostile, so such cells get a leading apostrophe, the usual neutraliser.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Longest cell written: Excel's limit (a longer cell is cut there, or refused); Python's csv
# module reads at most 131,072 characters per field by default.
_MAX_CELL = 32_767


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = one_line(str(value))
    if len(text) > _MAX_CELL:
        text = text[:_MAX_CELL - 1] + "…"  # a hostile Subject of megabytes
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _mail_from(value: str | None) -> str | None:
    return "<>" if value == "" else value  # the null sender, as SMTP writes it


def _spam_cell(row: ScanRow) -> str:
    # The words --filter spam= takes (yes, no, unknown), so a column is filtered as it reads.
    from .filters import spam_word

    return "" if row.error else spam_word(row)


def flag_word(flag: str) -> str:
    """A mailbox flag as --filter flag= takes it: "passed on (forwarded or bounced)" is "passed"."""
    return flag.split(" ", 1)[0]


def _joined(values: Iterable[str]) -> str:
    """A list column's values joined by ";". A ";" inside a value (a quoted local part,
    ``"a;b"@example.org``, RFC 5321 section 4.1.2) is written "%3B", so that splitting the cell
    on ";" gives back the values."""
    return ";".join(value.replace(";", "%3B") for value in values)


def _to_cell(row: ScanRow) -> str:
    more = f";(+{row.addresses_not_kept} more)" if row.addresses_not_kept else ""
    return _joined(row.to) + more


def from_cell(row: ScanRow) -> str:
    """The From: as the table shows it: "Name <addr>", the name alone when the address is
    empty (``"Facebook" <>``: the brand is the impersonation), else the address."""
    if row.from_name and row.from_address:
        return f"{row.from_name} <{row.from_address}>"
    return row.from_name or row.from_address or ""


class CsvWriter:
    """One CSV row per message, flushed as it comes."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._writer = csv.writer(stream)
        self._writer.writerow(CSV_COLUMNS)

    def write(self, row: ScanRow) -> None:
        self._writer.writerow([_cell(v) for v in (
            row.index, row.label, row.error, row.date, row.from_address, row.from_domain, row.subject, row.verdict,
            row.dkim, row.spf, row.dmarc, row.arc, row.hops, row.total_delay_seconds,
            _joined(row.failing_reasons), row.slowest_hop, row.slowest_delay_seconds, row.delivered, _spam_cell(row),
            row.client_ip, _mail_from(row.mail_from), _joined(row.dkim_domains), row.message_id, row.kind,
            row.delivery_status, _joined(row.other_findings), row.folder,
            _joined(flag_word(flag) for flag in row.mailbox_flags),
            row.from_name, _joined(row.reply_to), _to_cell(row), _joined(row.rcpt_to), _joined(row.envelope),
            _joined(row.attached_domains))])
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


class JsonlWriter:
    """One full report (the JSON of ``analyze``) per line; an error row is {"input", "error"}."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        # The reports are UTF-8 bytes already: written to the stream's binary buffer when it has
        # one (standard output, a file), so the parent of a parallel scan neither decodes nor
        # encodes 20 KB per row on the CPU its workers need. What the text layer holds goes first.
        self._binary: IO[bytes] | None = getattr(stream, "buffer", None)
        if self._binary is not None:
            stream.flush()

    def write(self, row: ScanRow) -> None:
        line = row.report_json if row.report_json is not None else json.dumps(
            {"input": {"source": row.label}, "error": row.error, **({"kind": row.kind} if row.kind else {})},
            ensure_ascii=False).encode("utf-8", "replace")
        # One write with its line end: a report is larger than a stream's buffer, so written apart
        # the two would be two system calls per row.
        if self._binary is not None:
            self._binary.write(line + b"\n")
            self._binary.flush()
        else:
            self._stream.write(line.decode("utf-8", "replace") + "\n")
            self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


TABLE_ROWS = 1000
"""Messages the terminal table lists: more is no longer read on a screen, and the table (unlike
the counts) would hold every row of the mailbox in memory. CSV and JSONL list every message."""


class Summary:
    """Counts gathered while rows stream past (rows themselves are kept only for the table)."""

    def __init__(self, keep_rows: bool = True, row_limit: int = TABLE_ROWS) -> None:
        self.total = 0
        """Rows kept, messages and error rows (which hold none) alike; folders apart (``folders``)."""
        self.errors = 0
        """Of them, the error rows: inputs that hold no message, counted apart from the messages."""
        self.verdicts: Counter[str] = Counter()
        self.domains: Counter[str] = Counter()
        self.ips: Counter[str] = Counter()
        """Messages per boundary client IP (the sending server as the receiving side saw it)."""
        self.by_verdict: dict[str, dict[str, Counter[str]]] = {"sending domain": {}, "sending IP": {}}
        """Per table, per key: the messages' verdicts (one domain's genuine and forged mail apart)."""
        self.reasons: Counter[str] = Counter()
        self.slowest: list[tuple[float, str, str]] = []
        self.rows: list[ScanRow] = []
        """The first ``row_limit`` rows, for the table (none for CSV and JSONL)."""
        self.rows_not_kept = 0
        """Rows past ``row_limit``: counted, not kept, so memory stays flat on any mailbox."""
        self._row_limit = row_limit
        self.spans: dict[str, dict[str, list[datetime]]] = {table: {} for table in _SPAN_TABLES}
        """Per table of the summary, per key: [first, last] time a message was delivered.
        Kept with the rows only (for the terminal summary)."""
        self._keep_rows = keep_rows
        self.scanned: int | None = None
        """Messages scanned, when --filter kept fewer than that (the counts are of those kept)."""
        self.copies: dict[str, _Copies] = {}
        """Per message (its Message-ID, else Subject and Date): its copies, at most ``MAX_GROUPS``
        messages (terminal summary only)."""
        self.ungrouped = 0
        """Messages with neither a Message-ID nor a Subject and Date: each counted as distinct."""
        self.groups_full = False
        """Whether ``copies`` reached ``MAX_GROUPS`` and stopped taking new messages."""
        self.cut_off = 0
        """Rows kept that are a file cut off inside its header (input.truncated): read as far as it goes."""
        self.reasons_lower: Counter[str] = Counter()
        """Per failing reason's id: the messages that have it only as a notice or information (a
        recorded DMARC fail an ARC chain explains), which --filter reason= matches too."""
        self.scanned_errors = 0
        """Unreadable rows among every row scanned (``seen``), whatever --filter kept."""
        self.scanned_cut_off = 0
        """Cut-off rows among every row scanned (``seen``)."""
        self.folders = 0
        """Rows kept that are folders that could not be listed (not messages: not in ``total``)."""
        self.scanned_folders = 0
        """Such folders among every row scanned (``seen``)."""

    def seen(self, row: ScanRow) -> None:
        """Count a row scanned, kept by --filter or not: the header line says the scan's totals."""
        if row.kind == "folder":
            self.scanned_folders += 1
        elif row.error:
            self.scanned_errors += 1
        elif is_cut_off(row):
            self.scanned_cut_off += 1

    def add(self, row: ScanRow) -> None:
        if row.kind == "folder":
            # A folder that could not be listed: no message, said apart in the header line; its
            # row is listed in the table with the unreadable files.
            self.folders += 1
            if self._keep_rows:
                if len(self.rows) < self._row_limit:
                    self.rows.append(row)
                else:
                    self.rows_not_kept += 1
            return
        self.total += 1
        if row.error:
            self.errors += 1
            self.verdicts["error"] += 1
        else:
            verdict = row.verdict or "?"
            self.verdicts[verdict] += 1
            if self._keep_rows:
                # Only the terminal summary shows these, one entry per distinct domain and IP:
                # a CSV or JSONL scan of a huge mailbox keeps its memory flat without them.
                domain = row.from_domain or "(none)"
                self.domains[domain] += 1
                self.by_verdict["sending domain"].setdefault(domain, Counter())[verdict] += 1
                ip = row.client_ip or "(none)"
                self.ips[ip] += 1
                self.by_verdict["sending IP"].setdefault(ip, Counter())[verdict] += 1
            self.reasons.update(row.failing_reasons)
            # Only the ids some row fails on are shown: the rest are not kept.
            self.reasons_lower.update(set(row.other_findings).difference(row.failing_reasons))
            self.cut_off += is_cut_off(row)
            if row.slowest_delay_seconds is not None and row.slowest_hop:
                self.slowest.append((row.slowest_delay_seconds, row.slowest_hop, row.label))
                self.slowest.sort(reverse=True)
                del self.slowest[5:]
        if self._keep_rows:
            if len(self.rows) < self._row_limit:
                self.rows.append(row)
            else:
                self.rows_not_kept += 1
            if not row.error:
                self._add_span(row)
                self._add_copy(row)

    def _add_copy(self, row: ScanRow) -> None:
        key = _copy_key(row)
        if key is None:
            self.ungrouped += 1
            return
        copies = self.copies.get(key)
        if copies is None:
            if len(self.copies) >= MAX_GROUPS:
                self.groups_full = True
                return
            copies = self.copies[key] = _Copies(row.subject or row.message_id or "")
        copies.add(row)

    def distinct(self) -> int:
        """Distinct messages among those counted (a lower bound when ``groups_full``)."""
        return len(self.copies) + self.ungrouped

    def _add_span(self, row: ScanRow) -> None:
        # "Since when?": the receiver's stamp; the sender's Date: only when no hop has one.
        moment = utc_moment(row.delivered) or utc_moment(row.date)
        if moment is None:
            return
        keys = (("verdict", row.verdict or "?"), ("sending domain", row.from_domain or "(none)"),
                ("sending IP", row.client_ip or "(none)"),
                *(("failing reason", reason) for reason in row.failing_reasons))
        for table, key in keys:
            span = self.spans[table].get(key)
            if span is None:
                self.spans[table][key] = [moment, moment]
            elif moment < span[0]:
                span[0] = moment
            elif moment > span[1]:
                span[1] = moment


_SPAN_TABLES = ("verdict", "sending domain", "sending IP", "failing reason")

MAX_GROUPS = 100_000
"""Distinct messages the campaign count remembers (about 300 bytes each): past it, new ones are
no longer counted, and the summary says so."""
# Folders and sending IPs remembered per message: a message stored a thousand times is listed by its first few.
_MAX_PER_GROUP = 8


def _copy_key(row: ScanRow) -> str | None:
    """What makes two rows copies of one message: its Message-ID (RFC 5322 section 3.6.4: unique
    to one message), else its Subject and Date together; None when it has neither."""
    # The whole value, hashed: two Message-IDs alike in their first hundreds of characters are two
    # messages (a sender can write them so), and a digest keeps each key small.
    import hashlib

    if row.message_id:
        return "id:" + hashlib.blake2b(row.message_id.encode("utf-8", "replace"), digest_size=16).hexdigest()
    if row.subject and row.date:
        return "sd:" + hashlib.blake2b(f"{row.date}\n{row.subject}".encode("utf-8", "replace"),
                                       digest_size=16).hexdigest()
    return None


class _Copies:
    """The copies of one message seen in the scan."""

    __slots__ = ("count", "folders", "ips", "replied", "title")

    def __init__(self, title: str) -> None:
        self.title = title[:200]
        self.count = 0
        self.folders: dict[str, None] = {}
        self.ips: dict[str, None] = {}
        self.replied = False

    def add(self, row: ScanRow) -> None:
        self.count += 1
        if len(self.folders) < _MAX_PER_GROUP:
            self.folders.setdefault((row.folder or "(none)")[:100], None)
        if row.client_ip and len(self.ips) < _MAX_PER_GROUP:
            self.ips.setdefault(row.client_ip, None)
        self.replied = self.replied or "replied" in row.mailbox_flags


def is_cut_off(row: ScanRow) -> bool:
    """A message file cut off inside its header (input.truncated, api._input_findings): read as
    far as it goes, and counted apart so the header line does not pass it off as whole."""
    return "input.truncated" in row.failing_reasons or "input.truncated" in row.other_findings


def _damage(unreadable: int, cut_off: int, zero: bool = True, folders: int = 0) -> str:
    """"1 unreadable, 1 cut off, 1 folder could not be listed": the unreadable count even when 0
    (unless ``zero`` is off), the cut-off and folder ones when there are some."""
    return ", ".join(([f"{unreadable} unreadable"] if unreadable or zero else [])
                     + ([f"{cut_off} cut off"] if cut_off else [])
                     + ([f"{folders} folder{'s' if folders > 1 else ''} could not be listed"] if folders else []))


def _minute(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


# Rows of each count table (verdicts, sending domains, failing reasons) shown, the largest first.
_TOP_ROWS = 10


def render_summary(summary: Summary, color: bool, width: int = 160) -> str:
    """The terminal summary and the per-message table."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..render.terminal import format_duration

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, markup=False, emoji=False)

    def t(value: object, style: str = "") -> Text:
        text = one_line("" if value is None else str(value))
        return Text(text if len(text) <= 80 else text[:79] + "…", style=style)

    distinct = ""
    # The messages and the unreadable inputs are counted apart (V52d D3-1: "2 message(s), 1
    # unreadable" was said of one message and one binary file): an error row holds no message.
    messages = summary.total - summary.errors
    # Said when some messages are copies of others (or the count stopped), not on every scan.
    if summary.groups_full or (summary.copies and summary.distinct() != messages):
        distinct = f" ({'at least ' if summary.groups_full else ''}{summary.distinct()} distinct)"
    if summary.scanned is not None and summary.scanned != summary.total + summary.folders:
        # The scan's totals, not the kept rows': "0 unreadable" of a filtered run read as a fact
        # about the scan when the unreadable file was only filtered out.
        kept = (f" ({_damage(summary.errors, summary.cut_off, zero=False, folders=summary.folders)})"
                if summary.errors or summary.cut_off or summary.folders else "")
        # Text of the tool's own words and counts: not cut at t()'s 80 characters.
        console.print(Text(f"{messages} message(s){distinct} kept by --filter{kept}, of "
                           f"{summary.scanned - summary.scanned_folders - summary.scanned_errors} scanned ("
                           f"{_damage(summary.scanned_errors, summary.scanned_cut_off, folders=summary.scanned_folders)}).",
                           style="bold"))
    else:
        console.print(Text(f"{messages} message(s){distinct}, "
                           f"{_damage(summary.errors, summary.cut_off, folders=summary.folders)}.", style="bold"))
    if any(summary.spans.values()):
        console.print(t("first, last: delivered (the last Received stamp, else Date:), UTC"))
    for title, counter in (("verdict", summary.verdicts), ("sending domain", summary.domains),
                           ("sending IP", summary.ips), ("failing reason", summary.reasons)):
        if not counter:
            continue
        spans = summary.spans[title]
        verdicts = summary.by_verdict.get(title)
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        # The failing reasons are the warnings and dangers: counting every finding would bury
        # them under the notices most messages have (input.cleaned, hops.no_received). An id
        # that is a notice elsewhere (a recorded DMARC fail an ARC chain explains) is counted
        # beside it, so the table and --filter reason= (any severity) add up.
        table.add_column("failing reason (warning, danger)" if title == "failing reason" else title)
        table.add_column("messages", justify="right")
        lower = summary.reasons_lower if title == "failing reason" else Counter()
        shown = counter.most_common(_TOP_ROWS)
        with_lower = any(lower[key] for key, _ in shown)
        if with_lower:
            table.add_column("+ as notice/info", justify="right")
        if verdicts is not None:
            # One domain's or server's genuine and forged mail apart: the incident's question.
            table.add_column("by verdict")
        if spans:
            table.add_column("first")
            table.add_column("last")
        for key, count in shown:
            cells = [t(key), t(count)]
            if with_lower:
                cells.append(t(f"+{lower[key]}" if lower[key] else ""))
            if verdicts is not None:
                cells.append(t(", ".join(f"{name} {number}" for name, number in
                                         (verdicts.get(key) or Counter()).most_common())))
            if spans:
                first, last = spans.get(key) or (None, None)
                cells += [t(_minute(first)), t(_minute(last))]
            table.add_row(*cells)
        console.print(table)
        if len(counter) > _TOP_ROWS:
            # Said, not hidden: the rarest reasons (a look-alike domain) may be the ones that matter.
            console.print(t(f"… and {len(counter) - _TOP_ROWS} more {title}s, with fewer messages (all: --format csv)"))
    repeated = sorted((c for c in summary.copies.values() if c.count > 1), key=lambda c: -c.count)
    if repeated:
        # A campaign, or one message filed twice (INBOX and an archive): copies, not messages.
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for column in ("messages seen more than once", "copies", "folders", "sending IPs", "replied"):
            table.add_column(column, overflow="ellipsis")
        for copies in repeated[:_TOP_ROWS]:
            table.add_row(t(copies.title), t(copies.count), t(", ".join(copies.folders)), t(", ".join(copies.ips)),
                          t("yes" if copies.replied else ""))
        console.print(table)
        if len(repeated) > _TOP_ROWS:
            console.print(t(f"… and {len(repeated) - _TOP_ROWS} more messages seen more than once"))
    if summary.groups_full:
        console.print(t(f"(copies counted among the first {MAX_GROUPS:,} distinct messages only)"))
    if summary.slowest:
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for column in ("slowest hop", "delay", "message"):
            table.add_column(column)
        for delay, host, label in summary.slowest:
            table.add_row(t(host), t(format_duration(delay)), t(label))
        console.print(table)
    if summary.rows:
        table = Table(show_edge=False, pad_edge=False, header_style="bold", box=box.SIMPLE_HEAD)
        # Short columns keep their width; only from and subject give way on a narrow terminal.
        number_width = len(str(summary.rows[-1].index))
        # The time is the same as the counts' "first, last": delivered, in UTC (the sender's Date:
        # only for a message no server stamped).
        for column, min_width, max_width in (("#", number_width, 8), ("delivered", 16, 16), ("from", 10, 22),
                                             ("subject", 10, 26), ("verdict", 15, 15), ("DKIM", 9, 9),
                                             ("SPF", 9, 9), ("DMARC", 11, 11), ("hops", 4, 4), ("delay", 8, 8)):
            table.add_column(column, overflow="ellipsis", no_wrap=True, min_width=min_width, max_width=max_width)
        for row in summary.rows:
            if row.error:
                table.add_row(t(row.index), t(""), t(row.label), t(row.error, "red"), t("error", "red"),
                              t(""), t(""), t(""), t(""), t(""))
                continue
            # A cut-off file often stops before its Subject: the empty cell says why.
            subject = t(row.subject) if row.subject or not is_cut_off(row) else t("(cut off)", "red")
            table.add_row(t(row.index), t(_minute(utc_moment(row.delivered) or utc_moment(row.date))),
                          t(from_cell(row)), subject,
                          t(row.verdict), t(row.dkim), t(row.spf), t(row.dmarc), t(row.hops),
                          t(format_duration(row.total_delay_seconds)))
        console.print(table)
    if summary.rows_not_kept:
        console.print(Text(f"… and {summary.rows_not_kept} more message(s), counted above but not listed: "
                           "narrow with --filter, or list every one with --format csv.", style="bold"))
    return buffer.getvalue()
