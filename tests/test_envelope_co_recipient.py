"""amavisd-new's X-Envelope-To, written by the receiving side above its Received, lists every
envelope recipient of the SMTP transaction it scanned (its release notes: it "holds a complete list
of envelope recipients"; X-Envelope-To-Blocked the subset whose delivery it blocked). A second
recipient listed there was read as forwarded from the addressee beside it ("an alias or forwarding
rule at the receiver redirected the message there"): it is another RCPT TO of the same transaction.
Messages are written as Postfix with amavisd-new as its content filter writes them (port 10024 out,
10025 back), delivered by Postfix's local(8) (Delivered-To and X-Original-To on top)."""

from __future__ import annotations

import time

from timing import assert_within

from headerscope.api import analyze
from headerscope.model import Report

# One transaction from the vendor's server for alice@ and bob@ (so no "for" clause in Postfix's
# Received), scanned once by amavisd-new, then delivered as one copy per mailbox: alice's copy.
POSTFIX_AMAVIS_DELIVERED = """\
Return-Path: <billing@vendor.example>
X-Original-To: alice@corp.example
Delivered-To: alice@corp.example
Received: from localhost (localhost [127.0.0.1])
\tby mail.corp.example (Postfix) with ESMTP id 4RQx2M0c3Fz9sWq;
\tTue, 14 Nov 2023 09:12:44 +0100 (CET)
X-Virus-Scanned: Debian amavisd-new at mail.corp.example
X-Envelope-To: <alice@corp.example>, <bob@corp.example>
X-Spam-Flag: NO
X-Spam-Score: -1.9
X-Spam-Level:
X-Spam-Status: No, score=-1.9 tagged_above=-999 required=6.31
\ttests=[BAYES_00=-1.9] autolearn=ham autolearn_force=no
Received: from mail.corp.example ([127.0.0.1])
\tby localhost (mail.corp.example [127.0.0.1]) (amavisd-new, port 10024)
\twith ESMTP id cQ0d1kV3n8xA; Tue, 14 Nov 2023 09:12:42 +0100 (CET)
Received: from mx1.vendor.example (mx1.vendor.example [198.51.100.20])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
\t(No client certificate requested)
\tby mail.corp.example (Postfix) with ESMTPS id 4RQx2L6kTbz9sWn;
\tTue, 14 Nov 2023 09:12:41 +0100 (CET)
From: Vendor Billing <billing@vendor.example>
To: alice@corp.example
Subject: Invoice 2023-1147
Date: Tue, 14 Nov 2023 09:12:40 +0100
Message-ID: <20231114081240.7C1A2E0F3@mx1.vendor.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Please find the invoice attached.
"""

# The same transaction judged spam for bob@ only (a lower kill level of his): amavisd-new kept a
# copy in its quarantine mailbox, re-delivered with the null sender, with its marks on top.
AMAVIS_QUARANTINED = """\
Return-Path: <>
Delivered-To: spam-quarantine
X-Envelope-From: <billing@vendor.example>
X-Envelope-To: <alice@corp.example>, <bob@corp.example>
X-Envelope-To-Blocked: <bob@corp.example>
X-Quarantine-ID: <cQ0d1kV3n8xA>
X-Spam-Flag: YES
X-Spam-Score: 7.2
X-Spam-Level: *******
X-Spam-Status: Yes, score=7.2 tag=2 tag2=6.31 kill=6.31
\ttests=[BAYES_99=3.5, URIBL_BLACK=1.7, HTML_MESSAGE=2] autolearn=no autolearn_force=no
Received: from mail.corp.example ([127.0.0.1])
\tby localhost (mail.corp.example [127.0.0.1]) (amavisd-new, port 10024)
\twith ESMTP id cQ0d1kV3n8xA; Tue, 14 Nov 2023 09:12:42 +0100 (CET)
Received: from mx1.vendor.example (mx1.vendor.example [198.51.100.20])
\tby mail.corp.example (Postfix) with ESMTPS id 4RQx2L6kTbz9sWn;
\tTue, 14 Nov 2023 09:12:41 +0100 (CET)
From: Vendor Billing <billing@vendor.example>
To: alice@corp.example
Subject: Invoice 2023-1147
Date: Tue, 14 Nov 2023 09:12:40 +0100
Message-ID: <20231114081240.7C1A2E0F3@mx1.vendor.example>

Please find the invoice attached.
"""


