"""A header section longer than MAX_HEADER_FIELDS fields: the sender's own fields, which sit
at the bottom (the receiver prepends its fields, RFC 5321 section 4.4), are still read."""
from __future__ import annotations

import random
import tracemalloc

from test_dkim import MESSAGE, crlf, rsa_dns, rsa_key, sign, verify

from headerscope import message
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


def test_sender_fields_pushed_past_the_cap_are_read_in_order() -> None:
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 10) + SPOOF
    message = parse_message(raw)
    # Each field's index is its place in message.headers (as the checks read them): the kept
    # fields are numbered on from MAX_HEADER_FIELDS, in their order.
    found = message.all("From")
    assert [(f.index, f.value) for f in found] == [(MAX_HEADER_FIELDS, "PayPal <service@paypal.com>")]
    assert all(message.headers[h.index] is h for h in message.headers)
    assert message.all("Date")[0].index == MAX_HEADER_FIELDS + 3
    assert message.fields_past_cap == 2 + 10 + 5 and message.field_count == 2 + MAX_HEADER_FIELDS + 10 + 5
    assert message.headers[-1].defects == (
        f"17 more header field(s) after the first {MAX_HEADER_FIELDS}: not read one by one; 5 of them, of the "
        "names the checks read (From:, DKIM-Signature, Date, Received, ...), were read in their order, numbered "
        f"on from {MAX_HEADER_FIELDS}",)
    report = analyze(raw, offline=True)
    assert [a.address for a in report.envelope.header_from] == ["service@paypal.com"]
    assert report.subject == "Your account is limited" and report.date == "2026-11-26T09:12:40-08:00"
    assert report.message_id == "<a1@paypal.com>"
    assert not [f for f in report.findings if f.id in ("envelope.no_from", "dmarc.no_from_domain")]
    # Not "unauthenticated, no From: domain": the receiver's recorded DMARC fail is in view.
    assert report.verdict.status != "unauthenticated"


def test_a_dkim_signature_past_the_cap_is_verified_and_named_by_its_place() -> None:
    # dkimpy's split of the raw bytes and parse_message must name the same fields.
    signed = sign(MESSAGE, key=rsa_key(1024))
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 3) + signed
    (result,), _ = verify(raw, rsa_dns(1024))
    assert result.result == "pass"
    assert parse_message(raw).headers[result.header_index].name == "DKIM-Signature"


def test_fields_kept_past_the_cap_are_bounded_per_name_and_by_prefix() -> None:
    # 100,000 fields: names the checks read, and List-* names each distinct (one quota for the
    # prefix, not one per name); linear, and the kept fields stay few.
    raw = (b"From: a@example.org\r\n" + junk(MAX_HEADER_FIELDS) + junk(40_000, b"List-X")
           + b"Received: from a by b; Thu, 26 Nov 2026 09:12:47 -0800\r\n" * 40_000 + b"\r\nhi\r\n")
    message = parse_message(raw)
    past = message.headers[MAX_HEADER_FIELDS:-1]
    assert len(past) == 2 * MAX_KEPT_PER_NAME
    assert sum(h.name == "Received" for h in past) == MAX_KEPT_PER_NAME
    assert [h.index for h in past] == list(range(MAX_HEADER_FIELDS, MAX_HEADER_FIELDS + 2 * MAX_KEPT_PER_NAME))
    note = message.headers[-1]
    assert note.index == MAX_HEADER_FIELDS + 2 * MAX_KEPT_PER_NAME and message.field_count == MAX_HEADER_FIELDS + 80_001
    assert note.defects[0].endswith(f"; {80_000 - 2 * MAX_KEPT_PER_NAME} more of those names were not read (of each "
                                    f"name the first 25 and the last 25 are)")
    assert {"from", "dkim-signature", "date", "received", "subject"} <= KEPT_PAST_CAP


def test_decoy_from_fields_past_the_cap_do_not_push_out_the_senders_own() -> None:
    # 60 decoy From: fields, then the real one, all past the cap: the deepest fields are the
    # sender's own, so the last of a name are kept as well as the first.
    decoys = b"From: CEO <ceo@bank.example>\r\n" * 60
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 10) + decoys + SPOOF
    addresses = [f.value for f in parse_message(raw).all("From")]
    assert len(addresses) == MAX_KEPT_PER_NAME and addresses[-1] == "PayPal <service@paypal.com>"
    report = analyze(raw, offline=True)
    assert "paypal.com" in {a.domain for a in report.envelope.header_from}


