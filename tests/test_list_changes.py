"""A mailing list's own changes to an author's signed post, named only when a recomputation proves
them (verification V46b D2-1, D2-2): the body hash of the body without the lines added at its end
(a footer), the header signature with a Subject tag taken off and with From: as the list kept the
author's (Reply-To, Cc, X-Original-From). A first mend took any header change under a From:
rewrite, and a list's server from a name anyone can give itself, as the list's (V48a D-1 to D-3):
those shapes read as before.

Messages are signed with the test signer of test_dkim.py, then changed as Mailman 2.1 changes them."""

from __future__ import annotations

from test_dkim import MESSAGE, OfflineResolver, rsa_dns, rsa_key, sign, verify

from headerscope.auth import dkim as dkim_module
from headerscope.model import DkimSignatureResult, Finding, Severity

KEY = rsa_key(1024)
DNS = rsa_dns(1024)
LIST_FIELDS = (b"List-Id: Development of the project <devel.lists.example.org>\r\n"
               b"List-Post: <mailto:devel@lists.example.org>\r\n")
FOOTER = (b"_______________________________________________\r\nDevel mailing list\r\nDevel@lists.example.org\r\n"
          b"https://lists.example.org/mailman/listinfo/devel\r\n")
OLD_TITLE = "DKIM signature does not verify: signed headers changed, or another key signed"
OLD_REASON = "signed headers changed since signing (or the key at s1._domainkey.example.com was replaced)"


def _signed(headers: str = "from:to:subject:date") -> bytes:
    return sign(MESSAGE, key=KEY, headers=headers)


def _listed(raw: bytes, *, tag: bool = True, footer: bytes = FOOTER, munge: bytes | None = None,
            fields: bytes = LIST_FIELDS) -> bytes:
    """``raw`` as a Mailman 2.1 list passes it on: List-* fields, its "[Devel] " tag, its footer,
    and with Munge From the list's address in From: and the author in ``munge`` (a field)."""
    if tag:
        raw = raw.replace(b"Subject: Quarterly figures", b"Subject: [Devel] Quarterly figures")
    if munge is not None:
        raw = raw.replace(b"From: Alice <alice@example.com>",
                          b"From: Alice via Devel <devel@lists.example.org>\r\n" + munge)
    head, _, body = raw.partition(b"\r\n\r\n")
    return head + b"\r\n" + fields + b"\r\n" + body + footer


def _dkim(raw: bytes, *, offline: bool = False) -> tuple[DkimSignatureResult, list[Finding]]:
    results, findings = verify(raw, {}, resolver=OfflineResolver()) if offline else verify(raw, DNS)
    assert len(results) == 1
    return results[0], [f for f in findings if f.id.startswith("dkim.")]


def _one(findings: list[Finding], finding_id: str) -> Finding:
    [found] = [f for f in findings if f.id == finding_id]
    return found


def test_a_tag_and_a_footer_are_named_as_the_lists_changes() -> None:
    # D2-1: Mailman's default (subject prefix and footer) gave two warnings, neither naming the
    # footer, the tag "in words no gateway or filter writes". One finding now says both, proven.
    result, findings = _dkim(_listed(_signed()))
    assert (result.result, result.reason_code) == ("fail", "signature_mismatch")  # still a failure
    assert result.lines_added_after_signing == 4
    assert result.verifies_without_subject_tag == "[Devel]"  # as before
    assert [f.id for f in findings] == ["dkim.headers_changed"]
    changed = findings[0]
    assert changed.severity is Severity.WARNING  # words only: the List-Id is the sender's text
    assert changed.title == ("DKIM d=example.com fails, and verifies with a mailing list's changes undone: "
                             "Subject tag '[Devel]', a footer of 4 lines")
    assert "'[Devel]' was added to the Subject; a footer of 4 lines was added at the end of the body, its text " \
           "(rules left out) reading 'Devel mailing list / Devel@lists.example.org / " \
           "https://lists.example.org/mailman/listinfo/devel'; nothing else it signs changed" in changed.explanation
    assert "the mailing list that relayed it, devel.lists.example.org" in changed.explanation
    assert "The List-Id is text a sender can write. This proves what changed, not who changed it" in changed.explanation
    assert "another key" not in changed.title and "was replaced" not in changed.explanation


