"""The terminal report (rich): the story first, then hops, envelope, authentication, findings.

Every string that comes from the message goes through ``_safe`` (control characters and
escape sequences stripped) and into ``rich.text.Text`` objects, which rich never reads as
markup, so a Subject like ``[bold red]`` or ``\\x1b[2J`` is shown as written, harmlessly.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from ..domains import idn_lookalike, idn_other_form, one_idn_host, with_idn_forms
from ..hops import cloud_default_name, host_domain, host_organization
from ..model import Finding, Hop, Report, Role, Severity, WaitCause
from ..received import NO_TIME_ZONE, authenticated_login, client_name_words, client_user_words
from ..text import header_ref, one_line, result_words, shown_hidden
from .interface import (
    Renderer,
    dns_source_words,
    dns_status_words,
    dns_unanswered_line,
    unlisted_attachments_line,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import Console, RenderableType
    from rich.text import Text

# Long message-derived values are cut in tables; the JSON and HTML keep them whole.
_MAX_CELL = 200
# A hostile message can carry thousands of hops, signatures or findings; the terminal shows
# the first ones and says how many more the JSON holds, so rendering time stays bounded.
_MAX_ROWS = 40
_MAX_HOP_ROWS = 60
# The narrowest width the hop table's nine columns read at (host names in whole pieces); a
# narrower terminal gets each hop's fields stacked (_hop_stack).
_WIDE_HOP_TABLE = 100

_VERDICT_STYLE = {
    "authenticated": "bold green",
    "vouched": "bold cyan",
    "suspicious": "bold yellow",
    "spoofed": "bold red",
    "unauthenticated": "bold magenta",
    "not_checked": "bold blue",
}
_SEVERITY_STYLE = {
    Severity.DANGER: "bold red",
    Severity.WARNING: "yellow",
    Severity.NOTICE: "cyan",
    Severity.INFO: "dim",
}
_RESULT_STYLE = {
    "pass": "green",
    "fail": "red",
    "softfail": "yellow",
    "neutral": "yellow",
    "permerror": "red",
    "temperror": "yellow",
    "none": "dim",
    "not_checked": "blue",
    "policy": "yellow",
}


def _safe(value: object, limit: int = _MAX_CELL) -> str:
    text = one_line("" if value is None else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _t(value: object, style: str = "", limit: int = _MAX_CELL) -> Text:
    from rich.text import Text

    return Text(_safe(value, limit), style=style)


def _t_marked(value: str, style: str = "", limit: int = _MAX_CELL) -> Text:
    """``_t`` with each hidden or direction-changing character shown as ``⟨U+XXXX⟩`` (shown_hidden)
    instead of removed: for the sender's own text a reader judges (the From: name, the Subject),
    where a U+202E that turns "exe.pdf" around is the point, as the HTML and Markdown reports
    show it. Only the first 2 * limit characters are looked at: the cell keeps fewer."""
    return _t(shown_hidden(value[: 2 * limit]), style, limit)


# A finding's or an envelope difference's explanation: its own words, at most this long.
_MAX_EXPLANATION = 2400
# The hop table's date cell: "2026-03-02" and "10:00:00+00:00" fit, as does an unread date's start.
_MAX_DATE_CELL = 30
# The hop table's host names: each form of one is cut at this many characters.
_MAX_HOST = 120


def _host_shown(name: str) -> tuple[str, int]:
    """A host name as the hop table shows it, and how many characters its other form adds (the
    cell's limit grows by as much). One written in Unicode has its hidden characters marked
    (shown_hidden): a zero-width, soft hyphen or bidi character is what makes one name pass for
    another, and one_line would drop it silently. An internationalised name has its other form
    beside it (domains.idn_other_form: "mx.xn--bcher-kva.example (mx.bücher.example)",
    "mx.bücher.example (mx.xn--bcher-kva.example in DNS)"), each form cut at _MAX_HOST, and
    after it what makes it a look-alike, if anything (domains.idn_lookalike: "mx.xn--pypal-4ve.com
    (mx.pаypal.com; looks like the ASCII name mx.paypal.com)"). Any other name is as written, for
    the cell to cut as before."""
    written = name if name.isascii() else shown_hidden(name)
    other = idn_other_form(name)
    if other is None:
        return written, 0
    lookalike = idn_lookalike(name)
    beside = f" ({_safe(other, _MAX_HOST)}" + (f"; {_safe(lookalike, _MAX_HOST)})" if lookalike else ")")
    return _safe(written, _MAX_HOST) + beside, len(beside)


def _t_lines(lines: Iterable[object], style: str = "", limit: int = _MAX_CELL) -> Text:
    """Lines of the report's own layout, each holding text from the message: each line made
    safe (a line break of the message's cannot start a line), then joined."""
    from rich.text import Text

    text = "\n".join(one_line("" if line is None else str(line)) for line in lines)
    return Text(text if len(text) <= limit else text[: limit - 1] + "…", style=style)


def format_duration(seconds: float | None) -> str:
    """Signed, human duration: ``+2s``, ``-1m 05s``, ``+3h 10m``; ``?`` when unknown."""
    if seconds is None:
        return "?"
    sign = "-" if seconds < 0 else "+"
    total = abs(seconds)
    if total < 1 and total > 0:
        return f"{sign}{total:.2f}s"
    whole = round(total)
    days, rem = divmod(whole, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def format_approximate(seconds: float | None) -> str:
    """A delay between stamps exact to the minute only: ``<1m``, ``≈+3m``, ``≈+1h 05m``."""
    if seconds is None:
        return "?"
    minutes = round(abs(seconds) / 60)
    if minutes == 0:
        return "<1m"
    return "≈" + format_duration(math.copysign(minutes * 60, seconds)).removesuffix(" 00s")


def _shown_hops(report: Report) -> tuple[tuple[Hop, ...], int, set[str], set[int]]:
    """The hops the hop table or stack shows, how many are left out, the hops whose step is read
    as a server's clock being off (hops.clock_offset, hops.clock_lag: the raw step shown, marked)
    and the hop numbers a delivery gap leads into (hops.earlier_delivery: no server's wait either)."""
    hops = report.hops
    omitted = 0
    if len(hops) > _MAX_HOP_ROWS:
        # Keep the earliest and the newest hops: the origin and the delivery matter most.
        omitted = len(hops) - _MAX_HOP_ROWS
        hops = hops[: _MAX_HOP_ROWS // 3] + hops[-(_MAX_HOP_ROWS - _MAX_HOP_ROWS // 3):]
    clock_off = {f.subject for f in report.findings if f.id in ("hops.clock_offset", "hops.clock_lag") and f.subject}
    resent = {number for number, _ in report.delivery_gaps()}
    return hops, omitted, clock_off, resent


class TerminalRenderer(Renderer):
    """Rich text for a terminal; plain text (no colour, no escape codes) when ``color`` is False."""

    name = "terminal"

    def __init__(self, color: bool = False, width: int = 110, verbose: bool = False) -> None:
        self.color = color
        self.width = width
        self.verbose = verbose

    def render(self, report: Report) -> str:
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=self.width,
            force_terminal=self.color,
            no_color=not self.color,
            color_system="standard" if self.color else None,
            highlight=False,
            emoji=False,
            markup=False,
            legacy_windows=False,
            soft_wrap=False,
        )
        for block in self._blocks(report):
            console.print(block)
        return buffer.getvalue()

    # ----- sections -------------------------------------------------------------------------

    def _blocks(self, report: Report) -> list[RenderableType]:
        from rich.rule import Rule

        blocks: list[RenderableType] = []
        blocks.extend(self._story(report))
        if report.delivery_report is not None and report.delivery_report.recipients:
            blocks.append(Rule(_t("Delivery report (this message is a bounce or delivery notice)")))
            blocks.append(self._delivery_report(report))
        if report.feedback_report is not None:
            from ..mime import feedback_heading

            # The heading names the format and whether a signature vouches for it (review V19 P1).
            blocks.append(Rule(_t(feedback_heading(report.feedback_report))))
            blocks.append(self._feedback_report(report))
        blocks.append(Rule(_t("Hops (earliest first)")))
        blocks.append(self._hop_table(report))
        blocks.append(Rule(_t("Envelope vs. headers")))
        blocks.extend(self._envelope(report))
        blocks.append(Rule(_t("Authentication")))
        blocks.extend(self._authentication(report))
        if report.bimi is not None:
            blocks.append(Rule(_t("BIMI (brand logo)")))
            blocks.append(self._bimi(report))
        if report.spam_filters:
            blocks.append(Rule(_t("Spam filters (as recorded)")))
            blocks.append(self._spam_filters(report))
        if report.bulk is not None:
            blocks.append(Rule(_t("Bulk mail")))
            blocks.append(self._bulk(report))
        if report.attached:
            blocks.append(Rule(_t("Attached messages (analyze one with --attached N)")))
            blocks.append(self._attached(report))
        if report.attachments or report.attachments_walk_stopped:
            blocks.append(Rule(_t("Attachments (from the part headers; no file was opened)")))
            blocks.append(self._attachments(report))
        blocks.append(Rule(_t("Findings")))
        blocks.extend(self._findings(report.findings))
        blocks.append(self._footer(report))
        return blocks

    def _story(self, report: Report) -> list[RenderableType]:
        from rich.text import Text

        out: list[RenderableType] = []
        verdict = report.verdict
        line = Text()
        line.append_text(_t(verdict.status.replace("_", " ").upper(), _VERDICT_STYLE.get(verdict.status, "bold")))
        line.append("  ")
        # The line is the report's own words (a failure, then what the receiver and the ARC sets
        # recorded about it): bounded, but not cut before the ARC sets' location of a body change.
        line.append_text(_t(verdict.summary, limit=1000))
        out.append(line)
        headline = report.carrier_headline()
        if headline is not None:
            # A person's forward or report: the verdict above is the reporter's mail's, and each
            # message it carries is named with its own verdict before anything else is read.
            out.append(_t(headline, "bold"))
            for summary in report.carried:
                out.append(_t(f"  {summary.line()}", limit=400))

        env = report.envelope
        sender = env.author()
        story = Text()
        if sender is not None:
            # An IDN domain also in the Unicode form the reader's mail program showed.
            address = with_idn_forms(sender.address)
            who = f"{sender.display_name} <{sender.address}>{address[len(sender.address):]}" \
                if sender.display_name else address
            story.append("From ")
            story.append_text(_t_marked(who, "bold"))
        elif not report.input.has_body and not any(h.name.lower() == "from" for h in report.headers):
            story.append(f"No From: in {report.header_words()}")
        else:
            story.append("No From: address")
        if env.to:
            # "No From: address to x@y" reads as if it were sent to nobody: after a missing
            # sender, the recipients are a field of their own.
            story.append(" to " if sender is not None else "; To: ")
            story.append_text(_t_marked(", ".join(with_idn_forms(a.address) for a in env.to[:3])
                                        + (" …" if len(env.to) > 3 else "")))
        if report.subject is not None and report.subject.strip():
            story.append(", subject ")
            story.append_text(_t_marked(f"“{report.subject}”", "italic"))
            if report.structure is not None and report.structure.subject_placeholder:
                story.append(" (a header-protection placeholder: the real subject is inside the encrypted part)")
        elif report.subject is not None:
            story.append(", with an empty subject")
        story.append(".")
        out.append(story)
        if report.structure is not None:
            out.append(_t(f"Structure: {report.structure.summary}.", limit=400))

        hops = report.hops
        orgs = _route(hops, report.boundary_hop)
        unnamed = _unnamed_client(hops, report.boundary_hop)
        journey = Text()
        if hops:
            journey.append(f"Travelled {len(hops)} hop{'s' if len(hops) != 1 else ''}")
            if unnamed is not None:
                # An address is no organisation the message went through: it is said as where the
                # receiving side got it from (the name it gave itself is in the boundary sentence).
                journey.append(" from ")
                journey.append_text(_t(unnamed, limit=60))
            if orgs:
                journey.append(" through ")
                journey.append_text(_t(" → ".join(with_idn_forms(org) for org in orgs), limit=400))
                claimed = _claimed_origin(hops, report.boundary_hop, orgs[0])
                if claimed:
                    journey.append(" (before that, by the earlier hops' own claim: ")
                    journey.append_text(_t(" → ".join(claimed), limit=200))
                    journey.append(")")
            access = _submitted_from(hops[report.boundary_hop - 1]) \
                if report.boundary_hop is not None and 1 <= report.boundary_hop <= len(hops) else None
            if access is not None:
                journey.append(", submitted from an address of ")
                journey.append_text(_t(with_idn_forms(access), limit=200))
            transit, before_first = report.transit_split()
            if transit is not None and access is not None:
                journey.append(",")
            if transit is not None:
                journey.append(f" in {format_duration(transit).lstrip('+')}")
                gaps = report.delivery_gaps()
                if gaps:
                    # (hops.earlier_delivery: the time between two deliveries, or before stamps the sender
                    # made up, which the total leaves out.)
                    journey.append(", leaving out " + ", ".join(
                        f"{format_duration(seconds).lstrip('+')} {report.delivery_gap_words(number)}"
                        for number, seconds in gaps[:3]))
            journey.append(".")
            if before_first is not None:
                # Exchange Online's arrival stamp (hops._why_waited) puts the wait inside the
                # provider, not in an outbox: said beside the gap, with its standing. Read from
                # the hop's cause, which its finding gives, never from the finding's wording.
                inside = hops[0].wait_cause is WaitCause.EXCHANGE_ARRIVAL
                journey.append(f" Its Date: is {format_duration(before_first).lstrip('+')} older than the first "
                               "server's stamp" + (", but Exchange Online's arrival stamp (the sending side's field) "
                                                   "says it waited inside Exchange Online." if inside else "."))
            if report.boundary_hop is not None:
                boundary = hops[report.boundary_hop - 1]
                journey.append(f" Trust boundary: hop {boundary.number}, where ")
                # A stamp may name neither side (qmail's "invoked from network"): said in words.
                # An IDN host name with its other form, as in the hop table (domains.idn_other_form).
                journey.append_text(_t(with_idn_forms(boundary.fields.by) if boundary.fields.by
                                       else "a server it does not name", "bold"))
                journey.append(" accepted it from ")
                journey.append_text(_t(boundary.fields.from_ip or boundary.fields.from_helo
                                       or "a client it does not record", "bold"))
                helo = boundary.fields.from_helo
                if boundary.fields.from_ip and helo and helo.strip("[]") != boundary.fields.from_ip \
                        and helo != boundary.fields.from_rdns:
                    # Unverified, and what a spoofer writes: "mail.bank.example" from a hosting address.
                    journey.append(" (which called itself ")
                    journey.append_text(_t(with_idn_forms(helo), limit=240))
                    journey.append(")")
                below = hops[:boundary.number - 1]
                if boundary.number > 1 and all(h.note and h.organization == boundary.organization for h in below) \
                        and any(f.id == "hops.arrival_missing" for f in report.findings):
                    # A paste that starts inside the receiver's own filter loop (Postfix to
                    # amavisd-new and back): the hops below are its hand-overs, not earlier servers.
                    earlier = "hop 1" if boundary.number == 2 else f"hops 1–{boundary.number - 1}"
                    journey.append(f"; {earlier}, before it, {'is a hand-over' if boundary.number == 2 else 'are hand-overs'}"
                                   " to and from a content filter on the receiving side, and the hop where the message "
                                   "arrived is not in this copy.")
                elif boundary.number > 1:
                    earlier = "hop 1" if boundary.number == 2 else f"hops 1–{boundary.number - 1}"
                    journey.append(f"; {earlier}, before it, {'is a claim' if boundary.number == 2 else 'are claims'} "
                                   "of earlier servers, not evidence")
                    entry = report.claimed_entry_words()
                    if entry is not None:
                        # Where an abuse report about it would start (review AR 9): said as theirs.
                        journey.append(": ")
                        journey.append_text(_t(entry, limit=400))
                    journey.append(".")
                else:
                    journey.append(".")
        else:
            journey.append("No Received headers: the route is unknown.")
        out.append(journey)
        if not report.input.has_body:
            out.append(_t("Headers only: body-dependent checks (DKIM body hash) cannot run.", "yellow"))
        # One line per title: two signatures whose bodies changed are one line naming both. A
        # delivery notice's own reading (a delay, a receipt: not a warning) is what the message is
        # about, and comes first.
        serious: dict[str, list[Finding]] = {}
        for finding in sorted(report.findings, key=lambda f: not f.id.startswith("dsn.")):
            if (finding.severity in (Severity.DANGER, Severity.WARNING) or finding.id.startswith("dsn.")) and \
                    (finding.title in serious or len(serious) < 5):
                serious.setdefault(finding.title, []).append(finding)
        for title, same in serious.items():
            subjects = list(dict.fromkeys(f.subject for f in same if f.subject))
            # "dkim a.example/s1, dkim b.example/s1": the method is the title's already.
            first_words = {subject.split(" ", 1)[0] for subject in subjects}
            if len(first_words) == 1 and all(" " in subject for subject in subjects):
                subjects = [subject.split(" ", 1)[1] for subject in subjects]
            if len(same) > 1 and subjects:
                title += f" ({', '.join(subjects[:3])}{', …' if len(subjects) > 3 else ''})"
            item = Text("  ! ", style=_SEVERITY_STYLE[same[0].severity])
            # A title may quote the sender's text (a From: name): its hidden characters marked.
            item.append_text(_t_marked(title, _SEVERITY_STYLE[same[0].severity]))
            out.append(item)
        return out

    def _hop_table(self, report: Report) -> RenderableType:
        from rich.table import Table

        if not report.hops:
            return _t("(no hops)", "dim")
        if self.width < _WIDE_HOP_TABLE:
            return self._hop_stack(report)
        table = Table(show_edge=False, pad_edge=False, expand=True, header_style="bold")
        table.add_column("#", no_wrap=True)
        table.add_column("received", no_wrap=True)
        table.add_column("delay", justify="right", no_wrap=True)
        table.add_column("from", overflow="fold", ratio=3)
        table.add_column("by", overflow="fold", ratio=3)
        table.add_column("with", overflow="fold", ratio=2)
        table.add_column("TLS", no_wrap=True)
        table.add_column("role", no_wrap=True)
        table.add_column("trust", no_wrap=True)
        previous_day: str | None = None
        hops, omitted, clock_off, resent = _shown_hops(report)
        for hop in hops:
            if omitted and hop.number == hops[_MAX_HOP_ROWS // 3].number:
                # Only "…" in the row: a longer line there would size the unwrapped "received"
                # column to itself and leave the other columns no width. Its words go below.
                table.add_row(_t("…"))
            row, previous_day = self._hop_row(hop, previous_day, clock=f"hop {hop.number}" in clock_off,
                                              resent=hop.number in resent)
            table.add_row(*row)
        return self._with_partly_read_note(table, hops, omitted)

    @staticmethod
    def _with_partly_read_note(table: RenderableType, hops: tuple[Hop, ...], omitted: int = 0) -> RenderableType:
        """The table with its notes below: the hops left out (``omitted``, the table's row shows
        only "…"), and the meaning of a partly read hop's "*"."""
        notes: list[RenderableType] = []
        if omitted:
            cut = _MAX_HOP_ROWS // 3
            notes.append(_t(f"… {omitted} hops between hop {hops[cut - 1].number} and hop {hops[cut].number} "
                            "not shown (see --format json)", "dim"))
        if any(not hop.fields.complete for hop in hops):
            # The "*" after a hop's number (_hop_row) needs its meaning said where it is seen.
            notes.append(_t("* the Received field was only partly read: what is shown is what could be "
                            "parsed; its raw text is in the JSON report (hops[].raw)", "dim"))
        if notes:
            from rich.console import Group

            return Group(table, *notes)
        return table

    def _hop_stack(self, report: Report) -> RenderableType:
        """The hops for a narrow terminal: each hop's fields one below the other, labelled, the
        same cells as the table's (_hop_row), so that host names and addresses keep whole lines
        instead of nine columns' slivers."""
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=False, show_edge=False, pad_edge=False, box=None, expand=True)
        table.add_column("#", no_wrap=True, style="bold")
        table.add_column("field", no_wrap=True, style="dim")
        table.add_column("value", overflow="fold", ratio=1)

        def flat(cell: Text) -> Text:
            # One line of a cell's lines ("2026-11-26" / "09:12:42-08:00"), its style kept.
            return Text(cell.plain.replace("\n", " "), style=cell.style)

        previous_day: str | None = None
        hops, omitted, clock_off, resent = _shown_hops(report)
        for position, hop in enumerate(hops):
            if omitted and hop.number == hops[_MAX_HOP_ROWS // 3].number:
                table.add_row(_t("…"), _t(""), _t(f"{omitted} hops not shown (see --format json)", "dim"))
            row, previous_day = self._hop_row(hop, previous_day, clock=f"hop {hop.number}" in clock_off,
                                              resent=hop.number in resent)
            number, when, delay, client, by, protocol, tls, role, trust = row
            table.add_row(number, _t("received"), Text.assemble(flat(when), "  ", flat(delay)))
            table.add_row(_t(""), _t("from"), client)
            table.add_row(_t(""), _t("by"), by)
            table.add_row(_t(""), _t("with"), protocol)
            table.add_row(_t(""), _t("TLS"), tls)
            table.add_row(_t(""), _t("role"), Text.assemble(role, "  ", trust),
                          end_section=position < len(hops) - 1)
            if position < len(hops) - 1:
                table.add_row(_t(""), _t(""), _t(""))  # a blank line between two hops
        return self._with_partly_read_note(table, hops)

    def _hop_row(self, hop: Hop, previous_day: str | None, clock: bool = False,
                 resent: bool = False) -> tuple[list[Text], str | None]:
        """``clock``: the step into this hop is read as the server's clock being off, not a wait;
        ``resent``: as the time between two deliveries (hops.earlier_delivery)."""
        f = hop.fields
        helo = f.from_helo if f.from_helo and f.from_helo.strip("[]") != f.from_ip else None
        rdns = f.from_rdns if f.from_rdns and f.from_rdns != f.from_helo else None
        if helo and rdns and one_idn_host(helo, rdns):
            # The greeting is the looked-up name in its other form (an SMTPUTF8 client greets as
            # mail.例子.中国, its reverse DNS says mail.xn--...): one name, shown once as the
            # looked-up one with its other form beside it, as when the two are written alike
            # (verification V40: the cell showed one host four times).
            helo, rdns = f.from_rdns, None
        # What the names' other forms add to the cell: its limit grows by as much, so the
        # address after them stays in it.
        added = 0
        if helo:
            shown, beside = _host_shown(helo)
            added += beside
            # The name the client gave itself, unverified: said so, not shown like a looked-up one.
            helo = client_name_words(shown, f.protocol) if helo != f.from_rdns else shown
        if rdns:
            rdns, beside = _host_shown(rdns)
            added += beside
        login = authenticated_login(f.auth)
        client_lines = [x for x in (helo,
                                    f"({rdns})" if rdns else None,
                                    f"[{f.from_ip}]" if f.from_ip else None,
                                    client_user_words(f.ident),
                                    f"login {login}" if login else None) if x]
        by, by_beside = _host_shown(f.by) if f.by else ("—", 0)
        if f.tls.encrypted is True:
            tls = " ".join(x for x in ("yes", f.tls.version) if x)
            tls_style = "green"
        elif f.tls.encrypted is False:
            tls, tls_style = "no", "red"
        else:
            tls, tls_style = "?", "dim"
        # A step out of a stamp behind an earlier hop's, or into a fast clock's: the wait beside it.
        net_wait = not (clock or resent) and hop.wait_differs()
        delay_style = "yellow" if clock or resent or net_wait else \
            "red" if hop.delay_seconds is not None and (hop.delay_seconds < 0 or hop.delay_seconds > 3600) else ""
        trust = "boundary" if hop.boundary else ("trusted" if hop.trusted else "claim")
        trust_style = "bold cyan" if hop.boundary else ("" if hop.trusted else "dim")
        number = f"{hop.number}{'' if f.complete else '*'}"
        # Show the date only when it changes; the offset as the receiver wrote it.
        when = ["?"]
        day = previous_day
        if f.timestamp:
            day, _, time_of_day = f.timestamp.partition("T")
            if NO_TIME_ZONE in f.problems:
                # Read as UTC for want of a zone (hops.no_zone): the time as written, no offset.
                time_of_day = time_of_day[:8] + " (no zone)"
            when = [time_of_day] if day == previous_day else [day, time_of_day]
        elif f.date_text:
            when = [f.date_text]
        # "via" is the link (RFC 5321 section 4.4): old sendmail wrote its protocol there
        # ("via ESMTP"), Exchange its transport ("via Frontend Transport").
        protocol = [x for x in (f.protocol, f"via {f.via}" if f.via else None,
                                f"auth {f.auth}" if f.auth and f.auth.split(" (")[0] != f.protocol
                                and not login else None, hop.note) if x]
        return [
            _t(number),
            # The column does not wrap: a date it could not read (a paste that ran the next
            # fields onto the stamp's line) is cut, or the other columns would get no width.
            _t_lines(when, limit=_MAX_DATE_CELL),
            _t_lines([format_duration(hop.delay_seconds), "(clock)" if clock else "(resent)"], delay_style)
            if clock or resent else _t_lines([format_duration(hop.delay_seconds), "(wait", "unknown)" if hop.wait_seconds
                                              is None else format_duration(hop.wait_seconds) + ")"], delay_style)
            if net_wait else _t(format_approximate(hop.delay_seconds) if hop.delay_approximate
                                       else format_duration(hop.delay_seconds), delay_style),
            _t_lines(client_lines, limit=300 + added) if client_lines else _t(hop.own_words() or "—", "dim", limit=120),
            _t(by, limit=_MAX_HOST + by_beside),
            _t_lines(protocol or ["—"]),
            _t(tls, tls_style),
            _t(hop.role.value),
            _t(trust, trust_style),
        ], day

    def _envelope(self, report: Report) -> list[RenderableType]:
        from rich.table import Table
        from rich.text import Text

        env = report.envelope
        table = Table(show_header=True, show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("envelope (SMTP)", overflow="fold")
        table.add_column("headers", overflow="fold")
        mail_from = env.null_sender_words() if env.mail_from == "" else (with_idn_forms(env.mail_from) if env.mail_from else (
            f"(not recorded; {env.claimed_mail_from_source or 'a claim'} says {env.claimed_mail_from})"
            if env.claimed_mail_from else "(not recorded)"))
        table.add_row(
            _t(f"MAIL FROM {mail_from}" + (f"  [{env.mail_from_source}]" if env.mail_from_source else "")),
            # The sender's names, hidden characters marked (_t_marked), as in the opening line.
            _t_marked("From: " + (", ".join(_addr(a) for a in env.header_from) or "—")),
        )
        # A mailbox the receiver's own alias expansion or forward reached is no RCPT TO of its own.
        listed = list(enumerate(zip(env.rcpt_to, env.rcpt_to_sources, strict=False)))
        rcpts = ([f"RCPT TO {r}  [{src}]" for i, (r, src) in listed if env.rcpt_role(i) != "resolved_mailbox"]
                 or ["RCPT TO (not recorded)"])
        rcpts.extend(f"delivered to mailbox {r} (after the receiver's alias expansion or forward)  [{src}]"
                     for i, (r, src) in listed if env.rcpt_role(i) == "resolved_mailbox")
        rcpts.extend(f"delivered to {what}  [{src}]"
                     for what, src in zip(env.other_recipients, env.other_recipient_sources, strict=False))
        # A recipient only a field below every Received names (a milter's or the sender's): beside
        # RCPT TO, never as it; the claimed_rcpt difference below says why it may differ.
        # Hidden characters marked (shown_hidden), as HTML and Markdown show them: a sender's text.
        rcpts.extend(f"claimed RCPT TO {shown_hidden(address)} (unverified, not the receiver's record)  [{src}]"
                     for address, src in zip(env.claimed_rcpt_to, env.claimed_rcpt_to_sources, strict=False))
        # An earlier delivery inside the receiving side (a forward there): its own MAIL FROM.
        rcpts.extend(f"MAIL FROM of an earlier delivery {address or '<>'}  [{src}]"
                     for address, src in zip(env.earlier_mail_from, env.earlier_mail_from_sources, strict=False))
        header_rcpts = ["To: " + (", ".join(_addr(a) for a in env.to) or _no_address_words(env.to_without_address))]
        if env.cc:
            header_rcpts.append("Cc: " + ", ".join(_addr(a) for a in env.cc))
        if env.reply_to:
            header_rcpts.append("Reply-To: " + ", ".join(_addr(a) for a in env.reply_to))
        if env.sender is not None:
            header_rcpts.append("Sender: " + _addr(env.sender))
        # The latest re-sending (RFC 5322 section 3.6.6): the addressees of the last leg.
        for label, resent in (("Resent-From", env.resent_from), ("Resent-To", env.resent_to),
                              ("Resent-Cc", env.resent_cc)):
            if resent:
                header_rcpts.append(f"{label}: " + ", ".join(_addr(a) for a in resent))
        if env.resent_date:
            header_rcpts.append(f"Resent-Date: {env.resent_date}")
        for i in range(max(len(rcpts), len(header_rcpts))):
            table.add_row(_t(rcpts[i] if i < len(rcpts) else ""),
                          _t_marked(header_rcpts[i] if i < len(header_rcpts) else ""))
        out: list[RenderableType] = [table]
        if env.srs is not None:
            out.append(_t(f"SRS ({env.srs.scheme}): original sender {env.srs.original_sender or '?'}, "
                          f"rewritten by {env.srs.forwarder}"))
        if env.relay is not None:
            out.append(_t(f"Relay: {env.relay.summary()}", limit=_MAX_EXPLANATION))
            for note in env.relay.notes:
                out.append(_t(f"  {note}", limit=_MAX_EXPLANATION))
        for diff in env.differences:
            line = Text("  • ")
            line.append_text(_t(diff.kind, "bold"))
            line.append(": ")
            line.append_text(_t_marked(diff.explanation, limit=_MAX_EXPLANATION))
            out.append(line)
        return out

    def _authentication(self, report: Report) -> list[RenderableType]:
        from rich.table import Table
        from rich.text import Text

        out: list[RenderableType] = []
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("check")
        table.add_column("result")
        table.add_column("details", overflow="fold")
        if not report.dkim:
            table.add_row(_t("DKIM"), _t("none", "dim"), _t(report.no_signature_words()))
        for sig in report.dkim_listed(_MAX_ROWS):
            aligned = sig.alignment_words()
            details = ", ".join(x for x in (
                f"d={sig.domain or '?'} s={sig.selector or '?'}", sig.algorithm,
                f"{sig.key_bits}-bit key" if sig.key_bits else None, aligned, sig.row_reason) if x)
            table.add_row(_t(f"DKIM #{sig.index + 1}"), _result(sig.result), _t(details, limit=_MAX_EXPLANATION))
        if len(report.dkim) > _MAX_ROWS:
            table.add_row(_t("DKIM"), _t("…"), _t(f"{len(report.dkim) - _MAX_ROWS} more signatures (see --format json)"))
        if report.spf is not None:
            table.add_row(_t("SPF"), _result(report.spf.result),
                          _t(", ".join(report.spf.detail_words()), limit=_MAX_EXPLANATION))
        if report.dmarc is not None:
            dmarc = report.dmarc
            # Only what is known to hold: the not-known halves are the explanation's to tell.
            align = [words for words, value in zip(dmarc.alignment_words(), (dmarc.dkim_aligned, dmarc.spf_aligned),
                                                   strict=True) if value]
            details = ", ".join(x for x in (
                f"From domain {with_idn_forms(dmarc.from_domain)}" if dmarc.from_domain else None,
                f"policy {dmarc.policy}" if dmarc.policy else None,
                f"disposition {dmarc.disposition}" if dmarc.disposition else None,
                *align, dmarc.explanation) if x)
            table.add_row(_t("DMARC"), _result(dmarc.result), _t(details, limit=_MAX_EXPLANATION))
            if dmarc.tree_walk_note:
                # RFC 9989 decided the row above; receivers still on RFC 7489 decide otherwise.
                table.add_row(_t(""), _t("older rules"), _t(dmarc.tree_walk_note, limit=_MAX_EXPLANATION))
        if report.arc is not None:
            arc = report.arc
            table.add_row(_t("ARC"), _result(arc.result),
                          # A repeated instance's reason counts the sets itself ("2 sets, the same
                          # instance i=1 twice"): arc.instances holds one per instance.
                          _t(arc.reason if arc.reason_code in ("duplicate_set", "instance_limit") else
                             f"{len(arc.instances)} set{'' if len(arc.instances) == 1 else 's'}; {arc.reason}",
                             limit=_MAX_EXPLANATION))
        if report.reverse_dns is not None and report.reverse_dns.result != "not_checked":
            rdns = report.reverse_dns
            table.add_row(_t("rDNS"), _result(rdns.result), _t(rdns.explanation, limit=_MAX_EXPLANATION))
        out.append(table)
        if report.arc is not None:
            # (arc.sender_sealed: a set the sending side added on its way out is no intermediary's view.)
            from ..auth.arc import SENDER_SEALED_ID, SENDER_SEALED_WORDS

            outbound = {f.subject for f in report.findings if f.id == SENDER_SEALED_ID}
            for inst in report.arc.instances[:_MAX_ROWS]:
                saw = SENDER_SEALED_WORDS if f"arc i={inst.instance}" in outbound else "it saw"
                out.append(_t(f"  ARC i={inst.instance} by {inst.domain or '?'}: cv={inst.cv or '?'} seal={inst.seal_result or '?'}"
                              f" AMS={inst.signature_result or '?'}; {saw}: "
                              f"{' '.join((inst.authentication_results or '—').split())}", limit=400))
        if report.comparison:
            cmp_table = Table(title=None, show_edge=False, pad_edge=False, header_style="bold")
            for column in ("recorded at delivery vs. now", "recorded", "now", "why"):
                cmp_table.add_column(column, overflow="fold")
            for c in report.comparison[:_MAX_ROWS]:
                label = c.method + (f" {c.subject}" if c.subject else "")
                cmp_table.add_row(_t(label), _result(c.recorded or "—"), _result(c.recomputed or "—"),
                                  _t(f"{c.label.replace('_', ' ')}: {c.explanation}", limit=_MAX_EXPLANATION))
            out.append(cmp_table)
        for index, name, writer, words in report.signature_results():
            # The receiver's own check of a signature this tool does not verify (RFC 7281).
            out.append(_t(f"  Recorded by the receiving side ({writer or 'no writer named'} in {header_ref(index)}, "
                          f"{name}), not checked by this tool: {words}", limit=300))
        claims = report.claimed_results()
        if claims:
            out.append(Text("  Recorded results not relied on (written below the trust boundary or by another party): "
                            "claims, not evidence:", style="dim"))
            for index, name, writer, words in claims:
                out.append(_t(f"    {header_ref(index)} ({name}, {writer or 'no writer named'}): {words}",
                              "dim", limit=300))
        return out

    def _spam_filters(self, report: Report) -> RenderableType:
        from rich.table import Table

        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for column in ("filter", "verdict", "details", "standing"):
            table.add_column(column, overflow="fold")
        from ..spamfilters import microsoft_context

        for verdict in report.spam_filters[:_MAX_ROWS]:
            label = "spam" if verdict.spam else "not spam" if verdict.spam is False else "no verdict"
            rules = f"; rules: {', '.join(verdict.rules[:12])}" + (" …" if len(verdict.rules) > 12 else "") \
                if verdict.rules else ""
            # Microsoft's report: what its Message Header Analyzer shows beyond the verdict.
            details = _t(verdict.summary + rules, limit=600)
            context = microsoft_context(verdict, report.recorded)
            if context:
                details.append("\n" + _safe(context, 600))
            table.add_row(_t_lines([verdict.filter, f"{verdict.header} ({header_ref(verdict.header_index)})"], limit=200),
                          _t(label, "red" if verdict.spam else "green" if verdict.spam is False else ""),
                          details,
                          _t("receiver" if verdict.trusted else f"claim, {verdict.place}" if verdict.place else "claim",
                             "" if verdict.trusted else "dim"))
        return table

    def _delivery_report(self, report: Report) -> RenderableType:
        from rich.table import Table
        from rich.text import Text

        from ..mime import dsn_said_cell, dsn_said_heading, dsn_sent_to

        delivery = report.delivery_report
        assert delivery is not None
        by = f"reported by {delivery.reporting_mta}" if delivery.reporting_mta else "reporting server not named"
        arrived = f", which received the message {delivery.arrival_date}" if delivery.arrival_date else ""
        table = Table(show_edge=False, pad_edge=False, header_style="bold", caption=_t(by + arrived, limit=300),
                      caption_justify="left")
        shown = delivery.recipients[:_MAX_ROWS]
        # Headed by who said the reasons: a remote server's reply, or the reporting server's own
        # words (Postfix's X-Postfix diagnostics, Exim's notice text), RFC 3464 section 2.3.6.
        heading = dsn_said_heading(shown)
        for column in ("recipient", "action", "status", heading):
            table.add_column(column, overflow="fold")
        for recipient in shown:
            style = {"failed": "red", "delayed": "yellow"}.get(recipient.action or "", "green")
            status = _safe(" ".join(p for p in (recipient.status or "—", recipient.status_meaning) if p), 300)
            said = _safe(dsn_said_cell(recipient, delivery.reporting_mta, mixed=heading == "server said") or "—", 600)
            # The dates after the text, each cut on its own: a long reply or meaning cut at the
            # cell's limit must not take them with it (as the markdown table, b767972).
            if recipient.will_retry_until:
                status += f" (will retry until {_safe(recipient.will_retry_until, 100)})"
            if recipient.last_attempt_date:
                said += f" (last attempt {_safe(recipient.last_attempt_date, 100)})"
            # The address the sender wrote beside the one an alias or forward made of it (as the HTML table).
            sent_to = dsn_sent_to(recipient)
            who = _safe(recipient.final_recipient or recipient.original_recipient or "—", 200) + (
                f" (sent to {_safe(sent_to, 200)})" if sent_to else "")
            table.add_row(_t(who, limit=420),
                          _t(recipient.action or "—", style), Text(status), Text(said))
        return table

    def _feedback_report(self, report: Report) -> RenderableType:
        from rich.console import Group

        from ..mime import feedback_intro, feedback_rows

        assert report.feedback_report is not None
        return Group(_t(feedback_intro(report.feedback_report, bool(report.attached)), "dim", limit=600),
                     _field_table(feedback_rows(report.feedback_report)))

    def _bimi(self, report: Report) -> RenderableType:
        from ..auth.bimi import bimi_rows

        assert report.bimi is not None
        return _field_table(bimi_rows(report.bimi))

    def _bulk(self, report: Report) -> RenderableType:
        from ..bulk import bulk_rows

        assert report.bulk is not None
        return _field_table(bulk_rows(report.bulk))

    def _attached(self, report: Report) -> RenderableType:
        from rich.table import Table

        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for column in ("N", "type", "from", "subject", "date"):
            table.add_column(column, overflow="fold")
        for entry in report.attached:
            kind = entry.content_type + (" (header only)" if entry.headers_only else "")
            carries = report.carried_count(entry.number)
            table.add_row(_t(f"{entry.number} (carries {carries})" if carries else entry.number), _t(kind), _t(entry.from_header or "—", limit=200),
                          _t(entry.subject or "—", limit=300), _t(entry.date or "—"))
        return table

    def _attachments(self, report: Report) -> RenderableType:
        from rich.console import Group
        from rich.table import Table

        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for column in ("part", "name", "type", "encoded size", "note"):
            table.add_column(column, overflow="fold")
        for entry in report.attachments:
            # The name with its hidden characters shown, not removed: a U+202E that reverses
            # "fdp.exe" is the point (shown_hidden; the line is then made safe as every other).
            name = shown_hidden(entry.filename) if entry.filename else "(no name)"
            note = entry.spoofed or entry.risk or ("inline" if entry.disposition == "inline" else "")
            table.add_row(_t(entry.position), _t(name, "bold red" if entry.spoofed else "", limit=220),
                          _t(entry.content_type), _t(f"{entry.size:,} B"),
                          _t(note, "red" if entry.spoofed else "yellow" if entry.risk else "dim", limit=300))
        unlisted = unlisted_attachments_line(report)
        if unlisted is None:
            return table
        return Group(table, _t(unlisted, "dim"))

    def _findings(self, findings: tuple[Finding, ...]) -> list[RenderableType]:
        from rich.text import Text

        if not findings:
            return [_t("No findings.", "dim")]
        out: list[RenderableType] = []
        if len(findings) > _MAX_ROWS * 2:
            out.append(_t(f"{len(findings)} findings; the first {_MAX_ROWS * 2} are shown (see --format json).", "dim"))
        for finding in findings[: _MAX_ROWS * 2]:
            style = _SEVERITY_STYLE[finding.severity]
            line = Text()
            line.append_text(_t(f"{finding.severity.value:<8}", style))
            # Titles and explanations may quote the sender's text (a From: name that is no address:
            # envelope.from_not_an_address): its hidden characters are marked, as the HTML and
            # Markdown reports mark them, not dropped (a U+202E or U+200B there is the point).
            line.append_text(_t_marked(finding.title, "bold" if finding.severity != Severity.INFO else ""))
            if finding.subject:
                # What the finding is about ("hop 5", a header, a signature's domain), as the Markdown
                # and HTML views name it; message-derived text, made one safe line by _t like the title.
                line.append_text(_t(f" ({_safe(finding.subject, 120)})"))
            line.append_text(_t(f"  [{finding.id}]", "dim"))
            out.append(line)
            detail = Text("         ")
            # The analysis's own words (the message's in them are bounded where quoted): long ones
            # are rare, and cut they lose their conclusion.
            detail.append_text(_t_marked(finding.explanation, limit=_MAX_EXPLANATION))
            if finding.reference:
                detail.append_text(_t(f"  {finding.reference}", "dim"))
            out.append(detail)
        return out

    def _footer(self, report: Report) -> RenderableType:
        origin = report.dns_source
        source = dns_source_words(report)
        if origin.source == "offline":
            used = f"no DNS was asked; {len(report.dns)} question(s) the checks needed were left unanswered."
        else:
            used = f"{len(report.dns)} answer(s) used as evidence."
        lines = [f"DNS: {source}, {used}",
                 f"Input: {report.input.source} ({report.input.format}, {report.input.size} bytes, sha256 {report.input.sha256[:16]}…)."
                 f" headerscope {report.version}, analyzed {report.analyzed_at}."]
        if self.verbose:
            for q in report.dns:
                answers = "; ".join("".join(r) for r in q.records) if q.records else dns_status_words(q.status)
                if q.more_records or q.more_octets:
                    answers += f" ({q.left_out_words()})"
                via = f" (CNAME → {' → '.join(q.cname_chain)})" if q.cname_chain else ""
                lines.append(f"  {q.name} {q.rdtype}{via}: {answers}")
        footer = _t_lines(lines, "dim", limit=100_000)
        unanswered = dns_unanswered_line(report)
        if unanswered is not None:
            # Not dim: with no DNS answer at all, every DNS row above is unknown, not a finding.
            footer = _t(unanswered, "bold yellow").append("\n").append_text(footer)
        return footer


def _result(result: str) -> Text:
    return _t(result_words(result) if result != "—" else result, _RESULT_STYLE.get(result, ""))


def _no_address_words(written: str | None) -> str:
    """A To: that names no address: as written, with what it is (an empty group such as
    "undisclosed-recipients:;", RFC 5322 section 3.4: the message went to Bcc recipients only)."""
    if not written:
        return "—"
    group = written.rstrip().endswith(";") and ":" in written
    return _safe(written) + (" (an empty group: no recipient shown, RFC 5322 section 3.4)" if group
                             else " (no address)")


def _addr(address: object) -> str:
    from ..model import Address

    if isinstance(address, Address):
        return f"{address.display_name} <{address.address}>" if address.display_name else address.address
    return str(address)


def _route(hops: tuple[Hop, ...], boundary_hop: int | None) -> list[str]:
    """The organisations the message went through, from the sender the receiving side saw.

    Hops before the trust boundary are claims a sender can write (a forged "bank.example" hop),
    so the route starts at the boundary hop's client: the organisation of the reverse-DNS name
    its receiver recorded. A client with no such name is no organisation (``_unnamed_client``
    says its address apart)."""
    if boundary_hop is None or not 1 <= boundary_hop <= len(hops):
        return [name for _, name in _organizations(hops)]
    boundary = hops[boundary_hop - 1]
    if boundary.role in (Role.MSA, Role.MUA):
        # A submission's client is the author's own device on its access network (a DSL line's
        # ISP), not a mail system the message went through (RFC 5598 section 4.3.1): the route
        # is the mail systems' alone, and the access network is said beside it.
        return [name for _, name in _organizations(hops[boundary_hop - 1:])]
    fields = boundary.fields
    origin = host_organization(fields.from_rdns) if fields.from_rdns else None
    shown = host_domain(fields.from_rdns) or origin
    cloud = cloud_default_name(fields.from_rdns)
    if cloud is not None and origin is not None:
        # A cloud provider's default instance name ("ec2-52-10-...compute.amazonaws.com") is
        # the provider's, not an organisation the message went through: said as what it is.
        shown = cloud[0]
    route = _organizations(hops[boundary_hop - 1:])
    if origin and shown and (not route or route[0][0] != origin):
        route.insert(0, (origin, shown))
    return [name for _, name in route]


def _unnamed_client(hops: tuple[Hop, ...], boundary_hop: int | None) -> str | None:
    """The address of the trust boundary's client when its receiver recorded no reverse-DNS name
    for it (a public address, a server handing the message over, not a submission): where the
    message came from, said as an address, never listed among the organisations it went through."""
    if boundary_hop is None or not 1 <= boundary_hop <= len(hops):
        return None
    boundary = hops[boundary_hop - 1]
    fields = boundary.fields
    if boundary.role in (Role.MSA, Role.MUA) or boundary.private_client or not fields.from_ip:
        return None
    if fields.from_rdns and host_organization(fields.from_rdns) is not None:
        return None
    return fields.from_ip


def _submitted_from(boundary: Hop) -> str | None:
    """The domain of the network a submission (MSA or MUA hop) came from, by the reverse-DNS
    name its server recorded for the client ("54.pool85-53-5.dynamic.orange.es": orange.es),
    when that client is a public address of another organisation; else None."""
    if boundary.role not in (Role.MSA, Role.MUA) or boundary.private_client or not boundary.fields.from_rdns:
        return None
    origin = host_organization(boundary.fields.from_rdns)
    if origin is None or origin == boundary.organization:
        return None
    return host_domain(boundary.fields.from_rdns) or origin


def _claimed_origin(hops: tuple[Hop, ...], boundary_hop: int | None, first_shown: str) -> list[str]:
    """The organisations the hops before the trust boundary name, earliest first, up to the one
    the route starts with: where the message says it came from (a claim), so the route line does
    not hide the sending service (Mailchimp before a list server, say)."""
    if boundary_hop is None or boundary_hop <= 1 or boundary_hop > len(hops):
        return []
    earlier = [name for _, name in _organizations(hops[:boundary_hop - 1])]
    if earlier and earlier[-1] == first_shown:
        earlier.pop()
    return earlier[:4]


def _organizations(hops: tuple[Hop, ...]) -> list[tuple[str, str]]:
    """(organisation, the domain to show) of each run of hops one organisation received: the
    domain as the first of them wrote it (protonmail.ch), not the name operator aliases merge
    it under (proton.me), so the route quotes the message's own evidence."""
    orgs: list[tuple[str, str]] = []
    for hop in hops:
        org = hop.organization
        if org and (not orgs or orgs[-1][0] != org):
            written = host_domain(hop.fields.by)
            orgs.append((org, written if written and host_organization(hop.fields.by) == org else org))
    return orgs


def make_console(color: bool) -> Console:
    """A console for progress output on stderr (used by the CLI)."""
    from rich.console import Console

    return Console(stderr=True, force_terminal=color, no_color=not color, highlight=False, markup=False)


def import_rich() -> None:
    """Import the parts of rich a report uses (they are otherwise imported on first use).

    rich imports ``pickle`` at start-up for the metadata of styles, which a report never
    sets; it is imported only if rich calls it (``_deferred``)."""
    from .._deferred import deferred_names

    with deferred_names("pickle", "dumps", "loads"):
        import rich.console
        import rich.rule
        import rich.table
        import rich.text  # noqa: F401


def _field_table(rows: Iterable[tuple[str, str]]) -> RenderableType:
    """A two-column table of a section's fields and their values (bold names, folded values)."""
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, show_header=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for label, value in rows:
        table.add_row(_t(label), _t(value, limit=600))
    return table
