"""DKIM and ARC over a mailbox's entry whose body has '>From ' lines: one reading in analyze and scan.

A mailbox writer puts a '>' before a body line starting with "From " (mboxo: sendmail, procmail,
Gmail's Takeout, Thunderbird), or also before '>From ', '>>From '... lines (mboxrd), and which of
them wrote a file cannot be known from it (RFC 4155 section 2). A genuine signed message stored
either way must verify, by analyze and scan alike; a body none of the three readings (as stored,
mboxrd, mboxo) restores is "cannot be judged", not "changed after delivery"; a change elsewhere
in an entry without quoted lines still fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLES, sign_as_example_org

from headerscope.model import Severity

SNAPSHOT = SAMPLES / "forwarded-srs.dns.json"
NOW = "2026-11-28T12:00:00Z"
# Forwarded by alumni.example with SRS: SPF passes for the forwarder and does not align, so
# DMARC (example.org, p=reject) rests on the DKIM signature; the receivers recorded its pass.
FORWARDED = (SAMPLES / "forwarded-srs.eml").read_bytes()
TRANSPORT = FORWARDED[:FORWARDED.index(b"DKIM-Signature:")]
SEPARATOR = b"From carol@example.org Thu Nov 26 13:03:20 2026\n"

TOP = b"From the top: revenue is up.\r\n"
ARCHIVE = b">From the archive: last year's numbers.\r\n"
DEEP = b">>From a quote of a quote.\r\n"


def signed(lines: bytes, canonicalize: tuple[bytes, bytes] = (b"relaxed", b"simple")) -> bytes:
    """A message signed by example.org whose body holds ``lines``, as the receiver stored it."""
    author = (b"From: Carol Dupont <carol@example.org>\r\nTo: Dave Okafor <dave@alumni.example>\r\n"
              b"Subject: Minutes\r\nDate: Thu, 26 Nov 2026 14:03:09 +0100\r\n"
              b"Message-ID: <20261126130309.B1@mail.example.org>\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: text/plain; charset=utf-8\r\n\r\nDear Dave,\r\n\r\n" + lines + b"\r\nCarol\r\n")
    signature = sign_as_example_org(author, [b"from", b"to", b"subject", b"date", b"message-id"], canonicalize)
    return TRANSPORT + signature + author


def mboxo(message: bytes) -> bytes:
    """As an mboxo writer stores it: '>' before each line starting with "From "."""
    return re.sub(rb"(?m)^From ", b">From ", message)


def mboxrd(message: bytes) -> bytes:
    """As an mboxrd writer stores it: '>' before each line starting with "From ", ">From "..."""
    return re.sub(rb"(?m)^(>*From )", rb">\1", message)


def mailbox(writer: Callable[[bytes], bytes], *messages: bytes) -> bytes:
    """The messages in an mbox file with LF line ends, as a delivery agent writes one."""
    return b"".join(SEPARATOR + writer(message.replace(b"\r\n", b"\n")) + b"\n" for message in messages)


def _run(*args: str) -> str:
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "headerscope", *args, "--now", NOW],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def _auth(report: dict[str, Any]) -> dict[str, Any]:
    """What the two commands must agree on: the DKIM, ARC and DMARC results, the verdict, the
    recorded comparison and the findings (those about the input aside: analyze's file is the
    mailbox, scan's entry is its message)."""
    return {"dkim": report["dkim"], "arc": report["arc"], "dmarc": report["dmarc"], "verdict": report["verdict"],
            "comparison": report["comparison"],
            "findings": sorted((f["id"], f["severity"], f["title"], f["explanation"]) for f in report["findings"]
                               if not f["id"].startswith("input."))}


def analyze_and_scan(path: Path, snapshot: Path = SNAPSHOT) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of ``headerscope analyze`` and scan's (--format jsonl) of the mailbox's first entry."""
    analyzed = json.loads(_run("analyze", str(path), "--dns-snapshot", str(snapshot), "-f", "json"))
    scanned = json.loads(_run("scan", str(path), "--dns-snapshot", str(snapshot), "-f", "jsonl", "-j", "1")
                         .splitlines()[0])
    return analyzed, scanned


# (writer, body lines, the reading the body hash matches): mboxo quotes only the "From the top"
# line and keeps '>From the archive' as the sender wrote it; mboxrd quotes both, and one more '>'
# on the quote of a quote.
_GENUINE = [
    (mboxo, TOP, "mbox"),
    (mboxrd, TOP, "mbox"),
    (mboxo, ARCHIVE, "stored"),
    (mboxrd, ARCHIVE, "mboxrd"),
    (mboxrd, TOP + ARCHIVE, "mboxrd"),
    (mboxrd, TOP + ARCHIVE + DEEP, "mboxrd"),
    (mboxo, TOP + DEEP, "mboxo"),
]


@pytest.mark.parametrize(("writer", "lines", "reading"), _GENUINE,
                         ids=[f"{w.__name__}-{n}" for n, (w, _, _) in enumerate(_GENUINE)])
def test_a_genuine_message_stored_in_either_quoting_verifies_in_analyze_and_scan(
        tmp_path: Path, writer: Callable[[bytes], bytes], lines: bytes, reading: str) -> None:
    from headerscope.auth.dkim import MBOX_READING_WORDS

    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(writer, signed(lines)))
    analyzed, scanned = analyze_and_scan(path)
    assert _auth(analyzed) == _auth(scanned)
    # Nothing was done to the stored bytes but taking the separator line off (analyze names it).
    assert analyzed["input"]["byte_exact"] and scanned["input"]["byte_exact"]
    assert scanned["input"]["cleanups"] == [] and not {f["id"] for f in analyzed["findings"]} & {"input.not_byte_exact"}
    (dkim,) = analyzed["dkim"]
    assert (dkim["result"], dkim["reason_code"], dkim["body_hash_ok"]) == ("pass", "ok", True)
    assert dkim["reason"].endswith(f"; body hash verified over the body {MBOX_READING_WORDS[reading]}")
    assert analyzed["dmarc"]["result"] == "pass" and analyzed["verdict"]["status"] == "authenticated"
    [note] = [f for f in analyzed["findings"] if f["id"] == "dkim.mbox_quoting"]
    assert note["severity"] == "info" and MBOX_READING_WORDS[reading] in note["explanation"]
    assert {c["method"]: c["label"] for c in analyzed["comparison"]}["dkim"] == "same"


@pytest.mark.parametrize(("lines", "unquoted", "left"), [
    # mboxo quoted "From the top" and left the sender's '>From the archive' alone: both read
    # '>From ' now; neither the body as stored nor the mboxo or mboxrd reading is the signed one.
    (TOP + ARCHIVE, "body line 3", "body line 4"),
    (ARCHIVE + TOP + DEEP + ARCHIVE + TOP, "body lines 4, 7", "body lines 3, 6"),
    # More than four: the first four both ways, the later ones un-quoted (mboxo's reading of them).
    (TOP + ARCHIVE + TOP * 4, "body lines 3, 5, 6 and the 2 later '>From ' lines", "body line 4"),
])
def test_an_mboxo_body_with_the_sender_s_own_from_lines_verifies_line_by_line(
        tmp_path: Path, lines: bytes, unquoted: str, left: str) -> None:
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(mboxo, signed(lines)))
    analyzed, scanned = analyze_and_scan(path)
    assert _auth(analyzed) == _auth(scanned)
    (dkim,) = analyzed["dkim"]
    assert (dkim["result"], dkim["reason_code"], dkim["body_hash_ok"]) == ("pass", "ok", True)
    assert f"one '>' taken off {unquoted}, {left} as stored" in dkim["reason"], dkim["reason"]
    [note] = [f for f in analyzed["findings"] if f["id"] == "dkim.mbox_quoting"]
    # A notice: the stored body is not the signed bytes.
    assert note["severity"] == "notice" and "not byte for byte the signed one" in note["explanation"]
    assert analyzed["dmarc"]["result"] == "pass" and analyzed["verdict"]["status"] == "authenticated"


def test_a_body_no_reading_restores_cannot_be_judged_and_is_not_said_to_be_changed(tmp_path: Path) -> None:
    # The sender's own '>From ' line is the fifth: past the lines read both ways, it is un-quoted
    # in every reading, and none gives back the body that was signed; the finding says why.
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(mboxo, signed(TOP * 4 + ARCHIVE)))
    analyzed, scanned = analyze_and_scan(path)
    assert _auth(analyzed) == _auth(scanned)
    (dkim,) = analyzed["dkim"]
    assert (dkim["result"], dkim["reason_code"], dkim["body_hash_ok"]) == ("neutral", "not_original", None)
    assert "which of them its writer quoted cannot be known" in dkim["reason"] and "RFC 4155" in dkim["reason"]
    assert "changed after signing" not in dkim["reason"] and "Outlook" not in dkim["reason"]
    ids = {f["id"]: f["severity"] for f in analyzed["findings"]}
    assert ids["dkim.mbox_quoting"] == "notice"
    [note] = [f for f in analyzed["findings"] if f["id"] == "dkim.mbox_quoting"]
    assert "only the first 4 of its 5 lines starting with '>From ' were read both ways" in note["explanation"]
    assert not {"dkim.body_changed", "recorded.modified_after_delivery"} & set(ids)
    assert {c["method"]: c["label"] for c in analyzed["comparison"]}["dkim"] != "modified_after_delivery"
    # Not a pass either: a '>From ' line is the sender's to write, so it excuses no DMARC failure.
    assert analyzed["dmarc"]["result"] == "fail"
    # Changed after signing, with both kinds of line: no line-by-line reading matches either.
    path.write_bytes(mailbox(mboxo, signed(TOP + ARCHIVE).replace(b"revenue is up", b"revenue is down")))
    analyzed, _ = analyze_and_scan(path)
    assert [(d["result"], d["reason_code"]) for d in analyzed["dkim"]] == [("neutral", "not_original")]
    assert "were read both ways" not in json.dumps(analyzed["findings"])


@pytest.mark.parametrize("writer", [mboxo, mboxrd])
def test_a_body_changed_in_a_mailbox_entry_without_quoted_lines_still_fails(
        tmp_path: Path, writer: Callable[[bytes], bytes]) -> None:
    path = tmp_path / "inbox.mbox"
    changed = signed(b"Revenue is up.\r\n").replace(b"Revenue is up.", b"Revenue is down.")
    path.write_bytes(mailbox(writer, changed))
    analyzed, scanned = analyze_and_scan(path)
    assert _auth(analyzed) == _auth(scanned)
    (dkim,) = analyzed["dkim"]
    assert (dkim["result"], dkim["reason_code"], dkim["body_hash_ok"]) == ("fail", "body_hash_mismatch", False)
    ids = {f["id"] for f in analyzed["findings"]}
    assert {"dmarc.fail", "recorded.modified_after_delivery"} <= ids and "dkim.mbox_quoting" not in ids
    assert analyzed["verdict"]["status"] == "suspicious"
    # With a quoted line the change cannot be told from the quoting (the price of RFC 4155's
    # ambiguity): never a pass, and DMARC still fails.
    path.write_bytes(mailbox(writer, signed(TOP).replace(b"revenue is up", b"revenue is down")))
    analyzed, scanned = analyze_and_scan(path)
    assert _auth(analyzed) == _auth(scanned)
    assert [(d["result"], d["reason_code"]) for d in analyzed["dkim"]] == [("neutral", "not_original")]
    assert analyzed["dmarc"]["result"] == "fail"


def test_a_changed_signed_header_field_fails_whatever_the_body_reading(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    for lines, body_hash_ok in ((TOP, True), (TOP + ARCHIVE, True), (TOP * 4 + ARCHIVE, None)):
        path.write_bytes(mailbox(mboxo, signed(lines).replace(b"Subject: Minutes", b"Subject: Invoice")))
        analyzed, scanned = analyze_and_scan(path)
        assert _auth(analyzed) == _auth(scanned)
        (dkim,) = analyzed["dkim"]
        assert (dkim["result"], dkim["reason_code"], dkim["body_hash_ok"]) == ("fail", "signature_mismatch",
                                                                                body_hash_ok), lines
        assert "the body changed too" not in dkim["reason"]


def test_a_mailbox_of_several_messages_reads_the_same_in_analyze_and_scan(tmp_path: Path) -> None:
    # analyze reads a mailbox's first message as scan's reader splits it (cli._first_of_mailbox).
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(mboxo, signed(ARCHIVE), signed(TOP)))
    analyzed, scanned = analyze_and_scan(path)
    assert _auth(analyzed) == _auth(scanned)
    assert [(d["result"], d["reason_code"]) for d in analyzed["dkim"]] == [("pass", "ok")]
    assert "as stored" in analyzed["dkim"][0]["reason"]


def test_an_eml_with_a_from_line_on_top_reads_the_same_in_analyze_and_scan(tmp_path: Path) -> None:
    # A message saved with its mbox "From " line and nothing quoted: scan reads the file as a
    # mailbox; the sender's '>From ' line is read as stored by both.
    path = tmp_path / "saved.eml"
    path.write_bytes(SEPARATOR + signed(TOP + ARCHIVE).replace(b"\r\n", b"\n"))
    analyzed, scanned = analyze_and_scan(path)
    assert _auth(analyzed) == _auth(scanned)
    assert [(d["result"], d["reason_code"]) for d in analyzed["dkim"]] == [("pass", "ok")]


def _arc_sealed(lines: bytes) -> tuple[bytes, dict[str, Any]]:
    """The signed message with an ARC set alumni.example sealed when it received it, and the DNS
    snapshot with its key (example.org's, under selector arc)."""
    import dkim

    message = signed(lines)
    cut = message.index(b"Received: from mail.alumni.example (localhost")
    upper, lower = message[:cut], message[cut:]
    key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
    sealed = b"".join(dkim.arc_sign(lower, b"arc", b"alumni.example", key, b"mail.alumni.example",
                                    timestamp=1795698196))
    assert sealed
    dns = json.loads(SNAPSHOT.read_text())
    dns["arc._domainkey.alumni.example"] = dns["mail2026._domainkey.example.org"]
    return upper + sealed + lower, dns


@pytest.mark.parametrize(("writer", "lines", "result", "code", "severity"), [
    (mboxrd, TOP + ARCHIVE, "pass", "ok", "info"),
    (mboxo, ARCHIVE, "pass", "ok", "info"),
    # mboxo quoted "From the top" and left the sender's '>From the archive' alone: only a
    # line-by-line reading restores the sealed body, as it does the DKIM-signed one.
    (mboxo, TOP + ARCHIVE, "pass", "ok", "notice"),
    (mboxo, TOP + ARCHIVE + TOP * 4, "pass", "ok", "notice"),
    # The sender's own '>From ' line is the fifth, past those read both ways: no reading restores it.
    (mboxo, TOP * 4 + ARCHIVE, "neutral", "not_original", "notice"),
])
def test_an_arc_message_signature_is_read_over_the_quoting_as_dkim_is(
        tmp_path: Path, writer: Callable[[bytes], bytes], lines: bytes, result: str, code: str,
        severity: str) -> None:
    message, dns = _arc_sealed(lines)
    snapshot = tmp_path / "arc.dns.json"
    snapshot.write_text(json.dumps(dns))
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(writer, message))
    analyzed, scanned = analyze_and_scan(path, snapshot)
    assert _auth(analyzed) == _auth(scanned)
    arc = analyzed["arc"]
    assert (arc["result"], arc["reason_code"]) == (result, code)
    assert [(i["seal_result"], i["signature_result"]) for i in arc["instances"]] == [
        ("pass", "pass" if result == "pass" else "neutral")]
    assert {f["id"]: f["severity"] for f in analyzed["findings"]}["arc.mbox_quoting"] == severity
    [note] = [f for f in analyzed["findings"] if f["id"] == "arc.mbox_quoting"]
    # The AMS and the DKIM signature hash the same body: each is read over the same reading.
    (dkim,) = analyzed["dkim"]
    if result == "neutral":
        assert "which of them its writer quoted cannot be known" in arc["reason"]
        assert dkim["reason_code"] == "not_original"
        assert "only the first 4 of its 5 lines starting with '>From ' were read both ways" in note["explanation"]
    else:
        assert dkim["result"] == "pass"
        reading = dkim["reason"].partition("; body hash verified over the body ")[2]
        # (The note says once, not per instance, that the stored body is not the signed one.)
        reading = reading.removesuffix(", so the body as stored is not the signed one")
        assert reading and f"i=1: verified over the body {reading}" in note["explanation"], note["explanation"]
        assert ("line by line" in note["title"]) == (severity == "notice")
    # The same message as a plain .eml (nothing quoted) passes whole.
    plain = tmp_path / "plain.eml"
    plain.write_bytes(message)
    report = json.loads(_run("analyze", str(plain), "--dns-snapshot", str(snapshot), "-f", "json"))
    assert (report["arc"]["result"], [d["result"] for d in report["dkim"]]) == ("pass", ["pass"])


def test_an_arc_sealed_body_changed_after_sealing_matches_no_line_by_line_reading(tmp_path: Path) -> None:
    # The readings take '>' characters off lines that start with '>From ', nothing else: a body
    # changed after the seal matches none of them, and is never a pass (nor DMARC's through ARC).
    message, dns = _arc_sealed(TOP + ARCHIVE)
    snapshot = tmp_path / "arc.dns.json"
    snapshot.write_text(json.dumps(dns))
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(mboxo, message.replace(b"revenue is up", b"revenue is down")))
    analyzed, scanned = analyze_and_scan(path, snapshot)
    assert _auth(analyzed) == _auth(scanned)
    assert (analyzed["arc"]["result"], analyzed["arc"]["reason_code"]) == ("neutral", "not_original")
    assert [(d["result"], d["reason_code"]) for d in analyzed["dkim"]] == [("neutral", "not_original")]
    assert analyzed["dmarc"]["result"] == "fail"
    [note] = [f for f in analyzed["findings"] if f["id"] == "arc.mbox_quoting"]
    assert note["severity"] == "notice" and "i=1: matches none of the readings" in note["explanation"]


