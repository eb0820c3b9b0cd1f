"""A recipient field below every Received that names another recipient than the receiving side's
own record (verification V12 N11): the record stays RCPT TO, the other value is shown beside it as
an unverified claim (Envelope.claimed_rcpt_to, a ``claimed_rcpt`` difference saying why it may
differ), in the JSON and in every renderer. It was dropped silently. Messages are built here in
the real layouts of the programs that write them: Postfix with milters appending at the end of the
header (smfi_addheader), Exim's Envelope-to, qmail's Delivered-To."""

from __future__ import annotations

import json
import time
from pathlib import Path

from timing import assert_within

from headerscope.api import analyze
from headerscope.model import Report
from headerscope.render import get_renderer
from headerscope.scan.filters import parse_expression
from headerscope.scan.readers import iter_inputs
from headerscope.scan.runner import ScanOptions, run_scan

# Postfix, final delivery by its local(8) (Delivered-To on top), with MIMEDefang as a milter:
# action_add_header appends, so its fields end the header, below every Received. One SMTP
# transaction named alice@ and cfo@; this is alice's copy.
POSTFIX_MIMEDEFANG = """\
Return-Path: <billing@vendor.example>
Delivered-To: alice@corp.example
Received: from mx1.vendor.example (mx1.vendor.example [198.51.100.20])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
\t(No client certificate requested)
\tby mail.corp.example (Postfix) with ESMTPS id 4RQx2L6kTbz9sWn;
\tTue, 14 Nov 2023 09:12:41 +0100 (CET)
Received: by mx1.vendor.example (Postfix, from userid 1001)
\tid 7C1A2E0F3; Tue, 14 Nov 2023 09:12:40 +0100 (CET)
From: Vendor Billing <billing@vendor.example>
To: alice@corp.example
Subject: Invoice 2023-1147
Date: Tue, 14 Nov 2023 09:12:40 +0100
Message-ID: <20231114081240.7C1A2E0F3@mx1.vendor.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
X-Scanned-By: MIMEDefang 3.4.1 on 10.0.0.25
X-Envelope-To: <alice@corp.example>, <cfo@corp.example>

Please find the invoice attached.
"""

# Postfix handing over to Dovecot's LDA through pipe(8) with flags=DRhu (Delivered-To, no
# X-Original-To), amavisd-milter on its smtpd: the milter saw the RCPT TO before the virtual
# alias sales@ -> alice@ was expanded, and appended it.
POSTFIX_AMAVIS_MILTER = """\
Return-Path: <news@shop.example>
Delivered-To: alice@corp.example
Received: from out3.shop.example (out3.shop.example [203.0.113.45])
\tby mail.corp.example (Postfix) with ESMTPS id 4SbT9w1Qmkz4x2F;
\tWed, 15 Nov 2023 11:02:07 +0100 (CET)
From: Shop <news@shop.example>
To: sales@corp.example
Subject: Your quote
Date: Wed, 15 Nov 2023 11:02:05 +0100
Message-ID: <q-88213@shop.example>
X-Virus-Scanned: amavisd-new at corp.example
X-Envelope-To: <sales@corp.example>

body
"""

# Exim's appendfile transport (envelope_to_add, return_path_add, delivery_date_add) writes its
# three fields on top at delivery; the sender's own block carries an Envelope-To of its choosing.
EXIM_FORGED = """\
Return-path: <support@bank-secure.example>
Envelope-to: alice@corp.example
Delivery-date: Thu, 16 Nov 2023 08:30:12 +0000
Received: from [192.0.2.77] (helo=bank-secure.example)
\tby mail.corp.example with esmtp (Exim 4.96)
\t(envelope-from <support@bank-secure.example>)
\tid 1r3ZkQ-0004Ly-1T
\tfor alice@corp.example; Thu, 16 Nov 2023 08:30:12 +0000
Envelope-To: ceo@corp.example
From: Bank <support@bank-secure.example>
To: alice@corp.example
Subject: Verify your account
Date: Thu, 16 Nov 2023 08:30:10 +0000
Message-ID: <v-1@bank-secure.example>

body
"""

