"""Internationalised domains (RFC 8616): a U-label and its A-label are one domain for DKIM
alignment, SPF, DMARC and the receiver's recorded results; DNS is asked by the A-labels."""

from __future__ import annotations

import time

import pytest
from conftest import CORPUS, SAMPLES

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

_KEY_DIR = CORPUS / "dkim" / "dkimpy"
# bißmann.de in A-label form (IDNA 2008: "ß" is kept, RFC 5891 section 4).
_A_LABEL = "xn--bimann-cta.de"


def _dns(**extra: str) -> SnapshotResolver:
    # Keyed only by A-label names, as DNS holds them.
    zone: dict[str, dict[str, list[str]]] = {
        f"test._domainkey.{_A_LABEL}": {"TXT": [(_KEY_DIR / "test.txt").read_text().strip()]},
        f"_dmarc.{_A_LABEL}": {"TXT": ["v=DMARC1; p=reject"]},
        _A_LABEL: {"TXT": ["v=spf1 ip4:192.0.2.7 -all"]},
    }
    zone.update({name: {"TXT": [value]} for name, value in extra.items()})
    return SnapshotResolver(zone)


def _received(mail_from: str) -> bytes:
    # The receiver's own trace (the boundary hop): the client's address, and its MAIL FROM.
    return (f"Return-Path: <{mail_from}>\r\n"
            f"Received: from mx.{_A_LABEL} (mx.{_A_LABEL} [192.0.2.7]) by mx.example.net (Postfix) with UTF8SMTPS "
            f"id 4AbC1; Mon, 19 Aug 2024 14:26:00 +0000\r\n").encode()


def _body(from_address: str) -> bytes:
    return (f"From: Naib <{from_address}>\r\nTo: dmitry@example.net\r\nSubject: touchpad\r\n"
            f"Date: Mon, 19 Aug 2024 14:25:48 +0000\r\nMessage-ID: <1@kallisto.localdomain>\r\n\r\n"
            f"Thanks for helping me.\r\n").encode()


def test_a_u_label_from_is_aligned_with_its_a_label_dkim_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    # An SMTPUTF8 message (RFC 6532) may write From: in U-labels, while DKIM's d= is always the
    # A-label (RFC 8616 section 4): d=xn--bimann-cta.de signs for bißmann.de, and DMARC passes.
    import dkim

    message = _body("naib@bißmann.de")
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: 1724077550.0)  # t= before the delivery
        signature = dkim.sign(message, b"test", _A_LABEL.encode(), (_KEY_DIR / "test.private").read_bytes(),
                              include_headers=[b"from", b"to", b"subject", b"date"])
    raw = (b"Authentication-Results: mx.example.net; dkim=pass header.d=" + _A_LABEL.encode()
           + b"; dmarc=pass header.from=" + _A_LABEL.encode() + b"\r\n"
           + _received("owner@lists.example.org") + signature + message)
    report = headerscope.analyze(raw, resolver=_dns())
    [signed] = report.dkim
    assert (signed.result, signed.aligned) == ("pass", True)
    assert report.dmarc is not None and report.dmarc.result == "pass"
    assert (report.dmarc.from_domain, report.dmarc.org_domain) == (_A_LABEL, _A_LABEL)
    assert report.verdict.status == "authenticated"
    # The headline and the DMARC row name the domain as the From line does, in both forms
    # (verification V40 D4): the checks work on the A-label, the reader's mail program shows bißmann.de.
    assert report.verdict.summary.startswith(
        f"Authenticated as {_A_LABEL} (bißmann.de): DKIM signature by {_A_LABEL} passes")
    assert report.verdict.summary.count("bißmann.de") == 1
    from headerscope.render.html import HtmlRenderer
    from headerscope.render.markdown import MarkdownRenderer
    from headerscope.render.terminal import TerminalRenderer

    assert f"From domain {_A_LABEL} (bißmann.de), policy reject" in TerminalRenderer(width=400).render(report)
    assert f"| DMARC | pass | {_A_LABEL} (bißmann.de): policy reject" in MarkdownRenderer().render(report)
    assert f"<dt>From domain</dt><dd><strong>{_A_LABEL} (bißmann.de)</strong>" in HtmlRenderer().render(report)
    # The receiver's header.from=xn--... names the same From: domain: no "changed since" alarm.
    [dmarc] = [c for c in report.comparison if c.method == "dmarc"]
    assert dmarc.label == "same"
    assert not [f for f in report.findings if f.id in ("recorded.from_changed", "dmarc.nothing_aligned")]


def test_the_verdict_gives_an_idn_from_domain_its_other_form_at_its_first_mention() -> None:
    from headerscope.model import Verdict
    from headerscope.verdict import _idn_named

    said = Verdict(status="spoofed", summary=(
        "Spoofed: From claims xn--pypal-4ve.com, but no aligned DKIM or SPF passes and xn--pypal-4ve.com "
        "publishes p=reject."))
    assert _idn_named(said, ("xn--pypal-4ve.com",)).summary == (
        "Spoofed: From claims xn--pypal-4ve.com (p\u0430ypal.com; looks like the ASCII name paypal.com), but no "
        "aligned DKIM or SPF passes and xn--pypal-4ve.com publishes p=reject.")
    # A U-label From: the same mention, with the A-label form the checks used.
    assert _idn_named(said, ("p\u0430ypal.com",)).summary.startswith(
        "Spoofed: From claims xn--pypal-4ve.com (p\u0430ypal.com; looks like")
    # Only the name itself, never the end of a longer one; ASCII names and no mention: unchanged.
    longer = Verdict(status="unauthenticated", summary=f"Passes for mail.{_A_LABEL} and _dmarc.{_A_LABEL} only.")
    assert _idn_named(longer, (_A_LABEL,)) is longer
    plain = Verdict(status="authenticated", summary="Authenticated as example.com: DKIM passes.")
    assert _idn_named(plain, ("example.com",)) is plain


def test_a_u_label_envelope_sender_is_checked_by_its_a_labels_and_aligns_with_an_a_label_from() -> None:
    # The reverse: From: in A-labels, MAIL FROM in U-labels (SMTPUTF8, RFC 6531). SPF asks for
    # xn--bimann-cta.de's policy (never "bissmann.de", IDNA 2003's reading of it), passes, and aligns.
    raw = _received("naib@bißmann.de") + _body(f"naib@{_A_LABEL}")
    report = headerscope.analyze(raw, resolver=_dns(**{"bissmann.de": "v=spf1 -all"}))
    assert report.spf is not None and (report.spf.result, report.spf.aligned) == ("pass", True)
    assert report.spf.domain == _A_LABEL
    assert report.dmarc is not None and report.dmarc.result == "pass"
    assert report.verdict.status == "authenticated"
    asked = {answer.name for answer in report.dns}
    assert {_A_LABEL, f"_dmarc.{_A_LABEL}"} <= asked and "bissmann.de" not in asked
    assert not [d for d in report.envelope.differences if d.kind == "mail_from_domain"]


def test_a_mixed_script_from_domain_is_named_by_its_idna_2008_a_label() -> None:
    # "bißmаnn.de" with a Cyrillic "а": the look-alike warning gives the name DNS knows, the
    # IDNA 2008 A-label (ß kept), whether From: is written in U-labels or A-labels; IDNA 2003
    # would give "xn--bissmnn-6fg.de", another name, and cannot decode the A-label at all.
    for domain in ("bißm\u0430nn.de", "xn--bimnn-mqa850d.de"):
        raw = (f"From: <naib@{domain}>\r\nTo: b@example.net\r\nSubject: x\r\n"
               f"Date: Mon, 19 Aug 2024 14:25:48 +0000\r\n\r\nx\r\n").encode()
        [finding] = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "envelope.confusable_domain"]
        assert "The From: domain is bißm\u0430nn.de (xn--bimnn-mqa850d.de in DNS)" in finding.explanation


def test_an_encoded_word_inside_an_address_is_a_notice() -> None:
    # RFC 2047 section 5 (3): an encoded-word never stands in an addr-spec; in the display name it is right.
    raw = (b"From: =?UTF-8?Q?Professore?= <=?UTF-8?Q?profess=C3=B6re?=@units.example>\r\n"
           b"Reply-To: help@rombobj=?UTF-8?Q?=C3=B6?=rn.example\r\nTo: edi@studenti.units.example\r\n"
           b"Subject: questionario\r\nDate: Tue, 4 Jun 2024 11:00:47 +0200\r\n\r\nx\r\n")
    found = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "envelope.encoded_word_in_address"]
    assert [(f.subject, f.severity.value) for f in found] == [("From", "notice"), ("Reply-To", "notice")]
    assert "=?UTF-8?Q?profess=C3=B6re?=@units.example" in found[0].title
    clean = raw.replace(b"<=?UTF-8?Q?profess=C3=B6re?=@", b"<professore@").replace(
        b"help@rombobj=?UTF-8?Q?=C3=B6?=rn.example", b"=?UTF-8?Q?Hilfe_=C3=B6?= <help@units.example>")
    assert not [f for f in headerscope.analyze(clean, offline=True).findings
                if f.id == "envelope.encoded_word_in_address"]


def _confusable(raw: str) -> list[tuple[str, str, str]]:
    report = headerscope.analyze(raw.encode(), offline=True)
    return [(f.severity.value, f.subject or "", f.title) for f in report.findings if f.id == "envelope.confusable_domain"]


_MESSAGE = "Subject: x\r\nDate: Tue, 4 Jun 2024 11:00:47 +0200\r\nMessage-ID: <1@x>\r\n\r\nx\r\n"


