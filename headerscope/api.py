"""The orchestrator: load, parse, run every check, assemble one Report.

``analyze(raw, **options)`` is the Python API; the CLI converts its flags into the same
options and calls it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from . import __version__
from ._value import Value, frozen, replace
from .addresses import address_domain, parse_addresses

# The checks: imported with this module, which nothing imports before an analysis is wanted
# (the CLI imports it inside its command). They load dkimpy and pyspf through
# auth._dkimpy_import and auth._pyspf_import, which keep what those packages would load for
# paths headerscope never takes (dnspython's resolver and more) out of the process.
from .auth import _dkimpy
from .auth.arc import check_arc
from .auth.bimi import check_bimi
from .auth.dkim import check_dkim, signature_subject
from .auth.dmarc import check_dmarc, nothing_aligned
from .auth.ptr import check_reverse_dns, parse_client_ip
from .auth.recorded import (
    arc_breaks,
    checked_client,
    compare,
    filter_fields_finding,
    nothing_recorded,
    parse_recorded,
    preserved_dmarc_pass,
    receiver_spf_not_pass,
    receiver_spf_passed,
    receiver_vouched,
    removed_signatures,
    reported_results,
    reported_signatures,
    self_signed_passes,
    signed_repeatedly,
)
from .auth.spf import check_spf, from_domain_authorises, spf_domain_problem
from .auth.tags import parse_tag_list
from .bulk import read_bulk
from .dns.evidence import EvidenceResolver
from .dns.interface import DnsStatus, Resolver, retry_words
from .domains import (
    aligned,
    is_domain_name,
    is_ip_literal,
    list_id_label,
    normalize_domain,
    organizational_domain,
)
from .eai import utf8_header_finding
from .envelope import (
    RELAY_OWN_RECORD_WORDS,
    RELAYS_REDATING,
    analyze_envelope,
    boundary_mail_from,
    boundary_received_spf,
    envelope_sender_as_own,
    is_free_mailbox,
    list_intake,
    relay_forward_layout,
    self_addressed,
    sender_is_recipient,
    srs_list_sender,
)
from .era import RSA_SHA1_RETIRED, Era, received_before, received_era
from .folders import mail_folder
from .hops import (
    HopChain,
    build_chain,
    host_organization,
    is_non_public_ip,
    local_submission_loopback,
    trusted_relay,
    vouched_client_name,
)
from .loader import LoadedInput, load_bytes, load_carried
from .message import LEGACY_CHARSET_DEFECTS, NOTICE_DEFECTS, Message, parse_message
from .mime import (
    hidden_characters,
    is_automatic_notification,
    pasted_notice,
    read_attachments,
    read_carried,
    read_structure,
    repeated_fields,
    report_without_report,
    with_recorded_smime,
)
from .model import (
    ArcResult,
    CarriedSummary,
    Comparison,
    DkimSignatureResult,
    DmarcResult,
    DnsRecordUse,
    DnsSource,
    Envelope,
    EnvelopeDifference,
    Finding,
    HeaderField,
    Hop,
    InputInfo,
    MailFolder,
    RecordedResult,
    RelayInfo,
    Report,
    ReportedEnvelope,
    ReverseDnsResult,
    Role,
    Severity,
    SpfResult,
    Verdict,
)
from .origin import (
    default_key_tied,
    exchange_tenant_origin,
    from_rewritten,
    host_envelope_sender,
    originating_client,
    program_origin,
    program_third_party_from,
    provider_default_signatures,
)
from .received import parse_date_noted, parse_received, parse_received_date, weekday_contradiction
from .replay import possible_replay
from .spamfilters import read_spam_filters
from .text import address_safe_shortened, compiled_on_first_use, header_ref, one_line, result_words
from .verdict import (
    INSIDE_NOT_APPLICABLE,
    GatewayChange,
    decide,
    generated_inside,
    handed_over_inside,
    sent_copy,
    sent_inside_provider,
    submitted_inside,
)

_SEVERITY_ORDER = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.NOTICE: 2, Severity.INFO: 3}


@frozen
class AnalysisOptions(Value):
    """Everything that changes an analysis; the CLI flags map one to one onto these."""

    resolver: Resolver | None = None
    """A ready resolver (tests, scans sharing one cache); overrides the DNS options below."""
    offline: bool = False
    """No network: checks that need DNS say "not checked (offline)"."""
    dns_snapshot: str | None = None
    """Replay DNS from this snapshot file."""
    nameserver: str | None = None
    """``IP[:PORT]`` for live DNS (default: the system's resolvers)."""
    dns_timeout: float = 5.0
    """Seconds for each live DNS query (the whole budget per question)."""
    record_dns: str | None = None
    """Write every live answer used to this snapshot file."""
    client_ip: str | None = None
    """Override the SPF client IP read from the boundary hop."""
    mail_from: str | None = None
    """Override the SPF MAIL FROM."""
    helo: str | None = None
    """Override the SPF HELO."""
    now: datetime | None = None
    """The time of analysis (for signature expiry); default: the current time."""
    source: str = "api"
    """Where the bytes came from, for the report."""
    redact: bool = False
    """Hide local parts of addresses in rendered reports."""
    trusted_relays: tuple[str, ...] = ()
    """Hosts and networks of the receiving side's own (``--trusted-relay``): IP addresses, CIDR
    networks or domain names (the name and the names under it). The trust boundary moves down
    past the hops whose client is one, to the hop where they took the message from a client that
    is none (hops.trusted_relay). Each must parse (hops.trusted_relay raises ValueError)."""

    def described(self) -> tuple[tuple[str, str], ...]:
        """The options that differ from the defaults, for the report footer."""
        state = self.__dict__  # a @frozen object's fields (see _value.py)
        return tuple([(name, ", ".join(relay_specs(state[name])) if name == "trusted_relays" else str(state[name]))
                      for name, default in _described_defaults() if state[name] != default])


def relay_specs(value: object) -> tuple[str, ...]:
    """AnalysisOptions.trusted_relays as a tuple of strings: one string given alone (the Python
    API's ``trusted_relays="outlook.com"``) is one specification, not its letters."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(spec) for spec in value) if isinstance(value, (tuple, list)) else ()


@functools.cache
def _described_defaults() -> tuple[tuple[str, object], ...]:
    """(name, default) of the options a report's footer describes when changed, in field order,
    read from the class once (every AnalysisOptions field has a plain default)."""
    return tuple((f.name, f.default) for f in dataclasses.fields(AnalysisOptions)
                 if f.name not in ("resolver", "now", "source"))


def analyze(raw: bytes, **options: object) -> Report:
    """Analyze one message given as bytes. Options are the fields of AnalysisOptions."""
    opts = AnalysisOptions(**options)  # type: ignore[arg-type]
    return analyze_loaded(load_bytes(raw, source=opts.source), opts)


def analyze_loaded(loaded: LoadedInput, opts: AnalysisOptions) -> Report:
    """Analyze input that a source already loaded."""
    from .dns.factory import make_resolver

    now = opts.now or datetime.now(timezone.utc)
    message = parse_message(loaded.data, cut_off=loaded.format == "cut-off", starts_mid_field=loaded.starts_mid_field,
                            carried=loaded.carried_in is not None)
    base_resolver = opts.resolver or make_resolver(opts)
    resolver = EvidenceResolver(base_resolver,
                                budget=dns_budget(opts.dns_timeout) if base_resolver.asks_network else None)
    report = _run_checks(loaded, message, resolver, opts, now)
    report = _with_carried_summaries(report, loaded, message, now)
    if opts.record_dns and opts.resolver is None:
        from .dns.recording import RecordingResolver

        if isinstance(base_resolver, RecordingResolver):
            # The questions the DNS time budget stopped never reached the recording resolver:
            # the file says they were not asked, so its replay gives this report (V42a D2).
            base_resolver.note_unasked(resolver.unasked(), resolver.spent_budget)
            base_resolver.write(Path(opts.record_dns))
    return report


# Attached messages of a forward or user report given a one-line verdict of their own (each is
# analysed offline once more); the rest are listed in the attached-messages table.
MAX_CARRIED_SUMMARIES = 5
_RFC2046_MESSAGE = "https://www.rfc-editor.org/rfc/rfc2046#section-5.2.1"


def _dkim_passes(dkim: Sequence[DkimSignatureResult], recorded: Sequence[RecordedResult]) -> frozenset[str]:
    """The domains whose DKIM signature passes now, or passed as the receiving side recorded it
    (its own trusted results: offline, a signature cannot be checked again). A recorded pass
    counts only while the message still carries that domain's signature and nothing shows it
    changed since: a signature of the domain that fails now, or whose body hash no longer
    matches, means the message was edited after the receiver's check, and one that is gone means
    the record is of another message (verification V20 N3: a report's Source-IP edited after
    delivery, or a report with no signature at all, was "DKIM-signed" by the record alone)."""
    domains = {normalize_domain(s.domain) for s in dkim if s.result == "pass"}
    domains.update(_recorded_passes_standing(dkim, recorded))
    return frozenset(d for d in domains if d)


def _recorded_passes_standing(dkim: Sequence[DkimSignatureResult], recorded: Sequence[RecordedResult]) -> list[str]:
    """The domains of the receiving side's trusted dkim=pass records whose signature the message
    still carries, not failing now and its body hash not mismatched (see _dkim_passes), in
    record order."""
    carried: dict[str, bool] = {}
    for signature in dkim:
        domain = normalize_domain(signature.domain)
        if domain:
            unchanged = signature.result != "fail" and signature.body_hash_ok is not False
            carried[domain] = carried.get(domain, False) or unchanged
    standing = []
    for record in recorded:
        if record.trusted and record.method == "dkim" and record.result == "pass":
            domain = normalize_domain(dict(record.properties).get("header.d"))
            if domain and carried.get(domain) and domain not in standing:
                standing.append(domain)
    return standing


def dkim_passing_domains(report: Report) -> frozenset[str]:
    """The domains whose DKIM signature on the analysed message passes, as read_carried was
    given them: what ``analyze --attached N`` needs to open a copy only a signed report offers."""
    return _dkim_passes(report.dkim, report.recorded)


def _person_written_carrier(report: Report, message: Message) -> bool:
    """Whether the message is a person's forward or report carrying messages: attached messages,
    and none of the readings of an automatic message (a bounce, an abuse or DMARC failure
    report, a receipt, an automatic reply), which say what their copies are in their own words."""
    if not report.attached or report.feedback_report is not None:
        return False
    if report.delivery_report is not None and report.delivery_report.recipients:
        return False
    if any(f.id.startswith(_NOTIFICATION_FINDINGS) or f.id.startswith(("feedback.", "dsn.")) for f in report.findings):
        return False
    return not is_automatic_notification(message)


def _with_carried_summaries(report: Report, loaded: LoadedInput, message: Message, now: datetime) -> Report:
    """The report of a person's forward or user report with a line per attached message (its own
    verdict, read offline) and a finding that the authentication shown is the forwarder's: an
    analyst reading the top of the report must not take the reporter's DMARC pass for the
    phish's. The outer verdict is left as it is: it is the verdict of the message analysed."""
    if not _person_written_carrier(report, message):
        return report
    from .dns.offline import OfflineResolver
    from .mime import attached_messages, attached_path

    summaries: list[CarriedSummary] = []
    for entry, data in attached_messages(message, limit=MAX_CARRIED_SUMMARIES):
        path = attached_path(loaded.attached_path, entry.number)
        label = f"{loaded.source}#attached-{entry.number}"
        inner = replace(load_carried(loaded, data, label), attached_path=path)
        if inner.unreadable is not None:
            continue
        # Offline, whatever the outer analysis may ask: the line says what the copy itself records
        # (its receiver's results), at no DNS cost; `--attached N` checks it in full.
        inner_report = _run_checks(inner, parse_message(inner.data, cut_off=inner.format == "cut-off",
                                                              starts_mid_field=inner.starts_mid_field, carried=True),
                                   EvidenceResolver(OfflineResolver(), budget=None),
                                   AnalysisOptions(offline=True, now=now, source=label), now)
        author = inner_report.envelope.author()
        summaries.append(CarriedSummary(
            number=entry.number, path=path, from_domain=author.domain if author is not None else None,
            subject=entry.subject, verdict=_carried_verdict(inner_report, entry.headers_only),
            carries=len(inner_report.attached)))
    if not summaries:
        return report
    count = len(report.attached)
    more = f" (the first {len(summaries)} of {count} listed)" if count > len(summaries) else ""
    lines = "; ".join(s.line() for s in summaries)
    finding = Finding(
        id="message.carrier", severity=Severity.NOTICE,
        title=f"A forwarded or reported message carrying {count} message(s): the authentication shown is the "
              "forwarder's or reporter's",
        explanation=(
            f"This message was written by a person and carries {count} message(s) as attachments{more}: its route, "
            "signatures and verdict above are those of the forwarding or reporting mail, not of the messages it "
            f"carries, which each keep their own header and authentication. Attached: {lines}. Each line is the "
            "copy's own reading offline: what its own header says its receiver recorded, text whoever sent this "
            "message could have written, not evidence of its delivery; analyze one in full with "
            f"`headerscope analyze FILE --attached {attached_path(loaded.attached_path, 'N')}`."),
        reference=_RFC2046_MESSAGE, subject="attachments")
    # After the findings more severe than a notice, as the severity order puts it.
    findings = list(report.findings)
    place = next((i for i, f in enumerate(findings) if _SEVERITY_ORDER[f.severity] > _SEVERITY_ORDER[Severity.NOTICE]),
                 len(findings))
    findings.insert(place, finding)
    return replace(report, carried=tuple(summaries), findings=tuple(findings))


def _carried_verdict(report: Report, headers_only: bool) -> str:
    """An attached copy's own verdict in a few words: its receiver's recorded DMARC result and
    spam filter verdicts (the evidence a copy keeps), then its verdict status when one could be
    reached offline."""
    words: list[str] = []
    dmarc = next((r for r in report.recorded if r.trusted and r.method == "dmarc"), None)
    if dmarc is not None:
        words.append(f"recorded DMARC {dmarc.result}")
    for spam in report.spam_filters:
        if spam.trusted and spam.spam is not None:
            score = f" (score {spam.score:g})" if spam.score is not None else ""
            words.append(f"{spam.filter}: {'spam' if spam.spam else 'not spam'}{score}")
            break
    if report.verdict.status != "not_checked":
        words.append(report.verdict.status.replace("_", " "))
    elif any(f.id == "input.never_sent" for f in report.findings):
        words.append("not checked: never sent")
    if not words:
        words.append("no result recorded by its receiver")
    if headers_only:
        words.append("header only")
    return ", ".join(words)


def _one_multiple_from(envelope_findings: tuple[Finding, ...], dmarc: DmarcResult,
                       dmarc_findings: tuple[Finding, ...], findings: list[Finding]) -> tuple[Finding, ...]:
    """DMARC's findings, without dmarc.multiple_from when envelope.multiple_from already warns
    of the same From: (one warning, not two). The envelope's says more (RFC 5322: several From:
    fields, a Sender: missing or present), so it stays, and takes DMARC's result per domain."""
    envelope_one = next((f for f in envelope_findings if f.id == "envelope.multiple_from"), None)
    dmarc_one = next((f for f in dmarc_findings if f.id == "dmarc.multiple_from"), None)
    if envelope_one is None or dmarc_one is None or not dmarc.from_results:
        return dmarc_findings
    each = "; ".join(f"{domain}: {result_words(result)}" for domain, result in dmarc.from_results)
    merged = replace(envelope_one, explanation=(
        f"{envelope_one.explanation} DMARC checks each of its {len(dmarc.from_results)} domains ({each}) and "
        "applies the strictest failing policy (RFC 7489 section 6.6.1)."))
    findings[:] = [merged if f is envelope_one else f for f in findings]
    return tuple(f for f in dmarc_findings if f is not dmarc_one)


def _parse_date(value: str | None) -> tuple[datetime | None, bool]:
    """The Date: header's moment, and whether it had no time zone (then read as UTC)."""
    if not value:
        return None, False
    # One tolerant RFC 5322 date reader for Date: and the Received stamps alike ("-0000" and
    # missing zones read as UTC, obsolete zone names, no weekday, ...); it never raises.

    date, notes = parse_date_noted(value)
    return date, date is not None and any("no time zone" in note for note in notes)


def _weekday_finding(value: str | None, date: datetime | None) -> Finding | None:
    """A Date: whose day of the week is not the one of its date (RFC 5322 section 3.3)."""
    if not value or date is None:
        return None

    contradiction = weekday_contradiction(value, date)
    if contradiction is None:
        return None
    written, actual = contradiction
    return Finding(
        id="date.weekday_mismatch", severity=Severity.NOTICE,
        title=f"Date: says {written}, but {date.date().isoformat()} is a {actual}",
        explanation=(f"The Date: header names {written} for a date that fell on a {actual}. RFC 5322 section "
                     "3.3 requires the day of the week, when given, to be the one the date implies, and mail "
                     "programs write both from one clock: this date was written or changed by hand (a "
                     "hand-edited or anonymised copy, a date shifted afterwards) or by a badly made "
                     "generator. The moment used is the date and time as written."),
        reference="https://www.rfc-editor.org/rfc/rfc5322#section-3.3", subject="Date",
    )


_MAX_DATES = 10
"""Date: fields read when there are several (a real message has one, a relayed list copy two)."""
_DATE_TOLERANCE = timedelta(minutes=2)
"""How far an author's Date: may be after the first hop's stamp (the client's clock ahead)."""


def _date_field(message: Message) -> tuple[HeaderField | None, Finding | None]:
    """The Date: field the message's moments are measured from, and, when there are several, a
    finding that says which and what the others are.

    RFC 5322 section 3.6 allows one Date:, the moment the author's program handed the message on
    (section 3.6.1). A server that adds its own (a list manager or an MTA that thought it missing)
    leaves two; the duplicate is reported as such (message.repeated_field), and the one used for
    the journey is the one the trace agrees with: the latest not after the first hop's stamp (the
    author's, written just before it), else the bottom-most (the original, below what servers
    prepend). Either may be a forger's: this only picks what the timings are measured from."""
    fields = message.all("Date")
    if len(fields) < 2:
        return (fields[0] if fields else None), None
    parsed = [(field, _parse_date(field.value)[0]) for field in fields[:_MAX_DATES]]
    stamps = _received_stamps(message)
    first = stamps[0] if stamps else None
    before = [(field, moment) for field, moment in parsed
              if moment is not None and first is not None and moment <= first[1] + _DATE_TOLERANCE]
    if before and first is not None:
        chosen = max(before, key=lambda pair: pair[1])[0]
        why = (f"the latest not after hop {first[0]}'s stamp ({first[1].isoformat()}), as the author's Date: "
               "is written just before the first server receives the message")
    else:
        chosen = fields[-1]
        why = ("the bottom-most, the original one below what servers add"
               + ("" if first is None else f" (none is at or before hop {first[0]}'s stamp)"))
    if chosen is fields[0] and all(field.value.strip() == chosen.value.strip() for field in fields):
        return chosen, None  # the same Date: twice: nothing to choose
    others: list[str] = []
    for field, moment in parsed:
        if field is chosen:
            continue
        said = f"{header_ref(field.index)} (\"{one_line(field.value)[:60]}\")"
        matched = next((number for number, stamp in stamps if moment is not None
                        and abs((stamp - moment).total_seconds()) <= 1), None)
        if matched is not None:
            said += f" is hop {matched}'s stamp to the second: added by that server on the way"
        elif moment is None:
            said += " cannot be read as a date"
        others.append(said)
    return chosen, Finding(
        id="date.duplicate_chosen", severity=Severity.INFO,
        title=f"{len(fields)} Date: fields: the journey is measured from {header_ref(chosen.index)}",
        explanation=(f"The message carries {len(fields)} Date: fields. The one used for the journey's timings is "
                     f"{header_ref(chosen.index)} (\"{one_line(chosen.value)[:60]}\"), {why}. "
                     f"The other{'s' if len(others) > 1 else ''}: {'; '.join(others[:3])}. The repeated field "
                     "itself is reported as such: any of them may have been written by someone other than the "
                     "author."),
        reference="https://www.rfc-editor.org/rfc/rfc5322#section-3.6.1", subject="Date")


def _received_stamps(message: Message) -> list[tuple[int, datetime]]:
    """(hop number, moment) of each readable Received stamp, oldest first, hop 1 the bottom one
    (the bottom 50: a real route has a handful)."""

    out = []
    for number, field in enumerate(reversed(message.all("Received")[-50:]), start=1):
        moment = parse_received_date(field.value[-300:].rpartition(";")[2]) if ";" in field.value else None
        if moment is not None:
            out.append((number, moment))
    return out


