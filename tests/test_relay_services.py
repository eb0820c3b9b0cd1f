"""Apple Hide My Email's two directions, addy.io's forward (anonaddy/anonaddy ForwardEmail.php and
EmailData.php) and Proton Pass's alias domains, genuine and forged (verification V60a)."""

from __future__ import annotations

from datetime import datetime, timezone

from test_dkim import rsa_dns, rsa_key, sign

from headerscope.api import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.envelope import _RELAYS, _relay_in_chain, analyze_envelope
from headerscope.message import parse_message
from headerscope.model import Envelope, Finding, Hop, ReceivedFields, Report, Role


def _hop(client: str, by: str = "mx.google.com") -> Hop:
    """The receiving side's record of taking the message from ``client`` (its reverse DNS name)."""
    return Hop(number=1, header_index=99,
               fields=ReceivedFields(from_helo=client, from_rdns=client, from_ip="192.0.2.10", by=by,
                                     for_="owner@example.net"),
               raw="", delay_seconds=None, role=Role.MTA, organization=None, trusted=True, boundary=True)


def _run(headers: str, client: str = "st43p00im-zteg10061901.me.com") -> tuple[Envelope, tuple[Finding, ...]]:
    message = parse_message(("Delivered-To: owner@example.net\n" + headers).replace("\n", "\r\n").encode()
                            + b"\r\nbody\r\n")
    return analyze_envelope(message, (_hop(client),), 1, None)


# Apple's forward of a message to an alias: From: the relay's reply address for the sender, in the
# form seen on real forwards (Peloton's mail from peloton@mail.op.onepeloton.com), To: the alias.
_APPLE_FORWARD = ('From: "Peloton" <peloton_at_mail_op_onepeloton_com_k6myg754kg_192d3661@privaterelay.appleid.com>\n'
                  "To: dpdcnf87nu@privaterelay.appleid.com\n")


def test_apples_forward_is_a_forward_from_the_sender_its_from_encodes() -> None:
    envelope, _ = _run(_APPLE_FORWARD)
    relay = envelope.relay
    assert relay is not None and relay.service == "Apple Hide My Email" and relay.in_chain is True
    assert relay.direction == "forward" and relay.alias == "dpdcnf87nu@privaterelay.appleid.com"
    assert relay.original_sender == "peloton@mail.op.onepeloton.com"
    assert relay.original_sender_source == ("the relay's From: address "
                                            "peloton_at_mail_op_onepeloton_com_k6myg754kg_192d3661@privaterelay.appleid.com")
    summary = relay.summary()
    assert summary.startswith("Relayed by Apple Hide My Email for alias dpdcnf87nu@privaterelay.appleid.com "
                              "(forwarded to the alias owner); original sender peloton@mail.op.onepeloton.com")
    assert "reply or message from the alias owner" not in summary
    assert any("not the original author (peloton@mail.op.onepeloton.com)" in note for note in relay.notes)
    # Without the alias in To: (a Bcc to it) the forward form alone still says the direction.
    alone, _ = _run('From: "Indeed" <donotreply_at_match_indeed_com_7dtpcj9p77_c32249dc@privaterelay.appleid.com>\n'
                    "To: undisclosed-recipients:;\n")
    assert alone.relay is not None and alone.relay.direction == "forward" and alone.relay.alias is None
    assert alone.relay.original_sender == "donotreply@match.indeed.com"


def test_a_forged_apple_forward_keeps_its_claimed_sender_as_a_claim() -> None:
    # Sent straight from the attacker to Gmail: the relay's form is the sender's text; its claimed
    # author is told as the relay's claim, beside the relay missing from the chain, never as the
    # alias owner writing.
    envelope, _ = _run(_APPLE_FORWARD.replace("peloton_at_mail_op_onepeloton_com", "security_at_bank_example"),
                       client="mail.attacker.example")
    relay = envelope.relay
    assert relay is not None and relay.in_chain is False and relay.direction == "forward"
    assert relay.original_sender == "security@bank.example"
    summary = relay.summary()
    assert summary.startswith("Marked as relayed by Apple Hide My Email")
    assert "(the relay's claim, from the relay's From: address" in summary
    assert "does not appear in the message's Received chain" in summary
    assert "alias owner, whose real address" not in summary
    [owner] = [d for d in envelope.differences if d.envelope_value == "owner@example.net"]
    assert owner.kind == "bcc"


