"""A paste with a body that the loader had to clean up (an HTML-escaped copy of a page's "show
original", a quoted paste indented by a forum): its header, once cleaned, verifies; its body is
what the page showed, not the signed bytes. A DKIM or ARC signature whose signed header fields
verify there cannot be checked for its body (body_uncheckable, as for an Outlook .msg): DMARC does
not fail for it, and the verdict rests on what the receiver recorded. A signature whose signed
header fields fail stays a failure; a stored message (byte-exact, a mail store's, a part of
another message) is judged as before."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone

import pytest
from conftest import SAMPLES, assert_dmarc_rests_on_spf_and_the_record, sign_as_example_org

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.loader import load_bytes, load_carried

FORWARDED = (SAMPLES / "forwarded-srs.eml").read_bytes()
FORWARDED_DNS = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
# The author's text, with what a page escapes ("&", "<", ">") and a line a forum's copy trims.
BODY = (b"Dear Dave,\r\nthe Q&A notes are at <https://example.org/qa?id=7&lang=en>.  \r\n"
        b"\tCarol\r\n")


def _signed(canonicalization: bytes, *, oversigned: bool = False) -> bytes:
    """forwarded-srs's transport header (a forwarder's SRS: SPF does not align with example.org)
    above a message signed by example.org with the sample's key (the one its DNS snapshot
    publishes), CR LF line ends, as received."""
    author = (b"From: Carol Dupont <carol@example.org>\r\nTo: Dave Okafor <dave@alumni.example>\r\n"
              b"Subject: Q&A notes\r\nDate: Thu, 26 Nov 2026 14:03:09 +0100\r\n"
              b"Message-ID: <qa-notes@mail.example.org>\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + BODY)
    signed = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]
    signature = sign_as_example_org(author, signed + ([b"from"] if oversigned else []),
                                    canonicalize=(canonicalization, canonicalization))
    # The Return-Path with its angle brackets, as RFC 5321 section 4.4 has the delivering server
    # write it: an HTML-escaped copy then escapes the topmost field too (loader._unescape_html).
    transport = FORWARDED[:FORWARDED.index(b"DKIM-Signature:")].replace(
        b"Return-Path: SRS0=hX4d=T3=example.org=carol@alumni.example", b"Return-Path: <SRS0=hX4d=T3=example.org=carol@alumni.example>", 1)
    return transport + signature + author


def _escaped(message: bytes) -> bytes:
    """The text of a page's HTML source that shows the message ("show original" on a web page):
    every "&", "<" and ">" written as a character reference, LF line ends."""
    return html.escape(message.decode(), quote=False).encode().replace(b"\r\n", b"\n")


def _indented(message: bytes) -> bytes:
    """A paste quoted in a forum or a ticket: every line indented by four spaces, and the spaces
    at line ends trimmed (so c=simple's body hash, RFC 6376 section 3.4.3, cannot match)."""
    return b"".join(b"    " + line.rstrip(b" ") + b"\n" for line in message.split(b"\r\n")[:-1])


def _analyze(data: bytes, source: str = "-") -> headerscope.Report:
    return headerscope.analyze(data, resolver=SnapshotResolver(FORWARDED_DNS), source=source)  # type: ignore[arg-type]


PASTES = [(b"relaxed", _escaped, "decoded HTML character references"),
          (b"simple", _escaped, "decoded HTML character references"),
          (b"simple", _indented, "removed 4 character(s) of indentation from the pasted lines")]


@pytest.mark.parametrize(("canonicalization", "paste", "step"), PASTES)
def test_a_cleaned_paste_signature_cannot_be_checked_for_its_body_and_dmarc_does_not_fail(
        canonicalization: bytes, paste: object, step: str) -> None:
    message = _signed(canonicalization)
    exact = _analyze(message, "qa.eml")  # as received it verifies
    assert exact.input.byte_exact and [(d.result, d.reason_code) for d in exact.dkim] == [("pass", "ok")]
    assert exact.dmarc is not None and exact.dmarc.result == "pass"

    assert callable(paste)
    report = _analyze(paste(message))
    assert report.input.format == "eml" and not report.input.byte_exact
    assert any(cleanup.startswith(step) for cleanup in report.input.cleanups)
    (dkim,) = report.dkim
    assert (dkim.result, dkim.reason_code, dkim.body_hash_ok) == ("neutral", "body_uncheckable", None)
    assert dkim.reason.startswith("cannot be checked from this copy: the signed header fields verify, but the body "
                                  "is a pasted copy, which a mail program's view or a web page re-spaces and "
                                  f"re-encodes as it shows the message (this paste needed clean-up to be read: {step})")
    assert "Outlook" not in dkim.reason and ".msg" not in dkim.reason
    assert_dmarc_rests_on_spf_and_the_record(report)
    compared = {c.method: c for c in report.comparison}
    assert compared["dkim"].explanation.startswith(
        "the receiver recorded dkim=pass; it cannot be re-checked from this copy: the signed header fields verify, "
        "but the body is a pasted copy")
    assert compared["dmarc"].label == "not_recomputed"
    assert report.verdict.status == "not_checked"
    assert "recorded DMARC pass for example.org at delivery" in report.verdict.summary


@pytest.mark.parametrize("canonicalization", [b"relaxed", b"simple"])
def test_a_paste_whose_signed_header_fields_fail_still_fails(canonicalization: bytes) -> None:
    message = _signed(canonicalization)
    # A signed header field changed: the header hash fails whatever the body. Not the copy's doing
    # (the clean-up gave the header back), so DMARC fails as it did before.
    changed = _analyze(_escaped(message.replace(b"Subject: Q&A notes", b"Subject: Q&A notes (urgent)")))
    assert [(d.result, d.reason_code) for d in changed.dkim] == [("neutral", "not_original")]
    assert changed.dmarc is not None and changed.dmarc.result == "fail"
    assert "dmarc.fail" in {f.id for f in changed.findings}
    assert changed.verdict.status in ("suspicious", "spoofed")
    # A From: added above the signed one (the one a reader sees): its header fields verify, but the
    # signature fails (RFC 6376 section 8.15), body aside.
    added = message.replace(b"DKIM-Signature:", b"From: Billing <billing@example.org>\r\nDKIM-Signature:", 1)
    report = _analyze(_escaped(added))
    assert [(d.result, d.reason_code) for d in report.dkim] == [("fail", "from_added")]
    assert report.dmarc is not None and report.dmarc.result == "fail"


def test_only_a_paste_gets_a_pasted_body_and_the_rest_is_judged_as_before() -> None:
    pasted = _escaped(_signed(b"relaxed"))
    assert load_bytes(pasted, source="-").uncheckable_body is not None
    # A mail store's message (a Maildir file, a mailbox entry) is the one delivered, and a part of
    # another message is that message's text: a clean-up firing on them is the sender's text, not a
    # copy's doing.
    assert load_bytes(pasted, source="cur/1.eml", from_mail_store=True).uncheckable_body is None
    carrier = load_bytes(b"From: a@example.net\nSubject: fwd\n\nsee attached\n", source="fwd.eml")
    assert load_carried(carrier, pasted, "1").uncheckable_body is None
    # A paste without a body has no body hash to excuse; a byte-exact message none to need it.
    assert load_bytes(pasted.partition(b"\n\n")[0] + b"\n", source="-").uncheckable_body is None
    assert load_bytes(_signed(b"relaxed"), source="-").uncheckable_body is None

    # The same message stored byte-exact, its body changed in the file itself (no clean-up ran):
    # a change after signing, as always.
    changed = _analyze(_signed(b"relaxed").replace(b"Q&A notes are at", b"Q&A notes moved to"), "qa.eml")
    assert changed.input.byte_exact and changed.input.cleanups == ()
    assert [(d.result, d.reason_code) for d in changed.dkim] == [("fail", "body_hash_mismatch")]
    assert changed.dmarc is not None and changed.dmarc.result == "fail"
    assert changed.verdict.status == "suspicious"
    # c=relaxed ignores the spaces a forum trims (RFC 6376 section 3.4.4): the de-indented body is
    # the signed one, and the signature passes as before; nothing is excused that need not be.
    report = _analyze(_indented(_signed(b"relaxed")))
    assert report.input.cleanups and not report.input.byte_exact
    assert [(d.result, d.reason_code, d.body_hash_ok) for d in report.dkim] == [("pass", "ok", True)]
    assert report.dmarc is not None and report.dmarc.result == "pass"


GMAIL = (b"Original message\n"
         b"Message ID\t<qa-notes@mail.example.org>\n"
         b"Created at:\tThu, Nov 26, 2026 at 2:03 PM (Delivered after 9 seconds)\n"
         b"From:\tCarol Dupont <carol@example.org>\n"
         b"To:\tdave@alumni.example\n"
         b"Subject:\tQ&A notes\n"
         b"SPF:\tPASS with IP 203.0.113.45 Learn more\n"
         b"DKIM:\t'PASS' with domain example.org Learn more\n"
         b"DMARC:\t'PASS' Learn more\n"
         b"Download original\tCopy to clipboard\t\n"
         b"\n")


def test_a_copy_of_gmails_show_original_page_is_a_pasted_body() -> None:
    # The whole page selected and copied: the summary table above the message (removed, its lines
    # read as Google's record), and the browser's copy trimmed the spaces at line ends.
    page = GMAIL + b"".join(line.rstrip(b" ") + b"\n" for line in _signed(b"simple").split(b"\r\n")[:-1])
    report = _analyze(page)
    assert report.input.format == "gmail-original" and not report.input.byte_exact
    (dkim,) = report.dkim
    assert (dkim.result, dkim.reason_code) == ("neutral", "body_uncheckable")
    assert "the body is a copy of Gmail's 'Show original' web page, which a browser's copy may re-space, not the " \
           "bytes that were signed" in dkim.reason
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert report.verdict.status == "not_checked"


def test_an_arc_message_signature_of_a_paste_is_uncheckable_as_its_dkim() -> None:
    # direct.eml as its mailbox stored it (a Return-Path on top) and a page showed it, its HTML part
    # escaped with the rest: the AMS's bh= cannot match, its seals and signed header fields verify,
    # so the chain is neutral, not broken.
    direct = b"Return-Path: <alice@example.com>\n" + (SAMPLES / "direct.eml").read_bytes()
    report = headerscope.analyze(_escaped(direct), dns_snapshot=str(SAMPLES / "direct.dns.json"),
                                 now=datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc), source="-")
    assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("neutral", "body_uncheckable")
    assert "signed header fields of the newest ARC-Message-Signature (i=1) verify" in report.arc.reason
    assert "a pasted copy" in report.arc.reason and ".msg" not in report.arc.reason
    assert "arc.chain_failed" not in {f.id for f in report.findings}