def _journey_start(message: Message, date: datetime | None) -> datetime | None:
    """The Date: header's moment, or the newest Resent-Date when the message was resent after
    it and its oldest Received stamp is not earlier (the Received fields are this journey's)."""
    resent, resent_zone_missing = _parse_date(message.first("Resent-Date"))
    if resent is None or resent_zone_missing or (date is not None and resent <= date):
        return date
    oldest = message.all("Received")[-1:]

    first_hop = parse_received_date(oldest[0].value.rpartition(";")[2]) if oldest else None
    if first_hop is not None and first_hop < resent - _RESENT_TOLERANCE:
        return date  # hops of the first journey are kept: they are measured from Date:
    if first_hop is not None and date is not None \
            and abs((first_hop - date).total_seconds()) < abs((resent - first_hop).total_seconds()):
        # The first stamp fits the Date: better than the Resent-Date (a forward added Resent-Date
        # later on the way, RFC 5322 section 3.6.6): the hops are the first journey's.
        return date
    return resent


_RESENT_TOLERANCE = timedelta(minutes=5)
"""Clock difference allowed between the resending client and the first server."""


def warm_up() -> None:
    """Import every module an analysis uses (a scan does this once before forking workers,
    so that no worker pays for them again), those imported on first use included."""
    import orjson  # noqa: F401 - Report.to_json

    from .auth import modifiers  # noqa: F401 - dkim.possible_cause, imported when a signature broke
    from .dns.factory import make_resolver  # noqa: F401 - analyze_loaded
    from .render.json import JsonRenderer  # noqa: F401
    from .text import decode_rfc2047

    # Encoded words: the codecs looked up when one is decoded, and the patterns compiled.
    decode_rfc2047("=?utf-8?q?a?= =?iso-8859-1?b?YQ==?=")


# More findings than this of one id and severity are said as one (Finding.count).
_GROUP_ABOVE = 5
# Subjects (and differing titles) a grouped finding names.
_GROUP_NAMED = 3
# Findings whose subjects the reports read one by one to mark the hop each names (the hop
# table's clock and delivery-gap marks): never grouped. Hops are capped, so they stay bounded.
_NEVER_GROUPED = frozenset({"hops.clock_offset", "hops.earlier_delivery"})


def _grouped(findings: tuple[Finding, ...], relevant: frozenset[str] = frozenset()) -> tuple[Finding, ...]:
    """The findings with each run of more than _GROUP_ABOVE of one id and severity said once,
    where the first of them stood: 200 Authentication-Results fields give 200 untrusted claims,
    which would push every other finding out of the reports' lists. The id stays, so a filter
    on it (``--filter reason=``) still matches; the count and the first subjects are kept. Done
    here, once, so that every renderer and the JSON say the same. ``relevant``: the subjects of
    what DMARC rests on (the From:-aligned DKIM signatures): a group leads with their findings'
    words and names each of them, so junk signatures cannot bury the From: domain's."""
    counts: dict[tuple[str, Severity], int] = {}
    for finding in findings:
        key = (finding.id, finding.severity)
        counts[key] = counts.get(key, 0) + finding.count
    if all(count <= _GROUP_ABOVE for count in counts.values()):
        return findings  # the usual case
    members: dict[tuple[str, Severity], list[Finding]] = {}
    out: list[Finding | tuple[str, Severity]] = []
    for finding in findings:
        key = (finding.id, finding.severity)
        if counts[key] <= _GROUP_ABOVE or finding.id in _NEVER_GROUPED:
            out.append(finding)
            continue
        if key not in members:
            members[key] = []
            out.append(key)  # the group's place: where its first finding stood
        members[key].append(finding)
    # One finding that already stands for many (the DKIM merge) is kept as it is.
    return tuple(item if isinstance(item, Finding) else
                 members[item][0] if len(members[item]) == 1 else _group_of(members[item], relevant)
                 for item in out)


def _is_relevant(subject: str | None, relevant: frozenset[str]) -> bool:
    """One of ``relevant``'s subjects (a merged DKIM finding's subject starts with its leading
    signature's: "dkim example.com/s1 and 6 more")."""
    return bool(subject) and (subject in relevant or (subject or "").partition(" and ")[0] in relevant)


# Relevant subjects a grouped finding names, however many others it stands for.
_GROUP_RELEVANT_NAMED = 10


def _group_of(same: list[Finding], relevant: frozenset[str] = frozenset()) -> Finding:
    """One finding standing for ``same`` (one id and severity): the words of the first about a
    relevant subject (else the first's), and what the others are about, relevant ones first."""
    ranked = sorted(same, key=lambda f: not _is_relevant(f.subject, relevant))  # stable: relevant first
    first = ranked[0]
    count = sum(finding.count for finding in same)
    subjects = list(dict.fromkeys(f.subject[:120] for f in ranked if f.subject))
    leading = sum(1 for subject in subjects if _is_relevant(subject, relevant))
    shown = max(min(leading, _GROUP_RELEVANT_NAMED), _GROUP_NAMED)
    titles = list(dict.fromkeys(f.title[:200] for f in ranked))
    about = ""
    if subjects:
        more = len(subjects) - shown
        about = (f" They are about {', '.join(subjects[:shown])}"
                 + (f" and {more} more" if more > 0 else "") + ".")
    if len(titles) > 1:
        more = len(titles) - _GROUP_NAMED
        about += (f" Their titles include: {'; '.join(titles[:_GROUP_NAMED])}"
                  + (f" ({more} more)" if more > 0 else "") + ".")
    which = ("the words of the one about what DMARC rests on" if _is_relevant(first.subject, relevant)
             else "the first one's words")
    return replace(
        first, count=count, title=f"{first.title} (and {count - 1} more like it)",
        explanation=(f"{first.explanation} {count} findings of this kind ({first.id}, {first.severity.value}) are "
                     f"said once here, with {which}.{about}"))


def _never_sent_note() -> str:
    from .msg import NO_TRANSPORT_HEADERS

    return NO_TRANSPORT_HEADERS


# What the checks say of a sent message's header that a draft's rebuilt one does not bear out:
# its From: comes from the sender property, which a draft may lack, and it has no Date: at all.
_SENT_MESSAGE_FINDINGS = frozenset({"envelope.no_from", "dmarc.no_from_domain", "date.missing"})


def _never_sent(findings: tuple[Finding, ...]) -> tuple[Verdict, tuple[Finding, ...]]:
    """The verdict and findings of an Outlook .msg without transport headers whose flags say
    unsent (MSGFLAG_UNSENT): a draft, or a message saved before it was sent. No server handled it,
    so nothing can be authenticated or refused, and what the checks say of a sent message's
    missing fields does not apply. (One not flagged unsent keeps the ordinary reading: msg.NO_SMTP_TRACE.)"""
    said = ("An Outlook .msg without transport headers, flagged unsent: a draft, or a message saved before it was "
            "sent. Its header fields were rebuilt from the file's properties, so it holds no trace, envelope or "
            "signature of a delivery to check.")
    note = Finding(id="input.never_sent", severity=Severity.NOTICE, title="Never sent: a .msg without transport headers",
                   explanation=said + " Analyse the copy a recipient received (saved as .eml, or its .msg) instead.")
    kept = tuple(f for f in findings if f.id not in _SENT_MESSAGE_FINDINGS)
    ordered = tuple(sorted((note, *kept), key=lambda f: _SEVERITY_ORDER[f.severity]))
    return Verdict(status="not_checked", summary=f"Not checked: never sent. {said}"), ordered


def _never_sent_dmarc(dmarc: DmarcResult, comparison: Sequence[Comparison]
                      ) -> tuple[DmarcResult, tuple[Comparison, ...]]:
    """A never-sent .msg's DMARC row (see _never_sent): DMARC judges a message a receiver took in
    (RFC 7489 section 6.6), and no server took this one in, so its rebuilt header's missing From:
    domain is no permerror of a delivery: not checked, said why."""
    if dmarc.result == "not_checked":
        return dmarc, tuple(comparison)
    dmarc = replace(dmarc, result="not_checked", disposition=None, policy_reason="never sent",
                                explanation="not checked: never sent (an Outlook .msg flagged unsent), so there "
                                            "is no delivery for DMARC to judge")
    return dmarc, tuple(replace(c, recomputed="not_checked") if c.method == "dmarc" else c
                        for c in comparison)


def _from_organisation_authenticated(from_domains: tuple[str, ...], dkim: Sequence[DkimSignatureResult],
                                     dmarc: DmarcResult) -> str | None:
    """The From: domain's organisation when headerscope itself verified a DKIM signature aligned
    with it (RFC 7489 section 3.1.1), or DMARC passes for it: that organisation sent the message.
    None for several From: organisations, and when neither passes here."""
    organisations = {organizational_domain(domain) for domain in from_domains[:10]}
    if len(organisations) != 1 or not (dmarc.result == "pass" or any(s.aligned and s.result == "pass" for s in dkim)):
        return None
    return next(iter(organisations))


def _list_resend_envelope(envelope: Envelope) -> Envelope:
    """The envelope of a copy whose Return-Path is a list's MAIL FROM for its later resend
    (envelope.list_intake, envelope.srs_list_sender): its source says so, and the difference that
    reads that address as this copy's SPF identity ("SPF then vouches for the list's domain") is
    left out, as the SPF row leaves it out."""
    if envelope.mail_from is None:
        return envelope
    source = f"{envelope.mail_from_source or 'Return-Path'}: the list's MAIL FROM for its later resend, " \
             "not this copy's"
    return replace(envelope, mail_from_source=source,
                               differences=tuple(d for d in envelope.differences if d.kind != "mail_from_domain"))


# What SPF and DMARC say of mail from the internet, which a message handed over inside the
# receiving organisation never was (the verdict says they do not apply).
_OUTSIDE_ONLY_FINDINGS = frozenset({"spf.fail", "spf.softfail", "dmarc.fail"})


def _receiver_converted_body(message: Message, hops: tuple[Hop, ...]) -> tuple[str, str] | None:
    """(host, what it did) when sendmail's note ("X-MIME-Autoconverted: from base64 to 8bit by
    host id QUEUEID", read by auth.modifiers.autoconverted) names a host of the receiving side (a
    trusted hop's "by") as having re-encoded the body, which changes it for DKIM."""
    receivers = {(h.fields.by or "").lower() for h in hops if h.trusted and h.fields.by}
    from .auth.modifiers import autoconverted

    for field in message.all("X-MIME-Autoconverted")[:3]:
        note = autoconverted(field.value)
        if note is not None and note[2].lower().rstrip(".") in receivers:
            return note[2], f"converted the body from {note[0]} to {note[1]}"
    return None


def _converted_by_receiver(finding: Finding, host: str, what: str) -> Finding:
    """The keyless body-hash finding beside a note naming the receiving side's server as having
    re-encoded the body. The note sits where sendmail appends it, among fields a sender writes
    too, so the severity stays (verification V15 F2: a forged note lowered it and blamed the MX)."""
    return replace(finding, explanation=(
        f"{finding.explanation} A note (X-MIME-Autoconverted) says the receiving side's own server {host} {what} "
        "after accepting the message: a new transfer encoding changes the body that DKIM hashes (RFC 6376 "
        "section 5.3), so if the note is that server's, the change is its own, after delivery, not a change in "
        "transit. The note is text a sender can write too."))


# The findings of mime.read_carried that say the message is a delivery report, a disposition
# notification, a DMARC report or an automatic reply.
# Notices read from their text, without a report part.
_TEXT_READ_NOTICES = ("dsn.unstructured", "dsn.delayed")
_NOTIFICATION_FINDINGS = ("dsn.", "mdn.", "message.auto_reply", "message.dmarc_report", "message.tls_report",
                          "message.unsubscribe_request")


# Fields a mailing list manager adds (RFC 2369, RFC 2919; Mailman's and ezmlm's own).
_LIST_FIELDS = ("List-Id", "List-Post", "X-BeenThere", "X-Mailman-Version", "Mailing-List")


def _list_field_organizations(value: str) -> set[str]:
    """The organisations a list field's words name (List-Id's label, List-Post's address)."""
    orgs = {organizational_domain(word.strip("<>;,()\"'").rpartition("@")[2])
            for word in value[:300].replace("<", " <").split() if "." in word}
    return {org for org in orgs if org}


def _list_signature(message: Message, dkim: Sequence[DkimSignatureResult]) -> tuple[str, DkimSignatureResult] | None:
    """(the list's name, its signature) when the message came through a mailing list that signed
    it after its changes: a signature whose body hash matches, by the organisation the list's
    List-Id (or other list field) names."""
    for name in _LIST_FIELDS:
        value = message.first(name)
        if value is None:
            continue
        shown = " ".join(value[:200].split())
        domains = _list_field_organizations(value)
        for signature in dkim:
            if signature.body_hash_ok and organizational_domain(signature.domain) in domains:
                return shown, signature
    return None


def _changed_by_list(finding: Finding, dkim: Sequence[DkimSignatureResult], list_name: str,
                     list_signature: DkimSignatureResult) -> Finding:
    """The keyless body-hash finding of a signature made before a mailing list changed the body
    (a footer, a subject tag, stripped attachments) and re-signed it: expected of list mail."""
    broken = next((s for s in dkim if signature_subject(s.domain, s.selector) == finding.subject), None)
    if broken is None or broken.header_index <= list_signature.header_index:
        return finding
    if broken.lines_added_after_signing is not None:
        # The finding names the footer, proven (dkim._named_list_changes): the body as signed is known.
        return replace(finding, severity=Severity.NOTICE, explanation=(
            f"{finding.explanation} The list signed the message afterwards: its signature "
            f"(d={list_signature.domain}) covers the body as the list sent it (RFC 6377)."))
    # A notice, not a warning: lists change bodies as a matter of course. Not less: whoever
    # holds the list's key (a list of the sender's own making, say) vouches only for the body
    # as it sent it, and what the author signed can no longer be seen.
    return replace(finding, severity=Severity.NOTICE, explanation=(
        f"{finding.explanation} The message came through the mailing list {list_name}, which changes the bodies it "
        f"relays (a footer, removed parts), and the list signed it afterwards: its signature "
        f"(d={list_signature.domain}) covers the body as the list sent it. The change is most likely the list's, "
        "as is usual for list mail (RFC 6377); what the author's signature covered can no longer be checked."))


_angle_uri_re = compiled_on_first_use(r"<([^<>\s]{1,300})>")
_LIST_FOOTER_TAIL = 3000
"""Bytes read from the end of the body for a list's footer (Mailman's is a few lines)."""


def _list_footer(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None
                 ) -> tuple[str, str, str] | None:
    """(the list's name, what in the body's end shows the list's footer, the boundary client's
    name) when the message came through a mailing list and its body ends with the list's footer:
    Mailman's rule of underscores, or the list's posting address or the host of its List-* URLs.
    The list fields and the footer are text anyone can write: the receiving side must have taken
    the message from the list's organisation (the boundary's client, by the name it looked up and
    did not mark "(may be forged)": hops.vouched_client_name; V53e D-3)."""
    list_id = next((value for value in (message.first(name) for name in _LIST_FIELDS) if value), None)
    if list_id is None or message.body_start is None or not boundary_hop:
        return None
    client = vouched_client_name(hops[boundary_hop - 1])
    client_org = host_organization(client)
    if client_org is None or client_org not in _list_field_organizations(list_id):
        return None
    tail = message.raw[max(message.body_start, len(message.raw) - _LIST_FOOTER_TAIL):].decode("utf-8", "replace")
    marks: list[str] = []
    for name in ("List-Post", "List-Unsubscribe", "List-Archive", "List-Help"):
        for uri in _angle_uri_re().findall((message.first(name) or "")[:600]):
            target = uri.partition(":")[2].lstrip("/").partition("?")[0].partition("/")[0].lower()
            if len(target) > 3 and target in tail.lower():
                marks.append(target)
    if "_" * 40 in tail:
        marks.append("Mailman's rule of underscores")
    if not marks or client is None:
        return None
    return " ".join(list_id[:200].split()), marks[0], client[:120]


def _changed_by_list_footer(finding: Finding, dkim: Sequence[DkimSignatureResult], list_name: str,
                            mark: str, client: str) -> Finding:
    """The keyless body-hash finding of a signature a mailing list broke by adding its footer."""
    broken = next((s for s in dkim if signature_subject(s.domain, s.selector) == finding.subject), None)
    if broken is None or not broken.aligned:
        return finding  # not the author's (the From: domain's) signature: the footer says nothing of it
    if broken.lines_added_after_signing is not None:
        # The finding names the footer, proven (dkim._named_list_changes): the body as signed is known.
        # Said as what is proven: the receiver's name for its client (not "(may be forged)"), a
        # mark of the list's footer in the body's end, and lines added after signing. Not that those
        # lines are the list's footer: they may hold more (a lure above or below the list's lines,
        # V53e D-3), and who wrote them no signature shows.
        lines = broken.lines_added_after_signing
        plural = "s" if lines != 1 else ""
        return replace(finding, severity=Severity.NOTICE, explanation=(
            f"{finding.explanation} The receiving side took the message from {client}, a host of the list's "
            f"organisation by the name its reverse DNS gave, and the body's end shows a mark of the list's footer "
            f"({mark}): lists add a footer as a matter of course (RFC 6377). The {lines} line{plural} added "
            "after signing are text whose author is not proven, which may hold more than the list's footer."))
    return replace(finding, severity=Severity.NOTICE, explanation=(
        f"{finding.explanation} The message came through the mailing list {list_name}, and its body ends with the "
        f"list's footer ({mark}): lists add one as a matter of course (RFC 6377), which breaks the body hash of "
        "the author's signature. The change is most likely that footer; what the author signed can no longer be "
        "checked."))


def _gateway_rewrite(message: Message, chain: HopChain, comparison: Sequence[Comparison], arc: ArcResult | None
                     ) -> GatewayChange | None:
    """How the body shows a change by the recipient's confirmed inbound gateway after its check
    (verdict.GatewayChange), when a pass recorded at delivery no longer holds because the body
    changed (Comparison "modified_after_delivery") and the recipient's confirmed inbound gateway
    (hops.inbound_gateway: the recipient domain's MX names it, the PTR of its address confirms it,
    and the boundary is at its intake) shows the change as its own: its own ARC set sealed at its
    intake validates over the body as it reads now (_gateway_sealed_set: verification V52c D2, a
    banner), for a hand-over that names the recipient's own instance (InboundGateway.tenant), or,
    failing that, the body shows that service's own link rewrite (auth.modifiers:
    verification V44d). verdict.decide weighs it, only for the gateway's own record above the
    boundary (and with the ARC set, only that set's own record)."""
    gateway = chain.gateway
    # (A relay the user declared trusted, hops.trusted_relay: its records are never credited.)
    if gateway is None or not gateway.confirmed or gateway.declared or not chain.boundary_hop \
            or chain.boundary_hop != gateway.intake or not any(c.label == "modified_after_delivery" for c in comparison):
        return None
    boundary_index = chain.hops[chain.boundary_hop - 1].header_index
    # Only a gateway whose hand-over names the recipient's own instance of the service: a shared
    # service's hosts (Mimecast's relay.mimecast.com, *-smtp-delivery-*) serve every customer, so a
    # forger's own account, delivering straight to the recipient's server that accepts the
    # service's addresses, shows the same hosts, and its own ARC set over a body its own policy
    # changed (an outbound disclaimer of its choosing) would read as the recipient's gateway's.
    sealed = _gateway_sealed_set(message, gateway.service, boundary_index, arc) if gateway.tenant else None
    if sealed is not None:
        instance, sealer, record_index = sealed
        return (gateway.service, f"its own ARC set (i={instance} by {sealer}, right above its intake Received), "
                "which holds that record,", boundary_index, record_index)
    from .auth.modifiers import REWRITER_SERVICES, body_modifiers  # only for such a copy

    return next(((gateway.service, words, boundary_index, None)
                 for name, words in body_modifiers(message) if REWRITER_SERVICES.get(name) == gateway.service), None)


def _gateway_sealed_set(message: Message, service: str, intake_index: int, arc: ArcResult | None
                        ) -> tuple[int, str, int] | None:
    """(instance, sealer, header index of its ARC-Authentication-Results) of the ARC set the
    recipient's confirmed gateway sealed when it took the message in, when that set proves who
    changed the body: it is the newest set (RFC 8617 section 4.2.1: each sealer adds the next
    instance; an older set is anyone's to replay from a message once received through the same
    service), its sealer's d= is the gateway's operator, each of its three fields stands once, right
    above the intake Received (between it and the next Received up, where only the receiving side
    writes: RFC 5321 section 4.4 adds trace fields on top; RFC 8601 section 5), the whole chain
    validates now (every seal, and this newest ARC-Message-Signature over the body as it reads
    now: RFC 8617 section 5.2) and its message signature has no l= (which would leave bytes added
    after it unsigned). The gateway then sealed the changed body itself, after its own check; the
    record credited is that set's alone (verdict._rewritten_by_gateway)."""
    if arc is None or arc.result != "pass" or not arc.instances:
        return None
    newest = arc.instances[-1]
    if newest.seal_result != "pass" or newest.signature_result != "pass" or newest.domain is None \
            or host_organization(newest.domain) != service:
        return None
    fields: dict[str, list[HeaderField]] = {}
    for header in reversed(message.headers[:intake_index]):
        name = header.name.lower()
        if name == "received":
            break
        if name in ("arc-seal", "arc-message-signature", "arc-authentication-results"):
            fields.setdefault(name, []).append(header)
    seal, signature, results = (fields.get(name, []) for name in
                                ("arc-seal", "arc-message-signature", "arc-authentication-results"))
    if len(seal) != 1 or len(signature) != 1 or len(results) != 1:
        return None
    tags = parse_tag_list(signature[0].value)
    if tags.get("l") is not None or (tags.get("i") or "").strip() != str(newest.instance) \
            or (parse_tag_list(seal[0].value).get("i") or "").strip() != str(newest.instance) \
            or results[0].value.partition(";")[0].replace(" ", "").lower() != f"i={newest.instance}":
        return None
    # The same set elsewhere too (a copy of the newest instance below the intake): not one set.
    if sum(1 for h in message.headers if h.name.lower() == "arc-seal"
           and (parse_tag_list(h.value).get("i") or "").strip() == str(newest.instance)) != 1:
        return None
    return newest.instance, newest.domain, results[0].index