def test_the_readings_are_made_only_for_a_body_hash_that_does_not_match(monkeypatch: pytest.MonkeyPatch) -> None:
    # The work is bounded: a body that matches as stored, or one without a quoted line, makes no
    # copy; one that does not match makes at most two (mboxrd, mboxo), kept for the message.
    import headerscope
    from headerscope.auth import _dkimpy
    from headerscope.dns.snapshot import SnapshotResolver

    made: list[int] = []
    readings = _dkimpy.SplitMessage.mbox_readings

    def counted(self: _dkimpy.SplitMessage) -> tuple[tuple[str, _dkimpy.SplitMessage], ...]:
        result = readings(self)
        made.append(len(result))
        return result

    monkeypatch.setattr(_dkimpy.SplitMessage, "mbox_readings", counted)
    resolver = SnapshotResolver.from_file(str(SNAPSHOT))
    for data, calls in ((mailbox(mboxo, signed(ARCHIVE)), []), (mailbox(mboxo, signed(b"plain\r\n")), []),
                        (mailbox(mboxrd, signed(TOP + ARCHIVE)), [2]), (mailbox(mboxo, signed(TOP + ARCHIVE)), [1])):
        made.clear()
        report = headerscope.analyze(data, resolver=resolver, now=_now())
        assert made[:1] == calls and set(made) <= set(calls), made
        assert report.dkim[0].result in ("pass", "neutral")


