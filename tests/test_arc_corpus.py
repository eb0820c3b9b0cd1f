"""ARC chain validation (RFC 8617): the ValiMail validation suite, and the dkimpy workaround."""

from __future__ import annotations

import re
from typing import Any

import dkim  # only to seal test messages and to show the upstream bug
import pytest
import yaml
from conftest import CORPUS

from headerscope.auth.arc import check_arc
from headerscope.dns.offline import OfflineResolver
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.message import parse_message
from headerscope.model import ArcResult

SUITE = CORPUS / "arc" / "arc-draft-validation-tests.yml"
DKIMPY = CORPUS / "dkim" / "dkimpy"


# Where the suite (written against ARC drafts, "spec 12/16") and RFC 8617 part: an AMS whose h= is
# empty signs no From, and RFC 8617 section 4.1.2 gives the AMS DKIM's rules, under which a
# signature that does not sign From is invalid (RFC 6376 sections 5.4 and 6.1.1; verification V38e).
_RFC_OVER_DRAFT = {"ams_fields_h_empty": "Fail"}


def _cases() -> list[Any]:
    cases = []
    for scenario in yaml.safe_load_all(SUITE.read_text()):
        # txt-records are folded over lines in the YAML: each line is one character-string.
        dns = {name: {"TXT": [value.splitlines()]} for name, value in scenario["txt-records"].items()}
        for name, test in scenario["tests"].items():
            cv = _RFC_OVER_DRAFT.get(name, (test["cv"] or "").strip())
            cases.append(pytest.param(test["message"], cv, dns, id=name))
    return cases


CASES = _cases()


