"""Spam filters' verdicts: Microsoft 365's report, SpamAssassin, rspamd and X-Spam-Flag, read
with their meanings, and the receiver's own told apart from earlier ones and the sender's."""

from __future__ import annotations

from conftest import CORPUS, SAMPLES

import headerscope
from headerscope.model import Severity
from headerscope.render import get_renderer

MS_RECEIVED = (
    "Received: from mail.example.net (203.0.113.9) by AM0EUR01FT001.mail.protection.outlook.com (10.0.0.1) with "
    "Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1 via Frontend "
    "Transport; Mon, 2 Nov 2026 10:00:04 +0000\r\n"
)
TAIL = "From: a@example.net\r\nTo: b@example.org\r\nSubject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n"


def analyze(text: str) -> headerscope.Report:
    return headerscope.analyze(text.encode(), offline=True)


def test_microsoft_inbound_report_at_a_microsoft_mailbox_is_the_receivers() -> None:
    # Exchange Online writes its report among the message's fields, here below its Received.
    report = analyze(MS_RECEIVED + "X-Forefront-Antispam-Report: CIP:203.0.113.9;CTRY:US;LANG:en;SCL:5;SRV:;"
                     "IPV:NLI;SFV:SPM;H:mail.example.net;PTR:mail.example.net;CAT:SPOOF;SFTY:9.19;SFS:(13230040)"
                     "(376014);DIR:INB;SFP:1101;\r\nX-Microsoft-Antispam: BCL:0;\r\n" + TAIL)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score, verdict.threshold) == (
        "Microsoft 365", "X-Forefront-Antispam-Report", True, 5.0, 5.0)
    assert verdict.trusted and "renames any earlier one" in verdict.trust_reason
    details = {key: (value, meaning) for key, value, meaning in verdict.details}
    assert details["SFV"] == ("SPM", "spam, by spam filtering")
    assert details["CAT"] == ("SPOOF", "spoofing")
    assert details["DIR"] == ("INB", "inbound")
    assert details["BCL"][0] == "0"
    assert "SFS" not in details and "SFP" not in details  # Microsoft's internal rule ids
    assert verdict.summary == ("SCL 5 (spam); BCL 0 (not bulk); SFV:SPM (spam, by spam filtering); CAT:SPOOF "
                               "(spoofing); inbound")
    [flagged] = [f for f in report.findings if f.id == "spam.flagged"]
    assert flagged.subject == f"header {verdict.header_index + 1}" and "Microsoft 365" in flagged.title
    # A report attached to a phishing ticket does not advise safe-listing the sender.
    assert "safe list" not in flagged.explanation


def test_microsoft_outbound_and_untrusted_reports_are_not_the_receivers() -> None:
    # A list archive's copy: the sender's tenant scanned it on the way out (DIR:OUT); the
    # receiver is not Microsoft. And a report Exchange renamed '-Untrusted' at a Microsoft mailbox.
    outbound = analyze(
        "Received: from mail.amd.example (192.0.2.7) by mx.lists.example.org with ESMTPS id Q; "
        "Mon, 2 Nov 2026 10:00:04 +0000\r\n"
        "X-Forefront-Antispam-Report: CIP:165.204.84.17; CTRY:US; LANG:en; SCL:1; SRV:; IPV:CAL; SFV:NSPM; "
        "H:SATLEXMB04.amd.com; PTR:InfoDomainNonexistent; CAT:NONE; SFS:(13230040)(376014); DIR:OUT; SFP:1101;\r\n"
        + TAIL)
    [verdict] = outbound.spam_filters
    assert verdict.spam is False and not verdict.trusted and "DIR:OUT" in verdict.trust_reason
    assert dict((k, m) for k, _, m in verdict.details)["IPV"].startswith("the source IP is on an allow list")
    assert "sending organisation" in verdict.trust_reason
    # A tenant's external forward (real, 2022): the forwarding tenant's scan, not the author's organisation's.
    forwarded = analyze(
        "Received: from mail.amd.example (192.0.2.7) by mx.lists.example.org with ESMTPS id Q; "
        "Mon, 2 Nov 2026 10:00:04 +0000\r\nX-MS-Exchange-ForwardingLoop: user@tenant.example;abc-123\r\n"
        "X-Forefront-Antispam-Report: CIP:165.204.84.17; SCL:1; SFV:NSPM; CAT:NONE; DIR:OUT;\r\n" + TAIL)
    [verdict] = forwarded.spam_filters
    assert verdict.trust_reason.startswith("DIR:OUT of a forward: the Microsoft 365 tenant that forwarded the message")
    renamed = analyze(MS_RECEIVED + "X-Forefront-Antispam-Report-Untrusted: CIP:192.0.2.1;SCL:9;SFV:SPM;CAT:HSPM;"
                      "DIR:INB;\r\nX-Microsoft-Antispam-Untrusted: BCL:7;\r\n" + TAIL)
    [verdict] = renamed.spam_filters
    assert verdict.spam is True and not verdict.trusted and "-Untrusted" in verdict.trust_reason
    assert ("BCL", "7") in [(k, v) for k, v, _ in verdict.details]
    assert not [f for f in renamed.findings if f.id == "spam.flagged"]


def test_microsoft_reports_from_the_mha_corpus() -> None:
    # The values of Microsoft's Message Header Analyzer tests, as a headers-only paste.
    long = headerscope.analyze((CORPUS / "messages" / "ffas_outlook_sfs_long.txt").read_bytes(), offline=True)
    [verdict] = long.spam_filters
    details = {key: (value, meaning) for key, value, meaning in verdict.details}
    assert (verdict.score, verdict.spam) == (1.0, False)
    assert details["SFV"] == ("NSPM", "not spam")
    assert details["IPV"] == ("NLI", "the source IP is on no reputation list")
    assert details["DIR"] == ("INB", "inbound")
    assert details["H"][0] == "NAM04-BN3-obe.outbound.protection.outlook.com"
    assert details["CIP"][0] == "40.107.68.131"
    # Nothing ties a lone field to a receiver.
    assert not verdict.trusted and "no Received chain" in verdict.trust_reason
    contact = headerscope.analyze((CORPUS / "messages" / "ffas_constantcontact.txt").read_bytes(), offline=True)
    assert [(v.score, v.spam, v.summary) for v in contact.spam_filters] == [
        (0.0, False, "SCL 0 (not spam); SFV:NSPM (not spam); inbound")]


def test_spamassassin_status_above_and_below_the_boundary() -> None:
    status = ("X-Spam-Status: Yes, score=8.3 required=5.0 tests=BAYES_99,DKIM_INVALID,\r\n"
              "\tHTML_MESSAGE,URIBL_BLACK autolearn=no autolearn_force=no version=3.4.6\r\n")
    received = ("Received: from out.example.net (out.example.net [203.0.113.9]) by mx.example.org (Postfix) "
                "with ESMTPS id 4AB; Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    above = analyze(status + received + TAIL)
    [verdict] = above.spam_filters
    assert (verdict.filter, verdict.spam, verdict.score, verdict.threshold) == ("SpamAssassin", True, 8.3, 5.0)
    assert verdict.rules == ("BAYES_99", "DKIM_INVALID", "HTML_MESSAGE", "URIBL_BLACK")
    assert verdict.trusted and verdict.summary == "spam: score 8.3 against 5 required"
    assert [f.id for f in above.findings if f.id.startswith("spam.")] == ["spam.flagged"]
    below = analyze(received + status + TAIL)
    assert [(v.spam, v.trusted) for v in below.spam_filters] == [(True, False)]
    assert not [f for f in below.findings if f.id == "spam.flagged"]
    # An old SpamAssassin ("hits="), from the dkimpy corpus, and tests=none.
    old = headerscope.analyze((CORPUS / "dkim" / "dkimpy" / "message.mbox").read_bytes(), offline=True)
    assert [(v.spam, v.score, v.threshold, v.rules[:2]) for v in old.spam_filters] == [
        (False, -102.4, 3.5, ("BAYES_00", "DKIM_SIGNED"))]
    none = analyze("X-Spam-Status: No, score=0.0 required=5.0 tests=none version=4.0.0\r\n" + received + TAIL)
    assert none.spam_filters[0].rules == ()
    # A score too large for a float is no score; the verdict word still counts.
    huge = analyze("X-Spam-Status: Yes, score=" + "9" * 400 + " required=5.0 tests=X\r\n" + received + TAIL)
    assert [(v.spam, v.score, v.threshold) for v in huge.spam_filters] == [(True, None, 5.0)]
    assert huge.to_json()


def test_rspamd_result_and_action() -> None:
    report = headerscope.analyze((CORPUS / "rspamd" / "messages" / "arcbad.eml").read_bytes(), offline=True)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.spam, verdict.score, verdict.threshold) == ("rspamd", False, -1.31, 15.0)
    assert verdict.rules[:3] == ("FORGED_RECIPIENTS_FORWARDING", "FORWARDED", "R_SPF_ALLOW")
    # rspamd's milter appends its fields at the end of the header; its queue id is that of the
    # final receiver's Postfix transaction, so the verdict is the receiver's.
    assert verdict.trusted and "7B5193003B9" in verdict.trust_reason
    # The action decides: "add header" is rspamd calling it spam, below the reject score.
    flagged = analyze("X-Spamd-Result: default: False [7.20 / 15.00]; BAYES_SPAM(5.10)[99.9%]; "
                      "MIME_GOOD(-0.10)[text/plain]\r\nX-Rspamd-Action: add header\r\n"
                      "Received: from a.example (a.example [192.0.2.1]) by mx.example.org (Postfix) with ESMTP id 1; "
                      "Mon, 2 Nov 2026 10:00:04 +0000\r\n" + TAIL)
    [verdict] = flagged.spam_filters
    assert (verdict.spam, verdict.score, verdict.rules) == (True, 7.2, ("BAYES_SPAM", "MIME_GOOD"))
    assert "action: add header" in verdict.summary and verdict.trusted
    # Without the action field, the milter's "X-Spam: Yes" says the same (Proton, real 2023):
    # "default: False" only says the score is below the reject action's.
    milter = analyze("X-Spamd-Result: default: False [13.74 / 25.00]; ONCE_RECEIVED_STRICT(4.00)[]\r\n"
                     "X-Spam: Yes\r\nReceived: from a.example (a.example [192.0.2.1]) by mx.example.org (Postfix) "
                     "with ESMTP id 1; Mon, 2 Nov 2026 10:00:04 +0000\r\n" + TAIL)
    assert [(v.filter, v.spam, v.summary) for v in milter.spam_filters] == [
        ("rspamd", True, "spam (X-Spam: Yes), score 13.74 against 25 to reject")]
    unflagged = analyze("X-Spamd-Result: default: False [1.00 / 25.00]; ONCE_RECEIVED_STRICT(4.00)[]\r\n"
                        "Received: from a.example (a.example [192.0.2.1]) by mx.example.org (Postfix) "
                        "with ESMTP id 1; Mon, 2 Nov 2026 10:00:04 +0000\r\n" + TAIL)
    assert [v.spam for v in unflagged.spam_filters] == [False]


def test_spam_flag_alone_and_samples() -> None:
    flag = analyze("X-Spam-Flag: YES\r\nReceived: from a.example (a.example [192.0.2.1]) by mx.example.org with "
                   "ESMTP id 1; Mon, 2 Nov 2026 10:00:04 +0000\r\n" + TAIL)
    assert [(v.filter, v.spam, v.trusted) for v in flag.spam_filters] == [("spam filter (X-Spam-Flag)", True, True)]
    # The bundled spoofed sample landed in Microsoft 365's junk folder for spoofing.
    spoofed = headerscope.analyze((SAMPLES / "spoofed.eml").read_bytes(), offline=True)
    assert [(v.spam, v.trusted, dict((k, x) for k, x, _ in v.details)["CAT"]) for v in spoofed.spam_filters] == [
        (True, True, "SPOOF")]


def test_renderers_show_the_verdicts_and_keep_them_text() -> None:
    report = analyze(MS_RECEIVED + "X-Forefront-Antispam-Report: SCL:6;SFV:SPM;CAT:SPM;H:<b>[bold]x[/bold]</b>;"
                     "DIR:INB;\r\n" + TAIL)
    terminal = get_renderer("terminal", width=150).render(report)
    section = terminal[terminal.index("Spam filters (as recorded)"):terminal.index("Findings")]
    assert "SCL 6 (spam)" in section and "receiver" in section
    page = get_renderer("html").render(report)
    assert 'id="spam-filters"' in page and "&lt;b&gt;[bold]x[/bold]&lt;/b&gt;" in page and "<b>[bold]" not in page
    markdown = get_renderer("markdown").render(report)
    assert "### Spam filters (as recorded)" in markdown and "SCL 6 (spam)" in markdown
    assert report.to_dict()["spam_filters"][0]["summary"].startswith("SCL 6 (spam)")


def test_hostile_fields_are_bounded() -> None:
    many = "".join(f"X-Spam-Status: Yes, score={i}.0 required=5.0 tests={','.join(['R'] * 2000)}\r\n"
                   for i in range(200))
    report_fields = ("X-Forefront-Antispam-Report: " + "SCL:5;" * 50_000 + "\r\n")
    report = analyze(many + report_fields + TAIL)
    assert len(report.spam_filters) == 21  # 20 X-Spam-Status fields read, and the one report
    assert all(len(v.rules) <= 200 for v in report.spam_filters)
    assert [len(v.details) for v in report.spam_filters if v.filter == "Microsoft 365"] == [1]  # SCL, once
    # Garbage where the filters' syntax belongs is skipped, not an error.
    garbage = analyze("X-Spam-Status: maybe\r\nX-Spamd-Result: ???\r\nX-Spam-Flag: perhaps\r\n"
                      "X-Forefront-Antispam-Report: ;;;:::\r\n" + TAIL)
    assert garbage.spam_filters == ()
    # Numbers that are not finite are no score (JSON has no NaN or infinity).
    odd = analyze("X-Forefront-Antispam-Report: SCL:nan;SFV:NSPM;\r\nX-Rspamd-Action: no action\r\n"
                  "X-Rspamd-Score: 1e999\r\n" + TAIL)
    assert [(v.filter, v.score, v.spam) for v in odd.spam_filters] == [("Microsoft 365", None, False),
                                                                       ("rspamd", None, False)]
    assert '"score":null' in odd.to_json().decode()