def _now() -> Any:
    from datetime import datetime

    return datetime.fromisoformat(NOW.replace("Z", "+00:00"))


@pytest.mark.parametrize("body", [
    b"", b"\r\n", b">From x", b">From x\r\n", b"\n>From x\n", b">>>>From \r\n>From \r\n", b">" * 5000 + b"From x\r\n",
    b"\r\n>From a\r\n>>From b\r\nFrom c\r\n>\r\n>From\r\n", b"x\r>From y\r\n", (b">From " * 3 + b"\n") * 2000,
])
def test_the_readings_undo_exactly_one_quote_mark(body: bytes) -> None:
    # Compared with a line-by-line reading of RFC 4155 section 2 (the fast one works on the whole
    # body with one substitution per reading).
    from headerscope.auth import _dkimpy

    split = _dkimpy.split_message(b"Subject: x\r\n\r\n" + body)
    lines = body.split(b"\n")
    rd = b"\n".join(line[1:] if re.match(rb">+From ", line) else line for line in lines)
    o = b"\n".join(line[1:] if re.match(rb">From ", line) else line for line in lines)
    expected = (() if rd == body else (("mboxrd", rd),) if o == body else (("mbox", rd),) if rd == o
                else (("mboxrd", rd), ("mboxo", o)))
    got = tuple((name, reading.raw) for name, reading in split.mbox_readings())
    assert got == expected
    assert split.has_mbox_quoted_lines() is (rd != body)
    for _, reading in split.mbox_readings():
        assert reading.headers == split.headers and reading.body_needs_crlf == split.body_needs_crlf


