"""dkim.possible_cause: what the message shows changed it after signing (review AP, defect 2).

Messages are signed here with the test signer of test_dkim.py, then changed the way the named
gateway, filter or list changes them."""

from __future__ import annotations

from test_dkim import MESSAGE, OfflineResolver, rsa_dns, rsa_key, rsa_p, sign, verify

from headerscope.model import Finding, Severity

KEY = rsa_key(1024)
DNS = rsa_dns(1024)


def _signed() -> bytes:
    return sign(MESSAGE, key=KEY)


def _cause(raw: bytes, *, offline: bool = False) -> Finding | None:
    _, findings = verify(raw, {}, resolver=OfflineResolver()) if offline else verify(raw, DNS)
    found = [f for f in findings if f.id == "dkim.possible_cause"]
    assert len(found) <= 1
    return found[0] if found else None


def _both(raw: bytes) -> Finding:
    """The finding with the key and without it: the same words either way (defect 4)."""
    online, offline = _cause(raw), _cause(raw, offline=True)
    assert online is not None and offline is not None
    assert online == offline
    assert online.severity is Severity.NOTICE
    assert "possible cause, not a proof" in online.explanation
    return online


def test_safe_links_rewrite_is_named() -> None:
    raw = _signed().replace(b"the  figures are attached.",
                            b"the figures: https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2F"
                            b"www.example.com%2Ff&data=05&reserved=0")
    results, findings = verify(raw, DNS)
    assert results[0].result == "fail"  # still a failure
    assert any(f.id == "dkim.body_changed" and f.severity is Severity.WARNING for f in findings)
    cause = _both(raw)
    assert cause.title == "Possible cause of the DKIM break: Microsoft Safe Links"
    assert cause.subject == "dkim example.com/s1"


def test_proofpoint_mimecast_barracuda_links() -> None:
    for link, name in ((b"https://urldefense.com/v3/__https://www.example.com/f__;!!abc$", "Proofpoint URL Defense"),
                       (b"https://protect-eu.mimecast.com/s/AbCdEf?domain=example.com", "Mimecast URL Protect"),
                       (b"https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fwww.example.com", "Barracuda Link Protection")):
        cause = _both(_signed().replace(b"Alice\r\n\r\n", b"Alice\r\n" + link + b"\r\n"))
        assert name in cause.title


def test_gateway_banner_and_subject_tag() -> None:
    raw = _signed().replace(b"Subject: Quarterly figures", b"Subject: [EXTERNAL] Quarterly figures").replace(
        b"Hello Bob,", b"CAUTION: This email originated from outside of the organization. Do not click links.\r\n\r\n"
                       b"Hello Bob,")
    # Offline only the body hash is known broken: the banner is named, not the tag (a tag breaks
    # no body hash, verification V15 R1). With the key the header signature is known broken too,
    # and verifies with the tag taken off: that is proven in its own finding, the banner stays a
    # possible cause of the body's change.
    offline = _cause(raw, offline=True)
    assert offline is not None and offline.title == "Possible cause of the DKIM break: a gateway's banner"
    assert "CAUTION: This email originated from outside" in offline.explanation and "[EXTERNAL]" not in offline.explanation
    online = _cause(raw)
    assert online is not None and online.title == "Possible cause of the DKIM break: a gateway's banner"
    proof = _tag_proof(raw)
    assert proof is not None and proof.title == "DKIM d=example.com verifies with '[EXTERNAL]' taken off the Subject"
    assert "the body changed as well (body hash mismatch), which the tag does not explain" in proof.explanation
    assert _tag_proof(raw, offline=True) is None


def _tag_proof(raw: bytes, *, offline: bool = False) -> Finding | None:
    _, findings = verify(raw, {}, resolver=OfflineResolver()) if offline else verify(raw, DNS)
    found = [f for f in findings if f.id == "dkim.subject_tag_only_change"]
    assert len(found) <= 1
    return found[0] if found else None