def test_the_pasted_body_names_the_clean_ups_by_their_first_words() -> None:
    from headerscope.loader import _pasted_body

    steps = ['removed the quote marks (\'> \') of a quoted paste', 'dropped 2 line(s) of prose between the header '
             'fields ("Hi team, see below")', "put an empty line before \"--b\": the header ran straight into",
             "removed 4 character(s) of indentation from the pasted lines", "removed the quote marks ('>> ')"]
    words = _pasted_body(steps, "eml").words
    assert words.endswith("(this paste needed clean-up to be read: removed the quote marks; dropped 2 line(s) of "
                          "prose between the header fields; put an empty line before; and 1 more)")
    assert "Hi team" not in words
    gmail = _pasted_body([], "gmail-original").words
    assert gmail == "a copy of Gmail's 'Show original' web page, which a browser's copy may re-space"


def _replayed_with_trigger(receiver_recorded_fail: bool) -> bytes:
    """A genuine example.org signature replayed over a swapped body, with a field the sender wrote
    that makes one of the loader's paste clean-ups fire on the stored message (a Markdown link), as
    the receiving side stored it; its Authentication-Results say what it found at delivery."""
    message = _signed(b"relaxed").replace(BODY, b"Dear Dave,\r\nplease pay the new account below.\r\n\tCarol\r\n")
    message = message.replace(b"Subject: Q&A notes\r\n",
                              b"Subject: Q&A notes\r\nX-Note: see [example.net](http://example.net/)\r\n", 1)
    if receiver_recorded_fail:
        message = message.replace(b"dkim=pass (signature was verified)", b"dkim=fail (body hash did not verify)")
        message = message.replace(b"dmarc=pass action=none", b"dmarc=fail action=oreject")
        message = message.replace(b"compauth=pass reason=100", b"compauth=fail reason=000")
    return message