# qmail with a virtual domain (control/virtualdomains "corp.example:corp.example", as vpopmail
# sets it): qmail-local writes the prefixed form in Delivered-To.
QMAIL_VIRTUAL = """\
Return-Path: <billing@vendor.example>
Delivered-To: corp.example-alice@corp.example
Received: (qmail 28631 invoked from network); 14 Nov 2023 08:12:41 -0000
Received: from mx1.vendor.example (HELO mx1.vendor.example) (198.51.100.20)
  by mail.corp.example with SMTP; 14 Nov 2023 08:12:41 -0000
From: billing@vendor.example
To: alice@corp.example
Subject: Invoice
Date: 14 Nov 2023 08:12:40 -0000
Message-ID: <i-7@vendor.example>
X-Envelope-To: alice@corp.example

body
"""


def _report(text: str) -> Report:
    return analyze(text.replace("\n", "\r\n").encode(), offline=True)


def _values(report: Report) -> list[tuple[str, str | None, str | None]]:
    return [(d.kind, d.envelope_value, d.header_value) for d in report.envelope.differences]


def _claims(report: Report) -> list[str]:
    return [d.explanation for d in report.envelope.differences if d.kind == "claimed_rcpt"]


def test_a_milters_other_recipient_is_shown_as_a_claim_beside_the_receivers_record() -> None:
    report = _report(POSTFIX_MIMEDEFANG)
    env = report.envelope
    assert env.rcpt_to == ("alice@corp.example",)
    assert env.claimed_rcpt_to == ("cfo@corp.example",)
    assert env.claimed_rcpt_to_sources == (
        "X-Envelope-To (header 13), below every Received: a milter's or the sender's",)
    [difference] = [d for d in env.differences if d.kind == "claimed_rcpt"]
    assert (difference.envelope_value, difference.header_value) == ("alice@corp.example", "cfo@corp.example")
    said = difference.explanation
    assert said.startswith("X-Envelope-To (header 13) names cfo@corp.example, not the recipient the receiving side "
                           "recorded for this delivery, alice@corp.example (Delivered-To, X-Envelope-To)")
    assert "a Bcc copy went to it" in said and "forgery" in said and "milter" in said
    assert "The same field also names a recipient the receiving side recorded" in said
    # In the JSON.
    envelope_json = json.loads(report.to_json())["envelope"]
    assert envelope_json["claimed_rcpt_to"] == ["cfo@corp.example"]
    assert envelope_json["rcpt_to"] == ["alice@corp.example"]


def test_the_claim_is_shown_by_every_renderer_beside_rcpt_to_not_as_it() -> None:
    report = _report(POSTFIX_MIMEDEFANG)
    shown = " ".join(get_renderer("terminal", width=300).render(report).split())
    assert "claimed RCPT TO cfo@corp.example (unverified, not the receiver's record) [X-Envelope-To (header 13)" in shown
    assert "RCPT TO cfo@corp.example " not in shown.replace("claimed RCPT TO cfo@corp.example", "")
    markdown = get_renderer("markdown").render(report)
    assert "**RCPT TO (envelope):** alice@corp.example\n" in markdown
    assert "**Claimed RCPT TO (unverified, not the receiver's record):** cfo@corp.example (X-Envelope-To" in markdown
    html = get_renderer("html").render(report)
    rcpt_cell = html.split("<dt>RCPT TO</dt>", 1)[1].split("</dd>", 1)[0]
    assert "alice@corp.example" in rcpt_cell and "cfo@corp.example" not in rcpt_cell
    claimed_cell = html.split("<dt>Claimed RCPT TO</dt>", 1)[1].split("</dd>", 1)[0]
    assert "<code>cfo@corp.example</code>" in claimed_cell and "unverified" in claimed_cell
    assert 'data-kind="claimed_rcpt"' in html
    # A hostile address stays text.
    hostile = _report(POSTFIX_MIMEDEFANG.replace("<cfo@corp.example>", '"<script>x</script>"@corp.example'))
    assert hostile.envelope.claimed_rcpt_to
    assert "<script>" not in get_renderer("html").render(hostile)


