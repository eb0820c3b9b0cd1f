"""An Outlook .msg keeps no byte-exact original (the decoded body; and with embedded messages a
multipart header of headerscope's own): a DKIM or ARC signature the rebuild breaks cannot be
checked from it, and nothing downstream (DMARC, the recorded-vs-now comparison, the verdict, a
scan row) may turn that into a failure. A failure the rebuild cannot cause stands (verification
V23, D1 and D2)."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES
from msgfile import msg_bytes

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import COPY_UNCHECKABLE_CODES, Report, UncheckableBody
from headerscope.msg import REWRITTEN_FIELDS

OUTLOOK_LINE = "\n\nSent from Outlook\n"


def _sample(name: str) -> tuple[str, str]:
    """(header, body) of a sample, the header ending in its last line's CR LF."""
    raw = (SAMPLES / f"{name}.eml").read_bytes().decode("utf-8")
    header, _, body = raw.partition("\r\n\r\n") if "\r\n\r\n" in raw else raw.partition("\n\n")
    return header + "\r\n", body


def _analyze(name: str, *, body_changed: bool, embedded: bool = False, header: str | None = None,
             snapshot: dict[str, object] | None = None) -> Report:
    """The sample ``name`` as an Outlook .msg (its own transport header and body, the body with
    Outlook's line appended when ``body_changed``), analysed with the sample's DNS snapshot."""
    sample_header, body = _sample(name)
    if body_changed:
        body = body.replace("\r\n", "\n").rstrip("\n") + OUTLOOK_LINE
    data = msg_bytes(header or sample_header, body, embedded=embedded)
    records = snapshot if snapshot is not None else json.loads((SAMPLES / f"{name}.dns.json").read_text())
    return headerscope.analyze(data, resolver=SnapshotResolver(records))  # type: ignore[arg-type]


def _ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def test_a_msg_body_that_differs_makes_dkim_uncheckable_not_dmarc_fail() -> None:
    # D1: forwarded-srs's DKIM signature is the only thing that aligns with example.org (SPF passes
    # for the forwarder); the .msg's body (Outlook's text) cannot match its body hash.
    report = _analyze("forwarded-srs", body_changed=True)
    assert report.input.format == "msg"
    (dkim,) = report.dkim
    assert (dkim.result, dkim.reason_code, dkim.body_hash_ok) == ("neutral", "body_uncheckable", None)
    assert dkim.reason.startswith("cannot be checked from this copy: the signed header fields verify")
    assert "body changed after signing" not in dkim.reason  # (it read "changed ... but not the original")
    # RFC 7489 section 6.6.2: without a verifiable DKIM result DMARC rests on SPF and the receiver's record.
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert "DMARC rests on SPF" in report.dmarc.explanation and "recorded at delivery" in report.dmarc.explanation
    assert not _ids(report) & {"dmarc.fail", "recorded.modified_after_delivery", "recorded.different"}
    compared = {c.method: c for c in report.comparison}
    assert compared["dkim"].label == "not_recomputed"
    assert "cannot be re-checked from this copy" in compared["dkim"].explanation
    assert "modified after delivery" not in compared["dkim"].explanation
    assert compared["dmarc"].label == "not_recomputed"
    # The verdict rests on what the receiver recorded, as when DNS is not available.
    assert report.verdict.status == "not_checked"
    assert "recorded DMARC pass for example.org at delivery" in report.verdict.summary

    # The same message as an .eml is judged as before, and so is one whose body changed.
    raw = (SAMPLES / "forwarded-srs.eml").read_bytes()
    records = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    report = headerscope.analyze(raw, resolver=SnapshotResolver(records))  # type: ignore[arg-type]
    assert report.dkim[0].result == "pass" and report.verdict.status == "authenticated"
    # And a .eml whose body changed after signing still fails, and DMARC with it.
    header, body = _sample("forwarded-srs")
    changed = (header + "\r\n" + body.rstrip("\r\n") + OUTLOOK_LINE.replace("\n", "\r\n")).encode()
    report = headerscope.analyze(changed, resolver=SnapshotResolver(records))  # type: ignore[arg-type]
    assert (report.dkim[0].result, report.dkim[0].reason_code) == ("fail", "body_hash_mismatch")
    assert report.dmarc is not None and report.dmarc.result == "fail" and "dmarc.fail" in _ids(report)

    # A failure the rebuild cannot cause still counts.
    # A signed field the .msg keeps as received (Subject) changed: the header hash fails for that,
    # not for the rebuild; DKIM stays "not the original" as on any copy, DMARC fails as before.
    header, _ = _sample("forwarded-srs")
    assert "Subject: Reunion dinner" in header
    report = _analyze("forwarded-srs", body_changed=True, header=header.replace("Subject: Reunion dinner",
                                                                                "Subject: Reunion lunch"))
    (dkim,) = report.dkim
    assert (dkim.result, dkim.reason_code) == ("neutral", "not_original")
    assert report.dmarc is not None and report.dmarc.result == "fail" and "dmarc.fail" in _ids(report)
    # A key that is not published is a failure whatever the body.
    records = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    key = next(name for name in records if "._domainkey." in name)
    report = _analyze("forwarded-srs", body_changed=True, snapshot={k: v for k, v in records.items() if k != key})
    assert report.dkim[0].reason_code not in COPY_UNCHECKABLE_CODES and report.dkim[0].result in ("fail", "permerror")


