"""Spam filters' verdicts recorded in the header: why a message landed in the junk folder.

Receivers record their spam filtering in header fields of their own, outside any standard:

* Microsoft 365 (Exchange Online Protection): ``X-Forefront-Antispam-Report`` (the spam
  confidence level SCL, the filtering verdict SFV, the policy category CAT, the direction DIR,
  ...), ``X-Microsoft-Antispam`` (the bulk complaint level BCL) and, on Exchange Server,
  ``X-MS-Exchange-Organization-SCL``. Their meanings are those of Microsoft's "Anti-spam
  message headers" page: https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo
* SpamAssassin (also through Amavis or spamc): ``X-Spam-Status: Yes, score=7.1 required=5.0
  tests=... autolearn=... version=...``.
* rspamd: ``X-Spamd-Result: default: False [3.40 / 15.00]; SYMBOL(score)[...]; ...`` and
  ``X-Rspamd-Action`` / ``X-Rspamd-Score`` / ``X-Rspamd-Report: SYMBOL(score) ...``.
* Stalwart's built-in filter: ``X-Spam-Result: ARC_NA (0.00), BAYES_SPAM (5.10), ...`` (every tag with
  its score) beside ``X-Spam-Status: Yes, score=35.20`` (no required= or tests=). A status of that
  short form is named SpamAssassin only on a sign of SpamAssassin (required=, tests=, its
  X-Spam-Checker-Version or report, amavisd-new's fields); without one it is no filter in particular.
* Proofpoint: ``X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0 ...``.
* Barracuda: ``X-Barracuda-Spam-Status: No, SCORE=0.00 using global scores of TAG_LEVEL=3.5 ...``.
* Exim running SpamAssassin at SMTP time (the Exim specification's example ACL, as at gnu.org):
  ``X-Spam_score: -2.1``, ``X-Spam_bar: --``, ``X-Spam_report: (-2.1 / 5.0 requ) BAYES_00=-1.9, ...``.
* SpamAssassin's report and score alone, without its status field: ``X-Spam-Report: ... Content
  analysis details: (7.1 points, 5.0 required)`` and ``X-Spam-Score: 7.1``; cPanel names the
  report of a message that is not spam ``X-Ham-Report``.
* Trend Micro (ScanMail, IMSS): ``X-TM-AS-Result: No--2.483200-8.000000-31`` (spam yes or no,
  score, threshold, ...; a score written after two dashes is negative), and Trend Micro Email
  Security's ``X-TMASE-Result: 10--5.534000-4.000000`` (type, score, threshold):
  https://success.trendmicro.com/en-US/solution/KA-0001462 and
  https://docs.trendmicro.com/en-us/documentation/article/trend-micro-email-security-online-help-antispam-engine-scan
* GMX, WEB.DE and mail.com (United Internet): ``X-UI-Filterresults: notjunk:1;V03:...`` (``junk``,
  ``notjunk`` or ``unknown``); ``X-UI-Out-Filterresults`` is the sending account's outbound scan.
* Sophos PureMessage: ``X-PerlMx-Spam: Gauge=XIIIIIII, Probability=17%, Report='RULE 0.848, ...'``
  (its default policy treats 50% and above as spam).
* MailScanner: ``X-<org>-MailScanner-SpamCheck: not spam, SpamAssassin (not cached, score=-1.9,
  required 5, RULE -1.90, ...)``, the field named after the site.
* SpamExperts (N-able Mail Assure, SolarWinds): ``X-SpamExperts-Class: ham``, ``X-SpamExperts-Evidence:
  Combined (0.11)`` and ``X-Recommended-Action: accept``; a reseller's brand may replace
  "SpamExperts", and ``X-SpamExperts-Outgoing-Class`` is the sending host's outbound scan:
  https://documentation.solarwindsmsp.com/mail-assure/documentation/Content/faqs/email-headers-spam-score.htm
* Kaspersky Secure Mail Gateway and Linux Mail Security: ``X-KSMG-AntiSpam-Status: not_detected``
  (or ``spam``, ``probable_spam``, ``blacklisted``, ``trusted``, ``formal``) with
  ``X-KSMG-AntiSpam-Rate``: https://support.kaspersky.com/KLMS/8.2/en-us/56122.htm
* eleven's eXpurgate: ``X-purgate-type: bulk`` (and ``X-purgate: bulk`` beside a sentence in
  words), one of its categories (clean, bulk, spam, suspect, dangerous, and their sub-categories
  such as bulk.advertising or clean.bounce), with the scan's ``X-purgate-ID``:
  http://www.eleven-security.com/e-mail-categorization.html
* Proton Mail's ``X-Pm-Spam-Action: inbox`` (or ``spam``) with ``X-Pm-Spamscore``: where the
  mailbox put the message.
* iCloud Mail's folder decision, ``X-Apple-Action: MOVE_TO_FOLDER/INBOX`` (``JUNK/Junk``) and
  ``X-Apple-MoveToFolder``, with ``X-ICL-SCORE`` shown as written (Apple documents none of them).
* Sophos's anti-spam engine: ``X-SASI-SpamProbability: 9%`` with ``X-SASI-Hits`` (50% and above is
  spam by the engine's default).
* Scan notes without a spam verdict: Hornetsecurity's ``X-cloud-security-Virusscan: CLEAN`` and
  Proofpoint Essentials' ``X-Virus-Scanned: Proofpoint Essentials engine``; ``X-CLX-Spam`` is read
  for its word alone.
* Google Takeout's ``X-Gmail-Labels: Spam,Category Updates,Unread``: the labels the message had
  in the Gmail mailbox when it was exported; Spam is Gmail's spam folder.
* rspamd's result quoted in the report Exim writes from its rspamd reply ($spam_report of the
  spam condition's rspamd variant): ``X-Spam-Report: Action: ... X-Milter-Add: X-Spamd-Result: ...``.
* MailEnable's ``X-ME-Content: Deliver-To=Junk`` (a filter marked it as spam: the mailbox files it
  in its Junk E-Mail folder) and its ``X-ME-Spam: Low|Medium|High`` rating.
* Any other filter's ``X-Spam-Flag: YES`` or ``X-Spam: Yes`` (rspamd's milter, among others), and
  a bare ``X-Spam-Status: Yes``, when no fuller status took them in.

Like Authentication-Results (RFC 8601 section 5), these fields are only the receiver's own
when the receiver wrote them: one added above the Received header where the receiving side
accepted the message is; one below it was already in the message (an earlier server's
verdict, or the sender's invention). Exchange Online writes its fields among the message's
own rather than above its Received, but it renames the verdict fields an earlier Microsoft
tenant wrote to ``...-Untrusted``, and a ``DIR:OUT`` report is a sending tenant's outbound
scan: so an inbound report at a Microsoft mailbox is the receiving tenant's wherever it sits.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Sequence

from .domains import organizational_domain
from .folders import gmail_labels
from .hops import OPERATOR_ALIASES, hop_above
from .message import Message
from .model import (
    DkimSignatureResult,
    Finding,
    HeaderField,
    Hop,
    RecordedResult,
    Severity,
    SpamFilterVerdict,
)
from .text import compiled_on_first_use, header_ref

_MICROSOFT_DOCS = "https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo"
_RFC8601_TRUST = "https://www.rfc-editor.org/rfc/rfc8601#section-5"
# Hostile input stays cheap: fields and parts read per message are bounded.
_MAX_FIELDS = 20
_MAX_VALUE = 8192
_MAX_RULES = 200
# Kaspersky Secure Mail Gateway's and Linux Mail Security's status fields.
_KASPERSKY_STATUS_FIELDS = ("X-KSMG-AntiSpam-Status", "X-KLMS-AntiSpam-Status")
# Every field name read below, in lower case.
_FIELD_NAMES = frozenset(name.lower() for name in (
    "X-Forefront-Antispam-Report", "X-Forefront-Antispam-Report-Untrusted", "X-MS-Exchange-Organization-SCL",
    "X-Spam-Status", "X-Spamd-Result", "X-Rspamd-Action", "X-Spam-Flag", "X-Proofpoint-Spam-Details",
    "X-Barracuda-Spam-Status", "X-Amavis-Spam-Status", "X-Spam_score", "X-Spam-Report", "X-Spam-Score",
    "X-TM-AS-Result", "X-TMASE-Result", "X-UI-Filterresults", "X-UI-Out-Filterresults", "UI-InboundReport",
    "UI-OutboundReport", "X-Spam",
    "X-PerlMx-Spam", "X-Ham-Report", "X-Rspamd-Score", "X-Recommended-Action", "X-SpamExperts-Class",
    "X-SpamExperts-Outgoing-Class", "X-Gmail-Labels", "X-Mimecast-Spam-Score", "X-Pm-Spam-Action", "X-Gm-Spam",
    "X-Gm-Phishy", "X-Spam-Result", "X-Spam_report", "X-ME-Content", "X-ME-Spam", "X-Mimecast-Spam-Signature",
    "X-Mimecast-Bulk-Signature", "X-Apple-Action", "X-Apple-MoveToFolder", "X-ICL-SCORE",
    "X-SASI-SpamProbability", "X-cloud-security-Virusscan", "X-Virus-Scanned", "X-CLX-Spam",
    "X-purgate-type", "X-purgate", "X-CustomSpam", *_KASPERSKY_STATUS_FIELDS))
# MailScanner names its field after the site ("X-Example-MailScanner-SpamCheck"), and its
# "Spam Header" setting renames it (SYNAQ's "X-SYNAQ-Pinpoint-SpamCheck"): any field ending so
# whose value has MailScanner's form ("not spam, SpamAssassin (... score=x, required y, ...)").
_MAILSCANNER_SUFFIX = "-spamcheck"
# Its virus scan's field, "Mail Header = X-%org-name%-MailScanner:" in MailScanner.conf, holds one
# of the configured words; read only the defaults ("Clean Header Value = Found to be clean",
# "Infected Header Value = Found to be infected", "Disinfected Header Value = Disinfected"), a
# site's own words being unknowable.
_MAILSCANNER_VIRUS_SUFFIX = "-mailscanner"
_MAILSCANNER_VIRUS = {
    "found to be clean": (False, "clean: no virus found"),
    "found to be infected": (True, "infected: a virus or a dangerous attachment was found; MailScanner replaces "
                                   "such an attachment with a warning text by default"),
    "disinfected": (True, "disinfected: a virus was found and the infected part removed or cleaned"),
}
# Organisations whose receiving hosts are Exchange Online's.
_MICROSOFT_ORGS = frozenset(name for name, operator in OPERATOR_ALIASES.items() if operator == "outlook.com")

# Microsoft's values, in the words of its anti-spam message headers page.
_SCL = {
    "-1": "spam filtering skipped (a safe sender, an internal message or a mail flow rule): delivered to the inbox",
    "0": "not spam: delivered to the inbox", "1": "not spam: delivered to the inbox",
    "5": "spam: the policy sends it to the junk folder or quarantine (see dest for where it went)",
    "6": "spam: the policy sends it to the junk folder or quarantine (see dest for where it went)",
    "7": "high confidence spam", "8": "high confidence spam", "9": "high confidence spam",
}
# BCL, the bulk complaint level: how many complaints the sender's bulk mail draws (the anti-spam
# policy's bulk threshold, 7 by default, files mail at or above it as bulk).
_BCL = {"0": "not bulk", **{n: "bulk, few complaints" for n in "123"}, **{n: "bulk, mixed complaints" for n in "4567"},
        "8": "bulk, many complaints", "9": "bulk, many complaints"}
# X-Microsoft-Antispam-Mailbox-Delivery: where the receiving mailbox put the message, and why
# when the filter's verdict was overridden (a user's safe senders list, an admin's setting).
_DEST = {"I": "delivered to the Inbox", "J": "delivered to the Junk Email folder"}
# SFTY: the safety tip shown with a phishing verdict (Microsoft's anti-spam message headers page).
_SFTY = {"9.19": "domain impersonation safety tip", "9.20": "user impersonation safety tip",
         "9.25": "first contact safety tip"}
_OFR = {"TRUSTEDSENDERLIST": "the sender is on the user's safe senders list, which overrode the filter's verdict"}
_SFV = {
    "BLK": "blocked: the sender is on the recipient's blocked senders list",
    "NSPM": "not spam",
    "SFE": "the sender is on the recipient's safe senders list: filtering skipped",
    "SKA": "the sender is on an allowed list of the anti-spam policy: filtering skipped",
    "SKB": "the sender is on a blocked list of the anti-spam policy",
    "SKI": "an internal message of the organisation: filtering skipped",
    "SKN": "marked not spam before filtering (a mail flow rule)",
    "SKQ": "released from quarantine",
    "SKS": "marked as spam before filtering (a mail flow rule)",
    "SPM": "spam, by spam filtering",
}
_CAT = {
    "AMP": "anti-malware", "BIMP": "brand impersonation", "BULK": "bulk mail",
    "DIMP": "domain impersonation", "FTBP": "blocked file type", "GIMP": "mailbox intelligence impersonation",
    "HPHSH": "high confidence phishing", "HPHISH": "high confidence phishing", "HSPM": "high confidence spam",
    "INTOS": "intra-organisation phishing", "MALW": "malware", "NONE": "no policy applied",
    "OSPM": "outbound spam", "PHSH": "phishing", "SAP": "safe attachments", "SPM": "spam",
    "SPOOF": "spoofing", "UIMP": "user impersonation",
}
_DIR = {"INB": "inbound", "OUT": "outbound (the sending organisation's scan)", "INT": "internal"}
_IPV = {"CAL": "the source IP is on an allow list (connection filter)",
        "NLI": "the source IP is on no reputation list"}
_SPAM_SFV = frozenset(("SPM", "SKS", "BLK", "SKB"))
_HAM_SFV = frozenset(("NSPM", "SFE", "SKA", "SKN", "SKI", "SKQ"))
_SPAM_CAT = frozenset(("SPM", "HSPM", "PHSH", "HPHSH", "HPHISH", "MALW", "SPOOF", "BIMP", "DIMP", "GIMP",
                       "UIMP", "INTOS", "OSPM"))

# Compiled when a message first has such a field: most have none, and every start would pay.
_spamassassin_status = compiled_on_first_use(
    r"^\s*(yes|no)\s*,\s*(?:score|hits)=(-?\d+(?:\.\d+)?)(?:\s+(?:tagged_above=\S+\s+)?required=(-?\d+(?:\.\d+)?))?",
    re.IGNORECASE)
_spamassassin_tests = compiled_on_first_use(
    r"\btests=(.*?)(?=\s+(?:autolearn|autolearn_force|version|shortcircuit)=|$)", re.IGNORECASE | re.DOTALL)
_rspamd_result = compiled_on_first_use(
    r"^\s*[\w-]+:\s*(true|false)\s*\[\s*(-?\d+(?:\.\d+)?)\s*/\s*(-?\d+(?:\.\d+)?)\s*\]", re.IGNORECASE)
# rspamd writes each symbol of X-Spamd-Result as SYMBOL(score)[options]
# (https://rspamd.com/doc/architecture/protocol.html), separated by ";" and a fold, or by a fold
# alone (older mailcow and rmilter), which unfolding leaves as white space. The options hold
# white space, commas and "name(number)" of their own (IP_SCORE's "asn: 14782(1.40)"), so a
# bracketed part is skipped whole (to the end when a paste cut it off) and the rest splits on
# ";" and white space: a symbol, a bracketed part, or any other run of text, each bounded.
_rspamd_piece = compiled_on_first_use(
    r"\[[^\]]{0,8192}\]?|([A-Za-z0-9_]{1,100})\s{0,3}\(\s{0,3}-?\d{1,9}(?:\.\d{1,9})?\s{0,3}\)|[^\s;\[]{1,200}")
_rspamd_report_symbol = compiled_on_first_use(r"(?<![\w(])([A-Za-z0-9_]{1,100})\(-?\d")
_barracuda_status = compiled_on_first_use(r"^\s*(yes|no)\s*,\s*score=(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_barracuda_level = compiled_on_first_use(r"\b((?:TAG|QUARANTINE|KILL)_LEVEL)=(-?\d+(?:\.\d+)?)")
# Exim's $spam_report as gnu.org's SpamAssassin writes it: "(-2.1 / 5.0 requ) BAYES_00=-1.9, ...".
_exim_report = compiled_on_first_use(r"^\s*\(\s*(-?\d+(?:\.\d+)?)\s*/\s*(-?\d+(?:\.\d+)?)\s*requ?\w*\s*\)\s*(.*)$",
                                     re.DOTALL)
# SpamAssassin's report template: "Content analysis details:   (7.1 points, 5.0 required)", then a
# table of " pts rule name   description" rows (read unfolded: a row is its points, with one
# decimal, and the rule's name in capitals).
_spamassassin_report = compiled_on_first_use(
    r"\(\s*(-?\d+(?:\.\d+)?)\s+points?\s*(?:,\s*(-?\d+(?:\.\d+)?)\s+required\s*)?\)", re.IGNORECASE)
_spamassassin_report_rule = compiled_on_first_use(r"(?<!\S)-?\d{1,3}\.\d{1,4}\s+([A-Z][A-Z0-9_]{2,99})(?![\w.:])")
# "X-Spam-Score: -2.3 (--)": the score, and SpamAssassin's bar of it in parentheses.
_number_text = compiled_on_first_use(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:\([+\-/]*\))?\s*$")
# Trend Micro: "Yes" or "No", then numbers joined by "-" (a negative one after "--").
_trend_micro_result = compiled_on_first_use(r"^[\s:]*(yes|no)\b((?:-{1,2}\d+(?:\.\d+)?)*)", re.IGNORECASE)
_trend_micro_numbers = compiled_on_first_use(r"-(-?\d+(?:\.\d+)?)")
_trend_micro_type = {"1": "spam", "2": "phishing"}
_pure_message_probability = compiled_on_first_use(r"\bProbability=(\d{1,3}(?:\.\d+)?)%", re.IGNORECASE)
_pure_message_report = compiled_on_first_use(r"\bReport='([^']*)'?", re.IGNORECASE)
_mailscanner_check = compiled_on_first_use(
    r"^\s*(not spam|spam)\b(?:\s{0,3}\((whitelisted|blacklisted)\))?.*?\bscore=(-?\d+(?:\.\d+)?),"
    r"\s*required\s+(-?\d+(?:\.\d+)?)\s*,?(.*)$",
    re.IGNORECASE | re.DOTALL)
# MailScanner's "not spam (whitelisted)" and "spam (blacklisted)": the site's sender lists
# decided, whatever SpamAssassin's score ("Is Definitely Not Spam" / "Is Definitely Spam" rules).
_MAILSCANNER_LISTS = {"whitelisted": "the sender is on the site's allow list (whitelist), so MailScanner calls it "
                                     "not spam whatever SpamAssassin's score",
                      "blacklisted": "the sender is on the site's block list (blacklist), so MailScanner calls it "
                                     "spam whatever SpamAssassin's score"}
_spamexperts_evidence = compiled_on_first_use(r"\(\s*(\d+(?:\.\d+)?(?:e-?\d+)?)\s*\)", re.IGNORECASE)
_mailscanner_rule = compiled_on_first_use(r"^\s*([A-Z][A-Z0-9_]{2,99})\s+-?\d+(?:\.\d+)?\s*\)?\s*$")


def read_spam_filters(message: Message, hops: Sequence[Hop], boundary_hop: int | None,
                      dkim: Sequence[DkimSignatureResult] = ()
                      ) -> tuple[tuple[SpamFilterVerdict, ...], tuple[Finding, ...]]:
    """Every spam filter verdict in the header, top first, and the findings they call for
    (``dkim``, the signatures re-verified, for what a subject the filter tagged does to them)."""
    if not message.has_any(_FIELD_NAMES) and not message.has_name_ending(_MAILSCANNER_SUFFIX) \
            and not message.has_name_ending(_MAILSCANNER_VIRUS_SUFFIX) and message.first("X-MailScanner") is None:
        return (), ()  # the usual case
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    receiver_org = (boundary.organization or organizational_domain(boundary.fields.by)) if boundary else None
    microsoft_receiver = receiver_org is not None and receiver_org.lower() in _MICROSOFT_ORGS
    verdicts: list[SpamFilterVerdict] = []
    flag_read = False
    for read in (_microsoft, _spamassassin, _rspamd, _stalwart, _proofpoint, _barracuda, _exim_spamassassin,
                 _spamassassin_without_status, _rspamd_in_report, _trend_micro, _united_internet, _pure_message,
                 _mailscanner, _mailscanner_virus, _spamexperts, _kaspersky, _mimecast, _mailenable, _proton, _icloud, _gmail_labels,
                 _google_scan, _sophos_sasi, _hornetsecurity, _proofpoint_essentials, _clx, _expurgate):
        read_now = read(message, boundary, microsoft_receiver)
        verdicts.extend(read_now)
        flag_read = flag_read or bool(read_now and read in _READERS_OF_THE_FLAG)
    if not flag_read:
        # X-Spam-Flag, X-Spam or a bare X-Spam-Status that no fuller reader took in: what a
        # field merely present (a report nobody could read) says nothing about.
        verdicts.extend(_spam_flag(message, boundary, microsoft_receiver))
    verdicts.sort(key=lambda v: v.header_index)
    verdicts = [v if v.trusted else _placed(v, hops, message, boundary) for v in verdicts]
    findings = [_flagged(v) for v in verdicts if v.trusted and v.spam]
    findings.extend(_infected(v) for v in verdicts if v.trusted and v.filter == _MAILSCANNER_VIRUS_FILTER
                    and v.details and v.details[0][1].lower() in _MAILSCANNER_INFECTED)
    tagged = _subject_tagged(message, verdicts, dkim)
    if tagged is not None:
        findings.append(tagged)
    return tuple(verdicts), tuple(findings)


# The tags filters put before the subject of a message they judge spam: SpamAssassin's
# "rewrite_header Subject *****SPAM*****", rspamd's rewrite subject action ("*** SPAM ***" by
# default), cPanel's and amavisd-new's "***SPAM***", "[SPAM]", SpamExperts' "{Spam?}": the word
# spam (or junk) between marks, perhaps with a score ("[SPAM: 7.1]"), at the start of the subject.
_spam_tag = compiled_on_first_use(
    r"^\s{0,8}([\[{(]\s{0,3}\*{0,8}|\*{2,8})\s{0,3}(?:possible\s|probable\s|suspected\s)?(?:spam|junk)\??"
    r"(?:\s{0,3}[:=]?\s{0,3}-?\d{1,4}(?:[.,]\d{1,4})?)?\s{0,3}(\*{0,8}\s{0,3}[\]})]|\*{2,8})", re.IGNORECASE)
_SPAM_TAG_REFERENCE = "https://spamassassin.apache.org/full/4.0.x/doc/Mail_SpamAssassin_Conf.html"


def _subject_tagged(message: Message, verdicts: Sequence[SpamFilterVerdict],
                    dkim: Sequence[DkimSignatureResult]) -> Finding | None:
    """A notice when the Subject starts with a spam filter's tag beside a spam verdict: the
    subject shown is the filter's rewrite, and a signature over the sender's subject no longer
    verifies for that alone."""
    spam = next((v for v in verdicts if v.spam), None)
    subject = message.first_decoded("Subject")
    if spam is None or subject is None:
        return None
    match = _spam_tag().match(subject[:200])
    if match is None:
        return None
    tag = " ".join(match.group(0).split())
    covering = [s for s in dkim if "subject" in {h.strip().lower() for h in s.signed_headers}][:3]
    if any(s.result == "pass" for s in covering):
        return None  # a signature over the tagged subject verifies: the tag was there when it was signed
    signed = ""
    if covering:
        names = ", ".join(f"d={s.domain or '?'}" + (f" ({s.result})" if s.result else "") for s in covering)
        signed = (f" The DKIM signature{'s' if len(covering) > 1 else ''} {names} cover{'' if len(covering) > 1 else 's'}"
                  " Subject (h=): a signature made over the sender's subject fails on the tagged one for that alone; "
                  "the DKIM section says whether anything else differs.")
    named = spam.filter if spam.header in spam.filter else f"{spam.filter} ({spam.header})"
    whose = "the receiving side's verdict" if spam.trusted else "a verdict the message carries, not shown to be the " \
                                                                "receiver's"
    return Finding(
        id="spam.subject_tagged", severity=Severity.NOTICE,
        title=f"Subject tagged “{tag}” by a spam filter",
        explanation=(f"The Subject starts with “{tag}”, the tag spam filters put before the subject of a message they "
                     f"judge spam, and {named} calls it spam ({whose}): the subject shown is the filter's rewrite, "
                     f"and the sender's is what follows the tag.{signed}"),
        reference=_SPAM_TAG_REFERENCE, subject="Subject")


def _placed(verdict: SpamFilterVerdict, hops: Sequence[Hop], message: Message,
            boundary: Hop | None) -> SpamFilterVerdict:
    """A claim's reason with the hop whose Received sits directly above it: a filter writes its
    fields when its server handles the message, so the verdict is that server's side's or an
    earlier one's (a sender's outbound filter, say), not the receiver's.

    Below every Received, the place tells nothing: Exim's ACLs and other filters append their
    fields at the end of the header, at whichever hop runs them. There the verdict is tied to
    the hop its own words or a trace stamp name (see _end_writer); a stamp of the receiving
    side's queue id makes it the receiver's."""
    if verdict.trust_reason.startswith(_PLACED_BY_COPY):
        # A copy of Exchange Online's fields other than the one the receiver wrote: its place was
        # weighed against the receiver's copy, and no hop it names makes it the receiver's.
        return dataclasses.replace(verdict, place="outside the receiver's own fields"
                                   if verdict.trust_reason.startswith(_NOT_THE_RECEIVERS) else
                                   "beside the receiver's own copy")
    above = hop_above(hops, verdict.header_index)
    if above is None:
        return verdict
    if not hops or above is not hops[0]:
        host = above.fields.by or "a server it does not name"
        org = f", {above.organization}" if above.organization else ""
        return dataclasses.replace(verdict, place=f"below hop {above.number}", trust_reason=(
            f"{verdict.trust_reason}. It sits below hop {above.number}'s Received (by {host}{org}): the verdict "
            "of that server's side or an earlier one's"))
    end = ("It sits below every Received, among the message's own fields, where a filter that appends its fields "
           "at the end of the header (as Exim's do) puts them at whichever hop runs it: its place does not tell "
           "whose verdict it is (the sender's outbound filter's, or a later server's)")
    written = _end_writer(verdict, hops, message)
    if written is None:
        return dataclasses.replace(verdict, place="below every Received",
                                   trust_reason=f"{verdict.trust_reason}. {end}")
    candidates, evidence, unforgeable = written
    hop = candidates[0]
    host = hop.fields.by or "a server it does not name"
    # eXpurgate's tie is only its name in a hop's Received: below the trust boundary that hop is
    # the sender's claim (RFC 5321 section 4.4: anyone can write a Received before handing the
    # message on), and so is the tie.
    claimed = [h for h in candidates if not h.trusted] if verdict.filter == "eXpurgate" else []
    if claimed:
        numbers = " or ".join(f"hop {h.number}" for h in claimed)
        names = "names" if len(claimed) == 1 else "name"
        return dataclasses.replace(verdict, place=f"below every Received; {numbers}, itself a claim, {names} eXpurgate",
                                   trust_reason=(
            f"{verdict.trust_reason}. {end}. {evidence[:1].upper()}{evidence[1:]}, but "
            f"{'that hop is' if len(claimed) == 1 else 'those hops are'} below the trust boundary, a Received the "
            "sender can write: whether any server there wrote this verdict is itself a claim"))
    if len(candidates) > 1:
        numbers = " or ".join(f"hop {h.number}" for h in candidates)
        org = f"{hop.organization}'s side at " if hop.organization and all(
            h.organization == hop.organization for h in candidates) else "the side of "
        return dataclasses.replace(verdict, place=f"below every Received, written at {numbers}", trust_reason=(
            f"{verdict.trust_reason}. {end}, but {evidence}: the verdict of {org}{numbers}, not the final "
            "receiver's"))
    if unforgeable and hop.trusted and boundary is not None:
        # Only the receiving side knows its own queue id when it takes the message.
        return dataclasses.replace(verdict, trusted=True, place="", trust_reason=(
            f"below every Received, where filters append their fields at the end of the header, and {evidence}, "
            "which only the receiving side knew then"))
    if hop.trusted:
        # Its own words name a host of the receiving side (hop 3, the boundary): most likely the
        # receiver's verdict, appended where milters (smfi_addheader) and Exim's ACLs put their
        # fields. A sender can write the same words at the end of the header, so it stays a claim,
        # for that reason and no other (not "not the receiver's").
        named = str(host)[:100]
        return dataclasses.replace(verdict, place=f"appended at the end, names hop {hop.number} ({named}), unproven",
                                   trust_reason=(
            f"appended at the end of the header, below every Received, where filters that add their fields there "
            f"put them (sendmail and Postfix milters, Exim's ACLs), and {evidence}: hop {hop.number}, a server of "
            f"the receiving side (by {named}), so most likely the receiver's own verdict at this delivery. It is not "
            "relied on all the same: a field appended at the end of the header cannot prove by its place who wrote "
            "it, and a sender can write the same field there, naming that host"))
    whose = f"{hop.organization}'s side at hop {hop.number} (by {host})" if hop.organization else \
        f"the side of hop {hop.number} (by {host})"
    return dataclasses.replace(verdict, place=f"below every Received, written at hop {hop.number}", trust_reason=(
        f"{verdict.trust_reason}. {end}, but {evidence}: the verdict of {whose}, not the final receiver's"))


# SpamAssassin's own name for its host: "SpamAssassin 3.4.6 (2021-04-09) on mx.example.org" in
# X-Spam-Checker-Version, 'running on the system "mx.example.org"' in its report.
_spamassassin_checker_host = compiled_on_first_use(r"^SpamAssassin\b.{0,80}?\bon\s+([A-Za-z0-9][A-Za-z0-9.-]{0,252})\s*$",
                                                   re.IGNORECASE)
_spamassassin_report_host = compiled_on_first_use(r"running on the system\s+\"([A-Za-z0-9][A-Za-z0-9.-]{0,252})\"",
                                                  re.IGNORECASE)
_SPAMASSASSIN_FILTERS = frozenset(("SpamAssassin", "SpamAssassin (Exim)", "spam filter (X-Spam-Score)",
                                   "spam filter (X-Spam-Flag)"))


def _end_writer(verdict: SpamFilterVerdict, hops: Sequence[Hop], message: Message
                ) -> tuple[tuple[Hop, ...], str, bool] | None:
    """(the hop, or the hops it may be when the evidence allows several, the evidence in words,
    whether a sender could not have written it) for a verdict
    at the end of the header that names where it was written: an ``X-Headers-End`` stamp of a
    hop's queue id, SpamAssassin's name for its host, Mimecast's fields on a Mimecast hop, or
    Microsoft's connecting address (CIP) of a hop's client."""
    # A stamp Exim's configuration adds last ("X-Headers-End: 1r8VLR-0008Nk-CK"): the queue id of
    # the hop that added the fields above it.
    for stamp in _fields(message, "X-Headers-End")[:1]:
        queue_id = stamp.value.strip()[:100]
        hop = next((h for h in hops if len(queue_id) >= 8 and h.fields.queue_id() == queue_id), None)
        if hop is not None and stamp.index > verdict.header_index:
            return (hop,), f"the X-Headers-End stamp after it repeats hop {hop.number}'s queue id {queue_id}", True
    # A stamp above it of the queue id the receiving side gave the message (rspamd's
    # X-Rspamd-Queue-Id, alone or quoted in a report): the stamp was written there, as no sender
    # knows that id, and a field appended at the end of the header after it was written at that
    # hop or later, all on the receiving side.
    for index, queue_id, words in _queue_stamps(message):
        hop = next((h for h in hops if h.trusted and h.fields.queue_id()
                    and h.fields.queue_id().lower() == queue_id.lower()), None)
        if hop is not None and index < verdict.header_index and (not hops or index > hops[0].header_index):
            return (hop,), f"it comes after {words} hop {hop.number}'s queue id {queue_id}", True
    if verdict.filter in ("MailScanner", _MAILSCANNER_VIRUS_FILTER):
        # MailScanner writes its fields together, "ID Header = X-%org-name%-MailScanner-ID:" among
        # them, holding the queue id its MTA gave the message (MailScanner.conf): only the
        # receiving side knew it then.
        # The ID field of the same site's name ("X-Corp-MailScanner-ID" for "X-Corp-MailScanner" and
        # "X-Corp-MailScanner-SpamCheck"): another name's ID vouches for none of its fields
        # (verification V15 F1: "X-Other-MailScanner: Found to be clean" rode on the site's ID).
        site = verdict.header.lower().removesuffix("-spamcheck")
        for stamp in message.headers[:200]:
            if stamp.name.lower() != site + "-id" or (hops and stamp.index < hops[0].header_index):
                continue
            queue_id = stamp.value.strip()[:64]
            hop = next((h for h in hops if h.trusted and len(queue_id) >= 6 and h.fields.queue_id()
                        and h.fields.queue_id().lower() == queue_id.lower()), None)
            # Appended after its ID field, as MailScanner writes them together: a field of the
            # same name above the ID is the sender's (verification V16 F1).
            if hop is not None and verdict.header_index > stamp.index:
                return (hop,), f"its {stamp.name} stamp repeats hop {hop.number}'s queue id {queue_id}", True
    if verdict.filter in _SPAMASSASSIN_FILTERS:
        named_by = [(f, _spamassassin_checker_host) for f in _fields(message, "X-Spam-Checker-Version")[:1]]
        named_by += [(f, _spamassassin_report_host) for f in _fields(message, "X-Spam-Report")[:1]]
        for field, pattern in named_by:
            named = pattern().search(" ".join(field.value[:2000].split()))
            hop = _hop_of_host(hops, named.group(1)) if named else None
            if named is not None and hop is not None:
                return (hop,), f"SpamAssassin names its host {named.group(1)[:100]} ({field.name})", False
    if verdict.filter == "Mimecast":
        mimecast = [h for h in hops if h.organization == "mimecast.com"
                    or organizational_domain(h.fields.by) == "mimecast.com"]
        if len(mimecast) == 1:
            return (mimecast[0],), f"it is Mimecast's field and hop {mimecast[0].number} is Mimecast's", False
        if mimecast:
            return _between_stamps(verdict, mimecast, hops, message)
    if verdict.filter == "eXpurgate":
        # eXpurgate names itself in the Received of the hop where it scanned the message
        # ("by mx.example.de with ESMTPS (eXpurgate 4.3.1)"), or that hop is eleven's service.
        scanned = [h for h in hops if "expurgate" in h.raw[:2000].lower()
                   or organizational_domain(h.fields.by) == "expurgate.net"]
        if scanned:
            numbers = " and ".join(str(h.number) for h in scanned)
            return tuple(scanned), (f"it is eXpurgate's field and hop{'s' if len(scanned) > 1 else ''} {numbers} "
                                    f"{'name' if len(scanned) > 1 else 'names'} eXpurgate"), False
    if verdict.filter == "Hornetsecurity":
        # Its disclaimer names the host that scanned it (see _hornetsecurity).
        for disclaimer in _fields(message, "X-cloud-security-disclaimer")[:1]:
            named = _hornet_scanned_on().search(" ".join(disclaimer.value[:1000].split()))
            hop = _hop_of_host(hops, named.group(1).rstrip(".")) if named else None
            if named is not None and hop is not None:
                return (hop,), (f"X-cloud-security-disclaimer names the host that scanned it, "
                                f"{named.group(1).rstrip('.')[:100]}"), False
    if verdict.filter == "Trend Micro":
        # ScanMail for Microsoft Exchange ("SMEX-..." in X-TM-AS-Product-Ver) scans on the Exchange
        # server itself: the hops Exchange's Received names its own ("with Microsoft SMTP Server",
        # Outlook's "with mapi", older "with Microsoft SMTPSVC"), when they are one organisation's.
        versions = [f.value.strip()[:10].upper() for name in ("X-TM-AS-Product-Ver", "X-TMASE-Version")
                    for f in _fields(message, name)[:1]]
        exchange = tuple(h for h in hops if (h.fields.protocol or "").lower().startswith(
            ("microsoft smtp server", "mapi", "microsoft smtpsvc")))
        if versions and all(v.startswith("SMEX-") for v in versions) and exchange \
                and len({h.organization for h in exchange}) == 1 and exchange[0].organization:
            return exchange, (f"X-TM-AS-Product-Ver names ScanMail for Microsoft Exchange, which scans on the Exchange "
                              f"server, and {' and '.join(f'hop {h.number}' for h in exchange)} "
                              f"{'is' if len(exchange) == 1 else 'are'} {exchange[0].organization}'s Exchange"), False
    if verdict.filter == "Microsoft 365":
        report = message.headers[verdict.header_index] if verdict.header_index < len(message.headers) else None
        found = _cip().search(report.value[:_MAX_VALUE]) if report is not None else None
        client = found.group(1) if found else None
        hop = next((h for h in hops if client and h.fields.from_ip == client), None)
        if hop is not None:
            return (hop,), f"its connecting address CIP:{client} is hop {hop.number}'s client", False
    return None


def _queue_stamps(message: Message) -> list[tuple[int, str, str]]:
    """(field index, queue id, the stamp in words) of each rspamd queue id stamp: the
    X-Rspamd-Queue-Id field, and the one quoted in a report (see _milter_fields)."""
    stamps = [(f.index, f.value.strip()[:64], "the X-Rspamd-Queue-Id stamp of")
              for f in _fields(message, "X-Rspamd-Queue-Id")[:3] if f.value.strip()]
    for field in (f for name in _REPORT_FIELDS for f in _fields(message, name)[:1]):
        value = field.value[:_MAX_VALUE * 2]
        if "x-milter-add" in value.lower():
            quoted = _milter_fields(value).get("x-rspamd-queue-id", "").split(" ")[0][:64]
            if quoted:
                stamps.append((field.index, quoted, f"{field.name}, which quotes rspamd's X-Rspamd-Queue-Id stamp of"))
    return [(i, q, w) for i, q, w in stamps if " " not in q and len(q) >= 6]


# A scanner's stamp of the host it ran on, "X-Scanned-By: MIMEDefang 3.1 on 10.11.54.5" (the
# milter's form, on every message it passes): appended when that host handled the message.
_scanned_on = compiled_on_first_use(r"\bon\s{1,5}\[?([0-9A-Fa-f:.]{2,45}|[A-Za-z0-9][A-Za-z0-9.-]{0,252})\]?\s{0,5}$")


def _between_stamps(verdict: SpamFilterVerdict, candidates: Sequence[Hop], hops: Sequence[Hop],
                    message: Message) -> tuple[tuple[Hop, ...], str, bool]:
    """Which of several hops of the verdict's organisation wrote a verdict at the end of the
    header, told by the scanners' stamps of their host among the fields appended there: fields
    are appended in the order the hops handled the message, so a stamp above the verdict puts it
    at that host's hop or later, one below it at that hop or earlier. The hops still possible."""
    bottom = hops[0].header_index if hops else -1
    low, high = 0, max(h.number for h in hops)
    said = ["", ""]  # the stamps that set the earliest and the latest hop possible
    for stamp in _fields(message, "X-Scanned-By")[:10]:
        named = _scanned_on().search(" ".join(stamp.value[:300].split()))
        if stamp.index <= bottom or named is None:
            continue
        host = named.group(1).lower().rstrip(".")
        # The host is the client of the hop after the one where it received the message, or the
        # receiving host of that one.
        numbers = [h.number - 1 for h in hops if (h.fields.from_ip or "").lower() == host]
        numbers += [h.number for h in hops if (h.fields.by or "").lower().rstrip(".") == host]
        numbers = [n for n in numbers if n >= 1]
        if not numbers:
            continue
        if stamp.index < verdict.header_index and min(numbers) > low:
            low = min(numbers)
            said[0] = (f"{stamp.name} above it (“{' '.join(stamp.value.split())[:60]}”, hop {low}) puts it at hop "
                        f"{low} or later")
        elif stamp.index > verdict.header_index and max(numbers) < high:
            high = max(numbers)
            said[1] = (f"{stamp.name} below it (“{' '.join(stamp.value.split())[:60]}”, hop {high}) puts it at hop "
                        f"{high} or earlier")
    kept = tuple(h for h in candidates if low <= h.number <= high)
    numbers_all = " and ".join(f"{h.number}" for h in candidates)
    base = f"it is Mimecast's field and hops {numbers_all} are Mimecast's"
    if len(kept) == 1 and any(said):
        return kept, f"{base}; {'; '.join(w for w in said if w)}: hop {kept[0].number}", False
    return tuple(candidates), f"{base}, and nothing in the header tells which of them wrote it", False