def test_a_single_script_look_alike_names_the_domain_it_imitates() -> None:
    # Unicode TR #39 section 4: every non-ASCII letter has an ASCII twin. A dotless ı (Latin, one
    # script: the mixed-script test cannot see it) imitating the recipient's organisation, and a
    # whole-script Cyrillic "аррӏе.com" beside a Reply-To at the brand (the confusables data's
    # twin of the palochka is an i, read here as the l it is drawn as; an l and an i differ by a
    # stroke, so the comparison is loose either way).
    assert _confusable("From: Professore <professore@un\u0131ts.example>\r\nTo: edi@studenti.units.example\r\n"
                       + _MESSAGE) == [("warning", "From", "From: domain un\u0131ts.example is a look-alike of units.example")]
    apple = "From: Apple <billing@xn--80ak6aa92e.com>\r\nTo: user@victim.example\r\n"
    assert _confusable(apple + "Reply-To: <support@apple.com>\r\n" + _MESSAGE) == [
        ("warning", "From", "From: domain \u0430\u0440\u0440\u04cf\u0435.com is a look-alike of apple.com")]
    # Alone, it is still a warning: the name it reads as is shown (verification V40: not "appie.com").
    assert _confusable(apple + _MESSAGE) == [
        ("warning", "From", "From: domain \u0430\u0440\u0440\u04cf\u0435.com looks like the ASCII name apple.com")]


def test_a_look_alike_envelope_sender_is_named_once_per_domain() -> None:
    # MAIL FROM (Return-Path) at a look-alike of the From: domain; the same look-alike in From:
    # and Return-Path is one finding, not two.
    assert _confusable("Return-Path: <bounce@p\u0430ypal.com>\r\nFrom: service@paypal.com\r\nTo: a@example.org\r\n"
                       + _MESSAGE) == [("warning", "Return-Path",
                                        "envelope sender (MAIL FROM) domain p\u0430ypal.com is a look-alike of paypal.com")]
    assert len(_confusable("Return-Path: <bounce@p\u0430ypal.com>\r\nFrom: service@p\u0430ypal.com\r\n"
                           "To: a@example.org\r\n" + _MESSAGE)) == 1


def test_names_that_read_as_themselves_are_not_look_alikes() -> None:
    # A letter with no ASCII twin makes the name its own (ß, ü, é, п, Japanese); a whole-script
    # Greek or Cyrillic name under its country's domain is only a notice unless it imitates a
    # name in the message (Chromium's IDN policy makes the same exception).
    for domain in ("bi\u00dfmann.de", "m\u00fcnchen.de", "caf\u00e9.fr", "xn--e1afmkfd.xn--p1ai",
                   "\u65e5\u672c\u8a9e\u30c9\u30e1\u30a4\u30f3.jp", "example.com"):
        assert _confusable(f"From: a@{domain}\r\nTo: b@example.org\r\n" + _MESSAGE) == [], domain
    assert _confusable("From: a@\u03bf\u03c1\u03b1.gr\r\nTo: b@example.org\r\n" + _MESSAGE) == [
        ("notice", "From", "From: domain \u03bf\u03c1\u03b1.gr is written in Greek letters that look like Latin ones")]
    assert _confusable("From: a@\u0441\u043e\u0441\u043e.ru\r\nTo: b@coco.ru\r\n" + _MESSAGE) == [
        ("warning", "From", "From: domain \u0441\u043e\u0441\u043e.ru is a look-alike of coco.ru")]


def test_an_ascii_cousin_of_a_domain_in_the_message_is_a_look_alike() -> None:
    # Business email compromise: "cornpany" ("rn" for "m") and "comell" ("m" for a real "rn")
    # writing to staff at the real domain; the sender's side is named whichever holds the
    # stand-ins (verification V12 N2: "bl.com" writing to "b1.com" went unnamed).
    for sender, recipient in (("cornpany", "company"), ("comell", "cornell"), ("bl", "b1"), ("sawy", "savvy")):
        assert _confusable(f"From: CEO <ceo@{sender}.example>\r\nTo: staff@{recipient}.example\r\n" + _MESSAGE) == [
            ("warning", "From", f"From: domain {sender}.example looks like {recipient}.example, a recipient's domain")]
    # The same trick under another suffix, and a capital "I" for an "l" (verification V14 A1, A2).
    assert _confusable("From: dean@comell.org\r\nTo: staff@cornell.edu\r\n" + _MESSAGE) == [
        ("warning", "From", "From: domain comell.org looks like cornell.edu, a recipient's domain")]
    assert _confusable("From: PayPal <service@PAYPAI.COM>\r\nTo: bob@paypal.com\r\n" + _MESSAGE) == [
        ("warning", "From", "From: domain paypai.com looks like paypal.com, a recipient's domain")]
    # Real pairs told apart at any usual size (clear/dear).
    assert _confusable("From: a@clear.example\r\nTo: b@dear.example\r\n" + _MESSAGE) == []
    # The attacker's Reply-To beside the real From: at the recipients' own organisation: the Reply-To.
    assert _confusable("From: dean@cornell.example\r\nReply-To: dean@comell.example\r\nTo: staff@cornell.example\r\n"
                       + _MESSAGE) == [("warning", "Reply-To",
                                        "Reply-To: domain comell.example looks like cornell.example, a recipient's domain")]
    # Between two of the sender's fields nothing tells which is real: the pair, once.
    assert _confusable("From: service@paypal.example\r\nReply-To: help@paypa1.example\r\nTo: a@example.org\r\n"
                       + _MESSAGE) == [("warning", "From", "From: domain paypal.example and paypa1.example look alike")]
    # A fourth Reply-To address gets the reply too (V12 N3).
    assert _confusable("From: ceo@corp.example\r\nReply-To: a@one.example, b@two.example, c@three.example, "
                       "ceo@c0rp.example\r\nTo: staff@corp.example\r\n" + _MESSAGE) == [
        ("warning", "Reply-To", "Reply-To: domain c0rp.example looks like corp.example, a recipient's domain")]
    # One organisation under its subdomains, names that differ by more than look-alike characters,
    # and a dotted "i" against an "l" (al.com and ai.com are two real names, V12 N5), are not.
    for header in ("From: a@mail.company.example\r\nTo: b@company.example\r\n",
                   "From: a@company.example\r\nReply-To: b@company-support.example\r\nTo: c@example.org\r\n",
                   "From: news@linkedin.example\r\nTo: someone@gmail.example\r\n",
                   "From: editor@al.example\r\nTo: press@ai.example\r\n"):
        assert _confusable(header + _MESSAGE) == [], header



def _trace(client: str, ip: str, by: str, protocol: str = "ESMTPS") -> str:
    return (f"Received: from {client} ({client} [{ip}]) by {by} with {protocol} id 4AbC1; "
            f"Tue, 4 Jun 2024 11:00:46 +0200\r\n")


def test_the_business_email_compromise_look_alikes_of_a_recipients_domain() -> None:
    # Verification V38g: a letter off (doubled, dropped, swapped, replaced) under the same suffix is
    # a warning; the recipient's name under another suffix, or joined with a word, a notice (one
    # organisation often owns those). The old code told none of them.
    to = "\r\nTo: cfo@contoso.example\r\n"
    for sender, how in (("contosso", 'a doubled "s"'), ("contso", 'a dropped "o"'),
                        ("cotnoso", '"tn" for "nt" (two letters swapped)'),
                        ("contoao", '"a" for "s" (a letter replaced)'), ("contosox", 'an added "x"')):
        report = headerscope.analyze(f"From: CEO <ceo@{sender}.example>{to}{_MESSAGE}".encode(), offline=True)
        [finding] = [f for f in report.findings if f.id == "envelope.confusable_domain"]
        assert (finding.severity.value, finding.title) == (
            "warning", f"From: domain {sender}.example looks like contoso.example, a recipient's domain, one letter off")
        assert f"by one letter: {how}." in finding.explanation
    for sender, kind in (("contoso.co", "under another suffix"), ("contoso.net", "under another suffix"),
                         ("contoso-corp.example", "joined with a word"), ("contosogroup.example", "joined with a word"),
                         ("corp-contoso.example", "joined with a word"), ("contoso-corp.net", "joined with a word")):
        assert _confusable(f"From: CEO <ceo@{sender}>{to}{_MESSAGE}") == [
            ("notice", "From", f"From: domain {sender} is the name of contoso.example, a recipient's domain, {kind}")]
    report = headerscope.analyze(f"From: news@amazon.co.uk\r\nTo: staff@amazon.com\r\n{_MESSAGE}".encode(),
                                 offline=True)
    [notice] = [f for f in report.findings if f.id == "envelope.confusable_domain"]
    assert 'the name "amazon" under another suffix (.co.uk for .com)' in notice.explanation
    assert "One organisation often owns both" in notice.explanation
    # A Reply-To a letter off the recipients' own domain, under a From: at that domain.
    assert _confusable("From: ceo@contoso.example\r\nReply-To: ceo@contosso.example" + to + _MESSAGE) == [
        ("warning", "Reply-To",
         "Reply-To: domain contosso.example looks like contoso.example, a recipient's domain, one letter off")]
    # Between the sender's own fields a letter off is named as a pair; another suffix or a joined
    # word is how senders name their bounce and reply domains (brand-mail.example).
    assert _confusable("From: service@paypal.example\r\nReply-To: help@paypall.example\r\nTo: a@example.org\r\n"
                       + _MESSAGE) == [("warning", "From",
                                        "From: domain paypal.example and paypall.example look alike, one letter off")]
    for fields in ("Return-Path: <b@spotify-mail.example>\r\nFrom: news@spotify.example\r\n",
                   "Return-Path: <b@spotify.net>\r\nFrom: news@spotify.example\r\n"):
        assert _confusable(fields + "To: a@example.org\r\n" + _MESSAGE) == [], fields