def test_an_arc_message_signature_body_hash_is_uncheckable_on_a_msg_as_dkims() -> None:
    # RFC 8617 section 5.2 verifies an AMS as a DKIM signature: its bh= cannot match Outlook's body.
    report = _analyze("direct", body_changed=True)
    assert report.arc is not None
    assert (report.arc.result, report.arc.reason_code) == ("neutral", "body_uncheckable")
    assert [(i.seal_result, i.signature_result) for i in report.arc.instances] == [("pass", "neutral")]
    assert "signed header fields of the newest ARC-Message-Signature (i=1) verify" in report.arc.reason
    assert "arc.chain_failed" not in _ids(report)
    # DMARC passes on SPF, which aligns; the DKIM row says why the signature was not checked.
    assert report.dmarc is not None and report.dmarc.result == "pass"
    assert report.verdict.status == "authenticated"
    assert report.dkim[0].reason_code == "body_uncheckable"

    # The control: header and body byte-identical, no attachment, so nothing rebuilt matters.
    report = _analyze("direct", body_changed=False)
    assert [(s.result, s.reason_code) for s in report.dkim] == [("pass", "ok")]
    assert report.arc is not None and report.arc.result == "pass"
    assert report.verdict.status == "authenticated"

    # ARC: a changed signed field fails the AMS over its header fields too, body aside.
    header, _ = _sample("direct")
    changed = header.replace("Subject: ", "Subject: Re: ", 1)
    report = _analyze("direct", body_changed=True, header=changed)
    assert report.arc is not None and report.arc.result == "fail" and "arc.chain_failed" in _ids(report)


def test_a_mailing_list_msg_keeps_the_verdict_of_its_eml() -> None:
    # The list's ARC chain (its seals validate; the newest AMS's signed fields verify) and the
    # receiver's recorded override are what the .eml is judged by; the .msg's body changes nothing.
    eml = headerscope.analyze((SAMPLES / "mailing-list.eml").read_bytes(), resolver=SnapshotResolver(
        json.loads((SAMPLES / "mailing-list.dns.json").read_text())))  # type: ignore[arg-type]
    report = _analyze("mailing-list", body_changed=True)
    assert report.arc is not None and report.arc.result == "neutral"
    assert report.verdict.status == eml.verdict.status == "vouched"
    assert not _ids(report) & {"arc.chain_failed", "recorded.modified_after_delivery"}
    from headerscope.scan.runner import summarize

    row = summarize(1, "list.msg", report)
    # `scan --fail-on arc=fail` and its failing reasons do not pick it out.
    assert row.arc == "neutral" and "arc.chain_failed" not in row.failing_reasons
    compared = {c.method: c for c in report.comparison}
    assert compared["arc"].label == "not_recomputed" and "cannot be re-checked from this copy" in compared["arc"].explanation