def test_subject_tag_alone_breaks_the_header_signature() -> None:
    raw = _signed().replace(b"Subject: Quarterly figures", b"Subject: [SPAM] Quarterly figures")
    results, _ = verify(raw, DNS)
    assert results[0].reason_code == "signature_mismatch" and results[0].result == "fail"  # still a failure
    # With the key, the signature is verified again with the tag taken off: it passes, so the tag
    # is proven to be the only change (and the body hash matches): no "possible" cause is left.
    proof = _tag_proof(raw)
    assert proof is not None and proof.severity is Severity.NOTICE and proof.subject == "dkim example.com/s1"
    assert "verifies once '[SPAM]' is taken off the Subject (checked with the key)" in proof.explanation
    assert "apart from the tag the message is as d=example.com signed it" in proof.explanation
    assert _cause(raw) is None
    # Offline the header signature cannot be checked and the body is intact: no failure is
    # known, nothing to explain.
    assert _cause(raw, offline=True) is None


def test_subject_tag_compared_with_the_z_copy() -> None:
    tagged = sign(MESSAGE, key=KEY, extra=" z=Subject:Quarterly=20figures;")
    raw = tagged.replace(b"Subject: Quarterly figures", b"Subject: [EXT] Quarterly figures")
    assert _tag_proof(raw) is not None  # proven with the key
    # Another signed field changed as well: the tag is not the only change, and z= shows it was added.
    cause = _cause(raw.replace(b"Date: Mon, 12 Jan 2026 10:00:00", b"Date: Mon, 12 Jan 2026 11:00:00"))
    assert cause is not None and "which the Subject the signer copied into z= lacks" in cause.explanation
    # The tag was there when signed (z= holds it): not a change, not named.
    message = MESSAGE.replace(b"Subject: Quarterly figures", b"Subject: [EXT] Quarterly figures")
    signed_tagged = sign(message, key=KEY, extra=" z=Subject:[EXT]=20Quarterly=20figures;")
    broken = signed_tagged.replace(b"Hello Bob", b"Hello Bobby")
    assert _cause(broken) is None


def test_authors_own_bracket_and_untouched_message_name_nothing() -> None:
    # "[PATCH v2]" is the author's: no sign of a gateway.
    message = MESSAGE.replace(b"Subject: Quarterly figures", b"Subject: [PATCH v2] Quarterly figures")
    assert _cause(sign(message, key=KEY).replace(b"Hello Bob", b"Hello Bobby")) is None
    # A signature that passes needs no cause, marks or not.
    clean = sign(MESSAGE.replace(b"Alice\r\n\r\n", b"Alice\r\nhttps://urldefense.com/v3/__x\r\n"), key=KEY)
    assert _cause(clean) is None
    # A body change with no mark of a modifier: nothing named.
    assert _cause(_signed().replace(b"Hello Bob", b"Hello Bobby")) is None


def test_autoconverted_mailscanner_exclaimer() -> None:
    def changed(field: bytes) -> bytes:
        return field + _signed().replace(b"Hello Bob", b"Hello=20Bob")
    cause = _both(changed(b"X-MIME-Autoconverted: from 8bit to quoted-printable by mx.example.net id 5AB12\r\n"))
    assert "mx.example.net converted the body from 8bit to quoted-printable" in cause.explanation
    cause = _both(changed(b"X-Example-MailScanner: Found to be infected\r\n"))
    assert cause.title == "Possible cause of the DKIM break: MailScanner's virus scan"
    cause = _both(changed(b"X-ExclaimerHostedSignatures-MessageProcessed: true\r\n"))
    assert "Exclaimer" in cause.title
    # MailScanner's stock replacement text, without its field.
    cause = _both(_signed().replace(b"Alice\r\n\r\n", b"Alice\r\nThe original e-mail attachment \"a.zip\"\r\nwas "
                                    b"believed to be infected by a virus and has been replaced by this warning\r\n"
                                    b"message.\r\n"))
    assert "replaced or removed" in cause.explanation


def test_wrapped_banner_in_html_and_external_line() -> None:
    html = (b"Content-Type: text/html; charset=utf-8\r\n" + _signed()).replace(
        b"Hello Bob,", b"<p><b>CAUTION:</b> This email originated\r\nfrom outside the organization.</p>Hello Bob,")
    assert "a gateway's banner" in _both(html).title
    external = _signed().replace(b"Hello Bob,", b"[EXTERNAL] Be careful with links.\r\nHello Bob,")
    assert "a gateway's banner" in _both(external).title
    # "[External]" further down, in the author's own text, is no banner.
    assert _cause(_signed().replace(b"Alice\r\n\r\n", b"Alice\r\nsee [EXTERNAL] below\r\n")) is None