def _listed(message: bytes, list_signs: bool = True) -> tuple[bytes, dict[str, Any]]:
    """The message as a mailing list passed it on: a footer added to the body, and the list's
    own signature over the result (lists.example.org, with example.org's key under selector
    list), with the DNS snapshot holding that key."""
    from datetime import datetime, timezone
    from unittest import mock

    import dkim

    message = message.replace(b"\r\nCarol\r\n", b"\r\nCarol\r\n-- \r\nThe minutes list\r\n")
    if list_signs:
        key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
        when = datetime(2026, 11, 26, 13, 3, 12, tzinfo=timezone.utc).timestamp()
        with mock.patch("dkim.time.time", return_value=when):
            message = bytes(dkim.sign(message, b"list", b"lists.example.org", key,
                                      include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])) + message
    dns = json.loads(SNAPSHOT.read_text())
    dns["list._domainkey.lists.example.org"] = dns["mail2026._domainkey.example.org"]
    return message, dns


def test_another_signature_s_body_hash_says_how_the_entry_is_read(tmp_path: Path) -> None:
    # A list added a footer and signed again; mboxo stored both kinds of line, so no reading
    # gives back the author's body whatever happened. But the list's body hash matches the
    # body with the quoting undone: that is the body as the list passed it on, and over it the
    # author's signature does not match: its body changed (the list's footer), as on any copy.
    snapshot = tmp_path / "list.dns.json"
    path = tmp_path / "inbox.mbox"
    message, dns = _listed(signed(TOP))
    snapshot.write_text(json.dumps(dns))
    path.write_bytes(mailbox(mboxo, message))
    analyzed, scanned = analyze_and_scan(path, snapshot)
    assert _auth(analyzed) == _auth(scanned)
    listed, author = analyzed["dkim"]
    assert (listed["domain"], listed["result"], listed["body_hash_ok"]) == ("lists.example.org", "pass", True)
    assert (author["domain"], author["result"], author["reason_code"], author["body_hash_ok"]) == (
        "example.org", "fail", "body_hash_mismatch", False)
    assert "the reading another signature's body hash in the message matches" in author["reason"]
    [note] = [f for f in analyzed["findings"] if f["id"] == "dkim.mbox_quoting"]
    assert note["severity"] == "info" and "its body changed after it signed" in note["explanation"]
    # Without the list's signature nothing says how to read the entry: the author's cannot be judged.
    message, _ = _listed(signed(TOP), list_signs=False)
    path.write_bytes(mailbox(mboxo, message))
    analyzed, scanned = analyze_and_scan(path, snapshot)
    assert _auth(analyzed) == _auth(scanned)
    assert [(d["result"], d["reason_code"], d["body_hash_ok"]) for d in analyzed["dkim"]] == [
        ("neutral", "not_original", None)]