def test_proofpoint_and_barracuda() -> None:
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1; "
                "Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    # Proofpoint's classification is the rule's last word; an outbound policy is the sender's scan.
    outbound = analyze(received + "X-Proofpoint-Spam-Details: rule=outbound_notspam policy=outbound score=0\r\n"
                       " mlxscore=0 bulkscore=0 spamscore=0 phishscore=0 priorityscore=1501 classifier=spam adjust=0\r\n"
                       " reason=mlx scancount=1 engine=8.12.0-2304280000 definitions=main-2305110117\r\n" + TAIL)
    [verdict] = outbound.spam_filters
    assert (verdict.filter, verdict.spam, verdict.score) == ("Proofpoint", False, 0.0)
    assert not verdict.trusted and "outbound" in verdict.trust_reason
    assert ("policy", "outbound") in [(k, v) for k, v, _ in verdict.details]
    inbound = analyze("X-Proofpoint-Spam-Details: rule=inbound_spam policy=inbound score=95 spamscore=95 "
                      "phishscore=0\r\n" + received + TAIL)
    [verdict] = inbound.spam_filters
    assert (verdict.spam, verdict.score, verdict.trusted) == (True, 95.0, True)
    assert verdict.summary == "spam (rule inbound_spam), score 95"
    assert [f.id for f in inbound.findings if f.id.startswith("spam.")] == ["spam.flagged"]
    # Barracuda writes SpamAssassin's shape with its three levels.
    barracuda = analyze("X-Barracuda-Spam-Status: Yes, SCORE=4.20 using global scores of TAG_LEVEL=3.5\r\n"
                        "\tQUARANTINE_LEVEL=1000.0 KILL_LEVEL=9.0 tests=BSF_SC0_MISMATCH_TO, HTML_MESSAGE\r\n"
                        + received + TAIL)
    [verdict] = barracuda.spam_filters
    assert (verdict.filter, verdict.spam, verdict.score, verdict.threshold) == ("Barracuda", True, 4.2, 3.5)
    assert verdict.rules == ("BSF_SC0_MISMATCH_TO", "HTML_MESSAGE")
    assert [k for k, _, _ in verdict.details] == ["SCORE", "TAG_LEVEL", "QUARANTINE_LEVEL", "KILL_LEVEL"]


def test_microsoft_mailbox_delivery_says_where_the_spam_went() -> None:
    # SCL 5 is spam, and the policy sends spam to junk; but the same tenant's
    # X-Microsoft-Antispam-Mailbox-Delivery records where the mailbox put it and why: here the
    # user's safe senders list overrode the filter and it reached the Inbox.
    report_field = ("X-Forefront-Antispam-Report: CIP:203.0.113.9;CTRY:US;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;"
                    "H:mail.example.net;CAT:SPM;DIR:INB;\r\n")
    inbox = analyze(MS_RECEIVED + report_field + "X-Microsoft-Antispam-Mailbox-Delivery:\r\n"
                    "\tabwl:0;wl:1;pcwl:1;kl:0;iwl:0;ijl:0;dwl:0;dkl:0;rwl:0;ex:0;auth:0;dest:I;OFR:TrustedSenderList;"
                    "ENG:(5062000308)(90000117);RF:JunkEmail;\r\n" + TAIL)
    [verdict] = inbox.spam_filters
    assert verdict.spam is True
    details = {key: (value, meaning) for key, value, meaning in verdict.details}
    assert details["DEST"] == ("I", "delivered to the Inbox")
    assert details["OFR"][0] == "TrustedSenderList"
    # The mailbox's safe senders list put it in the Inbox against the filter's verdict (real phish, 2023).
    assert verdict.summary.endswith("; delivered to the Inbox: the user's safe senders list overrode it "
                                    "(OFR:TrustedSenderList)")
    # The trust reason is the tenant's, not emptied by the delivery words (a regression, caught in review).
    assert verdict.trust_reason.startswith("Exchange Online (the receiving side) writes its report")
    [flagged] = [f for f in inbox.findings if f.id == "spam.flagged"]
    assert "own verdict: Exchange Online" in flagged.explanation and ": ." not in flagged.explanation
    junk = analyze(MS_RECEIVED + report_field + "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:1;auth:0;"
                   "dest:J;OFR:SpamFilterAuthJ;ENG:(5062000308);\r\n" + TAIL)
    assert junk.spam_filters[0].summary.endswith("; delivered to the Junk Email folder (OFR:SpamFilterAuthJ)")
    # Without the field, the policy is stated, not a destination.
    [plain] = analyze(MS_RECEIVED + report_field + TAIL).spam_filters
    assert dict((k, m) for k, _, m in plain.details)["SCL"].startswith("spam: the policy sends it to the junk")
    assert "delivered" not in plain.summary


def test_amavis_writes_spamassassins_verdict_in_its_own_field() -> None:
    # amavisd-new: "No, score=-4.88 tagged_above=-10000 required=5.3 tests=[NAME=score, ...]".
    report = analyze("X-Amavis-Spam-Status: No, score=-4.88 tagged_above=-10000 required=5.3\r\n"
                     "\ttests=[BAYES_00=-1.9, DKIM_SIGNED=0.1, DKIM_VALID=-0.1] autolearn=ham autolearn_force=no\r\n"
                     + MS_RECEIVED.replace("AM0EUR01FT001.mail.protection.outlook.com", "mx.example.org") + TAIL)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score, verdict.threshold) == (
        "SpamAssassin", "X-Amavis-Spam-Status", False, -4.88, 5.3)
    assert verdict.rules == ("BAYES_00", "DKIM_SIGNED", "DKIM_VALID") and verdict.trusted


RECEIVED_AT_MX = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1; "
                  "Mon, 2 Nov 2026 10:00:04 +0000\r\n")