_cip = compiled_on_first_use(r"(?:^|;)\s*CIP:([0-9A-Fa-f:.]{2,45})\s*(?:;|$)")


def _hop_of_host(hops: Sequence[Hop], host: str) -> Hop | None:
    """The hop whose receiving host is ``host``, else the earliest whose host is of its organisation."""
    name = host.lower().rstrip(".")
    exact = next((h for h in hops if (h.fields.by or "").lower().rstrip(".") == name), None)
    if exact is not None:
        return exact
    org = organizational_domain(name)
    if org is None or "." not in name:
        return None
    return next((h for h in hops if h.organization == org or organizational_domain(h.fields.by) == org), None)


def _fields(message: Message, name: str) -> tuple[HeaderField, ...]:
    return message.all(name)[:_MAX_FIELDS]


def _position_trust(field: HeaderField, boundary: Hop | None) -> tuple[bool, str]:
    if boundary is None:
        return False, "no Received chain ties it to the receiving side: a claim"
    if field.index < boundary.header_index:
        return True, (f"added above the Received header where the receiving side accepted the message "
                      f"(hop {boundary.number}): the receiver's verdict at this delivery")
    return False, (f"already in the message when the receiving side accepted it (below hop {boundary.number}'s "
                   "Received header): an earlier server's verdict, or written by the sender; a filter that "
                   "appends its fields at the end of the header also lands here, so it is shown, not relied on")