def test_a_munged_from_is_named_with_the_author_the_signature_proves() -> None:
    # D2-2: Mailman's Munge From: the author's address in Reply-To (or Cc), the list's in From:.
    for munge, source in ((b"Reply-To: Alice <alice@example.com>", "Reply-To"),
                          (b"Cc: Alice <alice@example.com>", "Cc"),
                          (b"X-Original-From: Alice <alice@example.com>", "X-Original-From")):
        result, findings = _dkim(_listed(_signed(), munge=munge))
        assert result.result == "fail" and result.lines_added_after_signing == 4
        assert result.verifies_without_subject_tag is None  # the tag is not the only change
        assert [f.id for f in findings] == ["dkim.headers_changed"], source  # no "possible cause" beside it
        changed = findings[0]
        assert changed.severity is Severity.WARNING
        assert changed.title == ("DKIM d=example.com fails, and verifies with a mailing list's changes undone: "
                                 "From: rewritten, Subject tag '[Devel]', a footer of 4 lines")
        assert f"verifies with From: as {source} shows it ('Alice <alice@example.com>')" in changed.explanation
        assert ("From: was rewritten to 'Alice via Devel <devel@lists.example.org>', an address of the list's own "
                "organisation (the signed one is 'Alice <alice@example.com>')") in changed.explanation


def test_the_name_before_via_with_a_bare_reply_to_address() -> None:
    _, findings = _dkim(_listed(_signed(), tag=False, munge=b"Reply-To: <alice@example.com>"))
    changed = _one(findings, "dkim.headers_changed")
    assert "From: as the name before 'via' in From: with the address in Reply-To shows it " \
           "('Alice <alice@example.com>')" in changed.explanation
    assert changed.title.endswith("changes undone: From: rewritten, a footer of 4 lines")


def test_a_footer_alone_is_named_on_the_body_finding() -> None:
    result, findings = _dkim(_listed(_signed(), tag=False))
    assert (result.reason_code, result.lines_added_after_signing) == ("body_hash_mismatch", 4)
    changed = _one(findings, "dkim.body_changed")
    assert changed.severity is Severity.WARNING
    assert changed.title == "Body changed after DKIM signing: a footer of 4 lines added at its end"
    assert "its body hash (bh=) matches the body without them, and its header signature verifies with the key" \
        in changed.explanation


def test_a_footer_after_an_empty_line_or_a_signature_separator() -> None:
    for footer, lines in ((b"\r\n-- \r\nYou received this message because you are subscribed.\r\n", 2),
                          (b"\r\nTo unsubscribe, write to devel-leave@lists.example.org\r\n", 1)):
        result, _ = _dkim(_listed(_signed(), tag=False, footer=footer))
        assert result.lines_added_after_signing == lines


def test_without_the_key_or_the_list_nothing_is_named() -> None:
    # Offline the header signature is not proven: the words are as before.
    _, offline = _dkim(_listed(_signed()), offline=True)
    assert not any("mailing list's changes" in f.title or "footer of" in f.title for f in offline)
    # No List-Id: nothing is recomputed (verification V48a's A0).
    result, findings = _dkim(_listed(_signed(), fields=b""))
    assert result.lines_added_after_signing is None
    assert _one(findings, "dkim.headers_changed").title == OLD_TITLE
    assert _one(findings, "dkim.subject_tag_only_change").severity is Severity.WARNING


def test_a_body_changed_inside_is_no_footer() -> None:
    raw = _listed(_signed()).replace(b"Hello Bob,", b"Hello Bob, pay the new account today,")
    result, findings = _dkim(raw)
    assert result.lines_added_after_signing is None
    assert _one(findings, "dkim.headers_changed").title == OLD_TITLE
    assert "the body changed as well (body hash mismatch), which the tag does not explain" in \
        _one(findings, "dkim.subject_tag_only_change").explanation