def test_a_lists_own_tag_and_a_word_in_a_helo_are_no_cause() -> None:
    # Verification V15 R1, F4: a list tags before it signs, so its own tag is no cause of its own
    # signature's break; "exclaimer" in a sender's HELO name is no Exclaimer hop.
    listed = _signed().replace(b"Subject: Quarterly figures", b"Subject: [team] Quarterly figures")
    listed = b"List-Id: Team <team.lists.example.com>\r\n" + listed
    assert _cause(listed) is None
    helo = _signed().replace(b"Hello Bob,", b"Hello Bobby,")
    helo = (b"Received: from exclaimer-gw.evil.example ([203.0.113.9]) by mx.example.net with ESMTP id 1; "
            b"Mon, 2 Nov 2026 10:00:01 +0000\r\n" + helo)
    cause = _cause(helo)
    assert cause is None or "Exclaimer" not in cause.title


def test_a_helo_under_exclaimers_domain_is_no_exclaimer_hop() -> None:
    # Verification V16 F4: only the receiving host of a stamp ("by ...exclaimer.net") or "with
    # Exclaimer" is its hop; a client's greeting is its own choice.
    helo = _signed().replace(b"Hello Bob,", b"Hello Bobby,")
    helo = (b"Received: from smtp1.exclaimer.net ([203.0.113.9]) by mx.example.net with ESMTP id 1; "
            b"Mon, 2 Nov 2026 10:00:01 +0000\r\n" + helo)
    cause = _cause(helo)
    assert cause is None or "Exclaimer" not in cause.title
    hop = helo.replace(b"by mx.example.net", b"by smtp1.exclaimer.net")
    named = _cause(hop)
    assert named is not None and "Exclaimer" in named.title


def test_a_tag_beside_other_changes_is_not_the_cause() -> None:
    # Verification V16 F5: a forger who changes a signed field and adds "[EXTERNAL]" has the tag
    # named as the cause no longer: with the tag taken off the signature still fails, and the
    # words say so.
    raw = _signed().replace(b"Subject: Quarterly figures", b"Subject: [EXTERNAL] Quarterly figures").replace(
        b"From: Alice <alice@example.com>", b"From: Alice <alice@example.com>, Mallory <m@example.org>")
    assert _tag_proof(raw) is None
    cause = _cause(raw)
    assert cause is not None and "but with the tag taken off the signature still fails (checked with the key): " \
        "other signed header fields changed as well, so the tag alone" in cause.explanation
    # Offline nothing can be re-verified: the tag is named as before (the body is intact, the
    # header signature unchecked: no failure is known at all).
    assert _cause(raw, offline=True) is None


def test_several_tags_and_simple_canonicalization() -> None:
    simple = sign(MESSAGE, key=KEY, canon="simple/simple")
    twice = simple.replace(b"Subject: Quarterly figures", b"Subject: [EXTERNAL] [SPAM] Quarterly figures")
    proof = _tag_proof(twice)
    assert proof is not None and proof.title == "DKIM d=example.com verifies with '[EXTERNAL] [SPAM]' taken off the Subject"
    # A tagger that wrote its tag right after the colon: with c=simple only the spacing the signer
    # had verifies, and the usual ones are tried.
    no_space = simple.replace(b"Subject: Quarterly figures", b"Subject:EXT: Quarterly figures")
    assert _tag_proof(no_space) is not None
    unspaced = sign(MESSAGE.replace(b"Subject: Quarterly", b"Subject:Quarterly"), key=KEY, canon="simple/simple")
    assert _tag_proof(unspaced.replace(b"Subject:Quarterly", b"Subject: [EXT] Quarterly")) is not None
    # The Subject re-spaced beyond the tag: c=simple fails, and the words say spacing may be why.
    spaced = simple.replace(b"Subject: Quarterly figures", b"Subject: [EXT] Quarterly  figures")
    assert _tag_proof(spaced) is None
    cause = _cause(spaced)
    assert cause is not None and "(or, with c=simple, the Subject's spacing was changed too)" in cause.explanation
    # A tag in the middle of the Subject is taken off nothing.
    assert _tag_proof(simple.replace(b"Quarterly figures", b"Quarterly [EXT] figures")) is None