def test_a_signature_over_the_fields_the_rebuild_writes_is_verified_with_the_ones_the_msg_keeps() -> None:
    # D2: direct.eml's header and body byte for byte, plus an embedded message: the rebuild writes
    # its own MIME-Version and Content-Type, which the signature signs (h=). The transport headers
    # keep the received ones, and the signed header fields verify with them: only the body is unknown.
    report = _analyze("direct", body_changed=False, embedded=True)
    assert any("embedded message(s) rebuilt" in note for note in report.input.cleanups)
    (dkim,) = report.dkim
    assert {"mime-version", "content-type"} <= set(dkim.signed_headers)
    assert (dkim.result, dkim.reason_code, dkim.body_hash_ok) == ("neutral", "body_uncheckable", None)
    assert dkim.reason.startswith("cannot be checked from this copy: the signed header fields verify, with the "
                                  "MIME-Version, Content-Type and Content-Transfer-Encoding the .msg keeps in its "
                                  "transport headers")
    assert "changed since signing" not in dkim.reason
    compared = {c.method: c for c in report.comparison}
    assert compared["dkim"].label == "not_recomputed"
    assert "modified after delivery" not in compared["dkim"].explanation
    assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("neutral", "body_uncheckable")
    assert "ARC-Message-Signature (i=1) verify, with the MIME-Version and Content-Type the .msg keeps" in report.arc.reason
    assert not _ids(report) & {"arc.chain_failed", "recorded.modified_after_delivery", "dkim.headers_changed"}
    assert report.verdict.status == "authenticated"  # SPF aligns


@pytest.mark.parametrize("embedded", [False, True])
def test_a_forged_subject_fails_dkim_and_dmarc_with_or_without_an_embedded_message(embedded: bool) -> None:
    # Verification V24: a forger changes the Subject of a genuinely signed message and saves it as a
    # .msg. With an embedded message the rebuild writes MIME fields of its own, which the signature
    # signs; that excused the header mismatch ("the rebuild changed them"), and DMARC and the verdict
    # read "not checked". Verified with the fields the .msg keeps, the header hash fails on the Subject.
    header, _ = _sample("forwarded-srs")
    forged = header.replace("Subject: Reunion dinner on 12 December",
                            "Subject: Urgent: new bank details for the reunion deposit")
    assert forged != header
    report = _analyze("forwarded-srs", body_changed=False, embedded=embedded, header=forged)
    (dkim,) = report.dkim
    assert {"mime-version", "content-type", "subject"} <= set(dkim.signed_headers)
    assert (dkim.result, dkim.reason_code) == ("neutral", "not_original")
    assert report.dmarc is not None and report.dmarc.result == "fail" and "dmarc.fail" in _ids(report)
    assert report.verdict.status in ("spoofed", "suspicious")
    assert "cannot be checked from this copy" not in report.verdict.summary
    # The body hash of a .msg cannot match (its body is Outlook's text): the failure is the header's,
    # never "the body changed too", which the comparison read as a change after delivery.
    assert "the body changed too" not in dkim.reason and dkim.body_hash_ok is not False
    assert "recorded.modified_after_delivery" not in _ids(report)

    # The genuine message with an embedded message: its header verifies, its body cannot be checked,
    # so DMARC rests on SPF and the receiver's record (not checked), and does not fail.
    report = _analyze("forwarded-srs", body_changed=False, embedded=embedded)
    assert [(s.result, s.reason_code) for s in report.dkim] == [("neutral", "body_uncheckable")] if embedded \
        else [("pass", "ok")]
    assert report.dmarc is not None and report.dmarc.result != "fail" and "dmarc.fail" not in _ids(report)


def test_a_forged_subject_fails_the_arc_message_signature_of_a_msg_with_an_embedded_message() -> None:
    # The same for ARC: the newest AMS signs Subject, MIME-Version and Content-Type; verified with the
    # fields the .msg keeps, the changed Subject fails it, as without an embedded message.
    header, _ = _sample("direct")
    forged = header.replace("Subject: ", "Subject: URGENT wire transfer - ", 1)
    for embedded in (False, True):
        report = _analyze("direct", body_changed=False, embedded=embedded, header=forged)
        assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("fail", "invalid")
        assert "arc.chain_failed" in _ids(report)
        assert [(s.result, s.reason_code) for s in report.dkim] == [("neutral", "not_original")]


@pytest.mark.parametrize("embedded", [False, True])
def test_rewritten_fields_come_from_the_rebuild_notes(embedded: bool) -> None:
    from headerscope.loader import load_bytes

    header, body = _sample("direct")
    loaded = load_bytes(msg_bytes(header, body, embedded=embedded))
    # With an embedded message: the transport headers as the .msg keeps them, whose own MIME fields
    # a signature over the rebuild's is verified with.
    received = (header.rstrip("\r\n") + "\r\n\r\n").encode() if embedded else None
    assert loaded.uncheckable_body == UncheckableBody("the decoded text Outlook keeps in a .msg",
                                                      REWRITTEN_FIELDS if embedded else (), received)
    assert load_bytes((SAMPLES / "direct.eml").read_bytes()).uncheckable_body is None