def test_a_replayed_signature_over_a_swapped_body_is_not_laundered_by_a_paste_trigger() -> None:
    # The sender controls its own header fields, and can write one that makes a paste clean-up fire
    # on the message as stored (verification of this change): the copy's body then "cannot be
    # checked", DMARC is not evaluated, and the swapped body read as merely unchecked. The receiver,
    # which held the bytes it was sent, recorded the failure: that record decides the verdict.
    # A step one line fires is no sign of a copy of the whole message: the body is judged as any
    # copy's (not_original), and DMARC fails as for the message as received.
    for recorded_fail in (True, False):
        report = _analyze(_replayed_with_trigger(receiver_recorded_fail=recorded_fail), "stored.eml")
        assert report.input.cleanups  # the trigger fired
        assert [(d.result, d.reason_code) for d in report.dkim] == [("neutral", "not_original")]
        assert report.dmarc is not None and report.dmarc.result == "fail"
        assert report.verdict.status in ("suspicious", "spoofed")


def test_a_copy_that_cannot_check_the_body_under_a_recorded_dmarc_fail_is_suspicious() -> None:
    # A whole copy (here HTML-escaped) of the replayed message: its body cannot be checked, DMARC is
    # not evaluated; the receiving side, which held the bytes it was sent, recorded DMARC fail, and
    # nothing here contradicts it: that record decides the verdict, as the first words say.
    report = _analyze(_escaped(_replayed_with_trigger(receiver_recorded_fail=True)))
    assert [(d.result, d.reason_code) for d in report.dkim] == [("neutral", "body_uncheckable")]
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert report.verdict.status == "suspicious"
    assert report.verdict.summary.startswith("Suspicious: the receiving side recorded DMARC fail for example.org "
                                             "at delivery. This copy cannot re-check it: the aligned DKIM signature "
                                             "by example.org cannot be checked from this copy")
    # Where the receiver recorded a pass, the copy's unchecked body leaves the verdict unchecked.
    genuine = _analyze(_escaped(_replayed_with_trigger(receiver_recorded_fail=False)))
    assert genuine.dmarc is not None and genuine.dmarc.result == "not_checked"
    assert genuine.verdict.status == "not_checked"