def _report(text: str) -> Report:
    return analyze(text.replace("\n", "\r\n").encode(), offline=True)


def _values(report: Report) -> list[tuple[str, str | None, str | None]]:
    return [(d.kind, d.envelope_value, d.header_value) for d in report.envelope.differences]


def test_a_co_recipient_in_amavisds_list_is_another_rcpt_to_of_the_transaction_not_a_forward() -> None:
    report = _report(POSTFIX_AMAVIS_DELIVERED)
    env = report.envelope
    assert env.rcpt_to == ("alice@corp.example", "bob@corp.example")
    assert env.rcpt_to_sources == ("Delivered-To, X-Original-To, X-Envelope-To", "X-Envelope-To")
    # It read "forwarded": an alias at the receiver redirected alice@'s message to bob@.
    assert _values(report) == [("co_recipient", "bob@corp.example", "alice@corp.example")]
    [said] = [d.explanation for d in env.differences]
    assert said.startswith("bob@corp.example (X-Envelope-To) is another recipient of the same SMTP transaction, not "
                           "this copy's: the receiving side's X-Envelope-To (header 6, above its Received) lists it "
                           "with alice@corp.example")
    assert "this copy is the one for alice@corp.example (Delivered-To, X-Original-To, X-Envelope-To)" in said
    assert "amavisd-new" in said and "a Bcc copy went to it" in said and "No forward" in said
    assert not [f for f in report.findings if "forward" in f.title.lower()]


def test_this_copys_own_recipient_beside_an_addressee_in_the_list_is_a_blind_copy_not_a_forward() -> None:
    # The copy delivered to bob@, who was a Bcc: To: names alice@ only.
    bobs = POSTFIX_AMAVIS_DELIVERED.replace("X-Original-To: alice@", "X-Original-To: bob@").replace(
        "Delivered-To: alice@", "Delivered-To: bob@")
    report = _report(bobs)
    assert report.envelope.rcpt_to == ("bob@corp.example", "alice@corp.example")
    # It read "forwarded" too (bob@ not in To:, alice@ is).
    assert _values(report) == [("bcc", "bob@corp.example", "alice@corp.example")]
    [said] = [d.explanation for d in report.envelope.differences]
    assert said.startswith("bob@corp.example (Delivered-To, X-Original-To, X-Envelope-To) is an envelope recipient "
                           "not in To: or Cc:; the receiving side's X-Envelope-To (header 6, above its Received) lists "
                           "it with alice@corp.example")
    # (Verification V26 D5: this copy's own recipient was called "another RCPT TO".)
    assert "bob@corp.example, this copy's recipient, was one RCPT TO of that transaction beside the others it lists" \
        in said and "no forward from an addressee" in said


def test_a_quarantined_copy_names_the_blocked_co_recipient() -> None:
    report = _report(AMAVIS_QUARANTINED)
    env = report.envelope
    assert env.rcpt_to == ("alice@corp.example", "bob@corp.example")
    assert env.other_recipients == ("a local quarantine mailbox: spam-quarantine",)
    assert "envelope.quarantined_copy" in [f.id for f in report.findings]
    # No recipient field names the copy's own mailbox: bob@ is the transaction's Bcc, and it was
    # the one whose delivery amavisd-new blocked. It read "forwarded" from alice@.
    assert [v for v in _values(report) if v[0] != "redelivered"] == [("bcc", "bob@corp.example", "alice@corp.example")]
    [said] = [d.explanation for d in env.differences if d.kind == "bcc"]
    assert "X-Envelope-To-Blocked names it: amavisd-new blocked its delivery" in said
    # Not blocked: no such words.
    passed = AMAVIS_QUARANTINED.replace("X-Envelope-To-Blocked: <bob@corp.example>", "X-Envelope-To-Blocked: <>")
    [said] = [d.explanation for d in _report(passed).envelope.differences if d.kind == "bcc"]
    assert "X-Envelope-To-Blocked" not in said