def _delivered(tagged: bytes, recorded: bytes = b"dkim=pass header.d=example.com header.s=s1") -> bytes:
    """``tagged`` as mx.example.net delivered it, with its own results above its Received, and the
    signature folded (a copy with unfolded long lines reads as a paste)."""
    head, _, rest = tagged.partition(b"\r\n")
    return (b"Authentication-Results: mx.example.net; " + recorded + b"\r\n"
            b"Received: from out.example.com (out.example.com [192.0.2.7]) by mx.example.net with ESMTPS id 1;"
            b" Mon, 12 Jan 2026 10:00:05 +0000\r\n" + head.replace(b"; ", b";\r\n ") + b"\r\n" + rest)


def test_a_tag_added_after_the_receivers_pass_is_said_and_does_not_make_it_suspicious() -> None:
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    tagged = _signed().replace(b"Subject: Quarterly figures", b"Subject: [EXTERNAL] Quarterly figures")
    report = headerscope.analyze(_delivered(tagged), resolver=SnapshotResolver(DNS))
    assert [s.verifies_without_subject_tag for s in report.dkim] == ["[EXTERNAL]"]
    [dkim] = [c for c in report.comparison if c.method == "dkim"]
    assert dkim.label == "modified_after_delivery"
    assert "verifies with '[EXTERNAL]' taken off the Subject: that tag, added after the check" in dkim.explanation
    assert report.verdict.status == "authenticated"
    assert report.verdict.summary.startswith("Authenticated as example.com at delivery")
    assert "it fails now only because '[EXTERNAL]' was added to the Subject" in report.verdict.summary

    # The body changed as well: the tag does not explain it, and the message stays suspicious.
    bannered = tagged.replace(b"Hello Bob,", b"Hello Bob, and more,")
    changed = headerscope.analyze(_delivered(bannered), resolver=SnapshotResolver(DNS))
    assert changed.verdict.status == "suspicious"
    # The receiver recorded a failure: the tag came before its check, nothing is vouched for.
    failed = headerscope.analyze(_delivered(tagged, b"dkim=fail header.d=example.com header.s=s1"),
                                 resolver=SnapshotResolver(DNS))
    assert failed.verdict.status != "authenticated"
    # Another signed field changed besides the tag: no proof, still suspicious.
    moved = tagged.replace(b"Date: Mon, 12 Jan 2026 10:00:00", b"Date: Mon, 12 Jan 2026 09:00:00")
    other = headerscope.analyze(_delivered(moved), resolver=SnapshotResolver(DNS))
    assert [s.verifies_without_subject_tag for s in other.dkim] == [None]
    assert other.verdict.status == "suspicious"


def test_a_tag_with_text_beyond_l_stays_suspicious() -> None:
    # l= covers only the signed body: text appended after it rides on any pass (RFC 6376 section
    # 8.2), so a proven tag does not make such a message authenticated.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    short = sign(MESSAGE, key=KEY, length=True).replace(b"Subject: Quarterly figures",
                                                         b"Subject: [EXTERNAL] Quarterly figures")
    report = headerscope.analyze(_delivered(short + b"Pay the new account: 12345\r\n"), resolver=SnapshotResolver(DNS))
    assert [s.verifies_without_subject_tag for s in report.dkim] == ["[EXTERNAL]"]
    assert report.verdict.status == "suspicious"