def _provider_submission(hops: tuple[Hop, ...], boundary_hop: int | None, dkim: Sequence[DkimSignatureResult],
                         comparison: Sequence[Comparison]) -> Finding | None:
    """Info naming the client that submitted the message to the sending provider, when the hops
    below the boundary are that provider's own record: the boundary's client (by the name the
    receiver looked up) is the provider's, a DKIM signature of the provider passes (now, or as
    the receiver recorded), and the newest of the provider's hops below the boundary is an
    authenticated submission. "Who really sent it" for mail from a webmail account: the
    provider's abuse desk traces that address. A sender can write Received fields only below
    the provider's own, so the newest submission of the run is the provider's."""
    if not boundary_hop or boundary_hop < 2:
        return None
    boundary = hops[boundary_hop - 1]
    provider = host_organization(boundary.fields.from_rdns)
    if provider is None:
        return None
    if not any(hop.role is Role.MSA for hop in hops[:boundary_hop - 1]):
        return None  # the usual case: no submission below the boundary to name
    passing = {host_organization(s.domain) for s in dkim if s.result == "pass" and s.domain}
    recorded = {host_organization((c.subject or "").partition("/")[0]) for c in comparison
                if c.method == "dkim" and c.recorded == "pass"}
    if provider not in passing | recorded:
        return None
    for hop in reversed(hops[:boundary_hop - 1]):
        if host_organization(hop.fields.by) != provider:
            return None  # the provider's run of hops ends: what is below is the sender's own claim
        if hop.role is Role.MSA and hop.fields.from_ip:
            if is_non_public_ip(hop.fields.from_ip):
                return None  # the provider's own internal hand-over (Outlook's MAPI): no sender's address
            client = hop.fields.from_ip + (f" ({hop.fields.from_helo or hop.fields.from_rdns})"
                                           if hop.fields.from_helo or hop.fields.from_rdns else "")
            how = "now" if provider in passing else "as the receiving side recorded at delivery"
            # A submission whose stamp records no login (Exchange's, known by its X-Originating-IP;
            # web mail "with HTTP") is not called authenticated.
            who = "an authenticated client" if hop.fields.auth else "a client"
            how_known = f" ({address_safe_shortened(str(hop.fields.auth), 120)})" if hop.fields.auth else ""
            return Finding(
                id="hops.provider_submission", severity=Severity.INFO,
                title=f"Submitted to {provider} by {who} at {client}"[:200],
                explanation=(f"Hop {hop.number} ({str(hop.fields.by)[:120]}) records that {who} at "
                             f"{client[:160]} submitted the message{how_known}. It is below the trust "
                             f"boundary, but {provider} handed the message to the receiving side (hop {boundary_hop}'s "
                             f"client, {str(boundary.fields.from_rdns)[:120]}) and a DKIM signature of {provider} passes "
                             f"({how}), so these hops are {provider}'s own record: the address is the sender's own "
                             f"connection, which {provider}'s abuse desk can trace."),
                reference="https://www.rfc-editor.org/rfc/rfc6409", subject=f"hop {hop.number}")
    return None


def _predated_dmarc(era: Era, from_domains: tuple[str, ...]) -> tuple[DmarcResult, tuple[Finding, ...]]:
    """The DMARC row of a message received before DMARC existed (era.py): not evaluated, as
    no policy of today applies to it."""
    domain = normalize_domain(from_domains[0]) if from_domains else None
    return DmarcResult(result="not_checked", from_domain=domain, org_domain=organizational_domain(domain),
                       record_domain=None, record=None, policy=None, policy_reason="received before DMARC existed",
                       disposition=None, dkim_aligned=None, spf_aligned=None, aligned_dkim_domain=None,
                       explanation=era.not_applicable("DMARC")), ()


def _not_applicable_inside(spf: SpfResult, dmarc: DmarcResult, how: str,
                           receivers_own: bool = False) -> tuple[SpfResult, DmarcResult]:
    """SPF and DMARC rows of a message its provider delivered from one of its mailboxes to another
    (see verdict.sent_inside_provider): what was not checked for want of a client is not
    applicable, not a question for --client-ip. A result that was computed stays as it is, unless
    the provider's marker is its own alone (``receivers_own``: removed from mail entering from
    outside): then the row says first that it does not apply, and keeps it for the record."""
    spf_why = (f"not applicable: {how}, and every hop is inside it; SPF judges a hand-over from another "
               "organisation (RFC 7208 section 2.1), and there was none")
    dmarc_why = (f"not applicable: {how}, and every hop is inside it; DMARC judges mail taken from another "
                 "organisation, so the From: domain's policy has nothing to act on")
    if spf.result == "not_checked":
        spf = replace(spf, explanation=spf_why)
    elif receivers_own and spf.result not in ("none", "pass"):
        spf = replace(spf, explanation=f"{spf_why}; computed for the record: {spf.explanation}")
    if dmarc.result == "not_checked":
        dmarc = replace(dmarc, disposition=None, explanation=dmarc_why)
    elif receivers_own and dmarc.result not in ("none", "pass"):
        dmarc = replace(dmarc, disposition=None,
                                    explanation=f"{dmarc_why}; computed for the record: {dmarc.explanation}")
    return spf, dmarc


def _computed_inside(spf: SpfResult, dmarc: DmarcResult, client_ip: str,
                     hidden: bool = False) -> tuple[SpfResult, DmarcResult]:
    """SPF and DMARC rows of a message every hop of which is inside one organisation, from a
    private client of it (its web mail, its own submission server): the results computed stay,
    for the record, but the rows say first that they do not apply, as the findings and the
    verdict do, and no DMARC policy is said to apply (RFC 7208 section 2.1 and RFC 7489 section
    3 judge mail arriving from another organisation)."""
    # With no login and no name of the receiver's for the client (hops.private_entry), the
    # address may be a proxy's or a NAT's: the rows say SPF cannot judge it, not that it is inside.
    where = (f"the client {client_ip} is a private address (one of the receiving side's servers, or a proxy or "
             "NAT in front of it that hides the real client)" if hidden else
             f"every hop is inside the receiving organisation and the client {client_ip} is a private address of it")
    if spf.result not in ("not_checked", "none"):
        spf = replace(spf, explanation=(
            f"not applicable: {where}; computed for the record: {spf.explanation}"))
    if dmarc.result not in ("not_checked", "none", "pass"):
        dmarc = replace(dmarc, disposition=None, explanation=(
            f"not applicable: {'SPF cannot judge the hand-over from ' + client_ip if hidden else 'every hop is inside the receiving organisation'}"
            f", so the From: domain's policy has no hand-over to act on; computed for the record: {dmarc.explanation}"))
    return spf, dmarc


def _inside_only(finding: Finding, client_ip: str | None, cut: str | None = None) -> Finding:
    """An SPF or DMARC failure judged at a private client: ``cut`` names the finding that says the
    copy lacks hops (the list's, hops.delivery_missing; the arrival's, hops.arrival_missing), else
    all of it stayed inside."""
    if finding.id not in _OUTSIDE_ONLY_FINDINGS:
        return finding
    where = ("This copy holds the hops of one organisation only, not those of the mailing list it went through: "
             if cut == "hops.delivery_missing" else
             "This copy stops before the hop where the message arrived: " if cut == "hops.arrival_missing" else
             "The message never arrived from the internet: every hop is inside the receiving organisation and ")
    # (A copy cut short may have arrived from outside: its title keeps the disposition.)
    title = finding.title if cut is not None else _outside_receiver_title(finding.title)
    return replace(finding, severity=Severity.INFO, title=title, explanation=(
        f"{where}the client ({client_ip or '?'}) is a private address, where SPF and DMARC, which judge mail "
        f"arriving from outside, do not apply. For the record: {finding.explanation}"))


_RFC7208_FORWARDING = "https://www.rfc-editor.org/rfc/rfc7208#appendix-D"


class _ForwardingClient(NamedTuple):
    """The boundary's client shown to be the server that forwarded the message (_forwarding_client)."""

    rdns: str
    """The client's name (its forward-confirmed PTR name, or the one the receiver wrote)."""
    where: str
    """What ties it to the forward, in words after "The client ... is"."""
    title: str
    """Its name in the SPF finding's title: "(forwarded by ...)"."""
    name: str
    """The forwarder's name alone, for the verdict."""


def _forwarding_client(envelope: Envelope, boundary: Hop, reverse_dns: ReverseDnsResult,
                       hops: tuple[Hop, ...]) -> _ForwardingClient | None:
    """The boundary's client as the forwarder of a mailbox the envelope says forwarded the message
    (a ``forwarded`` difference): a server of the mailbox's organisation by the client's name, or
    the very host whose Received took the message for that mailbox (_forwarding_hop_mailbox)."""
    # The client's name: its forward-confirmed PTR name, else (not looked up: offline) the one the
    # receiver wrote in its Received unless it marked it "(may be forged)"; Exchange Online writes
    # the client's greeting there instead, which names nothing.
    checked = parse_client_ip(reverse_dns.ip) if reverse_dns.ip else None
    if reverse_dns.confirmed is False or checked is None \
            or checked != (parse_client_ip(boundary.fields.from_ip) if boundary.fields.from_ip else None):
        # A PTR name that does not resolve back names whoever controls the reverse zone (a
        # forger's own); a client other than the boundary's (--client-ip, a report's Source-IP) is
        # not the one whose name this is (verification V35d).
        return None
    rdns = (reverse_dns.confirmed_names[0] if reverse_dns.confirmed and reverse_dns.confirmed_names else None) \
        or vouched_client_name(boundary)
    client_org = host_organization(rdns) if rdns else None
    if rdns is None or client_org is None:
        return None
    forwarded = [address for difference in envelope.differences if difference.kind == "forwarded"
                 for address in [(difference.header_value or "").split(",", 1)[0].strip()] if address]
    mailbox = next((address for address in forwarded
                    if (domain := address_domain(address)) and host_organization(domain) == client_org), None)
    through = None if mailbox is not None else _forwarding_hop_mailbox(forwarded, hops, boundary, rdns)
    if mailbox is None and through is None:
        return None
    if through is not None:
        number, mailbox = through
        where = (f"the host that took the message for {mailbox[:120]} at hop {number} (its Received, below the "
                 "boundary) and forwarded it (see the envelope)")
        forwarder = f"{rdns[:100]} for {(address_domain(mailbox) or mailbox)[:100]}"
    else:
        assert mailbox is not None
        where = f"a server of {client_org}, where the message reached {mailbox[:120]} and was forwarded (see the envelope)"
        forwarder = client_org
    return _ForwardingClient(rdns=rdns, where=where, title=forwarder,
                             name=rdns if through is not None else client_org)


def _forwarded_spf(finding: Finding, envelope: Envelope, boundary: Hop, dmarc: DmarcResult | None,
                   reverse_dns: ReverseDnsResult, hops: tuple[Hop, ...] = ()) -> Finding:
    """An SPF failure at the boundary whose client is a server of the mailbox the envelope says
    forwarded the message (a ``forwarded`` difference, no SRS rewrite), or the very host whose
    Received just below the boundary took the message for that mailbox (a shared host serving the
    mailbox's domain under its own name, _forwarding_hop_mailbox): a forward that keeps the
    original MAIL FROM fails the sender's SPF at the next receiver (RFC 7208 appendix D), so the
    finding says so. The forward and the client's reverse DNS name are claims, so the severity is
    lowered only when DMARC passes without SPF (an aligned DKIM signature authenticates the
    message whatever SPF says)."""
    if finding.id not in ("spf.fail", "spf.softfail"):
        return finding
    client = _forwarding_client(envelope, boundary, reverse_dns, hops)
    if client is None:
        return finding
    rdns, where, forwarder, _ = client
    words = (f" The client {str(boundary.fields.from_ip or '?')[:45]} ({rdns[:100]}) is {where}: a forward that keeps "
             "the original envelope sender, without sender rewriting (SRS), fails the sender's SPF at the next "
             "receiver (RFC 7208 appendix D). That explains this failure if the forward is genuine; the forward "
             "and the client's reverse DNS name are records this receiver and earlier servers wrote.")
    if dmarc is not None and dmarc.result == "pass":
        words += " DMARC passes without SPF here, so the failure does not count against the message."
        severity = Severity.NOTICE if finding.severity is Severity.WARNING else Severity.INFO
    else:
        severity = finding.severity
    return replace(finding, severity=severity, title=f"{finding.title} (forwarded by {forwarder})",
                   explanation=finding.explanation.replace(
                       " The message either was forged or was forwarded without sender rewriting (SRS).", "")
                   + words, reference=_RFC7208_FORWARDING)


def _forwarded_through(envelope: Envelope, boundary: Hop, spf: SpfResult | None, dmarc: DmarcResult,
                       reverse_dns: ReverseDnsResult, hops: tuple[Hop, ...]) -> tuple[str, bool] | None:
    """(forwarder, whether it rewrote the envelope sender) when the message reached the receiver
    through a forwarder that the envelope and the boundary hop establish, for the verdict's words on
    a DMARC failure (RFC 7960 section 3.2.1: an alias forward): a sender rewriting scheme address
    for the From: domain's original sender that SPF passes for at the boundary (the client is
    authorised by the forwarder), or, with the original envelope sender kept, an SPF failure whose
    client is the server of the forwarding mailbox (_forwarding_client). Words only: the verdict's
    status never depends on it."""
    if spf is None or not spf.domain:
        return None
    from_domain = normalize_domain(dmarc.from_domain) if dmarc.from_domain else None
    from_org = (organizational_domain(from_domain) or from_domain) if from_domain else None
    if envelope.srs is not None:
        original = address_domain(envelope.srs.original_sender or "")
        forwarder = envelope.srs.forwarder
        if spf.result == "pass" and original and from_org and forwarder \
                and (organizational_domain(original) or original) == from_org \
                and host_organization(spf.domain) == host_organization(forwarder):
            return forwarder, True
        return None
    if spf.result not in ("fail", "softfail"):
        return None
    client = _forwarding_client(envelope, boundary, reverse_dns, hops)
    return (client.name, False) if client is not None else None


def _forwarding_hop_mailbox(forwarded: list[str], hops: tuple[Hop, ...], boundary: Hop,
                            client: str) -> tuple[int, str] | None:
    """(hop number, mailbox) of the Received, in the run of the client host's own hops directly below
    the boundary (its content filter's loop included), that records taking the message for a
    mailbox the envelope says forwarded it (``forwarded``): the forward went through the very host
    whose hand-over SPF checked, whatever its name (a cPanel or Exim host serving the mailbox's
    domain as its MX under the hosting company's name). The Received is the forwarder's claim, as
    the forward is; only words and a failure DMARC already outweighs hang on it (_forwarded_spf)."""
    if not forwarded:
        return None
    client_host = normalize_domain(client)
    wanted = {address.strip("<>").lower() for address in forwarded}
    for hop in reversed(hops[:200]):
        if hop.number >= boundary.number:
            continue
        if not client_host or normalize_domain(hop.fields.by) != client_host:
            break
        recipient = (hop.fields.for_ or "").strip().strip("<>").lower()
        if recipient in wanted:
            return hop.number, recipient
    return None


def _provider_inside_only(finding: Finding, how: str) -> Finding:
    """An SPF or DMARC failure of a message its provider records as sent between its own mailboxes
    (see verdict.sent_inside_provider), said for the record."""
    if finding.id not in _OUTSIDE_ONLY_FINDINGS:
        return finding
    return replace(finding, severity=Severity.INFO, title=_outside_receiver_title(finding.title), explanation=(
        f"The message never arrived from the internet: it was {how}, and every hop is inside it, where SPF "
        f"and DMARC, which judge mail arriving from outside, do not apply. For the record: {finding.explanation}"))


# dmarc.fail's title as auth.dmarc writes it: "DMARC fail for DOMAIN (policy P, disposition D)".
_DMARC_FAIL_TITLE = compiled_on_first_use(r"DMARC fail for (\S{1,300}) \(policy (\w{1,20}), disposition \w{1,20}\)")


def _outside_receiver_title(title: str) -> str:
    """dmarc.fail's title for a message no receiver judged by DMARC (every hop inside the receiving
    system, RFC 7489 section 3): what a receiver outside would find, without the disposition no
    one took; other titles as they are."""
    found = _DMARC_FAIL_TITLE().match(title)
    if found is None:
        return title
    return f"DMARC would fail for {found[1]} at a receiver outside (policy {found[2]}){title[found.end():]}"


def _generated_inside_only(finding: Finding, how: str) -> Finding:
    """A computed SPF or DMARC failure of a message whose verdict says it was generated or sent
    inside the receiving system (verdict.INSIDE_NOT_APPLICABLE: a local program's hand-over, an
    automatic notification of its own servers, a provider's marker), in the verdict's terms: what a
    receiver outside would do with it, for the record, not a failure or a disposition applied to
    it. Only where the verdict itself took that reading: the severity follows the verdict, never
    leads it (verification V57c D-4)."""
    if finding.id not in _OUTSIDE_ONLY_FINDINGS or finding.severity is Severity.INFO:
        return finding  # (INFO: already said so, _provider_inside_only)
    applied = "DMARC" if finding.id == "dmarc.fail" else "SPF"
    return replace(finding, severity=Severity.INFO, title=_outside_receiver_title(finding.title), explanation=(
        f"The message never arrived from the internet: {how}, and every hop is inside the receiving system, so no "
        f"receiver applied {applied} to it"
        + (" and no disposition was taken" if applied == "DMARC" else "")
        + f". Sent as it is to a receiver outside, it would fail there: {finding.explanation}"))


def _list_copy_evidenced(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None,
                         mail_from: str | None, spf: SpfResult | None = None,
                         recorded: tuple[RecordedResult, ...] = (), from_domain: str = "") -> bool:
    """Whether the copy came through the mailing list its List-Id names, by more than the List-Id
    (text a sender writes too, verification V10, P3): the envelope sender the receiving side
    recorded, unless SPF is known not to pass for it, or the reverse-DNS name of the server that
    handed the message over, is in the list's organisation (RFC 2919 section 2: a list-id ends with
    a domain its owner controls)."""
    label = list_id_label(message.first("List-Id"))
    list_org = host_organization(label) if label else None
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    if not list_org:
        return False
    # The list re-sends under its own envelope sender (RFC 7960 section 3.2.3): a MAIL FROM in its
    # organisation, as the envelope reading (the receiving side's records first) gives it. The MAIL
    # FROM is the client's word too: it shows the list only when SPF did not refuse it (verification
    # V38a: a spoof with a List-Id and a MAIL FROM of the list's domain, recorded SPF softfail, had its
    # "DMARC cannot pass" lowered as a list copy's).
    mail_from_domain = mail_from.rpartition("@")[2] if mail_from and "@" in mail_from else ""
    if mail_from_domain and host_organization(mail_from_domain) == list_org:
        # Refused: the domain's SPF says the client may not send its mail (fail, softfail: RFC 7208
        # sections 8.4, 8.5); none and neutral assert nothing either way (8.1, 8.2). The receiver's
        # own result, judged at delivery, outweighs today's record, which may have moved since
        # (verification V39a: an archived list copy's recorded pass).
        then = receiver_spf_not_pass(recorded, mail_from_domain, spf.client_ip if spf is not None else None,
                                     from_domain)
        passed_then = receiver_spf_passed(recorded, mail_from_domain)
        refused_then = then is not None and then.result.lower() in ("fail", "softfail")
        refused_now = (spf is not None and spf.domain is not None
                       and normalize_domain(spf.domain) == normalize_domain(mail_from_domain)
                       and spf.result in ("fail", "softfail"))
        if passed_then or not (refused_now or refused_then):
            return True
    if boundary is None or not boundary.fields.from_rdns:
        return False
    # The list's own servers (not a big operator's, whose hosts send any customer's mail: Google
    # Groups' copies are told by their envelope sender, "...@googlegroups.com"; verification V11).
    return host_organization(boundary.fields.from_rdns) == list_org


def _run_checks(loaded: LoadedInput, message: Message, resolver: EvidenceResolver,
                opts: AnalysisOptions, now: datetime) -> Report:
    """Every check of one message. The split message ARC and DKIM share (auth._dkimpy.split_message,
    a large message's copy of its header and body) is released when they are all done."""
    try:
        return _checks(loaded, message, resolver, opts, now)
    finally:
        _dkimpy.release(message.raw)