def test_forgery_lines_added_to_a_replayed_signature_are_shown_not_excused() -> None:
    # A forger appends its lure after an empty line to a replayed signed message, under its own
    # List-Id: the added lines are what the finding shows, as the lure's first line, and it stays
    # a warning; nothing passes.
    lure = b"\r\nURGENT: your account is suspended, log in at http://evil.example/login\r\n" + FOOTER
    raw = _listed(_signed(), tag=False, footer=lure,
                  fields=b"List-Id: Bank notices <notices.evil.example>\r\n")
    result, findings = _dkim(raw)
    assert result.result == "fail"
    changed = _one(findings, "dkim.body_changed")
    assert changed.severity is Severity.WARNING
    assert "its text (rules left out) reading 'URGENT: your account is suspended, log in at " \
        "http://evil.example/login / Devel mailing list / Devel@lists.example.org (and 1 more line of text)'" \
        in changed.explanation


def test_forgery_replayed_signature_under_a_rewritten_from_and_a_new_subject_reads_as_before() -> None:
    # V48a D-1 (B2): a signed newsletter replayed with the forger's "via" From:, an entirely new
    # tagged Subject, and a Reply-To naming someone at the signer's domain: no recomputation
    # verifies (the Subject is not the signed one with a tag), so the words are as before.
    raw = _signed().replace(b"From: Alice <alice@example.com>",
                            b"From: Jane Doe CEO via Board <board@evil.example>\r\n"
                            b"Reply-To: Jane Doe <ceo@example.com>\r\n"
                            b"List-Id: Board <board.evil.example>\r\nList-Post: <mailto:board@evil.example>")
    raw = raw.replace(b"Subject: Quarterly figures", b"Subject: [Board] Confidential: wire EUR 48,000 today")
    result, findings = _dkim(raw)
    assert result.lines_added_after_signing is None
    changed = _one(findings, "dkim.headers_changed")
    assert (changed.title, changed.explanation) == (OLD_TITLE, OLD_REASON)
    cause = _one(findings, "dkim.possible_cause")
    assert "so the tag alone does not explain the break" in cause.explanation
    # The From: rewrite with the signed From: in Reply-To but a Subject changed beyond a tag: the
    # same (a From: rewrite accounts for From: alone).
    raw = _signed().replace(b"From: Alice <alice@example.com>",
                            b"From: Alice via Board <board@evil.example>\r\nReply-To: Alice <alice@example.com>\r\n"
                            b"List-Id: Board <board.evil.example>")
    raw = raw.replace(b"Subject: Quarterly figures", b"Subject: [Board] Quarterly figures: wire today")
    _, findings = _dkim(raw)
    assert (_one(findings, "dkim.headers_changed").title, _one(findings, "dkim.headers_changed").explanation) \
        == (OLD_TITLE, OLD_REASON)


def test_forgery_a_from_at_another_organisation_is_not_called_the_lists() -> None:
    # V48a D-1 (B): "the list's own address" only for an address of the List-Id's organisation.
    raw = _listed(_signed(), munge=b"Reply-To: Alice <alice@example.com>",
                  fields=b"List-Id: Bank notices <notices.evil.example>\r\n")
    changed = _one(_dkim(raw)[1], "dkim.headers_changed")
    assert "From: was rewritten to 'Alice via Devel <devel@lists.example.org>' (the signed one is" \
        in changed.explanation
    assert "list's own organisation" not in changed.explanation


def _analyzed(raw: bytes, received: bytes):  # type: ignore[no-untyped-def]
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    # The signature folded as a signer writes it (a copy with long unfolded lines reads as a paste).
    signature, _, rest = raw.partition(b"\r\n")
    return headerscope.analyze(b"Authentication-Results: mx.example.net; dkim=fail header.d=example.com\r\n"
                               + received + signature.replace(b"; ", b";\r\n ") + b"\r\n" + rest,
                               resolver=SnapshotResolver(DNS))