def test_a_stored_message_whose_receiver_writes_no_angle_bracket_is_no_paste_for_a_senders_reference() -> None:
    # Verification V25 D1: Exchange Online writes no angle bracket in its own fields (its
    # Return-Path and Received have none), so a sender's "&lt;...&gt;" in a field of its own made the
    # HTML step fire on the stored message; a replayed signature over a swapped body then read
    # "cannot be checked". The step counts as a whole copy's only when the topmost field (the
    # receiving side's) was escaped too.

    author = (b"From: carol@example.org\r\nTo: dave@fabrikam.example\r\nSubject: Reunion dinner\r\n"
              b"Date: Thu, 26 Nov 2026 14:03:09 +0100\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: text/plain; charset=utf-8\r\n\r\nDear Dave,\r\nsee you on the 12th.\r\nCarol\r\n")
    signature = sign_as_example_org(author, [b"from", b"to", b"subject", b"date", b"mime-version", b"content-type"],
                                    canonicalize=(b"relaxed", b"relaxed"))
    header = author.split(b"\r\n\r\n", 1)[0]
    transport = (b"Received: from EX1.namprd03.prod.outlook.com (2001:db8:10b6:804:13e::7) by\r\n"
                 b" DM6PR11MB4321.namprd11.prod.outlook.com (2001:db8:10b6:5:1c0::12) with Microsoft\r\n"
                 b" SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8207.16; "
                 b"Thu, 26 Nov 2026 13:03:19 +0000\r\n"
                 b"Received: from mail.attacker.example (198.51.100.9) by\r\n"
                 b" BN8NAM12FT067.mail.protection.outlook.com (10.13.182.165) with Microsoft\r\n"
                 b" SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8207.16 via Frontend "
                 b"Transport; Thu, 26 Nov 2026 13:03:17 +0000\r\n")
    swapped = b"Dear Dave,\r\nplease wire 40,000 EUR to IBAN XX00 1234 today.\r\nCarol\r\n"
    stored = (transport + signature + header + b"\r\nX-Ticket-Ref: &lt;case 4711&gt;\r\n"
              b"Return-Path: carol@example.org\r\n\r\n" + swapped)
    report = _analyze(stored, "stored.eml")
    assert any(step.startswith("decoded HTML character references") for step in report.input.cleanups)
    assert [(d.result, d.reason_code) for d in report.dkim] == [("neutral", "not_original")]
    assert report.dmarc is not None and report.dmarc.result == "fail"
    assert report.verdict.status in ("suspicious", "spoofed")