def _checks(loaded: LoadedInput, message: Message, resolver: EvidenceResolver,
            opts: AnalysisOptions, now: datetime) -> Report:
    findings: list[Finding] = []
    # A carried message was never stored itself: the folder is its carrier's.
    folder = None if loaded.carried_in is not None else mail_folder(loaded.source, loaded.format, loaded.store_flags,
                                                                          message.headers)
    findings.extend(_input_findings(loaded, message, folder))

    # Several Date: fields (a server added its own): the one the trace agrees with.
    chosen_date, date_choice = _date_field(message)
    date_field = chosen_date.value if chosen_date is not None else None
    date, zone_missing = _parse_date(date_field)

    # Every question the analysis will ask whatever the hop chain says, and the PTR of the top
    # hops' clients (one of them is the boundary's), asked in parallel before the serial stages
    # below (hop chain, ARC, DKIM), so a slow or dead nameserver costs one round, not one per stage.
    # Only a resolver that asks the network gains from it: a snapshot answers at once, and
    # working the questions out costs a scan a tenth of a millisecond per message.
    if resolver.asks_network:
        decisive = _decisive_questions(message)
        if resolver.budget is not None:
            resolver.exempt(decisive)
        # The decisive questions go first, so a message naming many slow keys of its own cannot
        # push the From: domain's policy into a later round (or past the budget).
        resolver.prefetch(list(dict.fromkeys([*decisive, *_early_questions(message)])))

    def reverse_names(ip: str) -> tuple[tuple[str, ...], bool | None] | None:
        # Lets the hop chain confirm a relay known only by its HELO through forward-confirmed
        # reverse DNS (RFC 8601 section 3 "iprev"); the answers become evidence like any other.
        result = check_reverse_dns(resolver, ip)
        if result.result in ("not_checked", "temperror"):
            return None
        if result.confirmed and result.confirmed_names:
            # FCrDNS confirms names, not the PTR set: an address's owner can publish a second
            # PTR name that is someone else's (a relay's, a gateway tenant's) beside its own, which
            # resolves back, so only the confirmed names say whose host it is (RFC 8601 section
            # 3, iprev; verification V53d D1: the second name moved the boundary into the forger's text).
            return tuple(host_behind(name, result.ip or "") for name in result.confirmed_names), True
        return result.ptr_names, result.confirmed

    def host_behind(name: str, ip: str) -> str:
        # A PTR name that is an alias (CNAME) into another organisation's zone names that
        # organisation's host: "shop.example.com" CNAME'd to a hosted shop's name resolves back
        # to the hoster's address, which the hoster rents to anyone (RFC 1034 section 3.6.2: the
        # canonical name is the host). The hop chain reads whose host it is from the target.
        # (The forward answer is the one the check above got: the resolver answers it again.)
        forward = resolver.resolve(name, "AAAA" if ":" in ip else "A")
        if not forward.cname_chain:
            return name
        target = forward.cname_chain[-1].rstrip(".").lower()
        return name if host_organization(target) == host_organization(name) else target

    # A Date: without a time zone is off by up to a day: the journey is then measured from the
    # first stamped hop, not from it. A resent message (RFC 5322 section 3.6.6) began this
    # journey at its Resent-Date, when no hop of it is older.
    start = None if zone_missing else _journey_start(message, date)
    def mail_exchangers(domain: str) -> tuple[str, ...] | None:
        # Only asked when the boundary hop's client is a service that also relayed the hop
        # below: is it the receiving domain's own MX (its inbound filtering gateway)?
        answer = resolver.resolve(domain, "MX")
        return answer.values if answer.ok else None

    chain = build_chain(message, start, now, reverse_names=reverse_names, mail_exchangers=mail_exchangers,
                        trusted_relays=tuple(trusted_relay(spec) for spec in relay_specs(opts.trusted_relays)))
    # A copy carried by a feedback report: the report's own record of its arrival (Source-IP,
    # Arrival-Date, Authentication-Results), which the copy often lacks (RFC 5965 section 3.2).
    reported = loaded.reported_envelope
    report_results = reported_results(reported.authentication_results) if reported is not None else ()
    reporter_arrival: str | None = None
    if reported is not None:
        reporter_arrival, arrival_finding = _reporter_arrival(reported, chain.hops, chain.boundary_hop)
        if arrival_finding is not None:
            findings.append(arrival_finding)
        if reporter_arrival is not None:
            # The copy's top hop is not the reporter's: what the chain says of "the receiving
            # side" (every hop inside it, a private hand-in, a Message-ID written by it) is about
            # a server that did not receive it for the reporter.
            chain = replace(chain, findings=tuple(
                f for f in chain.findings if f.id not in _NOT_THE_REPORTERS))
    if zone_missing:
        findings.append(Finding(
            id="date.no_zone", severity=Severity.NOTICE, title="Date: header has no time zone",
            explanation="The Date: header gives no time zone, which RFC 5322 section 3.3 requires, so the "
                        "moment it names is only known to within a day. It is shown as UTC; hop 1's delay "
                        "and the total journey are measured from the first hop with a timestamp instead.",
            reference="https://www.rfc-editor.org/rfc/rfc5322#section-3.3", subject="Date",
        ))
    if date_choice is not None:
        findings.append(date_choice)
    weekday = _weekday_finding(date_field, date)
    if weekday is not None:
        findings.append(weekday)
    if date is None and loaded.has_body:
        # RFC 5322 section 3.6 requires one Date: (section 3.6.1, the origination date); a
        # headers-only paste may simply have left it out, so only a whole message is told.
        written = (date_field or "").strip()
        findings.append(Finding(
            id="date.unreadable" if written else "date.missing", severity=Severity.NOTICE,
            title=f"Date: header cannot be read (\"{written[:60]}\")" if written else "No Date: header",
            explanation=("RFC 5322 section 3.6 requires every message to carry its origination date. "
                         + (f"This one's Date: (\"{written[:200]}\") is not a date. " if written else
                            "This message has none, or an empty one. ")
                         + "The journey is measured from the first hop with a timestamp. Mail sent this "
                           "way comes from scripts and bulk mailers, and some mailbox providers refuse it."),
            reference="https://www.rfc-editor.org/rfc/rfc5322#section-3.6", subject="Date",
        ))
    findings.extend(chain.findings)
    # Before the recorded results: a verified ARC set the receiver sealed below its Received
    # shows that the results beside it are the receiver's.
    # One signature-checking budget for the message, shared by ARC (half at most) and DKIM
    # (_dkimpy.VerificationBudget: a forger's costly keys cost 28 s before, verification V48b D1-2).
    verification_budget = _dkimpy.VerificationBudget()
    arc, arc_findings = check_arc(message, resolver, uncheckable_body=loaded.uncheckable_body,
                                  mbox_quoted=loaded.mbox_quoted, budget=verification_budget)
    verified_seals = frozenset((normalize_domain(i.domain) or "", i.instance) for i in (arc.instances if arc else ())
                               if i.seal_result == "pass" and i.signature_result == "pass")
    # Read before the other checks: the receiver's Received-SPF is an envelope and SPF-input source.
    arrival_missing = any(f.id == "hops.arrival_missing" for f in chain.findings)
    recorded, recorded_findings = parse_recorded(message, chain.hops, chain.boundary_hop,
                                                 loaded.recorded + report_results, verified_seals, chain.gateway,
                                                 arrival_missing=arrival_missing)
    received_spf = boundary_received_spf(recorded, chain.hops, chain.boundary_hop)
    # The receiver's record of the MAIL FROM it checked, its ARC-Authentication-Results above the
    # boundary Received included (a gateway's, e5f9bbe): it outranks a Return-Path the sender wrote
    # below that Received (verification V53d D2).
    boundary_hop_index = chain.hops[chain.boundary_hop - 1].header_index if chain.boundary_hop else None
    envelope, envelope_findings = analyze_envelope(message, chain.hops, chain.boundary_hop, received_spf,
                                                   loaded.reported_envelope,
                                                   _recorded_mail_from(recorded, boundary_hop_index), recorded)
    findings.extend(envelope_findings)
    if envelope.mail_from is None and envelope.claimed_mail_from is None and loaded.mbox_sender is not None:
        # Shown as a claim beside "not recorded", never used for SPF: a delivery agent writes the
        # MAIL FROM on the mbox "From " line, a list archive the author's address.
        envelope = replace(
            envelope, claimed_mail_from=loaded.mbox_sender[:254],
            claimed_mail_from_source="the mbox 'From ' line (RFC 4155, a claim)")
    findings.extend(repeated_fields(message))
    # Mail received before SPF, DKIM or DMARC existed is not judged by them (era.py).
    era, era_finding = received_era(chain.hops, date, message, recorded)
    if era_finding is not None:
        findings.append(era_finding)
    hidden = hidden_characters(message)
    if hidden is not None:
        findings.append(hidden)

    # An address literal ("joe@[192.0.2.1]", RFC 5322 section 3.4.1) names no domain: DMARC has
    # no From: domain to check (RFC 7489 section 6.6.1), and no DNS name is asked for it.
    from_domains = tuple(a.domain for a in envelope.header_from if a.domain and not a.domain.startswith("["))
    from_literals = tuple(a.address for a in envelope.header_from if a.domain and a.domain.startswith("["))
    from_domain = from_domains[0] if from_domains else None
    # When the receiving side took the message: its own topmost Received, the verification time
    # for a DKIM expiry (RFC 6376 section 3.5, "if that time is reliably available"). A carried
    # copy's (--attached) top Received was written by whoever attached it: not reliable, and an
    # untrusted top hop is a claim (the current time is used instead).
    delivery_time = None
    if loaded.carried_in is None and chain.hops and chain.hops[-1].trusted and chain.hops[-1].fields.timestamp:
        delivery_time = datetime.fromisoformat(chain.hops[-1].fields.timestamp)

    boundary = chain.hops[chain.boundary_hop - 1] if chain.boundary_hop else None
    # The boundary transaction's own MAIL FROM when recorded (see boundary_mail_from), else the
    # final one (Return-Path).
    spf_mail_from, spf_mail_from_source = boundary_mail_from(message, boundary, received_spf, envelope.srs, chain.hops)
    intake = (list_intake(message, chain.hops, envelope.mail_from) or srs_list_sender(message, envelope.srs)
              if spf_mail_from_source is None else None)
    if intake is not None:
        findings.append(intake)  # the Return-Path is the list's resend's, not the boundary's
        envelope = _list_resend_envelope(envelope)
    elif spf_mail_from_source is None:
        spf_mail_from, spf_mail_from_source = envelope.mail_from, envelope.mail_from_source
    if spf_mail_from is None:
        # No Return-Path or envelope-from (a list archive's copy): the receiver's own trusted
        # Authentication-Results names the SPF identity it checked (RFC 8601 section 2.7.2).
        spf_mail_from, spf_mail_from_source = _recorded_mail_from(
            recorded, boundary.header_index if boundary is not None else None)
    # The boundary field holds text the client wrote that the parser could not place: its address
    # may be the client's words, so none of the readings that switch SPF off rests on it (a
    # loopback "with local" submission, an internal hand-over; V58a D1-1).
    unplaced = any(f.id == "hops.greeting_injection" for f in chain.findings)
    client_ip, helo, mail_from, inputs_from = _spf_inputs(opts, boundary, spf_mail_from,
                                                          spf_mail_from_source, received_spf, recorded,
                                                          arrival_missing=arrival_missing, unplaced=unplaced,
                                                          reported_source=reported.mail_from_source
                                                          if reported is not None else None)
    if reporter_arrival is not None and reported is not None \
            and not any(v is not None for v in (opts.client_ip, opts.helo, opts.mail_from)):
        # The reporter received it from Source-IP, which the copy does not show (see
        # _reporter_arrival): that hand-over is the one SPF judges (RFC 7208 section 2.4), with the
        # report's MAIL FROM; the HELO of that session is not recorded anywhere.
        client_ip, helo = reporter_arrival, None
        described = "the feedback report's Source-IP (RFC 5965 section 3.2)"
        if reported.mail_from is not None:
            mail_from = reported.mail_from
            described += f"; MAIL FROM: {reported.mail_from_source}"
        elif spf_mail_from_source:
            described += f"; MAIL FROM: {spf_mail_from_source}"
        inputs_from = described
    # The sender's copy, which ends at its authenticated submission (hops.submission_only): the
    # client there logged in to its provider, which no SPF record is about (RFC 7208 section 2.4
    # checks the server that hands mail to a receiver; RFC 6409 section 4.3 authorises a
    # submission by its login). Not when the command line names SPF's inputs, nor when the
    # receiving side itself recorded an SPF or DMARC result: that is its word, and stands.
    submitted = sent_copy(chain.hops, chain.boundary_hop, chain.findings) \
        if not any(v is not None for v in (opts.client_ip, opts.helo, opts.mail_from)) and reporter_arrival is None \
        and not any(r.trusted and r.method in ("spf", "dmarc") for r in recorded) else None
    # Sent and delivered inside one organisation (hops.internal_only), entering at a submission
    # (mapi, ESMTPA/ESMTPSA, web mail) or from a loopback, link-local or private client: no
    # hand-over between administrative domains happened, which is what SPF checks (RFC 7208
    # section 2.1): the SPF row must not offer the submitting client (Exchange's ::1) as inputs
    # to check (said after the check, below). The boundary hop is the receiving side's own stamp, and hops.internal_only is only raised when
    # no hop shows the message arriving from outside: a sender's submission stamp below the
    # boundary of mail that came from outside makes nothing internal.
    internal_submission = submitted is None and boundary is not None and not any(
        v is not None for v in (opts.client_ip, opts.helo, opts.mail_from)) and (
        boundary.role is Role.MSA or is_non_public_ip(boundary.fields.from_ip)) and any(
        f.id == "hops.internal_only" for f in chain.findings) and not unplaced
    # The arrival hop is missing and no record of the receiver's names its client: the boundary's
    # client is an internal hand-over, which SPF must not judge (said after the check, below).
    unknown_arrival = arrival_missing and client_ip is None and boundary is not None and not any(
        v is not None for v in (opts.client_ip, opts.helo, opts.mail_from))
    client_from_report = reporter_arrival is not None and client_ip == reporter_arrival
    if client_ip is None and reported is not None and reported.client_ip and parse_client_ip(reported.client_ip):
        # The copy records no client (no Received of the reporter's): the report's Source-IP is
        # the reporter's record of it (RFC 5965 section 3.2).
        client_ip = reported.client_ip
        inputs_from = f"{reported.source}: Source-IP" + (f"; {inputs_from}" if inputs_from else "")
        client_from_report = True
    # The checks ask their questions one after another; a live resolver answers these known
    # ones in parallel up front and caches them, so a slow DNS costs one round trip, not six.
    # Snapshot and offline resolvers ignore the hint.
    overridden = any(v is not None for v in (opts.client_ip, opts.helo, opts.mail_from))
    # Received before SPF existed: not evaluated against today's DNS, unless the command line
    # asks for it with inputs of its own.
    spf_predated = era is not None and era.before("SPF") and not overridden
    dmarc_predated = era is not None and era.before("DMARC")
    resolver.prefetch(_sure_questions(message, None if dmarc_predated else from_domain,
                                      *((None, None, None) if submitted is not None or spf_predated
                                        else (mail_from, helo, client_ip))))

    # An rsa-sha1 signature on mail received before RFC 8301 (2018) is historic, by the
    # receiving side's trusted stamp only (era.py), never the sender's Date:.
    dkim, dkim_findings = check_dkim(message, resolver, from_domain=from_domain,
                                     delivery_time=delivery_time, now=now, byte_exact=loaded.byte_exact,
                                     received_before_sha1_retired=received_before(chain.hops, date, RSA_SHA1_RETIRED),
                                     uncheckable_body=loaded.uncheckable_body, mbox_quoted=loaded.mbox_quoted,
                                     budget=verification_budget)
    findings.extend(dkim_findings)
    findings.extend(arc_findings)

    spf_findings: tuple[Finding, ...] = ()
    if spf_predated and era is not None:
        spf = SpfResult(
            result="not_checked", client_ip=client_ip, mail_from=mail_from, helo=helo, domain=None, record=None,
            mechanism=None, lookups=None, void_lookups=None, helo_result=None, inputs_from=inputs_from,
            explanation=era.not_applicable("SPF"))
    elif submitted is not None and boundary is not None:
        # Shown, not evaluated: what the submission recorded, with why SPF does not judge it.
        spf = SpfResult(
            result="not_checked", client_ip=client_ip, mail_from=mail_from, helo=helo, domain=None, record=None,
            mechanism=None, lookups=None, void_lookups=None, helo_result=None, inputs_from=inputs_from,
            explanation=(f"not applicable: a sent copy, ending at its submission with a login (hop "
                         f"{boundary.number}, RFC 6409 section 4.3); SPF judges the server that hands the message "
                         "to a receiving server (RFC 7208 section 2.4), which this copy does not show"))
    else:
        spf, spf_findings = check_spf(resolver, client_ip=client_ip, mail_from=mail_from, helo=helo,
                                      from_domain=from_domain, inputs_from=inputs_from)
        if client_from_report and spf.result == "pass":
            # The client is the report's Source-IP: text whoever sent the report wrote, not
            # authenticated here. A failure there stands as found; a pass vouches for nothing
            # (verification V13 F1: a made-up report named the bank's server and its phish read
            # authenticated).
            spf = replace(spf, result="not_checked", explanation=(
                f"not relied on: the client {str(client_ip)[:45]} is the feedback report's Source-IP, a claim of "
                "whoever sent the report, which is not authenticated here; for the record, SPF passes for it: "
                f"{spf.explanation}"))
    if unknown_arrival and spf.client_ip is None and boundary is not None and not spf_predated:
        internal = boundary.fields.from_ip or boundary.fields.from_helo
        handed = (f"hop {boundary.number}'s client ({str(internal)[:80]}) is a hand-over inside the receiving side"
                  if internal else f"hop {boundary.number} records no client")
        spf = replace(spf, explanation=(
            f"not checked: the arrival hop is missing. This copy stops before the hop where the message arrived "
            f"(hops.arrival_missing); {handed}, not the server that sent the message, and no result relied on "
            "names that server (one in the receiver's name that is not relied on may: the findings say which; "
            "give --client-ip)"))
    if era is not None and spf.result != "not_checked" and not spf_predated:
        # Evaluated, but against today's record: the message's own time is years before it.
        spf = replace(spf, explanation=(f"{spf.explanation}; judged by today's DNS, for a message "
                                                    f"received {era.day}"))
    findings.extend(spf_findings)
    if dmarc_predated and era is not None:
        dmarc, dmarc_findings = _predated_dmarc(era, from_domains)
    else:
        dmarc, dmarc_findings = check_dmarc(resolver, from_domains=from_domains, dkim=dkim,
                                            # No SPF identity of the copy can pass or fail: DMARC rests on DKIM.
                                            spf=replace(spf, mail_from=None, domain=None)
                                            if submitted is not None else spf,
                                            arc=arc, recorded=recorded, hops=chain.hops,
                                            from_not_pasted=message.pasted_without("From"), cut_off=message.cut_off,
                                            from_literals=from_literals)
    if submitted is not None and boundary is not None and dmarc.result == "not_checked":
        policy = f"; {dmarc.record_domain} publishes p={dmarc.policy}" if dmarc.policy and dmarc.record_domain else ""
        unverified = any(s.aligned and (s.result in ("not_checked", "temperror", "neutral")
                                        or s.reason_code in ("offline", "no_body", "temperror", "not_checked"))
                         for s in dkim)
        dkim_part = ("an aligned DKIM signature could not be verified" if unverified
                     else "no DKIM signature aligned with the From: domain passes here")
        dmarc = replace(dmarc, disposition=None, explanation=(
            f"not applicable: a sent copy, ending at its submission with a login (hop {boundary.number}); a "
            f"receiving server judges DMARC with the SPF result of the provider's hand-over to it, which this copy "
            f"does not show, and {dkim_part}{policy}"))
    findings.extend(_one_multiple_from(envelope_findings, dmarc, dmarc_findings, findings))
    dkim, spf = _with_alignment_mode(dkim, spf, dmarc, from_domain)
    # The envelope sender's look-alike of the recipients' organisation was read before the DKIM
    # check: once headerscope verified that organisation's own aligned signature (or DMARC passes
    # for it), its bounce domain joined with a word is its own (envelope.envelope_sender_as_own).
    # (The envelope's fields that reading uses are as analyze_envelope read them: a list's resend
    # and an mbox line change only sources and differences.)
    signed_by = _from_organisation_authenticated(from_domains, dkim, dmarc)
    if signed_by is not None:
        findings[:] = envelope_sender_as_own(findings, envelope, chain.hops, chain.boundary_hop, recorded, signed_by)
    # The provider that delivered the message says it never left it (Proton's X-Pm-Origin:
    # internal), and the chain agrees: SPF and DMARC have no hand-over to judge.
    # Or the provider's own stamp of its customer's submission, at the boundary, for its own domain.
    provider_inside = sent_inside_provider(message, chain.hops, chain.findings, recorded) or submitted_inside(
        chain.hops, chain.boundary_hop, chain.findings, recorded, from_domain if len(set(from_domains)) == 1 else None,
        envelope.header_from[0].address if len(envelope.header_from) == 1 else None)
    if provider_inside is not None and loaded.attached_path:
        # A provider's marker vouches only for a copy the provider delivered: a copy carried inside
        # another message is whatever that message's sender attached (verifications V13 F3, V14).
        provider_inside = None
    if provider_inside is not None:
        spf, dmarc = _not_applicable_inside(spf, dmarc, provider_inside[0], receivers_own=provider_inside[1])
    through_list = _list_copy_evidenced(message, chain.hops, chain.boundary_hop, envelope.mail_from, spf, recorded,
                                        from_domain or "")
    # A report's copy without its signatures: who the report says signed it (RFC 6591 section 3.1).
    reported_signed = reported_signatures(recorded, reported.dkim_domains) \
        if reported is not None and not dkim else None
    if not dmarc_predated:
        # (Before DMARC existed nothing was expected to align: no "cannot pass" to say.)
        agent_only = _agent_only_authenticated(message, envelope, from_domain, dkim, spf, dmarc)
        if agent_only is not None:
            findings.append(agent_only)
        findings.extend(nothing_aligned(from_domains, dkim, spf, dmarc, envelope.srs, through_list=through_list,
                                        default_key_tied=default_key_tied(message, dkim, from_domains),
                                        recorded=recorded, reported_signed=reported_signed,
                                        gateway=chain.gateway))
    # A DKIM-only DMARC pass delivered to a recipient the signed To:/Cc: does not name, with the
    # signs of a replay rather than a Bcc (replay.py; RFC 6376 section 8.6).
    # (Two attribute tests first: most mail is stopped there, at no cost.)
    replayed = possible_replay(message, envelope, dkim=dkim, dmarc=dmarc, spf=spf, hops=chain.hops,
                               from_domain=from_domain if len(set(from_domains)) == 1 else None,
                               delivery_time=delivery_time, date=None if zone_missing else date,
                               resolver=resolver) \
        if dmarc.dkim_aligned is True and dmarc.spf_aligned is not True else None
    if replayed is not None:
        findings.append(replayed)
    # The Sender: explanation's promise (which of From: and Sender: the authentication vouches
    # for), kept with the signatures that verify now or passed as the receiver recorded.
    envelope = _sender_vouched_by(envelope, from_domain, dkim, recorded)
    unsigned_reply_to = _reply_to_unsigned(findings, dkim, recorded)
    if unsigned_reply_to is not None:
        findings.append(unsigned_reply_to)
    # What the sending side's own fields say made the message, and what it can fix (origin.py).
    program_found = program_origin(message, chain.hops)
    origin_findings = [
        program_found,
        originating_client(message, chain.hops),
        exchange_tenant_origin(message, chain.hops),
        from_rewritten(message, chain.hops, dkim, envelope.header_from[0].address if envelope.header_from else None),
        provider_default_signatures(message, dkim, from_domains, through_list),
        # What to fix for DMARC: nothing, for mail older than DMARC.
        None if dmarc_predated else program_third_party_from(
            message, chain.hops, envelope.header_from[0].address if len(envelope.header_from) == 1 else None,
            envelope.rcpt_to or tuple(a.address for a in (*envelope.to[:100], *envelope.cc[:100]) if a.address),
            dmarc.result if dmarc else None, program_named=program_found is not None,
            boundary_hop=chain.boundary_hop, chain_findings=chain.findings),
        None if dmarc_predated else host_envelope_sender(message, chain.hops, from_domains, dkim, spf, recorded,
                                                         dmarc.result if dmarc else None, through_list,
                                                         reported_signed),
    ]
    findings.extend(f for f in origin_findings if f is not None)
    if handed_over_inside(spf, chain.findings) or (
            unknown_arrival and boundary is not None and is_non_public_ip(boundary.fields.from_ip) and not unplaced):
        # (The second: the private client is no longer SPF's, but a DMARC fail without SPF is as
        # uncertain as before.)
        cut = next((f.id for f in chain.findings if f.id in ("hops.delivery_missing", "hops.arrival_missing")), None)
        private = spf.client_ip if spf and spf.client_ip else boundary.fields.from_ip if boundary else None
        findings[:] = [_inside_only(f, private, cut) for f in findings]
        if cut is None and private:
            spf, dmarc = _computed_inside(spf, dmarc, private,
                                          hidden=any(f.id == "hops.private_entry" for f in chain.findings))
    if provider_inside is not None and provider_inside[1]:
        # The provider's own record that it never left it (Exchange Online's AuthAs: Internal):
        # a computed SPF or DMARC failure is kept for the record, not raised as the message's.
        findings[:] = [_provider_inside_only(f, provider_inside[0]) for f in findings]
    if internal_submission and boundary is not None and spf.result == "not_checked" and not spf_predated \
            and not unknown_arrival:
        # Not evaluated (offline, say): the row says SPF does not apply rather than offering the
        # submitting client as inputs to check. A result that was computed stays, for the record
        # (for a private client the rows and the verdict already say it does not apply:
        # _computed_inside, verdict.handed_over_inside).
        # (A login is not cut inside its address: --redact would show the start of a mailbox name.)
        how = (f"{address_safe_shortened(str(boundary.fields.auth or boundary.fields.protocol or 'a submission'), 120)} "
               "submission"
               if boundary.role is Role.MSA else f"from {str(boundary.fields.from_ip)[:45]}, a non-public address")
        client_hidden = any(f.id == "hops.private_entry" for f in chain.findings)
        spf = replace(spf, inputs_from=None, explanation=(
            f"not applicable: the client {str(boundary.fields.from_ip)[:45]} at hop {boundary.number} is a private "
            "address with no login (one of the receiving side's servers, or a proxy or NAT in front of it that "
            "hides the real client), and SPF against it judges nothing (RFC 7208 section 2.1)" if client_hidden else
            f"not applicable: internal submission (hop {boundary.number}, {how}); SPF checks the hand-over of a "
            "message between administrative domains (RFC 7208 section 2.1), and every hop is inside the receiving "
            "organisation"))
    reverse_dns = check_reverse_dns(resolver, client_ip) if submitted is None else ReverseDnsResult(
        ip=client_ip, ptr_names=(), confirmed=None, result="not_checked", explanation=(
            "not applicable: this client submitted the message with a login, and no receiving server saw its "
            "address; the provider's outbound server, which a receiver checks, is not in this copy"))
    if boundary is not None and envelope.srs is None:
        findings[:] = [_forwarded_spf(f, envelope, boundary, dmarc, reverse_dns, chain.hops) for f in findings]
    forwarded_through = _forwarded_through(envelope, boundary, spf, dmarc, reverse_dns, chain.hops) \
        if boundary is not None and dmarc is not None and dmarc.result == "fail" else None

    findings.extend(recorded_findings)
    below_filters = filter_fields_finding(recorded, dkim=dkim, spf=spf, dmarc=dmarc, arc=arc,
                                          reverse_dns=reverse_dns, boundary=boundary)
    if below_filters is not None:
        findings.append(below_filters)
    spam_filters, spam_findings = read_spam_filters(message, chain.hops, chain.boundary_hop, dkim)
    findings.extend(spam_findings)
    # Asked once: both uses below read the same receiver's results for the same domain.
    vouched = receiver_vouched(recorded, from_domain)
    if envelope.relay is not None and envelope.relay.in_chain is True and envelope.relay.service in RELAYS_REDATING \
            and chain.boundary_hop is not None:
        findings[:] = [_relay_redated(f, envelope.relay.service, chain.boundary_hop) for f in findings]
    layout = relay_forward_layout(envelope.relay, next((a for a in envelope.header_from if a.domain), None)) \
        if envelope.relay is not None else None
    if layout is not None:
        relay_sent = _relay_forward_evidence(envelope, dmarc, vouched)
        if relay_sent is not None:
            findings[:] = [_relay_display_name(f, envelope, relay_sent, layout) for f in findings]
            envelope = replace(envelope, differences=tuple(
                _relay_display_name_difference(d, envelope, layout) for d in envelope.differences))
    self_sent = self_addressed(envelope, vouched=vouched, spam_filters=spam_filters)
    if self_sent is not None:
        findings.append(self_sent)
    else:
        bounces_to_recipient = sender_is_recipient(envelope)
        if bounces_to_recipient is not None:
            findings.append(bounces_to_recipient)
        own_domain = _own_domain_from_outside(envelope, chain.hops, chain.boundary_hop, chain.findings,
                                              vouched, dmarc)
        if own_domain is not None:
            findings.append(own_domain)
    # Asked only where a finding says the From: domain's own (or hosted) server sent it or that it
    # came from outside the recipients' organisation: whether the domain's own SPF lists the client.
    # A null sender too (a bounce or automatic reply, RFC 3834 section 3.3): SPF then judged the
    # HELO name, which often publishes nothing (verification V57a D2-3).
    from_spf = _from_domain_spf(resolver, spf, dmarc, null_sender=envelope.mail_from == "") \
        if envelope.mail_from == "" or any(
            f.id in ("envelope.own_domain_from_outside", "dmarc.host_envelope_sender") for f in findings) else None
    if from_spf is not None:
        findings[:] = [_listed_by_own_spf(f, from_spf) for f in findings]
    def spf_result(client_ip: str, sender: str) -> tuple[str, bool]:
        # Asked only of a bounce's returned copy that looks forged (mime._backscatter): does the
        # sender's domain's SPF authorise or refuse the client the bouncing server took it from,
        # and is a pass through a term naming the domain's own servers (_own_listing: not a
        # shared provider's include:, which lists a forger on the same platform too)?
        from .auth._pyspf import evaluate

        outcome = evaluate(resolver, ip=client_ip, sender=sender, helo="unknown")
        sender_domain = normalize_domain(address_domain(sender) or "") or ""
        return outcome.result, outcome.result == "pass" and _own_listing(
            outcome.mechanism, outcome.record, organizational_domain(sender_domain) or sender_domain,
            outcome.redirect_records)

    def verified_signers(copy: bytes) -> tuple[frozenset[str], frozenset[str]]:
        # Asked only of a returned copy that looks forged and carries a signature naming the
        # From: domain or the bouncing side (mime._backscatter): the d= of each signature whose
        # signed header fields verify under the domain's key (a pass, or a header returned without
        # its body, RFC 6522: only the body hash is then unknown), and apart the d= of those that
        # could not be checked (no DNS: offline, a snapshot without the key, a timeout). A d= and
        # b= the sender merely wrote verifies to nothing.
        results, _notes = check_dkim(parse_message(copy), resolver, from_domain=None, delivery_time=None, now=now)
        return (frozenset(r.domain.lower().rstrip(".") for r in results[:10] if r.domain and (
                    r.result == "pass" or (r.result, r.reason_code) == ("neutral", "no_body"))),
                frozenset(r.domain.lower().rstrip(".") for r in results[:10]
                          if r.domain and r.result in ("not_checked", "temperror")))

    # An attached message's own attachments are named by their path ("--attached 1.2").
    delivery_report, feedback_report, attached, carried_findings = read_carried(
        message, loaded.attached_path, signed_by=_dkim_passes(dkim, recorded),
        spf_result=None if era is not None and era.before("SPF") else spf_result,
        verified_signers=verified_signers)
    findings.extend(carried_findings)
    # A multipart/report around no report (RFC 6522 section 3): dressed as a bounce or notice,
    # or a text-only report (Exim's DMARC failure report), named as what its text was read as.
    undressed = report_without_report(message, feedback_report, delivery_report)
    if undressed is not None:
        findings.append(undressed)
    # The words of a bounce or delay notice pasted above the header it returned: the header is
    # the returned copy (analysed as the message), the words say what happened to it.
    notice = pasted_notice(loaded.text_before) if loaded.text_before else None
    if notice is not None:
        findings.append(notice)
    # S/MIME, PGP, TNEF and calendar wrapping, and a signed part's protected header fields.
    # A mailing list's own address in From:, put there by the list (envelope's list_rewrote_from:
    # the list's posting address with the author's name, or the author encoded in one), counts
    # as the list's rewrite of a signed part's protected From: only when the From: domain is
    # authenticated, now or by the receiving side's own record: fields alone are anyone's to write.
    list_from = envelope.header_from[0].address if (
        len(envelope.header_from) == 1 and any(d.kind == "list_rewrote_from" for d in envelope.differences)
        and ((dmarc is not None and dmarc.result == "pass") or vouched is True)) else None
    structure, structure_findings = read_structure(message, list_from)
    if structure is not None:
        structure_findings = with_recorded_smime(
            structure_findings, recorded, envelope.header_from[0].address if envelope.header_from else None)
    findings.extend(structure_findings)
    # The files attached (names and declared types from the part headers; no body is opened).
    attachments, attachments_unlisted, attachments_walk_stopped, attachment_findings = read_attachments(message)
    findings.extend(attachment_findings)
    # UTF-8 written as is in the sender's fields, and whether the hops carried it with SMTPUTF8.
    eai = utf8_header_finding(message, chain.hops)
    if eai is not None:
        findings.append(eai)
    # A bounce, a report or an automatic reply (which often says "Precedence: junk") is no mail
    # anyone subscribed to: its bulk signals are shown, not held to the bulk senders' rules.
    # A notice read from text alone (dsn.unstructured, dsn.delayed: a subject, a From name and
    # words anyone can write) counts only when sent with the null sender every real delivery
    # notice has (RFC 5321 section 4.5.5), or when the envelope sender is unknown (a paste).
    text_notice_counts = envelope.mail_from in ("", None)
    notification = delivery_report is not None or feedback_report is not None or any(
        f.id.startswith(_NOTIFICATION_FINDINGS) and (text_notice_counts or f.id not in _TEXT_READ_NOTICES)
        for f in carried_findings) or (
        # The null sender and a notifier's marks (MAILER-DAEMON, a report type): a bounce whose
        # text was not read is no bulk mail either (RFC 5321 section 4.5.5).
        envelope.mail_from == "" and is_automatic_notification(message))
    bulk, bulk_findings = read_bulk(message, dkim, notification=notification, date=date, hops=chain.hops,
                                    boundary_hop=chain.boundary_hop, from_domain=from_domain)
    findings.extend(bulk_findings)
    comparison, comparison_findings = compare(recorded, dkim=dkim, spf=spf, dmarc=dmarc, arc=arc,
                                              resent_domains=_resent_domains(message),
                                              header_only=message.header_only,
                                              from_literal=from_literals[0] if from_literals else None,
                                              gateway=chain.gateway)
    findings.extend(arc_breaks(recorded, arc))
    findings.extend(signed_repeatedly(message, dkim, recorded))
    removed = removed_signatures(message, dkim, recorded)
    if removed is not None:
        findings.append(removed)
    nothing = nothing_recorded(recorded, chain.hops, chain.boundary_hop, message.header_only, bool(dkim))
    if nothing is not None:
        findings.append(nothing)
    # A body change after the receiver verified the signature is told by the comparison, which
    # says when it happened; the keyless "body changed after signing" would say it twice.
    changed_since = {f"dkim {c.subject}" for c in comparison
                     if c.method == "dkim" and c.label == "modified_after_delivery"}
    if changed_since:
        findings[:] = [f for f in findings if not (f.id == "dkim.body_changed" and f.subject in changed_since)]
    listed = _list_signature(message, dkim) if any(f.id == "dkim.body_changed" for f in findings) else None
    if listed is not None:
        findings[:] = [_changed_by_list(f, dkim, *listed) if f.id == "dkim.body_changed" else f for f in findings]
    footer = _list_footer(message, chain.hops, chain.boundary_hop) \
        if listed is None and any(f.id == "dkim.body_changed" for f in findings) else None
    if footer is not None:
        findings[:] = [_changed_by_list_footer(f, dkim, *footer) if f.id == "dkim.body_changed" else f
                       for f in findings]
    converter = _receiver_converted_body(message, chain.hops) \
        if any(f.id == "dkim.body_changed" for f in findings) else None
    if converter is not None:
        findings[:] = [_converted_by_receiver(f, *converter) if f.id == "dkim.body_changed" else f for f in findings]
    findings.extend(comparison_findings)
    submission = _provider_submission(chain.hops, chain.boundary_hop, dkim, comparison)
    if submission is not None:
        findings.append(submission)

    # BIMI rests on the final DMARC result (draft-brand-indicators-for-message-identification
    # section 7.1); None, with no DNS question, for mail that has nothing to do with it.
    bimi, bimi_findings = check_bimi(message, resolver, dmarc=dmarc, header_from=envelope.header_from, dkim=dkim,
                                     recorded=recorded, hops=chain.hops, boundary_hop=chain.boundary_hop)
    findings.extend(bimi_findings)

    # Byte-identical DKIM-Signature fields (a relay that signed twice) give identical findings:
    # one of each is said.
    ordered = tuple(sorted(dict.fromkeys(findings), key=lambda f: _SEVERITY_ORDER[f.severity]))
    # A bounce or a local program's message that never came from the internet (RFC 5321 section 4.5.5:
    # notifications go out with the null sender).
    inside = generated_inside(chain.hops, chain.boundary_hop, chain.findings,
                              null_notification=envelope.mail_from == "" and is_automatic_notification(message)
                              ) or provider_inside
    verdict = decide(from_domains=from_domains, dkim=dkim, spf=spf, dmarc=dmarc, arc=arc,
                     comparison=comparison, findings=ordered, checked=resolver.source != "offline", inside=inside,
                     submitted=submitted, era=era if dmarc_predated else None,
                     self_signed=self_signed_passes(recorded),
                     gateway_rewrite=_gateway_rewrite(message, chain, comparison, arc),
                     forwarded_through=forwarded_through,
                     # Replaying the same file later gives the same answer (verification V43a D3):
                     # the advice for a question the snapshot lacks, or for a failure it holds,
                     # is another DNS source.
                     retry=retry_words(DnsStatus.NOT_RECORDED if resolver.not_recorded() else DnsStatus.TIMEOUT,
                                       resolver.replays_stored_answers))
    if from_spf is not None and verdict.status in ("spoofed", "unauthenticated", "suspicious") \
            and len(set(from_domains)) == 1:
        # Words only: the status is the DMARC policy's, as receivers apply it.
        words = _from_spf_words(from_spf)
        verdict = replace(verdict, summary=f"{verdict.summary.rstrip('.')}. {words[:1].upper()}{words[1:]}.")
    if inside is not None and verdict.status in ("unauthenticated", "not_checked") \
            and INSIDE_NOT_APPLICABLE in verdict.summary:
        # The line says SPF and DMARC do not apply: the findings and rows of a failure computed all
        # the same say what a receiver outside would do, not a disposition no one took. (Only the
        # two statuses verdict._decided gives that line: a spoofed or suspicious line is never it,
        # whatever text it quotes.)
        ordered = tuple(sorted((_generated_inside_only(f, inside[0]) for f in ordered),
                               key=lambda f: _SEVERITY_ORDER[f.severity]))
        if not dmarc.explanation.startswith("not applicable"):
            spf, dmarc = _not_applicable_inside(spf, dmarc, inside[0], receivers_own=True)
    if verdict.status in ("unauthenticated", "not_checked") and len(set(from_domains)) == 1:
        # A list or forward broke what passed when the message reached it: the line says so
        # beside its own verdict, as the receiver's recorded results are said.
        earlier = preserved_dmarc_pass(recorded, from_domains[0])
        if earlier is not None:
            verdict = replace(verdict, summary=f"{verdict.summary} {earlier[:1].upper()}{earlier[1:]}.")
    if loaded.carried_in is not None and verdict.status in ("authenticated", "vouched") \
            and "at delivery" in verdict.summary:
        # The receiver's record a carried copy holds is its attacher's text (verification V13 F4).
        verdict = replace(verdict, summary=(
            f"{verdict.summary} (As the attached copy records it: whoever sent the carrying message could have "
            "written that record.)"))
    if loaded.format == "msg" and _never_sent_note() in loaded.cleanups:
        verdict, ordered = _never_sent(ordered)
        dmarc, comparison = _never_sent_dmarc(dmarc, comparison)
    # Findings about a From:-aligned signature lead any group they fall in (a DMARC pass rests on them).
    ordered = _grouped(ordered, frozenset(signature_subject(s.domain, s.selector) for s in dkim if s.aligned))
    evidence = resolver.evidence()
    unanswered = _dns_unanswered(resolver, evidence)
    if unanswered is not None:
        ordered = (unanswered, *ordered)
    not_recorded = _dns_not_recorded(resolver, evidence)
    if not_recorded is not None:
        ordered = (not_recorded, *ordered)
    budget_spent = _dns_budget_spent(resolver)
    if budget_spent is not None:
        ordered = (budget_spent, *ordered)
    return Report(
        version=__version__,
        analyzed_at=now.astimezone(timezone.utc).isoformat(),
        options=opts.described(),
        input=InputInfo(source=loaded.source, sha256=loaded.sha256, size=loaded.size, format=loaded.format,
                        has_body=loaded.has_body, cleanups=loaded.cleanups, byte_exact=loaded.byte_exact,
                        carried_in=loaded.carried_in, folder=folder),
        headers=message.headers,
        subject=message.first_decoded("Subject"),
        date=date.isoformat() if date else None,
        message_id=message.first("Message-ID"),
        hops=chain.hops,
        boundary_hop=chain.boundary_hop,
        total_delay_seconds=chain.total_delay_seconds,
        envelope=envelope,
        dkim=dkim,
        arc=arc,
        spf=spf,
        dmarc=dmarc,
        reverse_dns=reverse_dns,
        recorded=recorded,
        comparison=comparison,
        verdict=verdict,
        findings=ordered,
        dns_source=DnsSource(source=resolver.source, detail=resolver.detail),
        dns=evidence,
        spam_filters=spam_filters,
        delivery_report=delivery_report,
        feedback_report=feedback_report,
        attached=attached,
        bulk=bulk,
        structure=structure,
        attachments=attachments,
        attachments_unlisted=attachments_unlisted,
        attachments_walk_stopped=attachments_walk_stopped,
        bimi=bimi,
    )