def test_forgery_a_tag_from_a_may_be_forged_list_host_reads_as_before() -> None:
    # V48a D-2 (D): the real list's List-Id and tag on a replayed signature, from an address whose
    # PTR names the list's host, which Sendmail marked "(may be forged)": only the tag is proven,
    # and it reads as it did, in its own finding, a warning.
    raw = _signed().replace(b"Subject: Quarterly figures", b"Subject: [Sec] Quarterly figures").replace(
        b"From: Alice", b"List-Id: Security notices <sec.lists.example.org>\r\n"
                        b"List-Post: <mailto:sec@lists.example.org>\r\nFrom: Alice")
    report = _analyzed(raw, b"Received: from mail.lists.example.org (mail.lists.example.org [203.0.113.66] "
                            b"(may be forged)) by mx.example.net (8.17.1/8.17.1) with ESMTPS id 54K9;"
                            b" Mon, 12 Jan 2026 10:00:05 +0000\r\n")
    found = [f for f in report.findings if f.id.startswith("dkim.")]
    assert _one(found, "dkim.headers_changed").title == OLD_TITLE
    proof = _one(found, "dkim.subject_tag_only_change")
    assert proof.severity is Severity.WARNING and "in words no gateway or filter writes" in proof.explanation
    assert not any("list's own server" in f.explanation or "most likely the list's" in f.explanation
                   for f in report.findings)


def test_forgery_a_gmail_user_list_under_google_reads_as_before() -> None:
    # V48a D-3 (C): any Gmail account writes a List-Id under google.com and sends from Google's
    # servers: a replayed signature under its "via" From: and a new Subject reads as before.
    raw = _signed().replace(b"From: Alice <alice@example.com>",
                            b"From: Jane Doe CEO via Board <mallory.board@gmail.com>\r\n"
                            b"Reply-To: Jane Doe <ceo@example.com>\r\nList-Id: Board <board.google.com>")
    raw = raw.replace(b"Subject: Quarterly figures", b"Subject: [Board] Confidential: wire EUR 48,000 today")
    report = _analyzed(raw, b"Received: from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41]) "
                            b"by mx.example.net with ESMTPS id 1; Mon, 12 Jan 2026 10:00:05 +0000\r\n")
    found = [f for f in report.findings if f.id.startswith("dkim.")]
    changed = _one(found, "dkim.headers_changed")
    assert (changed.title, changed.explanation) == (OLD_TITLE, OLD_REASON)
    assert report.dkim[0].lines_added_after_signing is None
    assert not any("list's own server" in f.explanation or "most likely the list's" in f.explanation
                   for f in report.findings)


def test_the_recomputations_are_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A hostile body of rules and empty lines: at most _FOOTER_TRIES body hashes; many From:
    # candidates: at most _MAX_LIST_TRIES header signatures beyond the ordinary ones.
    body_hashes = []
    original_hash = dkim_module._dkimpy.SplitMessage.body_hash

    def counting(self, *args):  # type: ignore[no-untyped-def]
        body_hashes.append(len(self.raw))
        return original_hash(self, *args)

    monkeypatch.setattr(dkim_module._dkimpy.SplitMessage, "body_hash", counting)
    prefix_passes = []
    original_prefixes = dkim_module._dkimpy.SplitMessage.prefix_body_hashes

    def counting_prefixes(self, algorithm, hash_name, cuts):  # type: ignore[no-untyped-def]
        prefix_passes.append(list(cuts))
        return original_prefixes(self, algorithm, hash_name, cuts)

    monkeypatch.setattr(dkim_module._dkimpy.SplitMessage, "prefix_body_hashes", counting_prefixes)
    hostile = b"".join(b"\r\n" + b"_" * 40 + b"\r\nline\r\n" for _ in range(500))
    raw = _listed(_signed(), footer=hostile,
                  munge=b"Reply-To: A <a@example.org>\r\nCc: B <b@example.org>\r\nX-Original-From: C <c@example.org>")
    full = len(raw)
    headers_verified = []
    original_verify = dkim_module._dkimpy.verify_header_signature

    def counting_verify(*args, **kwargs):  # type: ignore[no-untyped-def]
        headers_verified.append(1)
        return original_verify(*args, **kwargs)

    monkeypatch.setattr(dkim_module._dkimpy, "verify_header_signature", counting_verify)
    result, _ = _dkim(raw)
    assert result.lines_added_after_signing is None
    assert len([size for size in body_hashes if size < full]) == 0
    assert len(prefix_passes) == 1 and len(prefix_passes[0]) <= dkim_module._FOOTER_TRIES
    # the signature itself, the Subject tag's few spellings, then the list's From: candidates
    assert len(headers_verified) <= 1 + 9 + dkim_module._MAX_LIST_TRIES


