"""Firefox Relay's forwards and replies in their real shapes (mozilla/fx-private-relay: its
generate_relay_from, fixtures single_recipient_expected.email and s3_stored_replies_expected.email,
issue #3219's older From:), and a forger wearing its marks (verification V34f)."""

from __future__ import annotations

from datetime import datetime, timezone

from test_dkim import crlf, rsa_dns, rsa_key, sign

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.envelope import analyze_envelope
from headerscope.message import parse_message
from headerscope.model import Envelope, Finding, Hop, ReceivedFields, Role

NOW = datetime(2026, 11, 20, 17, 10, tzinfo=timezone.utc)


def _hop(client: str) -> Hop:
    """Gmail's record of taking the message from ``client`` (its reverse DNS name)."""
    return Hop(number=1, header_index=99,
               fields=ReceivedFields(from_helo=client, from_rdns=client, from_ip="192.0.2.10", by="mx.google.com",
                                     for_="bob@gmail.com"),
               raw="", delay_seconds=None, role=Role.MTA, organization=None, trusted=True, boundary=True)


def _run(headers: str, client: str = "a8-21.smtp-out.amazonses.com") -> tuple[Envelope, tuple[Finding, ...]]:
    message = parse_message(("Delivered-To: bob@gmail.com\n" + headers).replace("\n", "\r\n").encode()
                            + b"\r\nbody\r\n")
    return analyze_envelope(message, (_hop(client),), 1, None)


# The forward as Firefox Relay writes it today: the mask in From:'s address, the original From:
# in its display name and in Resent-From, the owner's real address in To:.
_FORWARD = ('From: "news@shop.example [via Relay]" <abc123@mozmail.com>\nTo: bob@gmail.com\n'
            "Reply-To: replies@relay.firefox.com\nResent-From: news@shop.example\n")
# A forger's copy, sent straight to Gmail: the owner is nowhere in the header.
_FORGED = ('Return-Path: <x@attacker.example>\nFrom: "ceo@bank.example [via Relay]" <abc123@mozmail.com>\n'
           "To: alice@partner.example\nReply-To: replies@relay.firefox.com\n")


def test_a_forward_names_the_mask_in_from_as_the_alias_and_reads_resent_from() -> None:
    envelope, _ = _run(_FORWARD)
    relay = envelope.relay
    assert relay is not None and relay.service == "Firefox Relay" and relay.direction == "forward"
    assert relay.alias == "abc123@mozmail.com"  # To: is the owner's real address, not the mask
    assert relay.original_sender == "news@shop.example"
    assert relay.original_sender_source == 'From: display name ("... [via Relay]") and Resent-From'
    # Its mark is its From: domain, which only DMARC vouches for: the line tells the claim as marks.
    assert relay.summary().startswith("Marked as relayed by Firefox Relay for alias abc123@mozmail.com")
    assert "a DMARC pass for that domain says the relay sent it" in relay.summary()
    # Resent-From names the original sender: no forwarding mailbox, no difference of its own.
    assert not [d for d in envelope.differences if d.kind in ("forwarded", "bcc")]


def test_resent_from_is_the_original_sender_when_the_name_holds_no_address() -> None:
    # The relay cuts an original From: longer than 998 characters to 900 and " ...": its address is lost.
    long_name = "A" * 950
    envelope, _ = _run(f'From: "{long_name[:900]} ... [via Relay]" <abc123@mozmail.com>\nTo: bob@gmail.com\n'
                       "Resent-From: news@shop.example\n")
    relay = envelope.relay
    assert relay is not None and relay.direction == "forward"
    assert (relay.original_sender, relay.original_sender_source) == ("news@shop.example", "Resent-From")
    # A name longer than 300 characters ending in the relay's mark is still its form.
    envelope, _ = _run(f'From: "{"B" * 400} <news@shop.example> [via Relay]" <abc123@mozmail.com>\n'
                       "To: bob@gmail.com\n")
    assert envelope.relay is not None and envelope.relay.original_sender == "news@shop.example"


def test_a_reply_through_the_mask_is_a_reply() -> None:
    envelope, _ = _run("From: a1b2c3d4@mozmail.com\nTo: sender@external.example.com\nReply-To: a1b2c3d4@mozmail.com\n")
    relay = envelope.relay
    assert relay is not None and relay.service == "Firefox Relay"
    assert (relay.direction, relay.alias, relay.original_sender) == ("reply", "a1b2c3d4@mozmail.com", None)
    assert relay.summary().startswith("Marked as sent out through Firefox Relay from alias a1b2c3d4@mozmail.com (a reply")
    assert any("the alias owner's real address, which the relay hides" in note for note in relay.notes)