# What the hop chain says of the receiving side at its top hop, which is not the reporter's when
# the report's Source-IP is the arrival (_reporter_arrival).
_NOT_THE_REPORTERS = frozenset({"hops.internal_only", "hops.private_entry", "hops.message_id_by_receiver"})


def _reporter_arrival(reported: ReportedEnvelope, hops: tuple[Hop, ...],
                      boundary_hop: int | None) -> tuple[str | None, Finding | None]:
    """The client the reporter received a reported copy from (its Source-IP, RFC 5965 section 3.2:
    "the IP address of the client that sent the message to the reporter") when the copy's top hop
    is not the reporter's own, so that the report's arrival, not that hop, is the one SPF judges;
    and a finding saying so. The reporter strips its own Received fields from the copy as often as
    not. The top hop is not the reporter's when the copy records no client at its boundary or a
    private one (a hand-over inside some organisation, never the reporter's internet arrival),
    or when the boundary is a submission (the sending side's intake, RFC 6409). A public client the
    copy records at its boundary is never replaced: the report's own words (its Authentication-
    Results naming a reporter, say) are whoever sent the report's to write (verification V13 F1).
    Otherwise the boundary is kept and the finding only says what the report names. (None, None)
    when the report names no public Source-IP or the copy records that client itself. What SPF
    then finds for the report's client is its claim: a pass authenticates nothing (see
    _claimed_client_spf)."""
    ip = (reported.client_ip or "").strip().strip("[]")[:64]
    if not ip or parse_client_ip(ip) is None or is_non_public_ip(ip):
        return None, None
    shown = str(parse_client_ip(ip))
    if any(hop.fields.from_ip and parse_client_ip(str(hop.fields.from_ip).strip("[]")[:64]) is not None
           and str(parse_client_ip(str(hop.fields.from_ip).strip("[]")[:64])) == shown for hop in hops):
        return None, None  # the copy records the reporter's arrival (or that client) itself
    boundary = hops[boundary_hop - 1] if boundary_hop else None
    why: str | None = None
    if boundary is None:
        why = "the copy has no Received field"
    elif not boundary.fields.from_ip:
        why = f"its top hop (hop {boundary.number}) records no client address"
    elif is_non_public_ip(boundary.fields.from_ip):
        why = (f"its top hop (hop {boundary.number}) came from {str(boundary.fields.from_ip)[:45]}, a private address: "
               "a hand-over inside one organisation, not an arrival from the internet")
    elif boundary.role is Role.MSA:
        why = (f"its top hop (hop {boundary.number}, by {str(boundary.fields.by or '?')[:80]}) is a submission, the "
               "sending side's intake of the message (RFC 6409)")
    arrived = f" at {reported.arrival_date[:60]}" if reported.arrival_date else ""
    if why is None:
        top = f"hop {boundary.number}'s client, {str(boundary.fields.from_ip)[:45]}" if boundary else "no client"
        return None, Finding(
            id="input.reported_arrival", severity=Severity.NOTICE,
            title=f"The feedback report names {shown} as the client that handed the message to the reporter",
            explanation=(f"{reported.source[:1].upper()}{reported.source[1:]} says the reporter received the message "
                         f"from {shown}{arrived} (Source-IP, RFC 5965 section 3.2), an address no hop of this copy "
                         f"records. The copy's trust boundary and SPF's inputs are its own ({top}); if that top hop "
                         f"is not the reporter's own, {shown} is the client SPF should be judged for (give "
                         f"--client-ip {shown})."),
            reference="https://www.rfc-editor.org/rfc/rfc5965#section-3.2", subject="Source-IP")
    return shown, Finding(
        id="input.reported_arrival", severity=Severity.INFO,
        title=f"Arrival at the reporter from {shown}, as the feedback report records it",
        explanation=(f"{reported.source[:1].upper()}{reported.source[1:]} says the reporter received the message from "
                     f"{shown}{arrived} (Source-IP, RFC 5965 section 3.2). This copy does not show that arrival: {why}. "
                     f"SPF is evaluated for {shown}, the client that handed the message to the reporter (RFC 7208 "
                     "section 2.4), not for the copy's topmost recorded client; the hops shown are what the copy "
                     "holds, and its trust boundary is not the reporter's."),
        reference="https://www.rfc-editor.org/rfc/rfc5965#section-3.2", subject="Source-IP")