def test_a_proven_tag_does_not_hide_an_unsigned_subject_nor_vouch_for_anyones_words() -> None:
    # Verification V17 N1: a Subject added above the signed one (unsigned), both tagged: the proof
    # covers the signed copy only; the copy readers see is nobody's, and the verdict says so.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    signed = _signed()
    signature, _, rest = signed.replace(b"Subject: Quarterly figures",
                                        b"Subject: [EXTERNAL] Quarterly figures").partition(b"\r\n")
    added = signature + b"\r\nSubject: [EXTERNAL] Wire 9,800 EUR to the new account today\r\n" + rest
    report = headerscope.analyze(_delivered(added), resolver=SnapshotResolver(DNS))
    assert [s.verifies_without_subject_tag for s in report.dkim] == ["[EXTERNAL]"]
    assert report.verdict.status != "authenticated"
    assert any(f.id == "dkim.unsigned_header" and f.severity is Severity.DANGER for f in report.findings)
    # N2: text that is no gateway's tag, put before the Subject after delivery: proven the only
    # change, and still no authenticated verdict (anyone may have written it).
    for words in (b"[PAID: new IBAN DE89370400440532013000]", b"***Call +1 888 555 0100 now***"):
        edited = signed.replace(b"Subject: Quarterly figures", b"Subject: " + words + b" Quarterly figures")
        changed = headerscope.analyze(_delivered(edited), resolver=SnapshotResolver(DNS))
        assert [s.verifies_without_subject_tag for s in changed.dkim] == [words.decode()]
        assert changed.verdict.status == "suspicious", words
        [proof] = [f for f in changed.findings if f.id == "dkim.subject_tag_only_change"]
        assert proof.severity is Severity.WARNING and "in words no gateway or filter writes" in proof.explanation
    # Gateways' own words still read as theirs.
    gateway = signed.replace(b"Subject: Quarterly figures", b"Subject: [External Email] [SPAM] Quarterly figures")
    assert headerscope.analyze(_delivered(gateway), resolver=SnapshotResolver(DNS)).verdict.status == "authenticated"


def test_a_lists_own_label_is_a_lists_tag() -> None:
    # samples/mailing-list.eml: Mailman's "[devel]" (its List-Id's label) broke Frank's signature.
    from conftest import SAMPLES

    import headerscope

    report = headerscope.analyze((SAMPLES / "mailing-list.eml").read_bytes(), dns_snapshot=str(SAMPLES / "mailing-list.dns.json"))
    # The list also added its footer: the tag is named with it, both proven, as the list's changes
    # (test_list_changes), and the list's own passing signature is said.
    [changed] = [f for f in report.findings if f.id == "dkim.headers_changed"]
    assert changed.title.endswith("a mailing list's changes undone: Subject tag '[devel]', a footer of 3 lines")
    assert "A signature of the list's organisation passes" in changed.explanation
    assert not [f for f in report.findings if f.id == "dkim.subject_tag_only_change"]


def test_a_forged_list_id_vouches_for_no_tag() -> None:
    # Verification V18 P5: a List-Id anyone can write made "[PAID ...]" a list's tag (a notice);
    # a list's label counts only beside a passing signature of the list's own domain.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    edited = _signed().replace(b"Subject: Quarterly figures", b"Subject: [paid] Quarterly figures")
    forged = _delivered(edited).replace(b"From: Alice", b"List-Id: <paid.lists.example.net>\r\nFrom: Alice")
    report = headerscope.analyze(forged, resolver=SnapshotResolver(DNS))
    [proof] = [f for f in report.findings if f.id == "dkim.subject_tag_only_change"]
    assert proof.severity is Severity.WARNING


def _encoded(text: str, letter: str = "B", charset: str = "utf-8", size: int = 0) -> bytes:
    """``text`` as RFC 2047 encoded words (one, or words of ``size`` bytes), as a mail program writes it."""
    import base64
    import binascii

    data = text.encode(charset)
    pieces = [data[i:i + size] for i in range(0, len(data), size)] if size else [data]
    words = []
    for piece in pieces:
        if letter in "Bb":
            payload = base64.b64encode(piece)
        else:
            payload = binascii.b2a_qp(piece, header=True).replace(b"=\r\n", b"").replace(b"=\n", b"")
        words.append(b"=?" + charset.encode() + b"?" + letter.encode() + b"?" + payload + b"?=")
    return b"\r\n ".join(words)