def test_names_that_are_no_look_alikes_of_a_recipients_domain() -> None:
    to = "\r\nTo: cfo@contoso.example\r\n"
    # The recipients' own organisation (a subdomain, a second recipient there), names more than an
    # edit away, and labels under five letters, where a letter's difference is mostly chance.
    for fields in (f"From: a@mail.contoso.example{to}", f"From: a@contoso.co{to}Cc: b@contoso.co\r\n",
                   f"From: a@cnotsoo.example{to}", f"From: a@cotnsoo.example{to}", f"From: a@contoso.example{to}",
                   "From: a@acme.example\r\nTo: b@acne.example\r\n", "From: a@acme.co\r\nTo: b@acme.example\r\n",
                   "From: a@acme-corp.example\r\nTo: b@acme.example\r\n",
                   # A one-letter word is an edit, and a word alone is no join ("contoso-" is contoso).
                   f"From: a@xtoso.example{to}",
                   # Two users of one webmail provider, and two webmail providers a letter apart.
                   "From: a@hotmail.co.uk\r\nTo: b@hotmail.com\r\n", "From: a@ymail.com\r\nTo: b@gmail.com\r\n",
                   # Documentation's placeholder (RFC 2606), nobody's organisation.
                   "From: a@example.com\r\nTo: b@example.org\r\n", "From: a@example.biz\r\nTo: b@example.de\r\n",
                   "From: a@example-shop.net\r\nTo: b@example.org\r\n",
                   # One side a webmail provider: nobody's organisation to imitate (V39e).
                   "From: a@gmail.com\r\nTo: b@email.com\r\n", "From: a@icloud.com\r\nTo: b@cloud.com\r\n",
                   "From: a@outlookindia.com\r\nTo: b@outlook.com\r\n"):
        assert _confusable(fields + _MESSAGE) == [], fields


def test_copying_the_look_alike_into_cc_does_not_silence_it() -> None:
    # Verification V39e: the sender's own look-alike address in Cc: (or To:) made the sender's
    # organisation "a recipient's", and the letter-off warning vanished.
    for fields in ("From: ceo@contosso.example\r\nTo: cfo@contoso.example\r\nCc: assistant@contosso.example\r\n",
                   "From: ceo@contosso.example\r\nTo: cfo@contoso.example, lawyer@contosso.example\r\n"):
        assert _confusable(fields + _MESSAGE) == [
            ("warning", "From",
             "From: domain contosso.example looks like contoso.example, a recipient's domain, one letter off")], fields


def test_a_look_alike_the_recipients_organisation_itself_sent_is_not_told() -> None:
    # The receiving side's trusted results vouch for the recipients' own domain (its DKIM key
    # signed the message), or its own server handed it over from inside (a private client):
    # the two names are one organisation's.
    top = "Delivered-To: cfo@contoso.example\r\n"  # the receiving side's record of the envelope recipient
    head = "From: CEO <ceo@contoso-corp.example>\r\nTo: cfo@contoso.example\r\n"
    signed = ("Authentication-Results: mx.contoso.example; dkim=pass header.d=contoso.example header.s=s1\r\n"
              + _trace("mail-sor.provider.example", "192.0.2.25", "mx.contoso.example"))
    inside = (_trace("out.contoso.example", "192.0.2.25", "mx.provider.example")
              + _trace("app.internal", "10.1.2.3", "out.contoso.example", "ESMTP"))
    outside = (_trace("out.contoso.example", "192.0.2.25", "mx.provider.example")
               + _trace("mail.attacker.example", "198.51.100.7", "out.contoso.example", "ESMTP"))
    for trace in (signed, inside):
        assert _confusable(top + trace + head + _MESSAGE) == [], trace
    # The organisation's inbound gateway in front of its provider took the message from outside:
    # still told, as without any trace.
    for trace in (outside, ""):
        assert _confusable(top + trace + head + _MESSAGE) == [("notice", "From", "From: domain contoso-corp.example is "
                                                         "the name of contoso.example, a recipient's domain, "
                                                         "joined with a word")], trace


def test_every_look_alike_kind_shares_one_set_of_exclusions() -> None:
    # The stand-in kind ("c0ntoso", "grnail") lacked what the newer kinds had: a webmail domain on
    # either side, documentation's placeholder, and the recipients' organisation that the
    # receiving side's trusted results or its own hand-over show sent the message, are no
    # look-alikes of any kind (the old code warned of each of these).
    assert _confusable("From: a@exarnple.com\r\nTo: b@example.com\r\n" + _MESSAGE) == []
    # A webmail domain is excluded only from the kinds an ordinary name falls into by chance (one
    # letter off, another suffix, joined with a word: gmail.com beside email.com): stand-ins and a
    # name written first are made to deceive, and grnai1.com in a Gmail sender's Reply-To is the
    # reply hijack the check is for.
    told = {"From: a@grnail.com\r\nTo: b@gmail.com\r\n": "grnail.com looks like gmail.com",
            "From: a@gmail.com\r\nReply-To: a@grnai1.com\r\nTo: b@partner.example\r\n": "gmail.com and grnai1.com look alike",
            "From: a@gmail.com.evil.example\r\nTo: b@gmail.com\r\n": "starts with gmail.com"}
    for fields, words in told.items():
        found = _confusable(fields + _MESSAGE)
        assert [severity for severity, _, _ in found] == ["warning"] and words in found[0][2], (fields, found)
    assert _confusable("From: a@email.com\r\nTo: b@gmail.com\r\n" + _MESSAGE) == []
    top = "Delivered-To: cfo@contoso.example\r\n"
    head = "From: CEO <ceo@c0ntoso.example>\r\nTo: cfo@contoso.example\r\n"
    signed = ("Authentication-Results: mx.contoso.example; dkim=pass header.d=contoso.example header.s=s1\r\n"
              + _trace("mail-sor.provider.example", "192.0.2.25", "mx.contoso.example"))
    inside = (_trace("out.contoso.example", "192.0.2.25", "mx.provider.example")
              + _trace("app.internal", "10.1.2.3", "out.contoso.example", "ESMTP"))
    for trace in (signed, inside):
        assert _confusable(top + trace + head + _MESSAGE) == [], trace
    # Taken from outside, or with no trace: told, and a Cc: copy of the look-alike silences it no
    # more than it does the one-letter kind (verification V39e).
    outside = (_trace("out.contoso.example", "192.0.2.25", "mx.provider.example")
               + _trace("mail.attacker.example", "198.51.100.7", "out.contoso.example", "ESMTP"))
    warning = [("warning", "From", "From: domain c0ntoso.example looks like contoso.example, a recipient's domain")]
    for trace in (outside, "", "Cc: legal@c0ntoso.example\r\n"):
        assert _confusable(top + trace + head + _MESSAGE) == warning, trace
    # The recipients' own organisation: a Reply-To look-alike of it is named at its own field, the
    # From: at that organisation is not named for it.
    assert _confusable("From: dean@cornell.example\r\nReply-To: dean@c0rnell.example\r\nTo: staff@cornell.example\r\n"
                       + _MESSAGE) == [("warning", "Reply-To",
                                        "Reply-To: domain c0rnell.example looks like cornell.example, a recipient's domain")]


def test_the_recipients_domain_written_first_is_a_look_alike() -> None:
    # Verification V39e: "contoso.com.evil.net" and "contoso.com-secure.example" are another
    # organisation's names (evil.net, com-secure.example) that a reader takes for the recipient's
    # at a glance; the old code said nothing.
    for sender, organisation in (("contoso.com.evil.net", "evil.net"),
                                 ("contoso.com-secure.example", "com-secure.example"),
                                 ("login.contoso.com.evil.net", "evil.net"),
                                 ("contoso.com.secure-mail.net", "secure-mail.net")):
        report = headerscope.analyze(f"From: CEO <ceo@{sender}>\r\nTo: cfo@contoso.com\r\n{_MESSAGE}".encode(),
                                     offline=True)
        [finding] = [f for f in report.findings if f.id == "envelope.confusable_domain"]
        assert (finding.severity.value, finding.subject, finding.title) == (
            "warning", "From", f"From: domain {sender} starts with contoso.com, a recipient's domain"), sender
        assert f"it is a name under {organisation}, another organisation" in finding.explanation
    # Between the sender's own fields too: a Reply-To under a From: at the real domain.
    assert _confusable("From: ceo@contoso.com\r\nReply-To: ceo@contoso.com.evil.net\r\nTo: a@partner.example\r\n"
                       + _MESSAGE) == [("warning", "Reply-To", "Reply-To: domain contoso.com.evil.net starts with "
                                                               "contoso.com, another of the sender's domains")]
    # Not the organisation's own name under a longer suffix (a country's site: the suffix notice),
    # nor the name's letters going on in one label, nor its subdomain.
    assert _confusable("From: a@contoso.com.au\r\nTo: b@contoso.com\r\n" + _MESSAGE) == [
        ("notice", "From", "From: domain contoso.com.au is the name of contoso.com, a recipient's domain, "
                           "under another suffix")]
    for fields in ("From: a@contoso.community.example\r\nTo: b@contoso.com\r\n",
                   "From: a@mail.contoso.com\r\nTo: b@contoso.com\r\n",
                   "From: a@xcontoso.com.evil.net\r\nTo: b@contoso.com\r\n",
                   # One label after the name: a country's suffix the list may not know (a redacted
                   # corpus message: Return-Path at xxx.xxxxxxxx.xxx.xx, To: at xxxxxxxx.xxx).
                   "Return-Path: <me@xxx.xxxxxxxx.xxx.xx>\r\nFrom: a@vodtravel.com\r\nTo: b@xxxxxxxx.xxx\r\n"):
        assert _confusable(fields + _MESSAGE) == [], fields