def test_an_address_before_the_receivers_alias_expansion_is_said_to_be_the_addressee() -> None:
    report = _report(POSTFIX_AMAVIS_MILTER)
    assert report.envelope.rcpt_to == ("alice@corp.example",)
    assert report.envelope.claimed_rcpt_to == ("sales@corp.example",)
    [said] = _claims(report)
    assert "The message is addressed to sales@corp.example (To: or Cc:)" in said
    assert "an alias, forwarding or list expansion led from it to alice@corp.example" in said


def test_a_list_address_is_said_to_be_the_lists_expansion() -> None:
    listed = POSTFIX_AMAVIS_MILTER.replace("To: sales@corp.example\n", "To: dev@lists.shop.example\n"
                                           "List-Id: <dev.lists.shop.example>\n"
                                           "List-Post: <mailto:dev@lists.shop.example>\n")
    report = _report(listed.replace("X-Envelope-To: <sales@corp.example>", "X-Envelope-To: <dev@lists.shop.example>"))
    assert report.envelope.claimed_rcpt_to == ("dev@lists.shop.example",)
    [said] = _claims(report)
    assert "is the mailing list's own address (List-Post)" in said and "a member" in said


def test_exims_envelope_to_stays_rcpt_to_and_a_forged_one_is_a_claim() -> None:
    report = _report(EXIM_FORGED)
    env = report.envelope
    assert env.rcpt_to == ("alice@corp.example",)
    assert env.claimed_rcpt_to == ("ceo@corp.example",)
    assert env.claimed_rcpt_to_sources == ("Envelope-To (header 5), below every Received: a milter's or the sender's",)
    [said] = _claims(report)
    assert "If the sender wrote it, it is a forgery" in said
    assert "ceo@corp.example is in neither To: nor Cc:, while alice@corp.example is" in said
    assert "The same field also names" not in said
    # No difference claims a Bcc to the forged address.
    assert not [d for d in env.differences if d.kind == "bcc"]


def test_qmails_virtual_domain_form_and_the_plain_address_are_one_recipient() -> None:
    report = _report(QMAIL_VIRTUAL)
    env = report.envelope
    assert env.rcpt_to == ("corp.example-alice@corp.example",)
    assert env.claimed_rcpt_to == ("alice@corp.example",)
    [said] = _claims(report)
    assert "it is the same recipient: corp.example-alice@corp.example is qmail's virtual-domain form" in said
    # Without qmail's Received the rule is not applied: the prefixed address is a mailbox of its own.
    other = _report(QMAIL_VIRTUAL.replace("Received: (qmail 28631 invoked from network); 14 Nov 2023 08:12:41 -0000\n",
                                          ""))
    assert "virtual-domain" not in _claims(other)[0]


def test_both_addressees_of_one_transaction() -> None:
    both = POSTFIX_MIMEDEFANG.replace("\nTo: alice@corp.example\n", "\nTo: alice@corp.example, cfo@corp.example\n")
    [said] = _claims(_report(both))
    assert "Both are addressees in To: or Cc:" in said


def test_a_pasted_header_without_addressees_says_who_was_addressed_is_unknown() -> None:
    pasted = POSTFIX_MIMEDEFANG.replace("\nTo: alice@corp.example\n", "\n").split("\n\n", 1)[0] + "\n"
    report = _report(pasted)
    assert report.envelope.claimed_rcpt_to == ("cfo@corp.example",)
    [said] = _claims(report)
    assert "Who was addressed is unknown" in said


def test_nothing_changes_where_the_fields_agree() -> None:
    # The same messages with the field below every Received naming the recorded recipient (or
    # without it): no claim, and the same differences and findings as without the field.
    for text, field, agreeing in (
            (POSTFIX_MIMEDEFANG, "X-Envelope-To: <alice@corp.example>, <cfo@corp.example>\n",
             "X-Envelope-To: <alice@corp.example>\n"),
            (POSTFIX_AMAVIS_MILTER, "X-Envelope-To: <sales@corp.example>\n", "X-Envelope-To: <ALICE@corp.example>\n"),
            (EXIM_FORGED, "Envelope-To: ceo@corp.example\n", "Envelope-To: alice@corp.example\n"),
            (QMAIL_VIRTUAL, "X-Envelope-To: alice@corp.example\n", "X-Envelope-To: corp.example-alice@corp.example\n")):
        assert field in text
        agreed = _report(text.replace(field, agreeing))
        without = _report(text.replace(field, ""))
        assert agreed.envelope.claimed_rcpt_to == () == agreed.envelope.claimed_rcpt_to_sources
        assert agreed.envelope.rcpt_to == without.envelope.rcpt_to
        # (Only the sources said in the words change: the field is one more place naming it, as before.)
        assert _values(agreed) == _values(without)
        assert [f.id for f in agreed.findings] == [f.id for f in without.findings]
        # The claimed one, by contrast, adds exactly its claim.
        claimed = _report(text)
        assert [value for value in _values(claimed) if value[0] != "claimed_rcpt"] == _values(without)