def test_a_spent_budget_ends_the_search_and_the_failure_stands() -> None:
    # The recomputations are paid from the message's verification budget, never from the reserve
    # of the signatures aligned with From:; when it cannot pay, the failure is said as before.
    from datetime import datetime, timezone

    from headerscope.auth._dkimpy import VerificationBudget, verification_cost
    from headerscope.auth.dkim import check_dkim
    from headerscope.dns.snapshot import SnapshotResolver
    from headerscope.message import parse_message

    raw = _listed(_signed(), munge=b"Reply-To: Alice <alice@example.com>")
    cost = verification_cost("rsa", 1024, 17)
    # Enough for the signature and its three untagged Subjects (the reserve), none of the list's.
    budget = VerificationBudget(limit=4 * cost)
    results, findings = check_dkim(parse_message(raw), SnapshotResolver(DNS), from_domain="example.com",
                                   delivery_time=None, now=datetime(2026, 1, 13, tzinfo=timezone.utc), budget=budget)
    assert (results[0].result, results[0].reason_code) == ("fail", "signature_mismatch")
    assert results[0].lines_added_after_signing is None
    assert [f.title for f in findings if f.id == "dkim.headers_changed"] == [OLD_TITLE]
    assert budget.refused == 1


def _prefix_work(monkeypatch):  # type: ignore[no-untyped-def]
    """Counts the passes over a body cut where a footer may start: a SplitMessage's body_hash over a
    shorter copy of the message (the way 50722d6 hashed each cut) and prefix_body_hashes passes."""
    passes: list[str] = []
    split_message = dkim_module._dkimpy.SplitMessage
    original_hash = split_message.body_hash

    def counting(self, *args):  # type: ignore[no-untyped-def]
        if self.raw is not _prefix_work.full:  # type: ignore[attr-defined]
            passes.append("cut")
        return original_hash(self, *args)

    monkeypatch.setattr(split_message, "body_hash", counting)
    original_prefixes = getattr(split_message, "prefix_body_hashes", None)
    if original_prefixes is not None:
        def counting_prefixes(self, *args):  # type: ignore[no-untyped-def]
            passes.append("prefixes")
            return original_prefixes(self, *args)

        monkeypatch.setattr(split_message, "prefix_body_hashes", counting_prefixes)
    return passes