def test_the_older_from_of_relay_firefox_com_is_recognised() -> None:
    # Issue #3219: an encoded-word name that decodes with the quotes the relay wrote inside it.
    envelope, _ = _run("From: =?utf-8?q?=22someone=40example=2Ecom_=5Bvia_Relay=5D=22?= <replies@relay.firefox.com>\n"
                       "To: bob@gmail.com\n")
    relay = envelope.relay
    assert relay is not None and relay.service == "Firefox Relay" and relay.direction == "forward"
    assert relay.original_sender == "someone@example.com"
    assert relay.alias is None  # replies@ is the relay's shared address, no mask
    assert relay.markers[0] == "From: at relay.firefox.com"


def test_only_the_relays_domains_and_those_below_them_are_its() -> None:
    premium, _ = _run('From: "news@shop.example [via Relay]" <news@bob.mozmail.com>\nTo: bob@gmail.com\n')
    assert premium.relay is not None and premium.relay.alias == "news@bob.mozmail.com"
    for author in ("accounts@firefox.com", "x@evilrelay.firefox.com", "x@mozmail.com.attacker.example"):
        envelope, _ = _run(f'From: "news@shop.example [via Relay]" <{author}>\nTo: bob@gmail.com\n')
        assert envelope.relay is None, author


def test_a_forger_wearing_the_relays_marks_leaves_the_hidden_recipient_a_blind_copy() -> None:
    for extra in ("", "Resent-From: ceo@bank.example\n"):
        envelope, _ = _run(_FORGED + extra, client="mail.attacker.example")
        [bcc] = [d for d in envelope.differences if d.envelope_value == "bob@gmail.com"]
        assert bcc.kind == "bcc", extra
        assert "the Firefox Relay marks, which anyone can write, do not explain it: a Firefox Relay forward writes " \
               "the mask's owner in To:" in bcc.explanation
        assert "forwarded or redirected from" not in bcc.explanation


def test_resent_from_naming_the_author_is_no_forwarding_mailbox() -> None:
    headers = "From: alice@sender.test\nTo: carol@partner.test\nResent-From: {}\n"
    envelope, _ = _run(headers.format("Alice <alice@sender.test>"), client="mail.sender.test")
    assert [d.kind for d in envelope.differences if d.envelope_value == "bob@gmail.com"] == ["bcc"]
    # Another mailbox in Resent-From is a redirect by it, as before.
    envelope, _ = _run(headers.format("dave@forwarder.test"), client="mail.forwarder.test")
    [forwarded] = [d for d in envelope.differences if d.envelope_value == "bob@gmail.com"]
    assert forwarded.kind == "forwarded" and forwarded.header_value == "dave@forwarder.test"


_SIGNED_FORWARD = crlf(b"""From: "news@shop.example [via Relay]" <abc123@mozmail.com>
To: bob@gmail.com
Reply-To: replies@relay.firefox.com
Resent-From: news@shop.example
Subject: Your order
Date: Fri, 20 Nov 2026 17:00:00 +0000
Message-ID: <0100018c1a2b3c4d@email.amazonses.com>

Your order has shipped.
""")
_DELIVERED = (b"Delivered-To: bob@gmail.com\r\n"
              b"Received: from a8-21.smtp-out.amazonses.com (a8-21.smtp-out.amazonses.com. [54.240.8.21]) by "
              b"mx.google.com with ESMTPS id x1 for <bob@gmail.com>; Fri, 20 Nov 2026 09:00:03 -0800 (PST)\r\n"
              b"Return-Path: <0100018c1a2b3c4d-aaaa-bbbb-000000@amazonses.com>\r\n")


def _display_name_finding(report: headerscope.Report) -> Finding:
    [finding] = [f for f in report.findings if f.id == "envelope.display_name_address"]
    return finding


def test_the_relays_display_name_is_a_notice_when_dmarc_passes_for_its_domain() -> None:
    raw = _DELIVERED + sign(_SIGNED_FORWARD, domain="mozmail.com", key=rsa_key(1024),
                            headers="from:to:subject:date:reply-to:resent-from")
    dns = {**rsa_dns(1024, name="s1._domainkey.mozmail.com"),
           "_dmarc.mozmail.com": {"TXT": [["v=DMARC1; p=quarantine"]]}}
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)
    assert report.dmarc is not None and report.dmarc.result == "pass"
    finding = _display_name_finding(report)
    assert finding.severity.value == "notice"
    assert "its documented forward writes the original From: in the display name" in finding.explanation
    assert "DMARC passes for mozmail.com, so the relay sent it" in finding.explanation
    # Without the relay's key the form is anyone's to write: a warning, as for any other name.
    unsigned = headerscope.analyze(raw, resolver=SnapshotResolver({"_dmarc.mozmail.com": dns["_dmarc.mozmail.com"]}),
                                   now=NOW)
    assert unsigned.dmarc is not None and unsigned.dmarc.result == "fail"
    assert _display_name_finding(unsigned).severity.value == "warning"
    assert "documented forward" not in _display_name_finding(unsigned).explanation