def test_the_established_reading_is_the_one_the_body_hashes_agree_on() -> None:
    from headerscope.auth import _dkimpy

    def request_for(body: _dkimpy.SplitMessage) -> tuple[tuple[str, str, int | None], bytes]:
        request = ("relaxed", "rsa-sha256", None)
        return request, body.body_hash(*request)[0]

    def established(raw: bytes, *bodies: bytes) -> str | None:
        split = _dkimpy.split_message(b"Subject: x\r\n\r\n" + raw)
        hashes = [request_for(_dkimpy.split_message(b"Subject: x\r\n\r\n" + body)) for body in bodies]
        return split.mbox_established_reading(lambda: hashes)

    stored = b"a\r\n>From b\r\n>>From c\r\n"
    assert established(stored, stored) == "stored"
    assert established(stored, b"a\r\nFrom b\r\n>From c\r\n", b"other\r\n") == "mboxrd"
    assert established(stored, b"a\r\nFrom b\r\n>>From c\r\n") == "mboxo"
    assert established(stored, b"a\r\nFrom b\r\n>From c\r\n", stored) is None  # they disagree
    assert established(stored, b"other\r\n") is None and established(stored) is None
    assert established(b"a\r\n>From b\r\n", b"a\r\nFrom b\r\n") == "mbox"


def test_an_arc_message_signature_is_judged_over_the_reading_other_signatures_establish(tmp_path: Path) -> None:
    # alumni.example sealed the message, then a list added its footer and signed it: the newest
    # (only) ARC-Message-Signature matches no reading, the list's DKIM body hash matches one, and
    # over that body the chain's signature fails, as it does on any copy so changed.
    sealed, arc_dns = _arc_sealed(TOP)
    message, dns = _listed(sealed)
    snapshot = tmp_path / "arc.dns.json"
    snapshot.write_text(json.dumps({**arc_dns, **dns}))
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(mboxo, message))
    analyzed, scanned = analyze_and_scan(path, snapshot)
    assert _auth(analyzed) == _auth(scanned)
    assert (analyzed["arc"]["result"], analyzed["arc"]["reason_code"]) == ("fail", "invalid")
    [note] = [f for f in analyzed["findings"] if f["id"] == "arc.mbox_quoting"]
    assert "i=1: matches no reading" in note["explanation"] and "changed after it signed" in note["explanation"]
    # Without the list's signature nothing says how to read the entry: not a failure.
    message, _ = _listed(sealed, list_signs=False)
    path.write_bytes(mailbox(mboxo, message))
    analyzed, scanned = analyze_and_scan(path, snapshot)
    assert _auth(analyzed) == _auth(scanned)
    assert (analyzed["arc"]["result"], analyzed["arc"]["reason_code"]) == ("neutral", "not_original")