def test_a_signature_over_the_rewritten_fields_verifies_only_with_the_received_ones() -> None:
    # A signature over fields the rebuild wrote is verified over the header the rebuild started
    # from: it verifies when those are the signed ones, and fails as on any copy otherwise (another
    # value, their order changed, or no header known).
    from test_dkim import MESSAGE, NOW, rsa_dns, rsa_key, sign

    from headerscope.auth.dkim import check_dkim
    from headerscope.message import parse_message

    def checked(raw: bytes, received: bytes | None) -> tuple[str, str]:
        uncheckable = UncheckableBody("the decoded text Outlook keeps in a .msg", REWRITTEN_FIELDS, received)
        (result,), _ = check_dkim(parse_message(raw), SnapshotResolver(rsa_dns(1024)), from_domain="example.com",
                                  delivery_time=None, now=NOW, byte_exact=False, uncheckable_body=uncheckable)
        return result.result, result.reason_code

    def rebuilt(raw: bytes) -> tuple[bytes, bytes]:
        # What msg._rebuild does with an embedded message: its own multipart header and body; and the
        # header it started from.
        head, _, _ = raw.partition(b"\r\n\r\n")
        kept = b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-type:"))
        return kept + (b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                       b"Content-Type: text/plain\r\n\r\nHello Bob\r\n--b--\r\n"), head + b"\r\n\r\n"

    typed = MESSAGE.replace(b"Message-ID:", b"Content-Type: text/plain\r\nMessage-ID:")
    unsigned_type = sign(typed, key=rsa_key(1024))  # h=from:to:subject:date
    message, received = rebuilt(unsigned_type)
    assert checked(message, received) == checked(message, None) == ("neutral", "body_uncheckable")
    assert checked(message.replace(b"Quarterly", b"Annual"), received) == ("neutral", "not_original")

    signed_type = sign(typed, key=rsa_key(1024), headers="from:to:subject:date:content-type")
    message, received = rebuilt(signed_type)
    assert checked(message, received) == ("neutral", "body_uncheckable")
    # Not known (the rebuilt header alone): a mismatch over the rebuild's fields is not excused.
    assert checked(message, None) == ("neutral", "not_original")
    # A Content-Type the .msg keeps that is not the signed one; a changed Subject.
    assert checked(message, received.replace(b"text/plain", b"text/html")) == ("neutral", "not_original")
    assert checked(message.replace(b"Quarterly", b"Annual"), received.replace(b"Quarterly", b"Annual")) \
        == ("neutral", "not_original")
    # Without the rebuild's fields (a .msg without embedded messages) a header mismatch stands.
    (result,), _ = check_dkim(parse_message(message), SnapshotResolver(rsa_dns(1024)),
                              from_domain="example.com", delivery_time=None, now=NOW, byte_exact=False,
                              uncheckable_body=UncheckableBody("the decoded text Outlook keeps in a .msg"))
    assert (result.result, result.reason_code) == ("neutral", "not_original")

    # Two Content-Type fields signed once: the bottom one is signed (RFC 6376 section 5.4.2), so every
    # field of the name is taken from the received header, in its order.
    two = typed.replace(b"Message-ID:", b"Content-Type: text/html\r\nMessage-ID:")
    message, received = rebuilt(sign(two, key=rsa_key(1024), headers="from:to:subject:date:content-type"))
    assert checked(message, received) == ("neutral", "body_uncheckable")
    swapped = received.replace(b"text/plain", b"TEMP").replace(b"text/html", b"text/plain").replace(b"TEMP", b"text/html")
    assert checked(message, swapped) == ("neutral", "not_original")


def test_a_message_embedded_in_a_msg_is_judged_as_a_rebuilt_copy_too() -> None:
    # `analyze --attached 1` of a .msg: the embedded message was rebuilt the same way (its body is
    # Outlook's text), so its signatures cannot be checked either.
    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.cli import _attached_input
    from headerscope.loader import load_bytes

    header, body = _sample("direct")
    outer_header, outer_body = _sample("forwarded-srs")
    changed = body.replace("\r\n", "\n").rstrip("\n") + OUTLOOK_LINE
    loaded = load_bytes(msg_bytes(outer_header, outer_body, embedded=True, inner=(header, changed)), source="x.msg")
    records = json.loads((SAMPLES / "direct.dns.json").read_text())
    inner, options = _attached_input(loaded, 1, AnalysisOptions(resolver=SnapshotResolver(records)))
    # Its own header was kept whole: it embeds no message in turn.
    assert inner.uncheckable_body is not None and inner.uncheckable_body.rewritten_fields == () and not inner.byte_exact
    report = analyze_loaded(inner, options)
    assert [(s.result, s.reason_code) for s in report.dkim] == [("neutral", "body_uncheckable")]
    assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("neutral", "body_uncheckable")
    assert not _ids(report) & {"arc.chain_failed", "recorded.modified_after_delivery"}