def _number(text: str | None) -> float | None:
    """A finite number, or None ("nan", "inf" and "1e999" are text, not scores)."""
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _shown(number: float | None, text: str) -> str:
    """A score as written short ("5" for 5.0), or its text when it is no finite number."""
    return f"{number:g}" if number is not None else text[:20]


# --------------------------------------------------------------------------------- Microsoft


def _microsoft_parts(value: str) -> list[tuple[str, str]]:
    """The KEY:value parts of a Microsoft field, each key once (the first)."""
    parts: dict[str, str] = {}
    for piece in value[:_MAX_VALUE].split(";"):
        key, colon, part = piece.partition(":")
        key = key.strip().upper()
        if colon and key and len(key) <= 16 and key not in parts:
            parts[key] = part.strip()
    return list(parts.items())


def _receivers_copy(fields: Sequence[HeaderField], boundary: Hop | None,
                    own_from: int | None = None) -> HeaderField | None:
    """Of the copies of one of Exchange Online's fields, the one the receiver wrote (it writes one
    per receipt): the topmost above the boundary's Received, where the receiving side's fields
    stand in the message as sent on; else the lowest, as Exchange Online appends its fields after
    the message's own in the copy it keeps in the mailbox, so a sender's look-alike (among the
    message's own fields) sits above it (verification V40f: a sender's BCL:0 and dest:I above the
    receiver's BCL:8 and dest:J were taken for the receiver's).

    ``own_from``, the header index where the receiver's own appended fields are known to start
    (beside its X-Forefront-Antispam-Report): a copy below the boundary must be there, else it is
    the message's own text, even as the only copy (verification V41a D2: in hybrid delivery, and
    in a quarantined message, the mailbox writes no X-Microsoft-Antispam-Mailbox-Delivery, and a
    sender's dest:I with OFR:TrustedSenderList was taken for the receiver's). Where the receiver's
    field stands above the boundary (the message as sent on), only a copy above it counts."""
    if not fields:
        return None
    if boundary is not None:
        above = [f for f in fields if f.index < boundary.header_index]
        if above:
            return above[0]
        if own_from is not None and own_from < boundary.header_index:
            return None
    if own_from is None:
        return fields[-1]
    return next((f for f in reversed(fields) if f.index >= own_from), None)


_SECOND_COPY = ("a second copy of a field Exchange Online writes once per receipt; the receiver's is {where}: this "
                "one is the message's own text (the sender's, or an earlier server's), a claim")


_CUSTOM_SPAM_CLAIM = ("not in the receiver's own fields (after its X-Forefront-Antispam-Report, or above the "
                      "boundary's Received): the message's own text, a claim")
_NOT_THE_RECEIVERS = ("not in the receiver's own fields (beside its X-Forefront-Antispam-Report or its "
                      "X-MS-Exchange-Organization-SCL, or above the boundary's Received): the message's own text "
                      "(the sender's, or an earlier server's), a claim")
# The reasons of claims whose place _microsoft already weighed (see _placed).
_PLACED_BY_COPY = (_SECOND_COPY.split("{", 1)[0], _CUSTOM_SPAM_CLAIM, _NOT_THE_RECEIVERS)


def _copy_place(chosen: HeaderField, boundary: Hop | None) -> str:
    if boundary is not None and chosen.index < boundary.header_index:
        return f"header {chosen.index + 1}, above hop {boundary.number}'s Received"
    return f"header {chosen.index + 1}, the lowest, where Exchange Online appends its own fields"


# X-CustomSpam: the Advanced Spam Filter (ASF) setting of the anti-spam policy the message matched
# (Microsoft's "Anti-spam message headers" page, "X-CustomSpam: [ASFOption]"; MHA's "Advanced Spam
# Filtering" row).
_CUSTOM_SPAM = "X-CustomSpam"
_CUSTOM_SPAM_MEANING = "matched an Advanced Spam Filter (ASF) setting of the anti-spam policy"