def test_a_tag_inside_encoded_words_written_again_is_proven() -> None:
    # Verification V17 N3: Exchange decodes a non-ASCII Subject, puts "[EXTERNAL] " before its
    # text and encodes the whole again (B, its own word breaks): the raw value no longer starts
    # with the tag, so nothing was taken off and the genuine message read as modified.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    subject = "Ihr Kontoauszug für März"
    from email.header import Header

    long_subject = subject + " – Ihre Bank informiert Sie über neue Gebühren ab dem ersten April"
    python_folded = Header(long_subject, "utf-8", header_name="Subject").encode(linesep="\r\n").encode()
    assert python_folded.count(b"?=") > 1
    for signer_words in (_encoded(subject, "b"), _encoded(subject, "Q", "UTF-8"), python_folded):
        signed = sign(MESSAGE.replace(b"Subject: Quarterly figures", b"Subject: " + signer_words), key=KEY)
        tagger_words = _encoded("[EXTERNAL] " + headerscope.message.parse_message(signed).first_decoded("Subject"),
                                "B", size=45)
        tagged = signed.replace(b"Subject: " + signer_words, b"Subject: " + tagger_words)
        assert tagged != signed
        report = headerscope.analyze(_delivered(tagged), resolver=SnapshotResolver(DNS))
        assert [s.verifies_without_subject_tag for s in report.dkim] == ["[EXTERNAL]"], signer_words
        assert report.verdict.status == "authenticated"
        # Anyone's words inside the re-encoded words: proven the only change, and still a warning.
        paid = signed.replace(b"Subject: " + signer_words,
                              b"Subject: " + _encoded("[PAID: new IBAN DE89370400440532013000] " + subject, "B"))
        changed = headerscope.analyze(_delivered(paid), resolver=SnapshotResolver(DNS))
        if signer_words.count(b"?=") == 1:
            assert [s.verifies_without_subject_tag for s in changed.dkim] == [
                "[PAID: new IBAN DE89370400440532013000]"]
        assert changed.verdict.status == "suspicious"


def test_a_reencoded_tag_beside_another_change_proves_nothing_either_way() -> None:
    # The signer's word breaks are guessed: a candidate that fails says nothing, so neither
    # "the tag is the only change" nor "the tag is not the only change" is claimed.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    signer_words = _encoded("Ihr Kontoauszug für März", "b")
    signed = sign(MESSAGE.replace(b"Subject: Quarterly figures", b"Subject: " + signer_words), key=KEY)
    edited = signed.replace(b"Subject: " + signer_words,
                            b"Subject: " + _encoded("[EXTERNAL] Ihr Kontoauszug für April", "B"))
    report = headerscope.analyze(_delivered(edited), resolver=SnapshotResolver(DNS))
    assert [s.verifies_without_subject_tag for s in report.dkim] == [None]
    assert report.verdict.status == "suspicious"
    assert not [f for f in report.findings if f.id == "dkim.subject_tag_only_change"]
    assert "not the only change" not in report.to_json().decode()


def test_caution_parenthesised_and_trailing_tags_are_proven() -> None:
    # Verification V17 N3: "CAUTION:", "(EXTERNAL)" and a tag put at the end are forms gateways
    # are set to write; each verified with the tag taken off. Words no gateway writes, at the
    # end too, stay anyone's (a warning, no authenticated verdict).
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    signed = _signed()
    for tagged_subject, tag in ((b"Subject: CAUTION: Quarterly figures", "CAUTION:"),
                                (b"Subject: (EXTERNAL) Quarterly figures", "(EXTERNAL)"),
                                (b"Subject: Quarterly figures [EXTERNAL]", "[EXTERNAL]"),
                                (b"Subject: Quarterly figures (External Sender)", "(External Sender)")):
        tagged = signed.replace(b"Subject: Quarterly figures", tagged_subject)
        report = headerscope.analyze(_delivered(tagged), resolver=SnapshotResolver(DNS))
        assert [s.verifies_without_subject_tag for s in report.dkim] == [tag], tagged_subject
        assert report.verdict.status == "authenticated", tagged_subject
    anyones = signed.replace(b"Subject: Quarterly figures", b"Subject: Quarterly figures (new IBAN DE89370400440532013000)")
    changed = headerscope.analyze(_delivered(anyones), resolver=SnapshotResolver(DNS))
    assert [s.verifies_without_subject_tag for s in changed.dkim] == ["(new IBAN DE89370400440532013000)"]
    assert changed.verdict.status == "suspicious"