def test_an_apple_from_whose_direction_nothing_shows_claims_none() -> None:
    # A "_at_" address at the relay in no form seen on Apple's forwards, with no alias in To: it
    # neither decodes nor shows who wrote: no direction is claimed.
    envelope, _ = _run("From: Example Bank <security_at_bank.example_q8w3e5r7t1@privaterelay.appleid.com>\n"
                       "To: owner@example.net\n")
    relay = envelope.relay
    assert relay is not None and relay.direction == "unknown" and relay.original_sender is None
    assert relay.alias is None and relay.summary().startswith("Passed through Apple Hide My Email.")
    assert not any("alias owner" in note for note in relay.notes)
    # With the alias in To: the message was sent to the alias: a forward, sender unknown.
    to_alias, _ = _run("From: Example Bank <security_at_bank.example_q8w3e5r7t1@privaterelay.appleid.com>\n"
                       "To: dpdcnf87nu@privaterelay.appleid.com\n")
    assert to_alias.relay is not None and to_alias.relay.direction == "forward"
    assert to_alias.relay.alias == "dpdcnf87nu@privaterelay.appleid.com" and to_alias.relay.original_sender is None


def test_the_alias_owners_reply_stays_a_reply() -> None:
    envelope, _ = _run("From: dpdcnf87nu@privaterelay.appleid.com\nTo: Example Shop <news@example.com>\n")
    relay = envelope.relay
    assert relay is not None and relay.direction == "reply" and relay.alias == "dpdcnf87nu@privaterelay.appleid.com"
    assert relay.original_sender is None and relay.markers == ("From: at privaterelay.appleid.com",)


def test_apples_forward_form_is_read_within_bounds() -> None:
    # A local part far past an address's 64 octets is not searched for the form.
    envelope, _ = _run(f"From: {'a_' * 3000}at_x_com_k6myg754kg_192d3661@privaterelay.appleid.com\n"
                       "To: someone@example.org\n")
    assert envelope.relay is not None and envelope.relay.original_sender is None


def test_proton_pass_alias_domains_are_simplelogins() -> None:
    # Proton Pass's aliases run on SimpleLogin: a hand-over from a host of its alias domains is the
    # relay's, and its own recorded results under those domains are its record.
    envelope, _ = _run("X-SimpleLogin-Type: Forward\nX-SimpleLogin-Original-From: Bob <bob@sender.test>\n"
                       "X-SimpleLogin-Envelope-To: shop.voice819@passinbox.com\n"
                       "Authentication-Results-Original: mx1.passmail.net; spf=fail smtp.mailfrom=bob@sender.test;"
                       " dkim=none; dmarc=fail header.from=sender.test\n"
                       'From: "Bob - bob at sender.test" <bob_at_sender_test_abc@passinbox.com>\n'
                       "To: shop.voice819@passinbox.com\n", client="mail-100.passmail.net")
    relay = envelope.relay
    assert relay is not None and relay.service == "SimpleLogin" and relay.in_chain is True
    assert any("The relay's own record of its receipt (Authentication-Results-Original by mx1.passmail.net)" in note
               for note in relay.notes)
    simplelogin = next(domains for name, domains, *_ in _RELAYS if name == "SimpleLogin")
    for domain in ("passmail.net", "passmail.com", "passinbox.com", "passfwd.com"):
        assert _relay_in_chain((_hop(f"mail.{domain}"),), simplelogin), domain


# addy.io's forward as ForwardEmail.php builds it: From: "<name> '<sender>'" <alias+sender=domain@...>,
# the original Received copied, its own receipt's results in X-AnonAddy-Authentication-Results.
_ADDY_FORWARD = ("From: \"Example Bank 'security@bank.example'\" <shopping+security=bank.example@johndoe.anonaddy.me>\n"
                 "To: shopping@johndoe.anonaddy.me\nFeedback-ID: F:8d3f6f0e-1c2b-4a5d-9e7f-0a1b2c3d4e5f:anonaddy\n"
                 "X-AnonAddy-Authentication-Results: mail.anonaddy.me; dkim=none; spf=fail "
                 "smtp.mailfrom=security@bank.example; dmarc=fail header.from=bank.example (policy=reject)\n"
                 "X-AnonAddy-Original-Sender: security@bank.example\n"
                 "X-AnonAddy-Original-Envelope-From: security@bank.example\n"
                 "X-AnonAddy-Original-From-Header: Example Bank <security@bank.example>\n"
                 "X-AnonAddy-Original-To: shopping@johndoe.anonaddy.me\n")


def test_addys_own_record_of_its_receipt_is_read_when_its_hand_over_is_in_the_chain() -> None:
    envelope, _ = _run(_ADDY_FORWARD, client="mail.anonaddy.me")
    relay = envelope.relay
    assert relay is not None and relay.service == "addy.io (AnonAddy)" and relay.in_chain is True
    [note] = [n for n in relay.notes if n.startswith("The relay's own record")]
    assert note.startswith("The relay's own record of its receipt (X-AnonAddy-Authentication-Results by "
                           "mail.anonaddy.me) says dkim=none, spf=fail, dmarc=fail: the original sender was not "
                           "authenticated when the message reached the relay")
    assert "read as its own because the receiving side's chain shows the relay handing the message over" in note