def _microsoft(message: Message, boundary: Hop | None, microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    verdicts: list[SpamFilterVerdict] = []
    claims: list[SpamFilterVerdict] = []
    reports = _fields(message, "X-Forefront-Antispam-Report")
    # At a Microsoft receiver every inbound report would stand as the tenant's, wherever it sits:
    # of several, only the receiver's copy (a sender's second "SCL:-1;SFV:SKN" stood beside the
    # real SCL 9 as a second receiver's verdict, verification V40f t2).
    inbound = [f for f in reports if dict(_microsoft_parts(f.value)).get("DIR", "").upper() != "OUT"]
    tenants = _receivers_copy(inbound, boundary) if microsoft_receiver and len(inbound) > 1 else None
    weighed: list[tuple[str, HeaderField, list[tuple[str, str]], bool, str]] = []
    for name in ("X-Forefront-Antispam-Report", "X-Forefront-Antispam-Report-Untrusted"):
        for field in _fields(message, name):
            parts = _microsoft_parts(field.value)
            trusted, why = _report_standing(message, name, field, parts, tenants, boundary, microsoft_receiver)
            weighed.append((name, field, parts, trusted, why))
    # Where the receiver's own fields stand: its report, else (Outlook.com's consumer mailboxes,
    # Exchange Server on premises) its organisation level. A BCL or a folder below the boundary
    # counts as the receiver's only beside it (see _receivers_copy).
    own_report = next((f for name, f, _, trusted, _ in weighed if trusted and not name.endswith("-Untrusted")), None)
    organization_scl = next(iter(_fields(message, "X-MS-Exchange-Organization-SCL")), None)
    bulk_from: int | None = None
    delivery_from: int | None = None
    if own_report is not None:
        # Exchange Online writes X-Microsoft-Antispam directly above its report, and the mailbox's
        # X-Microsoft-Antispam-Mailbox-Delivery after it (V40f m1, a real 2024 inbound phish), or
        # both after it (Outlook.com, 2017).
        bulk_from, delivery_from = own_report.index - 1, own_report.index + 1
    elif organization_scl is not None and _organization_scl_standing(organization_scl, boundary,
                                                                     microsoft_receiver)[0]:
        # Outlook.com's consumer mailboxes write both after the level (real 2025 fields).
        bulk_from = delivery_from = organization_scl.index + 1
    bulk: dict[str, tuple[str, str] | None] = {}
    receivers_bulk: tuple[str, str] | None = None
    for name in ("X-Microsoft-Antispam", "X-Microsoft-Antispam-Untrusted"):
        copies = _fields(message, name)
        chosen = _receivers_copy(copies, boundary)
        if chosen is not None:
            bulk[name] = _bcl(chosen)
        if name.endswith("-Untrusted"):
            # Beside an earlier tenant's renamed report only, which is never the receiver's.
            claims.extend(_other_copies(copies, chosen, boundary, ("BCL", "PCL")))
            continue
        # The copy shown beside a report that is only a claim stays the one it was; the receiver's
        # own verdict takes only a copy that stands beside it.
        receivers = _receivers_copy(copies, boundary, bulk_from) if bulk_from is not None else chosen
        receivers_bulk = _bcl(receivers) if receivers is not None else None
        # A copy already shown beside a report that is a claim (an earlier tenant's, hybrid EOP's)
        # needs no row of its own.
        shown = chosen if receivers is None and chosen is not None and bulk[name] is not None and any(
            not trusted and not report_name.endswith("-Untrusted") and all(k != "BCL" for k, _ in parts)
            for report_name, _, parts, trusted, _ in weighed) else None
        claims.extend(v for v in _not_the_receivers(copies, receivers, boundary, ("BCL", "PCL"))
                      if shown is None or v.header_index != shown.index)
    copies = _fields(message, "X-Microsoft-Antispam-Mailbox-Delivery")
    chosen = _receivers_copy(copies, boundary, delivery_from)
    delivery = [(k, v) for k, v in _microsoft_parts(chosen.value) if k.upper() in ("DEST", "OFR")] \
        if chosen is not None else []
    claims.extend(_not_the_receivers(copies, chosen, boundary, ("DEST", "OFR")))
    for name, field, parts, trusted, why in weighed:
        untrusted_copy = name.endswith("-Untrusted")
        if untrusted_copy:
            bcl = bulk.get("X-Microsoft-Antispam-Untrusted")
        else:
            bcl = receivers_bulk if trusted else bulk.get("X-Microsoft-Antispam")
        if bcl is not None and all(key != "BCL" for key, _ in parts):
            parts.append(bcl)
        if tenants is not None and not untrusted_copy and field is not tenants \
                and dict(parts).get("DIR", "").upper() != "OUT":
            parts = [(k, v) for k, v in parts if (k, v) != bcl]  # the receiver's BCL is not this copy's
        if trusted and delivery:
            # The receiving mailbox's own record of where the message went (its report and
            # this field are written by the same tenant at delivery).
            parts = [*parts, *delivery]
        if trusted and not untrusted_copy:
            custom = _custom_spam(message, field, boundary)
            if custom is not None:
                parts.append(custom)
        verdict = _microsoft_verdict(name, field.index, parts, trusted, why)
        if verdict.details:  # a field with none of the parts Microsoft documents says nothing
            verdicts.append(verdict)
    report = next((v for v in verdicts if v.trusted and v.header == "X-Forefront-Antispam-Report"), None)
    receivers = _receivers_custom_spam(message, report.header_index, boundary) \
        if report is not None and message.has_any(_CUSTOM_SPAM_NAMES) else None
    for field in _fields(message, _CUSTOM_SPAM)[:4]:
        if field is not receivers:
            claims.append(_microsoft_verdict(field.name, field.index, [(_CUSTOM_SPAM, field.value.strip()[:200])],
                                             False, _CUSTOM_SPAM_CLAIM))
    verdicts.extend(v for v in claims if v.details)
    if not any(verdict.trusted for verdict in verdicts):
        # Exchange Server on premises, and Outlook.com's consumer mailboxes: the level in the
        # organisation header, with the bulk level and the mailbox's folder beside it. Also when
        # the only reports are an earlier tenant's ('-Untrusted', or its outbound scan): those say
        # nothing of where the receiver put the message (review AQ 1: a tenant-relayed phish's
        # SCL 8 and Junk folder were dropped for the sender's outbound "not spam").
        for field in _fields(message, "X-MS-Exchange-Organization-SCL")[:1]:
            trusted, why = _organization_scl_standing(field, boundary, microsoft_receiver)
            parts = [("SCL", field.value.strip()[:8])]
            if trusted and receivers_bulk is not None:
                parts.append(receivers_bulk)
            if trusted:
                parts.extend(delivery)
            # No Exchange Online report, and the receiving side is not Microsoft's: the level an
            # organisation's own Exchange Server set (its content filter or a transport rule).
            verdicts.append(_microsoft_verdict(field.name, field.index, parts, trusted, why,
                                               "Microsoft 365" if microsoft_receiver else "Exchange Server"))
    return verdicts


def _bcl(field: HeaderField) -> tuple[str, str] | None:
    return next(((k, v) for k, v in _microsoft_parts(field.value) if k == "BCL"), None)


def _report_standing(message: Message, name: str, field: HeaderField, parts: list[tuple[str, str]],
                     tenants: HeaderField | None, boundary: Hop | None, microsoft_receiver: bool) -> tuple[bool, str]:
    """Whether an X-Forefront-Antispam-Report(-Untrusted) is the receiver's, and why."""
    direction = dict(parts).get("DIR", "").upper()
    if name.endswith("-Untrusted"):
        return False, ("Exchange Online renames the verdict fields an earlier Microsoft tenant wrote to "
                       "'-Untrusted': an earlier scan, not this receiver's")
    if direction == "OUT" and message.first("X-MS-Exchange-ForwardingLoop") is not None:
        # The tenant that forwarded it (its mark of a forward) scanned it as it sent it on.
        return False, ("DIR:OUT of a forward: the Microsoft 365 tenant that forwarded the message "
                       "(X-MS-Exchange-ForwardingLoop) scanned it as it sent it on; not the final "
                       "receiver's filtering")
    if direction == "OUT":
        return False, ("DIR:OUT: the sending organisation's Microsoft 365 scanned it on the way "
                       "out; it says nothing of the recipient's filtering")
    if tenants is not None and field is not tenants:
        return False, _SECOND_COPY.format(where=_copy_place(tenants, boundary))
    if microsoft_receiver:
        return True, ("Exchange Online (the receiving side) writes its report among the message's "
                      "fields and renames any earlier one to '-Untrusted': this inbound report "
                      "is the receiving tenant's")
    return _position_trust(field, boundary)


def _organization_scl_standing(field: HeaderField, boundary: Hop | None,
                               microsoft_receiver: bool) -> tuple[bool, str]:
    """Whether an X-MS-Exchange-Organization-SCL is the receiving organisation's, and why."""
    # Exchange Server on premises, too, removes the organisation's fields from mail arriving
    # from outside: where its own server took the message ("with Microsoft SMTP Server",
    # Outlook's "with mapi"), the field is the organisation's.
    exchange_boundary = boundary is not None and (boundary.fields.protocol or "").lower().startswith(
        ("microsoft smtp server", "mapi"))
    if microsoft_receiver or exchange_boundary:
        return True, ("Exchange removes X-MS-Exchange-Organization fields that arrive from "
                      "outside: the receiving organisation wrote it")
    return _position_trust(field, boundary)


def _not_the_receivers(copies: Sequence[HeaderField], receivers: HeaderField | None, boundary: Hop | None,
                       keys: tuple[str, ...]) -> list[SpamFilterVerdict]:
    """The copies of a field other than the receiver's, each as a claim: beside the receiver's
    copy, a second copy; with none of the receiver's, each is the message's own text."""
    if receivers is not None:
        return _other_copies(copies, receivers, boundary, keys)
    return [_microsoft_verdict(f.name, f.index, [(k, v) for k, v in _microsoft_parts(f.value) if k.upper() in keys],
                               False, _NOT_THE_RECEIVERS) for f in copies]


def _other_copies(copies: Sequence[HeaderField], chosen: HeaderField | None, boundary: Hop | None,
                  keys: tuple[str, ...]) -> list[SpamFilterVerdict]:
    """The copies of a field other than the receiver's (see _receivers_copy), each as a claim."""
    if chosen is None or len(copies) < 2:
        return []
    why = _SECOND_COPY.format(where=_copy_place(chosen, boundary))
    return [_microsoft_verdict(f.name, f.index, [(k, v) for k, v in _microsoft_parts(f.value) if k.upper() in keys],
                               False, why) for f in copies if f is not chosen]


def _receivers_custom_spam(message: Message, report_index: int, boundary: Hop | None) -> HeaderField | None:
    """The X-CustomSpam the receiver wrote: the receiver's copy (_receivers_copy) of those above the
    boundary's Received, or, in the mailbox's layout, of those after the receiver's own report
    (Exchange Online appends its fields after the message's own; a sender's sits among them)."""
    copies = _fields(message, _CUSTOM_SPAM)[:4]
    if boundary is not None and report_index < boundary.header_index:
        return _receivers_copy([f for f in copies if f.index < boundary.header_index], boundary)
    return _receivers_copy([f for f in copies if f.index > report_index
                            and (boundary is None or f.index > boundary.header_index)], None)


def _custom_spam(message: Message, report: HeaderField, boundary: Hop | None) -> tuple[str, str] | None:
    """("X-CustomSpam", its value) when the receiver wrote one beside its report ``report``."""
    if not message.has_any(_CUSTOM_SPAM_NAMES):
        return None
    field = _receivers_custom_spam(message, report.index, boundary)
    return (_CUSTOM_SPAM, field.value.strip()[:200]) if field is not None else None


_CUSTOM_SPAM_NAMES = frozenset({_CUSTOM_SPAM.lower()})


def _microsoft_verdict(header: str, index: int, parts: list[tuple[str, str]], trusted: bool,
                       why: str, filter_name: str = "Microsoft 365") -> SpamFilterVerdict:
    values = {k: v for k, v in parts}
    scl, sfv, cat = values.get("SCL", ""), values.get("SFV", "").upper(), values.get("CAT", "").upper()
    score = _number(scl)
    spam: bool | None = None
    if sfv in _SPAM_SFV or (score is not None and score >= 5) or cat in _SPAM_CAT:
        spam = True
    elif sfv in _HAM_SFV or (score is not None and score < 5):
        spam = False
    details: list[tuple[str, str, str]] = []
    meanings = {"SCL": _SCL, "SFV": _SFV, "CAT": _CAT, "DIR": _DIR, "IPV": _IPV, "DEST": _DEST}
    labels = {"CIP": "connecting IP", "CTRY": "country of the connecting IP", "LANG": "language of the message",
              "H": "HELO of the connecting server", "PTR": "reverse DNS of the connecting IP",
              "SRV": "BULK: marked as bulk mail" if values.get("SRV", "").upper() == "BULK" else "",
              "BCL": "bulk complaint level (0 not bulk to 9 the most complained-about)",
              "PCL": "phishing confidence level"}
    for key, part in parts:
        key = key.upper() if key.upper() in ("DEST", "OFR") else key
        if key in meanings:
            meaning = meanings[key].get(part.upper(), "")
            if key == "SCL" and values.get("DIR", "").upper() == "OUT":
                meaning = meaning.split(":")[0]  # an outbound scan delivers to no folder
        elif key == "SFTY":
            if not part.strip():
                continue  # written empty on ordinary mail: no safety tip
            meaning = _SFTY.get(part.strip(), "a safety tip was shown")
        elif key == "OFR":
            meaning = _OFR.get(part.strip().upper(), "the mailbox's reason for the folder it chose")
        elif key in labels:
            meaning = labels[key]
        elif key == _CUSTOM_SPAM:
            meaning = _CUSTOM_SPAM_MEANING
        else:
            continue  # SFS, SFP, ARC...: Microsoft's internal rule ids
        if part or meaning:
            details.append((key, part[:200], meaning))
    words = []
    if scl:
        words.append(f"SCL {scl}" + (f" ({_SCL[scl].split(':')[0]})" if scl in _SCL else ""))
    bcl = values.get("BCL", "").strip()
    if bcl in _BCL:
        words.append(f"BCL {bcl} ({_BCL[bcl]})")
    if sfv:
        words.append(f"SFV:{sfv}" + (f" ({_SFV[sfv]})" if sfv in _SFV else ""))
    if cat and cat != "NONE":
        words.append(f"CAT:{cat}" + (f" ({_CAT[cat]})" if cat in _CAT else ""))
    direction = values.get("DIR", "").upper()
    if direction in _DIR:
        words.append(_DIR[direction].split(" ")[0])
    dest = next((v.upper() for k, v in parts if k.upper() == "DEST"), "")
    if dest in _DEST:
        override = next((v for k, v in parts if k.upper() == "OFR"), "")
        # The mailbox's own rule (a safe senders list) put it there against the filter's verdict.
        overridden = ": the user's safe senders list overrode it" if override.strip().upper() == "TRUSTEDSENDERLIST" \
            else ""
        words.append(_DEST[dest] + (f"{overridden} (OFR:{override})" if override else ""))
    custom = values.get(_CUSTOM_SPAM, "")
    if custom:
        words.append(f"Advanced Spam Filter: {custom[:100]}")
    summary = "; ".join(words) or "no verdict written"
    return SpamFilterVerdict(filter=filter_name, header=header, header_index=index, spam=spam, score=score,
                             threshold=5.0 if score is not None else None, summary=summary[:300],
                             details=tuple(details), rules=(), trusted=trusted, trust_reason=why)


# ------------------------------------------------------------------------------ SpamAssassin


def _spamassassin(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    verdicts: list[SpamFilterVerdict] = []
    # amavisd-new writes SpamAssassin's verdict in its own field, with its tag level between
    # score and required: "No, score=-4.88 tagged_above=-10000 required=5.3 tests=[...]".
    fields = sorted((*_fields(message, "X-Spam-Status"), *_fields(message, "X-Amavis-Spam-Status")),
                    key=lambda f: f.index)
    rspamds = _rspamd_spam_status(message) if fields else None
    stalwarts = {status.index for _, status, _ in _stalwart_results(message) if status is not None} if fields else set()
    sign: bool | None = None
    for field in fields:
        if field is rspamds or field.index in stalwarts:
            continue  # rspamd's or Stalwart's, read by their readers
        value = " ".join(field.value[:_MAX_VALUE].split())
        match = _spamassassin_status().match(value)
        if match is None:
            continue
        spam = match.group(1).lower() == "yes"
        score = _number(match.group(2))
        required_text = match.group(3)
        rules = _test_names(value)
        if required_text is None or not rules:
            # cPanel writes only "No, score=-1.9": the required score and the tests are in its
            # report (X-Spam-Report, or X-Ham-Report for a message that is not spam).
            report_required, report_rules = _report(message)
            required_text = required_text or report_required
            rules = rules or report_rules
        required = _number(required_text)
        # "Yes, score=N" alone is no more SpamAssassin's than any other filter's (Stalwart and
        # rspamd write it too): it is named so only on a sign of SpamAssassin (see _spamassassin_sign).
        if match.group(3) is not None or "tests=" in value.lower() or field.name.lower() == "x-amavis-spam-status":
            named = True
        else:
            sign = _spamassassin_sign(message) if sign is None else sign
            named = sign
        trusted, why = _position_trust(field, boundary)
        summary = f"{'spam' if spam else 'not spam'}: score {_shown(score, match.group(2))}" + (
            f" against {_shown(required, required_text)} required" if required_text else "")
        details = [("score", match.group(2)[:20],
                    "points the tests added up to" if named else "the filter's score; no threshold is written")]
        if required_text:
            details.append(("required", required_text[:20], "the score from which it calls a message spam"))
        verdicts.append(SpamFilterVerdict(
            filter="SpamAssassin" if named else f"spam filter ({field.name})", header=field.name,
            header_index=field.index, spam=spam, score=score,
            threshold=required, summary=summary, details=tuple(details), rules=rules,
            trusted=trusted, trust_reason=why))
    return verdicts


def _spamassassin_sign(message: Message) -> bool:
    """Whether the header shows SpamAssassin beside a status without required= or tests=: its
    X-Spam-Checker-Version, its report table (X-Spam-Report, cPanel's X-Ham-Report), or amavisd-new's
    own fields (X-Amavis-*, "X-Virus-Scanned: ... amavisd-new"), whose spam scan is SpamAssassin's."""
    if any(f.value.strip()[:12].lower() == "spamassassin" for f in _fields(message, "X-Spam-Checker-Version")[:1]):
        return True
    if any(f.name.lower().startswith("x-amavis-") for f in message.headers[:400]):
        return True
    if any("amavis" in f.value[:200].lower() for f in _fields(message, "X-Virus-Scanned")[:3]):
        return True
    return _report_table(message) is not None


def _report(message: Message) -> tuple[str | None, tuple[str, ...]]:
    """The required score and the rules of SpamAssassin's report table, as written."""
    table = _report_table(message)
    return (table[1].group(2), table[2]) if table is not None else (None, ())


def _report_table(message: Message) -> tuple[HeaderField, re.Match[str], tuple[str, ...]] | None:
    """SpamAssassin's report field (X-Spam-Report, or cPanel's X-Ham-Report for a message that
    is not spam): the field, the match of its "(score points, required required)" line, and the
    rules of the table after it."""
    for field in sorted((*_fields(message, "X-Spam-Report")[:1], *_fields(message, "X-Ham-Report")[:1]),
                        key=lambda f: f.index):
        value = field.value[:_MAX_VALUE]
        match = _spamassassin_report().search(value)
        if match is not None:
            rules = tuple(dict.fromkeys(_spamassassin_report_rule().findall(value[match.end():])))[:_MAX_RULES]
            return field, match, rules
    return None


def _test_names(value: str) -> tuple[str, ...]:
    """The ``tests=A,B,...`` list SpamAssassin and Barracuda write ("none" for no test), bounded."""
    tests = _spamassassin_tests().search(value)
    if tests is None:
        return ()
    # amavisd-new brackets the list and SpamAssassin's _TESTSSCORES_ adds each score:
    # "tests=[BAYES_00=-1.9, DKIM_SIGNED=0.1]"; the names are what is listed.
    names = (part.strip().strip("[]").partition("=")[0].strip() for part in tests.group(1).split(","))
    return tuple(name[:100] for name in names if name and name.lower() != "none")[:_MAX_RULES]


# ------------------------------------------------------------------------------------- rspamd


def _rspamd(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    verdicts: list[SpamFilterVerdict] = []
    actions = _fields(message, "X-Rspamd-Action")
    action = " ".join(actions[0].value.split())[:40].lower() if actions else None
    results = _fields(message, "X-Spamd-Result")
    for field in results:
        value = field.value[:_MAX_VALUE]
        match = _rspamd_result().match(value)
        if match is None:
            continue
        score, required = _number(match.group(2)), _number(match.group(3))
        rules = tuple(m.group(1) for m in _rspamd_piece().finditer(value, match.end()) if m.group(1))
        rejected = match.group(1).lower() == "true"
        verdict = _rspamd_verdict(field, boundary, True if rejected else None, score, required,
                                  action, rules[:_MAX_RULES], _rspamd_queue_id(message))
        verdict = dataclasses.replace(verdict, details=(
            ("True/False", match.group(1)[:5], "rspamd's is_spam flag: True only for the reject action, so False "
                                               "says it was not rejected, not that it is not spam"),
            *verdict.details))
        if not rejected and action is None:
            verdict = _rspamd_not_rejected(verdict, message, score, required)
        verdicts.append(verdict)
    if not verdicts:
        header_score = _rspamd_score(message)
        status = _rspamd_spam_status(message)
        if not actions and header_score is None and status is not None:
            # The milter's short "X-Spam-Status: No, score=8.40": "Yes" for any action but "no
            # action" and "greylist"; the thresholds are not written.
            match = _spamassassin_status().match(status.value)
            assert match is not None  # _rspamd_spam_status matched its form
            verdict = _rspamd_verdict(status, boundary, match.group(1).lower() == "yes", _number(match.group(2)),
                                      None, None, (), _rspamd_queue_id(message))
            verdicts.append(dataclasses.replace(
                verdict, summary=f"{verdict.summary} (thresholds not recorded)",
                details=(*verdict.details, ("Yes/No", match.group(1)[:3],
                                            "Yes when rspamd's action was anything but no action or greylist"))))
        elif actions or header_score is not None:
            # The symbols, when only the short fields are written: "X-Rspamd-Report: BAYES_HAM(-2.99)
            # MIME_GOOD(-0.1)" (as at uberspace.de).
            reports = _fields(message, "X-Rspamd-Report")
            rules = tuple(dict.fromkeys(_rspamd_report_symbol().findall(reports[0].value[:_MAX_VALUE]))
                          )[:_MAX_RULES] if reports else ()
            # rspamd's milter writes "X-Spam: Yes" with the "add header" action.
            verdicts.append(_rspamd_verdict((actions or _fields(message, "X-Rspamd-Score"))[0], boundary,
                                            _flag(message), header_score, None, action, rules,
                                            _rspamd_queue_id(message)))
    return verdicts


# rspamd's reply in its legacy protocol, which Exim's spam condition (spamd_address ...
# variant=rspamd) reads and hands on as $spam_report, quotes the fields rspamd's milter would
# add: "X-Milter-Add: X-Spamd-Result: default: False [8.08 / 50.00]; SYMBOL(score)[...]; ...",
# "X-Milter-Add: X-Rspamd-Queue-Id: <id>", and a name may carry a position ("Name[1]: value"):
# https://github.com/rspamd/rspamd/pull/5948. A report field holding it is read as rspamd's.
_milter_add = compiled_on_first_use(r"(?:^|\s)X-Milter-Add:\s{0,5}([A-Za-z][A-Za-z0-9-]{0,60})(?:\[\d{1,3}\])?:\s{0,5}",
                                    re.IGNORECASE)
_milter_line = compiled_on_first_use(r"\sX-Milter-(?:Add|Del):", re.IGNORECASE)
_legacy_action = compiled_on_first_use(r"^\s{0,5}Action:\s{0,5}(no action|greylist|add header|rewrite subject|soft reject|"
                                       r"reject)\b", re.IGNORECASE)
_RSPAMD_ACTIONS = ("no action", "greylist", "add header", "rewrite subject", "soft reject", "reject")
_REPORT_FIELDS = ("X-Spam-Report", "X-Spam_report", "X-Ham-Report")


def _milter_fields(value: str) -> dict[str, str]:
    """The fields an rspamd reply quotes as "X-Milter-Add: Name: value", by lower-case name
    (the first of each), each value ending where the next protocol line starts."""
    found: dict[str, str] = {}
    for match in itertools.islice(_milter_add().finditer(value), 40):
        name = match.group(1).lower()
        end = _milter_line().search(value, match.end())
        if name not in found:
            found[name] = value[match.end():end.start() if end else len(value)].strip()
    return found


def _rspamd_in_report(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """rspamd's X-Spamd-Result quoted inside a report field (see _milter_add), when the
    message has no X-Spamd-Result field of its own."""
    if _fields(message, "X-Spamd-Result"):
        return []  # rspamd's own field, read by _rspamd
    for field in sorted((f for name in _REPORT_FIELDS for f in _fields(message, name)[:1]), key=lambda f: f.index):
        value = field.value[:_MAX_VALUE * 2]
        if "x-milter-add" not in value.lower():
            continue
        quoted = _milter_fields(value)
        result = quoted.get("x-spamd-result", "")
        match = _rspamd_result().match(result)
        if match is None:
            continue
        score, required = _number(match.group(2)), _number(match.group(3))
        rules = tuple(m.group(1) for m in _rspamd_piece().finditer(result, match.end()) if m.group(1))
        action_text = " ".join(quoted.get("x-rspamd-action", "").split())[:40].lower()
        legacy = _legacy_action().match(value)
        action = action_text if action_text in _RSPAMD_ACTIONS else legacy.group(1).lower() if legacy else None
        queue_id = quoted.get("x-rspamd-queue-id", "").split(" ")[0][:64] or None
        rejected = match.group(1).lower() == "true"
        verdict = _rspamd_verdict(field, boundary, True if rejected else None, score, required, action,
                                  rules[:_MAX_RULES], queue_id)
        if verdict.trusted:
            verdict = dataclasses.replace(verdict, trust_reason=verdict.trust_reason.replace(
                "X-Rspamd-Queue-Id", f"X-Rspamd-Queue-Id (quoted in {field.name})", 1))
        verdict = dataclasses.replace(verdict, details=(
            ("X-Spamd-Result", f"quoted in {field.name}",
             "rspamd's result as its milter would write it, in the reply the mail server (Exim's rspamd variant) "
             "wrote into its report"),
            ("True/False", match.group(1)[:5], "rspamd's is_spam flag: True only for the reject action, so False "
                                               "says it was not rejected, not that it is not spam"),
            *verdict.details))
        return [verdict]
    return []


# rspamd's default action scores (its conf/actions.conf: greylist 4, add header 6, rewrite
# subject 7, reject 15; https://rspamd.com/doc/configuration/metrics.html). X-Spamd-Result's
# True/False is its legacy is_spam flag, True only for the reject action (rspamd/rspamd#463,
# https://rspamd.com/doc/architecture/protocol.html).
_RSPAMD_DEFAULT_ADD_HEADER = 6.0
_RSPAMD_DEFAULT_REJECT = 15.0


def _rspamd_not_rejected(verdict: SpamFilterVerdict, message: Message, score: float | None,
                         required: float | None) -> SpamFilterVerdict:
    """X-Spamd-Result's "False" without X-Rspamd-Action: the message was not rejected. Whether
    rspamd called it spam (add header, rewrite subject) is said by its milter's X-Spam or
    X-Spam-Status when written; otherwise only a score below the default add-header score, where
    the reject score is not lowered from its default, says it was not."""
    against = (f"score {score:g}" + (f" against {required:g} to reject" if required is not None else "")
               if score is not None else "no readable score")
    details = verdict.details
    status = _rspamd_spam_status(message)
    spam: bool | None
    if _rspamd_x_spam(message):
        # The milter's "X-Spam: Yes" is written for its "add header" action (milter_headers x-spam).
        spam, words = True, f"spam (X-Spam: Yes), {against}"
        details = (*details, ("X-Spam", "Yes", "rspamd's milter writes it for the add header action: judged "
                                              "spam, below the reject score"))
    elif status is not None:
        # milter_headers' x-spam-status: "Yes" for every action but no action and greylist.
        spam = status.value.strip()[:3].lower() == "yes"
        words = f"{'spam' if spam else 'not spam'} (X-Spam-Status: {'Yes' if spam else 'No'}), {against}"
        details = (*details, ("X-Spam-Status", "Yes" if spam else "No",
                              "Yes when rspamd's action was anything but no action or greylist"))
    elif score is not None and score < _RSPAMD_DEFAULT_ADD_HEADER and (
            required is None or required >= _RSPAMD_DEFAULT_REJECT):
        spam, words = False, f"not spam (below rspamd's default thresholds), {against}"
    else:
        spam = None
        if score is None:
            why = "no X-Rspamd-Action, X-Spam or X-Spam-Status field says which action it took"
        elif score >= _RSPAMD_DEFAULT_ADD_HEADER:
            why = (f"above rspamd's default add-header score of {_RSPAMD_DEFAULT_ADD_HEADER:g}, so probably marked "
                   "as spam, which this field alone does not say")
        else:
            why = (f"the reject score is lowered from rspamd's default {_RSPAMD_DEFAULT_REJECT:g}, so the add-header "
                   f"score may be below its default {_RSPAMD_DEFAULT_ADD_HEADER:g} too: whether it was marked as "
                   "spam this field alone does not say")
        words = f"not rejected, {against}; {why}"
        details = (*details, ("add header", f"{_RSPAMD_DEFAULT_ADD_HEADER:g}",
                              "rspamd's default score for its add header (spam) action; no X-Rspamd-Action, X-Spam "
                              "or X-Spam-Status field says which action this server took"))
    return dataclasses.replace(verdict, spam=spam, summary=words[:300], details=details)


# rspamd's milter_headers module writes X-Spam-Status as exactly "Yes, score=8.40" (the score
# with two decimals and nothing after it), which SpamAssassin never does alone; told apart by
# the rspamd fields beside it.
_rspamd_status_form = compiled_on_first_use(r"(?:Yes|No), score=-?\d+\.\d\d")
_RSPAMD_MARKERS = ("X-Rspamd-Queue-Id", "X-Rspamd-Server", "X-Spamd-Bar", "X-Rspamd-Bar", "X-Spamd-Result",
                   "X-Rspamd-Action", "X-Rspamd-Score")


def _rspamd_spam_status(message: Message) -> HeaderField | None:
    """The X-Spam-Status field rspamd wrote, when one did (see _rspamd_status_form)."""
    stalwarts: set[int] | None = None
    for field in _fields(message, "X-Spam-Status")[:3]:
        if _rspamd_status_form().fullmatch(field.value.strip()) is not None \
                and any(_fields(message, name) for name in _RSPAMD_MARKERS):
            if stalwarts is None:
                stalwarts = {status.index for _, status, _ in _stalwart_results(message) if status is not None}
            if field.index not in stalwarts:  # Stalwart writes the same form beside its X-Spam-Result
                return field
    return None


def _rspamd_x_spam(message: Message) -> bool:
    """Whether rspamd's milter wrote "X-Spam: Yes" (its add header action)."""
    return any(_flag_value(field) for field in _fields(message, "X-Spam")[:1])


def _rspamd_queue_id(message: Message) -> str | None:
    ids = _fields(message, "X-Rspamd-Queue-Id")
    value = ids[0].value.strip()[:64] if ids else ""
    return value if value and " " not in value else None


def _stamps_receivers_queue(queue_id: str | None, boundary: Hop) -> bool:
    """Whether rspamd's X-Rspamd-Queue-Id is the queue id the boundary Received gave the message:
    a sender cannot know it before it connects."""
    own = boundary.fields.queue_id()
    return bool(queue_id and own and queue_id.lower() == own.lower())


def _rspamd_score(message: Message) -> float | None:
    scores = _fields(message, "X-Rspamd-Score")
    return _number(scores[0].value.strip()[:20]) if scores else None


def _rspamd_verdict(field: HeaderField, boundary: Hop | None, is_spam: bool | None, score: float | None,
                    required: float | None, action: str | None, rules: tuple[str, ...],
                    queue_id: str | None = None) -> SpamFilterVerdict:
    spam = is_spam
    if action is not None:
        # rspamd's actions: "no action", "greylist", "add header", "rewrite subject", "soft reject", "reject".
        if action in ("add header", "rewrite subject", "reject", "soft reject"):
            spam = True
        elif action in ("no action", "greylist") and not is_spam:
            spam = False
    words = [("spam" if spam else "not spam") if spam is not None else "no verdict"]
    if score is not None:
        words.append(f"score {score:g}" + (f" against {required:g} to reject" if required is not None else ""))
    if action:
        words.append(f"action: {action}")
    details = [("score", f"{score:g}", "points the symbols added up to")] if score is not None else []
    if required is not None:
        details.append(("required", f"{required:g}", "the score of the reject action"))
    if action:
        details.append(("action", action, "what rspamd told the mail server to do"))
    trusted, why = _position_trust(field, boundary)
    if not trusted and boundary is not None and _stamps_receivers_queue(queue_id, boundary):
        # rspamd's milter stamps the mail server's queue id of the transaction it scanned: the
        # boundary hop's own id, which a sender cannot know before it connects.
        trusted, why = True, (f"X-Rspamd-Queue-Id {queue_id} is the queue id the receiving side's Received "
                              f"(hop {boundary.number}) gave this message: rspamd scanned it there")
    return SpamFilterVerdict(
        filter="rspamd", header=field.name, header_index=field.index, spam=spam, score=score, threshold=required,
        summary=", ".join(words), details=tuple(details), rules=rules, trusted=trusted, trust_reason=why)


# ----------------------------------------------------------------------------------- Stalwart

# Stalwart's built-in spam filter writes every tag it set with the tag's score, lowest first,
# "X-Spam-Result: ARC_NA (0.00),\r\n\tBAYES_SPAM (5.10)", and its verdict beside it,
# "X-Spam-Status: Yes, score=35.20" (Yes from its spam threshold, 5 by default; no required=
# or tests=): its crates/spam-filter/src/analysis/score.rs, and the same forms from the Sieve
# scripts of its versions before 0.11, which wrote the status first. Both are written below its
# own Received and Authentication-Results. https://stalw.art/docs/spamfilter/settings/general
_stalwart_tag = compiled_on_first_use(r"\s{0,20}([A-Za-z0-9_]{1,100})\s{0,3}\(\s{0,3}(-?\d{1,9}(?:\.\d{1,9})?)\s{0,3}\)\s{0,20}")
_stalwart_status_form = compiled_on_first_use(r"(Yes|No), score=(-?\d{1,9}(?:\.\d{1,20})?)")
_STALWART_DEFAULT_SPAM_SCORE = 5.0


def _stalwart_results(message: Message) -> list[tuple[HeaderField, HeaderField | None, list[tuple[str, float]]]]:
    """Stalwart's X-Spam-Result fields (their first tag in its "NAME (score)" form), each with the
    X-Spam-Status in its short form written next to it, if any, and its tags."""
    found: list[tuple[HeaderField, HeaderField | None, list[tuple[str, float]]]] = []
    statuses = _fields(message, "X-Spam-Status")
    for field in _fields(message, "X-Spam-Result")[:3]:
        tags: list[tuple[str, float]] = []
        for part in field.value[:_MAX_VALUE].split(",")[:_MAX_RULES]:
            tag = _stalwart_tag().fullmatch(part)
            score = _number(tag.group(2)) if tag else None
            if tag is None or score is None:
                if not tags:
                    break  # another product's field: Stalwart's first item is a tag
                continue  # a paste cut off inside the last tag
            tags.append((tag.group(1), score))
        if not tags:
            continue
        status = next((s for s in statuses if abs(s.index - field.index) == 1
                       and _stalwart_status_form().fullmatch(s.value.strip()) is not None), None)
        found.append((field, status, tags))
    return found


def _stalwart(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    verdicts: list[SpamFilterVerdict] = []
    for result, status, tags in _stalwart_results(message):
        field = status if status is not None else result
        form = _stalwart_status_form().fullmatch(status.value.strip()) if status is not None else None
        spam = form.group(1) == "Yes" if form else None
        # Its score is the sum of its tags' (score.rs adds them up); the status writes it rounded.
        score = _number(form.group(2)) if form else round(math.fsum(s for _, s in tags), 2)
        # The tags that weigh most first: Stalwart lists them lowest first, the many zeros ahead.
        ranked = sorted(tags, key=lambda t: -t[1])
        heaviest = ", ".join(f"{name} {value:g}" for name, value in ranked if value > 0)
        details = [("score", f"{score:g}" if score is not None else "?", "points its tags added up to")]
        if form:
            details.append(("Yes/No", form.group(1), f"Yes from the server's spam score on (Stalwart's default is "
                                                     f"{_STALWART_DEFAULT_SPAM_SCORE:g}; the server's own is not written)"))
        if heaviest:
            details.append(("X-Spam-Result", heaviest[:300], "the tags that added to the score, the heaviest first"))
        trusted, why = _position_trust(field, boundary)
        if not trusted and boundary is not None and 0 <= boundary.header_index < len(message.headers) \
                and "(stalwart smtp)" in message.headers[boundary.header_index].value[:2000].lower():
            why += ("; Stalwart (the receiving side's Received names it) writes its spam fields below its own "
                    "Received, so they may be its own, but a sender can write the same fields there")
        summary = _score_summary(spam, score, None) + ("" if form else " (the sum of its tags; no X-Spam-Status)")
        verdicts.append(SpamFilterVerdict(
            filter="Stalwart", header=field.name, header_index=field.index, spam=spam, score=score, threshold=None,
            summary=summary, details=tuple(details), rules=tuple(name for name, _ in ranked)[:_MAX_RULES],
            trusted=trusted, trust_reason=why))
    return verdicts


# ----------------------------------------------------------------------- Proofpoint, Barracuda


def _proofpoint(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """``X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0 phishscore=0 ...``;
    the rule's last word is the classification (notspam, spam, bulk, phish, malware, ...)."""
    verdicts: list[SpamFilterVerdict] = []
    for field in _fields(message, "X-Proofpoint-Spam-Details"):
        values: dict[str, str] = {}
        for word in field.value[:_MAX_VALUE].split():
            key, equals, value = word.partition("=")
            key = key.lower()
            if equals and key not in values:
                values[key] = value
        rule = values.get("rule")
        if rule is None:
            continue
        classification = rule.rsplit("_", 1)[-1].lower()
        spam = None if not classification else classification != "notspam"
        score = _number(values.get("score"))
        details = [("rule", rule[:100], f"the rule that classified it: {classification or '?'}")]
        details += [(key, values[key][:40], meaning) for key, meaning in (
            ("policy", "the policy applied (inbound, outbound or a custom one)"),
            ("score", "the overall score"), ("spamscore", "spam"), ("phishscore", "phishing"),
            ("bulkscore", "bulk mail"), ("malwarescore", "malware"), ("impostorscore", "impostor (impersonation)"),
            ("suspectscore", "suspect"), ("adultscore", "adult content")) if key in values]
        # "route=outbound" is the route the message took through Proofpoint (iCloud's and
        # companies' outgoing mail).
        if values.get("policy", "").lower() == "outbound" or rule.lower().startswith("outbound_") \
                or values.get("route", "").lower() == "outbound":
            trusted, why = False, ("an outbound policy: the sending organisation's Proofpoint scanned it on the way "
                                   "out; it says nothing of the recipient's filtering")
        else:
            trusted, why = _position_trust(field, boundary)
        summary = f"{classification or 'no classification'}" + (f" (rule {rule[:60]})" if rule else "") + \
            (f", score {score:g}" if score is not None else "")
        verdicts.append(SpamFilterVerdict(
            filter="Proofpoint", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=None, summary=summary, details=tuple(details), rules=(), trusted=trusted, trust_reason=why))
    return verdicts


def _barracuda(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """``X-Barracuda-Spam-Status: No, SCORE=0.00 using global scores of TAG_LEVEL=3.5
    QUARANTINE_LEVEL=1000.0 KILL_LEVEL=9.0 tests=A, B``."""
    verdicts: list[SpamFilterVerdict] = []
    for field in _fields(message, "X-Barracuda-Spam-Status"):
        value = " ".join(field.value[:_MAX_VALUE].split())
        match = _barracuda_status().match(value)
        if match is None:
            continue
        spam = match.group(1).lower() == "yes"
        score = _number(match.group(2))
        levels = dict(_barracuda_level().findall(value))
        # A level of 1000 (or more) is Barracuda's way of turning that action off: the threshold
        # in force is the lowest level still active (tag, quarantine or block).
        active = sorted((level, name) for name in ("TAG_LEVEL", "QUARANTINE_LEVEL", "KILL_LEVEL")
                        if (level := _number(levels.get(name))) is not None and level < 1000)
        tag = active[0][0] if active else None
        action = {"TAG_LEVEL": "tag", "QUARANTINE_LEVEL": "quarantine", "KILL_LEVEL": "block"}[active[0][1]] \
            if active else "tag"
        rules = _test_names(value)
        details = [("SCORE", match.group(2)[:20], "points the tests added up to")]
        details += [(name, levels[name], meaning) for name, meaning in (
            ("TAG_LEVEL", "the score from which it tags the message as spam"),
            ("QUARANTINE_LEVEL", "the score from which it quarantines it"),
            ("KILL_LEVEL", "the score from which it blocks it")) if name in levels]
        trusted, why = _position_trust(field, boundary)
        summary = f"{'spam' if spam else 'not spam'}: score {match.group(2)}" + \
            (f" against {tag:g} to {action}" if tag is not None else "")
        verdicts.append(SpamFilterVerdict(
            filter="Barracuda", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=tag, summary=summary, details=tuple(details), rules=rules, trusted=trusted, trust_reason=why))
    return verdicts


# -------------------------------------------------------------------------------- X-Spam-Flag


def _spam_flag(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """The yes or no alone, when no reader of a fuller status took it in (see read_spam_filters):
    a report beside it that no reader understood leaves it the only verdict written."""
    verdicts: list[SpamFilterVerdict] = []
    # A bare "X-Spam-Status: Yes" (Exim's own ACL, with no score) is a yes or no like the flag.
    for name in ("X-Spam-Flag", "X-Spam", "X-Spam-Status"):
        for field in _fields(message, name)[:1]:
            flag = _flag_value(field)
            if flag is None:
                continue
            trusted, why = _position_trust(field, boundary)
            verdicts.append(SpamFilterVerdict(
                filter=f"spam filter ({field.name})", header=field.name, header_index=field.index, spam=flag,
                score=None, threshold=None, summary="spam" if flag else "not spam",
                details=((field.name, field.value.strip()[:10], "the filter's yes or no"),), rules=(),
                trusted=trusted, trust_reason=why))
        if verdicts:
            break  # X-Spam-Flag and X-Spam from one filter say the same
    return verdicts


_yes_no = {"YES": True, "TRUE": True, "NO": False, "FALSE": False}


def _flag_value(field: HeaderField) -> bool | None:
    """A plain yes or no; other filters write their own formats under "X-Spam"."""
    return _yes_no.get(field.value.strip()[:10].upper())


def _bare_flag(message: Message) -> tuple[HeaderField, bool] | None:
    """The first plain yes or no of X-Spam-Flag, else X-Spam, else a bare X-Spam-Status ("Yes",
    as Exim's own ACLs write it), with its field."""
    for name in ("X-Spam-Flag", "X-Spam", "X-Spam-Status"):
        for field in _fields(message, name)[:1]:
            flag = _flag_value(field)
            if flag is not None:
                return field, flag
    return None


def _flag(message: Message) -> bool | None:
    """The first X-Spam-Flag's, else X-Spam's, yes or no."""
    for name in ("X-Spam-Flag", "X-Spam"):
        for field in _fields(message, name)[:1]:
            flag = _flag_value(field)
            if flag is not None:
                return flag
    return None


# -------------------------------------------------------- SpamAssassin through Exim, or alone


def _exim_spamassassin(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """Exim's ``X-Spam_score`` with its ``X-Spam_report`` (and ``X-Spam_bar``), one verdict per score field."""
    verdicts: list[SpamFilterVerdict] = []
    reports = _fields(message, "X-Spam_report")
    for field in _fields(message, "X-Spam_score"):
        text = field.value.strip()[:20]
        score = _number(text)
        if score is None:
            continue
        required: float | None = None
        rules: tuple[str, ...] = ()
        # The report written with this score: Exim adds it after the score.
        report = next((r for r in reports if r.index > field.index), None)
        if report is not None:
            match = _exim_report().match(" ".join(report.value[:_MAX_VALUE].split()))
            if match is not None:
                required = _number(match.group(2))
                names = (part.strip().partition("=")[0].strip() for part in match.group(3).split(","))
                rules = tuple(name[:100] for name in names if name and name.lower() != "none")[:_MAX_RULES]
        spam = score >= required if required is not None else None
        details = [("X-Spam_score", text, "points SpamAssassin's tests added up to")]
        if required is not None:
            details.append(("required", f"{required:g}", "the score from which it calls a message spam"))
        trusted, why = _position_trust(field, boundary)
        verdicts.append(SpamFilterVerdict(
            filter="SpamAssassin (Exim)", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=required, summary=_score_summary(spam, score, required), details=tuple(details),
            rules=rules, trusted=trusted, trust_reason=why))
    return verdicts


def _spamassassin_without_status(message: Message, boundary: Hop | None,
                                 _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """SpamAssassin's ``X-Spam-Report`` (score, required and the rules), else a lone ``X-Spam-Score``,
    where no ``X-Spam-Status`` says more; ``X-Spam-Flag`` gives the yes or no when present."""
    if message.all("X-Amavis-Spam-Status") or any(
            _spamassassin_status().match(" ".join(f.value[:_MAX_VALUE].split())) is not None
            for f in _fields(message, "X-Spam-Status")[:3]):
        return []  # the status with its score says more (a bare "Yes" says no more than the flag)
    bare = _bare_flag(message)
    flag = bare[1] if bare is not None else None
    table = _report_table(message)
    if table is not None:
        field, match, rules = table
        score, required = _number(match.group(1)), _number(match.group(2))
        spam = flag if flag is not None else (score >= required if score is not None and required is not None
                                              else False if field.name.lower() == "x-ham-report" else None)
        details = [("score", match.group(1)[:20], "points the tests added up to")]
        if match.group(2):
            details.append(("required", match.group(2)[:20], "the score from which it calls a message spam"))
        trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="SpamAssassin", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=required, summary=_score_summary(spam, score, required), details=tuple(details),
            rules=rules, trusted=trusted, trust_reason=why)]
    for field in _fields(message, "X-Spam-Score")[:1]:
        canit = _canit_score().match(field.value[:120])
        if canit is not None:
            # Roaring Penguin CanIt: "0.00 () [Hold at 5.00]": the score, the rules fired, and the
            # score at which it holds (or tags, rejects) a message.
            score, required = _number(canit.group(1)), _number(canit.group(4))
            rules = tuple(r for r in canit.group(2).replace(",", " ").split() if r)[:_MAX_RULES]
            spam = flag if flag is not None else (score >= required if score is not None and required is not None
                                                  else None)
            trusted, why = _position_trust(field, boundary)
            action = (canit.group(3) or "act").strip().lower()
            return [SpamFilterVerdict(
                filter="CanIt", header=field.name, header_index=field.index, spam=spam, score=score,
                threshold=required, summary=_score_summary(spam, score, required),
                details=(("score", canit.group(1), "points the rules added up to"),
                         ("threshold", canit.group(4), f"the score at which it would {action} the message")),
                rules=rules, trusted=trusted, trust_reason=why)]
        number = _number_text().match(field.value[:40])
        score = _number(number.group(1)) if number else None
        if score is None:
            continue  # "***** (5.1)" and other filters' formats: not a plain score
        details = [("X-Spam-Score", f"{score:g}", "the filter's score; the field states no threshold")]
        # The score states no threshold: the verdict is the yes or no beside it, so it is that
        # field's place that says whose verdict it is.
        anchor = field
        if bare is not None:
            anchor = bare[0]
            details.append((anchor.name, anchor.value.strip()[:10], "the filter's yes or no"))
        trusted, why = _position_trust(anchor, boundary)
        return [SpamFilterVerdict(
            filter=f"spam filter ({anchor.name})", header=anchor.name, header_index=anchor.index, spam=flag,
            score=score, threshold=None, summary=_score_summary(flag, score, None),
            details=tuple(details), rules=(), trusted=trusted, trust_reason=why)]
    return []


_canit_score = compiled_on_first_use(
    r"^\s*(-?\d{1,6}(?:\.\d{1,4})?)\s*\(([^()]{0,80})\)\s*\[([A-Za-z]{1,20} )?at\s+(-?\d{1,6}(?:\.\d{1,4})?)\]\s*$")


def _score_summary(spam: bool | None, score: float | None, required: float | None) -> str:
    if spam is None:
        return f"score {score:g}, no threshold written" if score is not None else "no verdict written"
    words = "spam" if spam else "not spam"
    if score is not None:
        words += f": score {score:g}" + (f" against {required:g} required" if required is not None else "")
    return words


# --------------------------------------------------------------------- Trend Micro, GMX/WEB.DE


def _trend_micro(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    results = _fields(message, "X-TM-AS-Result")[:1]
    engines = _fields(message, "X-TMASE-Result")[:1]
    if results and engines and _one_trend_micro_run(message, results[0], engines[0]):
        merged = _trend_micro_run(message, boundary, results[0], engines[0])
        if merged is not None:
            return [merged]
    verdicts: list[SpamFilterVerdict] = []
    for field in results:
        parsed = _trend_micro_as_result(field)
        if parsed is None:
            continue
        spam, numbers, trend_type = parsed
        verdicts.append(_trend_micro_verdict(message, field, boundary, spam, numbers, trend_type))
    for field in engines:
        numbers = _trend_micro_numbers().findall("-" + field.value.strip()[:200])
        if len(numbers) < 3:
            continue
        score, threshold = _number(numbers[1]), _number(numbers[2])
        engine_spam = score >= threshold if score is not None and threshold is not None else None
        verdicts.append(_trend_micro_verdict(message, field, boundary, engine_spam, numbers[1:], numbers[0]))
    return verdicts


def _trend_micro_as_result(field: HeaderField) -> tuple[bool, list[str], str | None] | None:
    """X-TM-AS-Result's yes or no, its numbers (score first) and its trend type, if written."""
    match = _trend_micro_result().match(field.value[:200])
    if match is None:
        return None
    numbers = _trend_micro_numbers().findall(match.group(2))
    # "Yes/No-score-threshold-category-type"; newer engines put the type first
    # ("No-10--2.483200-8.000000"): an integer followed by two decimals.
    trend_type = None
    if len(numbers) >= 3 and "." not in numbers[0] and "." in numbers[1] and "." in numbers[2]:
        trend_type, numbers = numbers[0], numbers[1:]
    elif len(numbers) >= 4:
        trend_type = numbers[3]
    return match.group(1).lower() == "yes", numbers, trend_type


def _trend_micro_version(value: str) -> tuple[str, ...]:
    """Product, product version and spam pattern version of X-TM-AS-Product-Ver or X-TMASE-Version
    ("SMEX-12.5.0.1300-8.5.1020-25264.003": Product Name - Product Version - Anti-Spam Engine
    Version - Spam Pattern Version, KA-0001462). The engine version is left out: IMSS writes it
    "9.0.0.1002" in one field and "9.0.1002" in the other for the same scan."""
    parts = value.strip()[:100].split("-")
    return (parts[0].upper(), parts[1], parts[-1]) if len(parts) >= 4 else ()


def _one_trend_micro_run(message: Message, result: HeaderField, engine: HeaderField) -> bool:
    """Whether X-TM-AS-Result and X-TMASE-Result come from one scan: ScanMail and IMSS write both,
    with the same product and pattern in X-TM-AS-Product-Ver and X-TMASE-Version; without those,
    when the two sit within one run of Trend Micro's fields."""
    product = [_trend_micro_version(f.value) for f in _fields(message, "X-TM-AS-Product-Ver")[:1]]
    engine_version = [_trend_micro_version(f.value) for f in _fields(message, "X-TMASE-Version")[:1]]
    if product and engine_version:
        return bool(product[0]) and product[0] == engine_version[0]
    low, high = sorted((result.index, engine.index))
    return high - low <= 12 and all(f.name.lower().startswith(("x-tm-", "x-tmase-", "x-imss-"))
                                    for f in message.headers[low:high + 1])


def _trend_micro_run(message: Message, boundary: Hop | None, result: HeaderField,
                     engine: HeaderField) -> SpamFilterVerdict | None:
    """One verdict for one scan that wrote both fields: the yes or no of X-TM-AS-Result, the
    score of X-TMASE-Result. ScanMail 12.5 writes X-TM-AS-Result as "No-3.849000-8.000000-10"
    beside "X-TMASE-Result: 10--3.849000-8.000000" for the same scan: the first loses the sign
    that Trend Micro's two-dash form gives a negative score in the second (KA-0001462 and the
    Email Security help: "10--5.534000-4.000000": the score is -5.534)."""
    parsed = _trend_micro_as_result(result)
    numbers = _trend_micro_numbers().findall("-" + engine.value.strip()[:200])
    if parsed is None or len(numbers) < 3:
        return None
    spam, as_numbers, as_type = parsed
    verdict = _trend_micro_verdict(message, result, boundary, spam, numbers[1:], numbers[0] or as_type)
    details = [*verdict.details, ("X-TMASE-Result", " ".join(engine.value.split())[:60],
                                  "the anti-spam engine's result of the same scan (type, score, threshold): the score "
                                  "shown is this one, where two dashes mark a negative score")]
    as_score = _number(as_numbers[0]) if as_numbers else None
    if as_score is not None and verdict.score is not None and as_score != verdict.score:
        same = abs(as_score) == abs(verdict.score)
        details.append(("X-TM-AS-Result score", as_numbers[0][:20],
                        "the same score without its sign (X-TM-AS-Result of this scan drops it)" if same else
                        "X-TM-AS-Result's score for the first rule applied; the engine's is shown"))
    return dataclasses.replace(verdict, details=tuple(details))


# X-TM-AS-User-Approved-Sender and -Blocked-Sender: the Approved and Blocked Senders lists
# (KA-0001462): "If matched, the message will not be considered a spam"; a blocked sender's is
# reported as spam. IMSS writes one value per rule ("No;No").
_TM_SENDER_LISTS = (("X-TM-AS-User-Approved-Sender", "on the Approved Senders list: not considered spam, whatever "
                                                    "the score (an allow list, not a judgement of the content)"),
                    ("X-TM-AS-User-Blocked-Sender", "on the Blocked Senders list: reported as spam"))


def _trend_micro_verdict(message: Message, field: HeaderField, boundary: Hop | None, spam: bool | None,
                         numbers: list[str], trend_type: str | None) -> SpamFilterVerdict:
    score = _number(numbers[0]) if numbers else None
    threshold = _number(numbers[1]) if len(numbers) > 1 else None
    details = []
    if score is not None:
        details.append(("score", numbers[0], "the anti-spam engine's score"))
    if threshold is not None:
        details.append(("threshold", numbers[1], "the score from which the policy calls it spam"))
    if trend_type in _trend_micro_type:
        details.append(("type", trend_type, _trend_micro_type[trend_type]))
    listed = []
    for name, meaning in _TM_SENDER_LISTS:
        for list_field in _fields(message, name)[:1]:
            if "yes" in (v.strip().lower() for v in list_field.value[:100].split(";")):
                details.append((list_field.name, "Yes", f"the sender is {meaning}"))
                listed.append("the sender is on the " + ("Approved" if "Approved" in name else "Blocked") +
                              " Senders list")
    trusted, why = _position_trust(field, boundary)
    summary = _score_summary(spam, score, threshold).replace(" required", " to flag")
    if listed:
        summary += "; " + "; ".join(listed)
    return SpamFilterVerdict(
        filter="Trend Micro", header=field.name, header_index=field.index, spam=spam, score=score,
        threshold=threshold, summary=summary, details=tuple(details), rules=(), trusted=trusted, trust_reason=why)


def _united_internet(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """GMX, WEB.DE and mail.com: ``X-UI-Filterresults: junk:10;V03:K0:...`` (and the same value in
    their newer ``UI-InboundReport``, the sending side's in ``X-UI-Out-Filterresults`` and
    ``UI-OutboundReport``); the rest is opaque."""
    verdicts: list[SpamFilterVerdict] = []
    for name in ("X-UI-Filterresults", "UI-InboundReport", "X-UI-Out-Filterresults", "UI-OutboundReport"):
        for field in _fields(message, name)[:1]:
            label = field.value.strip()[:40].split(";", 1)[0].partition(":")[0].strip().lower()
            if label not in ("junk", "notjunk", "unknown"):
                continue
            spam = {"junk": True, "notjunk": False}.get(label)
            if name in ("X-UI-Out-Filterresults", "UI-OutboundReport"):
                trusted, why = False, ("the sending account's outbound scan at GMX, WEB.DE or mail.com; it says "
                                       "nothing of the recipient's filtering")
            else:
                trusted, why = _position_trust(field, boundary)
            verdicts.append(SpamFilterVerdict(
                filter="GMX / WEB.DE", header=field.name, header_index=field.index, spam=spam, score=None,
                threshold=None, summary={"junk": "spam (junk)", "notjunk": "not spam (notjunk)"}.get(
                    label, "no verdict (unknown)"),
                details=((field.name, label, "the filter's class: junk, notjunk or unknown"),), rules=(),
                trusted=trusted, trust_reason=why))
    return verdicts


# ----------------------------------------------------------- SpamExperts (Mail Assure), Kaspersky


_SPAMEXPERTS_CLASS = {"ham": False, "spam": True, "unsure": None}


def _spamexperts(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """SpamExperts and its resellers' brands: ``X-<brand>-Class`` (ham, unsure or spam) beside
    ``X-<brand>-Evidence`` (the classifier and its spam probability) and ``X-Recommended-Action``."""
    verdicts: list[SpamFilterVerdict] = []
    names = {field.name.lower() for field in message.headers[:400]}
    actions = _fields(message, "X-Recommended-Action")
    action = " ".join(actions[0].value.split())[:40].lower() if actions else None
    for field in message.headers[:400]:
        lower = field.name.lower()
        if not (lower.startswith("x-") and lower.endswith("-class")):
            continue
        brand = lower[:-len("-class")]
        label = field.value.strip()[:20].lower()
        if label not in _SPAMEXPERTS_CLASS or (
                f"{brand}-evidence" not in names and not brand.startswith("x-spamexperts")):
            continue  # another product's "-Class" field (X-LinkedIn-Class: EMAIL_REPORTS)
        evidence = next((f for f in _fields(message, f"{brand}-evidence") if f.index > field.index), None)
        probability = _spamexperts_evidence().search(evidence.value[:200]) if evidence is not None else None
        score = _number(probability.group(1)) if probability else None
        spam = _SPAMEXPERTS_CLASS[label]
        if action == "reject":
            spam = True
        details = [(field.name, label, "the classification: ham, unsure or spam")]
        if evidence is not None:
            details.append((evidence.name, " ".join(evidence.value.split())[:80],
                            "the classifier that decided and its spam probability (0 to 1)"))
        if action is not None:
            details.append(("X-Recommended-Action", action, "what the filter told the mail server to do"))
        if brand.endswith("-outgoing"):
            trusted, why = False, ("the sending host's outbound scan (SpamExperts at a hosting provider); it says "
                                   "nothing of the recipient's filtering")
        else:
            trusted, why = _position_trust(field, boundary)
        summary = {"ham": "not spam (ham)", "spam": "spam", "unsure": "unsure"}[label] + \
            (f", spam probability {score:g}" if score is not None else "") + (f", action: {action}" if action else "")
        verdicts.append(SpamFilterVerdict(
            filter="SpamExperts", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=None, summary=summary, details=tuple(details), rules=(), trusted=trusted, trust_reason=why))
        if len(verdicts) >= 3:
            break
    return verdicts


# Kaspersky's statuses (its user guide's table of X-KLMS-AntiSpam-Status values).
_KASPERSKY_STATUS = {
    "spam": (True, "spam"),
    "probable_spam": (True, "probably spam"),
    "blacklisted": (True, "the sender is on the block list"),
    "not_detected": (False, "not spam"),
    "trusted": (False, "the sender is on the allow list, or anti-spam is off for the recipient"),
    "formal": (None, "a formal message: an automatic notice of a mail server"),
}


def _kaspersky(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """``X-KSMG-AntiSpam-Status: not_detected`` with ``X-KSMG-AntiSpam-Rate: 0`` (KLMS alike)."""
    verdicts: list[SpamFilterVerdict] = []
    for name in _KASPERSKY_STATUS_FIELDS:
        for field in _fields(message, name)[:1]:
            status = field.value.strip()[:40].lower()
            if status.startswith("not scanned"):
                continue  # "not scanned, disabled by settings": no verdict to show
            if status not in _KASPERSKY_STATUS:
                continue
            spam, meaning = _KASPERSKY_STATUS[status]
            prefix = name[:-len("-Status")]
            rates = _fields(message, f"{prefix}-Rate")
            score = _number(rates[0].value.strip()[:20]) if rates else None
            details = [(field.name, status, meaning)]
            if score is not None:
                details.append((rates[0].name, f"{score:g}", "the anti-spam module's rating"))
            trusted, why = _position_trust(field, boundary)
            verdicts.append(SpamFilterVerdict(
                filter="Kaspersky", header=field.name, header_index=field.index, spam=spam, score=score,
                threshold=None, summary=meaning + (f", rate {score:g}" if score is not None else ""),
                details=tuple(details), rules=(), trusted=trusted, trust_reason=why))
    return verdicts


# Mimecast's spam score: the higher, the more spam-like; at 28 or more Mimecast rejects the
# message during the SMTP session, whatever the policy (its "Message Insight - Spam Score" page).
# Below that, whether it is held depends on the recipient's Spam Scanning policy level.
_MIMECAST_REJECT_SCORE = 28.0


def _mimecast(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """``X-Mimecast-Spam-Score: 1``, with the hits of ``X-Mimecast-Impersonation-Protect``
    ("Policy=...;Similar Internal Domain=false;Newly Observed Domain=true;...") and the
    ``X-Mimecast-Spam-Signature`` and ``X-Mimecast-Bulk-Signature`` it writes beside them. A message
    Mimecast handles twice (an organisation's inbound and then its outbound gateway) carries two
    runs of its fields, each written at its own pass: one verdict per run."""
    verdicts: list[SpamFilterVerdict] = []
    for block in _mimecast_runs(message)[:3]:
        by_name: dict[str, HeaderField] = {}
        for field in block:
            by_name.setdefault(field.name.lower(), field)
        score_field = by_name.get("x-mimecast-spam-score")
        score = _number(score_field.value.strip()[:20]) if score_field is not None else None
        signatures = [by_name[name] for name in ("x-mimecast-spam-signature", "x-mimecast-bulk-signature")
                      if name in by_name and by_name[name].value.strip()]
        if score is None and not signatures:
            continue
        anchor = score_field if score is not None and score_field is not None else signatures[0]
        details: list[tuple[str, str, str]] = []
        if score is not None:
            details.append(("X-Mimecast-Spam-Score", f"{score:g}", "higher is more spam-like; from 28 Mimecast rejects "
                                                                  "the message outright, below that the policy level "
                                                                  "decides"))
        # Mimecast documents neither signature field: shown as written, no verdict read from them
        # (real list mail with no spam about it carries "X-Mimecast-Spam-Signature: yes").
        for field in signatures:
            details.append((field.name, " ".join(field.value.split())[:40], "as written; Mimecast does not document "
                                                                            "this field"))
        hits: list[str] = []
        for protect in [f for f in block if f.name.lower() == "x-mimecast-impersonation-protect"][:4]:
            for part in " ".join(protect.value[:_MAX_VALUE].split()).split(";"):
                name, equals, value = part.partition("=")
                if equals and value.strip().lower() == "true" and name.strip().lower() != "policy":
                    hits.append(name.strip()[:60])
        if hits:
            details.append(("X-Mimecast-Impersonation-Protect", ", ".join(dict.fromkeys(hits)),
                            "impersonation checks that matched"))
        trusted, why = _position_trust(anchor, boundary)
        words = [f"spam score {score:g}"] if score is not None else ["no spam score"]
        words += [f"{f.name.removeprefix('X-Mimecast-').removeprefix('x-mimecast-')}: "
                  f"{' '.join(f.value.split())[:20]}" for f in signatures]
        summary = "; ".join(words) + (f"; impersonation: {', '.join(dict.fromkeys(hits))}" if hits else "")
        verdicts.append(SpamFilterVerdict(
            filter="Mimecast", header=anchor.name, header_index=anchor.index,
            spam=True if score is not None and score >= _MIMECAST_REJECT_SCORE else None, score=score,
            threshold=_MIMECAST_REJECT_SCORE if score is not None else None, summary=summary[:300],
            details=tuple(details), rules=(), trusted=trusted, trust_reason=why))
    return verdicts


def _mimecast_runs(message: Message) -> list[list[HeaderField]]:
    """The runs of consecutive X-Mimecast-* fields: each pass through Mimecast writes its own."""
    runs: list[list[HeaderField]] = []
    previous = -2
    for field in message.headers[:400]:
        if not field.name.lower().startswith("x-mimecast-"):
            continue
        if field.index == previous + 1 and runs:
            runs[-1].append(field)
        else:
            runs.append([field])
        previous = field.index
    return runs


# MailEnable: its "Mark as spam" filter action adds "X-ME-Content: Deliver-To=Junk", and the mailbox
# then files the message in its Junk E-Mail folder (when the post office delivers junk there):
# https://www.mailenable.com/kb/content/article.asp?ID=ME020529 and
# http://www.mailenable.com/documentation/9.0/Enterprise/Postoffice_-_Feature_selection.html; its spam
# protection rates a message "X-ME-Spam: Low", "Medium" or "High" (written from the low level on),
# and the mailbox's own setting decides what each level does:
# http://www.mailenable.com/documentation/9.0/Professional/spam%20protection.html
_mailenable_junk = compiled_on_first_use(r"(?:^|;)\s{0,5}Deliver-To\s{0,5}=\s{0,5}Junk\s{0,5}(?:;|$)", re.IGNORECASE)
_MAILENABLE_LEVELS = ("low", "medium", "high")


def _mailenable(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """MailEnable's ``X-ME-Content: Deliver-To=Junk`` (marked as spam, for the Junk E-Mail folder),
    with its ``X-ME-Spam`` level beside it."""
    levels = [f for f in _fields(message, "X-ME-Spam")[:1] if f.value.strip()[:10].lower() in _MAILENABLE_LEVELS]
    details = [(f.name, f.value.strip()[:10], "MailEnable's spam protection rating (Low, Medium or High); the "
                                              "mailbox's setting decides what each level does") for f in levels]
    for field in _fields(message, "X-ME-Content")[:1]:
        if _mailenable_junk().search(field.value[:200]) is None:
            continue
        trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="MailEnable", header=field.name, header_index=field.index, spam=True, score=None, threshold=None,
            summary="marked as spam: for the Junk E-Mail folder (Deliver-To=Junk)" + (
                f"; rated {levels[0].value.strip()[:10]}" if levels else ""),
            details=((field.name, " ".join(field.value.split())[:60],
                      "a filter's Mark as spam action: the mailbox files it in its Junk E-Mail folder"), *details),
            rules=(), trusted=trusted, trust_reason=why)]
    for field in levels:
        trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="MailEnable", header=field.name, header_index=field.index, spam=None, score=None, threshold=None,
            summary=f"spam protection rating {field.value.strip()[:10]} (the mailbox's setting decides what it does)",
            details=tuple(details), rules=(), trusted=trusted, trust_reason=why)]
    return []


# Proton Mail's X-Pm-Spam-Action words: (spam, the words for it). Proton documents none; "inbox"
# and "spam" are in real deliveries (tests/test_spamfilters.py), "phishing" beside "X-Spam: Yes" in
# a write-up of a real Proton-delivered phish ("X-Pm-Spam-Action: phishing: Marked malicious",
# verification V44g). Where Proton files a phishing message is not shown, so it is not said.
_PROTON_ACTIONS = {
    "inbox": (False, "delivered to the inbox"),
    "spam": (True, "delivered to the spam folder"),
    "phishing": (True, "classed as phishing"),
}


def _proton(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """Proton Mail's delivery decision, ``X-Pm-Spam-Action: inbox`` (or ``spam``, ``phishing``),
    with its score ``X-Pm-Spamscore``: where the mailbox put the message, whatever its rspamd said."""
    verdicts: list[SpamFilterVerdict] = []
    for field in _fields(message, "X-Pm-Spam-Action")[:1]:
        action = field.value.strip()[:40]
        if not action:
            continue
        score = next((_number(f.value.strip()[:20]) for f in _fields(message, "X-Pm-Spamscore")[:1]), None)
        lowered = action.lower()
        details = [("X-Pm-Spam-Action", action, "where Proton delivered it: the inbox, or the spam folder"
                    if lowered in ("inbox", "spam") else "Proton's decision: inbox, spam, or phishing")]
        if score is not None:
            details.append(("X-Pm-Spamscore", f"{score:g}", "Proton's spam score"))
        trusted, why = _position_trust(field, boundary)
        queue_id = _rspamd_queue_id(message)
        stamps = _fields(message, "X-Rspamd-Queue-Id")
        if not trusted and boundary is not None and stamps and stamps[0].index < field.index \
                and _stamps_receivers_queue(queue_id, boundary):
            # Proton appends its action after its rspamd's stamp of the receiving side's queue id,
            # which a sender cannot know before it connects (as for the rspamd verdict).
            trusted, why = True, (f"written after X-Rspamd-Queue-Id {queue_id}, the queue id the receiving side's "
                                  f"Received (hop {boundary.number}) gave this message: Proton's own decision")
        spam, words = _PROTON_ACTIONS.get(lowered, (None, f"action {action}"))
        verdicts.append(SpamFilterVerdict(
            filter="Proton", header=field.name, header_index=field.index,
            spam=spam, score=score, threshold=None,
            summary=(words + (f" (spam score {score:g})" if score is not None else ""))[:300],
            details=tuple(details), rules=(), trusted=trusted, trust_reason=why))
    return verdicts


# iCloud Mail's delivery decision. Apple documents none of its fields; what is certain is the
# folder written: "X-Apple-MoveToFolder: INBOX" (or "Junk") and "X-Apple-Action:
# MOVE_TO_FOLDER/INBOX" ("JUNK/Junk", "CLXJUNK/Junk"), the action and, after the slash, the
# folder. Its gateway writes them directly below its own Received, with "X-Apple-UUID" repeating
# that Received's "with SMTP id": the id the receiving side gave this delivery, which a sender
# cannot know before it connects (as rspamd's X-Rspamd-Queue-Id, see _stamps_receivers_queue).
# X-ICL-SCORE is shown as written: Apple publishes neither its scale nor a threshold, so no
# verdict is read from it.
_APPLE_FOLDERS = {"inbox": False, "junk": True}


def _icloud(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """iCloud's folder, from ``X-Apple-Action`` (else ``X-Apple-MoveToFolder``), with ``X-ICL-SCORE``."""
    actions = _fields(message, "X-Apple-Action")[:1]
    folders = _fields(message, "X-Apple-MoveToFolder")[:1]
    scores = _fields(message, "X-ICL-SCORE")[:1]
    field = (actions or folders)[0] if actions or folders else None
    score_text = scores[0].value.strip()[:30] if scores else ""
    score = _number(score_text)
    if field is None:
        if score is None:
            return []
        trusted, why = _position_trust(scores[0], boundary)
        return [SpamFilterVerdict(
            filter="iCloud", header=scores[0].name, header_index=scores[0].index, spam=None, score=score,
            threshold=None, summary=f"score {score:g}, no folder written (Apple publishes no threshold)",
            details=((scores[0].name, score_text, "iCloud's score as written; Apple publishes neither its scale nor "
                                                  "a threshold"),), rules=(), trusted=trusted, trust_reason=why)]
    value = " ".join(field.value.split())[:60]
    action, slash, folder = value.partition("/") if field.name.lower() == "x-apple-action" else ("", "", value)
    folder = folder.strip() if slash or not action else ""
    if not folder and folders:
        folder = " ".join(folders[0].value.split())[:40]
    spam = _APPLE_FOLDERS.get(folder.lower())
    details = [(f.name, " ".join(f.value.split())[:60], meaning) for f, meaning in (
        *((a, "iCloud's action and, after the slash, the folder it moved the message to") for a in actions),
        *((f, "the folder iCloud delivered it to") for f in folders))]
    trusted, why = _position_trust(field, boundary)
    uuid = next((f.value.strip()[:64] for f in _fields(message, "X-Apple-UUID")[:1]), None)
    if not trusted and boundary is not None and _stamps_receivers_queue(uuid, boundary):
        trusted, why = True, (f"X-Apple-UUID {uuid} is the id the receiving side's Received (hop {boundary.number}) "
                              "gave this delivery, which no sender knows before it connects: iCloud's own decision")
    shown_only = ""
    if score is not None:
        meaning = "iCloud's score as written; Apple publishes neither its scale nor a threshold"
        if trusted and not _position_trust(scores[0], boundary)[0]:
            # The folder is the receiver's; a score below the boundary's Received may be an
            # earlier server's or the sender's, so it is shown beside it, not taken as its score.
            meaning += ("; it sits below the receiving side's Received, where an earlier server could have written "
                        "it too: shown, not relied on")
            score, shown_only = None, f"; {scores[0].name} {score_text} (not relied on)"
        details.append((scores[0].name, score_text, meaning))
    where = {"inbox": "the Inbox", "junk": "the Junk folder"}.get(folder.lower(), f"the folder {folder}" if folder
                                                                  else "no folder named")
    summary = f"delivered to {where}" + (f" ({action})" if action else "") + (
        f"; score {score:g} (no published threshold)" if score is not None else shown_only)
    return [SpamFilterVerdict(
        filter="iCloud", header=field.name, header_index=field.index, spam=spam, score=score, threshold=None,
        summary=summary[:300], details=tuple(details), rules=(), trusted=trusted, trust_reason=why)]


def _gmail_labels(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """Google Takeout's ``X-Gmail-Labels``: Spam (Gmail's spam folder) or Inbox, among the others."""
    verdicts: list[SpamFilterVerdict] = []
    for field in _fields(message, "X-Gmail-Labels")[:1]:
        labels = gmail_labels(field.value)[:30]
        lowered = {label.casefold() for label in labels}
        if "spam" in lowered:  # "Spam" in English and French exports alike (folders.gmail_labels)
            spam, summary = True, "in the Spam label (Gmail's spam folder) when the mailbox was exported"
        elif "inbox" in lowered or "boîte de réception" in lowered:
            spam, summary = False, "in the Inbox when the mailbox was exported"
        else:
            continue  # sent, archived or a draft: no word on spam
        trusted, why = _position_trust(field, boundary)
        verdicts.append(SpamFilterVerdict(
            filter="Gmail (Takeout labels)", header=field.name, header_index=field.index, spam=spam, score=None,
            threshold=None, summary=summary,
            details=((field.name, ", ".join(labels)[:200],
                      "the message's labels in the mailbox: Gmail's filter or its owner put it there"),),
            rules=(), trusted=trusted, trust_reason=why))
    return verdicts


def _google_scan(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """Google's own scan of a message its servers handle (Gmail, Google Workspace): ``X-Gm-Spam``
    and ``X-Gm-Phishy``, 0 or 1 each."""
    spam_fields = _fields(message, "X-Gm-Spam")[:1]
    phishy_fields = _fields(message, "X-Gm-Phishy")[:1]
    if not spam_fields and not phishy_fields:
        return []
    values = {f.name: f.value.strip()[:4] for f in (*spam_fields, *phishy_fields)}
    flags = {name: value == "1" for name, value in values.items() if value in ("0", "1")}
    if not flags:
        return []
    field = (spam_fields or phishy_fields)[0]
    spam = any(flags.values())
    words = [f"{name} {values[name]}" for name in flags]
    summary = ("spam or phishing" if spam else "neither spam nor phishing") + f" ({', '.join(words)})"
    trusted, why = _position_trust(field, boundary)
    return [SpamFilterVerdict(
        filter="Google", header=field.name, header_index=field.index, spam=spam, score=None, threshold=None,
        summary=summary, details=tuple((name, values[name], "Google's own scan: 1 when it judged the message so")
                                       for name in flags),
        rules=(), trusted=trusted, trust_reason=why)]


def _cut_at_part(summary: str, limit: int) -> str:
    """The summary's first parts ("; "-separated) that fit in ``limit`` characters, "…" after a cut."""
    if len(summary) <= limit:
        return summary
    kept = ""
    for part in summary.split("; "):
        candidate = f"{kept}; {part}" if kept else part
        if len(candidate) > limit - 2:
            break
        kept = candidate
    return (kept or summary[:limit - 2]) + " …"


def _flagged(verdict: SpamFilterVerdict) -> Finding:
    return Finding(
        id="spam.flagged", severity=Severity.WARNING,
        title=f"{verdict.filter} judged it spam ({_cut_at_part(verdict.summary, 120)})",
        explanation=(f"{verdict.header} ({header_ref(verdict.header_index)}): {verdict.summary}. The receiver's "
                     f"own verdict: {verdict.trust_reason}. Spam filters weigh the authentication results (DKIM, "
                     "SPF, DMARC) with the sender's reputation and the content; the authentication section shows "
                     "whether they passed."),
        reference=_MICROSOFT_DOCS if verdict.filter in ("Microsoft 365", "Exchange Server") else _RFC8601_TRUST,
        subject=header_ref(verdict.header_index),
    )


# ------------------------------------------------------------- Sophos PureMessage, MailScanner


def _pure_message(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """Sophos PureMessage: ``Gauge=XIIIIIII, Probability=17%, Report='RULE score, ...'``; its
    default policy treats a probability of 50% and above as spam
    (https://pmx.sophos.com/webhelp/pmx/concepts/MgrPolSnippetsDetectSpam.html)."""
    verdicts: list[SpamFilterVerdict] = []
    for field in _fields(message, "X-PerlMx-Spam")[:1]:
        value = " ".join(field.value[:_MAX_VALUE].split())
        probability = _pure_message_probability().search(value)
        score = _number(probability.group(1)) if probability else None
        if score is None:
            continue
        report = _pure_message_report().search(value)
        rules = tuple(part.strip().rsplit(" ", 1)[0][:100] for part in (report.group(1).split(",") if report else ())
                      if part.strip())[:_MAX_RULES]
        spam = score >= 50
        trusted, why = _position_trust(field, boundary)
        verdicts.append(SpamFilterVerdict(
            filter="Sophos PureMessage", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=50.0, summary=f"{'spam' if spam else 'not spam'}: {score:g}% spam probability "
                                    "(the default policy calls 50% and above spam)",
            details=(("Probability", f"{score:g}%", "how likely PureMessage judged it to be spam"),),
            rules=rules, trusted=trusted, trust_reason=why))
    return verdicts


def _mailscanner(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """MailScanner: ``not spam (whitelisted), SpamAssassin (not cached, score=-1.9, required 5,
    autolearn=ham, RULE -1.90, ...)`` in a field named after the site."""
    verdicts: list[SpamFilterVerdict] = []
    for field in message.headers[:200]:
        if not field.name.lower().endswith(_MAILSCANNER_SUFFIX):
            continue
        value = " ".join(field.value[:_MAX_VALUE].split())
        match = _mailscanner_check().match(value)
        if match is None:
            continue
        spam = match.group(1).lower() == "spam"
        score, required = _number(match.group(3)), _number(match.group(4))
        rules = tuple(m.group(1) for m in (_mailscanner_rule().match(part) for part in match.group(5).split(","))
                      if m)[:_MAX_RULES]
        trusted, why = _position_trust(field, boundary)
        summary = _score_summary(spam, score, required)
        details = [("score", match.group(3)[:20], "points SpamAssassin's tests added up to"),
                   ("required", match.group(4)[:20], "the score from which it calls a message spam")]
        listed = (match.group(2) or "").lower()
        if listed:
            details.append((listed, "yes", _MAILSCANNER_LISTS[listed]))
            overridden = score is not None and required is not None and (score >= required) != spam
            summary = f"{'spam' if spam else 'not spam'} ({listed}: " + (
                "the sender is on the site's allow list" if listed == "whitelisted" else
                "the sender is on the site's block list") + (
                f"; SpamAssassin's score {score:g} against {required:g} required would have called it "
                f"{'not spam' if spam else 'spam'}" if overridden and score is not None and required is not None
                else f"; score {score:g}" if score is not None else "") + ")"
        verdicts.append(SpamFilterVerdict(
            filter="MailScanner", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=required, summary=summary, details=tuple(details), rules=rules, trusted=trusted,
            trust_reason=why))
        if len(verdicts) >= 3:
            break
    return verdicts


_MAILSCANNER_VIRUS_FILTER = "MailScanner (virus scan)"
_MAILSCANNER_INFECTED = frozenset(word for word, (infected, _) in _MAILSCANNER_VIRUS.items() if infected)
_MAILSCANNER_DOCS = "https://github.com/MailScanner/v5/blob/master/common/etc/MailScanner/MailScanner.conf"


def _mailscanner_virus(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """MailScanner's virus scan: ``X-<org>-MailScanner: Found to be infected`` (a scan note, no
    spam verdict; its spam verdict is the -SpamCheck field's)."""
    found: list[tuple[HeaderField, str, tuple[bool, str]]] = []
    for field in message.headers[:200]:
        name = field.name.lower()
        if not (name.endswith(_MAILSCANNER_VIRUS_SUFFIX) or name == "x-mailscanner"):
            continue
        value = " ".join(field.value[:_MAX_VALUE].split())
        known = _MAILSCANNER_VIRUS.get(value.lower().rstrip("."))
        if known is not None:
            found.append((field, value, known))
    # Every such field is read, and an infected one is the one told: a "clean" field of the
    # sender's never hides the receiver's "infected" (verification V15 F1).
    for field, value, known in sorted(found, key=lambda item: not item[2][0])[:1]:
        trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter=_MAILSCANNER_VIRUS_FILTER, header=field.name, header_index=field.index, spam=None, score=None,
            threshold=None, summary=f"virus scan: {known[1]}; no spam verdict written",
            details=((field.name, value[:40], "MailScanner's virus scan result, in its default words"),), rules=(),
            trusted=trusted, trust_reason=why)]
    return []


def _infected(verdict: SpamFilterVerdict) -> Finding:
    """The receiver's MailScanner found a virus: what the reader has is its copy, with the infected
    attachment replaced by a warning (MailScanner's default), so the body changed in transit."""
    return Finding(
        id="spam.virus_found", severity=Severity.WARNING,
        title=f"MailScanner found a virus ({verdict.details[0][1]})",
        explanation=(f"{verdict.header} ({header_ref(verdict.header_index)}): {verdict.summary}. The receiver's "
                     f"own verdict: {verdict.trust_reason}. By default MailScanner replaces an infected "
                     "attachment with a text file holding its warning, so the body is most likely not the one the "
                     "sender wrote, and a DKIM signature over it no longer matches; what was removed cannot be "
                     "seen here."),
        reference=_MAILSCANNER_DOCS, subject=header_ref(verdict.header_index))


# Sophos's anti-spam engine (SASI, the Sophos Anti-Spam Interface of its SDK, in the Sophos Email
# Appliance and others): "X-SASI-SpamProbability: 9%" and "X-SASI-Hits: RULE weight, ...". The
# engine "is set, by default, to recognize spam at or above a 50% threshold":
# http://pmdocs.sophos.com/ase/webhelp/ase/concepts/SpamProbabilities-Filtering.html. Sophos
# documents neither its rules nor X-Sophos-OBS (shown as written); a hit named OUTBOUND (or
# OUTBOUND_SOPHOS) says by its name that it scanned the message as outgoing mail, and is used
# only to keep the verdict from counting as the receiver's, never to trust it.
_SASI_DEFAULT_THRESHOLD = 50.0
_sasi_probability = compiled_on_first_use(r"^\s{0,5}(\d{1,3}(?:\.\d{1,6})?)\s{0,3}%")
_sasi_hit = compiled_on_first_use(r"^\s{0,5}([A-Za-z0-9_]{1,100})\s{1,5}-?\d{1,6}(?:\.\d{1,9})?\s{0,5}$")


def _sophos_sasi(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """``X-SASI-SpamProbability: 9%`` with its ``X-SASI-Hits``."""
    for field in _fields(message, "X-SASI-SpamProbability")[:1]:
        match = _sasi_probability().match(field.value[:40])
        score = _number(match.group(1)) if match else None
        if score is None:
            continue
        hits = [f for f in _fields(message, "X-SASI-Hits")[:1]]
        rules = tuple(m.group(1) for m in (_sasi_hit().match(part) for part in
                                           " ".join(hits[0].value[:_MAX_VALUE].split()).split(",")[:_MAX_RULES])
                      if m) if hits else ()
        spam = score >= _SASI_DEFAULT_THRESHOLD
        details = [(field.name, f"{score:g}%", "how likely Sophos's engine judged it to be spam; it calls 50% and above "
                                               "spam by default")]
        details += [(f.name, " ".join(f.value.split())[:40], "as written; Sophos does not document this field")
                    for f in _fields(message, "X-Sophos-OBS")[:1]]
        outbound = any(rule.upper() in ("OUTBOUND", "OUTBOUND_SOPHOS") for rule in rules)
        if outbound:
            trusted, why = False, ("its hits include a rule named OUTBOUND: by that name, Sophos scanned it as "
                                   "outgoing mail, the sending side's scan; it says nothing of the recipient's "
                                   "filtering")
        else:
            trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="Sophos", header=field.name, header_index=field.index, spam=spam, score=score,
            threshold=_SASI_DEFAULT_THRESHOLD,
            summary=f"{'spam' if spam else 'not spam'}: {score:g}% spam probability (the engine's default calls 50% "
                    "and above spam)" + ("; its hits include OUTBOUND (by that rule's name, a scan of outgoing mail)"
                                        if outbound else ""),
            details=tuple(details), rules=rules, trusted=trusted, trust_reason=why)]
    return []


# Hornetsecurity (formerly antispameurope) writes X-cloud-security-* fields; it documents none of
# them, so only the words that are certain are read: the virus scan's result as written
# ("X-cloud-security-Virusscan:CLEAN"), the archive type ("X-cloud-security-Mailarchivtype:outbound",
# the sending side's mail), and the host its disclaimer names ("This E-Mail was scanned by
# E-Mailservice on mx-relay13-hz2.antispameurope.com with ..."), which ties the fields to its hop.
_hornet_scanned_on = compiled_on_first_use(r"\bscanned by .{0,60}?\bon\s{1,5}([A-Za-z0-9][A-Za-z0-9.-]{0,252})")


def _hornetsecurity(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """Hornetsecurity's ``X-cloud-security-Virusscan``: a scan note, no spam verdict."""
    for field in _fields(message, "X-cloud-security-Virusscan")[:1]:
        result = " ".join(field.value.split())[:40]
        if not result:
            continue
        archive = next((" ".join(f.value.split())[:20].lower() for f in
                        _fields(message, "X-cloud-security-Mailarchivtype")[:1]), "")
        details = [(field.name, result, "Hornetsecurity's virus scan result, as written")]
        if archive:
            details.append(("X-cloud-security-Mailarchivtype", archive, "the direction it archived the message in"))
        if archive == "outbound":
            trusted, why = False, ("X-cloud-security-Mailarchivtype: outbound: the sending organisation's "
                                   "Hornetsecurity scanned it on the way out; it says nothing of the recipient's "
                                   "filtering")
        else:
            trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="Hornetsecurity", header=field.name, header_index=field.index, spam=None, score=None,
            threshold=None, summary=f"virus scan: {result}; no spam verdict written" + (
                f" ({archive} mail)" if archive in ("inbound", "outbound") else ""),
            details=tuple(details), rules=(), trusted=trusted, trust_reason=why)]
    return []


def _proofpoint_essentials(message: Message, boundary: Hop | None,
                           _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """``X-Virus-Scanned: Proofpoint Essentials engine``: Proofpoint Essentials scanned it; it
    writes no verdict there (its spam fields, when present, are X-Proofpoint-Spam-Details')."""
    for field in _fields(message, "X-Virus-Scanned")[:3]:
        if not " ".join(field.value.split())[:60].lower().startswith("proofpoint essentials"):
            continue
        trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="Proofpoint Essentials", header=field.name, header_index=field.index, spam=None, score=None,
            threshold=None, summary="scanned by Proofpoint Essentials; no verdict written",
            details=((field.name, " ".join(field.value.split())[:60], "the scanner that passed it"),), rules=(),
            trusted=trusted, trust_reason=why)]
    return []


# eleven's eXpurgate categories (http://www.eleven-security.com/e-mail-categorization.html): the
# main category decides; a sub-category (bulk.advertising, clean.bounce) is shown with it.
_EXPURGATE = {
    "clean": (False, "no suspicious features (a message from one sender to one or a few recipients)"),
    "bulk": (False, "legitimate mass mail such as a newsletter, not spam"),
    "spam": (True, "spam or phishing"),
    "suspect": (None, "suspected of being spam or bulk mail"),
    "dangerous": (None, "potentially dangerous content (executable code or attachments, a virus); no spam verdict"),
}
# By (category, sub-category): bulk.advertising is ("bulk", "advertising").
_EXPURGATE_SUB = {
    ("bulk", "advertising"): "advertising that is not typical spam", ("bulk", "porn"): "pornographic mass mail, not spam",
    ("clean", "bounce"): "a bounce (returned to its sender after a delivery error)", ("clean", "empty"): "an empty message",
    ("clean", "empty-body"): "a message with an empty body", ("clean", "almost-empty"): "a message with a very short body",
    ("dangerous", "attachment"): "an executable attachment", ("dangerous", "code"): "potentially dangerous content",
    ("dangerous", "iframe"): "an iframe", ("dangerous", "virus"): "a virus",
    ("dangerous", "virus-outbreak"): "most likely a new virus",
}
_expurgate_category = compiled_on_first_use(r"^\s{0,4}([A-Za-z]{3,12}(?:\.[A-Za-z-]{1,24})?)\s{0,4}$")


def _expurgate(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    """eleven eXpurgate's category: ``X-purgate-type: bulk``, else the one ``X-purgate`` field
    that is a category word (the others are sentences: "This mail is sent in bulk ...")."""
    candidates = [*_fields(message, "X-purgate-type")[:1], *_fields(message, "X-purgate")[:4]]
    for field in candidates:
        found = _expurgate_category().match(field.value[:60])
        if found is None:
            continue
        category = found.group(1).lower()
        main, _, part = category.partition(".")
        if main not in _EXPURGATE:
            continue
        spam, meaning = _EXPURGATE[main]
        sub = _EXPURGATE_SUB.get((main, part))
        summary = category + ": " + meaning + (f" ({sub})" if sub else "")
        details = [(field.name, category, meaning + (f"; {sub}" if sub else ""))]
        for scan in _fields(message, "X-purgate-ID")[:1]:
            details.append((scan.name, " ".join(scan.value.split())[:60], "the scan's id, as written"))
        trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="eXpurgate", header=field.name, header_index=field.index, spam=spam, score=None, threshold=None,
            summary=summary[:300], details=tuple(details), rules=(), trusted=trusted, trust_reason=why)]
    return []


# "X-CLX-Spam: false" (iCloud's and others' CLX filter) is documented nowhere: only its word is read.
def _clx(message: Message, boundary: Hop | None, _microsoft_receiver: bool) -> list[SpamFilterVerdict]:
    for field in _fields(message, "X-CLX-Spam")[:1]:
        flag = _flag_value(field)
        if flag is None:
            continue
        trusted, why = _position_trust(field, boundary)
        return [SpamFilterVerdict(
            filter="spam filter (X-CLX-Spam)", header=field.name, header_index=field.index, spam=flag, score=None,
            threshold=None, summary="spam" if flag else "not spam",
            details=((field.name, field.value.strip()[:10], "the filter's yes or no; its vendor documents nothing "
                                                            "more"),), rules=(), trusted=trusted, trust_reason=why)]
    return []


# The readers that take X-Spam-Flag, X-Spam or a bare X-Spam-Status into their own verdict: when
# one of them gave a verdict, the flag is not shown again on its own.
_READERS_OF_THE_FLAG = frozenset((_spamassassin, _rspamd, _stalwart, _exim_spamassassin, _spamassassin_without_status))


# Exchange Online's composite authentication outcomes other than fail (recorded.compauth_fail), by
# the reason code family of Microsoft's "Anti-spam message headers" page (authentication results).
def _compauth_family(result: str, code: str) -> str:
    if code == "130":
        return "passed on an ARC chain it trusts (the DMARC fail overridden)"
    if result == "pass" and code[:1] in ("1", "7"):
        return "passed composite authentication"
    if result == "softpass" and code[:1] == "2":
        return "soft-passed implicit authentication"
    if result == "none" and code[:1] == "3":
        return "not checked for composite authentication"
    if result == "none" and code[:1] in ("4", "9"):
        return "bypassed composite authentication (an allow or a mail flow rule, or a trusted connector)"
    return ""


# The report's parts a short summary leaves out, shown beside it as Microsoft's Message Header
# Analyzer shows them (connecting IP, HELO, PTR, country, language, IPV, SFTY, SRV).
_CONTEXT_KEYS = ("CTRY", "LANG", "IPV", "SFTY", "SRV")


def microsoft_context(verdict: SpamFilterVerdict, recorded: Sequence[RecordedResult] = ()) -> str:
    """For the terminal and Markdown rows of an X-Forefront-Antispam-Report: what its summary does
    not say (who connected as the report saw it, country and language, IPV, the safety tip, SRV:BULK)
    and, for the receiver's own report, its composite authentication when it did not fail
    (recorded.compauth_fail says a fail). Empty for other verdicts. Values as written, cut short: the
    renderers escape them as message text."""
    if not verdict.header.startswith("X-Forefront-Antispam-Report"):
        return ""
    values = {key: (part, meaning) for key, part, meaning in verdict.details[:40]}
    words: list[str] = []
    cip = values.get("CIP", ("", ""))[0]
    seen = [f"{label} {values[key][0][:100]}" for key, label in (("H", "HELO"), ("PTR", "PTR")) if values.get(key, ("",))[0]]
    if cip or seen:
        words.append("connecting server " + (cip[:60] or "?") + (f" ({', '.join(seen)})" if seen else ""))
    for key in _CONTEXT_KEYS:
        part, meaning = values.get(key, ("", ""))
        if not part or (key == "SRV" and part.upper() != "BULK"):
            continue
        if key == "CTRY":
            words.append(f"country {part[:20]}")
        elif key == "LANG":
            words.append(f"language {part[:20]}")
        else:
            words.append(f"{key}:{part[:20]}" + (f" ({meaning[:120]})" if meaning else ""))
    if verdict.trusted:
        composite = next((r for r in recorded if r.trusted and r.method == "compauth" and r.result != "fail"), None)
        if composite is not None:
            code = (composite.reason or "").strip()[:3]
            family = _compauth_family(composite.result.lower(), code)
            words.append(f"compauth={composite.result[:20]}" + (f" reason={code}" if code else "")
                         + (f" ({family})" if family else ""))
    return "; ".join(words)