def test_ordinary_readings_are_unchanged() -> None:
    # Both addressees in To:: nothing to explain, as before.
    both = _report(POSTFIX_AMAVIS_DELIVERED.replace("To: alice@corp.example\nSubject", "To: alice@corp.example, "
                                                    "bob@corp.example\nSubject"))
    assert _values(both) == []
    # One recipient listed (amavisd-new scanned a transaction for bob@ alone), delivered to
    # alice@: nothing says bob@ and alice@ were one transaction's, so the receiver's own
    # redirect stays the reading (To: bob@).
    single = POSTFIX_AMAVIS_DELIVERED.replace("X-Envelope-To: <alice@corp.example>, <bob@corp.example>",
                                              "X-Envelope-To: <bob@corp.example>")
    single = single.replace("To: alice@corp.example\nSubject", "To: bob@corp.example\nSubject")
    assert _values(_report(single)) == [("forwarded", "alice@corp.example", "bob@corp.example")]
    # Two Delivered-To of the receiving side without such a list: a forward inside it, as before.
    forwarded = POSTFIX_AMAVIS_DELIVERED.replace("X-Envelope-To: <alice@corp.example>, <bob@corp.example>\n", "")
    forwarded = forwarded.replace("X-Original-To: alice@corp.example\nDelivered-To: alice@corp.example\n",
                                  "Delivered-To: bob@corp.example\nDelivered-To: alice@corp.example\n")
    assert [v[0] for v in _values(_report(forwarded))] == ["forwarded"]
    # The list below every Received (a milter's or the sender's) is the claim it was.
    below = POSTFIX_AMAVIS_DELIVERED.replace("X-Envelope-To: <alice@corp.example>, <bob@corp.example>\n", "")
    below = below.replace("Content-Type: text/plain; charset=us-ascii\n", "Content-Type: text/plain; charset=us-ascii\n"
                          "X-Envelope-To: <alice@corp.example>, <bob@corp.example>\n")
    report = _report(below)
    assert (report.envelope.rcpt_to, report.envelope.claimed_rcpt_to) == (("alice@corp.example",), ("bob@corp.example",))
    assert [v[0] for v in _values(report)] == ["claimed_rcpt"]


def test_a_huge_or_hostile_list_is_bounded() -> None:
    # Each co-recipient's reading names a few of the others and counts the rest: one list of
    # 1,000 (the most read) costs no more than its 1,000 readings.
    many = ", ".join(f"<u{i}@corp.example>" for i in range(5000))
    started = time.perf_counter()
    report = _report(POSTFIX_AMAVIS_DELIVERED.replace("<alice@corp.example>, <bob@corp.example>",
                                                      f"<alice@corp.example>, {many}, <\x01x@\x7f>, <jörg@corp.example>"))
    assert_within(started, 30)
    env = report.envelope
    assert len(env.rcpt_to) == 1000
    assert {d.kind for d in env.differences} == {"co_recipient"} and len(env.differences) == 999
    assert all(len(d.explanation) < 1500 for d in env.differences)
    assert "lists it with alice@corp.example, u1@corp.example, u2@corp.example and 996 more:" in \
        env.differences[0].explanation
    # Non-ASCII and binary values read safely; only addresses are listed.
    odd = POSTFIX_AMAVIS_DELIVERED.replace("<alice@corp.example>, <bob@corp.example>",
                                           "<alice@corp.example>, <jörg@corp.example>, spam-quarantine, <\x01x@\x7f>")
    report = analyze(odd.replace("\n", "\r\n").encode("utf-8") + b"\xff\xfe", offline=True)
    assert report.envelope.rcpt_to[:2] == ("alice@corp.example", "jörg@corp.example")
    assert [d.kind for d in report.envelope.differences][:1] == ["co_recipient"]