def test_fields_of_the_receiving_side_or_of_an_earlier_delivery_are_no_claims() -> None:
    # Above the boundary Received the field is the receiving side's own record: RCPT TO.
    above = POSTFIX_MIMEDEFANG.replace("X-Envelope-To: <alice@corp.example>, <cfo@corp.example>\n", "").replace(
        "Delivered-To: alice@corp.example\n", "Delivered-To: alice@corp.example\nX-Envelope-To: <cfo@corp.example>\n")
    env = _report(above).envelope
    assert env.claimed_rcpt_to == () and "cfo@corp.example" in env.rcpt_to
    # With a Received below it, an earlier receiver wrote it: an earlier delivery, told as such.
    earlier = POSTFIX_MIMEDEFANG.replace("X-Envelope-To: <alice@corp.example>, <cfo@corp.example>\n", "").replace(
        "Received: by mx1.vendor.example", "X-Envelope-To: <cfo@corp.example>\nReceived: by mx1.vendor.example")
    report = _report(earlier)
    assert report.envelope.claimed_rcpt_to == ()
    assert "envelope.earlier_delivery" in [f.id for f in report.findings]


def test_claims_are_bounded_and_hostile_values_are_read_safely() -> None:
    many = "".join("X-Envelope-To: " + ", ".join(f"<u{i}-{j}@corp.example>" for j in range(3000)) + "\n"
                   for i in range(60))
    text = POSTFIX_MIMEDEFANG.replace("X-Scanned-By:", many + "X-Scanned-By:")
    started = time.perf_counter()
    report = _report(text)
    assert_within(started, 60)
    env = report.envelope
    assert env.rcpt_to == ("alice@corp.example",)
    assert len(env.claimed_rcpt_to) == 50 == len(env.claimed_rcpt_to_sources)
    assert len(_claims(report)) == 5
    # One address in many fields: a few fields named, the rest counted.
    repeated = POSTFIX_MIMEDEFANG.replace("X-Scanned-By:", "X-Envelope-To: <cfo@corp.example>\n" * 8 + "X-Scanned-By:")
    [source] = _report(repeated).envelope.claimed_rcpt_to_sources
    assert source.startswith("X-Envelope-To (header 12), X-Envelope-To (header 13), X-Envelope-To (header 14) and "
                             "6 more, below every Received")
    # Non-ASCII, binary and no-address values: only addresses become claims, nothing breaks.
    odd = POSTFIX_MIMEDEFANG.replace(
        "X-Envelope-To: <alice@corp.example>, <cfo@corp.example>",
        "X-Envelope-To: <jörg@corp.example>, spam-quarantine, <\"|/bin/prog\">, =?utf-8?q?=FF?= <\x01x@\x7f>")
    env = analyze(odd.replace("\n", "\r\n").encode("utf-8") + b"\xff\xfe", offline=True).envelope
    assert "jörg@corp.example" in env.claimed_rcpt_to
    assert all("@" in claim for claim in env.claimed_rcpt_to)
    assert env.rcpt_to == ("alice@corp.example",)
    # A bidi control in a claimed address is marked in the terminal too, as in HTML and Markdown
    # (verification V24 D9: the terminal dropped it, "evil" then read reversed nowhere).
    from headerscope.render.terminal import TerminalRenderer

    bidi = POSTFIX_MIMEDEFANG.replace("<cfo@corp.example>", '<"\u202eevil"@corp.example>')
    shown = TerminalRenderer(width=200).render(_report(bidi))
    assert 'claimed RCPT TO "⟨U+202E⟩evil"@corp.example' in shown


