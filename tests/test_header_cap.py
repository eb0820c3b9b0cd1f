"""A header section longer than MAX_HEADER_FIELDS fields: the sender's own fields, which sit
at the bottom (the receiver prepends its fields, RFC 5321 section 4.4), are still read."""
from __future__ import annotations

from test_dkim import MESSAGE, crlf, rsa_dns, rsa_key, sign, verify

from headerscope.api import analyze
from headerscope.message import KEPT_PAST_CAP, MAX_HEADER_FIELDS, MAX_KEPT_PER_NAME, parse_message

RECEIVER = crlf(b"Received: from mx-out1.paypal.example (mx-out1.paypal.example [192.0.2.25])\n"
                b"\tby mx.example.net with ESMTPS id 4dKq7X3Fwnz2Jg4; Thu, 26 Nov 2026 09:12:47 -0800\n"
                b"Authentication-Results: mx.example.net; spf=fail smtp.mailfrom=paypal.com;\n"
                b"\tdkim=none; dmarc=fail (p=REJECT) header.from=paypal.com\n")
SPOOF = crlf(b"From: PayPal <service@paypal.com>\nTo: bob@example.net\nSubject: Your account is limited\n"
             b"Date: Thu, 26 Nov 2026 09:12:40 -0800\nMessage-ID: <a1@paypal.com>\n\nPlease log in.\n")


def junk(count: int, name: bytes = b"X-J") -> bytes:
    return b"".join(b"%s%d: v\r\n" % (name, i) for i in range(count))


def test_sender_fields_pushed_past_the_cap_keep_their_place_and_count() -> None:
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 10) + SPOOF
    message = parse_message(raw)
    first_sender_field = 2 + MAX_HEADER_FIELDS + 10
    found = message.all("From")
    assert [(f.index, f.value) for f in found] == [(first_sender_field, "PayPal <service@paypal.com>")]
    assert message.all("Date")[0].index == first_sender_field + 3
    assert message.fields_past_cap == 2 + 10 + 5 and message.field_count == first_sender_field + 5
    assert message.headers[-1].defects == (
        f"17 more header field(s) after the first {MAX_HEADER_FIELDS}: not read one by one; 5 of them, of the "
        "names the checks read (From:, DKIM-Signature, Date, Received, ...), were read with their place in the header",)
    report = analyze(raw, offline=True)
    assert [a.address for a in report.envelope.header_from] == ["service@paypal.com"]
    assert report.subject == "Your account is limited" and report.date == "2026-11-26T09:12:40-08:00"
    assert report.message_id == "<a1@paypal.com>"
    assert not [f for f in report.findings if f.id in ("envelope.no_from", "dmarc.no_from_domain")]
    # Not "unauthenticated, no From: domain": the receiver's recorded DMARC fail is in view.
    assert report.verdict.status != "unauthenticated"


def test_a_dkim_signature_past_the_cap_is_verified_with_its_real_index() -> None:
    # dkimpy's split of the raw bytes and parse_message must name the same fields.
    signed = sign(MESSAGE, key=rsa_key(1024))
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 3) + signed
    (result,), _ = verify(raw, rsa_dns(1024))
    assert (result.result, result.header_index) == ("pass", 2 + MAX_HEADER_FIELDS + 3)


def test_fields_kept_past_the_cap_are_bounded_per_name_and_by_prefix() -> None:
    # 100,000 fields: names the checks read, and List-* names each distinct (one quota for the
    # prefix, not one per name); linear, and the kept fields stay few.
    raw = (b"From: a@example.org\r\n" + junk(MAX_HEADER_FIELDS) + junk(40_000, b"List-X")
           + b"Received: from a by b; Thu, 26 Nov 2026 09:12:47 -0800\r\n" * 40_000 + b"\r\nhi\r\n")
    message = parse_message(raw)
    past = message.headers[MAX_HEADER_FIELDS:-1]
    assert len(past) == 2 * MAX_KEPT_PER_NAME
    assert sum(h.name == "Received" for h in past) == MAX_KEPT_PER_NAME
    assert past[0].index == MAX_HEADER_FIELDS + 1 and past[-1].index == MAX_HEADER_FIELDS + 1 + 40_000 + 49
    note = message.headers[-1]
    assert note.index == message.field_count == MAX_HEADER_FIELDS + 80_001
    assert note.defects[0].endswith(f"; {80_000 - 2 * MAX_KEPT_PER_NAME} more of those names were past "
                                    f"{MAX_KEPT_PER_NAME} of one name and not read")
    assert {"from", "dkim-signature", "date", "received", "subject"} <= KEPT_PAST_CAP


def test_no_from_in_a_header_too_long_to_read_whole_says_how_far_it_looked() -> None:
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 10) + crlf(b"To: bob@example.net\nSubject: hi\n\nbody\n")
    (finding,) = [f for f in analyze(raw, offline=True).findings if f.id == "envelope.no_from"]
    assert finding.explanation.endswith(
        f"The header holds {MAX_HEADER_FIELDS + 14:,} fields, too many to read whole: the first "
        f"{MAX_HEADER_FIELDS:,} were read one by one and, of the 14 after them, those of the names the checks read "
        f"(From: among them, up to {MAX_KEPT_PER_NAME} of a name); there is none in the fields read.")