def test_a_line_break_inside_an_encoded_tag_is_no_taggers() -> None:
    # Verification V20 N1, N2: "=0D=0A" inside the encoded words crashed the re-encoding (a
    # HeaderParseError) or, with c=simple, let a signed Reply-To: be moved into the Subject and
    # "proven" a tag; a Subject's text holds no control characters.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    original = MESSAGE.replace(b"Subject: Quarterly figures", b"Reply-To: <alice@example.com>\r\nSubject: Quarterly figures")
    signed = sign(original, key=KEY, canon="simple/simple", headers="from:to:subject:date:reply-to")
    for charset, words in (("us-ascii", b"=?us-ascii?Q?[EXTERNAL]_Quarterly_figures=0D=0AReply-To:_<alice@example.com>?="),
                           ("utf-8", b"=?utf-8?Q?[EXTERNAL]_Quarterly_figures=0D=0AReply-To:_<alice@example.com>?=")):
        moved = signed.replace(b"Reply-To: <alice@example.com>\r\n", b"").replace(
            b"Subject: Quarterly figures", b"Subject: " + words)
        report = headerscope.analyze(_delivered(moved), resolver=SnapshotResolver(DNS))
        assert [s.verifies_without_subject_tag for s in report.dkim] == [None], charset
        assert report.verdict.status != "authenticated"


def test_a_subject_folded_by_the_current_email_package_or_raw_utf8_is_proven() -> None:
    # Verification V20 N5: Python's email.policy.SMTP writes plain words beside B or Q encoded
    # ones, and an SMTPUTF8 sender writes the Subject as raw UTF-8 (RFC 6532); a tagger that
    # encodes the whole anew left both unproven.
    import email.policy

    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    long_subject = "Ihr Kontoauszug für März – Ihre Bank informiert Sie über neue Gebühren ab dem ersten April"
    modern = email.policy.SMTP.fold_binary("Subject", long_subject)[len(b"Subject: "):].rstrip(b"\r\n")
    for signer_words, text in ((modern, long_subject), ("Ihr Kontoauszug für März".encode(), "Ihr Kontoauszug für März")):
        signed = sign(MESSAGE.replace(b"Subject: Quarterly figures", b"Subject: " + signer_words), key=KEY)
        tagged = signed.replace(b"Subject: " + signer_words, b"Subject: " + _encoded("[EXTERNAL] " + text, "B", size=45))
        report = headerscope.analyze(_delivered(tagged), resolver=SnapshotResolver(DNS))
        assert [s.verifies_without_subject_tag for s in report.dkim] == ["[EXTERNAL]"], signer_words


def test_a_python_only_codec_named_as_charset_proves_no_tag() -> None:
    # Verification V20 N4: the encoded words' label was handed to Python's codecs as it stood, so
    # "unicode_escape" or "idna" (no character set: a mail program shows such words as written)
    # decoded, and a tag inside them was "proven" taken off. A real charset label, in any of its
    # spellings, still is.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    for label, proven in (("unicode_escape", None), ("idna", None), ("raw_unicode_escape", None),
                          ("ISO-8859-1", "[EXTERNAL]"), ("latin1", "[EXTERNAL]")):
        signer_words = b"=?" + label.encode() + b"?Q?Quarterly_figures_f=FCr_M=E4rz?="
        if label.endswith("escape"):
            signer_words = b"=?" + label.encode() + b"?Q?Quarterly_figures_f\\xfcr_M\\xe4rz?="
        elif label == "idna":
            signer_words = b"=?idna?Q?Quarterly_figures?="
        signed = sign(MESSAGE.replace(b"Subject: Quarterly figures", b"Subject: " + signer_words), key=KEY)
        tagger_words = signer_words.replace(b"?Q?", b"?Q?[EXTERNAL]_")
        tagged = signed.replace(b"Subject: " + signer_words, b"Subject: " + tagger_words)
        assert tagged != signed
        report = headerscope.analyze(_delivered(tagged), resolver=SnapshotResolver(DNS))
        assert [s.verifies_without_subject_tag for s in report.dkim] == [proven], label


# Verification V40c, defect 1: the "key replaced since signing" hint rests on another signature of
# the same d= that verifies over the same fields. Only one made no later than the failing one
# (below it in the header, t= not later) shows those fields as it signed them.
T0 = 1768212005  # 2026-01-12 10:00:05 UTC, after MESSAGE's Date:


def _resigned_by_a_relay(change: tuple[bytes, bytes]) -> bytes:
    """The report's shape: example.com signs at s1 (t=T0); a relay of example.com changes the
    Subject, then signs again at s2 (t=T0+2), its field above the first (RFC 6376 section 4.2)."""
    first = sign(MESSAGE, key=KEY, extra=f" t={T0};")
    return sign(first.replace(*change), key=rsa_key(1024, seed=2), selector="s2", extra=f" t={T0 + 2};")