def test_a_forgers_addy_results_field_is_not_the_relays_record() -> None:
    # Sent straight from the attacker: the field is the sender's text, not the relay's record.
    envelope, _ = _run(_ADDY_FORWARD, client="mail.attacker.example")
    assert envelope.relay is not None and envelope.relay.in_chain is False
    assert not any("own record" in note for note in envelope.relay.notes)
    # Through the relay, a record another writer signed (its authserv-id not the relay's) is not its own.
    other, _ = _run(_ADDY_FORWARD.replace("X-AnonAddy-Authentication-Results: mail.anonaddy.me",
                                          "X-AnonAddy-Authentication-Results: mx.attacker.example"),
                    client="mail.anonaddy.me")
    assert other.relay is not None and not any("own record" in note for note in other.relay.notes)
    # A record of passes is never said (nor read as evidence).
    passes, _ = _run(_ADDY_FORWARD.replace("dkim=none; spf=fail", "dkim=pass; spf=pass").replace("dmarc=fail",
                                                                                                  "dmarc=pass"),
                     client="mail.anonaddy.me")
    assert passes.relay is not None and not any("own record" in note for note in passes.relay.notes)


def _delivered(client: str, ip: str, headers: str) -> bytes:
    """``headers`` as Gmail received them from ``client`` and delivered them to owner@example.net."""
    return ("Delivered-To: owner@example.net\r\n"
            f"Received: from {client} ({client}. [{ip}])\r\n"
            "        by mx.google.com with ESMTPS id af79cd13be357-8d3c2a91e7fsi5120843a.412\r\n"
            "        for <owner@example.net>\r\n"
            "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
            "        Tue, 01 Dec 2026 01:30:05 -0800 (PST)\r\n"
            "Return-Path: <shopping@johndoe.anonaddy.me>\r\n"
            + headers.replace("\n", "\r\n") + "Subject: Verify your account\r\n"
            "Date: Tue, 01 Dec 2026 09:30:03 +0000\r\nMessage-ID: <abc123@bad.example.org>\r\n\r\nbody\r\n").encode()


def test_the_renamed_results_finding_names_addys_field_as_the_relays() -> None:
    report = analyze(_delivered("mail.anonaddy.me", "192.0.2.77", _ADDY_FORWARD), offline=True)
    [finding] = [f for f in report.findings if f.id == "recorded.renamed"]
    assert "This name is addy.io's (AnonAddy's): its mail server writes the field when it receives" in \
        finding.explanation
    assert "But a sender can write the name as easily" in finding.explanation
    assert "X-Rspamd-Authentication-Results" not in finding.explanation


_NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
_ADDY_DNS = {**rsa_dns(1024, name="s1._domainkey.anonaddy.me"),
             "_dmarc.anonaddy.me": {"TXT": [["v=DMARC1; p=quarantine"]]}}
_GENUINE = ("From: \"Example Shop 'news@example.com'\" <shopping+news=example.com@johndoe.anonaddy.me>\n"
            "To: shopping@johndoe.anonaddy.me\nX-AnonAddy-Original-Sender: news@example.com\n"
            "X-AnonAddy-Original-From-Header: Example Shop <news@example.com>\n")


def _signed(headers: str, domain: str) -> bytes:
    """``headers`` signed by ``domain`` (From:, To:, Subject:, Date:) and delivered by Gmail from addy.io's host."""
    raw = _delivered("mail.anonaddy.me", "192.0.2.77", headers)
    head, _, rest = raw.partition(b"Return-Path: <shopping@johndoe.anonaddy.me>\r\n")
    return head + b"Return-Path: <shopping@johndoe.anonaddy.me>\r\n" + sign(rest, domain=domain, key=rsa_key(1024))


def _display_name(report: Report) -> Finding:
    [finding] = [f for f in report.findings if f.id == "envelope.display_name_address"]
    return finding


def test_addys_forward_layout_is_a_notice_when_dmarc_passes_for_the_relay() -> None:
    report = analyze(_signed(_GENUINE, "anonaddy.me"), resolver=SnapshotResolver(_ADDY_DNS), now=_NOW)
    assert report.dmarc is not None and report.dmarc.result == "pass"
    finding = _display_name(report)
    assert finding.severity.value == "notice"
    assert finding.title == "From: shows the original sender (news@example.com) of an addy.io (AnonAddy) forward"
    assert "forwarded this message to the owner of the alias shopping@johndoe.anonaddy.me" in finding.explanation
    assert "DMARC passes for johndoe.anonaddy.me, so the relay sent it" in finding.explanation
    [difference] = [d for d in report.envelope.differences if d.kind == "display_name_address"]
    assert "impersonate" not in difference.explanation
    assert "is the alias the message was sent to (shopping@johndoe.anonaddy.me)" in difference.explanation