def test_a_line_without_a_colon_is_no_field_the_rebuild_removes() -> None:
    # RFC 5322 section 2.2: "Content-Type" without a colon is no field. The rebuild of a .msg with an
    # embedded message removed it as the MIME field, and the folded line after it, which DKIM reads
    # as the Subject's: a signature over Subject (not over the MIME fields) read as not original.
    from test_dkim import MESSAGE, rsa_dns, rsa_key, sign

    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.loader import load_bytes
    from headerscope.msg import _without_body_fields

    folded = MESSAGE.replace(b"Subject: Quarterly figures", b"Subject: Quarterly\r\n figures")
    signed = sign(folded, key=rsa_key(1024), headers="from:to:subject:date")
    header, _, body = signed.partition(b"\r\n\r\n")
    stray = header.replace(b"Subject: Quarterly\r\n", b"Subject: Quarterly\r\nContent-Type\r\n").decode()
    assert "Content-Type\r\n figures" in stray
    for text in (header.decode(), stray):  # the signature holds on the message itself, stray line or not
        eml = headerscope.analyze((text + "\r\n\r\n").encode() + body, resolver=SnapshotResolver(rsa_dns(1024)))
        assert [s.result for s in eml.dkim] == ["pass"]
    loaded = load_bytes(msg_bytes(stray + "\r\n", body.decode(), embedded=True), source="x.msg")
    assert loaded.uncheckable_body is not None and loaded.uncheckable_body.rewritten_fields
    report = analyze_loaded(loaded, AnalysisOptions(resolver=SnapshotResolver(rsa_dns(1024))))
    assert [(s.result, s.reason_code) for s in report.dkim] == [("neutral", "body_uncheckable")]
    assert b"Subject: Quarterly\r\nContent-Type\r\n figures\r\n" in loaded.data

    # The reading line by line: the real MIME fields and their folds go, lines that are no field
    # stay (their folds with the field above), and nothing after the header's empty line is read.
    assert _without_body_fields("A: 1\nContent-Type\n x\nB: 2") == "A: 1\nContent-Type\n x\nB: 2"
    assert _without_body_fields("A: 1\ncontent-type : a;\n b\nNo field\n c\nMIME-Version:1.0\nB: 2") \
        == "A: 1\nNo field\nB: 2"
    assert _without_body_fields("A: 1\nContent Type: x\n y") == "A: 1\nContent Type: x\n y"
    assert _without_body_fields("A: 1\n\nContent-Type: x\n y") == "A: 1\n\nContent-Type: x\n y"


@pytest.mark.parametrize("signed", ["content-type", "content-type:content-type"])
def test_the_copies_of_a_rewritten_field_are_counted_in_the_header_the_msg_keeps(signed: str) -> None:
    # The rebuild of a .msg with an embedded message writes one Content-Type of its own; the sender's
    # copies are those of the transport headers (two here): a signature over one of them leaves the
    # other unsigned, one over both signs every copy (not over-signed), whatever the rebuild wrote.
    from test_dkim import MESSAGE, rsa_dns, rsa_key, sign

    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.loader import load_bytes

    two = MESSAGE.replace(b"Message-ID:", b"Content-Type: text/plain\r\nContent-Type: text/html\r\nMessage-ID:")
    header, _, body = sign(two, key=rsa_key(1024), headers=f"from:to:subject:date:{signed}").partition(b"\r\n\r\n")
    for embedded in (True, False):
        loaded = load_bytes(msg_bytes(header.decode() + "\r\n", body.decode(), embedded=embedded), source="x.msg")
        rebuilt_header = loaded.data.partition(b"\r\n\r\n")[0].lower()
        assert rebuilt_header.count(b"\ncontent-type:") == (1 if embedded else 2)  # the rebuild's one, or the two
        (result,) = analyze_loaded(loaded, AnalysisOptions(resolver=SnapshotResolver(rsa_dns(1024)))).dkim
        assert (result.result, result.reason_code) == (("neutral", "body_uncheckable") if embedded else ("pass", "ok"))
        if signed == "content-type":
            assert (result.unsigned_headers, "content-type" in result.not_oversigned) == (("content-type",), False)
        else:
            assert (result.unsigned_headers, "content-type" in result.not_oversigned) == ((), True)