def test_under_p_none_a_recorded_dmarc_fail_on_a_copy_reads_as_the_message_would() -> None:
    # Verification V26 D1: the message itself, failing DMARC under p=none (a list's footer, say),
    # reads "Unauthenticated"; a copy that knows less must not read harsher ("Suspicious").
    records = json.loads(json.dumps(FORWARDED_DNS))
    records["_dmarc.example.org"] = {"TXT": [["v=DMARC1; p=none"]]}
    pasted = _escaped(_replayed_with_trigger(receiver_recorded_fail=True))
    report = headerscope.analyze(pasted, resolver=SnapshotResolver(records), source="-")  # type: ignore[arg-type]
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert report.verdict.status == "unauthenticated"
    assert report.verdict.summary.startswith("Unauthenticated: the receiving side recorded DMARC fail for example.org")
    assert report.verdict.summary.endswith("example.org publishes p=none, so receivers deliver it anyway.")


def test_under_a_subdomain_policy_the_copys_verdict_names_the_policy_that_applies() -> None:
    # Verification V27 D5: From: a subdomain under "p=reject; sp=none" read "example.org publishes
    # p=none"; the policy that applies is sp=none, as the message itself says.
    records = json.loads(json.dumps(FORWARDED_DNS))
    records["_dmarc.example.org"] = {"TXT": [["v=DMARC1; p=reject; sp=none"]]}
    message = _replayed_with_trigger(receiver_recorded_fail=True)
    for old, new in ((b"carol@example.org", b"carol@news.example.org"), (b"header.from=example.org", b"header.from=news.example.org")):
        message = message.replace(old, new)
    report = headerscope.analyze(_escaped(message), resolver=SnapshotResolver(records), source="-")  # type: ignore[arg-type]
    assert report.verdict.status == "unauthenticated"
    assert "publishes p=none" not in report.verdict.summary
    assert "publishes a policy of none for this domain (sp=none: news.example.org is a subdomain" in report.verdict.summary


@pytest.mark.parametrize("record", ["v=DMARC1; p=quarantine; t=y"])
def test_under_a_testing_policy_the_copy_reads_as_the_message_would(record: str) -> None:
    # Verification V28 D5: the copy's branch looked at p= alone; t=y lowers the disposition to none
    # (RFC 9989 section 4.7), which the message itself reads as "Unauthenticated". (pct=0 did too
    # under RFC 7489 section 6.6.4; RFC 9989 removed pct=, appendix A.6.)
    records = json.loads(json.dumps(FORWARDED_DNS))
    records["_dmarc.example.org"] = {"TXT": [[record]]}
    pasted = _escaped(_replayed_with_trigger(receiver_recorded_fail=True))
    report = headerscope.analyze(pasted, resolver=SnapshotResolver(records), source="-")  # type: ignore[arg-type]
    assert report.verdict.status == "unauthenticated"
    assert "apply none instead" in report.verdict.summary or "use none instead" in report.verdict.summary