def test_a_stand_in_and_one_letter_off_is_a_look_alike() -> None:
    # Verification V39e: "rnicrosooft.com" reads as "microsooft.com", a doubled "o" beside
    # microsoft.com; the old code had the stand-in kind and the one-letter kind, never both at once.
    report = headerscope.analyze(f"From: a@rnicrosooft.com\r\nTo: b@microsoft.com\r\n{_MESSAGE}".encode(), offline=True)
    [finding] = [f for f in report.findings if f.id == "envelope.confusable_domain"]
    assert (finding.severity.value, finding.title) == (
        "warning", "From: domain rnicrosooft.com looks like microsoft.com, a recipient's domain, one letter off "
                   "with stand-ins")
    assert 'read as "microsooft" beside "microsoft": a doubled "o"' in finding.explanation
    for sender, recipient in (("paypa1l", "paypal"), ("c0ntso", "contoso"), ("contoso", "c0ntosso")):
        assert [f[0] for f in _confusable(f"From: a@{sender}.com\r\nTo: b@{recipient}.com\r\n" + _MESSAGE)] == [
            "warning"], sender
    # A pair among the sender's fields; not across suffixes, nor two letters apart once read.
    assert _confusable("From: a@microsoft.com\r\nReply-To: a@rnicrosooft.com\r\nTo: b@partner.example\r\n"
                       + _MESSAGE) == [("warning", "From", "From: domain microsoft.com and rnicrosooft.com look alike, "
                                                           "one letter off with stand-ins")]
    for fields in ("From: a@rnicrosooft.net\r\nTo: b@microsoft.com\r\n",
                   "From: a@rnicrosoooft.com\r\nTo: b@microsoft.com\r\n"):
        assert _confusable(fields + _MESSAGE) == [], fields


def test_the_stand_in_and_one_letter_reading_agrees_with_the_plain_one() -> None:
    # The cheap test read before _standin_edit (cousin keys a letter apart in length, and a
    # stand-in on one side) never hides a pair the plain reading (fold both labels, then the
    # textbook one-edit table) finds; and _standin_edit finds exactly those pairs.
    import random

    from headerscope.domains import ascii_cousin_key
    from headerscope.envelope import _cousin_keys, _lookalike_kind, _standin_edit

    rng = random.Random(40)
    names = [f"{''.join(rng.choice('rnmo0') for _ in range(rng.randint(6, 8)))}.{rng.choice(('com', 'co.uk'))}"
             for _ in range(400)]
    names += ["rnicrosooft.com", "microsoft.com", "paypa1l.com", "paypal.com", "k12.ca.us", "rnrn.k12.ca.us"]
    seen = 0
    for own in names:
        key = _cousin_keys(own, own)[0]
        for other in names[:150]:
            other_key = _cousin_keys(other, other)[0]
            own_label, _, own_suffix = own.partition(".")
            other_label, _, other_suffix = other.partition(".")
            folded, other_folded = ascii_cousin_key(own_label), ascii_cousin_key(other_label)
            plain = (own != other and own_suffix == other_suffix and min(len(own_label), len(other_label)) >= 5
                     and min(len(folded), len(other_folded)) >= 5 and max(len(folded), len(other_folded)) >= 7
                     and _damerau_one(folded, other_folded))
            words = _standin_edit(own, other, key, other_key)
            assert (words is not None) == plain, (own, other)
            gate = abs(len(key) - len(other_key)) <= 1 and (key != own or other_key != other)
            if plain and _lookalike_kind(own, other) is None:
                seen += 1
                assert gate, (own, other)
    assert seen > 30, seen