@pytest.mark.parametrize("body", [
    b">From a\r\n>From b\r\n", b">From a\n>From b", b"x\r\n>From a\r\n>>From b\r\n>From c\r\n", b">From a\r\n",
    b">From a\r>From b\r\n>From c\r\n", b"\r\n>From 1\r\n \t>From x\r\n>From 2\r\n>From 3\r\n>From 4\r\n>From 5\r\n",
    b">From \xff\xfe\r\n>From \x00\r\n" + b"pad  \t \r\n" * 3, (b">From q\r\n" * 3 + b"\n") * 400,
])
def test_the_line_by_line_readings_are_the_bodies_read_one_line_at_a_time(body: bytes) -> None:
    # Each reading is compared with the message built with that line-by-line reading's body and
    # split as any message is (the plain path), by every canonicalization, with and without l=.
    import hashlib
    import itertools

    from headerscope.auth import _dkimpy

    header = b"Subject: x\r\n\r\n"
    split = _dkimpy.split_message(header + body)
    lines = body.split(b"\n")
    quoted = [n for n, line in enumerate(lines) if line.startswith(b">From ")]
    varied = quoted[:_dkimpy.MBOX_MIXED_LINES]
    requests = [("simple", "rsa-sha256", None), ("relaxed", "rsa-sha1", None), ("relaxed", "rsa-sha256", 7)]
    found: set[str] = set()
    for choice in itertools.product((False, True), repeat=len(varied)):
        unquoted = {n for n, taken in zip(varied, choice, strict=True) if taken} | set(quoted[len(varied):])
        if len(quoted) < 2 or len(unquoted) in (0, len(quoted)):
            continue
        reading = b"\n".join(line[1:] if n in unquoted else line for n, line in enumerate(lines))
        plain = _dkimpy.split_message(header + reading)
        for request in requests:
            expected = plain.body_hash(*request)[0]
            got = split.mbox_mixed_reading_of(request, expected)
            assert got is not None and got[1].body_hash(*request) == (expected, got[2])
            if request[2] is not None:
                continue  # l=7: the readings alike in their first bytes all match; the first is taken
            assert got[1].raw == reading and got[2] == plain.body_hash(*request)[1]
            numbers = [str(n + 1) for n in varied]
            assert got[0] == (f"{_dkimpy.MIXED_PREFIX}{','.join(x for x, t in zip(numbers, choice, strict=True) if t)}/"
                              f"{','.join(x for x, t in zip(numbers, choice, strict=True) if not t)}/{len(quoted)}")
            found.add(got[0])
    assert len(found) == (0 if len(quoted) < 2 else 2 ** len(varied) - (2 if len(quoted) <= 4 else 1))
    # A hash no reading has matches none; the body as stored and the mboxo reading are not among them.
    assert split.mbox_mixed_reading_of(requests[0], hashlib.sha256(b"other").digest()) is None
    assert split.mbox_mixed_reading_of(requests[0], split.body_hash(*requests[0])[0]) is None


def test_the_line_by_line_readings_are_made_only_when_no_reading_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The plain path pays nothing: no line-by-line reading for a body that matches as stored or
    # in the mboxo or mboxrd reading, or that has no quoted line; a large body is not read so.
    import headerscope
    from headerscope.auth import _dkimpy
    from headerscope.dns.snapshot import SnapshotResolver

    calls: list[int] = []
    mixed = _dkimpy.SplitMessage.mbox_mixed_reading_of

    def counted(self: _dkimpy.SplitMessage, request: Any, expected: bytes) -> Any:
        calls.append(1)
        return mixed(self, request, expected)

    monkeypatch.setattr(_dkimpy.SplitMessage, "mbox_mixed_reading_of", counted)
    resolver = SnapshotResolver.from_file(str(SNAPSHOT))
    for data, tried, result in ((mailbox(mboxo, signed(ARCHIVE)), 0, "pass"), (mailbox(mboxo, signed(TOP)), 0, "pass"),
                                (mailbox(mboxrd, signed(TOP + ARCHIVE)), 0, "pass"),
                                (mailbox(mboxo, signed(b"plain\r\n")), 0, "pass"),
                                (mailbox(mboxo, signed(TOP + ARCHIVE)), 1, "pass")):
        calls.clear()
        report = headerscope.analyze(data, resolver=resolver, now=_now())
        assert (len(calls), report.dkim[0].result) == (tried, result)
    monkeypatch.setattr(_dkimpy, "MBOX_MIXED_MAX_BODY", 10)
    report = headerscope.analyze(mailbox(mboxo, signed(ARCHIVE + TOP)), resolver=resolver, now=_now())
    assert report.dkim[0].result == "neutral"
    [note] = [f for f in report.findings if f.id == "dkim.mbox_quoting"]
    assert "is over 0 MiB, so its '>From ' lines were not read one by one" in note.explanation