def test_a_forged_authentication_results_past_the_cap_stays_a_forgery() -> None:
    # The sender's own Authentication-Results in the receiver's name, written among its fields
    # past the cap, reads as it does below the cap: a possibly forged claim, not the receiver's
    # results "appended at the end of the header".
    forged = crlf(b"Authentication-Results: mx.example.net; dkim=pass header.d=paypal.com;\n"
                  b"\tspf=pass smtp.mailfrom=paypal.com; dmarc=pass header.from=paypal.com\n")
    for padding in (100, MAX_HEADER_FIELDS + 10):
        report = analyze(RECEIVER + junk(padding) + forged + SPOOF, offline=True)
        claims = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
        assert claims and claims[0].severity.value == "warning", (padding, [f.title for f in report.findings])
        assert not [f for f in report.findings if f.id == "recorded.disagree"], padding


def test_no_from_in_a_header_too_long_to_read_whole_says_how_far_it_looked() -> None:
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 10) + crlf(b"To: bob@example.net\nSubject: hi\n\nbody\n")
    (finding,) = [f for f in analyze(raw, offline=True).findings if f.id == "envelope.no_from"]
    assert finding.explanation.endswith(
        f"The header holds {MAX_HEADER_FIELDS + 14:,} fields, too many to read whole: the first "
        f"{MAX_HEADER_FIELDS:,} were read one by one and, of the 14 after them, those of the names the checks read "
        f"(From: among them, up to {MAX_KEPT_PER_NAME} of a name); there is none in the fields read.")


def test_from_fields_not_read_past_the_cap_are_still_counted() -> None:
    # Verification V8: 60 decoy From: fields and the real one past the cap read as "50 authors".
    decoys = b"From: CEO <ceo@bank.example>\r\n" * 60
    raw = RECEIVER + junk(MAX_HEADER_FIELDS + 10) + decoys + SPOOF
    assert dict(parse_message(raw).dropped_past_cap) == {"from": 61 - MAX_KEPT_PER_NAME}
    [finding] = [f for f in analyze(raw, offline=True).findings if f.id == "envelope.multiple_from"]
    assert finding.title == "61 authors in From:"
    assert "The message has 61 From: fields (50 of them read" in finding.explanation


def _kept_past_cap_line_by_line(lines: list[bytes]) -> tuple[list[bytes], int, dict[str, int]]:
    """The plain path _kept_past_cap had: each line's name cut at its first colon and looked up."""
    by_name: dict[bytes, list[int]] = {}
    for index, line in enumerate(lines):
        colon = line.find(b":", 0, message._LONGEST_KEPT)
        if colon <= 0:
            continue
        name = line[:colon].rstrip(b" \t").lower()
        if name not in message._KEPT_NAMES:
            if not name.startswith(message._KEPT_PREFIXES):
                continue
            name = name[:name.index(b"-") + 1]
        by_name.setdefault(name, []).append(index)
    chosen: list[int] = []
    dropped = 0
    by_name_dropped: dict[str, int] = {}
    half = message.MAX_KEPT_PER_NAME // 2
    for name, indexes in by_name.items():
        if len(indexes) > message.MAX_KEPT_PER_NAME:
            dropped += len(indexes) - message.MAX_KEPT_PER_NAME
            by_name_dropped[name.decode("ascii", "replace")] = len(indexes) - message.MAX_KEPT_PER_NAME
            indexes = indexes[:half] + indexes[-(message.MAX_KEPT_PER_NAME - half):]
        chosen.extend(indexes)
    chosen.sort()
    return [lines[index] for index in chosen], dropped, by_name_dropped


_NAMES = [b"From", b"from", b"FROM", b"to", b"to-x", b"tox", b"DKIM-Signature", b"received", b"Received",
          b"List-Id", b"list-", b"LIST-unsubscribe-post", b"Resent-From", b"resent", b"x-mailer",
          b"", b"\xe9from", b"from\n", b"list-\n", b"arc-seal", b"X-F1", b"a", b"x\nFrom", b"x\n list-a",
          b"List-a\n b", b"from\r", b"list-\r\n x"]