class _FromDomainSpf(NamedTuple):
    """The From: domain's own SPF pass for the boundary client, beside a DMARC failure (_from_domain_spf)."""

    domain: str
    """The From: domain."""
    client_ip: str
    """The boundary client its SPF record lists."""
    mechanism: str
    """The term that matched ("+a", "ip4:203.0.113.10", "include:...")."""
    mail_from: str
    """The envelope sender SPF judged, of another organisation."""
    null_sender: bool = False
    """The envelope sender was empty: SPF judged postmaster@HELO (RFC 7208 section 2.4)."""
    helo: str = ""
    """The HELO name SPF judged for a null sender."""
    helo_result: str = ""
    """SPF's result for that HELO name."""


def _from_domain_spf(resolver: Resolver, spf: SpfResult | None, dmarc: DmarcResult | None,
                     null_sender: bool = False) -> _FromDomainSpf | None:
    """The From: domain's own SPF pass for the boundary's public client (auth.spf.from_domain_authorises)
    when DMARC failed because the envelope sender SPF judged was of another organisation and no
    aligned DKIM signature passes: the domain's server sent it, without an envelope sender or a
    signature of the domain (a script's mail through the host's sendmail). Only words hang on it:
    DMARC counts SPF for the MAIL FROM domain alone (RFC 7489 section 3.1.2), and a server the
    domain's SPF lists sends for every tenant of it on shared hosting. ``null_sender``: the envelope
    sender was empty, so SPF judged the HELO name (RFC 7208 section 2.4), which may align with
    From: and still not pass (no SPF record of its own)."""
    if dmarc is None or dmarc.result != "fail" or not dmarc.from_domain or dmarc.dkim_aligned is True \
            or spf is None or not spf.client_ip or not spf.mail_from or is_non_public_ip(spf.client_ip):
        return None
    if (spf.aligned is not False and not null_sender) or (spf.aligned and spf.result == "pass"):
        return None
    from_org = organizational_domain(dmarc.from_domain) or dmarc.from_domain
    if null_sender and (organizational_domain(normalize_domain(spf.helo) or "") or "") != from_org:
        # The words tell the domain to publish SPF for its HELO name: only a name of its own is
        # one it can (a provider's relay name, or a forger's, is not; V58c D-2).
        return None
    outcome = from_domain_authorises(resolver, client_ip=spf.client_ip, from_domain=dmarc.from_domain, helo=spf.helo)
    if outcome is None or outcome.result != "pass" \
            or not _own_listing(outcome.mechanism, outcome.record, from_org, outcome.redirect_records):
        return None
    return _FromDomainSpf(domain=dmarc.from_domain, client_ip=spf.client_ip, mechanism=outcome.mechanism or "a term",
                          mail_from=spf.mail_from, null_sender=null_sender, helo=spf.helo or "", helo_result=spf.result)


# The terms of an SPF record that name the domain's own servers (RFC 7208 section 5): a, mx, ip4
# and ip6; a network no wider than one organisation's usual block.
_OWN_TERM = compiled_on_first_use(r"\+?(a|mx|ip4|ip6)(?::([^/\s]{1,253}))?(?:/(\d{1,3}))?(?://(\d{1,3}))?", re.I)
_REDIRECT_TERM = compiled_on_first_use(r"redirect=(\S{1,253})", re.I)


def _own_listing(mechanism: str | None, record: str | None, from_org: str,
                 fetched: tuple[tuple[str, str], ...] = ()) -> bool:
    """Whether the term of the From: domain's SPF pass names a server of the domain's own: an
    a, mx, ip4 or ip6 term written in its own record (not one reached through include: or
    redirect=, which name a provider's servers, shared by its every customer, nor +all, ptr or
    exists), a or mx naming the domain itself or a name of its organisation, and an address
    network of at most 256 IPv4 addresses (/24) or an IPv6 /48. Anything else lists servers a
    forger on the same platform sends from too, and the words would excuse CEO fraud sent through
    a shared provider (verification V58c D-1). An a or mx term's own prefix lengths are bounded
    the same way ("mx/16" lists a network around the host, V63b D-2). ``fetched``: the records
    evaluation fetched (SpfOutcome.redirect_records): a record whose redirect= target was fetched
    matched nothing of its own, since redirect= applies only when no term matched (RFC 7208
    section 6.1), whatever word the target's matching term shares with it (V63b D-3)."""
    if not mechanism or not record:
        return False
    term = _OWN_TERM().fullmatch(mechanism.strip())
    if term is None or mechanism.strip().lower() not in {t.lower() for t in record.split()[:64]}:
        return False
    redirect = _REDIRECT_TERM().search(record)
    if redirect is not None and any(domain.lower().rstrip(".") == redirect[1].lower().rstrip(".")
                                    for domain, _ in fetched[:32]):
        return False
    kind, target, prefix4, prefix6 = term[1].lower(), term[2], term[3], term[4]
    if kind == "ip6" and prefix6 is None:
        prefix6, prefix4 = prefix4, None  # "ip6:2001:db8::/48": one slash
    if (prefix4 is not None and int(prefix4) < 24) or (prefix6 is not None and int(prefix6) < 48):
        return False
    if kind in ("a", "mx"):
        return target is None or organizational_domain(normalize_domain(target) or "") == from_org
    return True


def _from_spf_words(listed: _FromDomainSpf) -> str:
    """What the From: domain's own SPF pass says beside DMARC's failure, in words for a finding or the verdict."""
    if listed.null_sender:
        helo = listed.helo[:253]
        record = ("publishes no SPF record" if listed.helo_result == "none" else
                  f"gives SPF {listed.helo_result[:20]}")
        return (f"the SPF record of {listed.domain} itself lists the server that sent it ({listed.client_ip[:45]}, "
                f"matched {listed.mechanism[:80]}), but the envelope sender was empty, as for a bounce or an "
                f"automatic reply, so SPF judged the HELO name {helo} (RFC 7208 section 2.4), which {record}, and no "
                f"DKIM signature of {listed.domain} passes (the fix: an SPF record for {helo}, such as "
                f"\"v=spf1 a -all\", or DKIM signing of such replies){_shared_server_words(listed)}")
    return (f"the SPF record of {listed.domain} itself lists the server that sent it ({listed.client_ip[:45]}, "
            f"matched {listed.mechanism[:80]}), but the envelope sender was {listed.mail_from[:160]}, of another "
            f"domain, so SPF did not align with {listed.domain} (RFC 7489 section 3.1.2), and no DKIM signature of "
            f"{listed.domain} passes: a server the domain lists, sending without its envelope sender or signature, "
            "as a script's mail through the host's sendmail does (the fix: an envelope sender of the domain, -f, "
            f"and DKIM for it){_shared_server_words(listed)}")


def _shared_server_words(listed: _FromDomainSpf) -> str:
    """Why the listing vouches for no sender, where it matched by a or mx (RFC 7208 sections 5.3,
    5.4): those name the domain's web or mail host, shared on shared hosting."""
    if listed.mechanism.lstrip("+").split(":", 1)[0].split("/", 1)[0].lower() not in ("a", "mx"):
        return ""
    return (f". A server that {listed.domain}'s SPF lists by a or mx sends for every site it hosts: on shared "
            "hosting, for every other tenant of that server too")


def _listed_by_own_spf(finding: Finding, listed: _FromDomainSpf) -> Finding:
    """envelope.own_domain_from_outside when the From: domain's own SPF lists the client: not "an
    outside server", nor how CEO fraud looks, but a server the domain lists sending without an
    aligned identity. The severity stays: the pass is no authentication, and another tenant of a
    shared server passes it too (verification V57c D-3)."""
    if finding.id != "envelope.own_domain_from_outside":
        return finding
    own = organizational_domain(listed.domain) or listed.domain
    whose = (f"The From: domain {own} is the recipients' own organisation's" if own == listed.domain else
             f"The From: domain {listed.domain} is of {own}, the recipients' own organisation")
    return replace(finding, title=(f"From: claims the recipients' own organisation ({own[:80]}), sent from a server "
                                   "its SPF lists, without an aligned envelope sender or signature"),
                   explanation=(f"{whose}, and nothing aligned with it passes (DMARC fail): {_from_spf_words(listed)}. "
                                f"So the listing tells {own}'s own mail from another sender's only where the server "
                                f"is {own}'s alone."))


def _own_domain_from_outside(envelope: Envelope, hops: tuple[Hop, ...], boundary_hop: int | None,
                             chain_findings: tuple[Finding, ...], vouched: bool | None,
                             dmarc: DmarcResult | None) -> Finding | None:
    """A finding when From: claims the recipients' own organisation while the receiving side took
    the message from a server outside it, and nothing aligned with that domain passes: mail from a
    colleague comes through the organisation's own servers; an outside server writing as it is how
    CEO fraud looks (review AN 7). None when the receiver's trusted results vouch for the domain,
    when every hop is inside the organisation, or for a message "from yourself" (self_addressed)."""
    authors = [a for a in envelope.header_from if a.domain]
    if len(authors) != 1 or boundary_hop is None or vouched is not False or envelope.mail_from == "":
        return None  # (a bounce from the recipients' own postmaster is expected)
    if dmarc is not None and dmarc.result == "pass":
        return None

    if is_free_mailbox(authors[0].domain):
        return None  # two users of one webmail provider are no organisation
    if any(f.id in ("hops.internal_only", "hops.submission_only") for f in chain_findings):
        return None
    own = organizational_domain((authors[0].domain or "").lower())
    recipients = [r.rpartition("@")[2] for r in envelope.rcpt_to[:100] if "@" in r] or \
        [a.domain for a in (*envelope.to[:100], *envelope.cc[:100]) if a.domain]
    if own is None or not any(organizational_domain(d.lower()) == own for d in recipients if d):
        return None
    boundary = hops[boundary_hop - 1]
    client = boundary.fields.from_rdns or boundary.fields.from_ip or boundary.fields.from_helo
    if not client or host_organization(boundary.fields.from_rdns) == own:
        return None
    failed = dmarc is not None and dmarc.result == "fail"
    return Finding(
        id="envelope.own_domain_from_outside", severity=Severity.WARNING if failed else Severity.NOTICE,
        title=f"From: claims the recipients' own organisation ({own[:80]}), but the message came from outside it",
        explanation=(f"The From: address {authors[0].address[:120]} is of {own}, the recipients' own organisation, yet the "
                     f"receiving side took the message from {str(client)[:120]} (hop {boundary.number}), which is not "
                     f"one of {own}'s servers by its name, and nothing aligned with {own} passes"
                     + (f" (DMARC {dmarc.result})" if dmarc is not None and dmarc.result != "not_checked" else "")
                     + ". A colleague's mail comes through the organisation's own servers, or is signed for its "
                     "domain by the service that sends it; an outside server writing as the organisation is how "
                     "CEO fraud looks."),
        reference="https://www.rfc-editor.org/rfc/rfc7489#section-3.1", subject="From")


# The words of the envelope's Sender: explanation that the signatures' alignment replaces.
_SENDER_PROMISE = "the authentication below says which of the two it vouches for."
_MAX_SIGNERS_SAID = 3


def _sender_vouched_by(envelope: Envelope, from_domain: str | None,
                       dkim: tuple[DkimSignatureResult, ...], recorded: Sequence[RecordedResult] = ()) -> Envelope:
    """The envelope with its Sender: explanation saying, for each DKIM signature that verifies
    now, or that the receiving side recorded as passing at delivery (its own trusted results,
    for a signature the message still carries unchanged: offline nothing can be verified again,
    review AQ 4), whether its d= aligns (relaxed: one
    organisational domain, RFC 7489 section 3.1.1) with the From: or the Sender: domain: a
    signature vouches for its signing domain, and a mail program shows both names. Only words:
    DMARC still judges From: alone, and the verdict is not touched. Unchanged when no signature
    passes either way."""
    sender = envelope.sender
    if sender is None or not sender.domain or not any(d.kind == "sender" for d in envelope.differences):
        return envelope
    verified = [s.domain.lower() for s in dkim if s.result == "pass" and s.domain]
    recorded_passes = _recorded_passes_standing(dkim, recorded)
    signers = list(dict.fromkeys([*verified, *(d for d in recorded_passes if d not in verified)]))
    if not signers:
        return envelope
    sender_domain = sender.domain.lower()[:253]
    sender_org = organizational_domain(sender_domain) or sender_domain
    author = (from_domain or "").lower()[:253]
    author_org = (organizational_domain(author) or author) if author else None
    said: list[str] = []
    for signer in signers[:_MAX_SIGNERS_SAID]:
        org = organizational_domain(signer) or signer
        shown = signer[:253]
        passes = "verifies" if signer in verified else "passed at delivery (as the receiver recorded)"
        if org == sender_org and org == author_org:
            said.append(f"DKIM d={shown} {passes} and aligns with both the From: ({author}) and the Sender: "
                        f"({sender_domain}): one organisation's domain vouches for the message")
        elif org == sender_org:
            said.append(f"DKIM d={shown} {passes} and aligns with the Sender: ({sender_domain}): {shown} vouches it "
                        "sent this message; the From: domain"
                        + (f" ({author})" if author else "") + " is not authenticated by it")
        elif org == author_org:
            said.append(f"DKIM d={shown} {passes} and aligns with the From: ({author}): the author's domain "
                        f"vouches for the message; the Sender: domain ({sender_domain}) is not authenticated by it")
        else:
            said.append(f"DKIM d={shown} {passes} but aligns with neither the From:"
                        + (f" ({author})" if author else "") + f" nor the Sender: ({sender_domain})")
    more = len(signers) - _MAX_SIGNERS_SAID
    words = ("; ".join(said) + (f"; and {more} more signature(s) pass" if more > 0 else "")
             + ". DMARC, below, judges the From: domain alone.")
    differences = tuple(replace(d, explanation=d.explanation.replace(_SENDER_PROMISE, words))
                        if d.kind == "sender" and _SENDER_PROMISE in d.explanation else d
                        for d in envelope.differences)
    return replace(envelope, differences=differences)


def _relay_forward_evidence(envelope: Envelope, dmarc: DmarcResult | None, vouched: bool | None) -> str | None:
    """What shows the relay sent a forward laid out as its own (envelope.relay_forward_layout, whose
    From: domain is the relay's), in words, or None: DMARC passes for its From: domain (as
    computed, or as the receiving side recorded when not computed here). Without it the relay's
    form is anyone's to write, and its display name stays the warning it is."""
    relay = envelope.relay
    if relay is None or relay.direction != "forward" or dmarc is None:
        return None
    if relay.in_chain is False:
        # The relay's hand-over is not in the receiving side's chain: a genuine copy of the relay's
        # (DMARC passing for it) may have been replayed by whoever received it, the forger's own
        # alias's copy re-sent to the victim (verification V61b D-2).
        return None
    if any(note.startswith(RELAY_OWN_RECORD_WORDS) for note in relay.notes):
        # The relay itself recorded the original sender failing: the name it copied is a forged
        # sender's, and the display-name warning stays one (V61b D-1).
        return None
    if dmarc.result == "pass":
        return f"DMARC passes for {dmarc.from_domain}"
    if dmarc.result == "not_checked" and vouched is True:
        return f"the receiving side recorded {dmarc.from_domain} as authenticated"
    return None


def _relay_redated(finding: Finding, service: str, boundary_hop: int) -> Finding:
    """A step back from the Date: to a hop below the trust boundary on a forward by a relay that
    rebuilds the message (envelope.RELAYS_REDATING) and whose hand-over the receiving side's chain
    shows: the stamp is the original's Received field the relay copied, the Date: the one it wrote
    when it sent the forward. Said as that, at most info; never for a relay only its marks name
    (anyone can write them, and then the Date: is the sender's)."""
    if finding.id != "hops.clock_skew" or "earlier than the Date: header" not in finding.explanation:
        return finding
    number = finding.subject.removeprefix("hop ") if finding.subject else ""
    if not number.isdigit() or int(number) >= boundary_hop:
        return finding
    step = finding.title.partition(" (")[0].removeprefix("Time goes backwards by ")[:40]
    return replace(finding, severity=Severity.INFO,
                   title=f"The Date: {service} wrote is {step} after a Received field it copied",
                   explanation=(
                       f"Hop {number} is stamped {step} earlier than the Date: header. {service} rebuilds each message "
                       "it forwards: it copies the original's Received fields into the new message and writes a new "
                       "Date: when it sends it, so the copied stamps come before its Date: by the time the relay "
                       f"held the message. The receiving side's chain shows {service} handing the message over, so "
                       "this is the relay's re-dating, not a wrong clock or a forged header. The copied hop is still "
                       "the relay's copy of an earlier server's record: a claim, not evidence."))


