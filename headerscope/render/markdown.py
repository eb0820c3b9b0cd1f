"""Markdown for a ticket comment: the verdict, the hop table and the authentication summary.

Written for GitHub Flavored Markdown (and Jira's Markdown paste). Every message-derived string
goes through ``md_escape``: it must come out as the same text, never as emphasis, a link, an
autolink, a heading, a list, a table cell break, math or raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..domains import idn_lookalike, idn_other_form, with_idn_forms
from ..model import Report
from ..received import authenticated_login, client_name_words, client_user_words
from ..redact import is_redacted
from ..templating import format_delay, visible
from ..text import header_ref, result_words
from .html import STATUS_LABELS, top_findings
from .interface import Renderer, dns_source_words, dns_unanswered_line, unlisted_attachments_line

# ASCII punctuation that CommonMark or GFM may read as markup anywhere in a line: emphasis,
# code, links/images, raw HTML and entities, table pipes, strikethrough, GitHub math.
# CommonMark section 2.4: any ASCII punctuation may be backslash-escaped.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|~&$])")
# GFM extended autolinks (section 6.9) start at "www." or at a scheme followed by "://".
_AUTOLINK = re.compile(r"(?i)(www)\.|(\w):(?=//)")
# Block markers at the start of a line: list items, ordered lists, setext underlines.
_LINE_START = re.compile(r"^(\s*)([-+=]|\d{1,9}(?=[.)]))")
_WHITESPACE_RUN = re.compile(r"\s+")

MAX_CELL = 300
# The hop table's host names: an internationalised name's other form beside it is cut at this.
MAX_HOST = 80
# Explanations the analysis wrote (the message's own words in them are bounded where they are
# quoted): long ones are rare, and cut they would lose their reason.
MAX_EXPLANATION = 1200
# Spam filter rows shown (the fields are bounded when read; the JSON has them all).
MAX_ROWS = 20
# DKIM signatures and recorded-vs-now rows shown, as the terminal shows them: a message built
# with thousands of signatures must not make a report of thousands of rows.
MAX_AUTH_ROWS = 40


def md_escape(text: str | None, limit: int | None = None, *, line_start: bool = False) -> str:
    """``text`` as literal Markdown: one line, every markup character escaped.

    ``line_start``: the text begins a line, so list, ordered-list and setext markers at its
    start are escaped too (elsewhere, e.g. inside a table cell, they are plain text).
    """
    if text is None:
        return "—"
    line = visible(_WHITESPACE_RUN.sub(" ", text)).strip()
    if limit is not None and len(line) > limit:
        line = line[: limit - 1] + "…"
    line = _INLINE_SPECIAL.sub(r"\\\1", line)
    line = _AUTOLINK.sub(lambda m: "www\\." if m.group(1) else m.group(2) + "\\:", line)
    match = _LINE_START.match(line) if line_start else None
    if match:
        marker = match.group(2)
        if marker.isdigit():
            # "1." / "1)" starts an ordered list: escape the punctuation after the number.
            end = match.end()
            line = line[:end] + "\\" + line[end:]
        else:
            line = line[: match.start(2)] + "\\" + line[match.start(2):]
    return line or "—"



def _field_table(title: str, rows: Iterable[tuple[str, str | None]], intro: str | None = None) -> list[str]:
    """A section of label and value rows: the feedback report, the bulk signals, BIMI."""
    lines = [f"### {title}", "", *([intro, ""] if intro else []), _row(("Field", "Value")), _row(("---", "---"))]
    lines.extend(_row((md_escape(label, 40), md_escape(value, MAX_CELL))) for label, value in rows)
    lines.append("")
    return lines


def _idn_beside(name: str | None) -> str | None:
    """An internationalised host name's other form as the hop table puts it beside the name,
    "(mx.bücher.example)" or "(mx.xn--bcher-kva.example in DNS)" (domains.idn_other_form), cut
    at MAX_HOST, with what makes it a look-alike after it, if anything (domains.idn_lookalike:
    "(mx.pаypal.com; looks like the ASCII name mx.paypal.com)"); None for any other name."""
    other = idn_other_form(name)
    if other is None:
        return None
    lookalike = idn_lookalike(name)
    words = [other] if lookalike is None else [other, lookalike]
    return "(" + "; ".join(w if len(w) <= MAX_HOST else w[:MAX_HOST - 1] + "…" for w in words) + ")"


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


class MarkdownRenderer(Renderer):
    """The ticket-comment summary."""

    name = "markdown"

    def render(self, report: Report) -> str:
        lines: list[str] = []
        status = STATUS_LABELS.get(report.verdict.status, md_escape(report.verdict.status))
        lines.append(f"## Message analysis: {status}")
        lines.append("")
        lines.append(f"**{md_escape(report.verdict.summary)}**")
        lines.append("")
        headline = report.carrier_headline()
        if headline is not None:
            # A person's forward or report: the attached messages' own verdicts come first.
            lines.append(f"**{md_escape(headline)}**")
            lines.append("")
            lines.extend(f"- {md_escape(summary.line(), 400)}" for summary in report.carried)
            lines.append("")
        if is_redacted(report):
            lines.append("- **Redacted:** the local parts of e-mail addresses are hidden (domains kept).")
        placeholder = report.structure is not None and report.structure.subject_placeholder
        lines.append(f"- **Subject:** {md_escape(report.subject, MAX_CELL)}"
                     + (" (a header-protection placeholder: the real subject is inside the encrypted part)"
                        if placeholder else ""))
        if report.structure is not None:
            lines.append(f"- **Structure:** {md_escape(report.structure.summary, MAX_CELL)}")
        env = report.envelope
        author = env.author()
        # The display name too: a name that shows another address or company is what a ticket
        # about impersonation is about.
        # An IDN domain also in the Unicode form the reader's mail program showed.
        shown = with_idn_forms(author.address) if author else ""
        sender = (f"{author.display_name} <{author.address}>{shown[len(author.address):]}"
                  if author and author.display_name else shown if author else None)
        lines.append(f"- **From:** {md_escape(sender, MAX_CELL)}")
        if env.to:
            lines.append(f"- **To:** {md_escape(', '.join(with_idn_forms(a.address) for a in env.to[:5]), MAX_CELL)}"
                         + (f" and {len(env.to) - 5} more" if len(env.to) > 5 else ""))
        elif env.to_without_address:
            # "undisclosed-recipients:;", an empty group (RFC 5322 section 3.4): sent to Bcc recipients only.
            lines.append(f"- **To:** {md_escape(env.to_without_address, MAX_CELL)} (no address)")
        if env.reply_to:
            lines.append(f"- **Reply-To:** {md_escape(', '.join(a.address for a in env.reply_to[:3]), MAX_CELL)}")
        if env.resent_to or env.resent_from:
            # The latest re-sending (RFC 5322 section 3.6.6): who sent it on, to whom, when.
            resent = ", ".join(a.address for a in (*env.resent_to, *env.resent_cc)[:5]) or "—"
            by = f" by {', '.join(a.address for a in env.resent_from[:2])}" if env.resent_from else ""
            when = f" at {env.resent_date}" if env.resent_date else ""
            lines.append(f"- **Re-sent (Resent-\\*):** {md_escape(f'to {resent}{by}{when}', MAX_CELL)}")
        mail_from = (env.null_sender_words() if env.mail_from == "" else with_idn_forms(env.mail_from)) \
            if env.mail_from is not None else (
                f"not recorded; {env.claimed_mail_from_source or 'a claim'} says {env.claimed_mail_from}"
                if env.claimed_mail_from else "not recorded")
        source = (" " + md_escape(f"(from {env.mail_from_source})", MAX_CELL)
                  if env.mail_from is not None and env.mail_from_source else "")
        lines.append(f"- **MAIL FROM (envelope):** {md_escape(mail_from, MAX_CELL)}{source}")
        for address, where in zip(env.earlier_mail_from, env.earlier_mail_from_sources, strict=False):
            lines.append(f"- **MAIL FROM of an earlier delivery:** {md_escape(address or '<>', MAX_CELL)} "
                         f"({md_escape(where, MAX_CELL)})")
        if env.relay is not None:
            relay = " ".join((env.relay.summary(), *env.relay.notes))
            lines.append(f"- **Relay:** {md_escape(relay, 900)}")
        received = [r for i, r in enumerate(env.rcpt_to) if env.rcpt_role(i) != "resolved_mailbox"]
        resolved = [r for i, r in enumerate(env.rcpt_to) if env.rcpt_role(i) == "resolved_mailbox"]
        if received:
            lines.append(f"- **RCPT TO (envelope):** {md_escape(', '.join(received[:5]), MAX_CELL)}")
        if resolved:
            # The mailbox the receiver's alias expansion or forward reached: no RCPT TO of its own.
            lines.append("- **Delivered to mailbox (after the receiver's alias expansion):** "
                         f"{md_escape(', '.join(resolved[:5]), MAX_CELL)}")
        if env.other_recipients:
            lines.append(f"- **Delivered to:** {md_escape('; '.join(env.other_recipients[:3]), MAX_CELL)}")
        if env.claimed_rcpt_to:
            # Named only below every Received (a milter's or the sender's): not the receiver's record.
            claimed = "; ".join(f"{address} ({where})" for address, where in
                                zip(env.claimed_rcpt_to[:3], env.claimed_rcpt_to_sources, strict=False))
            more = f" and {len(env.claimed_rcpt_to) - 3} more" if len(env.claimed_rcpt_to) > 3 else ""
            lines.append(f"- **Claimed RCPT TO (unverified, not the receiver's record):** "
                         f"{md_escape(claimed + more, MAX_CELL)}")
        lines.append(f"- **Date:** {md_escape(report.date)}")
        if report.verdict.authenticated_domain:
            lines.append(f"- **Authenticated domain:** {md_escape(report.verdict.authenticated_domain)}")
        transit, before_first = report.transit_split()
        total = (f", {'between servers' if before_first is not None else 'total'} {format_delay(transit)}"
                 if transit is not None else "")
        if before_first is not None:
            total += f", {format_delay(before_first)} from its Date: to the first server"
        if transit is not None:
            total += "".join(f", leaving out {format_delay(seconds)} {report.delivery_gap_words(number)}"
                             for number, seconds in report.delivery_gaps()[:3])
        lines.append(f"- **Hops:** {len(report.hops)}{total}")
        if report.boundary_hop is not None and 1 <= report.boundary_hop <= len(report.hops):
            boundary = report.hops[report.boundary_hop - 1]
            client = boundary.fields.from_ip or (with_idn_forms(boundary.fields.from_helo) if boundary.fields.from_helo
                                                 else "a client it does not record")
            server = with_idn_forms(boundary.fields.by) if boundary.fields.by else "a server it does not name"
            entry = report.claimed_entry_words()
            lines.append(f"- **Trust boundary:** hop {report.boundary_hop}, where {md_escape(server)} "
                         f"accepted it from {md_escape(client)}" + ("; earlier hops are claims" if report.boundary_hop > 1
                                                                   else "")
                         + (f"; {md_escape(entry, 400)}" if entry else ""))
        lines.append("")
        if env.differences:
            lines.append("### Envelope vs. headers")
            lines.append("")
            for difference in env.differences[:10]:
                lines.append(f"- {md_escape(difference.explanation, 400)}")
            lines.append("")

        top = top_findings(report.findings)
        if top:
            lines.append("### Findings that matter most")
            lines.append("")
            for finding in top:
                subject = f" ({md_escape(finding.subject)})" if finding.subject else ""
                lines.append(f"- **{finding.severity.value}**: {md_escape(finding.title)}{subject}")
            lines.append("")

        lines.extend(self._delivery_report(report))
        lines.extend(self._feedback_report(report))
        lines.extend(self._hops(report))
        lines.extend(self._authentication(report))
        lines.extend(self._bimi(report))
        lines.extend(self._spam_filters(report))
        lines.extend(self._bulk(report))
        lines.extend(self._attached(report))
        lines.extend(self._attachments(report))

        unanswered = dns_unanswered_line(report)
        if unanswered is not None:
            lines.extend([f"**{md_escape(unanswered)}**", ""])
        lines.append(f"_headerscope {md_escape(report.version)} · input SHA-256 {md_escape(report.input.sha256)}"
                     f" · analyzed {md_escape(report.analyzed_at)} · DNS: {md_escape(dns_source_words(report))}_")
        return "\n".join(lines) + "\n"

    def _delivery_report(self, report: Report) -> list[str]:
        delivery = report.delivery_report
        if delivery is None or not delivery.recipients:
            return []
        by = f" written by {md_escape(delivery.reporting_mta, 120)}" if delivery.reporting_mta else ""
        written = "in qmail's bounce format, QSBMF" if delivery.format == "qmail" else "RFC 3464"
        from ..mime import dsn_said_cell, dsn_said_heading, dsn_sent_to

        shown = delivery.recipients[:MAX_ROWS]
        # Headed by who said the reasons (a remote server, or the reporting server itself).
        heading = dsn_said_heading(shown)
        lines = ["### Delivery report", "", f"A delivery status notification ({written}){by}.", "",
                 _row(("Recipient", "Action", "Status", heading[:1].upper() + heading[1:])), _row(("---",) * 4)]
        for recipient in shown:
            status = " ".join(p for p in (recipient.status, f"({recipient.status_meaning})"
                                          if recipient.status_meaning else None) if p)
            said = dsn_said_cell(recipient, delivery.reporting_mta, mixed=heading == "server said")
            # The dates after the text, each escaped and cut on its own: a long reply cut at the
            # cell's limit must not take them with it.
            retry = f" (will retry until {md_escape(recipient.will_retry_until, 100)})" if recipient.will_retry_until else ""
            attempt = f"; last attempt {md_escape(recipient.last_attempt_date, 100)}" if recipient.last_attempt_date else ""
            # The address the sender wrote beside the one an alias or forward made of it (as the HTML table).
            sent_to = dsn_sent_to(recipient)
            who = md_escape(recipient.final_recipient or recipient.original_recipient, 120) + (
                f" (sent to {md_escape(sent_to, 120)})" if sent_to else "")
            lines.append(_row((who,
                               md_escape(recipient.action, 20), md_escape(status or None, 200) + retry,
                               md_escape(said, MAX_CELL) + attempt)))
        lines.append("")
        return lines

    def _feedback_report(self, report: Report) -> list[str]:
        if report.feedback_report is None:
            return []
        from ..mime import feedback_heading, feedback_intro, feedback_rows

        # Worded by the format, and by whether a signature vouches for it (review V19 P1).
        feedback = report.feedback_report
        return _field_table(md_escape(feedback_heading(feedback)), feedback_rows(feedback),
                            md_escape(feedback_intro(feedback, bool(report.attached))))

    def _bimi(self, report: Report) -> list[str]:
        if report.bimi is None:
            return []
        from ..auth.bimi import bimi_rows

        return _field_table("BIMI (brand logo)", bimi_rows(report.bimi))

    def _bulk(self, report: Report) -> list[str]:
        if report.bulk is None:
            return []
        from ..bulk import bulk_rows

        return _field_table("Bulk mail", bulk_rows(report.bulk))

    def _attached(self, report: Report) -> list[str]:
        if not report.attached:
            return []
        lines = ["### Attached messages", "", "Analyze one with `headerscope analyze FILE --attached N`.", "",
                 _row(("N", "Type", "From", "Subject", "Date")), _row(("---:", "---", "---", "---", "---"))]
        for entry in report.attached:
            kind = entry.content_type + (" (header only)" if entry.headers_only else "")
            carries = report.carried_count(entry.number)
            number = f"{entry.number} (carries {carries})" if carries else str(entry.number)
            lines.append(_row((number, md_escape(kind, 60), md_escape(entry.from_header, 120),
                               md_escape(entry.subject, 200), md_escape(entry.date, 60))))
        lines.append("")
        return lines

    def _attachments(self, report: Report) -> list[str]:
        unlisted = unlisted_attachments_line(report)
        if not report.attachments and unlisted is None:
            return []
        lines = ["### Attachments", "", "From the part headers; no file was opened. Size is as encoded in the message.",
                 "", _row(("Part", "Name", "Type", "Encoded size", "Note")), _row(("---", "---", "---", "---:", "---"))]
        for entry in report.attachments:
            note = entry.spoofed or entry.risk or ("inline" if entry.disposition == "inline" else "")
            # md_escape shows hidden characters as ⟨U+XXXX⟩ (visible): a reversing U+202E is seen.
            lines.append(_row((md_escape(entry.position, 20), md_escape(entry.filename or "(no name)", 220),
                               md_escape(entry.content_type, 100), f"{entry.size:,} B",
                               ("**DISGUISED:** " if entry.spoofed else "") + md_escape(note or None, MAX_CELL)
                               if note else "")))
        if unlisted is not None:
            lines.extend(("", md_escape(unlisted)))
        lines.append("")
        return lines

    def _spam_filters(self, report: Report) -> list[str]:
        if not report.spam_filters:
            return []
        lines = ["### Spam filters (as recorded)", "", _row(("Filter", "Verdict", "Details", "Standing")),
                 _row(("---",) * 4)]
        from ..spamfilters import microsoft_context

        for verdict in report.spam_filters[:MAX_ROWS]:
            label = "spam" if verdict.spam else "not spam" if verdict.spam is False else "no verdict"
            # Microsoft's report: what its Message Header Analyzer shows beyond the verdict.
            context = microsoft_context(verdict, report.recorded)
            lines.append(_row((md_escape(f"{verdict.filter} ({verdict.header})", 120), label,
                               md_escape(verdict.summary, MAX_CELL)
                               + (f"; {md_escape(context, MAX_CELL)}" if context else ""),
                               "receiver" if verdict.trusted else
                               md_escape(f"claim, {verdict.place}" if verdict.place else "claim", 80))))
        lines.append("")
        return lines

    def _hops(self, report: Report) -> list[str]:
        lines = ["### Hops", ""]
        if not report.hops:
            return [*lines, "No `Received` headers: the path cannot be traced.", ""]
        lines.append(_row(("#", "Role", "From", "By", "With", "TLS", "Time", "Delay", "Standing")))
        lines.append(_row(("---:", "---", "---", "---", "---", "---", "---", "---:", "---")))
        for hop in report.hops:
            f = hop.fields
            login = authenticated_login(f.auth)
            # The client's local user ("local user, uid 490": a program on that host submitted it)
            # and login are what the terminal and HTML hop tables show too.
            name = f.from_rdns or f.from_helo
            beside = _idn_beside(name)
            host = " ".join(p for p in (f.from_rdns or (client_name_words(f.from_helo, f.protocol) if f.from_helo else None),
                                        beside, f"[{f.from_ip}]" if f.from_ip else None) if p)
            client = ", ".join(p for p in (host, client_user_words(f.ident), f"login {login}" if login else None)
                               if p) or hop.own_words()
            by_beside = _idn_beside(f.by)
            tls = ("yes" + (f" {f.tls.version}" if f.tls.version else "")) if f.tls.encrypted else (
                "unknown" if f.tls.encrypted is None else "no")
            standing = "boundary" if hop.boundary else ("receiver" if hop.trusted else "claim")
            lines.append(_row((
                # An internationalised name's other form widens its cell by its own length: the
                # client's address after it stays in.
                str(hop.number), hop.role.value, md_escape(client or None, 160 + (len(beside) + 1 if beside else 0)),
                md_escape(f.by, 80) + (" " + md_escape(by_beside) if by_beside else ""),
                md_escape(" ".join(x for x in (f.protocol, f"via {f.via}" if f.via else None,
                                               f"({hop.note})" if hop.note else None) if x) or None, 100),
                md_escape(tls, 40), md_escape(f.timestamp or f.date_text, 40),
                format_delay(hop.delay_seconds, hop.delay_approximate) + (
                    "" if not hop.wait_differs() else " (no wait measured)" if hop.wait_seconds is None
                     else f" (wait {format_delay(hop.wait_seconds)})"), standing,
            )))
        lines.append("")
        return lines

    def _authentication(self, report: Report) -> list[str]:
        lines = ["### Authentication", "", _row(("Check", "Result", "Details")), _row(("---", "---", "---"))]
        for sig in report.dkim_listed(MAX_AUTH_ROWS):
            who = f"DKIM {md_escape(sig.domain or '?')}/{md_escape(sig.selector or '?')}"
            details = f"{md_escape(sig.row_reason, MAX_EXPLANATION)} (d= domain {sig.alignment_words() or 'aligned with From: unknown'})"
            lines.append(_row((who, md_escape(result_words(sig.result)), details)))
        if len(report.dkim) > MAX_AUTH_ROWS:
            lines.append(_row(("DKIM", "…", f"{len(report.dkim) - MAX_AUTH_ROWS} more signatures (see --format json)")))
        if not report.dkim:
            lines.append(_row(("DKIM", "none", md_escape(report.no_signature_words()))))
        if report.spf:
            spf = report.spf
            details = "; ".join(md_escape(part, MAX_EXPLANATION) for part in spf.detail_words())
            lines.append(_row(("SPF", md_escape(result_words(spf.result)), details)))
        if report.dmarc:
            dmarc = report.dmarc
            policy = ", ".join(x for x in (f"policy {dmarc.policy}" if dmarc.policy else None,
                                           f"disposition {dmarc.disposition}" if dmarc.disposition else None) if x)
            head = (with_idn_forms(dmarc.from_domain) if dmarc.from_domain else "no From: domain") + (
                f": {policy}" if policy else "")
            details = "; ".join(md_escape(x, MAX_EXPLANATION) for x in (head, *dmarc.alignment_words(),
                                                                         dmarc.explanation))
            lines.append(_row(("DMARC", md_escape(result_words(dmarc.result)), details)))
            if dmarc.tree_walk_note:
                # RFC 9989 decided the row above; receivers still on RFC 7489 decide otherwise.
                lines.append(_row(("", "older rules", md_escape(dmarc.tree_walk_note, MAX_EXPLANATION))))
        if report.arc:
            arc = report.arc
            count = len(arc.instances)
            sets = ("" if arc.reason_code in ("duplicate_set", "instance_limit")
                    else f" ({count} set{'' if count == 1 else 's'})")
            lines.append(_row((f"ARC{sets}", md_escape(result_words(arc.result)),
                               md_escape(arc.reason, MAX_EXPLANATION))))
        if report.reverse_dns:
            rdns = report.reverse_dns
            lines.append(_row(("Reverse DNS", md_escape(result_words(rdns.result)),
                               (f"{md_escape(rdns.ip)}: " if rdns.ip else "")
                               + md_escape(rdns.explanation, MAX_EXPLANATION))))
        lines.append("")
        differing = [c for c in report.comparison if c.label != "same"]
        if differing:
            lines.extend(["#### Recorded at delivery vs. now", "",
                          _row(("Method", "Identity", "Recorded", "Now", "Why")), _row(("---",) * 5)])
            for c in differing[:MAX_AUTH_ROWS]:
                lines.append(_row((md_escape(c.method), md_escape(c.subject),
                                   md_escape(result_words(c.recorded) if c.recorded else None),
                                   md_escape(result_words(c.recomputed) if c.recomputed else None),
                                   md_escape(c.explanation, MAX_EXPLANATION))))
            if len(differing) > MAX_AUTH_ROWS:
                lines.append(_row(("…", f"{len(differing) - MAX_AUTH_ROWS} more rows (see --format json)", "", "", "")))
            lines.append("")
        signatures = report.signature_results()
        if signatures:
            # The receiver's own check of a signature this tool does not verify (RFC 7281).
            lines.extend(["#### Recorded by the receiving side, not checked by this tool", "",
                          _row(("Field", "Written by", "Result")), _row(("---",) * 3)])
            for index, name, writer, words in signatures:
                lines.append(_row((md_escape(f"{header_ref(index)} ({name})", 120),
                                   md_escape(writer or "no writer named", 120), md_escape(words, MAX_CELL))))
            lines.append("")
        claims = report.claimed_results()
        if claims:
            lines.extend(["#### Recorded results not relied on (claims)", "",
                          _row(("Field", "Written by", "Results")), _row(("---",) * 3)])
            for index, name, writer, words in claims:
                lines.append(_row((md_escape(f"{header_ref(index)} ({name})", 120),
                                   md_escape(writer or "no writer named", 120), md_escape(words, MAX_CELL))))
            lines.append("")
        return lines