def test_a_scan_row_carries_the_claim_and_the_filter_finds_it(tmp_path: Path) -> None:
    # "Who else did the milter see?": envelope=claimed_rcpt keeps the copies with such a claim;
    # the row's rcpt stays the receiver's record.
    box = tmp_path / "box.mbox"
    box.write_bytes(b"".join(b"From MAILER-DAEMON Tue Nov 14 09:12:42 2023\n" + text.encode() + b"\n" for text in (
        POSTFIX_MIMEDEFANG, POSTFIX_MIMEDEFANG.replace(", <cfo@corp.example>", ""))))
    rows = list(run_scan(iter_inputs([str(box)]), ScanOptions(offline=True), 1))
    assert [(row.rcpt_to, row.envelope) for row in rows] == [(("alice@corp.example",), ("claimed_rcpt",)),
                                                              (("alice@corp.example",), ())]
    assert [parse_expression("envelope=claimed_rcpt")(row) for row in rows] == [True, False]


def test_every_difference_kind_the_envelope_writes_is_a_filter_value() -> None:
    # A kind missing there is refused by --filter envelope= as a typo.
    import re

    import headerscope.envelope
    from headerscope.scan.filters import VALUES

    kinds = set(re.findall(r'kind="([a-z_]+)"', Path(headerscope.envelope.__file__).read_text(encoding="utf-8")))
    assert "claimed_rcpt" in kinds and kinds <= set(VALUES["envelope"])


# Postfix's MX took one SMTP transaction for two recipients, so its Received has no "for" clause
# (smtpd writes one only for a single recipient), and the copy was delivered by an agent writing
# no Delivered-To (Postfix's lmtp(8) to a Cyrus store). The sender's block ends with an
# X-Original-To of its own choosing, below every Received: no delivery agent writes there.
POSTFIX_NO_RECORD = """\
Return-Path: <hr@payroll-update.example>
Received: from out.payroll-update.example (out.payroll-update.example [203.0.113.61])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
\t(No client certificate requested)
\tby mx.corp.example (Postfix) with ESMTPS id 4SkQ1b2xYzz7Lm3;
\tMon, 20 Nov 2023 08:41:09 +0100 (CET)
From: HR <hr@payroll-update.example>
To: alice@corp.example
Subject: Salary adjustment
Date: Mon, 20 Nov 2023 08:41:05 +0100
Message-ID: <sa-3301@payroll-update.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
X-Original-To: ceo@corp.example

Please confirm your details.
"""


def test_a_recipient_field_below_every_received_with_no_record_of_the_receivers_is_a_claim() -> None:
    # It was read as the RCPT TO ("ceo@ received the message", a Bcc): the receiving side's own
    # field would stand on top (RFC 5321 section 4.4), so this one is the sender's or a milter's.
    for name in ("X-Original-To", "Delivered-To", "X-Envelope-To"):
        report = _report(POSTFIX_NO_RECORD.replace("X-Original-To:", f"{name}:"))
        env = report.envelope
        assert env.rcpt_to == () == env.rcpt_to_sources
        assert env.claimed_rcpt_to == ("ceo@corp.example",)
        assert env.claimed_rcpt_to_sources == (f"{name} (header 10), below every Received: a milter's or the sender's",)
        assert _values(report) == [("claimed_rcpt", None, "ceo@corp.example")]
        [said] = _claims(report)
        assert said.startswith(f"{name} (header 10) names ceo@corp.example, but the receiving side's record names no "
                               "recipient (no Delivered-To, X-Original-To or the like above its Received")
        assert "ceo@corp.example is an unverified claim, not the RCPT TO" in said
        assert "ceo@corp.example is in neither To: nor Cc:, so if a server wrote it" in said
        assert "forgery" in said and "which stays the RCPT TO" not in said
    # Addressed in To:, the likeliest reading is that addressee's delivery, still unconfirmed.
    [said] = _claims(_report(POSTFIX_NO_RECORD.replace("X-Original-To: ceo@", "X-Original-To: alice@")))
    assert "The message is addressed to alice@corp.example (To: or Cc:)" in said and "most likely" in said
    # An earlier hop's "for" shown as RCPT TO (a claim of its own) is named as what stands in.
    relayed = POSTFIX_NO_RECORD.replace(
        "From: HR", "Received: from [10.9.8.7] by out.payroll-update.example (Postfix) with ESMTPSA id 77A1\n"
                    "\tfor <alice@corp.example>; Mon, 20 Nov 2023 08:41:06 +0100 (CET)\nFrom: HR")
    report = _report(relayed)
    assert report.envelope.rcpt_to_sources == ("Received for (hop 1, a claim)",)
    assert report.envelope.claimed_rcpt_to == ("ceo@corp.example",)
    [said] = _claims(report)
    assert "names no recipient (" in said and "; RCPT TO shows alice@corp.example (Received for (hop 1, a claim))" in said