def _relay_display_name(finding: Finding, envelope: Envelope, relay_sent: str, layout: tuple[str, str]) -> Finding:
    """The From: display-name warning on a relay's forward the relay is shown to have sent
    (``relay_sent``, _relay_forward_evidence) and laid out as its documented forward (``layout``:
    the sender the name shows, the form in words; Firefox Relay's "original [via Relay]", addy.io's
    "Name 'sender'"): how the relay forwards, not an impersonation, and said as that. Lowered to a
    notice, never dropped: the relay copies whatever the original From: said, which nothing here
    authenticates, and a mail program that shows only the name shows that sender."""
    relay = envelope.relay
    if finding.id != "envelope.display_name_address" or finding.subject != "From" or relay is None:
        return finding
    shown, form = layout
    kind = "mask" if relay.service == "Firefox Relay" else "alias"
    mask = _relay_alias_written(relay, next((a.address for a in envelope.header_from if a.domain), None)) \
        or f"the {kind}"
    article = "an" if relay.service[:1].lower() in "aeiou" else "a"
    return replace(finding, severity=Severity.NOTICE,
                   title=f"From: shows the original sender ({shown}) of {article} {relay.service} forward"
                   if shown != "the original sender" else
                   f"From: shows the original sender of {article} {relay.service} forward",
                   explanation=(
                       f"{relay.service} forwarded this message to the owner of the {kind} {mask[:200]}: {form}; and "
                       f"{relay_sent}, so the relay sent it. The name is not the relay posing as {shown}: it is "
                       f"{shown}'s From: as the relay copied it, saying who wrote to the {kind}, a claim nothing here "
                       "authenticates. Mail programs that show only the name show that sender."))


def _relay_display_name_difference(difference: EnvelopeDifference, envelope: Envelope,
                                   layout: tuple[str, str]) -> EnvelopeDifference:
    """The From: display-name difference of a relay's forward the relay is shown to have sent (as
    _relay_display_name), said as the relay's form, not an impersonation."""
    relay = envelope.relay
    # The difference's header_value is the From: mailbox as written ("name <address>", envelope._fmt).
    author = next((a for a in envelope.header_from
                   if a.display_name and difference.header_value == f"{a.display_name} <{a.address}>"), None)
    if difference.kind != "display_name_address" or relay is None or author is None:
        return difference
    shown = layout[0]
    alias = _relay_alias_written(relay, author.address)
    what = ("the mask the message was sent to" if relay.service == "Firefox Relay" else
            f"the alias the message was sent to ({alias[:200]}) with the sender written after a \"+\""
            if alias else "the alias the message was sent to")
    return replace(difference, explanation=(
        f"The From: display name shows {shown}, the original sender, as {relay.service}'s forward writes it; the "
        f"real address, {author.address[:200]}, is {what}. Mail programs that show only the name would display "
        f"{shown}."))


def _relay_alias_written(relay: RelayInfo, address: str | None) -> str | None:
    """The alias a relay's forward From: stands for: the address itself (Firefox Relay's mask), or
    addy.io's "alias+sender=domain@alias-domain" without the "+" part."""
    if address is None:
        return relay.alias
    if relay.service != "addy.io (AnonAddy)":
        return address
    local, _, domain = address.rpartition("@")
    return f"{local.partition('+')[0]}@{domain}"


def _reply_to_unsigned(findings: Sequence[Finding], dkim: tuple[DkimSignatureResult, ...],
                       recorded: Sequence[RecordedResult]) -> Finding | None:
    """dkim.reply_to_unsigned: a Reply-To of another organisation than From: (envelope's finding)
    on a message that a DKIM signature aligned with From: authenticates, when no such signature
    covers Reply-To (h=). The authentication then says nothing about where replies go: whoever
    relayed the message, or replayed it (a DKIM replay adds fields the signer did not sign, RFC
    6376 section 8.6), could have added it (verification V18 P7b)."""
    other = next((f for f in findings if f.id in ("envelope.reply_to_other_domain", "envelope.reply_to_free_mailbox")
                  and f.subject == "Reply-To"), None)
    if other is None:
        return None
    standing = set(_recorded_passes_standing(dkim, recorded))
    # (A signature proven to fail only for a gateway's Subject tag vouches as at delivery.)
    vouching = [s for s in dkim if s.aligned and (s.result == "pass" or normalize_domain(s.domain) in standing
                                                  or s.verifies_without_subject_tag)]
    if not vouching or any("reply-to" in (h.lower() for h in s.signed_headers) for s in vouching):
        return None
    domains = ", ".join(dict.fromkeys(f"d={s.domain}" for s in vouching))
    return Finding(
        id="dkim.reply_to_unsigned", severity=Severity.WARNING,
        title=f"Reply-To is not signed by {domains[:120]}, which authenticates the From:",
        explanation=(f"The DKIM signature that authenticates the message ({domains[:200]}) does not cover Reply-To "
                     "(it is not in h=), and Reply-To points to another organisation than From: (above). So the "
                     "authentication says nothing about where a reply goes: whoever relayed the message after "
                     "signing, or replayed a genuine signed message to others (RFC 6376 section 8.6), could have "
                     "added it. Most senders that set Reply-To sign it; some bulk platforms do not (Eventbrite's mail through "
                     "SparkPost, for one), and then nothing shows whose it is."),
        reference="https://www.rfc-editor.org/rfc/rfc6376#section-8.6", subject="Reply-To")


# A list's own Sender: (Mailman 2's "list-bounces@", ezmlm's "list-return-...", "-owner", "-request"):
# the list resent the message (RFC 2369), no delegation to approve.
_LIST_AGENT_PARTS = ("-bounces", "-bounce", "-owner", "-request", "-return", "owner-")


def _agent_only_authenticated(message: Message, envelope: Envelope, from_domain: str | None,
                              dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
                              dmarc: DmarcResult | None) -> Finding | None:
    """A finding about a Sender: of another organisation than From: when DMARC, which judges From:
    alone (RFC 7489 section 3.1), does not pass: a mail program shows "agent on behalf of author",
    and nothing shows the author agreed. Whether the agent itself is authenticated (DKIM or SPF of
    its organisation) is said; a mailing list's own Sender: and a provider's mark of delegation
    (Exchange's send on behalf, Gmail's delegation) lower it to a notice (review AN 5,
    verification V14 F2 and R1). None offline (DMARC not checked) and for mail DMARC passes."""
    sender = envelope.sender
    if sender is None or not sender.domain or not from_domain or dmarc is None or dmarc.result not in ("fail", "none"):
        return None
    sender_org = organizational_domain(sender.domain.lower())
    if sender_org is None or sender_org == organizational_domain(from_domain.lower()):
        return None
    signer = next((s.domain for s in dkim if s.result == "pass" and s.domain
                   and organizational_domain(s.domain.lower()) == sender_org), None)
    spf_agent = spf is not None and spf.result == "pass" and spf.domain is not None \
        and organizational_domain(spf.domain.lower()) == sender_org
    local = sender.address.rpartition("@")[0].lower()
    list_ids = [list_id_label(message.first(name)) or "" for name in ("List-Id", "List-Post")]
    list_agent = (signer is not None or spf_agent) and (
        (any(part in local for part in _LIST_AGENT_PARTS) and any(list_ids)) or any(
            organizational_domain(label.rpartition("@")[2].removeprefix("mailto:").partition("?")[0]) == sender_org
            for label in list_ids if label))
    marked = (message.first("X-MS-Exchange-MessageSentRepresentingType") or "").strip()[:2] == "2" \
        or message.first("X-Google-Sender-Delegation") is not None
    failed = dmarc.result == "fail"
    written = envelope.author()
    author = written.address if written is not None else from_domain
    shown = f"A mail program shows \"{sender.address} on behalf of {author}\"; "
    mark = (" A field of the sending side marks it as a delegation (Exchange's send on behalf, or Gmail's mail "
            "delegation); the author's domain authenticates none of it.") if marked else ""
    # A list's own Sender:, authenticated as the list, is a notice: a list resends its members'
    # mail (RFC 2369), and a forger can set up the same shape with its own domain, so it is said,
    # not dropped (verifications V14 R1, V16 F3). A delegation mark lowers nothing: it is text.
    severity = Severity.WARNING if failed and not list_agent else Severity.NOTICE
    if list_agent:
        return Finding(
            id="envelope.sender_only_authenticated", severity=severity,
            title=f"Sender: is a mailing list's address ({sender.address[:80]}), authenticated; the author in From: "
                  f"({from_domain[:80]}) is not",
            explanation=(f"The Sender: {sender.address} is of the list its List-Id or List-Post names, and its own "
                         f"signature or SPF passes: a mailing list resent the author's message (RFC 2369). DMARC, "
                         f"which judges the From: domain alone, does not pass for {from_domain} ({dmarc.result}): "
                         "the list vouches for its own resending, not for the author; the List-Id is text too, "
                         "so a domain imitating a list looks the same."),
            reference="https://www.rfc-editor.org/rfc/rfc7489#section-3.1", subject="Sender")
    if signer is not None or spf_agent:
        how = f"A DKIM signature by {signer} passes" if signer else f"SPF passes for {spf.domain if spf else '?'}"
        return Finding(
            id="envelope.sender_only_authenticated", severity=severity,
            title=f"Only the agent in Sender: ({sender.address[:80]}) is authenticated, not the author in From: "
                  f"({from_domain[:80]})",
            explanation=(f"{how}: it vouches for the agent Sender: names, {sender.address}. DMARC judges the From: "
                         f"domain alone and does not pass for {from_domain} ({dmarc.result}). {shown}nothing in the "
                         "message shows the author allowed that agent to send for them. A genuine delegation is "
                         f"signed, or passes SPF, for the author's domain.{mark}"),
            reference="https://www.rfc-editor.org/rfc/rfc7489#section-3.1", subject="Sender")
    return Finding(
        id="envelope.sender_only_authenticated", severity=severity,
        title=f"Neither the author in From: ({from_domain[:80]}) nor the agent in Sender: ({sender.address[:80]}) is "
              "authenticated",
        explanation=(f"DMARC does not pass for {from_domain} ({dmarc.result}), and no DKIM signature or SPF pass of "
                     f"{sender_org} vouches for the agent Sender: names. {shown}both names are the sender's text, "
                     f"a brand in Sender: as much as the author in From:.{mark}"),
        reference="https://www.rfc-editor.org/rfc/rfc7489#section-3.1", subject="Sender")


def _resent_domains(message: Message) -> frozenset[str]:
    """The domains of the resender fields (Resent-From:, Resent-Sender:, RFC 5322 section 3.6.6).
    Not Sender:: DMARC judges From: alone (RFC 7489 section 3.1), and a Sender: beside a changed
    From: hid the change (review AN 1)."""
    if not any(message.all(name) for name in ("Resent-From", "Resent-Sender")):
        return frozenset()  # most messages: nothing to parse

    return frozenset(address.domain.lower() for name in ("Resent-From", "Resent-Sender")
                     for field in message.all(name)[:3] for address in parse_addresses(field.value)[:5]
                     if address.domain)


def _recorded_mail_from(recorded: tuple[RecordedResult, ...], boundary_index: int | None = None
                        ) -> tuple[str | None, str | None]:
    """The smtp.mailfrom of the receiver's own (trusted) SPF result, when it names an address or
    a domain, and where it was read: its Authentication-Results first, else (``boundary_index``
    given) an ARC-Authentication-Results it wrote above the boundary Received, where no sender
    writes (RFC 8601 section 5): the recipient's gateway that writes no Received-SPF and no
    envelope-from (Mimecast) records the MAIL FROM it checked there (RFC 8601 section 2.7.2;
    verification V52c D4). One below the boundary Received is never read, however its set's seal
    verifies: a sender can replay a set a receiver once sealed."""
    for result in recorded:
        if not result.trusted or result.method != "spf" or result.header != "Authentication-Results":
            continue
        found = _recorded_mail_from_of(result)
        if found is not None:
            return found
    if boundary_index is None:
        return None, None
    for result in recorded:
        if not result.trusted or result.method != "spf" or result.header != "ARC-Authentication-Results" \
                or result.header_index is None or result.header_index >= boundary_index:
            continue
        found = _recorded_mail_from_of(result)
        if found is not None:
            return found
    return None, None


def _recorded_mail_from_of(result: RecordedResult) -> tuple[str, str] | None:
    """The address a recorded SPF result's smtp.mailfrom (or smtp.mail) names, and where it was read."""
    properties = dict(result.properties)
    # smtp.mail: the older name some receivers still write (Coremail: NetEase, 163.com).
    key = "smtp.mailfrom" if "smtp.mailfrom" in properties else "smtp.mail"
    value = properties.get(key, "").strip().strip("<>\"")
    if not value or " " in value or "." not in value:
        return None
    # A domain alone stands for its postmaster (RFC 7208 section 4.3), as said in the source.
    source = f"{result.header} ({header_ref(result.header_index)}) {key}"
    if "@" in value:
        return value, source
    if not is_domain_name(value):
        # "test#hotmail.co.uk": a mailbox whose '@' a paste's redaction replaced, not a
        # domain; no address is made up of it.
        return None
    return f"postmaster@{value}", (f"{source}, which names the domain only: the domain's postmaster address "
                                   "stands for it (RFC 7208 section 4.3)")


def _spf_inputs(opts: AnalysisOptions, boundary: Hop | None, envelope_from: str | None,
                envelope_source: str | None, received_spf: RecordedResult | None,
                receiver_results: tuple[RecordedResult, ...] = (), *, arrival_missing: bool = False,
                reported_source: str | None = None,
                unplaced: bool = False) -> tuple[str | None, str | None, str | None, str | None]:
    """SPF's inputs (RFC 7208 section 4.1): the client IP and HELO of the boundary hop and the
    MAIL FROM; a value the boundary Received does not record is taken from the receiver's own
    Received-SPF for that same hop (RFC 7208 section 9.1), never from another hop. When that
    client is a private address of the receiving side (its webmail, a proxy in front of its
    filters), the public client its own trusted results name (``receiver_results``, see
    ``recorded.checked_client``) is the one SPF is about (RFC 7208 section 2.4).

    ``arrival_missing``: the chain lacks the hop where the message arrived (hops.arrival_missing:
    a paste that stops inside the receiving side), so the boundary hop's client is the receiver's
    own internal relay. The client SPF is about is then the one the receiver's trusted results
    recorded (``_recorded_arrival``); with none, the client IP and HELO are None (not checked),
    never the internal relay's.

    ``reported_source``: where the report carrying the message (``--attached``) recorded its MAIL
    FROM (ReportedEnvelope.mail_from_source), said when that is the MAIL FROM used.

    ``unplaced``: the boundary field holds client text the parser could not place
    (hops.greeting_injection), so a loopback "with local" stamp there is not taken as a local
    submission with no client: its address is judged.

    Returns (client IP, HELO, MAIL FROM, where they came from for SpfResult.inputs_from)."""
    recorded = dict(received_spf.properties) if received_spf is not None else {}
    spf_header = f"Received-SPF ({header_ref(received_spf.header_index)})" if received_spf is not None else ""
    filled: list[str] = []

    def pick(given: str | None, from_hop: str | None, key: str, label: str) -> str | None:
        if given is not None:
            return given
        if from_hop:
            return from_hop
        value = (recorded.get(key) or "").strip() or None
        if value is not None and key == "client-ip" and parse_client_ip(value) is None:
            value = None  # "unknown" or garbage: not an address to evaluate
        if value is not None:
            filled.append(label)
        return value

    # A local submission's loopback address is no SMTP client (hops.local_submission_loopback):
    # the message entered there from a program on the host, as at a Postfix pickup.
    client_ip = pick(opts.client_ip or None,
                     boundary.fields.from_ip if boundary and (unplaced or not local_submission_loopback(boundary.fields))
                     else None,
                     "client-ip", "client IP")
    helo = pick(opts.helo or None, boundary.fields.from_helo if boundary else None, "helo", "HELO")
    mail_from = opts.mail_from if opts.mail_from is not None else envelope_from
    overridden = any(v is not None for v in (opts.client_ip, opts.helo, opts.mail_from))
    if overridden:
        described: str | None = "command line"
    elif boundary is None:
        described = None
    else:
        described = f"hop {boundary.number}"
        if filled:
            described += f"; {' and '.join(filled)} from the receiver's {spf_header} for that hop"
        if envelope_source and envelope_source.startswith("Received-SPF") and mail_from:
            described += f"; MAIL FROM from the receiver's {spf_header}"
        elif envelope_source and (envelope_source.startswith(("Return-Path above", "the sender encoded",
                                                              "Authentication-Results"))
                                  or envelope_source == reported_source) \
                and mail_from is not None:
            described += f"; MAIL FROM: {envelope_source}"
        checked = checked_client(receiver_results) if client_ip is not None and is_non_public_ip(client_ip) \
            else None
        if checked is not None:
            client_ip, helo = checked[0], checked[1] or helo
            described = (f"the receiver's Authentication-Results ({header_ref(checked[2])}): the boundary hop's "
                         f"client (hop {boundary.number}) is a private address, and the receiver names the "
                         "public client it checked")
        elif arrival_missing:
            arrival = _recorded_arrival(receiver_results)
            internal = client_ip or "no address"
            client_ip, helo = (arrival[0], arrival[1]) if arrival is not None else (None, None)
            if arrival is not None:
                described = (f"the receiver's {arrival[2]}: this copy lacks the hop where the message arrived, and "
                             f"hop {boundary.number}'s client ({internal}) is an internal hand-over; the receiver "
                             "recorded the client it checked")
            elif described == f"hop {boundary.number}":
                described = None  # nothing was taken from that hop
            elif described is not None:
                described = described.removeprefix(f"hop {boundary.number}; ")
    return client_ip, helo, mail_from, described


# Exchange Online names the client it checked only in its SPF result's comment:
# "spf=pass (sender IP is 149.72.167.116) smtp.mailfrom=...".
_sender_ip_is_re = compiled_on_first_use(r"\bsender IP is \[?([0-9A-Fa-f:.]{2,45})", re.IGNORECASE)


def _recorded_arrival(recorded: tuple[RecordedResult, ...]) -> tuple[str, str | None, str] | None:
    """(client IP, HELO, where read) of the public client the receiving side's own trusted SPF or
    iprev results name: Received-SPF ``client-ip`` and ``helo`` (RFC 7208 section 9.1),
    Authentication-Results ``smtp.remote-ip`` / ``smtp.client-ip`` (RFC 8601 section 2.7) or
    Exchange Online's "sender IP is" comment. The first such address (the topmost field: the
    receiver's last word) wins; its HELO is taken from a record of the same address. Only
    trusted results count: a field below the boundary is the sender's to write. None when
    none names a public address."""
    found: list[tuple[str, str | None, str]] = []
    for rec in recorded[:64]:
        if not rec.trusted or rec.method not in ("spf", "iprev") \
                or rec.header not in ("Received-SPF", "Authentication-Results"):
            continue
        props = dict(rec.properties)
        text = props.get("client-ip") or props.get("smtp.remote-ip") or props.get("smtp.client-ip")
        if not text and rec.reason and rec.header == "Authentication-Results":
            m = _sender_ip_is_re().search(rec.reason[:500])
            text = m.group(1) if m else None
        address = parse_client_ip(text) if text else None
        if address is None or is_non_public_ip(str(address)):
            continue
        helo = (props.get("helo") or props.get("smtp.helo") or "").strip()[:255] or None
        where = f"{rec.header} ({header_ref(rec.header_index)})" if rec.header_index is not None else rec.header
        found.append((str(address), helo, where))
    if not found:
        return None
    ip = found[0][0]
    helo = next((h for a, h, _ in found if a == ip and h), None)
    return ip, helo, " and ".join(dict.fromkeys(w for a, _, w in found if a == ip))


# Signatures looked at for prefetching; a message with more is hostile, and the DKIM check
# applies its own limits.
_MAX_PREFETCH_SIGNATURES = 16
# Received fields whose client address is prefetched: the boundary is one of the newest hops.
_MAX_PREFETCH_HOPS = 4
DNS_BUDGET_SECONDS = 30.0
"""The least DNS time one live analysis may spend: past it, questions not yet answered are
BUDGET without being asked (EvidenceResolver), except those deciding the From: domain's verdict. Enough for a slow resolver's dozen rounds; a
dead one costs this, not a minute per message."""


def dns_budget(timeout: float) -> float:
    """One analysis's DNS time: DNS_BUDGET_SECONDS, or four --dns-timeout rounds if longer."""
    return max(DNS_BUDGET_SECONDS, 4 * float(timeout))