def _random_rest(rng: random.Random, end: bytes) -> bytes:
    """Fields past the cap: names in other case, with SP/HTAB before the colon, a colon just
    inside and just past the bytes looked at, List-*/Resent-* names of any length, names that
    only start like a kept one, a line break or other byte before the colon (a fold, or a break
    that starts another line), an empty name, more than MAX_KEPT_PER_NAME of a name, folded
    values, and ``end`` (or mixed ends when empty) ending each line."""
    longest = message._LONGEST_KEPT
    lines = []
    for _ in range(rng.randrange(1, 400)):
        name = rng.choice(_NAMES)
        if rng.random() < 0.1:
            name += rng.choice((b"-", b"x", b" ")) * rng.randrange(longest - 8, longest + 4)
        space = rng.choice((b"", b" ", b"\t", b" \t ", b" x", b" " * (longest - len(name) - 1),
                            b" " * (longest - len(name))))
        value = rng.choice((b":", b": v", b"", b"::", b": a\n b", b": a\n\tFrom: b"))
        lines.append(name + space + value)
    if rng.random() < 0.3:  # many of one name: the deque keeps the last ones
        lines[rng.randrange(len(lines)):rng.randrange(len(lines)) or None] = \
            [rng.choice((b"Received: x", b"from : y"))] * rng.randrange(40, 200)
    ends = [end] if end else [b"\n", b"\r\n", b"\r"]
    text = b"".join(line.replace(b"\n", rng.choice(ends)) + rng.choice(ends) for line in lines)
    return text if rng.random() < 0.8 else text.rstrip(b"\r\n")


def test_kept_fields_found_by_searches_over_the_rest_give_the_line_by_line_answers() -> None:
    # The fields past the cap are found by one regex search of each name over the rest of the
    # header unsplit (a million Received fields cost no Python step each): the same fields, in
    # order, and the same counts of those not read, as the line-by-line reading of its lines,
    # with LF, CR LF and mixed line ends.
    rng = random.Random(43)
    for end in (b"\n", b"\r\n", b""):
        for _ in range(150):
            rest = _random_rest(rng, end)
            assert message._kept_past_cap(rest) == _kept_past_cap_line_by_line(message._logical_lines(rest)), rest


def test_kept_fields_after_bare_crs_are_found_as_the_split_lines_have_them() -> None:
    # A bare CR ends a line (as _FIELD_BREAK splits): a kept name after one starts a field, a CR
    # before SP/HTAB folds, and a CR LF, LF CR or CR CR is two breaks or one as the split has it.
    shapes = [b"x\rFrom: a\r", b"x\r\rFrom: a\r\n", b"x\n\rFrom: a\n", b"x\r\r\nFrom: a\r",
              b"x\r From: a\r", b"x\r\tFrom: a\n", b"From\r : a\rTo: b\r", b"List-\r x: a\r",
              b"List-a\rx: b\n", b"List-a\r\nx: b\r", b"List-a\r\n x: b\r", b"list-a\r\r x: b\r",
              b"\rreceived: a\rreceived-spf: b\r\n", b"RESENT-\r\n\tfrom : c\r" + b"to: d\r" * 60]
    for rest in shapes:
        assert message._kept_past_cap(rest) == _kept_past_cap_line_by_line(message._logical_lines(rest)), rest


def test_fields_past_the_cap_are_counted_as_split_lines_would_be() -> None:
    rng = random.Random(44)
    shapes = [b"a\n", b"a\r\n", b"a\r", b"a\r\r\n", b"a\n b\n", b"a\r\n b\r\n", b"a\r b", b"a", b"\r", b"a\r\t\n"]
    shapes += [_random_rest(rng, rng.choice((b"\n", b"\r\n", b""))) for _ in range(200)]
    for rest in shapes:
        assert message._field_count(rest) == len(message._logical_lines(rest)), rest