def test_offline_the_receivers_recorded_pass_evidences_the_relay() -> None:
    results = b"Authentication-Results: mx.google.com; dkim=pass header.i=@mozmail.com; dmarc=pass header.from=mozmail.com\r\n"
    passed = headerscope.analyze(results + _DELIVERED + _SIGNED_FORWARD, offline=True, now=NOW)
    finding = _display_name_finding(passed)
    assert finding.severity.value == "notice"
    assert "the receiving side recorded mozmail.com as authenticated" in finding.explanation
    failed = headerscope.analyze(results.replace(b"pass", b"fail") + _DELIVERED + _SIGNED_FORWARD, offline=True,
                                 now=NOW)
    assert _display_name_finding(failed).severity.value == "warning"


def test_the_relays_reply_address_is_no_reply_to_in_another_organisation() -> None:
    # Verification V34f s1: a forward's Reply-To: replies@relay.firefox.com (the relay's reply address,
    # mozilla/fx-private-relay's ADR on the mask in From:) got "Reply-To points to another domain": a reply
    # through the relay is its design, and both domains are the relay's, forged or not.
    for headers in (_FORWARD, _FORGED):
        _, findings = _run(headers)
        assert not [f for f in findings if f.id.startswith("envelope.reply_to")], headers
    envelope, _ = _run(_FORWARD)
    assert not [d for d in envelope.differences if d.kind == "reply_to_domain"]
    # Another organisation's Reply-To on the relay's forward is still said, and the relay's reply
    # address under another From: is another organisation's.
    _, findings = _run(_FORWARD.replace("replies@relay.firefox.com", "collect@attacker.example"))
    assert [f.title for f in findings if f.id == "envelope.reply_to_other_domain"] == \
        ["Reply-To points to another domain (attacker.example)"]
    _, findings = _run("From: news@shop.example\nTo: bob@gmail.com\nReply-To: replies@relay.firefox.com\n")
    assert [f.id for f in findings if f.id == "envelope.reply_to_other_domain"] == ["envelope.reply_to_other_domain"]
    # A user's own mask at relay.firefox.com (the relay's first mask domain, its DOMAIN_CHOICES) is
    # no relay address: replies there go on to whoever owns the mask (verification V39b).
    _, findings = _run(_FORGED.replace("replies@relay.firefox.com", "x@relay.firefox.com"))
    assert [f.id for f in findings if f.id == "envelope.reply_to_other_domain"] == ["envelope.reply_to_other_domain"]


def test_the_lowered_display_name_notice_says_what_the_relay_did_not_impersonation() -> None:
    # Verification V35d s1: lowered to a notice, its words still said "shows another address ... trust the
    # address, not the name", and the difference "a common way to impersonate a sender".
    raw = _DELIVERED + sign(_SIGNED_FORWARD, domain="mozmail.com", key=rsa_key(1024),
                            headers="from:to:subject:date:reply-to:resent-from")
    dns = {**rsa_dns(1024, name="s1._domainkey.mozmail.com"),
           "_dmarc.mozmail.com": {"TXT": [["v=DMARC1; p=quarantine"]]}}
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)
    finding = _display_name_finding(report)
    assert finding.title == "From: shows the original sender (news@shop.example) of a Firefox Relay forward"
    assert "impersonat" not in finding.explanation and "trust the address, not the name" not in finding.explanation
    assert "its documented forward writes the original From: in the display name" in finding.explanation
    assert "a claim nothing here authenticates" in finding.explanation
    [difference] = [d for d in report.envelope.differences if d.kind == "display_name_address"]
    assert "impersonate" not in difference.explanation
    assert "the real address, abc123@mozmail.com, is the mask the message was sent to" in difference.explanation
    # Unproven (no relay key), the warning and the difference keep their words.
    unsigned = headerscope.analyze(raw, resolver=SnapshotResolver({"_dmarc.mozmail.com": dns["_dmarc.mozmail.com"]}),
                                   now=NOW)
    assert _display_name_finding(unsigned).title == "From: display name shows another address (news@shop.example)"
    [kept] = [d for d in unsigned.envelope.differences if d.kind == "display_name_address"]
    assert "a common way to impersonate a sender" in kept.explanation