def _dns_budget_spent(resolver: EvidenceResolver) -> Finding | None:
    """A warning when the analysis's DNS time budget stopped questions: they were never asked, so
    their results are unknown because of this tool's limit, not because a server timed out. On a
    replay the BUDGET answers are the recorded analysis's: it waited, not this one."""
    budget = resolver.spent_budget
    if not resolver.over_budget or budget is None:
        return None
    count = resolver.over_budget
    names = ", ".join(resolver.not_asked) + (", …" if count > len(resolver.not_asked) else "")
    if resolver.budget is None:
        # A snapshot's BUDGET answers (--record-dns writes them, and $meta.dns_budget): this
        # analysis asked nothing and waited for nothing (verification V42a D2).
        return Finding(
            id="dns.budget_spent", severity=Severity.WARNING,
            title=f"DNS: {count} question(s) not asked: the recorded analysis's DNS time budget of {budget:g} s was spent",
            explanation=(f"When this DNS snapshot was recorded, that analysis waited {budget:g} seconds for DNS answers "
                         f"in all, and then stopped asking ({names}); the snapshot holds these as {DnsStatus.BUDGET}, "
                         "so here too every result that needed them is a temporary error, not the server's answer. "
                         "The From: domain's DMARC records and the keys of signatures aligned with it are always "
                         "asked. The names of a message are its sender's choice: many slow ones (signature keys, SPF "
                         "includes) are how a message uses up the budget. Analyze the message with live DNS (or a "
                         "longer --dns-timeout), and record a new snapshot with --record-dns."),
            reference="https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4", subject="dns")
    return Finding(
        id="dns.budget_spent", severity=Severity.WARNING,
        title=f"DNS: {count} question(s) not asked: the analysis's DNS time budget of {budget:g} s was spent",
        explanation=(f"This analysis waited {budget:g} seconds for DNS answers in all, and then stopped asking "
                     f"({names}); the evidence shows these as {DnsStatus.BUDGET}, and every result that needed them "
                     "is a temporary error, not the server's answer. The From: domain's DMARC records and the keys "
                     "of signatures aligned with it are always asked. The names of a message are its sender's "
                     "choice: many slow ones (signature keys, SPF includes) are how a message uses up the budget. "
                     "Run the analysis again, or with a longer --dns-timeout."),
        reference="https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4", subject="dns")


def _dns_not_recorded(resolver: EvidenceResolver, evidence: tuple[DnsRecordUse, ...]) -> Finding | None:
    """A warning when a snapshot written by --record-dns holds no answer to some of the analysis's
    questions (it was recorded for another message or other options, or edited): their results are
    unknown, not the DNS's NXDOMAIN, so no key reads as rotated out (verification V42a D3)."""
    if resolver.source != "snapshot":
        return None
    missing = [f"{use.name} {use.rdtype}" for use in evidence if use.status == DnsStatus.NOT_RECORDED]
    if not missing:
        return None
    names = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
    return Finding(
        id="dns.not_recorded", severity=Severity.WARNING,
        title=f"DNS: {len(missing)} question(s) not in the snapshot",
        explanation=(f"The DNS snapshot was written by --record-dns, which writes every answer its analysis used "
                     f"(NXDOMAIN too), and it holds none for these questions ({names}): it was recorded for another "
                     f"message or with other options, or edited since. The evidence shows them as "
                     f"{DnsStatus.NOT_RECORDED}, and every result that needed them is unknown (a temporary error), "
                     "not the DNS's answer (a key missing here is no sign of a rotated key). Analyze the "
                     "message with live DNS, or record a snapshot of this analysis with --record-dns."),
        subject="dns")


def _dns_unanswered(resolver: EvidenceResolver, evidence: tuple[DnsRecordUse, ...]) -> Finding | None:
    """A warning when a nameserver asked live answered none of the analysis's questions (every one
    timed out or failed): each DNS-based row says "temperror" for itself, but the cause is one
    (a dead or unreachable --nameserver, a firewall), and every such result is unknown. A replay
    of a snapshot recorded from live DNS (--record-dns) gives the recorded failures again, and
    says the same of the nameserver as the recorded run."""
    if not evidence:
        return None
    if resolver.source in ("live", "recording") and resolver.asks_network:
        recorded = None
    else:
        recorded = resolver.recorded_nameserver
        if recorded is None:
            return None
    # Questions the DNS time budget stopped were never put to the server, and those a recorded
    # snapshot does not hold were not recorded: neither says anything of the nameserver.
    statuses = [use.status for use in evidence if use.status not in _NOT_THE_SERVERS]
    if not statuses or not all(status in DnsStatus.TEMPORARY for status in statuses):
        return None
    counts = {status: statuses.count(status) for status in dict.fromkeys(statuses)}
    how = ", ".join(f"{count} {status}" for status, count in counts.items())
    if recorded is not None:
        # The snapshot's $meta.source names the server: the file's words, one line and bounded.
        return Finding(
            id="dns.unanswered", severity=Severity.WARNING,
            title=(f"DNS: {recorded or 'the nameserver'} answered none of the {len(statuses)} question(s) "
                   "when this snapshot was recorded"),
            explanation=(f"When this DNS snapshot was recorded (--record-dns), every DNS question of that analysis "
                         f"failed ({how}), and the snapshot holds those failures: replayed, they fail again, so "
                         "every result that needs DNS (DKIM keys, SPF, DMARC, ARC, reverse DNS) is unknown here, "
                         "not failing. The nameserver was then down, unreachable or refusing, a firewall dropped "
                         "DNS, or it answered more slowly than --dns-timeout allowed each question. Analyze the "
                         "message with live DNS when the nameserver answers, and record a new snapshot with "
                         "--record-dns."),
            reference="https://www.rfc-editor.org/rfc/rfc7208#section-2.6.6", subject="dns")
    server = resolver.detail or "the nameserver"
    return Finding(
        id="dns.unanswered", severity=Severity.WARNING,
        title=f"DNS: {server} answered none of the {len(statuses)} question(s)",
        explanation=(f"Every DNS question of this analysis failed ({how}), so every result that needs DNS (DKIM keys, "
                     "SPF, DMARC, ARC, reverse DNS) is unknown here, not failing: the nameserver is down, "
                     "unreachable or refusing (check --nameserver), a firewall drops DNS, or it answers more slowly "
                     "than --dns-timeout allows each question (raise it). Run the analysis "
                     "again when it answers, or replay a snapshot with --dns-snapshot."),
        reference="https://www.rfc-editor.org/rfc/rfc7208#section-2.6.6", subject="dns")


# Answers that are no nameserver's: BUDGET (not asked, the analysis's DNS time being spent) and
# NOT_RECORDED (a recorded snapshot holds no answer to the question).
_NOT_THE_SERVERS = frozenset({DnsStatus.BUDGET, DnsStatus.NOT_RECORDED})


# From: domains whose decisive questions are asked whatever the DNS budget (DMARC judges each
# domain of the From: field, RFC 7489 section 6.6.1); more is a hostile message.
_MAX_DECISIVE_DOMAINS = 5


def _decisive_questions(message: Message) -> list[tuple[str, str]]:
    """The questions that decide the verdict for the From: domain: its DMARC record and its
    organisational domain's (RFC 7489 section 6.6.3), then the keys of the DKIM signatures whose
    d= aligns with it (relaxed alignment, section 3.1.1), the first _MAX_PREFETCH_SIGNATURES of
    them. They are asked first and are not subject to the analysis's DNS budget: every other name
    in a message is the sender's choice, and its slow answers must not use up the time the From:
    domain's policy needs (a spoof would read NOT CHECKED instead of SPOOFED). A sender can put
    its own slow domain in From:, but then it is judged as itself, and each question still stops
    at --dns-timeout."""

    domains: list[str] = []
    for field in message.all("From")[:2]:
        for address in parse_addresses(field.value[:2000])[:_MAX_DECISIVE_DOMAINS]:
            domain = _plain_name(address.domain)
            if domain and domain not in domains and not is_ip_literal(domain):
                domains.append(domain)
    domains = domains[:_MAX_DECISIVE_DOMAINS]
    questions: list[tuple[str, str]] = []
    for domain in domains:
        questions.append((f"_dmarc.{domain}", "TXT"))
        org = _plain_name(organizational_domain(domain))
        if org and org != domain:
            questions.append((f"_dmarc.{org}", "TXT"))
    if domains:
        keys = 0
        for field in message.all("DKIM-Signature"):
            if keys >= _MAX_PREFETCH_SIGNATURES:
                break
            tags = parse_tag_list(field.value[:8000])
            signer, selector = _plain_name(tags.get("d")), _plain_name(tags.get("s"))
            if signer and selector and any(aligned(signer, domain) for domain in domains):
                questions.append((f"{selector}._domainkey.{signer}", "TXT"))
                keys += 1
    return list(dict.fromkeys(questions))


def _early_questions(message: Message) -> list[tuple[str, str]]:
    """What is known before the hop chain is built: every DKIM, ARC-Seal and ARC-Message-Signature
    key, the From: domain's DMARC record, the Return-Path domain's SPF record, the PTR of the
    public clients of the newest Received fields and the MX of the domains the message is for. A guess, not evidence: only answers a check
    asks for become evidence (EvidenceResolver), the rest only warm the cache."""

    author = parse_addresses((message.first("From") or "")[:2000])[:1]
    return_path = parse_addresses((message.first("Return-Path") or "")[:1000])[:1]
    questions = _questions(message, author[0].domain if author else None,
                           return_path[0].address if return_path and return_path[0].domain else None, None, None)
    # The MX the hop chain asks when it weighs an inbound gateway (hops._inbound_gateway): the
    # boundary's "for" recipient's domain, else the To:/Cc: domains and the receiving organisation;
    # the To:/Cc: domains too when Exchange Online took the message from outside (whether it went
    # around the domains' gateway, hops._gateway_bypassed).
    exchanges: list[str | None] = [a.domain for name in ("To", "Cc") for field in message.all(name)[:2]
                                   for a in parse_addresses(field.value[:2000])[:5]][:3]
    for number, field in enumerate(message.all("Received")[:_MAX_PREFETCH_HOPS]):
        fields = parse_received(field.value[:4000])
        address = parse_client_ip(fields.from_ip) if fields.from_ip else None
        if address is not None and not is_non_public_ip(str(address)):
            questions.append((address.reverse_pointer, "PTR"))
        recipient = parse_addresses((fields.for_ or "")[:500])[:1]
        exchanges.append(recipient[0].domain if recipient else None)
        if number == 0:
            exchanges.append(host_organization(fields.by))
    questions.extend((domain, "MX") for domain in map(_plain_name, exchanges) if domain)
    return list(dict.fromkeys(questions))
_DNS_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?")


def _plain_name(text: str | None) -> str | None:
    """text as a DNS name to ask about, or None when it cannot be one."""
    if not text:
        return None
    name = text.strip().strip("[]").rstrip(".").lower()
    return name if _DNS_NAME.fullmatch(name) else None


def _with_alignment_mode(dkim: tuple[DkimSignatureResult, ...], spf: SpfResult, dmarc: DmarcResult | None,
                         from_domain: str | None) -> tuple[tuple[DkimSignatureResult, ...], SpfResult]:
    """The DKIM and SPF rows told the alignment mode (adkim=, aspf=) of the DMARC record that judged
    the From: domain they were aligned with, so that a row says "aligned" only where the DMARC row
    does (RFC 7489 sections 3.1.1 and 3.1.2); the relaxed ``aligned`` stays as it is."""
    record = dmarc.record if dmarc is not None else None
    if record is None or dmarc is None or not from_domain or dmarc.from_domain != normalize_domain(from_domain):
        return dkim, spf  # (several From: domains: the rows were aligned with the first, DMARC reported another)
    modes = {"s": "strict", "r": "relaxed"}
    dkim_mode = modes.get(record.adkim, "relaxed")
    return (tuple(replace(sig, alignment_mode=dkim_mode) for sig in dkim),
            replace(spf, alignment_mode=modes.get(record.aspf, "relaxed")))


def _sure_questions(message: Message, from_domain: str | None, mail_from: str | None, helo: str | None,
                    client_ip: str | None) -> Iterator[tuple[str, str]]:
    """The DNS questions the checks will ask whatever the answers: each DKIM key record
    (RFC 6376 section 3.6.2.1), the From domain's DMARC record (RFC 7489 section 6.6.3), the
    SPF records of the MAIL FROM domain and the HELO name (RFC 7208 section 4.3), and the
    boundary IP's PTR. Lazy: a resolver that ignores the hint (snapshot, offline) costs nothing."""
    seen: set[tuple[str, str]] = set()
    for question in _questions(message, from_domain, mail_from, helo, client_ip):
        if question not in seen:
            seen.add(question)
            yield question


def _questions(message: Message, from_domain: str | None, mail_from: str | None, helo: str | None,
               client_ip: str | None) -> list[tuple[str, str]]:

    questions: list[tuple[str, str]] = []
    # The From: domain's policy first: a live prefetch asks in rounds, in this order, and the
    # signature keys before it are names the sender chose.
    dmarc_domain = _plain_name(from_domain)
    if dmarc_domain:
        questions.append((f"_dmarc.{dmarc_domain}", "TXT"))
    signatures = [field for name in ("DKIM-Signature", "ARC-Seal", "ARC-Message-Signature")
                  for field in message.all(name)[:_MAX_PREFETCH_SIGNATURES]]
    for signature in signatures:
        tags = parse_tag_list(signature.value)
        domain, selector = _plain_name(tags.get("d")), _plain_name(tags.get("s"))
        if domain and selector:
            questions.append((f"{selector}._domainkey.{domain}", "TXT"))
    sender_domain = _plain_name(mail_from.rpartition("@")[2]) if mail_from and "@" in mail_from else None
    helo_name = _plain_name(helo)
    for name in (sender_domain, helo_name):
        # The same test check_spf applies: a name that cannot be an SPF identity is never asked.
        if name and spf_domain_problem(name) is None:
            questions.append((name, "TXT"))
    address = parse_client_ip(client_ip) if client_ip else None
    if address is not None:
        questions.append((address.reverse_pointer, "PTR"))
    return questions


def _folder_finding(folder: MailFolder) -> Finding:
    """Where the copy was stored, and what its mail store marked it: in a junk folder a notice
    (the receiving side's filter or the mailbox's owner judged it spam), else information (a
    Maildir's "replied" or "passed on" answers "did anyone act on it?" in an incident)."""
    where = f"the {folder.store} folder \"{one_line(folder.name)}\""
    written = ("Apple Mail's property list after the message" if folder.flags_as_written.startswith("emlx")
               else "Thunderbird's fields at the top of the stored message"
               if folder.flags_as_written.lower().startswith("x-mozilla")
               else "Google Takeout's labels at the top of the stored message"
               if folder.flags_as_written.lower().startswith("x-gmail-labels") else "the file name's flags")
    # A file name's flags and Mail's property list are the store's alone; fields in the message
    # are read only where the store writes them (folders.store_status), yet are text of the file.
    by_whom = ("set by the mail clients that read it, never by the sender" if written.endswith("flags")
               or written.startswith("Apple") else "written there by the mail store, above the message's own fields")
    marks = (f" Its mail store marks it {', '.join(folder.flags)} ({written}: {one_line(folder.flags_as_written)}, "
             f"{by_whom})." if folder.flags else "")
    if folder.junk:
        return Finding(
            id="input.junk_folder", severity=Severity.NOTICE, title=f"Stored in a junk folder ({one_line(folder.name)})",
            explanation=(f"This copy was in {where}, a junk folder: the receiving side's spam filter or the "
                         "mailbox's owner put it there. The folder is the mail store's, not text of the message."
                         f"{marks}"),
            reference="https://www.rfc-editor.org/rfc/rfc6154#section-2")
    title = f"Stored in {one_line(folder.name)}" + (f", marked {', '.join(folder.flags)}" if folder.flags else "")
    return Finding(id="input.folder", severity=Severity.INFO, title=title,
                   explanation=f"This copy was in {where}.{marks}")


def _input_findings(loaded: LoadedInput, message: Message, folder: MailFolder | None = None) -> list[Finding]:
    out: list[Finding] = []
    if loaded.format == "cut-off" and message.headers:
        # RFC 5322 section 2.1: every line ends in CRLF and an empty line ends the header
        # section; a file (not a paste) with neither was cut off inside that field.
        last = message.headers[-1]
        name = f" ({one_line(last.name)[:60]}:)" if last.name else ""
        out.append(Finding(
            id="input.truncated", severity=Severity.WARNING,
            title="The file is cut off inside its header",
            explanation=(f"The file ends inside header field {len(message.headers)}{name}, with no line end and no "
                         "empty line before a body: it was cut off there (a copy or a write that stopped), so the "
                         "fields after it and the whole body are missing. What it does not hold is unknown, not "
                         "absent from the message: a missing From: or Received is not the sender's doing."),
            reference="https://www.rfc-editor.org/rfc/rfc5322#section-2.1", subject=f"header {len(message.headers)}"))
    if not loaded.has_body:
        holds = ("a file cut off inside its header" if loaded.format == "cut-off"
                 else "a headers paste, or a message cut off before its body")
        out.append(Finding(
            id="input.no_body", severity=Severity.NOTICE, title="No body: body-dependent checks cannot run",
            explanation=f"The input holds headers only ({holds}), so DKIM body hashes and "
                        "anything else that needs the body cannot be verified.",
        ))
    if not loaded.byte_exact:
        why = loaded.byte_exact_note or "it is a copy of the message, not the original bytes"
        out.append(Finding(
            id="input.not_byte_exact", severity=Severity.NOTICE, title="Not the original bytes",
            explanation=f"This input may not be the byte-exact original message: {why}. A DKIM failure "
                        "may come from the copy, not from the message.",
        ))
    if loaded.in_mailbox is not None:
        # analyze reports on one message; a mailbox given to it is said to be one.
        out.append(Finding(
            id="input.mailbox", severity=Severity.NOTICE, title="A mailbox: this report is of its first message",
            explanation=f"The input is a mailbox, and this report is of {loaded.in_mailbox} (the one `headerscope "
                        "scan` labels #1; its size and SHA-256 are that message's bytes as stored, without the "
                        "mailbox's separator or delimiter lines, as scan's row gives them). `headerscope scan FILE` "
                        "analyses every message of it, one row each (`--format jsonl` for a full report of each)."))
    if folder is not None:
        out.append(_folder_finding(folder))
    if loaded.carried_in is not None:
        # Where the message came from, said apart from any clean-up (nothing was cleaned).
        out.append(Finding(id="input.attached", severity=Severity.NOTICE, title="A message carried inside another",
                           explanation=f"This report is of {loaded.carried_in}, not of the message that carries it. "
                                       "Its whole header, the receiver's Received fields and Authentication-Results "
                                       "included, is what that message's sender attached: the readings below hold "
                                       "as far as you trust that sender (a colleague's report from inside your "
                                       "organisation, say), since anyone can attach a made-up copy."))
    for cleanup in loaded.cleanups:
        out.append(Finding(id="input.cleaned", severity=Severity.INFO, title="Input cleaned up",
                           explanation=cleanup))
    if loaded.looks_quoted_printable:
        # Words only: the message is read as it is, whatever its sender wrote to look encoded.
        out.append(Finding(
            id="input.quoted_printable", severity=Severity.NOTICE,
            title="This looks quoted-printable encoded: if you pasted it, copy the decoded text",
            explanation="The header reads as copied from the raw source of a text part that carried it "
                        "quoted-printable ('=3D' where '=' stands, lines ending in a soft break '='). It was "
                        "read as it is, not decoded: the receiving side's own fields (above its first Received "
                        "field with a 'from') show no encoding, and a delivered message's sender can write all "
                        "the rest. If you copied it from such a source (a ticket, a forwarded text), paste the "
                        "decoded text instead (the message as your mail program shows its source): read "
                        "encoded, its signatures and results do not verify.",
            reference="https://www.rfc-editor.org/rfc/rfc2045#section-6.7"))
    defects = [h for h in message.headers if h.defects]
    if defects:
        # Fields only written in a legacy charset were read whole, and a name of '?' lost its
        # characters before the message got here: a notice, not damage.
        legacy_only = all(defect.startswith(LEGACY_CHARSET_DEFECTS) for h in defects for defect in h.defects)
        notice_only = all(defect.startswith(NOTICE_DEFECTS) for h in defects for defect in h.defects)
        if legacy_only:
            title = f"{len(defects)} header field(s) in a legacy charset, not RFC 2047 encoded-words"
        elif notice_only:
            title = f"{len(defects)} header field(s) with text lost or in a legacy charset"
        else:
            title = f"{len(defects)} damaged header field(s)"
        out.append(Finding(
            id="headers.defects", severity=Severity.NOTICE if notice_only else Severity.WARNING, title=title,
            explanation="; ".join(f"{header_ref(h.index)} {h.name or '(no name)'}: {', '.join(h.defects)}"
                                  for h in defects[:10]),
        ))
    if not message.headers:
        out.append(Finding(id="input.no_headers", severity=Severity.WARNING, title="No header fields found",
                           explanation="Nothing in the input reads as an email header field."))
    return out