def _record(seed: int) -> dict[str, object]:
    n, e, _ = rsa_key(1024, seed=seed)
    return {"TXT": [["v=DKIM1; k=rsa; p=", rsa_p(n, e)]]}


def _both_keys() -> dict[str, object]:
    return {**DNS, "s2._domainkey.example.com": _record(2)}


def _headers_changed(findings: tuple[Finding, ...]) -> Finding:
    return next(f for f in findings if f.id == "dkim.headers_changed")


def test_a_signature_added_after_the_change_is_no_witness_of_a_replaced_key() -> None:
    for change in ((b"Subject: Quarterly figures", b"Subject: [SECURE] Quarterly figures"),
                   (b"Subject: Quarterly figures", b"Subject: =?UTF-8?Q?Quarterly_figures?=")):
        results, findings = verify(_resigned_by_a_relay(change), _both_keys())
        assert [(r.selector, r.result, r.reason_code) for r in results] == [
            ("s2", "pass", "ok"), ("s1", "fail", "signature_mismatch")]
        assert "points to a key replaced" not in _headers_changed(findings).explanation
    # The tag: the key at s1 proves s1 verifies without it, so no key was replaced either.
    assert any(f.id == "dkim.subject_tag_only_change" for f in verify(_resigned_by_a_relay(
        (b"Subject: Quarterly figures", b"Subject: [SECURE] Quarterly figures")), _both_keys())[1])


def test_a_witness_below_the_failing_signature_and_not_later_still_hints_at_a_replaced_key() -> None:
    # Signed twice at once (t= equal), s1 on top; then the key at s1 was replaced: the hint holds.
    raw = sign(sign(MESSAGE, key=rsa_key(1024, seed=2), selector="s2", extra=f" t={T0};"), key=KEY, extra=f" t={T0};")
    replaced = {**_both_keys(), "s1._domainkey.example.com": _record(3)}
    results, findings = verify(raw, replaced)
    assert [(r.selector, r.result) for r in results] == [("s1", "fail"), ("s2", "pass")]
    assert "points to a key replaced at s1._domainkey.example.com" in _headers_changed(findings).explanation
    # The same order, but the witness's own t= later than the failing one's: it was made after.
    raw = sign(sign(MESSAGE, key=rsa_key(1024, seed=2), selector="s2", extra=f" t={T0 + 60};"), key=KEY,
               extra=f" t={T0};")
    results, findings = verify(raw, replaced)
    assert [(r.selector, r.result) for r in results] == [("s1", "fail"), ("s2", "pass")]
    assert "points to a key replaced" not in _headers_changed(findings).explanation



def test_a_secure_mail_gateways_verdict_tag_is_told_as_its_verdict() -> None:
    """SEPPmail's documented inbound tags: "[signed INVALID]" is the gateway's S/MIME verdict, a
    notice in its words; "[signed OK]" is named too, but a passing verdict is what a lure would
    add after signing, so it stays a warning; a tag of no gateway keeps the old words."""
    invalid = _tag_proof(_signed().replace(b"Subject: Quarterly figures", b"Subject: [signed INVALID] Quarterly figures"))
    assert invalid is not None and invalid.severity is Severity.NOTICE
    assert ("in the words a secure-mail gateway writes into the Subject for its verdict on the message's signature or "
            "encryption (SEPPmail's '[signed INVALID]': the gateway found the S/MIME signature not valid") \
        in invalid.explanation
    assert "no gateway or filter writes" not in invalid.explanation
    passed = _tag_proof(_signed().replace(b"Subject: Quarterly figures", b"Subject: [signed OK] Quarterly figures"))
    assert passed is not None and passed.severity is Severity.WARNING
    assert "SEPPmail's '[signed OK]': the gateway found the S/MIME signature valid" in passed.explanation
    assert "counts only if the receiving side's own gateway wrote it" in passed.explanation
    other = _tag_proof(_signed().replace(b"Subject: Quarterly figures", b"Subject: [signed by CEO] Quarterly figures"))
    assert other is not None and other.severity is Severity.WARNING
    assert "in words no gateway or filter writes" in other.explanation