def _signed_by_own_key(author: str, domain: str, bounce: str) -> tuple[bytes, dict[str, object]]:
    """A copy of ``author`` signed d=``domain`` (the samples' shop.example key, published for
    ``domain``), delivered from the bounce domain's server to mx.contoso.example, and its DNS."""
    import base64
    from unittest import mock

    import dkim
    from cryptography.hazmat.primitives import serialization

    pem = (SAMPLES / "keys" / "shop.example.rsa2048.pem").read_bytes()
    public = serialization.load_pem_private_key(pem, None).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()
    body = author.encode()
    with mock.patch("dkim.time.time", return_value=1_796_055_540):  # 2026-11-30 17:59:00 UTC
        field = bytes(dkim.sign(body, b"s1", domain.encode(), pem,
                                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"]))
    top = (f"Return-Path: <bounce-123@{bounce}>\r\nDelivered-To: staff@contoso.example\r\n"
           f"Received: from o1.{bounce} (o1.{bounce} [198.51.100.40])\r\n\tby mx1.contoso.example (Postfix) with ESMTPS "
           f"id 4Lq2Xy1ZKz9sRk\r\n\tfor <staff@contoso.example>; Mon, 30 Nov 2026 17:59:02 +0000 (UTC)\r\n").encode()
    dns: dict[str, object] = {
        f"s1._domainkey.{domain}": {"TXT": [[record[i:i + 255] for i in range(0, len(record), 255)]]},
        f"_dmarc.{domain}": {"TXT": [["v=DMARC1; p=reject"]]},
        bounce: {"TXT": [["v=spf1 ip4:198.51.100.40 -all"]]},
        "contoso.example": {"TXT": [["v=spf1 -all"]]}}
    return top + field + body, dns


def test_the_organisations_own_bounce_domain_is_not_its_look_alike_once_its_signature_verifies() -> None:
    # Verification V39e: a company's mail to its staff through its bounce domain joined with a word
    # (MAIL FROM contoso-mail.example, From: and DKIM d=contoso.example) got the look-alike notice,
    # since the envelope is read before headerscope's own DKIM check, and only a pass the receiving
    # side recorded exempted it.
    from datetime import datetime, timezone

    now = datetime(2026, 11, 30, 18, 30, tzinfo=timezone.utc)
    author = ("From: HR <hr@contoso.example>\r\nTo: staff@contoso.example\r\nSubject: Benefits enrollment\r\n"
              "Date: Mon, 30 Nov 2026 17:59:00 +0000\r\nMessage-ID: <e1@contoso-mail.example>\r\n\r\nBody.\r\n")
    raw, dns = _signed_by_own_key(author, "contoso.example", "contoso-mail.example")

    def told(raw: bytes, **options: object) -> list[str]:
        report = headerscope.analyze(raw, now=now, **options)
        return [f"{f.subject}: {f.title}" for f in report.findings if f.id == "envelope.confusable_domain"]

    notice = ("Return-Path: envelope sender (MAIL FROM) domain contoso-mail.example is the name of contoso.example, "
              "a recipient's domain, joined with a word")
    assert told(raw, resolver=SnapshotResolver(dns)) == []
    # Not verified here (offline, or a body changed since signing): told as before.
    assert told(raw, offline=True) == [notice]
    assert told(raw.replace(b"Body.", b"Bodies."), resolver=SnapshotResolver(dns)) == [notice]
    # A forger's own domain in From: too, signed with its own key: told, at the From:.
    forged = author.replace("hr@contoso.example", "hr@contoso-mail.example")
    raw, dns = _signed_by_own_key(forged, "contoso-mail.example", "contoso-mail.example")
    assert told(raw, resolver=SnapshotResolver(dns)) == [
        "From: From: domain contoso-mail.example is the name of contoso.example, a recipient's domain, joined with a word"]
    # A bounce domain a letter off, with the organisation's own signature: no longer a look-alike of
    # the recipients' domain (as with a trusted recorded pass), but still a pair with the From:.
    raw, dns = _signed_by_own_key(author, "contoso.example", "contosso.example")
    assert told(raw, resolver=SnapshotResolver(dns)) == ["Return-Path: envelope sender (MAIL FROM) domain "
                                                         "contosso.example and contoso.example look alike, one letter off"]
    assert told(raw, offline=True) == ["Return-Path: envelope sender (MAIL FROM) domain contosso.example looks like "
                                       "contoso.example, a recipient's domain, one letter off"]


def _damerau_one(a: str, b: str) -> bool:
    """The plain reading: one insertion, deletion, substitution or adjacent swap (optimal string
    alignment distance 1), by the textbook table."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)] == 1


def test_the_one_letter_reading_and_its_fast_filter_agree_with_the_plain_ones() -> None:
    import random

    from headerscope.envelope import _lookalike_kind, _may_look_alike, _one_edit

    rng = random.Random(38)
    words = ["contoso", "contosso", "cotnoso", "ab", "aab", "abba", "aaaaa", "aaaa", "a-b-c", "xn--abc", ""]
    for _ in range(3000):
        words.append("".join(rng.choice("aabcs-0") for _ in range(rng.randint(0, 8))))
    for look in words[:400]:
        for real in words[:200]:
            assert (_one_edit(look, real) is not None) == _damerau_one(look, real), (look, real)
    # The filter read before the public-suffix lookups never hides a kind the full reading finds.
    # (Labels from few letters, so that many pairs are a letter apart, joined, or one name.)
    names = [f"{''.join(rng.choice('ab-') for _ in range(rng.randint(4, 8))).strip('-') or 'a'}."
             f"{rng.choice(('com', 'co', 'co.uk'))}" for _ in range(300)]
    names += ["contoso.com", "contoso-corp.com", "corp-contoso.co.uk", "contosso.com", "contoso.co", "co.uk"]
    found = set()
    for own in names:
        for other in names:
            kind = _lookalike_kind(own, other) if own != other else None
            if kind is not None:
                found.add(kind[0])
                assert _may_look_alike(own, other), (own, other)
    assert found == {"edit", "joined", "suffix"}


def _eai(raw: str) -> list[tuple[str, str, str]]:
    report = headerscope.analyze(raw.encode(), offline=True)
    return [(f.id, f.severity.value, f.title) for f in report.findings if f.id.startswith("message.eai")]


def _hop(protocol: str) -> str:
    return (f"Received: from mx.example.org (mx.example.org [192.0.2.7]) by mx.example.net with {protocol} "
            f"id 4AbC1; Mon, 19 Aug 2024 14:26:00 +0000\r\n")


def test_utf8_in_header_fields_is_told_with_the_hops_that_carried_it() -> None:
    # RFC 6531 section 3.7.3: "with UTF8SMTPS" records the SMTPUTF8 session a UTF-8 header needs.
    eai = "Return-Path: <用户@例子.example>\r\n" + _hop("UTF8SMTPS") + "From: 用户@例子.example\r\nTo: b@example.net\r\n"
    assert _eai(eai + _MESSAGE) == [("message.eai", "info",
                                     "Internationalised header: UTF-8 in From, Return-Path, sent with SMTPUTF8")]
    # The same over plain ESMTP: the address needs SMTPUTF8 (RFC 6531 section 3.4).
    assert _eai(eai.replace("UTF8SMTPS", "ESMTPS") + _MESSAGE) == [(
        "message.eai_plain_smtp", "notice",
        "Non-ASCII address in From, Return-Path, but no hop recorded SMTPUTF8")]
    # Only a raw UTF-8 Subject over ESMTP: information (common, but a filter counts it).
    assert _eai(_hop("ESMTP") + "From: a@example.org\r\nTo: b@example.net\r\nSubject: Grüße\r\n"
                + _MESSAGE.replace("Subject: x\r\n", "")) == [
        ("message.eai_plain_smtp", "info", "UTF-8 written as is in Subject, without SMTPUTF8")]
    # Encoded-words are ASCII: nothing to say.
    assert _eai(_hop("ESMTP") + "From: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= <a@example.org>\r\nTo: b@example.net\r\n"
                + _MESSAGE) == []
    # A downgrade keeps the originals in Downgraded-* fields (RFC 6857 section 3).
    assert _eai(_hop("ESMTP") + "Downgraded-Mail-From: =?UTF-8?Q?<x>?=\r\nFrom: a@example.org\r\nTo: b@example.net\r\n"
                + _MESSAGE) == [("message.eai_downgraded", "info", "Downgraded on the way: Downgraded-Mail-From")]


def test_exims_utf8_protocol_words_record_an_smtputf8_session() -> None:
    # Exim built with SUPPORT_I18N writes "utf8" before its own protocol word ("by
    # fanzine2.igalia.com with utf8esmtpsa (Cipher TLS1.3:...) (Exim)", "by mail-01.1984.is with
    # utf8esmtp (Exim 4.96)"): an SMTPUTF8 session as RFC 6531's UTF8SMTPSA is (verification V40 D2).
    eai = "From: 用户@例子.example\r\nTo: b@example.net\r\n"
    for word in ("utf8esmtp", "utf8esmtps", "utf8esmtpa", "utf8esmtpsa"):
        assert _eai(_hop(f"{word} (Exim 4.96)") + eai + _MESSAGE) == [
            ("message.eai", "info", "Internationalised header: UTF-8 in From, sent with SMTPUTF8")], word
    assert _eai(_hop("esmtpsa (Exim 4.96)") + eai + _MESSAGE)[0][0] == "message.eai_plain_smtp"


def test_a_letter_with_a_mark_imitating_a_name_in_the_message_is_a_look_alike() -> None:
    # "cọrp" (o with a dot below) writing to corp: no twin in the confusables data, the letter
    # without its mark (V12 N4). Alone, such a name is a word of its language ("café").
    assert _confusable("From: ceo@c\u1ecdrp.example\r\nTo: bob@corp.example\r\n" + _MESSAGE) == [
        ("warning", "From", "From: domain c\u1ecdrp.example is a look-alike of corp.example")]
    assert _confusable("From: chef@caf\u00e9.example\r\nTo: bob@corp.example\r\n" + _MESSAGE) == []


def test_native_letters_under_their_own_country_domain() -> None:
    # A Turkish dotless ı under .tr is an ordinary letter (V12 N6); Armenian under .am only a
    # notice, which does not say browsers hide the name (Chromium's ccTLD rule lets it be).
    assert _confusable("From: info@yaz\u0131l\u0131m.com.tr\r\nTo: b@example.org\r\n" + _MESSAGE) == []
    report = headerscope.analyze(("From: info@\u0570\u0578\u057d.am\r\nTo: b@example.org\r\n" + _MESSAGE).encode(),
                                 offline=True)
    [notice] = [f for f in report.findings if f.id == "envelope.confusable_domain"]
    assert notice.severity.value == "notice" and "Browsers" not in notice.explanation


# Host names in the hop table (review leftover): an SMTPUTF8 server may write its own name or its
# client's in either form (RFC 6531 section 3.7.3), so each hop table shows the other one beside it.
_U_HOST = "mx.b\u00fccher.example"
_A_HOST = "mx.xn--bcher-kva.example"
# Not valid IDNA 2008: "xn--ls8h" is punycode for an emoji (a symbol, DISALLOWED, RFC 5892), and
# "xn--zzzz-" is not punycode at all. Both are shown only as written.
_EMOJI_HOST = "out.xn--ls8h.example"
_BROKEN_HOST = "relay.xn--zzzz-.example"


def _idn_hops(top_by: str = _U_HOST) -> Report:
    raw = (f"Received: from {_A_HOST} (rdns.b\u00fccher.example [192.0.2.7]) by {top_by} with UTF8SMTPS id 2; "
           "Mon, 2 Nov 2026 10:00:10 +0000\n"
           f"Received: from {_EMOJI_HOST} ({_BROKEN_HOST} [198.51.100.3]) by {_A_HOST} with ESMTPS id 1; "
           "Mon, 2 Nov 2026 10:00:05 +0000\n"
           "From: a@example.org\nTo: b@example.net\nSubject: x\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nbody\n")
    return headerscope.analyze(raw.replace("\n", "\r\n").encode(), offline=True)


def test_idn_other_form_shows_the_other_form_of_valid_names_only() -> None:
    from headerscope.domains import idn_other_form, with_idn_forms

    assert idn_other_form(_A_HOST) == _U_HOST
    assert idn_other_form(_A_HOST.upper() + ".") == _U_HOST
    assert idn_other_form(_U_HOST) == f"{_A_HOST} in DNS"
    assert idn_other_form("xn--tkuka-m3a3v.nz") == "t\u012bk\u014duka.nz"
    # Mixed scripts (a Cyrillic "а" in a Latin name): the xn-- form is what gives it away.
    assert idn_other_form("mx.p\u0430ypal.example") == "mx.xn--pypal-4ve.example in DNS"
    # The words are with_idn_forms's, as the headline's and the envelope's.
    for name in (_A_HOST, _U_HOST, "xn--tkuka-m3a3v.nz"):
        assert with_idn_forms(name) == f"{name} ({idn_other_form(name)})"
    # Nothing for a plain name, an address, or a name that is not valid IDNA either way.
    for name in (None, "", "mx.example.org", "[192.0.2.1]", "192.0.2.1", "xn--", "a.xn--.example",
                 _EMOJI_HOST, _BROKEN_HOST,
                 "mx.xn--" + "\u202e".encode("punycode").decode() + ".example",  # decodes to a bidi control
                 "mx.b\u00fc\u202echer.example", "mx.b\u00fc\u200dcher.example",  # bidi override, ZWJ in Latin
                 "a..b\u00fccher.example", "\ud800.example", "mx.\u2603.example",
                 "xn--bcher-kva." * 30 + "example",  # over 253 characters
                 "b\u00fccher." * 40 + "example", "\u00fc" * 5000):
        assert idn_other_form(name) is None, name


def test_idn_other_form_never_raises_and_stays_bounded() -> None:
    import random

    from headerscope.domains import idn_other_form

    pieces = ["xn--", "xn--bcher-kva", "b\u00fccher", ".", "-", "\u202e", "\u200d", "\u00ad", "\u05d0", "a",
              "\ud800", "\x00", "\u3002", "\uff21", "\u0430", "1", "\U0001f600", " ", "[", "]"]
    rng = random.Random(7)
    for _ in range(3000):
        name = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        other = idn_other_form(name)
        assert other is None or (len(other) <= 253 + len(" in DNS") and other.isprintable()), (name, other)
    started = time.perf_counter()
    assert idn_other_form("b\u00fccher" * 200_000) is None
    assert idn_other_form("xn--bcher-kva." * 100_000) is None
    assert time.perf_counter() - started < 1.0


def test_the_terminal_hop_table_shows_both_forms_of_an_idn_host() -> None:
    from headerscope.render import get_renderer

    text = get_renderer("terminal", color=False, width=600).render(_idn_hops())
    table = text[text.index("Hops (earliest first)"):text.index("Envelope vs. headers")]
    assert f"helo={_A_HOST} ({_U_HOST})" in table
    assert "(rdns.b\u00fccher.example (rdns.xn--bcher-kva.example in DNS))" in table
    assert f"{_U_HOST} ({_A_HOST} in DNS)" in table
    assert f"{_A_HOST} ({_U_HOST})" in table
    # The invalid xn-- names as written, with nothing beside them.
    from_cells = [line.split("│")[3].strip() for line in table.splitlines() if line.count("│") == 8]
    assert f"helo={_EMOJI_HOST}" in from_cells and f"({_BROKEN_HOST})" in from_cells, from_cells


def test_the_terminal_hop_table_keeps_its_limits_with_idn_hosts() -> None:
    from headerscope.render import get_renderer
    from headerscope.render.terminal import _MAX_HOST, TerminalRenderer

    # The longest valid name (four labels of 59 A-label characters): both forms, each cut.
    long_u = ".".join(f"{c}\u00fc" + "a" * 50 for c in "abcd") + ".example"
    report = _idn_hops(top_by=long_u)
    top = report.hops[-1]
    assert len(long_u) > _MAX_HOST
    row, _ = TerminalRenderer()._hop_row(top, None)
    by = row[4].plain
    assert by.startswith(long_u[:_MAX_HOST - 1] + "… (xn--") and by.endswith("…)") and len(by) <= 2 * _MAX_HOST + 3
    # The client's address stays in its cell after two names with their other forms.
    assert "[192.0.2.7]" in row[3].plain
    for width in (80, 110):
        text = get_renderer("terminal", color=False, width=width).render(report)
        assert max(len(line) for line in text.splitlines()) <= width
    # A name in Unicode that is not valid IDNA: its hidden characters are shown, not dropped.
    hidden = _idn_hops(top_by="mx.b\u00fc\u202echer.example")
    row, _ = TerminalRenderer()._hop_row(hidden.hops[-1], None)
    assert row[4].plain == "mx.b\u00fc⟨U+202E⟩cher.example"


def test_the_markdown_hop_table_shows_both_forms_of_an_idn_host() -> None:
    from headerscope.render import get_renderer

    text = get_renderer("markdown").render(_idn_hops())
    rows = text[text.index("### Hops"):text.index("### Authentication")].splitlines()
    [top] = [line for line in rows if line.startswith("| 2 |")]
    [first] = [line for line in rows if line.startswith("| 1 |")]
    assert "| rdns.b\u00fccher.example (rdns.xn--bcher-kva.example in DNS) \\[192.0.2.7\\] |" in top, top
    assert f"| {_U_HOST} ({_A_HOST} in DNS) |" in top, top
    assert f"| {_A_HOST} ({_U_HOST}) |" in first, first
    # The invalid name as written (its rDNS shown, as the table shows a client), nothing beside it.
    assert f"| {_BROKEN_HOST} \\[198.51.100.3\\] |" in first, first
    # The table stays a table: every row has the header's cells.
    assert {line.count(" | ") for line in rows if line.startswith("|")} == {8}


def test_the_html_hop_table_shows_both_forms_of_an_idn_host() -> None:
    from headerscope.render import get_renderer

    html = get_renderer("html").render(_idn_hops())
    table = html[html.index('id="hop-table"'):html.index("</table>", html.index('id="hop-table"'))]
    assert f'{_A_HOST} <span class="muted idn"><bdi>({_U_HOST})</bdi></span>' in table
    assert f'{_U_HOST} <span class="muted idn"><bdi>({_A_HOST} in DNS)</bdi></span>' in table
    assert ('rdns.b\u00fccher.example <span class="muted idn"><bdi>(rdns.xn--bcher-kva.example in DNS)</bdi></span>'
            in table)
    assert f"{_EMOJI_HOST} / {_BROKEN_HOST} <code>" in table
    # The Org column too (the organisation of the two xn-- hosts, as the terminal's route line has it).
    assert 'data-label="Org">xn--bcher-kva.example <span class="muted idn"><bdi>(bücher.example)</bdi></span></td>' \
        in table
    assert table.count('class="muted idn"') == 6
    # A right-to-left label's Unicode form is isolated; a bidi control in a name is shown, not obeyed.
    rtl = get_renderer("html").render(_idn_hops(top_by="mx.xn--4dbrk0ce.example"))
    assert '<bdi>(mx.\u05d9\u05e9\u05e8\u05d0\u05dc.example)</bdi>' in rtl
    hidden = get_renderer("html").render(_idn_hops(top_by="mx.b\u00fc\u202echer.example"))
    assert "mx.b\u00fc⟨U+202E⟩cher.example</td>" in hidden


def test_the_trust_boundary_sentence_shows_both_forms_of_an_idn_host() -> None:
    # The hop table showed both forms; the summary's boundary sentence, only the written one.
    from headerscope.render.markdown import MarkdownRenderer
    from headerscope.render.terminal import TerminalRenderer

    raw = (b"Received: from mail.xn--bcher-kva.example ([192.0.2.9]) by mx.xn--mller-kva.example with ESMTPS "
           b"id 1; Mon, 19 Aug 2024 14:26:00 +0000\r\n" + _body("a@example.org"))
    report = headerscope.analyze(raw, offline=True)
    terminal = " ".join(TerminalRenderer(width=160).render(report).split())
    assert ("Trust boundary: hop 1, where mx.xn--mller-kva.example (mx.müller.example) accepted it from 192.0.2.9 "
            "(which called itself mail.xn--bcher-kva.example (mail.bücher.example))") in terminal
    markdown = MarkdownRenderer().render(report)
    assert "where mx.xn--mller-kva.example (mx.müller.example) accepted it from 192.0.2.9" in markdown


# Look-alike host names (review leftover): a name written in characters UTS #46 maps to plain ASCII
# ("paypa\u217c" with U+217C SMALL ROMAN NUMERAL FIFTY, fullwidth letters), and one whose letters
# imitate ASCII ones (a Cyrillic "\u0430", mixed scripts), are flagged wherever their other form is
# shown, in the From: look-alike's words; a genuine IDN (bücher) and a plain name are not.
_STAND_IN_HOST = "mail.paypa\u217c.com"
_FULLWIDTH_HOST = "\uff4d\uff41\uff49\uff4c.example.org"
_MIXED_A_HOST = "mx.xn--pypal-4ve.com"
_STAND_IN_WORDS = "written in look-alike characters"


def _lookalike_hops() -> Report:
    # Hop 1 (the boundary): the client greeted in fullwidth letters, its rDNS a genuine IDN; the
    # receiving server's name in stand-ins. Hop 2: a mixed-script A-label, by and rDNS, and a plain
    # ASCII client greeting.
    raw = (f"Received: from mx.example.net (xn--pypal-4ve.com [192.0.2.9]) by {_MIXED_A_HOST} with ESMTPS id 2; "
           "Mon, 2 Nov 2026 10:00:10 +0000\n"
           f"Received: from {_FULLWIDTH_HOST} ({_U_HOST} [198.51.100.3]) by {_STAND_IN_HOST} with ESMTPS id 1; "
           "Mon, 2 Nov 2026 10:00:05 +0000\n"
           "From: a@example.org\nTo: b@example.net\nSubject: x\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nbody\n")
    return headerscope.analyze(raw.replace("\n", "\r\n").encode(), offline=True)


def test_idn_lookalike_names_a_host_written_to_look_like_another() -> None:
    from headerscope.domains import idn_lookalike, idn_other_form, with_idn_forms

    assert idn_other_form(_STAND_IN_HOST) == "mail.paypal.com in DNS"
    for name in (_STAND_IN_HOST, _FULLWIDTH_HOST, "mail.pay\u00adpal.com", "mx\u3002\uff50aypal.com",
                 "mail.\uff50aypal.b\u00fccher.example", "\u212aelvin.example"):  # KELVIN SIGN for "k"
        assert idn_lookalike(name) == _STAND_IN_WORDS, name
    # Every letter an ASCII twin's (TR #39 section 4), in Unicode or A-labels, as the From: says it.
    assert idn_lookalike("mx.p\u0430ypal.com") == "looks like the ASCII name mx.paypal.com"
    assert idn_lookalike(_MIXED_A_HOST) == "looks like the ASCII name mx.paypal.com"
    assert idn_lookalike("xn--80ak6aa92e.com") == "looks like the ASCII name apple.com"
    # Mixed scripts with a letter that has no twin (TR #39 section 5.2).
    assert idn_lookalike("xn--bimnn-mqa850d.de") == "mixes Cyrillic and Latin letters"
    assert with_idn_forms(f"a@{_MIXED_A_HOST}") == \
        f"a@{_MIXED_A_HOST} (mx.p\u0430ypal.com; looks like the ASCII name mx.paypal.com)"
    assert with_idn_forms(f"a@{_STAND_IN_HOST}") == f"a@{_STAND_IN_HOST} (mail.paypal.com in DNS; {_STAND_IN_WORDS})"
    # Genuine names: a letter with a mark, one script, Greek under .gr and Cyrillic under .ru, CJK,
    # and names with no other form (plain, invalid IDNA, too long) are not look-alikes.
    for name in (_U_HOST, _A_HOST, "caf\u00e9.fr", "xn--e1afmkfd.xn--p1ai", "\u03bf\u03c1\u03b1.gr",
                 "\u0441\u043e\u0441\u043e.ru", "\u65e5\u672c\u8a9e.jp", "mail.paypal.com", "MAIL.PAYPAL.COM", None, "",
                 _EMOJI_HOST, _BROKEN_HOST, "mx.p\u0430y\u202epal.com", "\uff50" * 300 + ".com",
                 "mail.paypa\u217c." * 100 + "com"):
        assert idn_lookalike(name) is None, name
        if name:
            assert with_idn_forms(f"a@{name}").count(";") == 0, name


def test_idn_lookalike_never_raises_and_stays_bounded() -> None:
    import random

    from headerscope.domains import idn_lookalike

    pieces = ["xn--", "xn--pypal-4ve", "p\u0430ypal", "paypa\u217c", "\uff50", ".", "\u3002", "-", "\u202e",
              "\u200d", "\u00ad", "\u05d0", "a", "\ud800", "\x00", "\u212a", "\u0430", "1", "\U0001f600", " "]
    rng = random.Random(11)
    for _ in range(3000):
        name = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        words = idn_lookalike(name)
        assert words is None or (len(words) <= 300 and words.isprintable()), (name, words)
    started = time.perf_counter()
    assert idn_lookalike("paypa\u217c" * 200_000) is None
    assert idn_lookalike("xn--pypal-4ve." * 100_000) is None
    assert time.perf_counter() - started < 1.0


def test_the_terminal_hop_table_flags_look_alike_host_names() -> None:
    from headerscope.render import get_renderer

    text = " ".join(get_renderer("terminal", color=False, width=600).render(_lookalike_hops()).split())
    table = text[text.index("Hops (earliest first)"):text.index("Envelope vs. headers")]
    assert f"helo={_FULLWIDTH_HOST} (mail.example.org in DNS; {_STAND_IN_WORDS})" in table
    assert f"{_STAND_IN_HOST} (mail.paypal.com in DNS; {_STAND_IN_WORDS})" in table
    assert "(xn--pypal-4ve.com (p\u0430ypal.com; looks like the ASCII name paypal.com))" in table
    assert f"{_MIXED_A_HOST} (mx.p\u0430ypal.com; looks like the ASCII name mx.paypal.com)" in table
    # The genuine IDN and the plain names: no look-alike words.
    assert f"({_U_HOST} ({_A_HOST} in DNS))" in table and "helo=mx.example.net" in table
    assert table.count("look") == 4


def test_the_markdown_hop_table_flags_look_alike_host_names() -> None:
    from headerscope.render import get_renderer

    text = get_renderer("markdown").render(_lookalike_hops())
    rows = text[text.index("### Hops"):text.index("### Authentication")].splitlines()
    [first] = [line for line in rows if line.startswith("| 1 |")]
    [top] = [line for line in rows if line.startswith("| 2 |")]
    assert f"| {_U_HOST} ({_A_HOST} in DNS) \\[198.51.100.3\\] |" in first, first
    assert f"| {_STAND_IN_HOST} (mail.paypal.com in DNS; {_STAND_IN_WORDS}) |" in first, first
    assert "| xn--pypal-4ve.com (p\u0430ypal.com; looks like the ASCII name paypal.com) \\[192.0.2.9\\] |" in top, top
    assert f"| {_MIXED_A_HOST} (mx.p\u0430ypal.com; looks like the ASCII name mx.paypal.com) |" in top, top
    assert {line.count(" | ") for line in rows if line.startswith("|")} == {8}


def test_the_html_hop_table_flags_look_alike_host_names_and_organisations() -> None:
    from headerscope.render import get_renderer

    html = get_renderer("html").render(_lookalike_hops())
    table = html[html.index('id="hop-table"'):html.index("</table>", html.index('id="hop-table"'))]

    def badge(words: str) -> str:
        return f' <span class="badge s-warning idn-lookalike"><bdi>{words}</bdi></span>'

    assert f'{_FULLWIDTH_HOST} <span class="muted idn"><bdi>(mail.example.org in DNS)</bdi></span>' \
           + badge(_STAND_IN_WORDS) in table
    assert f'{_STAND_IN_HOST} <span class="muted idn"><bdi>(mail.paypal.com in DNS)</bdi></span>' \
           + badge(_STAND_IN_WORDS) + "</td>" in table
    assert f'{_MIXED_A_HOST} <span class="muted idn"><bdi>(mx.p\u0430ypal.com)</bdi></span>' \
           + badge("looks like the ASCII name mx.paypal.com") + "</td>" in table
    # The Org column: the mixed-script A-label organisation gets the From: look-alike's warning.
    assert 'data-label="Org">xn--pypal-4ve.com <span class="muted idn"><bdi>(p\u0430ypal.com)</bdi></span>' \
           + badge("looks like the ASCII name paypal.com") + "</td>" in table
    # The genuine IDN: its other form, no badge.
    assert f'{_U_HOST} <span class="muted idn"><bdi>({_A_HOST} in DNS)</bdi></span> <code>' in table
    assert table.count("idn-lookalike") == 5


def test_the_html_journey_drawing_shows_the_other_form_and_flags_look_alike_names() -> None:
    from headerscope.render import get_renderer

    html = get_renderer("html").render(_lookalike_hops())
    drawing = html[html.index('<svg xmlns="http://www.w3.org/2000/svg"'):html.index("</svg>")]
    first = drawing[drawing.index('id="journey-hop-1"'):drawing.index('id="journey-hop-2"')]
    top = drawing[drawing.index('id="journey-hop-2"'):]
    # Hop 1: the receiving server's stand-in name in both forms, and the flag under the row (its own
    # name first: the greeting is flagged in the table beside it).
    assert f'1. MTA · {_STAND_IN_HOST} (mail.paypal.com in DNS)</text>' in first
    assert 'class="t-flag" x="52" y="' in first
    assert f'>⚠ {_STAND_IN_HOST} (mail.paypal.com in DNS): {_STAND_IN_WORDS}</text>' in first
    assert f'>⚠ {_MIXED_A_HOST} (mx.p\u0430ypal.com): looks like the ASCII name mx.paypal.com</text>' in top
    # A genuine IDN has its other form and no flag; a drawing of plain names has neither.
    report = headerscope.analyze((f"Received: from a.example ([192.0.2.1]) by {_A_HOST} with ESMTP id 1; "
                                  "Mon, 2 Nov 2026 10:00:05 +0000\r\nFrom: a@example.org\r\n\r\nx\r\n").encode(),
                                 offline=True)
    genuine = get_renderer("html").render(report)
    assert f"1. MTA · {_A_HOST} ({_U_HOST})</text>" in genuine
    assert "t-flag" not in genuine[genuine.index("<svg"):genuine.index("</svg>")]


def test_the_trust_boundary_sentence_and_headline_flag_look_alike_names() -> None:
    from headerscope.render.markdown import MarkdownRenderer
    from headerscope.render.terminal import TerminalRenderer

    raw = (f"Received: from {_FULLWIDTH_HOST} ([192.0.2.9]) by {_MIXED_A_HOST} with ESMTPS "
           "id 1; Mon, 19 Aug 2024 14:26:00 +0000\r\n").encode() + _body(f"a@{_STAND_IN_HOST}")
    report = headerscope.analyze(raw, offline=True)
    terminal = " ".join(TerminalRenderer(width=160).render(report).split())
    assert (f"Trust boundary: hop 1, where {_MIXED_A_HOST} (mx.p\u0430ypal.com; looks like the ASCII name "
            f"mx.paypal.com) accepted it from 192.0.2.9 (which called itself {_FULLWIDTH_HOST} (mail.example.org "
            f"in DNS; {_STAND_IN_WORDS}))") in terminal
    assert f"From Naib <a@{_STAND_IN_HOST}> (mail.paypal.com in DNS; {_STAND_IN_WORDS})" in terminal
    # The route line names the organisation in both forms, flagged.
    assert "through xn--pypal-4ve.com (p\u0430ypal.com; looks like the ASCII name paypal.com)" in terminal
    markdown = MarkdownRenderer().render(report)
    assert (f"where {_MIXED_A_HOST} (mx.p\u0430ypal.com; looks like the ASCII name mx.paypal.com) accepted it "
            "from 192.0.2.9") in markdown
    assert f"- **From:** Naib \\<a@{_STAND_IN_HOST}\\> (mail.paypal.com in DNS; {_STAND_IN_WORDS})" in markdown


def _greeting_findings(raw: str) -> list[tuple[str, str, str]]:
    report = headerscope.analyze(raw.replace("\n", "\r\n").encode(), offline=True)
    return [(f.severity.value, f.subject or "", f.title) for f in report.findings if f.id == "hops.lookalike_helo"]


def test_a_look_alike_greeting_at_the_trust_boundary_is_a_notice() -> None:
    # The boundary's client greeting is the sending side's text, recorded by the receiver: a name
    # in stand-ins for ASCII (RFC 5892 disallows them in a U-label) or in twins of ASCII letters
    # was written so on purpose. Claims below the boundary and the receiver's own names are only
    # flagged in the hop tables.
    def hop(helo: str, by: str = "mx.example.net") -> str:
        return f"Received: from {helo} (unknown [198.51.100.3]) by {by} (Postfix) with ESMTPS id 1; " \
               "Mon, 19 Aug 2024 14:26:00 +0000\n"

    message = "From: a@example.org\nTo: b@example.net\nSubject: x\nDate: Mon, 19 Aug 2024 14:25:48 +0000\n\nx\n"
    assert _greeting_findings(hop(_STAND_IN_HOST) + message) == [
        ("notice", "hop 1", "The sending server greeted with mail.paypal.com written in look-alike characters")]
    assert _greeting_findings(hop(_FULLWIDTH_HOST) + message) == [
        ("notice", "hop 1", "The sending server greeted with mail.example.org written in look-alike characters")]
    assert _greeting_findings(hop(_MIXED_A_HOST) + message) == [
        ("notice", "hop 1", f"The sending server greeted with a look-alike name, {_MIXED_A_HOST}")]
    # A genuine IDN, a plain name, an invalid xn-- label: nothing.
    for helo in (_U_HOST, _A_HOST, "mail.example.org", _EMOJI_HOST, "mx.p\u0430y\u202epal.com"):
        assert _greeting_findings(hop(helo) + message) == [], helo
    # The receiving server's own name in stand-ins: the receiver's doing, shown in the table only.
    assert _greeting_findings(hop("mail.example.org", by=_STAND_IN_HOST) + message) == []
    # Below the boundary (a claim the sender wrote, as any other there): no finding.
    claimed = (hop("relay.sender.example", by="mx.example.net").replace("unknown", "relay.sender.example")
               + f"Received: from {_STAND_IN_HOST} ([192.0.2.1]) by relay.sender.example with ESMTP id 0; "
               "Mon, 19 Aug 2024 14:25:58 +0000\n")
    report = headerscope.analyze((claimed + message).replace("\n", "\r\n").encode(), offline=True)
    assert report.boundary_hop == 2
    assert _greeting_findings(claimed + message) == []


def test_the_palochka_reads_as_the_l_a_reader_sees() -> None:
    # "аррӏе.com" (xn--80ak6aa92e.com, the demonstration of 2017): the Cyrillic palochka is a
    # full-height stroke, read as "l"; the confusables data's "i" named it "appie.com" (verification V40).
    from headerscope.domains import ascii_lookalike, idn_lookalike

    lookalike = ascii_lookalike("xn--80ak6aa92e.com")
    assert lookalike is not None and lookalike[:2] == ("\u0430\u0440\u0440\u04cf\u0435.com", "apple.com")
    assert idn_lookalike("xn--80ak6aa92e.com") == "looks like the ASCII name apple.com"
    assert _confusable("From: Apple <id@xn--80ak6aa92e.com>\r\nTo: bob@example.net\r\n" + _MESSAGE) == [
        ("warning", "From", "From: domain \u0430\u0440\u0440\u04cf\u0435.com looks like the ASCII name apple.com")]
    # The dotted Ukrainian "і" still reads as "i"; the match with a name in the message is as loose as before.
    assert ascii_lookalike("\u0456nfo.example") is not None and ascii_lookalike("\u0456nfo.example")[1] == "info.example"
    assert _confusable("From: id@\u0430\u0440\u0440\u04cf\u0435.com\r\nTo: bob@appie.com\r\n" + _MESSAGE) == [
        ("warning", "From", "From: domain \u0430\u0440\u0440\u04cf\u0435.com is a look-alike of appie.com")]


def test_the_terminal_hop_cell_shows_a_greeting_that_is_its_reverse_dns_name_once() -> None:
    # Postfix with SMTPUTF8 writes the client's UTF-8 greeting as is, its reverse DNS in A-labels
    # (rspamd #1991's shape): one host, shown once with its other form (it was shown four times).
    from headerscope.render.terminal import TerminalRenderer

    raw = ("Received: from mail.\u4f8b\u5b50.\u4e2d\u56fd (mail.xn--fsqu00a.xn--fiqs8s [192.0.2.77]) by "
           "mx.example.net (Postfix) with UTF8SMTPS id 2; Mon, 19 Aug 2024 14:26:00 +0000\r\n"
           "From: a@example.org\r\nTo: b@example.net\r\n" + _MESSAGE)
    report = headerscope.analyze(raw.encode(), offline=True)
    cell = _hop_from_cell(TerminalRenderer(width=400).render(report))
    assert cell == "mail.xn--fsqu00a.xn--fiqs8s (mail.\u4f8b\u5b50.\u4e2d\u56fd) [192.0.2.77]", cell
    # A greeting that differs from the looked-up name keeps its own line, said as a greeting.
    other = headerscope.analyze(raw.replace("(mail.xn--fsqu00a", "(mx.xn--fsqu00a").encode(), offline=True)
    cell = _hop_from_cell(TerminalRenderer(width=400).render(other))
    assert cell.startswith("helo=mail.\u4f8b\u5b50.\u4e2d\u56fd (mail.xn--fsqu00a.xn--fiqs8s in DNS) "
                           "(mx.xn--fsqu00a.xn--fiqs8s (mx.\u4f8b\u5b50.\u4e2d\u56fd))"), cell


def test_the_html_and_markdown_hop_cells_show_a_greeting_that_is_its_reverse_dns_name_once() -> None:
    # The same shape as above: the HTML cell said "helo=mail.例子.中国 (mail.xn--... in DNS) /
    # mail.xn--... (mail.例子.中国)", one host four times. The formats share domains.one_idn_host.
    import re

    from headerscope.render.html import HtmlRenderer
    from headerscope.render.markdown import MarkdownRenderer

    def html_cell(report: object) -> str:
        page = HtmlRenderer().render(report)  # type: ignore[arg-type]
        cell = page[page.index('data-label="From">') + 18:]
        return re.sub(r"<[^>]+>", "", cell[:cell.index("</td>")])

    def markdown_cell(report: object) -> str:
        row = next(line for line in MarkdownRenderer().render(report).splitlines()  # type: ignore[arg-type]
                   if line.startswith("| 1 |"))
        return row.split(" | ")[2]

    raw = ("Received: from mail.\u4f8b\u5b50.\u4e2d\u56fd (mail.xn--fsqu00a.xn--fiqs8s [192.0.2.77]) by "
           "mx.example.net (Postfix) with UTF8SMTPS id 2; Mon, 19 Aug 2024 14:26:00 +0000\r\n"
           "From: a@example.org\r\nTo: b@example.net\r\n" + _MESSAGE)
    report = headerscope.analyze(raw.encode(), offline=True)
    once = "mail.xn--fsqu00a.xn--fiqs8s (mail.\u4f8b\u5b50.\u4e2d\u56fd) [192.0.2.77]"
    assert html_cell(report) == once, html_cell(report)
    assert markdown_cell(report) == once.replace("[", "\\[").replace("]", "\\]"), markdown_cell(report)
    # Written the other way round (the greeting in A-labels, the reverse DNS in Unicode): once too.
    swapped = headerscope.analyze(raw.replace("from mail.\u4f8b\u5b50.\u4e2d\u56fd (mail.xn--fsqu00a.xn--fiqs8s",
                                              "from mail.xn--fsqu00a.xn--fiqs8s (mail.\u4f8b\u5b50.\u4e2d\u56fd")
                                  .encode(), offline=True)
    assert html_cell(swapped) == "mail.\u4f8b\u5b50.\u4e2d\u56fd (mail.xn--fsqu00a.xn--fiqs8s in DNS) [192.0.2.77]", \
        html_cell(swapped)
    # A greeting that differs from the looked-up name keeps its place, said as a greeting.
    other = headerscope.analyze(raw.replace("(mail.xn--fsqu00a", "(mx.xn--fsqu00a").encode(), offline=True)
    assert html_cell(other) == ("helo=mail.\u4f8b\u5b50.\u4e2d\u56fd (mail.xn--fsqu00a.xn--fiqs8s in DNS) / "
                                "mx.xn--fsqu00a.xn--fiqs8s (mx.\u4f8b\u5b50.\u4e2d\u56fd) [192.0.2.77]"), html_cell(other)
    # A look-alike greeting (a Cyrillic "а" in paypal) is never merged into the name it imitates.
    lookalike = headerscope.analyze(raw.replace("from mail.\u4f8b\u5b50.\u4e2d\u56fd (mail.xn--fsqu00a.xn--fiqs8s",
                                                "from p\u0430ypal.com (xn--pypal-4ve.com").encode(), offline=True)
    cell = html_cell(lookalike)
    assert cell.startswith("helo=p\u0430ypal.com (xn--pypal-4ve.com in DNS) looks like the ASCII name paypal.com / "
                           "xn--pypal-4ve.com"), cell


def _hop_from_cell(text: str) -> str:
    """The hop table's first "from" cell, its lines joined."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("1 "))
    cells = []
    for line in lines[start:]:
        columns = line.split("\u2502")
        if len(columns) < 4 or (cells and columns[0].strip()):
            break
        cells.append(columns[3].strip())
    return " ".join(cell for cell in cells if cell)


def test_v41c_real_names_are_no_prefix_or_standin_edit_look_alikes() -> None:
    # Google Workspace's test domain alias is the customer's own name under Google's, and two
    # changes (a stand-in and a letter) reach short real names (turner/tumor, hornet/homer).
    for fields in ("From: a@contoso.com.test-google-a.com\r\nTo: b@contoso.com\r\n",
                   "From: a@turner.com\r\nTo: b@tumor.com\r\n",
                   "From: a@hornet.com\r\nTo: b@homer.com\r\n"):
        assert _confusable(fields + _MESSAGE) == [], fields
    assert [s for s, _, _ in _confusable("From: a@rnicrosooft.com\r\nTo: b@microsoft.com\r\n" + _MESSAGE)] == ["warning"]
    assert [s for s, _, _ in _confusable("From: a@contoso.com.evil.example\r\nTo: b@contoso.com\r\n" + _MESSAGE)] == ["warning"]