def _parse_peak(raw: bytes) -> int:
    tracemalloc.start()
    try:
        parse_message(raw)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_header_past_the_cap_is_not_split_into_a_bytes_object_per_field() -> None:
    # Short fields past the cap: the rest stays one unsplit bytes object, so each more byte of
    # header costs parsing a few bytes at its peak (the copy searched), not a bytes object and
    # a list slot per field (16 bytes a byte before). A memory-shape property, not a timing:
    # the peaks of two sizes are compared, so the first MAX_HEADER_FIELDS fields' cost cancels.
    def header(count: int) -> bytes:
        return b"From: a@example.com\n" + b"a:\n" * count + b"Received: x\n" * 100 + b"\nbody\n"

    small, large = header(200_000), header(600_000)
    parsed = parse_message(large)
    assert parsed.field_count == 600_101
    assert parsed.fields_past_cap == 600_101 - MAX_HEADER_FIELDS
    assert dict(parsed.dropped_past_cap) == {"received": 100 - MAX_KEPT_PER_NAME}
    assert [field.name for field in parsed.headers[MAX_HEADER_FIELDS:]] == ["Received"] * MAX_KEPT_PER_NAME + [""]
    growth = _parse_peak(large) - _parse_peak(small)
    assert growth < 4 * (len(large) - len(small)), growth


def test_a_bare_cr_past_the_cap_costs_what_a_clean_header_does() -> None:
    # One bare CR past the cap sent the whole rest to a reading of it split line by line (a bytes
    # object per field: 1.85 GB for a 220 MB header, V47e E1). With it the rest is still searched
    # unsplit: each more byte costs a few bytes at the peak, as without it (same shapes as above),
    # and the same fields are read. So does one CR LF among LF line ends (mixed, no bare CR).
    def header(count: int, end: bytes) -> bytes:
        return (b"From: a@example.com\n" + b"a:\n" * count + b"X-B: c" + end + b"d\n"
                + b"Received: x\n" * 100 + b"\nbody\n")

    for end in (b"\r", b"\r\n"):
        small, large = header(200_000, end), header(600_000, end)
        parsed = parse_message(large)
        assert parsed.field_count == 600_103
        assert dict(parsed.dropped_past_cap) == {"received": 100 - MAX_KEPT_PER_NAME}
        assert [field.name for field in parsed.headers[MAX_HEADER_FIELDS:]] == ["Received"] * MAX_KEPT_PER_NAME + [""]
        growth = _parse_peak(large) - _parse_peak(small)
        assert growth < 4 * (len(large) - len(small)), (end, growth)


def test_a_bare_cr_past_the_cap_changes_no_field_read_nor_finding() -> None:
    # The spoof below the padding, with a bare CR in a field of the padding (which splits it in
    # two, one more field) or without: the same fields read past the cap and the same findings.
    def report(end: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        raw = RECEIVER + junk(MAX_HEADER_FIELDS + 10) + b"X-B: c" + end + b"d\r\n" + SPOOF
        parsed = parse_message(raw)
        fields = [(field.name, field.value) for field in parsed.headers[MAX_HEADER_FIELDS:-1]]
        found = analyze(raw, offline=True)
        return fields, [(finding.id, finding.severity) for finding in found.findings]

    clean, bare = report(b" "), report(b"\r")
    assert clean == bare
    assert ("From", "PayPal <service@paypal.com>") in clean[0]


def test_a_million_received_fields_are_counted_and_the_report_says_how_many_were_not_read() -> None:
    # Received fields past the cap: the first and last MAX_KEPT_PER_NAME / 2 are read, the
    # others counted by name, and the header's note says how many were not read.
    stamp = b"Received: by b.example; Mon, 1 Jan 2024 00:00:%02d +0000\r\n"
    raw = b"".join(stamp % (i % 60) for i in range(MAX_HEADER_FIELDS + 1000)) + SPOOF
    parsed = parse_message(raw)
    assert parsed.fields_past_cap == 1000 + 5
    assert dict(parsed.dropped_past_cap) == {"received": 1000 - MAX_KEPT_PER_NAME}
    past = parsed.headers[MAX_HEADER_FIELDS:]
    assert [field.name for field in past[:-1]].count("Received") == MAX_KEPT_PER_NAME
    assert past[MAX_KEPT_PER_NAME // 2 - 1].value.endswith(f"00:00:{(MAX_HEADER_FIELDS + 24) % 60:02d} +0000")
    assert past[MAX_KEPT_PER_NAME // 2].value.endswith(f"00:00:{(MAX_HEADER_FIELDS + 975) % 60:02d} +0000")
    assert past[-1].value.startswith(f"1005 more header field(s) after the first {MAX_HEADER_FIELDS}")
    assert f"{1000 - MAX_KEPT_PER_NAME} more of those names were not read" in past[-1].value