def test_the_line_by_line_readings_are_bounded_whatever_the_signatures_ask() -> None:
    # Fifty signatures, each with its own l=, would each make every reading again: a message's
    # readings are computed MBOX_MIXED_PASSES times at most, and the finding's words say so.
    from headerscope.auth import _dkimpy

    body = b">From a\r\n>From b\r\n>From c\r\n>From d\r\n"
    split = _dkimpy.split_message(b"Subject: x\r\n\r\n" + body)
    last = _dkimpy.split_message(b"Subject: x\r\n\r\n" + body.replace(b">", b"", 3))  # the last reading tried
    assert split.mbox_mixed_reading_of(("simple", "rsa-sha256", None), b"none") is None
    assert split.mbox_mixed_reading_of(("simple", "rsa-sha256", 1), b"none") is None
    assert split.mbox_mixed_limit() is None  # 28 readings computed
    request = ("simple", "rsa-sha256", 30)
    assert split.mbox_mixed_reading_of(request, last.body_hash(*request)[0]) is None
    assert split.mbox_mixed_limit() == (f"the line-by-line readings were computed {_dkimpy.MBOX_MIXED_PASSES} times "
                                        "for this message's signatures, and no more")
    # Readings already computed still answer; a fresh message finds the one asked for.
    assert split.mbox_mixed_reading_of(("simple", "rsa-sha256", None), b"none") is None
    fresh = _dkimpy.split_message(b"Subject: y\r\n\r\n" + body)
    found = fresh.mbox_mixed_reading_of(request, last.body_hash(*request)[0])
    assert found is not None and found[0] == f"{_dkimpy.MIXED_PREFIX}1,2,3/4/4"


def _analyzed(raw: bytes, dns: dict[str, Any]) -> Any:
    """The report of one message or mailbox entry (in process: the CLI's agreement is tested above)."""
    from datetime import datetime, timezone

    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    return analyze(raw, resolver=SnapshotResolver(dns), now=datetime(2026, 11, 28, 12, tzinfo=timezone.utc))


def _arc_sealed_with_length(monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, dict[str, Any]]:
    """_arc_sealed's message with the ARC-Message-Signature made with l=, the length of the body
    it sealed (verification V43c's mkarcl.py): the shape a sealer that signs with l= writes."""
    import dkim

    message, dns = _arc_sealed(TOP + ARCHIVE)
    upper = message[:message.index(b"ARC-Seal:")]
    lower = message[message.index(b"Received: from mail.alumni.example (localhost"):]
    length = str(len(lower.split(b"\r\n\r\n", 1)[1])).encode()
    generate = dkim.ARC.gen_header

    def with_length(self: Any, fields: list[tuple[bytes, bytes]], *args: Any, **kwargs: Any) -> Any:
        if args[2] == b"ARC-Message-Signature":  # (include_headers, canon_policy, header_name, ...)
            fields = [*fields[:-1], (b"l", length), fields[-1]]
        return generate(self, fields, *args, **kwargs)

    monkeypatch.setattr(dkim.ARC, "gen_header", with_length)
    key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
    sealed = b"".join(dkim.arc_sign(lower, b"arc", b"alumni.example", key, b"mail.alumni.example",
                                    timestamp=1795698196))
    monkeypatch.setattr(dkim.ARC, "gen_header", generate)
    assert b" l=" + length in sealed.replace(b"\r\n", b"")
    return upper + sealed + lower, dns


APPENDED = b"From evil: wire the money\r\nclick http://evil.example/\r\n"


def test_bytes_past_an_arc_message_signature_s_l_are_said_unsigned(monkeypatch: pytest.MonkeyPatch) -> None:
    # Verification V43c: an AMS with l= and text appended after it passed with no finding, where
    # DKIM raises dkim.unsigned_body (RFC 8617 section 4.1.2 gives the AMS DKIM's tags; RFC 6376
    # section 8.2). In a mailbox, the reading named line 7, the appended line, "as stored".
    message, dns = _arc_sealed_with_length(monkeypatch)
    for raw, quoted in ((message, False), (message + APPENDED, False), (mailbox(mboxo, message), True),
                        (mailbox(mboxo, message + APPENDED), True)):
        report = _analyzed(raw, dns)
        assert report.arc is not None and report.arc.result == "pass", report.arc
        findings = {f.id: f for f in report.findings}
        appended = b"http://evil.example/" in raw
        assert ("arc.unsigned_body" in findings) == appended
        if appended:
            unsigned = findings["arc.unsigned_body"]
            assert unsigned.severity == Severity.WARNING
            assert unsigned.title.startswith(f"{55 + quoted} body bytes not covered"), unsigned.title
            assert "i=1, alumni.example), the one the chain rests on" in unsigned.explanation
        if quoted:
            note = findings["arc.mbox_quoting"].explanation
            assert "one '>' taken off body line 3, body line 4 as stored" in note, note
            assert ("body line 7, past the signed length (l=), is unsigned" in note) == appended
            assert "lines 4, 7" not in note
    # Empty lines appended are no bytes at all (relaxed canonicalization drops them at the end).
    report = _analyzed(message + b"  \r\n\t\r\n", dns)
    assert report.arc is not None and report.arc.result == "pass"
    assert not any(f.id == "arc.unsigned_body" for f in report.findings)


def test_a_later_ams_over_the_whole_body_leaves_no_byte_unsigned(monkeypatch: pytest.MonkeyPatch) -> None:
    # The l= set i=1, then a set i=2 without l= over the body with the text appended: the newest
    # sealer signed those bytes, so they are not unsigned (the older one's l= is its own).
    import dkim

    message, dns = _arc_sealed_with_length(monkeypatch)
    cut = message.index(b"ARC-Seal:")
    upper, chain = message[:cut], message[cut:] + APPENDED
    chain = b"Authentication-Results: hop2.alumni.example; arc=pass\r\n" + chain
    key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
    sealed = b"".join(dkim.arc_sign(chain, b"arc", b"alumni.example", key, b"hop2.alumni.example",
                                    timestamp=1795698197))
    report = _analyzed(upper + sealed + chain, dns)
    assert report.arc is not None and (report.arc.result, len(report.arc.instances)) == ("pass", 2)
    assert not any(f.id == "arc.unsigned_body" for f in report.findings)