def test_the_receivers_own_record_or_a_for_clause_keeps_the_field_below_as_before() -> None:
    # The receiving side's Delivered-To on top: the record; the field below is a claim beside it.
    recorded = POSTFIX_NO_RECORD.replace("Received: from out.", "Delivered-To: alice@corp.example\nReceived: from out.")
    env = _report(recorded).envelope
    assert (env.rcpt_to, env.claimed_rcpt_to) == (("alice@corp.example",), ("ceo@corp.example",))
    assert "which stays the RCPT TO" in _claims(_report(recorded))[0]
    # The receiver's "for" naming the same address: the field below agrees with it, no claim.
    addressed = POSTFIX_NO_RECORD.replace("id 4SkQ1b2xYzz7Lm3;", "id 4SkQ1b2xYzz7Lm3\n\tfor <ceo@corp.example>;")
    env = _report(addressed).envelope
    assert env.rcpt_to == ("ceo@corp.example",) and env.claimed_rcpt_to == ()
    assert env.rcpt_to_sources == ("X-Original-To, Received for (hop 1)",)


def test_a_copy_with_no_received_and_protons_layout_keep_their_recipient() -> None:
    # A local delivery with no Received at all (maildrop writing Delivered-To only): its field is
    # the record, wherever it stands.
    local = ("Return-Path: <cron@host.corp.example>\nFrom: cron@host.corp.example\nTo: root@host.corp.example\n"
             "Subject: backup\nDate: Mon, 20 Nov 2023 03:00:01 +0100\nDelivered-To: root@host.corp.example\n\nok\n")
    env = _report(local).envelope
    assert (env.rcpt_to, env.claimed_rcpt_to) == (("root@host.corp.example",), ())
    # Proton Mail's export (real layout, 2024): its delivery fields below its own Received, its
    # X-Pm-* fields above it.
    proton = ("X-Pm-Content-Encryption: end-to-end\nX-Pm-Origin: internal\nSubject: header test\n"
              "To: Test Proton <test@proton.example>\nFrom: Dummy <dummy@proton.example>\n"
              "Date: Tue, 15 Oct 2024 07:54:39 +0000\nMessage-Id: <a1@proton.example>\nX-Pm-Spamscore: 0\n"
              "Received: from mail.protonmail.ch by mail.protonmail.ch; Tue, 15 Oct 2024 07:54:43 +0000\n"
              "X-Original-To: test@proton.example\nReturn-Path: <dummy@proton.example>\n"
              "Delivered-To: test@proton.example\n\nlorem\n")
    env = _report(proton).envelope
    assert (env.rcpt_to, env.claimed_rcpt_to) == (("test@proton.example",), ())
    # The same layout without Proton's marks above the Received is a sender's block: a claim.
    env = _report(proton.replace("X-Pm-", "X-Xx-")).envelope
    assert (env.rcpt_to, env.claimed_rcpt_to) == ((), ("test@proton.example",))


def test_a_pasted_header_says_the_part_pasted_may_have_left_the_record_out() -> None:
    pasted = POSTFIX_NO_RECORD.split("\n\n", 1)[0] + "\n"
    report = _report(pasted)
    assert report.envelope.claimed_rcpt_to == ("ceo@corp.example",) and report.envelope.rcpt_to == ()
    [said] = _claims(report)
    assert said.startswith("X-Original-To (header 10) names ceo@corp.example, but the pasted header holds no record "
                           "in which the receiving side names a recipient (the part copied may have left it out")