def test_addys_layout_without_the_relays_authentication_stays_a_warning() -> None:
    # Unsigned (DMARC fails for the relay's domain): the layout is anyone's to write.
    unsigned = analyze(_delivered("mail.anonaddy.me", "192.0.2.77", _GENUINE),
                       resolver=SnapshotResolver({"_dmarc.anonaddy.me": _ADDY_DNS["_dmarc.anonaddy.me"]}), now=_NOW)
    assert unsigned.dmarc is not None and unsigned.dmarc.result == "fail"
    assert _display_name(unsigned).severity.value == "warning"
    # A forger's own domain, DMARC passing for it, with addy.io's marks and layout: not the relay's domain.
    forged = _GENUINE.replace("johndoe.anonaddy.me>", "attacker.example>").replace(
        "news@example.com'", "ceo@bank.example'")
    dns = {**rsa_dns(1024, name="s1._domainkey.attacker.example"),
           "_dmarc.attacker.example": {"TXT": [["v=DMARC1; p=reject"]]}}
    report = analyze(_signed(forged, "attacker.example"), resolver=SnapshotResolver(dns), now=_NOW)
    assert report.dmarc is not None and report.dmarc.result == "pass"
    finding = _display_name(report)
    assert finding.severity.value == "warning" and "documented forward" not in finding.explanation



def test_addys_layout_stays_a_warning_where_the_relay_recorded_the_sender_failing_or_is_not_in_the_chain() -> None:
    # A phish to the victim's own alias, genuinely forwarded: the relay's own record of its
    # receipt says the sender failed, so the name it copied is a forged sender's (V61b D-1).
    phish = _GENUINE + ("X-AnonAddy-Authentication-Results: mail.anonaddy.me; dkim=none; spf=fail "
                        "smtp.mailfrom=news@example.com; dmarc=fail header.from=example.com (policy=reject)\n")
    report = analyze(_signed(phish, "anonaddy.me"), resolver=SnapshotResolver(_ADDY_DNS), now=_NOW)
    assert report.dmarc is not None and report.dmarc.result == "pass"
    assert _display_name(report).severity.value == "warning"
    # The relay's genuinely signed copy re-sent from another host (the forger's own alias's copy
    # replayed to the victim): the relay's hand-over is not in the chain (V61b D-2).
    raw = _signed(_GENUINE, "anonaddy.me").replace(b"from mail.anonaddy.me (mail.anonaddy.me. [192.0.2.77])",
                                                   b"from mail.attacker.example (mail.attacker.example. [192.0.2.66])")
    replayed = analyze(raw, resolver=SnapshotResolver(_ADDY_DNS), now=_NOW)
    assert replayed.dmarc is not None and replayed.dmarc.result == "pass"
    assert replayed.envelope.relay is not None and replayed.envelope.relay.in_chain is False
    assert _display_name(replayed).severity.value == "warning"

# The original's Received field addy.io copies into its forward, stamped 2 s before the Date: it writes.
_COPIED = ("Received: from mail.example.com (mail.example.com [192.0.2.25])\n\tby mail.anonaddy.me (Postfix) with "
           "ESMTPS id 4QxP0R6YwKz3\n\tfor <shopping@johndoe.anonaddy.me>; Tue, 01 Dec 2026 09:30:01 +0000 (UTC)\n")


def _skew(report: Report) -> Finding:
    [finding] = [f for f in report.findings if f.id == "hops.clock_skew"]
    return finding


def test_addys_new_date_above_a_copied_received_is_the_relays_re_dating() -> None:
    report = analyze(_delivered("mail.anonaddy.me", "192.0.2.77", _COPIED + _GENUINE), offline=True)
    assert report.envelope.relay is not None and report.envelope.relay.in_chain is True
    finding = _skew(report)
    assert finding.severity.value == "info" and finding.subject == "hop 1"
    assert finding.title == "The Date: addy.io (AnonAddy) wrote is 2 s after a Received field it copied"
    assert "this is the relay's re-dating, not a wrong clock or a forged header" in finding.explanation
    assert "or a header was forged" not in finding.explanation


def test_a_forgers_copy_of_addys_marks_keeps_the_clock_skew_words() -> None:
    # Sent straight from the attacker's host: the Date: and the stamp below are both the sender's text.
    report = analyze(_delivered("mail.attacker.example", "203.0.113.9", _COPIED + _GENUINE), offline=True)
    assert report.envelope.relay is not None and report.envelope.relay.in_chain is False
    finding = _skew(report)
    assert finding.title.startswith("Time goes backwards by 2 s")
    assert "re-dating" not in finding.explanation and "a header was forged" in finding.explanation