def crlf(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_suite_has_all_171_cases() -> None:
    assert len(CASES) == 171


@pytest.mark.parametrize(("message", "expected_cv", "dns"), CASES)
def test_validation_suite(message: str, expected_cv: str, dns: dict[str, Any]) -> None:
    arc, findings = check_arc(parse_message(crlf(message)), SnapshotResolver(dns))
    if expected_cv == "None":
        assert arc is None or arc.result == "none"
    elif expected_cv == "":
        # The suite's empty cv: a seal already recorded cv=fail, the chain is terminated.
        assert arc is not None and (arc.result, arc.reason_code) == ("fail", "chain_terminated")
    else:
        assert arc is not None and arc.result == expected_cv.lower(), arc.reason
        failed = {"arc.chain_failed", "arc.key_unavailable"}
        assert (expected_cv == "Fail") == any(f.id in failed for f in findings)
        # A sealer key that is not published is told apart from a signature that does not verify.
        assert (arc.reason_code == "key_not_found") == (any(f.id == "arc.key_unavailable" for f in findings))


def _sealed(instances: int = 2) -> bytes:
    """test.message sealed ``instances`` times by dkimpy's signer (key test._domainkey.example.com)."""
    key = (DKIMPY / "test.private").read_bytes()
    message = crlf((DKIMPY / "test.message").read_bytes())
    for number in range(1, instances + 1):
        # test.message carries lists.example.org's results (arc=none); later hops add their own.
        server = b"lists.example.org" if number == 1 else b"hop%d.example.net" % number
        if number > 1:
            message = b"Authentication-Results: " + server + b"; arc=pass; dkim=pass header.d=example.com\r\n" + message
        sealed = dkim.arc_sign(message, b"test", b"example.com", key, server, timestamp=1700000000 + number)
        message = b"".join(sealed) + message
    return message


DNS = {"test._domainkey.example.com": {"TXT": [(DKIMPY / "test.txt").read_text().strip()]}}


def _check(raw: bytes, resolver: Any = None) -> ArcResult:
    arc, _ = check_arc(parse_message(raw), resolver or SnapshotResolver(DNS))
    assert arc is not None
    return arc


def test_instances_are_reported() -> None:
    arc = _check(_sealed(2))
    assert (arc.result, arc.reason_code, arc.oldest_pass) == ("pass", "ok", 1)
    assert [(i.instance, i.domain, i.selector, i.cv, i.seal_result, i.signature_result) for i in arc.instances] == [
        (1, "example.com", "test", "none", "pass", "pass"),
        (2, "example.com", "test", "pass", "pass", "pass"),
    ]
    assert arc.instances[0].authentication_results is not None
    assert arc.instances[0].authentication_results.startswith("lists.example.org")
    assert "dkim=pass" in arc.instances[0].authentication_results


def _resealed_after(change: Any) -> bytes:
    """test.message sealed by lists.example.org (i=1), changed by ``change``, then sealed by a
    second hop (i=2): a mailing list's or forwarder's rewrite between two sealers."""
    key = (DKIMPY / "test.private").read_bytes()
    message = crlf((DKIMPY / "test.message").read_bytes())
    message = b"".join(dkim.arc_sign(message, b"test", b"example.com", key, b"lists.example.org",
                                     timestamp=1700000001)) + message
    message = b"Authentication-Results: hop2.example.net; arc=pass; dkim=fail header.d=example.com\r\n" \
        + change(message)
    return b"".join(dkim.arc_sign(message, b"test", b"example.com", key, b"hop2.example.net",
                                  timestamp=1700000002)) + message


def test_a_change_between_two_sealers_of_a_passing_chain_is_told() -> None:
    # RFC 8617 section 5.2 step 6: the oldest AMS that still validates locates the change. The
    # chain passes (only the newest AMS must validate), and a list rewriting a Subject: is
    # ordinary: an info finding naming the two sets and whether a header or the body changed.
    header = _resealed_after(lambda m: m.replace(b"Subject: Testing", b"Subject: [list] Testing"))
    arc, findings = check_arc(parse_message(header), SnapshotResolver(DNS))
    assert arc is not None and (arc.result, arc.oldest_pass) == ("pass", 2)
    [found] = [f for f in findings if f.id == "arc.changed_after_set"]
    assert found.severity.value == "info"
    assert found.title == "ARC: a signed header field changed between set i=1 (example.com) and set i=2 (example.com)"
    assert "body hash bh= still matches" in found.explanation and "subject" in found.explanation
    assert "The chain still passes" in found.explanation
    body = _resealed_after(lambda m: m.replace(b"This is a test message.", b"This is a test message.\r\n-- \r\nfooter"))
    arc, findings = check_arc(parse_message(body), SnapshotResolver(DNS))
    assert arc is not None and (arc.result, arc.oldest_pass) == ("pass", 2)
    [found] = [f for f in findings if f.id == "arc.changed_after_set"]
    assert found.title.startswith("ARC: the body changed between set i=1")
    assert "bh= no longer matches" in found.explanation
    # Unchanged between the sealers: nothing to tell.
    _, findings = check_arc(parse_message(_resealed_after(lambda m: m)), SnapshotResolver(DNS))
    assert not any(f.id == "arc.changed_after_set" for f in findings)


def test_a_set_copied_in_twice_is_counted_as_two_sets_of_one_instance() -> None:
    # One instance's set present twice (a copied or replayed set): dkimpy says "Duplicate ARC-Seal
    # for instance 1", and the report, which reads sets by instance, said "1 set".
    import dataclasses

    from report_factory import make_report

    from headerscope.render.markdown import MarkdownRenderer

    raw = _sealed(1)
    arc_fields = raw[:raw.index(b"\r\nAuthentication-Results") + 2]  # the set dkimpy prepended
    assert arc_fields.startswith(b"ARC-Seal:") and arc_fields.count(b"ARC-Seal:") == 1
    arc = _check(arc_fields + raw)
    assert (arc.result, arc.reason_code) == ("fail", "duplicate_set")
    assert arc.reason.startswith("2 sets, the same instance i=1 twice (a copied or replayed set)")
    assert "Duplicate ARC-Seal" in arc.reason
    markdown = MarkdownRenderer().render(dataclasses.replace(make_report(), arc=arc))
    assert "| ARC | fail | 2 sets, the same instance i=1 twice" in markdown and "ARC (1 sets)" not in markdown


def test_modified_after_sealing_fails() -> None:
    raw = _sealed(1).replace(b"This is a test message.", b"This is a changed message.")
    arc = _check(raw)
    assert (arc.result, arc.reason_code) == ("fail", "invalid")
    assert arc.instances[0].signature_result == "fail" and arc.instances[0].seal_result == "pass"


def test_no_space_after_colon_workaround() -> None:
    """Real list servers write ``ARC-Message-Signature:i=1;``; dkimpy 1.1.8 raises IndexError."""
    raw = _sealed(2)
    squeezed = raw.replace(b"ARC-Message-Signature: i=", b"ARC-Message-Signature:i=").replace(
        b"ARC-Seal: i=", b"ARC-Seal:i=")
    assert squeezed != raw
    arc = _check(squeezed)
    assert (arc.result, arc.oldest_pass) == ("pass", 1)
    # Tampering is still caught through the workaround.
    assert _check(squeezed.replace(b"Subject: Testing", b"Subject: Tested")).result == "fail"


def test_dkimpy_still_has_the_bug_we_work_around() -> None:
    # When this fails, dkimpy fixed its AMS lookup and the rewrite in _dkimpy can go.
    squeezed = _sealed(1).replace(b"ARC-Message-Signature: i=", b"ARC-Message-Signature:i=")
    with pytest.raises(IndexError):
        dkim.arc_verify(squeezed, dnsfunc=lambda name, timeout=5: (DKIMPY / "test.txt").read_bytes().strip())


def test_dns_failures_and_offline() -> None:
    raw = _sealed(1)
    arc = _check(raw, SnapshotResolver({"test._domainkey.example.com": "SERVFAIL"}))
    assert arc.result == "temperror" and "test._domainkey.example.com" in arc.reason
    # Nothing was verified: no per-instance verdict (it is not a broken seal).
    assert [(i.seal_result, i.signature_result) for i in arc.instances] == [(None, None)]
    # A finding too, as spf.temperror and dmarc.temperror (scan --filter reason=arc.temperror).
    _, findings = check_arc(parse_message(raw), SnapshotResolver({"test._domainkey.example.com": "SERVFAIL"}))
    [found] = [f for f in findings if f.id == "arc.temperror"]
    assert (found.severity.value, found.title) == ("notice", "ARC key lookup failed (DNS error)")
    assert found.explanation.startswith("The key lookup failed for test._domainkey.example.com: SERVFAIL. ")
    assert not any(f.id == "arc.temperror" for f in check_arc(parse_message(raw), OfflineResolver())[1])
    arc = _check(raw, OfflineResolver())
    # RFC 8601 "none" would say "not signed"; the chain exists and was not checked.
    assert (arc.result, arc.reason_code, arc.reason) == ("not_checked", "offline", "not checked (offline)")
    assert [(i.seal_result, i.signature_result) for i in arc.instances] == [(None, None)]


@pytest.mark.parametrize(("dns", "code"), [
    ({}, "key_not_found"),
    ({"test._domainkey.example.com": "NXDOMAIN"}, "key_not_found"),
    ({"test._domainkey.example.com": {"A": ["192.0.2.1"]}}, "key_not_found"),
    ({"test._domainkey.example.com": {"TXT": ["v=DKIM1; k=rsa; p="]}}, "key_revoked"),
])
def test_missing_arc_key_is_not_a_broken_chain(dns: dict[str, Any], code: str) -> None:
    """A sealer's key that is gone fails the chain (RFC 8617 cv=fail), but as a key lookup
    error, as for DKIM (RFC 6376 section 6.1.2), not as a changed message."""
    arc, findings = check_arc(parse_message(_sealed(2)), SnapshotResolver(dns))
    assert arc is not None
    assert (arc.result, arc.reason_code) == ("fail", code)
    assert "test._domainkey.example.com" in arc.reason and "not available" in arc.reason
    assert {(i.seal_result, i.signature_result) for i in arc.instances} == {("permerror", "permerror")}
    assert [f.id for f in findings] == ["arc.key_unavailable"]


def test_broken_chain_with_published_keys_still_fails() -> None:
    raw = _sealed(2).replace(b"This is a test message.", b"This is a changed message.")
    arc, findings = check_arc(parse_message(raw), SnapshotResolver(DNS))
    assert arc is not None and (arc.result, arc.reason_code) == ("fail", "invalid")
    assert [f.id for f in findings] == ["arc.chain_failed"]


def test_headers_only_input() -> None:
    head = _sealed(1).split(b"\r\n\r\n")[0] + b"\r\n"
    arc = _check(head)
    assert (arc.result, arc.reason_code) == ("neutral", "no_body")
    # Each message signature is unverifiable without the body it covers, not failing.
    assert [(i.seal_result, i.signature_result) for i in arc.instances] == [("pass", "neutral")]
    # A receiver's recorded arc=pass is then not recomputed, rather than "different".
    from headerscope.auth.recorded import compare
    from headerscope.model import RecordedResult

    recorded = (RecordedResult(header="Authentication-Results", header_index=0, authserv_id="mx.example.net",
                               method="arc", result="pass", properties=(), reason=None, trusted=True),)
    comparisons, findings = compare(recorded, dkim=(), spf=None, dmarc=None, arc=arc)
    assert [(c.method, c.label) for c in comparisons] == [("arc", "not_recomputed")] and findings == ()
    # A copy of the header that kept its empty line has a blank body, not the one signed: the same.
    for blank in (b"\r\n", b"\r\n\r\n  \r\n"):
        arc = _check(head + blank)
        assert (arc.result, arc.reason_code) == ("neutral", "no_body")
        assert [(i.seal_result, i.signature_result) for i in arc.instances] == [("pass", "neutral")]
    # A body that is there and changed still breaks the chain.
    assert _check(head + b"\r\nchanged\r\n").result == "fail"


def test_a_set_a_paste_holds_in_part_is_not_a_broken_chain() -> None:
    # Two Gmail "Show original" pastes (real) began at Gmail's ARC-Authentication-Results: the
    # seal and message signature above were not copied. "ARC chain does not validate" was the
    # only warning on clean mail.
    sealed = _sealed(1)
    head = sealed.split(b"\r\n\r\n")[0] + b"\r\n"
    lines = head.split(b"\r\n")
    start = next(i for i, line in enumerate(lines) if line.lower().startswith(b"arc-seal:"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1] not in (b" ", b"\t"))
    without_seal = b"\r\n".join(lines[:start] + lines[end:])
    arc, findings = check_arc(parse_message(without_seal), SnapshotResolver(DNS))
    assert arc is not None and (arc.result, arc.reason_code) == ("neutral", "incomplete_copy")
    assert "the paste may have left out its ARC-Seal" in arc.reason and findings == ()
    # With the empty line that ends a header section (RFC 5322 section 2.1) it is a whole message
    # with an empty body, and a set missing a member fails the chain (RFC 8617 section 5.1.1): a
    # sender who writes no body is not spared the warning.
    for blank in (b"\r\n", b"\r\n\r\n"):
        arc, findings = check_arc(parse_message(without_seal + blank), SnapshotResolver(DNS))
        assert arc is not None and arc.result == "fail" and arc.reason_code != "incomplete_copy"
        assert [f.id for f in findings] == ["arc.chain_failed"]
    # The whole message without its seal: the chain is broken.
    whole = without_seal + b"\r\n" + sealed.split(b"\r\n\r\n", 1)[1]
    arc, findings = check_arc(parse_message(whole), SnapshotResolver(DNS))
    assert arc is not None and arc.result == "fail" and [f.id for f in findings] == ["arc.chain_failed"]


def test_no_arc_headers() -> None:
    assert check_arc(parse_message(crlf((DKIMPY / "test.message").read_bytes())), OfflineResolver()) == (None, ())


def test_hostile_arc_headers_do_not_raise() -> None:
    base = crlf((DKIMPY / "test.message").read_bytes())
    junk = [
        b"ARC-Seal: i=1\r\nARC-Message-Signature:i=1\r\nARC-Authentication-Results: i=1\r\n",
        b"ARC-Seal: i=99999999999999999999; cv=none\r\n",
        b"ARC-Message-Signature: " + b"i=1; " * 20000 + b"\r\n",
        b"ARC-Authentication-Results: nothing\r\n",
    ]
    for prefix in junk:
        arc, _ = check_arc(parse_message(prefix + base), SnapshotResolver(DNS))
        assert arc is not None and arc.result in ("fail", "permerror", "none")


def test_long_folded_whitespace_in_arc_fields_is_bounded() -> None:
    """dkimpy's b= regex backtracks quadratically on long folded whitespace: such a field is
    refused before dkimpy sees it (relaxed fields are unfolded first, so they never reach it)."""
    import time

    sealed = _sealed(1)
    head, sep, rest = sealed.partition(b"ARC-Message-Signature:")
    field, _, after = rest.partition(b"\r\nARC-Authentication-Results:")
    hostile = field.replace(b"c=relaxed/relaxed", b"c=simple/simple") + b"\r\n " * 20_000 + b";"
    start = time.process_time()
    arc = _check(head + sep + hostile + b"\r\nARC-Authentication-Results:" + after)
    assert (arc.result, arc.reason_code) == ("permerror", "library_error")
    assert "whitespace" in arc.reason
    relaxed = field + b"\r\n " * 20_000 + b";"
    arc = _check(head + sep + relaxed + b"\r\nARC-Authentication-Results:" + after)
    assert arc.result in ("pass", "fail")
    assert time.process_time() - start < 3


def test_a_newest_seal_recording_cv_fail_fails_the_chain_even_offline() -> None:
    # RFC 8617 section 5.2 step 2: the chain fails when the newest ARC-Seal says cv=fail,
    # before any signature is checked; offline, that is still known.
    raw = _sealed(2)
    failed = re.sub(rb"(ARC-Seal: i=2;[^\r]*?)cv=pass", rb"\1cv=fail", raw, count=1)
    assert failed != raw
    for resolver in (OfflineResolver(), SnapshotResolver(DNS)):
        arc = _check(failed, resolver)
        assert (arc.result, arc.reason_code) == ("fail", "chain_terminated"), arc.reason
        assert "i=2" in arc.reason
    # A cv=fail further down (not the newest) is dkimpy's to judge: offline, not checked.
    assert _check(raw, OfflineResolver()).result == "not_checked"


def test_a_sealers_record_of_a_broken_chain_is_a_notice_saying_whose_word_it_is() -> None:
    # kernel.org seals i=2 with cv=fail when the chain reached it broken (real, 2024): its word,
    # not a failure found here; offline its seal is not verified, which the reason says.
    raw = crlf(
        "ARC-Seal: i=2; a=rsa-sha256; d=subspace.kernel.example; s=arc; cv=fail; b=AAAA\n"
        "ARC-Message-Signature: i=2; a=rsa-sha256; d=subspace.kernel.example; s=arc; h=from; bh=AAAA; b=AAAA\n"
        "ARC-Authentication-Results: i=2; smtp.subspace.kernel.example; arc=fail\n"
        "ARC-Seal: i=1; a=rsa-sha256; d=microsoft.example; s=arc; cv=none; b=AAAA\n"
        "ARC-Message-Signature: i=1; a=rsa-sha256; d=microsoft.example; s=arc; h=from; bh=AAAA; b=AAAA\n"
        "ARC-Authentication-Results: i=1; mx.microsoft.example; dkim=pass\n"
        "From: a@oracle.example\n\nbody\n")
    arc, findings = check_arc(parse_message(raw), OfflineResolver())
    assert arc is not None and (arc.result, arc.reason_code) == ("fail", "chain_terminated")
    assert "sealer says it found the chain already broken (its seal not verified here)" in arc.reason
    [finding] = [f for f in findings if f.id == "arc.chain_failed"]
    assert finding.severity.value == "notice" and finding.title == "ARC chain does not validate (i=2 recorded cv=fail)"


def test_a_header_that_stops_inside_an_arc_set_is_incomplete_in_the_part_given() -> None:
    # A Google Takeout head cut after its 20th line (review AA 09) stops inside Gmail's ARC set:
    # its seal and message signature are there, its ARC-Authentication-Results below them is not.
    # RFC 8617 section 5.1.1 fails a chain whose set lacks a member, but this copy may simply end
    # before it: "incomplete in the part given", not "ARC chain does not validate".
    sealed = _sealed(1)
    head = sealed.split(b"\r\n\r\n")[0] + b"\r\n"
    lines = head.split(b"\r\n")
    start = next(i for i, line in enumerate(lines) if line.lower().startswith(b"arc-authentication-results:"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1] not in (b" ", b"\t"))
    assert start > next(i for i, line in enumerate(lines) if line.lower().startswith(b"arc-message-signature:"))
    cut = b"\r\n".join(lines[:start]) + b"\r\n"
    arc, findings = check_arc(parse_message(cut), SnapshotResolver(DNS))
    assert arc is not None and (arc.result, arc.reason_code) == ("neutral", "incomplete_copy") and findings == ()
    assert "ARC set i=1 is incomplete in the part given, without its ARC-Authentication-Results" in arc.reason
    # A file cut off inside its header says so in a file's words.
    arc, _ = check_arc(parse_message(cut, cut_off=True), SnapshotResolver(DNS))
    assert arc is not None and "the file is cut off inside its header" in arc.reason
    # The whole message, with its body, lacking that member: the chain fails (RFC 8617 section 5.1.1).
    whole = b"\r\n".join(lines[:start] + lines[end:]) + b"\r\n" + sealed.split(b"\r\n\r\n", 1)[1]
    arc, findings = check_arc(parse_message(whole), SnapshotResolver(DNS))
    assert arc is not None and arc.result == "fail" and [f.id for f in findings] == ["arc.chain_failed"]
    # So does a whole message with an empty body: its header ends with the empty line, so it is no
    # part of one (a spoof with its lure in Subject: and no body, verification report NEW-9).
    arc, findings = check_arc(parse_message(cut + b"\r\n"), SnapshotResolver(DNS))
    assert arc is not None and arc.result == "fail" and [f.id for f in findings] == ["arc.chain_failed"]


def _arc_set(number: int, cv: str = "pass") -> bytes:
    """One ARC set of instance ``number`` as sealers write it (RFC 8617 section 4.1), unsigned."""
    return crlf(
        f"ARC-Seal: i={number}; a=rsa-sha256; t=1795713168; cv={cv};\n d=relay{number}.example; s=arc; b=AAAA\n"
        f"ARC-Message-Signature: i={number}; a=rsa-sha256; c=relaxed/relaxed; d=relay{number}.example; s=arc;\n"
        f" t=1795713168; h=from:to:subject; bh=TZuQQANB5Sb3eVdY2v5Oa3jsYb+fe0tColTh2Qhp0QU=; b=AAAA\n"
        f"ARC-Authentication-Results: i={number}; relay{number}.example; dkim=pass header.d=example.com\n")


_PLAIN = crlf("From: a@example.com\nTo: b@example.org\nSubject: hi\nDate: Thu, 26 Nov 2026 08:00:00 -0800\n\nbody\n")


def _dkimpy_must_not_run(*args: Any) -> Any:
    raise AssertionError("dkimpy's ARC verifier was called")


def test_a_chain_past_50_instances_fails_without_dkimpy_or_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 8617 section 4.2.1: instances run 1 to 50 and a longer chain fails. dkimpy rescans every
    # header field per instance (16,000 sets ran for minutes), so such a chain is judged before it,
    # and, needing no key, offline too (it said "not checked (offline)").
    from headerscope.auth import _dkimpy

    monkeypatch.setattr(_dkimpy, "verify_arc", _dkimpy_must_not_run)
    raw = b"".join(_arc_set(n, "none" if n == 1 else "pass") for n in range(51, 0, -1)) + _PLAIN
    for resolver in (OfflineResolver(), SnapshotResolver({})):
        arc, findings = check_arc(parse_message(raw), resolver)
        assert arc is not None and (arc.result, arc.reason_code) == ("fail", "instance_limit")
        assert arc.reason.startswith("51 ARC sets, instances above 50 (RFC 8617 section 4.2.1): the highest is i=51")
        assert [f.id for f in findings] == ["arc.chain_failed"]
    # The reason counts the sets itself: no "(51 sets)" beside it from the instances listed.
    import dataclasses

    from report_factory import make_report

    from headerscope.render.markdown import MarkdownRenderer

    markdown = MarkdownRenderer().render(dataclasses.replace(make_report(), arc=arc))
    assert "| ARC | fail | 51 ARC sets, instances above 50" in markdown
    # One set alone naming an instance far past 50 (more digits than an int of the report holds).
    arc, _ = check_arc(parse_message(_arc_set(1, "none").replace(b"i=1;", b"i=" + b"9" * 40 + b";") + _PLAIN),
                       OfflineResolver())
    assert arc is not None and arc.reason_code == "instance_limit" and "an i= of more than 9 digits" in arc.reason
    # 50 sets are allowed: dkimpy judges them (offline: not checked).
    monkeypatch.undo()
    arc, _ = check_arc(parse_message(b"".join(_arc_set(n, "none" if n == 1 else "pass") for n in range(50, 0, -1))
                                     + _PLAIN), OfflineResolver())
    assert arc is not None and arc.result == "not_checked"


def test_a_long_chain_costs_linear_time() -> None:
    import time

    raw = b"".join(_arc_set(n, "none" if n == 1 else "pass") for n in range(4000, 0, -1)) + _PLAIN
    start = time.process_time()
    arc, _ = check_arc(parse_message(raw), OfflineResolver())
    assert arc is not None and arc.reason.startswith("4000 ARC sets, instances above 50")
    assert time.process_time() - start < 3  # 4,000 sets took dkimpy 13 s


def test_repeated_sets_are_counted_over_the_whole_header(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,000 sets cycling i=1,2,3: more fields than 50 sets hold, so the chain fails without dkimpy;
    # the count covers every field (only the first 2,000 were counted: "665 sets ... 222 times").
    from headerscope.auth import _dkimpy

    monkeypatch.setattr(_dkimpy, "verify_arc", _dkimpy_must_not_run)
    raw = b"".join(_arc_set(1 + n % 3) for n in range(1000)) + _PLAIN
    arc, _ = check_arc(parse_message(raw), OfflineResolver())
    assert arc is not None and (arc.result, arc.reason_code) == ("fail", "duplicate_set")
    assert arc.reason.startswith("1000 sets, the same instance i=1 334 times (a copied or replayed set)")


def test_the_repeated_instance_named_agrees_with_dkimpys_words() -> None:
    # dkimpy checks from the newest instance down and names the first repeated one it meets
    # (i=3 here), while i=1 is written most often: the sentence names the instance dkimpy named.
    raw = _arc_set(3) + _arc_set(3) + _arc_set(2) + _arc_set(1, "none") * 3 + _PLAIN
    arc = _check(raw)
    assert arc.reason_code == "duplicate_set"
    assert arc.reason.startswith("6 sets, the same instance i=3 twice (a copied or replayed set)"), arc.reason
    assert arc.reason.endswith("(Duplicate ARC-Seal for instance 3)")


def test_a_sealers_selector_aliased_to_a_missing_name_names_the_alias() -> None:
    # The DKIM key lookup's words (verification V40c, defect 2): the selector's name exists as a
    # CNAME; its target is the name that does not.
    arc, _ = check_arc(parse_message(_sealed(2)), SnapshotResolver(
        {"test._domainkey.example.com": {"CNAME": ["test.keys.sealer.example."]}}))
    assert arc is not None and (arc.result, arc.reason_code) == ("fail", "key_not_found")
    assert ("test._domainkey.example.com is an alias (CNAME) of test.keys.sealer.example, which does not exist "
            "(NXDOMAIN)") in arc.reason