def test_an_arc_line_by_line_note_says_the_stored_body_is_not_the_signed_one_once() -> None:
    # Verification V43c (chain_1_3.mbox): three sets, each verified over the same line-by-line
    # reading, and the note said "so the body as stored is not the signed one" after each, then
    # again for all, and "the reading named" of three.
    import dkim

    message, dns = _arc_sealed(TOP + ARCHIVE)
    cut = message.index(b"ARC-Seal:")
    upper, chain = message[:cut], message[cut:]
    key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
    for number in (2, 3):
        server = b"hop%d.alumni.example" % number
        chain = b"Authentication-Results: " + server + b"; arc=pass; dkim=pass header.d=example.org\r\n" + chain
        chain = b"".join(dkim.arc_sign(chain, b"arc", b"alumni.example", key, server,
                                       timestamp=1795698196 + number)) + chain
    for sets, raw in ((3, mailbox(mboxo, upper + chain)), (1, mailbox(mboxo, message))):
        report = _analyzed(raw, dns)
        assert report.arc is not None and (report.arc.result, len(report.arc.instances)) == ("pass", sets)
        [note] = [f for f in report.findings if f.id == "arc.mbox_quoting"]
        assert note.severity == Severity.NOTICE
        assert note.explanation.count("not byte for byte the signed one") == 1
        assert "so the body as stored is not the signed one" not in note.explanation
        assert note.explanation.count("quoting undone line by line (an mboxo writer") == sets
        plural = "only the readings named restore the signed bytes"
        assert (plural in note.explanation) == (sets > 1), note.explanation
        assert sets > 1 or "only the reading named restores the signed bytes" in note.explanation


def test_a_dkim_line_by_line_reading_names_only_the_lines_within_l() -> None:
    # Verification V43c (l_appended.mbox, mkl.py): a DKIM signature with l= over a body whose
    # sender wrote a '>From ' line, text starting with "From " appended past l=, stored by mboxo:
    # the reading named "body lines 4, 7 as stored", line 7 being the appended, unsigned one, and
    # the note said the stored body is not the signed one twice.
    from datetime import datetime, timezone
    from unittest import mock

    import dkim

    message = signed(TOP + ARCHIVE)
    author = message[message.index(b"From: Carol"):]
    key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
    with mock.patch("dkim.time.time", return_value=datetime(2026, 11, 26, 13, 3, 11, tzinfo=timezone.utc).timestamp()):
        signature = dkim.sign(author, b"mail2026", b"example.org", key, canonicalize=(b"relaxed", b"simple"),
                              include_headers=[b"from", b"to", b"subject", b"date", b"message-id"], length=True)
    genuine = TRANSPORT + signature + author
    dns = json.loads(SNAPSHOT.read_text())
    for raw, appended in ((genuine, False), (genuine + b"From evil: wire the money to X\r\nclick here\r\n", True)):
        report = _analyzed(mailbox(mboxo, raw), dns)
        [result] = report.dkim
        assert result.result == "pass", result.reason
        assert "one '>' taken off body line 3, body line 4 as stored" in result.reason
        assert ("body line 7, past the signed length (l=), is unsigned" in result.reason) == appended
        assert "lines 4, 7" not in result.reason
        [note] = [f for f in report.findings if f.id == "dkim.mbox_quoting"]
        assert note.explanation.count("the signed one") == 1, note.explanation


def test_the_reach_of_l_over_a_line_by_line_reading_canonicalizes_the_body_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Every signature (50 DKIM, 50 ARC at most) can ask it of one message: the canonical body, a
    # copy of the whole body, is made once, and each answer is the one the line walk gives.
    from headerscope.auth import _dkimpy
    from headerscope.auth.dkim import mbox_reading_within

    body = b"Dear Dave,\r\n\r\n" + TOP + ARCHIVE + b"Carol\r\n" + b"x  y \r\n" * 3 + b">From evil\r\n"
    split = _dkimpy.split_message(b"From: a@example.org\r\n\r\n" + body)
    made = []
    plain = _dkimpy.SplitMessage.canonical_body
    monkeypatch.setattr(_dkimpy.SplitMessage, "canonical_body", lambda self, canon: made.append(canon) or plain(
        self, canon))
    reading = "mixed:3/4,9/3"  # '>' taken off line 3 (in the reading: "From the top"), 4 and 9 left
    starts = [0]  # each line's start in the relaxed reading's canonical body
    for line in plain(split, "relaxed").split(b"\r\n")[:9]:
        starts.append(starts[-1] + len(line) + 2 - (1 if len(starts) == 3 else 0))
    for length in range(0, 140):
        reached = [line for line in (3, 4, 9) if starts[line - 1] < length]
        expected = reading if reached == [3, 4, 9] else f"{reading}/{reached[-1] if reached else 0}"
        assert mbox_reading_within(reading, split, "relaxed", length) == expected, length
    assert mbox_reading_within(reading, split, "relaxed", None) == reading
    assert made == ["relaxed"]