def test_the_cut_bodies_are_hashed_once_for_all_failing_signatures(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # V53e D-1: 50 failing signatures on a message with a List-Id each hashed the body again at its
    # 4 cuts (200 passes, 73.7 s for 5.3 MB). The cuts are the body's: one pass per
    # (canonicalization, hash) for the message, whatever the number of signatures.
    from headerscope.auth._dkimpy import split_message

    signed = _listed(_signed(), tag=False, footer=b"\r\nend a\r\n\r\nend b\r\n\r\nend c\r\n\r\nend d\r\n")
    head, _, rest = signed.partition(b"\r\n")
    # Ten more copies of the signature, each with another bh= (a hash of some other body).
    import base64
    import hashlib
    import re

    other = re.sub(rb"bh=[^;]+;", b"bh=" + base64.b64encode(hashlib.sha256(b"another body").digest()) + b";", head)
    raw = b"\r\n".join([other] * 10 + [head]) + b"\r\n" + rest
    passes = _prefix_work(monkeypatch)
    _prefix_work.full = raw  # type: ignore[attr-defined]
    results, _ = verify(raw, DNS)
    assert len(results) == 11 and all(r.result == "fail" for r in results)
    assert len(passes) == 1, passes  # 44 on 50722d6
    assert split_message(raw).prefix_body_hashes("relaxed", "rsa-sha256", []) == {}


def test_a_body_too_long_for_the_footer_proof_reads_as_before(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # V53e D-1: past _FOOTER_PROOF_MAX_BODY the footer is not looked for: nothing new is said.
    big = MESSAGE.replace(b"Alice\r\n\r\n", b"Alice\r\n" + b"0123456789abcdef" * ((4 << 20) // 16 + 1) + b"\r\n")
    raw = _listed(sign(big, key=KEY), tag=False)
    passes = _prefix_work(monkeypatch)
    _prefix_work.full = raw  # type: ignore[attr-defined]
    result, findings = _dkim(raw)
    assert (result.reason_code, result.lines_added_after_signing) == ("body_hash_mismatch", None)
    assert _one(findings, "dkim.body_changed").title == "Body changed after DKIM signing"
    assert passes == []


def test_the_cut_body_hashes_are_those_of_the_body_cut_there() -> None:
    # prefix_body_hashes (one pass, a hash state copied at each cut) against the body hash of a
    # message that ends at the cut, over line ends of both kinds, white space and empty lines,
    # and bodies longer than a chunk.
    import random

    from headerscope.auth import _dkimpy

    chooser = random.Random(17)
    pieces = [b"", b" ", b"a b  c ", b"\t x", b"text", b"  ", b"x" * 70000]
    for _ in range(300):
        body = b"".join(chooser.choice(pieces) + chooser.choice([b"\r\n", b"\n", b"\r\n"])
                        for _ in range(chooser.randint(1, 25)))
        raw = b"From: a@example.com\r\n\r\n" + body
        split = _dkimpy.split_message(raw)
        starts = [i + 1 for i in range(split.body_start, len(raw) - 1) if raw[i] == 10]
        cuts = chooser.sample(starts, min(len(starts), 4))
        for canon in ("simple", "relaxed"):
            for algorithm in ("rsa-sha256", "rsa-sha1"):
                got = split.prefix_body_hashes(canon, algorithm, cuts)
                for cut in cuts:
                    prefix = _dkimpy.SplitMessage(split.headers, raw[:cut], split.body_start, split.body_needs_crlf,
                                                  split.body_has_cr, split.skipped_lines)
                    assert got[cut] == prefix.body_hash(canon, algorithm, None)[0]


def _multipart(raw: bytes) -> bytes:
    """A replay of ``raw`` (Content-Type unsigned) made multipart/mixed with a part of the forger's
    appended: the signed text is now the preamble, which no mail program shows (V53e D-2)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    return (head + b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n"
            + LIST_FIELDS + b"\r\n" + body + b"\r\n--zz\r\nContent-Type: text/html\r\n\r\n"
            b"<p>Your account is suspended. <a href=\"http://evil.example/login\">Log in</a></p>\r\n--zz--\r\n")


def test_forgery_a_part_added_to_an_unsigned_multipart_body_is_no_footer() -> None:
    result, findings = _dkim(_multipart(_signed()))
    assert (result.reason_code, result.lines_added_after_signing) == ("body_hash_mismatch", None)
    changed = _one(findings, "dkim.body_changed")
    assert changed.title == "Body changed after DKIM signing"  # 'a footer of 5 lines' on 50722d6
    assert "footer" not in changed.explanation and "changes a list makes" not in changed.explanation


def test_a_footer_after_a_signed_multipart_body_is_named() -> None:
    # Content-Type signed and its header signature verifying: the structure the reader sees is
    # the signed one, and lines after it are named as before.
    head, _, body = MESSAGE.partition(b"\r\n\r\n")
    multipart = (head + b"\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\n\r\n" + body
                 + b"--zz--\r\n")
    raw = _listed(sign(multipart, key=KEY, headers="from:to:subject:date:content-type"), tag=False)
    result, _ = _dkim(raw)
    assert result.lines_added_after_signing == 4


def test_the_text_after_a_rule_is_quoted_so_a_lure_shows() -> None:
    # V53e D-5: a block that starts with a rule was quoted as its rule, and a lure after the list's
    # lines was in none of the words.
    lure = FOOTER + b"URGENT: your account is suspended, log in at http://evil.example/login\r\n"
    _, findings = _dkim(_listed(_signed(), tag=False, footer=lure,
                                fields=b"List-Id: Bank notices <notices.evil.example>\r\n"))
    changed = _one(findings, "dkim.body_changed")
    assert "reading 'Devel mailing list / Devel@lists.example.org / https://lists.example.org/mailman/listinfo/" \
           "devel (and 1 more line of text)'" in changed.explanation
    assert "'_______" not in changed.explanation
    lure = FOOTER.replace(b"Devel mailing list", b"URGENT: log in at http://evil.example/login")
    changed = _one(_dkim(_listed(_signed(), tag=False, footer=lure))[1], "dkim.body_changed")
    assert "reading 'URGENT: log in at http://evil.example/login / Devel@lists" in changed.explanation


def test_two_signatures_of_one_label_keep_their_own_findings() -> None:
    # V53e D-4: the proof was keyed by d=/s=, so a second signature of the same label, whose b= was
    # damaged, was told the first's footer story instead of its own failure.
    signed = _listed(_signed(), tag=False)
    head, _, rest = signed.partition(b"\r\n")
    at = head.index(b"b=", head.index(b"bh=") + 3) + 6
    damaged = head[:at] + (b"A" if head[at:at + 1] != b"A" else b"B") + head[at + 1:]
    results, findings = verify(damaged + b"\r\n" + head + b"\r\n" + rest, DNS)
    assert [(r.reason_code, r.lines_added_after_signing) for r in results] == [
        ("signature_mismatch", None), ("body_hash_mismatch", 4)]
    headers = _one([f for f in findings if f.id.startswith("dkim.")], "dkim.headers_changed")
    assert headers.title == OLD_TITLE and "(DKIM #2)" not in headers.explanation
    body = _one([f for f in findings if f.id.startswith("dkim.")], "dkim.body_changed")
    assert body.title == "Body changed after DKIM signing: a footer of 4 lines added at its end"
    assert "(DKIM #2)" in body.explanation


_MAY_BE_FORGED = (b"Received: from mail.lists.example.org (mail.lists.example.org [203.0.113.66] (may be forged)) "
                  b"by mx.example.net (8.17.1/8.17.1) with ESMTPS id 54K9; Mon, 12 Jan 2026 10:00:05 +0000\r\n")
_SEC_LIST = b"List-Id: Security notices <sec.lists.example.org>\r\nList-Post: <mailto:sec@lists.example.org>\r\n"
_SEC_FOOTER = (b"\r\nURGENT: your account is suspended, log in at http://evil.example/login\r\n"
               b"_______________________________________________\r\nSec mailing list\r\nsec@lists.example.org\r\n")


def test_forgery_a_footer_from_a_may_be_forged_list_host_is_not_softened() -> None:
    # V53e D-3: "the receiving side took the message from the list's organisation" on a PTR the
    # receiver marked "(may be forged)", and the lure above the list's lines called its footer.
    report = _analyzed(_listed(_signed(), tag=False, footer=_SEC_FOOTER, fields=_SEC_LIST), _MAY_BE_FORGED)
    assert report.dkim[0].lines_added_after_signing == 4
    changed = _one([f for f in report.findings if f.id.startswith("dkim.")], "dkim.body_changed")
    assert changed.severity is Severity.WARNING  # a notice on 50722d6
    assert "took the message from" not in changed.explanation
    assert "log in at http://evil.example/login" in changed.explanation


def test_a_footer_from_the_lists_host_says_the_added_lines_author_is_unproven() -> None:
    received = _MAY_BE_FORGED.replace(b" (may be forged)", b"")
    report = _analyzed(_listed(_signed(), tag=False, footer=_SEC_FOOTER, fields=_SEC_LIST), received)
    changed = _one([f for f in report.findings if f.id.startswith("dkim.")], "dkim.body_changed")
    assert changed.severity is Severity.NOTICE
    assert "The receiving side took the message from mail.lists.example.org, a host of the list's organisation " \
           "by the name its reverse DNS gave" in changed.explanation
    assert "The 4 lines added after signing are text whose author is not proven, which may hold more than the " \
           "list's footer." in changed.explanation
    assert "The body ends with the list's footer" not in changed.explanation