def test_exim_running_spamassassin_writes_score_bar_and_report() -> None:
    # The Exim specification's example ACL, as gnu.org's list server writes it (real lines).
    report = analyze("X-Spam_score_int: -66\r\nX-Spam_score: -6.7\r\nX-Spam_bar: ------\r\n"
                     "X-Spam_report: (-6.7 / 5.0 requ) BAYES_00=-1.9, DKIM_SIGNED=0.1,\r\n"
                     " DKIM_VALID=-0.1, DKIM_VALID_AU=-0.1, DKIM_VALID_EF=-0.1, NICE_REPLY_A=-2.319,\r\n"
                     " RCVD_IN_DNSWL_MED=-2.3, SPF_HELO_NONE=0.001,\r\n SPF_PASS=-0.001\r\n"
                     + RECEIVED_AT_MX + TAIL)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score, verdict.threshold, verdict.trusted) == (
        "SpamAssassin (Exim)", "X-Spam_score", False, -6.7, 5.0, True)
    assert verdict.rules[:2] == ("BAYES_00", "DKIM_SIGNED") and verdict.rules[-1] == "SPF_PASS"
    assert len(verdict.rules) == 9
    assert verdict.summary == "not spam: score -6.7 against 5 required"
    # Over the required score: spam, and the receiver's own verdict is a finding.
    spam = analyze("X-Spam_score: 7.2\r\nX-Spam_report: (7.2 / 5.0 requ) BAYES_99=3.5, URIBL_BLACK=1.7\r\n"
                   + RECEIVED_AT_MX + TAIL)
    assert [(v.spam, v.rules) for v in spam.spam_filters] == [(True, ("BAYES_99", "URIBL_BLACK"))]
    assert [f.id for f in spam.findings if f.id.startswith("spam.")] == ["spam.flagged"]
    # Without a report, the score alone gives no verdict.
    [alone] = analyze("X-Spam_score: 2.0\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (alone.spam, alone.score, alone.threshold) == (None, 2.0, None)


def test_spamassassin_report_and_score_without_a_status_field() -> None:
    # infradead.org's SpamAssassin writes its report and score, no X-Spam-Status (real lines);
    # its report states no required score.
    report = analyze(RECEIVED_AT_MX + "X-Spam-Score: -2.3 (--)\r\n"
                     "X-Spam-Report: SpamAssassin version 3.4.2 on bombadil.infradead.org summary:\r\n"
                     " Content analysis details:   (-2.3 points)\r\n"
                     " pts rule name              description\r\n"
                     " ---- ---------------------- --------------------------------------------------\r\n"
                     " -2.3 RCVD_IN_DNSWL_MED      RBL: Sender listed at https://www.dnswl.org/,\r\n"
                     " medium trust [134.134.136.20 listed in list.dnswl.org]\r\n"
                     " 0.0 SPF_HELO_NONE          SPF: HELO does not publish an SPF Record\r\n"
                     " 0.0 RCVD_IN_MSPIKE_H3      RBL: Good reputation (+3)\r\n" + TAIL)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score, verdict.threshold) == (
        "SpamAssassin", "X-Spam-Report", None, -2.3, None)
    assert verdict.rules == ("RCVD_IN_DNSWL_MED", "SPF_HELO_NONE", "RCVD_IN_MSPIKE_H3")
    assert verdict.summary == "score -2.3, no threshold written"
    assert not verdict.trusted  # below the boundary Received: an earlier server's
    # A report that states the required score gives the verdict; X-Spam-Flag, when written, wins.
    stated = ("X-Spam-Report: Spam detection software has identified this incoming email as possible spam.\r\n"
              " Content analysis details:   (6.2 points, 5.0 required)\r\n"
              " pts rule name              description\r\n"
              " ---- ---------------------- --------------------------------------------------\r\n"
              " 3.5 BAYES_99               BODY: Bayes spam probability is 99 to 100%\r\n"
              " 2.7 RCVD_IN_SBL            RBL: Received via a relay in Spamhaus SBL\r\n")
    [verdict] = analyze(stated + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.spam, verdict.score, verdict.threshold, verdict.trusted) == (True, 6.2, 5.0, True)
    assert verdict.rules == ("BAYES_99", "RCVD_IN_SBL")
    [flagged] = analyze("X-Spam-Flag: NO\r\n" + stated + RECEIVED_AT_MX + TAIL).spam_filters
    assert flagged.spam is False
    # A lone score: shown, no verdict; another filter's format under the name is not a score.
    [lone] = analyze("X-Spam-Score: 3.1\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (lone.spam, lone.score) == (None, 3.1)
    assert analyze("X-Spam-Score: ***** (5.1)\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_trend_micro_results_in_their_three_shapes() -> None:
    # Real lines: ScanMail for Exchange's "No-type--score-threshold", older ones'
    # "No--score-threshold-category" (two dashes: a negative score), and a positive score.
    shapes = {
        "No-10--2.483200-8.000000": (False, -2.4832, 8.0),
        "No--6.465700-5.000000-4": (False, -6.4657, 5.0),
        "No-7.758900-8.000000-10": (False, 7.7589, 8.0),
        "Yes-5.339-5.0-31-1": (True, 5.339, 5.0),
        ": Yes--3.434300-0-31-1": (True, -3.4343, 0.0),
    }
    for value, expected in shapes.items():
        [verdict] = analyze("X-TM-AS-Result: " + value + "\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
        assert (verdict.filter, verdict.spam, verdict.score, verdict.threshold) == ("Trend Micro", *expected), value
        assert verdict.trusted
    [typed] = analyze("X-TM-AS-Result: Yes-5.339-5.0-31-1\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert ("type", "1", "spam") in typed.details
    assert typed.summary == "spam: score 5.339 against 5 to flag"
    # Trend Micro Email Security: type, score, threshold, and no yes or no of its own.
    [cloud] = analyze("X-TMASE-Result: 10--5.534000-4.000000\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (cloud.spam, cloud.score, cloud.threshold) == (False, -5.534, 4.0)
    assert analyze("X-TM-AS-Result: pending\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_gmx_and_web_de_filter_results() -> None:
    [junk] = analyze("X-UI-Filterresults: junk:10;V03:K0:abc\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (junk.filter, junk.spam, junk.summary, junk.trusted) == ("GMX / WEB.DE", True, "spam (junk)", True)
    # Real line (a WEB.DE mailbox), appended at the end of the header: shown, not relied on.
    [unknown] = analyze(RECEIVED_AT_MX + TAIL.replace("\r\n\r\n", "\r\nX-UI-Filterresults: unknown:2;"
                                                      "V03:K0:cdojl5YHfkg=:jhTbQXp38SL2za/LB4M7aUwpyw\r\n"
                                                      " 5rDHoN1+/ScH/O9/G1fKWbGryQ203thF\r\n\r\n")).spam_filters
    assert (unknown.spam, unknown.trusted) == (None, False)
    [outbound] = analyze("X-UI-Out-Filterresults: notjunk:1;V03:K0:xyz\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert outbound.spam is False and not outbound.trusted and "outbound" in outbound.trust_reason


def test_x_spam_yes_or_no_and_nothing_else() -> None:
    [verdict] = analyze("X-Spam: Yes\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.filter, verdict.spam, verdict.trusted) == ("spam filter (X-Spam)", True, True)
    # Other filters write their own formats under the same name (real line): not a verdict.
    assert analyze("X-Spam: [F=0.0100000000; S=0.010(2006120601)]\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()
    # X-Spam-Flag and X-Spam of one filter are one verdict.
    both = analyze("X-Spam-Flag: YES\r\nX-Spam: Yes\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert [v.header for v in both] == ["X-Spam-Flag"]


def test_sophos_puremessage_and_mailscanner() -> None:
    # Sophos PureMessage at a university (real line): a probability, the default policy's 50%.
    [verdict] = analyze("X-PerlMx-Spam: Gauge=XIIIIIII, Probability=17%, Report='\r\n"
                        " CTYPE_JUST_HTML 0.848, PRIORITY_NO_NAME 0.716, HTML_70_90 0.1, __CT 0'\r\n"
                        + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.filter, verdict.spam, verdict.score, verdict.threshold, verdict.trusted) == (
        "Sophos PureMessage", False, 17.0, 50.0, True)
    assert verdict.rules == ("CTYPE_JUST_HTML", "PRIORITY_NO_NAME", "HTML_70_90", "__CT")
    [spam] = analyze("X-PerlMx-Spam: Gauge=XXXXXXXXI, Probability=88%, Report='BAYES_99 0.9'\r\n"
                     + RECEIVED_AT_MX + TAIL).spam_filters
    assert spam.spam is True
    # MailScanner names its field after the site (real lines).
    [check] = analyze("X-cayennetech-MailScanner-SpamCheck: not spam (whitelisted),\r\n"
                      "\tSpamAssassin (not cached, score=-102.909, required 10,\r\n"
                      "\tautolearn=not spam, ALL_TRUSTED -1.00, BAYES_00 -1.90,\r\n"
                      "\tHTML_MESSAGE 0.00, USER_IN_WELCOMELIST -0.01,\r\n\tUSER_IN_WHITELIST -100.00)\r\n"
                      + RECEIVED_AT_MX + TAIL).spam_filters
    assert (check.filter, check.header, check.spam, check.score, check.threshold) == (
        "MailScanner", "X-cayennetech-MailScanner-SpamCheck", False, -102.909, 10.0)
    assert check.rules == ("ALL_TRUSTED", "BAYES_00", "HTML_MESSAGE", "USER_IN_WELCOMELIST", "USER_IN_WHITELIST")
    [flagged] = analyze("X-MailScanner-SpamCheck: spam, SpamAssassin (not cached, score=12.5, required 5, "
                        "BAYES_99 3.50)\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (flagged.spam, flagged.score, flagged.rules) == (True, 12.5, ("BAYES_99",))
    # A site that renamed the field ("Spam Header", SYNAQ Pinpoint's, real line), whose allow list
    # overrode a score at or above the required one: the override is the fact a ticket needs.
    [synaq] = analyze("X-SYNAQ-Pinpoint-SpamCheck: not spam (whitelisted), SpamAssassin (not cached,\r\n"
                      "\tscore=5.807, required 5, BAYES_99 4.00, HTML_MESSAGE 0.00)\r\n"
                      + RECEIVED_AT_MX + TAIL).spam_filters
    assert (synaq.filter, synaq.header, synaq.spam, synaq.score, synaq.threshold) == (
        "MailScanner", "X-SYNAQ-Pinpoint-SpamCheck", False, 5.807, 5.0)
    assert "whitelisted: the sender is on the site's allow list" in synaq.summary
    assert "5.807 against 5 required would have called it spam" in synaq.summary
    assert ("whitelisted", "yes", "the sender is on the site's allow list (whitelist), so MailScanner calls it not "
            "spam whatever SpamAssassin's score") in synaq.details
    # A field ending in -SpamCheck without MailScanner's form is not read as MailScanner's.
    assert analyze("X-Example-SpamCheck: clean\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_cpanel_status_takes_required_score_and_tests_from_its_ham_report() -> None:
    # cPanel's SpamAssassin (real lines): a status with the score alone, X-Spam-Score ten times it,
    # and the report table, named X-Ham-Report when the message is not spam.
    cpanel = ("X-Spam-Status: No, score=0.8\r\nX-Spam-Score: 8\r\nX-Spam-Bar: /\r\n"
              "X-Ham-Report: Spam detection software, running on the system \"rs04-pta.za-dns.com\",\r\n"
              " has NOT identified this incoming email as spam.  The original\r\n"
              " message has been attached to this so you can view it or label\r\n"
              " similar future email.  If you have any questions, see\r\n"
              " root\\@localhost for details.\r\n \r\n Content preview:  test [...] \r\n \r\n"
              " Content analysis details:   (0.8 points, 5.0 required)\r\n \r\n"
              "  pts rule name              description\r\n"
              " ---- ---------------------- --------------------------------------------------\r\n"
              " -2.3 RCVD_IN_DNSWL_MED      RBL: Sender listed at http://www.dnswl.org/, medium\r\n"
              "                              trust\r\n"
              "                             [92.54.22.76 listed in list.dnswl.org]\r\n"
              " -0.0 T_RP_MATCHES_RCVD      Envelope sender domain matches handover relay domain\r\n")
    [verdict] = analyze(cpanel + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score, verdict.threshold, verdict.trusted) == (
        "SpamAssassin", "X-Spam-Status", False, 0.8, 5.0, True)
    assert verdict.rules == ("RCVD_IN_DNSWL_MED", "T_RP_MATCHES_RCVD")
    assert verdict.summary == "not spam: score 0.8 against 5 required"
    # The status alone still gives its verdict, with no required score to state.
    [alone] = analyze("X-Spam-Status: Yes, score=9.9\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (alone.spam, alone.score, alone.threshold, alone.summary) == (True, 9.9, None, "spam: score 9.9")
    # The report without a status: X-Ham-Report says not spam.
    [report] = analyze(cpanel.split("X-Ham-Report")[0].replace("X-Spam-Status: No, score=0.8\r\n", "")
                       .replace("X-Spam-Score: 8\r\n", "") + "X-Ham-Report" + cpanel.split("X-Ham-Report")[1]
                       + RECEIVED_AT_MX + TAIL).spam_filters
    assert (report.header, report.spam, report.score, report.threshold) == ("X-Ham-Report", False, 0.8, 5.0)


def test_rspamd_score_and_report_without_its_result_field() -> None:
    # uberspace.de's rspamd (real lines, the report folded): score, bar and symbols only.
    [verdict] = analyze("X-Rspamd-Bar: -----\r\nX-Rspamd-Report: REPLY(-4) BAYES_HAM(-2.999521) MID_CONTAINS_FROM(1)\r\n"
                        " MIME_GOOD(-0.1) R_MISSING_CHARSET(0.5)\r\nX-Rspamd-Score: -5.599521\r\n"
                        + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score) == (
        "rspamd", "X-Rspamd-Score", None, -5.599521)
    assert verdict.rules == ("REPLY", "BAYES_HAM", "MID_CONTAINS_FROM", "MIME_GOOD", "R_MISSING_CHARSET")
    # Its milter's "X-Spam: Yes" is the verdict of the same filter, not a second one.
    [flagged] = analyze("X-Spam: Yes\r\nX-Rspamd-Score: 16.2\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (flagged.filter, flagged.spam, flagged.score) == ("rspamd", True, 16.2)
    assert analyze("X-Rspamd-Score: high\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_spamexperts_and_its_resellers_brands() -> None:
    # A hosting provider's outbound SpamExperts scan (real lines): the sender's, not the recipient's.
    outgoing = ("X-SpamExperts-Outgoing-Class: unsure\r\nX-SpamExperts-Outgoing-Evidence: Combined (0.87)\r\n"
                "X-Recommended-Action: accept\r\n")
    [verdict] = analyze(RECEIVED_AT_MX + outgoing + TAIL).spam_filters
    assert (verdict.filter, verdict.spam, verdict.score, verdict.trusted) == ("SpamExperts", None, 0.87, False)
    assert "outbound" in verdict.trust_reason
    assert verdict.summary == "unsure, spam probability 0.87, action: accept"
    # Mail Assure under a reseller's brand (its documentation's example), above the MX's Received.
    [branded] = analyze("X-MailAssure-Class: ham\r\nX-MailAssure-Evidence: SB/antispamcloud_com (0.0269712609549)\r\n"
                        "X-Recommended-Action: accept\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (branded.header, branded.spam, branded.score, branded.trusted) == (
        "X-MailAssure-Class", False, 0.0269712609549, True)
    [rejected] = analyze("X-SpamExperts-Class: spam\r\nX-SpamExperts-Evidence: Combined (0.99)\r\n"
                         "X-Recommended-Action: reject\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert rejected.spam is True and rejected.trusted
    # Another product's "-Class" field (real line) is not a verdict.
    assert analyze("X-LinkedIn-Class: EMAIL_REPORTS\r\nX-Recommended-Action: accept\r\n"
                   + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_kaspersky_secure_mail_gateway_status() -> None:
    # Real lines of a Kaspersky Secure Mail Gateway in front of Exchange.
    [verdict] = analyze("X-KSMG-AntiSpam-Rate: 0\r\nX-KSMG-AntiSpam-Status: not_detected\r\n"
                        "X-KSMG-AntiSpam-Method: none\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.filter, verdict.spam, verdict.score, verdict.trusted) == ("Kaspersky", False, 0.0, True)
    assert verdict.summary == "not spam, rate 0"
    [probable] = analyze("X-KLMS-AntiSpam-Status: probable_spam\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (probable.spam, probable.summary) == (True, "probably spam")
    assert analyze("X-KSMG-AntiSpam-Status: not scanned, disabled by settings\r\n"
                   + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_gmail_takeout_labels() -> None:
    # Google Takeout writes the labels first in each message of its mbox (real values).
    [spam] = analyze("X-GM-THRID: 1869546606810630444\r\nX-Gmail-Labels: Spam,Category Promotions,Unread\r\n"
                     + RECEIVED_AT_MX + TAIL).spam_filters
    assert (spam.filter, spam.spam, spam.trusted) == ("Gmail (Takeout labels)", True, True)
    assert spam.details[0][1] == "Spam, Category Promotions, Unread"
    [inbox] = analyze("X-Gmail-Labels: Inbox,\r\n Category Purchases\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert inbox.spam is False
    assert analyze("X-Gmail-Labels: Sent,Opened\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()
    # In a scan of a Takeout mailbox, the receiver's spam verdict is in each row.
    from headerscope.scan.readers import ScanInput
    from headerscope.scan.runner import ScanOptions, run_scan

    message = ("X-Gmail-Labels: Spam\r\n" + RECEIVED_AT_MX + TAIL).encode()
    [row] = run_scan([ScanInput(label="takeout", data=message)], ScanOptions(offline=True), jobs=1)
    assert row.spam == "spam"


def test_microsoft_safety_tips_and_mailbox_reasons_are_read_as_written() -> None:
    report_field = ("X-Forefront-Antispam-Report: CIP:203.0.113.9;CTRY:US;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;"
                    "H:mail.example.net;PTR:mail.example.net;CAT:NONE;SFS:(13230040);DIR:INB;SFTY:{};\r\n")
    # Outbound and ordinary mail carry an empty SFTY (real reports): no safety tip was shown.
    [plain] = analyze(MS_RECEIVED + report_field.format("") + TAIL).spam_filters
    assert "SFTY" not in [key for key, _, _ in plain.details]
    # Each documented tip in its own words.
    for value, meaning in (("9.19", "domain impersonation safety tip"), ("9.20", "user impersonation safety tip"),
                           ("9.25", "first contact safety tip")):
        [tip] = analyze(MS_RECEIVED + report_field.format(value) + TAIL).spam_filters
        assert ("SFTY", value, meaning) in tip.details
    # The mailbox's reason: the safe senders list said as such, another reason not guessed at.
    junk = ("X-Forefront-Antispam-Report: CIP:203.0.113.9;CTRY:US;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;"
            "H:mail.example.net;CAT:SPM;DIR:INB;\r\nX-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:1;auth:0;"
            "dest:J;OFR:SpamFilterAuthJ;ENG:(5062000308);\r\n")
    [verdict] = analyze(MS_RECEIVED + junk + TAIL).spam_filters
    assert dict((k, m) for k, _, m in verdict.details)["OFR"] == "the mailbox's reason for the folder it chose"
    # The finding's title cuts the summary between its parts, never inside a value.
    [flagged] = [f for f in analyze(MS_RECEIVED + junk + TAIL).findings if f.id == "spam.flagged"]
    assert flagged.title == ("Microsoft 365 judged it spam (SCL 5 (spam); SFV:SPM (spam, by spam filtering); "
                             "CAT:SPM (spam); inbound …)")


def test_barracuda_level_of_1000_is_an_action_turned_off() -> None:
    # Real line: tagging and quarantine off (1000), blocking at 9: the threshold in force is 9.
    [verdict] = analyze("X-Barracuda-Spam-Status: No, SCORE=-2.02 using global scores of TAG_LEVEL=1000.0\r\n"
                        "\tQUARANTINE_LEVEL=1000.0 KILL_LEVEL=9.0 tests=BSF_SC0_MISMATCH_TO\r\n"
                        + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.threshold, verdict.summary) == (9.0, "not spam: score -2.02 against 9 to block")


def test_rspamd_verdict_stamped_with_the_receivers_queue_id_is_the_receivers() -> None:
    # rspamd's milter at lfdr.de appends its fields at the end of the header (real lines), with
    # the queue id of the Postfix transaction that accepted the message.
    received = ("Received: from sea.lore.kernel.org (sea.lore.kernel.org [172.234.253.10]) by mail.lfdr.de "
                "(Postfix) with ESMTPS id C016D688344 for <lists@lfdr.de>; Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    tail = TAIL.replace("\r\n\r\n", "\r\nX-Rspamd-Action: no action\r\nX-Rspamd-Server: lfdr\r\n"
                                    "X-Rspamd-Queue-Id: {}\r\nX-Spamd-Result: default: False [-1.20 / 15.00];\r\n"
                                    "\tMAILLIST(-0.20)[generic]\r\n\r\n")
    [verdict] = analyze(received + tail.format("C016D688344")).spam_filters
    assert (verdict.filter, verdict.spam, verdict.trusted) == ("rspamd", False, True)
    assert "queue id" in verdict.trust_reason
    # Another id (a sender's copy of someone else's stamp): still only shown.
    [other] = analyze(received + tail.format("AB12CD34EF")).spam_filters
    assert not other.trusted


def test_an_on_premises_exchange_level_is_not_called_microsoft_365() -> None:
    # Intel's Exchange Server 2016 (real, 2020) set X-MS-Exchange-Organization-SCL: -1 with no
    # Exchange Online report anywhere: "Microsoft 365" named a service the message never met.
    report = analyze(
        "Received: from fmsmsx609.amr.corp.intel.example (10.18.126.89) by fmsmsx604.amr.corp.intel.example "
        "(10.18.126.84) with Microsoft SMTP Server (version=TLS1_2) id 15.1.1713.5 via Mailbox Transport; "
        "Mon, 2 Nov 2026 10:00:05 +0000\r\nX-MS-Exchange-Organization-SCL: -1\r\n" + TAIL)
    [verdict] = report.spam_filters
    assert verdict.filter == "Exchange Server" and verdict.spam is False
    # Exchange Server removes the organisation's fields from mail arriving from outside: where its
    # own server took the message, the level is the organisation's (heig-vd.ch's internal mail, real).
    assert verdict.trusted and verdict.trust_reason.startswith("Exchange removes X-MS-Exchange-Organization")
    other = analyze("Received: from a.example (a.example [192.0.2.1]) by mx.example.org (Postfix) with ESMTP id 1; "
                    "Mon, 2 Nov 2026 10:00:05 +0000\r\nX-MS-Exchange-Organization-SCL: -1\r\n" + TAIL)
    assert [v.trusted for v in other.spam_filters] == [False]


def test_outlook_com_consumer_verdict_keeps_its_bulk_level_and_folder() -> None:
    # Outlook.com (real 2025 fields): no X-Forefront-Antispam-Report, the level in Exchange's
    # organisation field, the bulk level and the folder in their own fields.
    report = analyze(
        "Received: from mail-ed1-f50.google.com (209.85.208.50) by MW2NAM04FT047.mail.protection.outlook.com "
        "(10.13.30.220) with Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.9388.8 "
        "via Frontend Transport; Wed, 3 Dec 2025 21:43:00 +0000\r\n"
        "X-MS-Exchange-Organization-SCL: 5\r\nX-Microsoft-Antispam: BCL:8;ARA:1444111002|3217299011;\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery:\r\n\tucf:0;jmr:0;ex:0;psp:0;auth:0;dest:J;OFR:SpamFilterAuthJ;"
        "ENG:(5062000311)(920221119095);RF:JunkEmail;\r\n" + TAIL)
    [verdict] = report.spam_filters
    assert verdict.filter == "Microsoft 365"
    details = {key: value for key, value, _ in verdict.details}
    assert (details["SCL"], details["BCL"], details["DEST"], details["OFR"]) == ("5", "8", "J", "SpamFilterAuthJ")
    # The bulk level beside the spam level: a bulk sender many complain about, filed as junk.
    assert verdict.summary == ("SCL 5 (spam); BCL 8 (bulk, many complaints); delivered to the Junk Email folder "
                               "(OFR:SpamFilterAuthJ)")
    # An outbound scan (DIR:OUT, a hybrid tenant's relay) delivers to no folder.
    outbound = analyze(
        "Received: from mail.amd.example (192.0.2.7) by mx.lists.example.org with ESMTPS id Q; "
        "Mon, 2 Nov 2026 10:00:04 +0000\r\n"
        "X-MS-Exchange-Authentication-Results: spf=pass (sender IP is 222.71.101.198)\r\n smtp.mailfrom=cixtech.com; "
        "dkim=none (message not signed)\r\n header.d=none;dmarc=bestguesspass action=none header.from=cixtech.com;\r\n"
        "X-Forefront-Antispam-Report:\r\n\tCIP:222.71.101.198;CTRY:CN;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;"
        "H:smtprelay.cixcomputing.com;PTR:InfoDomainNonexistent;CAT:NONE;DIR:OUT;SFP:1102;\r\n" + TAIL)
    [verdict] = outbound.spam_filters
    assert dict((k, m) for k, _, m in verdict.details)["SCL"] == "not spam"
    # Exchange Online's results for the tenant's outbound mail are shown, not relied on.
    kept = [r for r in outbound.recorded if r.header == "X-MS-Exchange-Authentication-Results"]
    assert [(r.method, r.result, r.trusted) for r in kept] == [
        ("spf", "pass", False), ("dkim", "none", False), ("dmarc", "bestguesspass", False)]


def test_the_receivers_level_is_kept_beside_an_earlier_tenants_report() -> None:
    # Review AQ 1 (a real 2024 phish relayed through an attacker's tenant to Outlook.com): the
    # sending tenant's outbound report arrives renamed '-Untrusted'; the consumer mailbox's own level
    # and folder are in the organisation field and the delivery field, and are the receiver's.
    report = analyze(
        "Received: from NAM12-DM6-obe.outbound.protection.outlook.com (52.102.149.11) by "
        "DM6NAM12FT011.mail.protection.outlook.com (10.13.179.20) with Microsoft SMTP Server (version=TLS1_2, "
        "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7633.15 via Frontend Transport; "
        "Mon, 2 Nov 2026 10:00:05 +0000\r\n"
        "X-MS-Exchange-Organization-SCL: 8\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery:\r\n\tucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;RF:JunkEmail;\r\n"
        "X-Forefront-Antispam-Report-Untrusted:\r\n\tCIP:185.211.101.195;CTRY:DE;LANG:en;SCL:1;SRV:;IPV:NLI;"
        "SFV:NSPM;H:b3ila.example;PTR:InfoDomainNonexistent;CAT:NONE;DIR:OUT;SFP:1102;\r\n" + TAIL)
    assert sorted((v.header, v.trusted, v.spam) for v in report.spam_filters) == [
        ("X-Forefront-Antispam-Report-Untrusted", False, False), ("X-MS-Exchange-Organization-SCL", True, True)]
    [receiver] = [v for v in report.spam_filters if v.trusted]
    assert {key: value for key, value, _ in receiver.details}["DEST"] == "J"
    assert receiver.summary.startswith("SCL 8")


def test_proofpoint_route_outbound_is_the_senders_scan() -> None:
    # Real 2025 field (a company's outgoing Proofpoint): "policy=default", "route=outbound".
    report = analyze(
        "Received: from mx0a.example.com (mx0a.example.com [192.0.2.7]) by mx.lists.example.org with ESMTPS id Q; "
        "Mon, 2 Nov 2026 10:00:04 +0000\r\n"
        "X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 suspectscore=0 spamscore=0 phishscore=0\r\n"
        " clxscore=1015 priorityscore=1501 impostorscore=0 lowpriorityscore=0\r\n adultscore=0 bulkscore=0 "
        "malwarescore=0 classifier=typeunknown authscore=0\r\n authtc= authcc= route=outbound adjust=0 reason=mlx "
        "scancount=1\r\n" + TAIL)
    [verdict] = report.spam_filters
    assert not verdict.trusted and "on the way out" in verdict.trust_reason


def test_mimecast_spam_score_and_impersonation_hits() -> None:
    # Real fields of Mimecast in front of Exchange Online (2022); one hit made up to show it.
    report = analyze(
        "Received: from relay.mimecast.com (relay.mimecast.com [192.0.2.7]) by mx.example.org with ESMTPS id Q; "
        "Mon, 2 Nov 2026 10:00:04 +0000\r\nX-Mimecast-Spam-Score: 1\r\n"
        "X-Mimecast-Impersonation-Protect: Policy=Impersonation Protection Definition;Similar Internal Domain=false;"
        "Similar Monitored External Domain=false;Custom External Domain=false;Mimecast External Domain=false;"
        "Newly Observed Domain=true;Internal User Name=false\r\n" + TAIL)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.score, verdict.threshold, verdict.spam) == ("Mimecast", 1.0, 28.0, None)
    assert verdict.summary == "spam score 1; impersonation: Newly Observed Domain"


def test_rspamds_short_x_spam_status_is_rspamds_not_spamassassins() -> None:
    # rspamd's milter_headers "x-spam-status" routine writes "No, score=8.40" (the score with two
    # decimals, "Yes" for any action but no action and greylist), here beside its queue id as a
    # hosting provider's rspamd wrote them on a phish. It was shown as SpamAssassin's "not spam"
    # at 8.4, which reads as a contradiction of SpamAssassin's 5.0 default.
    [verdict] = analyze("X-Spam-Status: No, score=8.40\r\nX-Rspam-User: \r\nX-Rspamd-Queue-Id: 4E13D1003C623\r\n"
                        "X-Rspamd-Server: rspam08\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score, verdict.threshold) == (
        "rspamd", "X-Spam-Status", False, 8.4, None)
    assert "thresholds not recorded" in verdict.summary
    # The same line without rspamd's fields is no filter's in particular: nothing in it or beside it
    # is SpamAssassin's (cPanel's, which is, has its report beside it).
    [alone] = analyze("X-Spam-Status: No, score=8.40\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert alone.filter == "spam filter (X-Spam-Status)"
    # SpamAssassin's full line beside rspamd's fields stays SpamAssassin's.
    both = analyze("X-Spam-Status: Yes, score=7.1 required=5.0 tests=BAYES_99 autolearn=no\r\n"
                   "X-Rspamd-Queue-Id: 4E13D1003C623\r\n" + RECEIVED_AT_MX + TAIL).spam_filters
    assert [(v.filter, v.spam, v.threshold) for v in both] == [("SpamAssassin", True, 5.0)]


def test_a_filter_that_wrote_only_a_score_shows_no_verdict_in_words() -> None:
    # Fastmail's "X-Spam-score: 2.3" alone: the verdict column said "?" (terminal) or "unknown".
    from headerscope.render import get_renderer

    report = analyze("X-Spam-score: 2.3\r\n" + RECEIVED_AT_MX + TAIL)
    [verdict] = report.spam_filters
    assert verdict.spam is None
    terminal = get_renderer("terminal", color=False, width=200).render(report)
    row = next(line for line in terminal.splitlines() if line.startswith("spam filter"))
    assert "│ no verdict │" in row, row
    assert ">no verdict</span>" in get_renderer("html").render(report)
    assert "| no verdict |" in get_renderer("markdown").render(report)


def test_a_claimed_verdict_says_below_which_hop_it_sits() -> None:
    # iCloud's outbound Proofpoint verdict (real, 2024) reached another receiver: "not spam" read
    # as if the recipient's gateway had scanned it. It is a claim below the sender's hop, and says so.
    import headerscope
    from headerscope.render import get_renderer

    raw = (b"Received: from outbound.pv.icloud.example (outbound.pv.icloud.example [17.42.251.10]) by mail.lfdr.example"
           b" (Postfix) with ESMTPS id 2; Mon, 2 Sep 2024 10:00:05 +0000\r\n"
           b"Received: from client.icloud.example (mr85p00im.example [17.58.23.181]) by outbound.pv.icloud.example"
           b" (Postfix) with ESMTPSA id 1; Mon, 2 Sep 2024 10:00:02 +0000\r\n"
           b"X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0 suspectscore=0\r\n"
           b"From: a@icloud.example\r\nDate: Mon, 2 Sep 2024 10:00:00 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    [verdict] = report.spam_filters
    assert not verdict.trusted
    # Below every Received its place does not tell which hop wrote it (filters that append at the
    # end of the header write there at any hop), and it names none.
    assert verdict.place == "below every Received"
    assert "its place does not tell whose verdict it is" in verdict.trust_reason
    assert "claim, below every Received" in get_renderer("terminal", color=False, width=200).render(report)
    # Between two Received fields it is below the upper one's.
    middle = raw.replace(b"X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0 suspectscore=0\r\n",
                         b"").replace(b"Received: from client", b"X-Proofpoint-Spam-Details: rule=notspam policy=default "
                                      b"score=0 spamscore=0 suspectscore=0\r\nReceived: from client")
    [verdict] = headerscope.analyze(middle, offline=True).spam_filters
    assert verdict.place == "below hop 2"
    assert verdict.trust_reason.endswith("It sits below hop 2's Received (by mail.lfdr.example, "
                                         "lfdr.example): the verdict of that server's side or an earlier one's")


def test_a_verdict_at_the_end_of_the_header_is_tied_to_the_hop_it_names() -> None:
    # Exim's ACLs append SpamAssassin's fields at the end of the header, then "X-Headers-End: <queue
    # id>" (SourceForge, real, 2024): the verdict is that hop's, not hop 1's (the sender's side).
    import headerscope
    from headerscope.render import get_renderer

    raw = (b"Received: from lists.sourceforge.example (lists.sourceforge.example [216.105.38.7]) by mx.lfdr.example"
           b" (Postfix) with ESMTPS id 3; Mon, 2 Sep 2024 10:00:09 +0000\r\n"
           b"Received: from [192.0.2.202] (helo=mx.sourceforge.example) by sfi-mx-2.v28.lw.sourceforge.example"
           b" with esmtps (Exim 4.95) id 1r8VLR-0008Nk-CK; Mon, 2 Sep 2024 10:00:05 +0000\r\n"
           b"Received: from mail202.atl271.mcdlv.example ([198.2.142.202]) by mx.sourceforge.example with ESMTP id 1;"
           b" Mon, 2 Sep 2024 10:00:02 +0000\r\n"
           b"From: a@mailchimp.example\r\nDate: Mon, 2 Sep 2024 10:00:00 +0000\r\n"
           b"X-Spam-Score: 8.5 (++++++++)\r\n"
           b"X-Spam-Report: Spam detection software, running on the system \"util-spamd-1.v13.lw.sourceforge.example\",\r\n"
           b" has analyzed this message. Content analysis details:   (8.5 points, 6.0 required)\r\n"
           b"X-Headers-End: 1r8VLR-0008Nk-CK\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.boundary_hop == 3
    verdicts = [v for v in report.spam_filters if v.header == "X-Spam-Report"]
    [verdict] = verdicts
    assert not verdict.trusted and verdict.place == "below every Received, written at hop 2"
    assert "X-Headers-End stamp after it repeats hop 2's queue id 1r8VLR-0008Nk-CK" in verdict.trust_reason
    assert "sourceforge.example's side at hop 2" in verdict.trust_reason
    assert "claim, below every Received, written at hop 2" in get_renderer("terminal", color=False,
                                                                           width=250).render(report)
    # Without the stamp, SpamAssassin's own name for its host ties it to its organisation's first hop.
    named = raw.replace(b"X-Headers-End: 1r8VLR-0008Nk-CK\r\n", b"")
    [verdict] = [v for v in headerscope.analyze(named, offline=True).spam_filters if v.header == "X-Spam-Report"]
    assert verdict.place == "below every Received, written at hop 1"
    assert "SpamAssassin names its host util-spamd-1.v13.lw.sourceforge.example" in verdict.trust_reason
    # X-Spam-Checker-Version names it too; a report's other words ("based on ...") name nothing.
    checker = named.replace(b"running on the system \"util-spamd-1.v13.lw.sourceforge.example\"",
                            b"based on mx.sourceforge.example").replace(
        b"X-Spam-Score:", b"X-Spam-Checker-Version: SpamAssassin 3.4.6 (2021-04-09) on\r\n"
                          b" util-spamd-1.v13.lw.sourceforge.example\r\nX-Spam-Score:")
    [verdict] = [v for v in headerscope.analyze(checker, offline=True).spam_filters if v.header == "X-Spam-Report"]
    assert "(X-Spam-Checker-Version)" in verdict.trust_reason
    unnamed = named.replace(b"running on the system \"util-spamd-1.v13.lw.sourceforge.example\"",
                            b"based on mx.sourceforge.example")
    [verdict] = [v for v in headerscope.analyze(unnamed, offline=True).spam_filters if v.header == "X-Spam-Report"]
    assert verdict.place == "below every Received"
    # The receiving side's own queue id in the stamp makes the verdict the receiver's: a sender
    # cannot know it in advance.
    own = raw.replace(b"X-Headers-End: 1r8VLR-0008Nk-CK", b"X-Headers-End: 1r8VZZ-0001Ab-QQ").replace(
        b"with ESMTPS id 3;", b"with ESMTPS id 1r8VZZ-0001Ab-QQ;")
    [verdict] = [v for v in headerscope.analyze(own, offline=True).spam_filters if v.header == "X-Spam-Report"]
    assert verdict.trusted and "which only the receiving side knew then" in verdict.trust_reason
    # Said once: the finding introduces it as "The receiver's own verdict: ...".
    [flagged] = [f for f in headerscope.analyze(own, offline=True).findings if f.id == "spam.flagged"]
    assert "own verdict: the receiving side's verdict" not in flagged.explanation
    # A stamp above the verdict, or one of an id no hop has, ties nothing.
    unknown = raw.replace(b"X-Headers-End: 1r8VLR-0008Nk-CK", b"X-Headers-End: 1zzzzz-0000zz-ZZ").replace(
        b"running on the system \"util-spamd-1.v13.lw.sourceforge.example\"", b"running on the system \"spamd\"")
    [verdict] = [v for v in headerscope.analyze(unknown, offline=True).spam_filters if v.header == "X-Spam-Report"]
    assert verdict.place == "below every Received"


def test_a_microsoft_or_mimecast_verdict_below_every_received_names_its_hop() -> None:
    import headerscope

    hops = (b"Received: from relay.mimecast.example (relay.mimecast.example [205.139.110.61]) by mx.example.net with "
            b"ESMTPS id 4; Mon, 2 Sep 2024 10:00:09 +0000\r\n"
            b"Received: from mail.example.org (mail.example.org [63.35.35.123]) by relay.mimecast.example with ESMTPS"
            b" id 3; Mon, 2 Sep 2024 10:00:05 +0000\r\n"
            b"Received: from client.example.org ([10.0.0.5]) by mail.example.org with ESMTPSA id 1;"
            b" Mon, 2 Sep 2024 10:00:02 +0000\r\n"
            b"From: a@example.org\r\nDate: Mon, 2 Sep 2024 10:00:00 +0000\r\n")
    mimecast = hops.replace(b"mimecast.example", b"mimecast.com") + b"X-Mimecast-Spam-Score: 2\r\n\r\nbody\r\n"
    [verdict] = headerscope.analyze(mimecast, offline=True).spam_filters
    assert verdict.place == "below every Received, written at hop 2"
    assert "it is Mimecast's field and hop 2 is Mimecast's" in verdict.trust_reason
    forefront = hops + (b"X-Forefront-Antispam-Report: CIP:63.35.35.123;CTRY:IE;LANG:en;SCL:1;SRV:;IPV:CAL;SFV:NSPM;"
                        b"H:mail.example.org;CAT:NONE;DIR:INB\r\n\r\nbody\r\n")
    [verdict] = headerscope.analyze(forefront, offline=True).spam_filters
    assert verdict.place == "below every Received, written at hop 2"
    assert "its connecting address CIP:63.35.35.123 is hop 2's client" in verdict.trust_reason


def test_gmx_and_web_de_newer_report_fields_are_read() -> None:
    # GMX's outbound filter writes "UI-OutboundReport: notjunk:1;M01:P0:..." (real, 2024), its
    # inbound twin UI-InboundReport: the same class words as X-UI-Filterresults.
    import headerscope

    raw = (b"Received: from mout.gmx.example (mout.gmx.example [212.227.17.21]) by mail.lfdr.example with ESMTPS"
           b" id 2; Mon, 2 Sep 2024 10:00:05 +0000\r\n"
           b"UI-OutboundReport: notjunk:1;M01:P0:sn+MTDIYmlA=;xo8XW6fmO\r\n"
           b"From: a@gmx.example\r\nDate: Mon, 2 Sep 2024 10:00:00 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.trusted) == (
        "GMX / WEB.DE", "UI-OutboundReport", False, False)
    assert "outbound scan" in verdict.trust_reason
    inbound = headerscope.analyze(b"UI-InboundReport: junk:10;M01:P0:abc\r\n" + raw.replace(
        b"UI-OutboundReport: notjunk:1;M01:P0:sn+MTDIYmlA=;xo8XW6fmO\r\n", b""), offline=True)
    [verdict] = inbound.spam_filters
    assert (verdict.header, verdict.spam, verdict.trusted) == ("UI-InboundReport", True, True)


def test_protons_delivery_decision_is_read_beside_its_rspamd() -> None:
    # Proton (real, 2023): rspamd said "add header" (spam), Proton delivered to the inbox anyway,
    # which answers "why did this reach my inbox?". Its fields follow its rspamd's stamp of the
    # receiving side's queue id.
    import headerscope

    raw = (b"Received: from server.4lead.example (mail.4lead.example [185.191.228.170]) by mailin022.protonmail.example"
           b" (Postfix) with ESMTPS id 4R837p2tqMz7QQ5p; Sun, 23 Jul 2023 10:00:05 +0000\r\n"
           b"From: a@4lead.example\r\nDate: Sun, 23 Jul 2023 10:00:00 +0000\r\n"
           b"X-Rspamd-Queue-Id: 4R837p2tqMz7QQ5p\r\nX-Spam: Yes\r\n"
           b"X-Pm-Spamscore: 7\r\nX-Pm-Spam-Action: inbox\r\n\r\nbody\r\n")
    [proton] = [v for v in headerscope.analyze(raw, offline=True).spam_filters if v.filter == "Proton"]
    assert (proton.spam, proton.score, proton.summary) == (False, 7.0, "delivered to the inbox (spam score 7)")
    assert proton.trusted and "X-Rspamd-Queue-Id 4R837p2tqMz7QQ5p" in proton.trust_reason
    # Another queue id: the sender's claim.
    other = raw.replace(b"X-Rspamd-Queue-Id: 4R837p2tqMz7QQ5p", b"X-Rspamd-Queue-Id: 4R0000000000000")
    [proton] = [v for v in headerscope.analyze(other, offline=True).spam_filters if v.filter == "Proton"]
    assert not proton.trusted


def test_protons_phishing_action_is_a_phishing_verdict() -> None:
    # Verification V44g, defect 2: "X-Spam: Yes" and "X-Pm-Spam-Action: phishing" beside rspamd's
    # SPOOF_DISPLAY_NAME(4.00), as a write-up of a real Proton-delivered phish quotes them, read
    # "no verdict" and "delivered to the phishing". Proton's layout: its results below the Received,
    # its rspamd's stamp of the queue id, then its action.
    import headerscope

    raw = (b"Received: from mail-ed1-f41.google.com (mail-ed1-f41.google.com [209.85.208.41]) by mailin022.protonmail.ch"
           b" (Postfix) with ESMTPS id 4N5kkT29RCz7QQ5Y for <wpx@proton.me>; Mon, 7 Nov 2022 21:24:01 +0000\r\n"
           b"Received: by mail-ed1-f41.google.com with SMTP id a1so1; Mon, 07 Nov 2022 13:23:59 -0800 (PST)\r\n"
           b"Authentication-Results: mailin022.protonmail.ch; dmarc=pass (p=none dis=none) header.from=gmail.com\r\n"
           b"From: Proton Mail Alert notification@proton.me <jbkellyjowl@gmail.com>\r\nTo: undisclosed-recipients:;\r\n"
           b"Subject: Your mailbox is full\r\nDate: Mon, 7 Nov 2022 21:23:58 +0000\r\nMessage-ID: <x1@mail.gmail.com>\r\n"
           b"X-Rspamd-Queue-Id: 4N5kkT29RCz7QQ5Y\r\n"
           b"X-Spamd-Result: default: False [4.00 / 1000.00]; SPOOF_DISPLAY_NAME(4.00)[]\r\n"
           b"X-Pm-Spamscore: 4\r\nX-Spam: Yes\r\nX-Pm-Spam-Action: phishing\r\n\r\nhttps://example.com/Mm84\r\n")
    [proton] = [v for v in headerscope.analyze(raw, offline=True).spam_filters if v.filter == "Proton"]
    assert (proton.spam, proton.score, proton.summary) == (True, 4.0, "classed as phishing (spam score 4)")
    assert proton.trusted and "X-Rspamd-Queue-Id 4N5kkT29RCz7QQ5Y" in proton.trust_reason
    assert proton.details[0] == ("X-Pm-Spam-Action", "phishing", "Proton's decision: inbox, spam, or phishing")
    # A word Proton is not known to write is shown as its action, with no verdict read from it.
    [other] = [v for v in headerscope.analyze(raw.replace(b"Action: phishing", b"Action: quarantine"),
                                              offline=True).spam_filters if v.filter == "Proton"]
    assert (other.spam, other.summary) == (None, "action quarantine (spam score 4)")


def test_canits_score_with_its_hold_threshold() -> None:
    # Roaring Penguin CanIt-PRO (real, 2020): "0.00 () [Hold at 5.00]" was no plain score, and
    # the message had no spam filter at all.
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1; "
                "Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    held = analyze(received + "X-Spam-Score: 7.25 (BAYES_99,URIBL) [Hold at 5.00]\r\n" + TAIL)
    assert [(v.filter, v.spam, v.score, v.threshold, v.rules) for v in held.spam_filters] == [
        ("CanIt", True, 7.25, 5.0, ("BAYES_99", "URIBL"))]
    clean = analyze(received + "X-Spam-Score: 0.00 () [Hold at 5.00] \r\n" + TAIL)
    assert [(v.filter, v.spam, v.summary) for v in clean.spam_filters] == [
        ("CanIt", False, "not spam: score 0 against 5 required")]


def test_a_bare_x_spam_status_yes_beside_the_flag_is_a_verdict() -> None:
    # Gravatar's message through an Exim host (real, 2024) ends "X-Spam-Flag: Yes" and
    # "X-Spam-Status: Yes": the status field silenced the flag's reader, and its own reader
    # needs a score, so the spam verdict was lost.
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1; "
                "Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    flagged = analyze("X-Spam-Flag: Yes\r\nX-Spam-Status: Yes\r\n" + received + TAIL)
    assert [(v.filter, v.spam, v.trusted) for v in flagged.spam_filters] == [("spam filter (X-Spam-Flag)", True, True)]
    alone = analyze("X-Spam-Status: Yes\r\n" + received + TAIL)
    assert [(v.filter, v.spam) for v in alone.spam_filters] == [("spam filter (X-Spam-Status)", True)]
    # SpamAssassin's full status still speaks for itself.
    full = analyze("X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=6.1 required=5.0 tests=X\r\n" + received + TAIL)
    assert [v.filter for v in full.spam_filters] == ["SpamAssassin"]


def test_googles_own_spam_and_phishing_scan() -> None:
    # Google Workspace's X-Gm-Spam and X-Gm-Phishy (real, 2024) were not read.
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1; "
                "Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    clean = analyze("X-Gm-Spam: 0\r\nX-Gm-Phishy: 0\r\n" + received + TAIL)
    assert [(v.filter, v.spam, v.trusted, v.summary) for v in clean.spam_filters] == [
        ("Google", False, True, "neither spam nor phishing (X-Gm-Spam 0, X-Gm-Phishy 0)")]
    phishy = analyze("X-Gm-Spam: 0\r\nX-Gm-Phishy: 1\r\n" + received + TAIL)
    assert [v.spam for v in phishy.spam_filters] == [True]
    # Below the receiver's Received: an earlier Google scan (the sender's side), not relied on.
    earlier = analyze(received + "X-Gm-Spam: 1\r\n" + TAIL)
    assert [v.trusted for v in earlier.spam_filters] == [False]


def test_rspamd_symbols_folded_one_per_line_without_semicolons() -> None:
    # mailcow's rspamd (2018) folded X-Spamd-Result one symbol per line with no ';' between them:
    # the symbols that explain the score (URIBL_GREY, FROM_EXCESS_QP) were all lost. The options
    # in brackets hold "name(number)" of their own (IP_SCORE's), which are no symbols, and a paste
    # may end inside a bracket.
    [verdict] = analyze("X-Rspamd-Queue-Id: E4BED1F40A9B\r\n"
                        "X-Spamd-Result: default: False [2.49 / 15.00]\r\n"
                        "\t SUBJ_EXCESS_QP(0.00)[]\r\n"
                        "\t R_DKIM_ALLOW(-0.20)[mail184.sea22.mcdlv.net]\r\n"
                        "\t URIBL_GREY(1.50)[list-manage.com.multi.uribl.com]\r\n"
                        "\t IP_SCORE(0.00)[ipnet: 148.105.0.0/17(2.29), asn: 14782(1.40), country: US(-0.07)]\r\n"
                        "\t FROM_EXCESS_QP(1.20)[]\r\n"
                        "\t ASN(0.00)[asn:14782, ipnet:148.105.0.0/17, country:US(0.1)\r\n"
                        + RECEIVED_AT_MX + TAIL).spam_filters
    assert verdict.rules == ("SUBJ_EXCESS_QP", "R_DKIM_ALLOW", "URIBL_GREY", "IP_SCORE", "FROM_EXCESS_QP", "ASN")
    # The usual form, ';' and a fold between symbols, reads the same; a ';' inside options splits nothing.
    [usual] = analyze("X-Spamd-Result: default: False [1.30 / 15.00];\r\n\tURIBL_GREY(1.50)[a;b(2.0)];\r\n"
                      "\tR_DKIM_ALLOW(-0.20)[mail184.sea22.mcdlv.net:s=k1];\r\n\tARC_NA(0.00)[]\r\n"
                      + RECEIVED_AT_MX + TAIL).spam_filters
    assert usual.rules == ("URIBL_GREY", "R_DKIM_ALLOW", "ARC_NA")


def test_rspamd_false_means_not_rejected_not_not_spam() -> None:
    # mailcow (2018, "SPAM not going to junk folder"): "default: False [10.89 / 15.00]" was shown as
    # "not spam". False is rspamd's is_spam flag, True only for the reject action (rspamd/rspamd#463):
    # 10.89 is above rspamd's default add-header score (6), so it was probably marked as spam.
    from headerscope.scan.runner import _receiver_spam_verdict

    def spamd(result: str, *more: str) -> headerscope.Report:
        return analyze("".join(more) + f"X-Spamd-Result: default: {result}; URIBL_GREY(1.50)[uribl.com]\r\n"
                       + RECEIVED_AT_MX + TAIL)

    report = spamd("False [10.89 / 15.00]")
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.spam, verdict.score, verdict.threshold, verdict.trusted) == (
        "rspamd", None, 10.89, 15.0, True)
    assert verdict.summary == ("not rejected, score 10.89 against 15 to reject; above rspamd's default add-header "
                               "score of 6, so probably marked as spam, which this field alone does not say")
    assert not any(f.id == "spam.flagged" for f in report.findings)
    assert _receiver_spam_verdict(report.spam_filters) is None  # the scan's spam column: unknown, not "not spam"
    terminal = get_renderer("terminal", color=False, width=250).render(report)
    assert "│ no verdict │" in next(line for line in terminal.splitlines() if line.startswith("rspamd"))
    # Below the default add-header score, with the default reject score: not spam.
    [low] = spamd("False [3.20 / 15.00]").spam_filters
    assert (low.spam, low.summary) == (False, "not spam (below rspamd's default thresholds), score 3.2 against 15 "
                                              "to reject")
    # A reject score lowered from its default 15: the add-header score may be lowered too.
    [lowered] = spamd("False [3.20 / 5.00]").spam_filters
    assert lowered.spam is None and lowered.summary.startswith("not rejected, score 3.2 against 5 to reject; the "
                                                               "reject score is lowered")
    # True is the reject action: spam.
    assert [v.spam for v in spamd("True [16.00 / 15.00]").spam_filters] == [True]
    # rspamd's own X-Spam-Status or X-Rspamd-Action beside it decides.
    [status] = spamd("False [10.89 / 15.00]", "X-Spam-Status: No, score=10.89\r\n").spam_filters
    assert (status.filter, status.spam, status.summary) == (
        "rspamd", False, "not spam (X-Spam-Status: No), score 10.89 against 15 to reject")
    [action] = spamd("False [10.89 / 15.00]", "X-Rspamd-Action: add header\r\n").spam_filters
    assert (action.spam, action.summary) == (True, "spam, score 10.89 against 15 to reject, action: add header")


STALWART_RESULT = ("X-Spam-Result: ARC_NA (0.00),\r\n\tDKIM_PERMFAIL (0.00),\r\n\tSPF_NA (0.00),\r\n"
                   "\tRCVD_COUNT_ZERO (0.10),\r\n\tDMARC_NA (1.00),\r\n\tRBL_SPAMCOP (4.00),\r\n"
                   "\tBAYES_SPAM (5.10),\r\n\tSPOOF_REPLYTO (6.00)\r\n")


def test_stalwarts_spam_result_and_status_are_stalwarts() -> None:
    # Stalwart (2025, "detected as spam but went to inbox"): its "X-Spam-Status: Yes, score=35.20",
    # with no required= or tests=, was labelled SpamAssassin, and the tags of its X-Spam-Result
    # that explain the score were lost. Stalwart writes both below its own Received.
    stalwart_received = ("Received: from mta.example.net (mta.example.net [192.0.2.1] (AS24940 Hetzner Online GmbH, DE))"
                         "\r\n    (using TLSv1.2 with cipher TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)\r\n"
                         "    by mx.example.org (Stalwart SMTP) with ESMTPS id 33067F682F1C0E2;\r\n"
                         "    Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    report = analyze(stalwart_received + "Authentication-Results: mx.example.org;\r\n    spf=none smtp.helo=a.example\r\n"
                     + STALWART_RESULT + "X-Spam-Status: Yes, score=16.20\r\n" + TAIL)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.score, verdict.threshold) == (
        "Stalwart", "X-Spam-Status", True, 16.2, None)
    # Its tags, the heaviest first (Stalwart lists them lowest first, the zeros ahead).
    assert verdict.rules[:4] == ("SPOOF_REPLYTO", "BAYES_SPAM", "RBL_SPAMCOP", "DMARC_NA") and len(verdict.rules) == 8
    assert ("X-Spam-Result", "SPOOF_REPLYTO 6, BAYES_SPAM 5.1, RBL_SPAMCOP 4, DMARC_NA 1, RCVD_COUNT_ZERO 0.1",
            "the tags that added to the score, the heaviest first") in verdict.details
    # Below the receiver's Received, where a sender can write the same fields: shown, not relied on.
    assert not verdict.trusted and "Stalwart (the receiving side's Received names it)" in verdict.trust_reason
    # Its Sieve scripts before 0.11 wrote the status first, and scores as they came.
    [older] = analyze("X-Spam-Status: No, score=-3.1\r\nX-Spam-Result: BAYES_HAM (-3),\r\n\tDKIM_ALLOW (-0.1)\r\n"
                      + RECEIVED_AT_MX + TAIL).spam_filters
    assert (older.filter, older.spam, older.score, older.rules, older.trusted) == (
        "Stalwart", False, -3.1, ("DKIM_ALLOW", "BAYES_HAM"), True)
    # The result alone: the score is the sum of the tags, and no verdict is written.
    [alone] = analyze(STALWART_RESULT + RECEIVED_AT_MX + TAIL).spam_filters
    assert (alone.filter, alone.header, alone.spam, alone.score) == ("Stalwart", "X-Spam-Result", None, 16.2)
    # Beside an rspamd field, Stalwart's status stays Stalwart's (rspamd writes the same short form).
    assert [(v.filter, v.spam) for v in analyze("X-Rspamd-Server: rspam01\r\n" + STALWART_RESULT
                                                + "X-Spam-Status: No, score=1.20\r\n" + RECEIVED_AT_MX
                                                + TAIL).spam_filters] == [("Stalwart", False)]
    # Another product's X-Spam-Result is not Stalwart's.
    assert analyze("X-Spam-Result: spam\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_a_bare_score_status_is_named_spamassassin_only_on_a_sign_of_it() -> None:
    bare = "X-Spam-Status: Yes, score=35.20\r\n"
    [unknown] = analyze(bare + RECEIVED_AT_MX + TAIL).spam_filters
    assert (unknown.filter, unknown.spam, unknown.score) == ("spam filter (X-Spam-Status)", True, 35.2)
    for sign in ("X-Spam-Checker-Version: SpamAssassin 4.0.0 (2022-12-14) on mx.example.org\r\n",
                 "X-Amavis-Alert: BAD HEADER SECTION, Duplicate header field: \"Date\"\r\n",
                 "X-Virus-Scanned: Debian amavisd-new at mx.example.org\r\n"):
        assert [v.filter for v in analyze(sign + bare + RECEIVED_AT_MX + TAIL).spam_filters] == ["SpamAssassin"], sign
    # required= or tests= in the line itself are SpamAssassin's.
    assert [v.filter for v in analyze("X-Spam-Status: No, score=0.1 tests=none\r\n" + RECEIVED_AT_MX
                                      + TAIL).spam_filters] == ["SpamAssassin"]


# Exim (variant=rspamd) at a hosting provider appends its fields at the end of the header; its
# X-Spam-Report is rspamd's legacy reply, quoting the milter fields (shortened from a real one, 2026).
EXIM_RSPAMD_RECEIVED = (
    "Received: from [156.70.2.177] (helo=mta.sparkpost.example) by vps-1.hosting.example with esmtps (TLS1.2)"
    " (Exim) (envelope-from <bounces@bounce.sender.example>) id 1wEefw-007zy6-JA for a@hosting.example;"
    " Sun, 19 Apr 2026 23:47:53 -0300\r\n"
    "Received: from [10.90.36.8] ([10.90.36.8]) by mta1.sparkpost.example with REST id 82/BF-49407-3D395E96;"
    " Mon, 20 Apr 2026 02:47:47 +0000\r\n")
EXIM_RSPAMD_TAIL = (
    "From: a@sender.example\r\nTo: a@hosting.example\r\nDate: Mon, 20 Apr 2026 02:47:44 +0000\r\n"
    "X-Spam-Score: 8.1\r\nX-Spam-Score-Int: 80\r\nX-Spam-Bar: ++++++++\r\n"
    "X-Spam-Report: Action: no action\r\n Symbol: FREEMAIL_REPLYTO_NEQ_FROM(2.00)\r\n"
    " X-Symbol: R_SPF_ALLOW(0.00); SPF verification allows sending [+exists:156.70.2.177._spf.sparkpost.example]\r\n"
    " Message-ID: 82.BF.49407.3D395E96@mta1.sparkpost.example\r\n"
    " X-Milter-Add: X-Rspamd-Queue-Id: {queue}\r\n X-Milter-Add: X-Rspamd-Server: eternia6\r\n"
    " X-Milter-Add: X-Spamd-Result: default: False [8.08 / 50.00];\r\n"
    " \tSUSPICIOUS_URL_IN_SUSPICIOUS_MESSAGE(3.00)[];\r\n \tFREEMAIL_REPLYTO_NEQ_FROM(2.00)[];\r\n"
    " \tMX_GOOD(0.00)[cached: smtp.sparkpost.example];\r\n \tR_DKIM_ALLOW(0.00)[sender.example:s=s1]\r\n"
    " X-Milter-Add: X-Rspamd-Action: no action\r\n X-Milter-Del: X-Rspamd-Action\r\n X-Milter-Del: X-Spamd-Result\r\n"
    "X-Spam-Flag: Yes\r\nX-Spam-Status: Yes\r\nX-ME-Content: Deliver-To=Junk\r\n"
    "Subject: ****SPAM**** Networking\r\n\r\nbody\r\n")


def test_rspamds_result_quoted_in_exims_report_and_the_flag_after_it() -> None:
    # The report no reader understood silenced X-Spam-Flag and the bare X-Spam-Status: the receiver's
    # spam verdict was lost. rspamd's result quoted in the report is rspamd's; the queue id it quotes
    # is the receiving hop's, so it and the fields Exim appended after it are the receiver's.
    report = analyze(EXIM_RSPAMD_RECEIVED + EXIM_RSPAMD_TAIL.format(queue="1wEefw-007zy6-JA"))
    assert report.boundary_hop == 2
    rspamd, flag, mailenable = report.spam_filters
    assert (rspamd.filter, rspamd.header, rspamd.spam, rspamd.score, rspamd.threshold, rspamd.trusted) == (
        "rspamd", "X-Spam-Report", False, 8.08, 50.0, True)
    assert rspamd.rules == ("SUSPICIOUS_URL_IN_SUSPICIOUS_MESSAGE", "FREEMAIL_REPLYTO_NEQ_FROM", "MX_GOOD",
                            "R_DKIM_ALLOW")
    assert rspamd.summary == "not spam, score 8.08 against 50 to reject, action: no action"
    assert "quoted in X-Spam-Report" in rspamd.trust_reason
    assert (flag.filter, flag.header, flag.spam, flag.score, flag.trusted) == (
        "spam filter (X-Spam-Flag)", "X-Spam-Flag", True, 8.1, True)
    assert flag.summary == "spam: score 8.1"
    assert "X-Spam-Report, which quotes rspamd's X-Rspamd-Queue-Id stamp of hop 2's queue id 1wEefw-007zy6-JA" \
        in flag.trust_reason
    assert (mailenable.filter, mailenable.spam, mailenable.trusted) == ("MailEnable", True, True)
    assert mailenable.summary == "marked as spam: for the Junk E-Mail folder (Deliver-To=Junk)"
    assert [f.id for f in report.findings if f.id == "spam.flagged"] == ["spam.flagged", "spam.flagged"]
    # A queue id the receiving side did not give (a sender's copy of another message's report): the
    # verdicts are only shown.
    forged = analyze(EXIM_RSPAMD_RECEIVED + EXIM_RSPAMD_TAIL.format(queue="1zzzzz-000000-ZZ"))
    assert [(v.filter, v.trusted) for v in forged.spam_filters] == [
        ("rspamd", False), ("spam filter (X-Spam-Flag)", False), ("MailEnable", False)]
    assert not [f for f in forged.findings if f.id == "spam.flagged"]


def test_a_flag_beside_a_report_no_reader_understands_is_still_read() -> None:
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1; "
                "Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    unread = "X-Spam-Report: Action: add header\r\n Symbol: BAYES_SPAM(5.10)\r\n"
    [flag] = analyze("X-Spam-Flag: YES\r\n" + unread + received + TAIL).spam_filters
    assert (flag.filter, flag.spam, flag.trusted) == ("spam filter (X-Spam-Flag)", True, True)
    [status] = analyze("X-Spam-Status: Yes\r\n" + unread + received + TAIL).spam_filters
    assert (status.filter, status.spam) == ("spam filter (X-Spam-Status)", True)
    # A bare status beside a lone score: the score with the status's yes.
    [scored] = analyze("X-Spam-Status: Yes\r\nX-Spam-Score: 8.1\r\n" + received + TAIL).spam_filters
    assert (scored.filter, scored.spam, scored.score) == ("spam filter (X-Spam-Status)", True, 8.1)
    # MailEnable's rating alone gives no verdict; its junk mark does.
    [level] = analyze("X-ME-Spam: High\r\n" + received + TAIL).spam_filters
    assert (level.filter, level.spam) == ("MailEnable", None)
    [junk] = analyze("X-ME-Content: Deliver-To= Junk\r\nX-ME-Spam: High\r\n" + received + TAIL).spam_filters
    assert (junk.spam, junk.summary) == (True, "marked as spam: for the Junk E-Mail folder (Deliver-To=Junk); "
                                               "rated High")


def test_a_subject_tagged_by_the_spam_filter_is_said_with_the_signature_it_breaks() -> None:
    import base64
    from datetime import datetime, timezone
    from unittest import mock

    import dkim
    from cryptography.hazmat.primitives import serialization

    from headerscope.dns.snapshot import SnapshotResolver

    key = (SAMPLES / "keys" / "shop.example.rsa2048.pem").read_bytes()
    der = serialization.load_pem_private_key(key, password=None).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    dns = SnapshotResolver({"s2026._domainkey.shop.example": {"TXT": [[record[i:i + 255]
                                                                       for i in range(0, len(record), 255)]]}})

    def signed(subject: str) -> bytes:
        raw = (f"From: Shop <news@shop.example>\r\nTo: carol@receiver.example\r\nSubject: {subject}\r\n"
               "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <n1@shop.example>\r\n\r\nHello.\r\n").encode()
        with mock.patch("dkim.time.time",
                        return_value=datetime(2026, 11, 2, 10, 0, 1, tzinfo=timezone.utc).timestamp()):
            field: bytes = dkim.sign(raw, b"s2026", b"shop.example", key, include_headers=[b"from", b"subject"])
        return field + raw

    received = (b"X-Spam-Flag: YES\r\nReceived: from mail.shop.example (mail.shop.example [192.0.2.40]) by "
                b"mx.receiver.example with ESMTPS id 4Q1; Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    # The receiver's filter rewrote the subject it judged spam: the signature over the sender's fails.
    rewritten = received + signed("Autumn offers").replace(b"Subject: Autumn", b"Subject: *** SPAM *** Autumn")
    report = headerscope.analyze(rewritten, resolver=dns)
    assert [d.result for d in report.dkim] == ["fail"]
    [tagged] = [f for f in report.findings if f.id == "spam.subject_tagged"]
    assert (tagged.severity.value, tagged.title, tagged.subject) == (
        "notice", "Subject tagged “*** SPAM ***” by a spam filter", "Subject")
    assert "spam filter (X-Spam-Flag) calls it spam (the receiving side's verdict)" in tagged.explanation
    assert "The DKIM signature d=shop.example (fail) covers Subject (h=)" in tagged.explanation
    # The sender's own "[SPAM]", signed: no rewrite; and no tag without a spam verdict beside it.
    sender_tagged = received + signed("[SPAM] report for October")
    assert not [f for f in headerscope.analyze(sender_tagged, resolver=dns).findings if f.id == "spam.subject_tagged"]
    unflagged = rewritten.replace(b"X-Spam-Flag: YES\r\n", b"")
    assert not [f for f in headerscope.analyze(unflagged, resolver=dns).findings if f.id == "spam.subject_tagged"]


def test_mimecast_twice_each_run_of_its_fields_is_tied_to_its_own_pass() -> None:
    # Red Hat's lists (real, 2022): Mimecast inbound at hop 1, MIMEDefang inside, then Mimecast
    # outbound at hop 5; each pass appends its fields at the end of the header, MIMEDefang stamps
    # the address of the host it ran on between them.
    received = (
        "Received: from us-smtp-delivery-124.mimecast.com (us-smtp-delivery-124.mimecast.com [170.10.133.124])"
        " by mail.lfdr.example (Postfix) with ESMTPS id 540BE5FC148; Wed, 12 Oct 2022 09:33:39 +0200\r\n"
        "Received: from mx02.redhat.example (mx3.redhat.example [66.187.233.73]) by relay.mimecast.com with ESMTP"
        " id us-mta-604-1; Wed, 12 Oct 2022 03:33:34 -0400\r\n"
        "Received: from int-mx05.redhat.example (int-mx05.redhat.example [10.11.54.5]) by mx02.redhat.example"
        " (Postfix) with ESMTPS id C31B; Wed, 12 Oct 2022 07:33:32 +0000\r\n"
        "Received: from lists.redhat.example (lists.redhat.example [10.30.29.100]) by smtp.redhat.example"
        " (Postfix) with ESMTP id 767E; Wed, 12 Oct 2022 07:33:21 +0000\r\n"
        "Received: from smtp.redhat.example (int-mx04.redhat.example [10.11.54.4]) by lists.redhat.example"
        " (Postfix) with ESMTP id B641; Tue, 11 Oct 2022 19:20:35 +0000\r\n"
        "Received: from mx02.redhat.example (mimecast01.redhat.example [10.11.55.17]) by smtp.redhat.example"
        " (Postfix) with ESMTPS id 9839; Tue, 11 Oct 2022 19:20:35 +0000\r\n"
        "Received: from us-smtp-1.mimecast.com (us-smtp-2.mimecast.com [205.139.110.61]) by mx02.redhat.example"
        " (Postfix) with ESMTPS id 761C; Tue, 11 Oct 2022 19:20:35 +0000\r\n"
        "Received: from o29.p25.mailjet.example (o29.p25.mailjet.example [185.189.236.29]) by relay.mimecast.com"
        " with ESMTP id us-mta-250-1; Tue, 11 Oct 2022 15:20:33 -0400\r\n")
    fields = ("From: a@sender.example\r\nTo: dm-devel@redhat.example\r\nDate: Tue, 11 Oct 2022 19:20:30 +0000\r\n"
              "X-Mimecast-Impersonation-Protect: Policy=CLT - Impersonation Protection Definition;"
              " Newly Observed Domain=false\r\n"
              "X-Mimecast-Bulk-Signature: yes\r\nX-Mimecast-Spam-Signature: bulk\r\n"
              "X-Scanned-By: MIMEDefang 3.1 on 10.11.54.4\r\nSubject: [dm-devel] a patch\r\n"
              "X-BeenThere: dm-devel@redhat.example\r\n"
              "X-Scanned-By: MIMEDefang 3.1 on 10.11.54.5\r\n"
              "X-Mimecast-Spam-Score: 0\r\nX-Mimecast-Originator: redhat.example\r\n\r\nbody\r\n")
    report = analyze(received + fields)
    inbound, outbound = report.spam_filters
    assert (inbound.filter, inbound.header, inbound.spam, inbound.score) == (
        "Mimecast", "X-Mimecast-Spam-Signature", None, None)
    assert inbound.summary == "no spam score; Spam-Signature: bulk; Bulk-Signature: yes"
    assert ("X-Mimecast-Bulk-Signature", "yes", "as written; Mimecast does not document this field") in inbound.details
    assert inbound.place == "below every Received, written at hop 1"
    assert "X-Scanned-By below it (“MIMEDefang 3.1 on 10.11.54.4”, hop 3) puts it at hop 3 or earlier" \
        in inbound.trust_reason
    assert (outbound.header, outbound.score, outbound.place) == (
        "X-Mimecast-Spam-Score", 0.0, "below every Received, written at hop 7")
    assert "X-Scanned-By above it (“MIMEDefang 3.1 on 10.11.54.5”, hop 5) puts it at hop 5 or later: hop 7" \
        in outbound.trust_reason
    # Without the stamps nothing tells the two passes apart: both hops are named.
    unstamped = analyze(received + fields.replace("X-Scanned-By", "X-Other"))
    assert [v.place for v in unstamped.spam_filters] == ["below every Received, written at hop 1 or hop 7"] * 2
    assert "nothing in the header tells which of them wrote it" in unstamped.spam_filters[1].trust_reason


# iCloud's gateway: its Received, then its folder decision stamped with the same id (real form).
ICLOUD_GATEWAY = ("Received: from p00-icloudmta-asmtp-us-central-1k-100-percent-10 by p139-mailgateway-smtp-68dc5445cf-"
                  "4744b (mailgateway 2634B97)\r\n with SMTP id d46c5731-b2bd-4246-beb5-8794eaaa4d6d\r\n"
                  " for <dana@icloud.example>; Wed, 23 Sep 2026 18:23:04 GMT\r\n")
ICLOUD_MX = ("Received: from mail.sender.example (mail.sender.example [198.51.100.7])\r\n by p00-icloudmta-asmtp-us-"
             "central-1k-100-percent-10 (Postfix) with ESMTPS id 9A9F318017A2\r\n for <dana@icloud.example>; "
             "Wed, 23 Sep 2026 18:23:02 +0000 (UTC)\r\n")


def test_icloud_folder_decision_is_the_receivers_when_stamped_with_its_delivery_id() -> None:
    def apple(action: str, folder: str, uuid: str) -> str:
        return (f"X-Apple-MoveToFolder: {folder} \r\nX-Apple-Action: {action}\r\nX-Apple-UUID: {uuid}\r\n")
    inbox = analyze(ICLOUD_GATEWAY + apple("MOVE_TO_FOLDER/INBOX", "INBOX", "d46c5731-b2bd-4246-beb5-8794eaaa4d6d")
                    + ICLOUD_MX + TAIL)
    [verdict] = inbox.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.trusted) == ("iCloud", "X-Apple-Action", False, True)
    assert verdict.summary == "delivered to the Inbox (MOVE_TO_FOLDER)"
    assert "X-Apple-UUID d46c5731-b2bd-4246-beb5-8794eaaa4d6d is the id" in verdict.trust_reason
    [junk] = analyze(ICLOUD_GATEWAY + apple("CLXJUNK/Junk", "Junk", "d46c5731-b2bd-4246-beb5-8794eaaa4d6d")
                     + ICLOUD_MX + TAIL).spam_filters
    assert (junk.spam, junk.trusted, junk.summary) == (True, True, "delivered to the Junk folder (CLXJUNK)")
    # Another delivery's id (copied by a sender): shown, not the receiver's.
    [copied] = analyze(ICLOUD_GATEWAY + apple("MOVE_TO_FOLDER/INBOX", "INBOX", "0f000000-0000-4000-8000-000000000000")
                       + ICLOUD_MX + TAIL).spam_filters
    assert not copied.trusted
    # Above the receiving side's Received, with the score Apple writes (no threshold published).
    [scored] = analyze(apple("JUNK/Junk", "Junk", "x") + "X-ICL-SCORE: 4.333034030041\r\n" + RECEIVED_AT_MX
                       + TAIL).spam_filters
    assert (scored.spam, scored.score, scored.threshold, scored.trusted) == (True, 4.333034030041, None, True)
    # A score below the receiving side's Received beside a trusted folder: shown, not taken.
    [below] = analyze(apple("MOVE_TO_FOLDER/INBOX", "INBOX", "x") + RECEIVED_AT_MX + "X-ICL-SCORE: 3.3\r\n"
                      + TAIL).spam_filters
    assert (below.spam, below.score, below.trusted) == (False, None, True)
    assert "X-ICL-SCORE 3.3 (not relied on)" in below.summary


def test_x_clx_spam_word_alone() -> None:
    [verdict] = analyze(RECEIVED_AT_MX + TAIL.replace("\r\n\r\n", "\r\nX-CLX-Spam: false\r\n\r\n")).spam_filters
    assert (verdict.filter, verdict.spam, verdict.trusted, verdict.place) == (
        "spam filter (X-CLX-Spam)", False, False, "below every Received")


SMEX_RECEIVED = (
    "Received: from dispatch1-us1.ppe-hosted.com ([148.163.129.52]) by mx.example.org with ESMTP id 7;"
    " Mon, 2 Mar 2020 11:29:47 -0500\r\n"
    "X-Virus-Scanned: Proofpoint Essentials engine\r\n"
    "Received: from webmail.example.com (uk.example.com [193.34.186.16]) by mx1-us1.ppe-hosted.com (PPE Hosted ESMTP"
    " Server) with ESMTPS id 457F794007C; Mon,  2 Mar 2020 16:29:45 +0000 (UTC)\r\n"
    "Received: from [10.17.20.203] (10.17.20.203) by ukex01.example.com (10.17.10.4) with Microsoft SMTP Server"
    " (TLS) id 15.0.1395.4; Mon, 2 Mar 2020 16:29:36 +0000\r\n")
SMEX_FIELDS = ("X-TM-AS-Product-Ver: SMEX-12.5.0.1300-8.5.1020-25264.003\r\n"
               "X-TM-AS-Result: No-3.849000-8.000000-10\r\n"
               "X-TM-AS-User-Approved-Sender: Yes\r\nX-TM-AS-User-Blocked-Sender: No\r\n"
               "X-TMASE-Result: 10--3.849000-8.000000\r\n"
               "X-TMASE-Version: SMEX-12.5.0.1300-8.5.1020-25264.003\r\n")


def test_trend_micro_scan_writing_both_fields_is_one_verdict_with_the_engines_signed_score() -> None:
    # ScanMail 12.5 writes "No-3.849000-8.000000-10" and, for the same scan, "10--3.849000-...":
    # two dashes mark a negative score (Trend Micro's KA-0001462), the first field drops the sign.
    report = analyze(SMEX_RECEIVED + TAIL.replace("\r\n\r\n", "\r\n" + SMEX_FIELDS + "\r\n"))
    trend = [v for v in report.spam_filters if v.filter == "Trend Micro"]
    assert len(trend) == 1
    [verdict] = trend
    assert (verdict.header, verdict.spam, verdict.score, verdict.threshold) == ("X-TM-AS-Result", False, -3.849, 8.0)
    assert verdict.summary == "not spam: score -3.849 against 8 to flag; the sender is on the Approved Senders list"
    assert ("X-TM-AS-Result score", "3.849000", "the same score without its sign (X-TM-AS-Result of this scan drops "
                                               "it)") in verdict.details
    # ScanMail for Exchange runs on the sender's Exchange server: hop 1 wrote it.
    assert verdict.place == "below every Received, written at hop 1"
    assert "ScanMail for Microsoft Exchange" in verdict.trust_reason and not verdict.trusted
    # Two scans (other versions): two verdicts, each as written.
    other = SMEX_FIELDS.replace("X-TMASE-Version: SMEX-12.5.0.1300-8.5.1020-25264.003",
                                "X-TMASE-Version: StarCloud-1.3-9.1.1023-28436.000")
    two = [v for v in analyze(SMEX_RECEIVED + TAIL.replace("\r\n\r\n", "\r\n" + other + "\r\n")).spam_filters
           if v.filter == "Trend Micro"]
    assert [(v.header, v.score) for v in two] == [("X-TM-AS-Result", 3.849), ("X-TMASE-Result", -3.849)]
    # IMSS writes the engine version two ways in the two fields of one scan ("9.0.0.1002", "9.0.1002").
    imss = ("X-TM-AS-Product-Ver: IMSVA-9.1.0.1988-8.6.0.1013-25914.001\r\nX-TM-AS-Result: No--1.233-7.0-31-10\r\n"
            "X-TMASE-Version: IMSVA-9.1.0.1988-8.6.1013-25914.001\r\nX-TMASE-Result: 10--1.233400-10.000000\r\n")
    [one] = analyze(imss + RECEIVED_AT_MX + TAIL).spam_filters
    assert (one.score, one.threshold, one.trusted) == (-1.2334, 10.0, True)


def test_proofpoint_essentials_scan_is_a_note_without_a_verdict() -> None:
    report = analyze(SMEX_RECEIVED + TAIL)
    [note] = report.spam_filters
    assert (note.filter, note.header, note.spam, note.score) == ("Proofpoint Essentials", "X-Virus-Scanned", None, None)
    assert note.summary == "scanned by Proofpoint Essentials; no verdict written"
    assert note.place == "below hop 3"
    # Other scanners' X-Virus-Scanned say only that a scanner ran: not read.
    assert analyze(RECEIVED_AT_MX + "X-Virus-Scanned: amavisd-new at example.org\r\n" + TAIL).spam_filters == ()


def test_sophos_sasi_probability_and_its_outbound_scan() -> None:
    hits = ("X-SASI-Hits: ARCAUTH_PASSED 0.000000, FROM_NAME_ONE_WORD 0.050000,\r\n MULTIPLE_RCPTS 0.100000, "
            "OUTBOUND 0.000000, OUTBOUND_SOPHOS 0.000000\r\n")
    fields = ("X-Sophos-OBS: success\r\nX-SASI-Version: Antispam-Engine: 6.0.1, AntispamData: 2025.11.9.55719\r\n"
              "X-SASI-RCODE: 200\r\nX-SASI-SpamProbability: 9%\r\n")
    [outbound] = analyze(fields + hits + RECEIVED_AT_MX + TAIL).spam_filters
    assert (outbound.filter, outbound.spam, outbound.score, outbound.threshold) == ("Sophos", False, 9.0, 50.0)
    assert not outbound.trusted and "OUTBOUND" in outbound.trust_reason
    assert outbound.rules == ("ARCAUTH_PASSED", "FROM_NAME_ONE_WORD", "MULTIPLE_RCPTS", "OUTBOUND", "OUTBOUND_SOPHOS")
    assert ("X-Sophos-OBS", "success", "as written; Sophos does not document this field") in outbound.details
    inbound = fields.replace("9%", "72%") + hits.replace(", OUTBOUND 0.000000, OUTBOUND_SOPHOS 0.000000", "")
    [verdict] = analyze(inbound + RECEIVED_AT_MX + TAIL).spam_filters
    assert (verdict.spam, verdict.score, verdict.trusted) == (True, 72.0, True)


def test_hornetsecurity_virus_scan_is_tied_to_the_host_its_disclaimer_names() -> None:
    received = ("Received: from mx-relay13-hz2.antispameurope.com (mx-relay13-hz2.antispameurope.com [83.246.65.99])"
                " by smtp.example.org (Postfix) with ESMTPS id 6E9; Mon, 8 Dec 2025 10:00:09 +0000\r\n"
                "Received: from he-nlb01-hz1.hornetsecurity.com ([94.100.132.6]) by mx-relay13-hz2.antispameurope.com;"
                " Mon, 08 Dec 2025 10:00:07 +0100\r\n"
                "Received: from pc.sender.example (host.sender.example [82.135.125.110]) by "
                "hmail-p-smtp01-out03-hz1.hornetsecurity.com (Postfix) with ESMTPSA id 4f; Mon, 8 Dec 2025 10:00:05 "
                "+0100\r\n")
    fields = ("X-cloud-security-Mailarchivtype:outbound\r\nX-cloud-security-Virusscan:CLEAN\r\n"
              "X-cloud-security-disclaimer: This E-Mail was scanned by E-Mailservice on\r\n"
              " mx-relay13-hz2.antispameurope.com with 4fGHJK21JZz3skYp\r\n")
    [verdict] = analyze(received + TAIL.replace("\r\n\r\n", "\r\n" + fields + "\r\n")).spam_filters
    assert (verdict.filter, verdict.spam, verdict.score) == ("Hornetsecurity", None, None)
    assert verdict.summary == "virus scan: CLEAN; no spam verdict written (outbound mail)"
    assert not verdict.trusted and verdict.place == "below every Received, written at hop 2"
    assert "names the host that scanned it, mx-relay13-hz2.antispameurope.com" in verdict.trust_reason


def test_a_verdict_at_the_end_naming_the_receivers_own_host_says_why_it_is_still_a_claim() -> None:
    import headerscope
    from headerscope.render import get_renderer

    # sendmail's milter appended SpamAssassin's fields at the end of the header (smfi_addheader),
    # naming the receiving host, hop 3 (the boundary). Its place cannot prove who wrote it: a
    # claim still, but not "not the receiver's" nor "already in the message when accepted".
    raw = (b"Received: from relay.isp.example (relay.isp.example [207.115.21.43]) by server.receiver.example "
           b"(8.13.1/8.13.1) with ESMTP id jAMJALV3069633 for <happy@receiver.example>; "
           b"Wed, 22 Nov 2006 13:10:21 -0600 (CST)\r\n"
           b"Received: from out.isp.example (out.isp.example [207.115.4.21]) by relay.isp.example (8.12.10/8.12.10) "
           b"with ESMTP id jAMJAbv6025207; Wed, 22 Nov 2006 14:10:19 -0500\r\n"
           b"Received: from pc.sender.example (dsl-69-150-73-42.dsl.isp.example [69.150.73.42]) by out.isp.example "
           b"(8.13.4/8.13.4) with ESMTP id jAMJA9ox178996; Wed, 22 Nov 2006 14:10:10 -0500\r\n"
           b"Date: Wed, 22 Nov 2006 13:10:09 -0600\r\nTo: happy@receiver.example\r\nFrom: Ron <ron@sender.example>\r\n"
           b"Subject: funny\r\n"
           b"X-Spam-Checker-Version: SpamAssassin 3.0.4 (2005-06-05) on\r\n\tserver.receiver.example\r\n"
           b"X-Spam-Status: No, score=-1.4 required=6.0 tests=BAYES_50,HTML_MESSAGE\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.boundary_hop == 3
    [verdict] = [v for v in report.spam_filters if v.header == "X-Spam-Status"]
    assert not verdict.trusted  # what is trusted does not change
    assert verdict.place == "appended at the end, names hop 3 (server.receiver.example), unproven"
    assert "most likely the receiver's own verdict" in verdict.trust_reason
    assert "cannot prove by its place who wrote it" in verdict.trust_reason
    assert "not the final receiver's" not in verdict.trust_reason and "already in the message" not in verdict.trust_reason
    terminal = " ".join(get_renderer("terminal", color=False, width=250).render(report).split())
    assert "claim, appended at the end, names hop 3 (server.receiver.example), unproven" in terminal


def test_expurgate_category_is_a_verdict_tied_to_the_hop_that_names_it() -> None:
    # eleven eXpurgate's fields as a German data centre's gateway appends them (review AA 01): the
    # category in X-purgate-type and again in X-purgate beside a sentence, the scan's id, and the
    # gateway's Received naming eXpurgate. Categories: http://www.eleven-security.com/e-mail-categorization.html
    received = ("Received: from localhost (localhost [127.0.0.1]) by mail.kreis.example (Postfix) with ESMTP id "
                "35593100225 for <anna@kreis.example>; Mon, 18 Sep 2017 12:00:28 +0200 (CEST)\r\n"
                "Received: from [129.143.71.87] (helo=smtp02.belwue.example) by mail.kreis.example with ESMTPS "
                "(eXpurgate 4.3.1) (envelope-from <news@vwa.example>) id 59bf993b-2f2e-c3bd5d670019-818f4757e6ab-3 "
                "for <anna@kreis.example>; Mon, 18 Sep 2017 12:00:27 +0200\r\n")
    fields = ("X-purgate-ID: 155060::1505728827-00002F2E-819A7A9B/3/4467899592\r\nX-purgate-type: bulk\r\n"
              "X-purgate-size: 150155\r\nX-purgate-Ad: Categorized by eleven eXpurgate (R) http://www.eleven.de\r\n"
              "X-purgate: bulk\r\n"
              "X-purgate: This mail is sent in bulk (visit http://www.eleven.de for further information)\r\n")
    [verdict] = analyze(received + TAIL.replace("\r\n\r\n", "\r\n" + fields + "\r\n")).spam_filters
    assert (verdict.filter, verdict.header, verdict.spam) == ("eXpurgate", "X-purgate-type", False)
    assert verdict.summary == "bulk: legitimate mass mail such as a newsletter, not spam"
    assert ("X-purgate-ID", "155060::1505728827-00002F2E-819A7A9B/3/4467899592", "the scan's id, as written") \
        in verdict.details
    assert "hop 1 names eXpurgate" in verdict.trust_reason
    # Its other categories, in X-purgate alone: spam is spam; suspect and dangerous give no spam verdict.
    for category, spam, words in (("spam", True, "spam or phishing"), ("suspect", None, "suspected"),
                                  ("bulk.advertising", False, "advertising that is not typical spam"),
                                  ("clean.bounce", False, "a bounce"), ("dangerous.virus", None, "a virus")):
        [other] = analyze(RECEIVED_AT_MX + f"X-purgate: {category}\r\n" + TAIL).spam_filters
        assert (other.filter, other.spam) == ("eXpurgate", spam) and words in other.summary
    # A sentence alone, or a word that is no category of eXpurgate's, is no verdict.
    assert analyze(RECEIVED_AT_MX + "X-purgate: This mail is considered clean\r\nX-purgate-type: nice\r\n"
                   + TAIL).spam_filters == ()


def test_expurgate_named_by_a_hop_below_the_boundary_is_a_claim_not_where_it_was_written() -> None:
    # A sender writes a Received of its own naming eXpurgate, and eXpurgate's "clean" below it
    # (verification V4 NEW-10): that hop is below the receiver's, a claim, and so is the tie.
    raw = ("Return-Path: <alerts@examplebank.com>\r\n"
           "Received: from mail.evil-host.ru (mail.evil-host.ru [203.0.113.66]) by mx1.example.org (Postfix) with "
           "ESMTP id 4F1A2B3C4D for <victim@example.org>; Mon, 10 Mar 2025 10:00:05 +0000 (UTC)\r\n"
           "Received: from smtp2.examplebank.com (smtp2.examplebank.com [198.51.100.20]) by mail.examplebank.com "
           "(eXpurgate 4.52.1) with ESMTPS id 99AA for <victim@example.org>; Mon, 10 Mar 2025 10:00:03 +0000\r\n"
           "X-purgate: clean\r\nX-purgate-type: clean\r\n"
           "X-purgate-ID: 155060::1741600003-00002F2E-819A7A9B/0/0\r\n"
           "From: Example Bank Security <alerts@examplebank.com>\r\nTo: victim@example.org\r\n"
           "Subject: Your account has been locked\r\nDate: Mon, 10 Mar 2025 09:59:50 +0000\r\n"
           "Message-ID: <20250310095950.1@examplebank.com>\r\n\r\nVerify\r\n")
    report = analyze(raw)
    assert report.boundary_hop == 2
    [verdict] = report.spam_filters
    assert not verdict.trusted
    assert verdict.place == "below every Received; hop 1, itself a claim, names eXpurgate"
    assert "written at hop" not in verdict.place and "the verdict of examplebank.com's side" not in verdict.trust_reason
    assert "below the trust boundary, a Received the sender can write" in verdict.trust_reason


def test_mailscanner_virus_scan_field() -> None:
    # MailScanner's "Mail Header = X-%org-name%-MailScanner:" with its default words (review AP, defect 9).
    report = analyze("X-Firma-MailScanner-ID: 4dA7kX2fZ1z9sQ\r\nX-Firma-MailScanner: Found to be infected\r\n"
                     + RECEIVED_AT_MX + TAIL)
    [verdict] = report.spam_filters
    assert (verdict.filter, verdict.header, verdict.spam, verdict.trusted) == (
        "MailScanner (virus scan)", "X-Firma-MailScanner", None, True)
    assert verdict.summary.startswith("virus scan: infected")
    [found] = [f for f in report.findings if f.id == "spam.virus_found"]
    assert found.severity is Severity.WARNING
    assert "replaces an infected attachment" in found.explanation
    # Clean: a scan note, no finding.
    clean = analyze("X-Firma-MailScanner: Found to be clean\r\n" + RECEIVED_AT_MX + TAIL)
    assert [v.summary for v in clean.spam_filters] == ["virus scan: clean: no virus found; no spam verdict written"]
    assert not [f for f in clean.findings if f.id == "spam.virus_found"]
    # Below the receiver's Received field a sender wrote it: a claim, no finding.
    claim = analyze(RECEIVED_AT_MX + "X-Firma-MailScanner: Found to be infected\r\n" + TAIL)
    assert [v.trusted for v in claim.spam_filters] == [False]
    assert not [f for f in claim.findings if f.id == "spam.virus_found"]
    # Words that are not MailScanner's defaults are not read.
    assert analyze("X-Firma-MailScanner: whatever\r\n" + RECEIVED_AT_MX + TAIL).spam_filters == ()


def test_mailscanner_fields_at_the_end_tied_by_their_queue_id() -> None:
    # MailScanner appends its fields at the end of the header; its -ID field repeats the queue id
    # the receiving Postfix gave the message, which no sender knows beforehand.
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org (Postfix) with ESMTP id "
                "4dA7kX2fZ1z9sQ; Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    tail = TAIL.replace("\r\n\r\n", "\r\nX-Org-MailScanner-ID: 4dA7kX2fZ1z9sQ\r\n"
                        "X-Org-MailScanner: Found to be infected\r\n\r\n")
    report = analyze(received + tail)
    [verdict] = report.spam_filters
    assert verdict.trusted and "repeats hop 1's queue id 4dA7kX2fZ1z9sQ" in verdict.trust_reason
    assert [f.id for f in report.findings if f.id == "spam.virus_found"] == ["spam.virus_found"]
    # Another queue id: the place tells nothing, a claim.
    other = analyze(received + tail.replace("X-Org-MailScanner-ID: 4dA7kX2fZ1z9sQ", "X-Org-MailScanner-ID: 9ZZZZZZZZ"))
    assert [v.trusted for v in other.spam_filters] == [False]


def test_a_senders_mailscanner_field_neither_hides_nor_fakes_the_receivers() -> None:
    # Verification V15 F1: "X-Other-MailScanner: Found to be clean" before the receiver's own
    # "X-Org-MailScanner: Found to be infected" hid it, riding on the site's ID field; and another
    # name's verdict was tied to the receiver by that ID.
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org (Postfix) with ESMTP id "
                "4dA7kX2fZ1z9sQ; Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    both = TAIL.replace("\r\n\r\n", "\r\nX-Other-MailScanner: Found to be clean\r\nX-Org-MailScanner-ID: 4dA7kX2fZ1z9sQ\r\n"
                        "X-Org-MailScanner: Found to be infected\r\n\r\n")
    report = analyze(received + both)
    assert [(v.header, v.trusted) for v in report.spam_filters] == [("X-Org-MailScanner", True)]
    assert [f.id for f in report.findings if f.id == "spam.virus_found"] == ["spam.virus_found"]
    forged = TAIL.replace("\r\n\r\n", "\r\nX-Org-MailScanner-ID: 4dA7kX2fZ1z9sQ\r\n"
                          "X-Other-MailScanner: Found to be infected\r\n\r\n")
    assert [v.trusted for v in analyze(received + forged).spam_filters] == [False]


def test_a_mailscanner_field_above_its_id_is_the_senders() -> None:
    # Verification V16 F1: the sender wrote the receiver's own field name above the receiver's
    # ID field; MailScanner appends its fields together, after the ID.
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org (Postfix) with ESMTP id "
                "4dA7kX2fZ1z9sQ; Mon, 2 Nov 2026 10:00:04 +0000\r\n")
    above = TAIL.replace("\r\n\r\n", "\r\nX-Org-MailScanner: Found to be clean\r\nX-Org-MailScanner-ID: 4dA7kX2fZ1z9sQ\r\n\r\n")
    assert [v.trusted for v in analyze(received + above).spam_filters] == [False]