@pytest.mark.parametrize("embedded", [False, True])
def test_transport_headers_that_go_on_after_an_empty_line_are_read_up_to_it(embedded: bool) -> None:
    # Exchange may keep the start of the original body after the header's empty line (a multipart's
    # first boundary and part header). RFC 5322 section 2.1: the header ends there. With an embedded
    # message the rebuild's own MIME-Version and Content-Type went after that line, into the body,
    # and the report found no attached message; without one, the stray lines began the body.
    from headerscope.loader import load_bytes

    header, body = _sample("direct")
    tail = "--_000_boundary_\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n"
    loaded = load_bytes(msg_bytes(header + "\r\n" + tail, body, embedded=embedded), source="x.msg")
    head, _, rebuilt_body = loaded.data.partition(b"\r\n\r\n")
    assert b"--_000_boundary_" not in head and b"--_000_boundary_" not in rebuilt_body
    assert any("go on after an empty line (2 line(s)" in note for note in loaded.cleanups)
    if embedded:
        assert b"multipart/mixed" in head
        records = json.loads((SAMPLES / "direct.dns.json").read_text())
        report = headerscope.analyze(loaded.data, resolver=SnapshotResolver(records))  # type: ignore[arg-type]
        assert len(report.attached) == 1
    # Lines of white space before the first field end no header (verification V26 D4: the whole
    # header was set aside as "the start of the original body").
    spaced = load_bytes(msg_bytes(" \r\n\t\r\n" + header + "\r\n", body, embedded=embedded), source="x.msg")
    assert spaced.data.startswith(header.split("\r\n", 1)[0].encode())
    assert not any("go on after an empty line" in note for note in spaced.cleanups)
    # The signed header fields still verify: the header read is the one received (and without an
    # embedded message the body kept is the one signed, byte for byte).
    report = _analyze("direct", body_changed=False, embedded=embedded, header=header + "\r\n" + tail)
    expected = ("neutral", "body_uncheckable") if embedded else ("pass", "ok")
    assert [(s.result, s.reason_code) for s in report.dkim] == [expected]


@pytest.mark.parametrize(("algorithm", "extra", "bits", "expected"), [
    # rsa-sha1 on mail delivered since RFC 8301 (2018) is refused (verification V27); on mail of its
    # era it cannot be checked (test_dkim_sha1_era).
    ("rsa-sha1", "", 1024, ("permerror", "rsa_sha1")),
    ("rsa-sha256", " x=1700000000;", 1024, ("policy", "expired")),
    ("rsa-sha256", "", 512, ("policy", "weak_key")),
    ("rsa-sha256", "", 1024, ("neutral", "body_uncheckable")),  # the control: one the rules accept
    # Expired after delivery, which is the verification time (RFC 6376 section 3.5): accepted.
    ("rsa-sha256", f" t=1768212000; x={1768212000 + 7 * 86400};", 1024, ("neutral", "body_uncheckable")),
])
def test_a_signature_the_rules_refuse_stays_refused_on_a_copy_without_the_signed_body(
        algorithm: str, extra: str, bits: int, expected: tuple[str, str]) -> None:
    # The rules a verifier applies whatever the body (RFC 8301: rsa-sha1, key sizes; RFC 6376
    # section 3.5: x=) judge a signature on a .msg too: its body hash says nothing there, but a
    # signature refused anyway is refused, not "cannot be checked" (which DMARC leaves unevaluated).
    from test_dkim import MESSAGE, rsa_dns, rsa_key, sign

    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.loader import load_bytes

    # Delivered nine seconds after it was written (the receiver's Received: the delivery time).
    signed = (b"Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net with ESMTPS; "
              b"Mon, 12 Jan 2026 10:00:09 +0000\r\n" + sign(MESSAGE, key=rsa_key(bits), algorithm=algorithm, extra=extra))
    header, _, body = signed.partition(b"\r\n\r\n")
    loaded = load_bytes(msg_bytes(header.decode() + "\r\n", body.decode() + OUTLOOK_LINE, embedded=False),
                        source="x.msg")
    assert loaded.uncheckable_body is not None
    report = analyze_loaded(loaded, AnalysisOptions(resolver=SnapshotResolver(rsa_dns(bits))))
    (dkim,) = report.dkim
    assert (dkim.result, dkim.reason_code) == expected
    if expected[1] != "body_uncheckable":
        assert dkim.body_hash_ok is None and "its body hash cannot be checked from this copy" in dkim.reason
