"""The envelope beside the headers, each difference explained (realistic header sets)."""

from __future__ import annotations

import dataclasses
import re

from conftest import CORPUS, SAMPLES

from headerscope.envelope import analyze_envelope, boundary_received_spf
from headerscope.loader import load_bytes
from headerscope.message import parse_message
from headerscope.model import (
    Envelope,
    Finding,
    Hop,
    ReceivedFields,
    RecordedResult,
    Report,
    Role,
    SpfResult,
)


def _hop(number: int, trusted: bool, for_: str | None = None, envelope_from: str | None = None) -> Hop:
    # Received headers of later hops sit higher up (RFC 5321 section 4.4); all below the test's fields.
    return Hop(number=number, header_index=100 - number,
               fields=ReceivedFields(for_=for_, envelope_from=envelope_from),
               raw="", delay_seconds=None, role=Role.MTA, organization=None, trusted=trusted,
               boundary=False)


def _from_hop(number: int, client: str, by: str = "mx.receiver.test") -> Hop:
    """A receiving-side hop that took the message from ``client`` (its reverse DNS name, as the
    receiver writes it: "from helo (rdns [ip])")."""
    return Hop(number=number, header_index=100 - number,
               fields=ReceivedFields(from_helo=client, from_rdns=client, from_ip="192.0.2.10", by=by),
               raw="", delay_seconds=None, role=Role.MTA, organization=None, trusted=True, boundary=True)


def _run(headers: str, hops: tuple[Hop, ...] = (), boundary: int | None = None,
         received_spf: RecordedResult | None = None) -> tuple[Envelope, tuple[Finding, ...]]:
    message = parse_message(headers.replace("\n", "\r\n").encode() + b"\r\nbody\r\n")
    return analyze_envelope(message, hops, boundary, received_spf)


def _kinds(envelope: Envelope) -> list[str]:
    return [d.kind for d in envelope.differences]


def test_direct_delivery_has_no_differences() -> None:
    envelope, findings = _run("Return-Path: <alice@sender.test>\nDelivered-To: bob@receiver.test\n"
                              "From: Alice <alice@sender.test>\nTo: Bob <bob@receiver.test>\n")
    assert envelope.mail_from == "alice@sender.test" and envelope.mail_from_source == "Return-Path"
    assert envelope.rcpt_to == ("bob@receiver.test",) and envelope.rcpt_to_sources == ("Delivered-To",)
    assert envelope.differences == () and findings == ()


def test_srs_forwarded() -> None:
    envelope, _ = _run("Return-Path: <SRS0=x1Yz=AB=sender.test=alice@forwarder.test>\n"
                       "Delivered-To: bob@final.test\nFrom: alice@sender.test\nTo: bob@forwarder.test\n")
    assert envelope.srs is not None and envelope.srs.original_sender == "alice@sender.test"
    srs = envelope.differences[0]
    assert srs.kind == "srs" and "forwarder.test" in srs.explanation and "alice@sender.test" in srs.explanation
    # The SRS domain differs from From: (explained, not alarmed) and bob@final.test is only in the
    # envelope: the forwarder's alias (bob@forwarder.test) led there, no blind copy.
    assert _kinds(envelope) == ["srs", "mail_from_domain", "forwarded"]
    caveat = envelope.differences[1].explanation
    assert "authorship rests on an aligned DKIM signature" in caveat and "forging" not in caveat
    assert "Bcc" not in envelope.differences[2].explanation and "forwarder.test forwarded it" \
        in envelope.differences[2].explanation


def test_srs_of_another_domain_keeps_the_forging_caveat() -> None:
    # The SRS address decodes to a sender of another domain than From:'s: nothing ties the
    # forward to the author, so the full caveat (a forger looks the same) stays.
    envelope, _ = _run("Return-Path: <SRS0=x1Yz=AB=other.test=mallory@forwarder.test>\n"
                       "Delivered-To: bob@final.test\nFrom: alice@sender.test\nTo: bob@final.test\n")
    caveat = next(d for d in envelope.differences if d.kind == "mail_from_domain").explanation
    assert "forging sender.test" in caveat


def test_duckduckgo_forward_reports_original_sender_as_the_relays_claim() -> None:
    envelope, _ = _run(
        "Return-Path: <Bounce0=1234=5678=abcd@duck.com>\nDelivered-To: owner@real.test\n"
        "Authentication-Results-Original: eun-prod-email-smtp5.duckduckgo.com;\n dkim=none (message not signed);"
        " spf=none smtp.mailfrom=bob@sender.test; dmarc=none header.from=sender.test\n"
        'Duck-Original-From: "Bob" <bob@sender.test>\n'
        "From: Bob <bob_at_sender.test_myalias@duck.com>\nDuck-Original-To: <myalias@duck.com>\n"
        "To: myalias@duck.com\nDuck-Original-Message-ID: <1@sender.test>\n",
        (_from_hop(1, "smtp-inbound1.duck.com"),), 1)
    relay = envelope.relay
    assert relay is not None and relay.service == "DuckDuckGo Email Protection" and relay.direction == "forward"
    assert relay.in_chain is True and "Received chain" not in relay.summary()
    assert relay.alias == "myalias@duck.com" and relay.original_sender == "bob@sender.test"
    assert relay.original_sender_source == "Duck-Original-From"
    assert "the relay's claim" in relay.summary() and "not authenticated" in relay.summary()
    assert any("dkim=none, spf=none, dmarc=none" in note and "not authenticated" in note for note in relay.notes)
    assert any("concern duck.com" in note and "RFC 7489 section 3.1" in note for note in relay.notes)
    # The owner's mailbox is reached through the alias, not by a blind copy.
    forwarded = next(d for d in envelope.differences if d.envelope_value == "owner@real.test")
    assert forwarded.kind == "forwarded" and "myalias@duck.com" in forwarded.explanation


def test_duckduckgo_address_form_decodes_the_original_sender() -> None:
    envelope, _ = _run("From: bob_at_sender.test_myalias@duck.com\nTo: myalias@duck.com\n")
    assert envelope.relay is not None and envelope.relay.original_sender == "bob@sender.test"
    assert envelope.relay.direction == "forward"


def test_relay_result_of_another_writer_is_not_the_relays() -> None:
    # An i=1 ARC set by someone else (the sender's own provider) is not the relay's record.
    envelope, _ = _run("ARC-Authentication-Results: i=1; mx.other.test; spf=none; dkim=none; dmarc=none\n"
                       'Duck-Original-From: <bob@sender.test>\nFrom: <bob_at_sender.test_x@duck.com>\n')
    assert envelope.relay is not None
    assert not any("relay's own record" in note for note in envelope.relay.notes)


def test_simplelogin_reply_names_the_reverse_alias_direction() -> None:
    envelope, _ = _run("X-SimpleLogin-Type: Reply\nX-SimpleLogin-EmailLog-ID: 68459321\n"
                       "From: Me <me@mydomain.test>\nTo: someone@else.test\n",
                       (_from_hop(1, "mail-200163.simplelogin.co"),), 1)
    relay = envelope.relay
    assert relay is not None and relay.service == "SimpleLogin" and relay.direction == "reply"
    assert relay.alias == "me@mydomain.test" and relay.summary().startswith("Sent out through SimpleLogin")


def test_simplelogin_forward_reads_original_from() -> None:
    envelope, _ = _run("X-SimpleLogin-Type: Forward\nX-SimpleLogin-Envelope-From: bounce@sender.test\n"
                       "X-SimpleLogin-Original-From: Bob <bob@sender.test>\n"
                       "X-SimpleLogin-Envelope-To: alias@simplelogin.test\n"
                       'From: "Bob - bob at sender.test" <bob_at_sender_test_abc@simplelogin.co>\n'
                       "To: alias@simplelogin.test\n")
    relay = envelope.relay
    assert relay is not None and relay.direction == "forward" and relay.alias == "alias@simplelogin.test"
    assert relay.original_sender == "bob@sender.test" and relay.original_sender_source == "X-SimpleLogin-Original-From"


def test_anonaddy_forward_email_firefox_and_apple() -> None:
    addy, _ = _run("X-AnonAddy-Original-Sender: bob@sender.test\nFrom: x@anonaddy.me\nTo: y@anonaddy.me\n")
    assert addy.relay is not None and addy.relay.service.startswith("addy.io")
    assert addy.relay.original_sender == "bob@sender.test"
    fwd, _ = _run("X-ForwardEmail-Sender: rfc822; bob@sender.test, smtp.forwardemail.net, 192.0.2.1\n"
                  "X-ForwardEmail-Version: 0.4.40\nFrom: bob@sender.test\nTo: a@b.test\n")
    assert fwd.relay is not None and fwd.relay.original_sender == "bob@sender.test"
    assert fwd.relay.direction == "unknown"  # no SRS rewrite by it: its own outbound sending, maybe
    firefox, _ = _run('From: "bob@sender.test [via Relay]" <abc123@mozmail.com>\nTo: abc123@mozmail.com\n')
    assert firefox.relay is not None and firefox.relay.service == "Firefox Relay"
    assert firefox.relay.original_sender == "bob@sender.test" and firefox.relay.alias == "abc123@mozmail.com"
    apple, _ = _run("From: shop@sender.test\nTo: xyz@privaterelay.appleid.com\n")
    assert apple.relay is not None and apple.relay.service == "Apple Hide My Email"
    assert apple.relay.alias == "xyz@privaterelay.appleid.com" and apple.relay.direction == "forward"


def test_no_relay_on_ordinary_mail() -> None:
    envelope, _ = _run("From: alice@sender.test\nTo: bob@receiver.test\n")
    assert envelope.relay is None


def test_yandex_forward_is_no_blind_copy() -> None:
    envelope, _ = _run("Delivered-To: other@yandex.test\nX-Yandex-Forward: 9d668b532af1baa9ecc9f739379b8bef\n"
                       "From: a@sender.test\nTo: mail@owner.test\n",
                       (_from_hop(1, "forward501a.mail.yandex.net"),), 1)
    assert envelope.relay is not None and envelope.relay.service == "Yandex mail forwarding"
    assert [d.kind for d in envelope.differences if d.envelope_value == "other@yandex.test"] == ["forwarded"]


def test_google_automatic_forwarding_names_the_forwarding_mailbox_and_its_destination() -> None:
    # Gmail's "+caf_=" rewrite (a real Workspace forward's shape): the mailbox that forwards, and
    # where to, read from the envelope sender; it is not a VERP or bounce-handling address.
    envelope, _ = _run("Return-Path: <andris+caf_=andris.reinman=gmail.com@tr.test>\n"
                       "Delivered-To: andris.reinman@gmail.com\nFrom: andris@zone.test\nTo: andris@tr.test\n")
    forwarded = envelope.differences[0]
    assert forwarded.kind == "forwarded" and forwarded.envelope_value == "andris+caf_=andris.reinman=gmail.com@tr.test"
    assert "the mailbox andris@tr.test forwards its mail to andris.reinman@gmail.com" in forwarded.explanation
    assert _kinds(envelope)[:2] == ["forwarded", "mail_from_domain"]
    # A "+caf_" that is no such rewrite is left alone.
    envelope, _ = _run("Return-Path: <team+caf_notes@tr.test>\nFrom: team@tr.test\nTo: a@b.test\n")
    assert "forwarded" not in _kinds(envelope)


def test_null_sender_is_a_bounce() -> None:
    envelope, _ = _run("Return-Path: <>\nFrom: MAILER-DAEMON@mx.test\nTo: a@b.test\n")
    assert envelope.mail_from == "" and _kinds(envelope) == ["bounce"]


def test_the_null_sender_of_an_auto_reply_is_rfc_3834s_advice_not_rfc_5321s_requirement() -> None:
    # A Dovecot Sieve vacation reply (verification V30c, vacation.eml). RFC 5321 section 4.5.5 is
    # about delivery status notifications; the null sender of an automatic reply is RFC 3834
    # section 3.3's SHOULD.
    envelope, findings = _run("Return-Path: <>\nDelivered-To: alice@example.org\nFrom: Bob <bob@company.example>\n"
                              "To: alice@example.org\nSubject: Auto: Question about your product\n"
                              "Auto-Submitted: auto-replied (vacation)\nPrecedence: bulk\nX-Autoreply: yes\n")
    [bounce] = envelope.differences
    assert bounce.kind == "bounce"
    assert "requires it for delivery status notifications (bounces), and RFC 3834 section 3.3 advises it for " \
           "automatic replies" in bounce.explanation
    assert "and auto-replies" not in bounce.explanation
    # The null sender on a message that is neither says the same of the two RFCs.
    envelope, findings = _run("Return-Path: <>\nFrom: GLS <info@stayfriends.example>\nTo: you@example.net\n"
                              "Subject: Your parcel\n")
    [null] = [d for d in envelope.differences if d.kind == "null_sender"]
    assert "RFC 5321 section 4.5.5 requires it of delivery reports, RFC 3834 section 3.3 advises it for automatic " \
           "replies" in null.explanation
    [finding] = [f for f in findings if f.id == "envelope.null_sender"]
    assert "RFC 5321 section 4.5.5 keeps for delivery reports and RFC 3834 section 3.3 advises for automatic " \
           "replies" in finding.explanation


def test_esp_verp_and_mail_from_domain() -> None:
    envelope, findings = _run(
        "Return-Path: <bounces+4242-ab12-carol=example.com@em123.mailer.test>\n"
        "From: Shop <news@shop.test>\nTo: carol@example.com\nDelivered-To: carol@example.com\n")
    assert _kinds(envelope) == ["verp", "mail_from_domain"]
    assert "carol@example.com" in envelope.differences[0].explanation
    # The difference is told both ways: what an ESP does, and what a forger does.
    assert "email service provider" in envelope.differences[1].explanation and findings == ()
    assert "so does a sender forging shop.test" in envelope.differences[1].explanation


def test_a_bounce_address_encoding_the_from_address_is_the_senders_not_the_recipients() -> None:
    # Brevo (Sendinblue) encodes the sending address: one bounce mailbox per sender, not per recipient.
    envelope, _ = _run(
        "Return-Path: <bounces-haeu5-hr=dharmakit.com@ke.d.sender-sib.com>\n"
        "Delivered-To: msniranjan2004@gmail.com\nFrom: HR Team <hr@dharmakit.com>\n"
        "To: <msniranjan2004@gmail.com>\nReply-To: <hr@dharmakit.com>\n")
    assert _kinds(envelope) == ["bounce", "mail_from_domain"]
    explanation = envelope.differences[0].explanation
    assert "encodes the sender's address (hr@dharmakit.com" in explanation
    assert "recipient's address is encoded" not in explanation and "VERP address" not in explanation


def test_an_encoded_address_that_is_no_recipient_is_not_called_the_recipient() -> None:
    envelope, _ = _run(
        "Return-Path: <bounces+4242-ab12-carol=example.com@em123.mailer.test>\n"
        "From: Shop <news@shop.test>\nTo: dave@example.org\nDelivered-To: dave@example.org\n")
    verp = envelope.differences[0]
    assert verp.kind == "verp" and "encodes an address, carol@example.com" in verp.explanation
    assert "recipient's address is encoded" not in verp.explanation
    assert "none of the recipients or senders this message names" in verp.explanation


def test_esp_default_and_token_bounce_addresses_are_bounce_addresses() -> None:
    # Verification V30c (real shapes): Postmark's default Return-Path, HubSpot's base-36 token and
    # Salesforce's sender-encoding form were only "the envelope sender's domain differs".
    cases = {
        "pm_bounces@pm.mtasv.net": ("Example App <notifications@example.com>", "the local part of 'pm_bounces@pm.mtasv.net' names"),
        "1axb9lvdcpn34bfn6j4jfeyp2rsoz4m51ae55n@bf53x.hubspotemail.net": (
            "Netlify Team <noreply@netlify.com>", "per-message tracking token (base 36)"),
        "info=emjtpisc.com__0-1r12zvjmnf8rqu.l9azxrxo3x5g2pzm@xqfk2ane5qjq38ec.gpawymg.8d-3trx3eag.um8.bnc."
        "salesforce.com": ("Emirates Islamic Investment PJSC <info@emjtpisc.com>",
                           "(the sender's address info@emjtpisc.com, written in From:, Sender: or Reply-To:, encoded "
                           "as user=domain, then a '__' token, at a 'bnc' bounce subdomain: the form of Salesforce's "
                           "bounce management"),
    }
    for mail_from, (author, said) in cases.items():
        envelope, _ = _run(f"Return-Path: <{mail_from}>\nDelivered-To: bob@gmail.com\nFrom: {author}\n"
                           "To: bob@gmail.com\n")
        assert _kinds(envelope) == ["bounce", "mail_from_domain"], mail_from
        assert said in envelope.differences[0].explanation, mail_from
        assert "VERP" not in envelope.differences[0].explanation


def test_sparkposts_signed_bounce_address_is_not_called_the_senders_own() -> None:
    envelope, _ = _run(
        "Return-Path: <msprvs1=20570G1NGbo_G=bounces-274689-4@bounce.eventbrite.com>\n"
        "Envelope-To: contacto@cleandmlimpieza.com.ar\n"
        "From: \"Paulo Conteo\" <noreply@campaign.eventbrite.com>\nTo: contacto@cleandmlimpieza.com.ar\n")
    bounce = envelope.differences[0]
    assert bounce.kind == "bounce" and "SparkPost" in bounce.explanation
    assert "customer 274689, subaccount 4" in bounce.explanation
    assert "BATV" not in bounce.explanation and "sender's own address" not in bounce.explanation


def test_bcc_recipient_and_for_clauses_of_trusted_hops_only() -> None:
    hops = (_hop(1, False, for_="<forged@claim.test>"), _hop(2, True, for_="<dave@receiver.test>"),
            _hop(3, True, for_="<multiple recipients>", envelope_from="<alice@sender.test>"))
    envelope, _ = _run("Delivered-To: dave@receiver.test\nFrom: alice@sender.test\nTo: bob@receiver.test\n",
                       hops, boundary=2)
    assert envelope.rcpt_to == ("dave@receiver.test",)
    assert envelope.rcpt_to_sources == ("Delivered-To, Received for (hop 2)",)
    assert envelope.mail_from == "alice@sender.test" and envelope.mail_from_source == "Received envelope-from (hop 3)"
    assert _kinds(envelope) == ["bcc"]


def test_alias_rewrite_is_forwarding_not_bcc() -> None:
    envelope, _ = _run("X-Original-To: sales@corp.test\nDelivered-To: jane@mailhost.corp.test\n"
                       "From: c@customer.test\nTo: sales@corp.test\n")
    assert _kinds(envelope) == ["forwarded"]


def test_mailing_list_member() -> None:
    envelope, _ = _run("Delivered-To: me@home.test\nList-Id: <dev.lists.example.org>\n"
                       "From: a@author.test\nTo: dev@lists.example.org\n")
    assert _kinds(envelope) == ["list"] and "mailing list" in envelope.differences[0].explanation


def test_reply_to_other_domain_and_display_name_address() -> None:
    envelope, findings = _run('From: "ceo@corp.test" <ceo.corp@freemail.test>\n'
                              "Reply-To: payments@other.test\nTo: staff@corp.test\n")
    assert _kinds(envelope) == ["reply_to_domain", "display_name_address"]
    assert [(f.id, f.severity.value) for f in findings] == [
        ("envelope.reply_to_other_domain", "notice"), ("envelope.display_name_address", "warning")]


def test_display_name_showing_another_domain() -> None:
    # A phish from a public corpus (real From:): the name is a brand's domain, the address not.
    envelope, findings = _run('From: "Amazon.co.jp" <arnazom@lptaoyou.cn>\nTo: user@example.jp\n')
    assert _kinds(envelope) == ["display_name_domain"]
    [finding] = [f for f in findings if f.id == "envelope.display_name_domain"]
    assert finding.severity.value == "warning" and "amazon.co.jp" in finding.title
    assert "arnazom@lptaoyou.cn" in finding.explanation
    # A short name is no brand's prefix: t.co shown by an address at twitter.com's rival.
    envelope, _ = _run('From: "t.co" <news@tumblr.example>\nTo: user@example.jp\n')
    assert _kinds(envelope) == ["display_name_domain"]
    # Nor is a look-alike's short name a brand's prefix.
    envelope, _ = _run('From: "PayPal.com" <service@pay.example>\nTo: user@example.jp\n')
    assert _kinds(envelope) == ["display_name_domain"]
    # Not for: the address's own organisation, a brand spelled with a dot, an operator's other
    # domain, a top-level label the Public Suffix List lacks, dotted initials, a list's rewrite.
    for quiet in ('"PayPal.com" <service@mail.paypal.com>', '"Dr.Web" <news@drweb.com>',
                  '"Gmail.com Team" <team@googlemail.com>', '"Node.js" <news@example.org>',
                  '"Daniel P. Smith" <dps@example.org>', '"Mr.Wood" <w@example.org>',
                  '"notificados.com via Osst-users" <osst-users@lists.sourceforge.net>',
                  '"Amazon.co.jp" <store-news@amazon.com>'):
        envelope, findings = _run(f"From: {quiet}\nTo: user@example.jp\n")
        assert "display_name_domain" not in _kinds(envelope), quiet
        assert not [f for f in findings if f.id == "envelope.display_name_domain"], quiet


def test_display_name_domains_are_read_as_a_reader_sees_them() -> None:
    # Verification V30d: a zero-width space or soft hyphen inside the name shows paypal.com, and the
    # warning named "pal.com"; a name that shows an address got the domain warning beside the
    # address warning when the at sign was full-width or the address held a zero-width character.
    for name, shown in (('"pay\u200bpal.com"', "paypal.com"), ('"Pay\u00adPal.com Service"', "paypal.com"),
                        ('"pay\u2060pal\uff0ecom"', "paypal.com")):
        envelope, findings = _run(f"From: {name} <x@evil.example>\nTo: user@example.jp\n")
        assert _kinds(envelope) == ["display_name_domain"], name
        [finding] = [f for f in findings if f.id == "envelope.display_name_domain"]
        assert finding.title == f"From: display name shows another domain ({shown})", name
        assert f"shows {shown}, while" in finding.explanation
    for name, shown in (('"support@pay\u200bpal.com"', "support@paypal.com"),
                        ('"service@pay\u200dpal.com"', "service@paypal.com"),
                        ('"support\uff20paypal.com"', "support@paypal.com"), ('"support @ paypal.com"', "support@paypal.com"),
                        ('"support@paypal.com, paypal.com"', "support@paypal.com")):
        envelope, findings = _run(f"From: {name} <x@evil.example>\nTo: user@example.jp\n")
        assert _kinds(envelope) == ["display_name_address"], name
        assert [f.title for f in findings if f.id.startswith("envelope.display_name")] == [
            f"From: display name shows another address ({shown})"], name
    # A domain the name shows beside an address of another domain is still said.
    envelope, _ = _run('From: "support@paypal.com at amazon.co.jp" <x@evil.example>\nTo: user@example.jp\n')
    assert _kinds(envelope) == ["display_name_address", "display_name_domain"]


def test_forwarding_traces_explain_a_recipient_missing_from_the_header() -> None:
    # Microsoft 365's external forward (real fields): the mailbox in To: forwarded it on.
    hops = (_hop(1, True, for_="queries@onlyfromavon.co.za"),)
    base = "From: a@gmail.com\nTo: queries@avon.com\n"
    for trace, forwarder in (("Resent-From: <queries@avon.com>\n", "queries@avon.com"),
                             ("X-MS-Exchange-ForwardingLoop: queries@avon.com;e7f5a0d7-7c2d-4b6f\n",
                              "queries@avon.com"),
                             ("X-Forwarded-For: queries@avon.com queries@onlyfromavon.co.za\n", "queries@avon.com")):
        envelope, _ = _run(trace + base, hops, boundary=1)
        assert [(d.kind, d.header_value) for d in envelope.differences] == [("forwarded", forwarder)], trace
    # Gmail's auto-forwarding envelope sender names the forwarding mailbox.
    envelope, _ = _run("Return-Path: <queries+caf_=queries=onlyfromavon.co.za@avon.com>\n" + base, hops, boundary=1)
    assert ("forwarded", "queries@avon.com") in [(d.kind, d.header_value) for d in envelope.differences]
    # Without a trace it stays a blind copy (or a forward that left none).
    envelope, _ = _run(base, hops, boundary=1)
    assert _kinds(envelope) == ["bcc"]


def test_the_forwarding_mailbox_itself_is_no_blind_copy() -> None:
    # A Gmail auto-forward (real layout, an AOL complaint report): Gmail's Delivered-To of the
    # forwarding mailbox travels on, and X-Forwarded-For names it as the forwarder. It read both
    # "the sender put it in Bcc" and "the forwarding mailbox": the forward explains it.
    hops = (_hop(1, True, for_="bob@example.net"),)
    headers = ("Delivered-To: bob@example.com\nX-Forwarded-For: bob@example.com bob@example.net\n"
               "X-Forwarded-To: bob@example.net\nFrom: scomp@aol.example\nTo: spam.abuse@example.com\n")
    envelope, _ = _run(headers, hops, boundary=1)
    assert envelope.rcpt_to == ("bob@example.com", "bob@example.net")
    assert [(d.kind, d.envelope_value) for d in envelope.differences] == [
        ("forwarded", "bob@example.com"), ("forwarded", "bob@example.net")]
    assert "it is the mailbox that forwarded the message: Gmail's X-Forwarded-For names bob@example.com" \
        in envelope.differences[0].explanation
    # Another mailbox beside it, which no trace explains, is still a blind copy.
    envelope, _ = _run(headers.replace("Delivered-To: bob@example.com", "Delivered-To: carol@example.com"),
                       hops, boundary=1)
    assert [(d.kind, d.envelope_value) for d in envelope.differences] == [
        ("bcc", "carol@example.com"), ("forwarded", "bob@example.net")]


def test_reply_to_same_organisation_is_fine() -> None:
    envelope, findings = _run("From: a@mail.corp.test\nReply-To: support@corp.test\nTo: b@x.test\n")
    assert envelope.differences == () and findings == ()


def test_sender_and_multiple_from() -> None:
    envelope, findings = _run("From: a@x.test, b@y.test\nSender: secretary@x.test\nTo: c@z.test\n")
    assert _kinds(envelope) == ["sender"]
    assert [f.id for f in findings] == ["envelope.multiple_from"]
    _, two_fields = _run("From: a@x.test\nFrom: b@y.test\n")
    assert [f.id for f in two_fields] == ["envelope.multiple_from"]


def test_missing_from() -> None:
    _, findings = _run("To: c@z.test\n")
    assert [f.id for f in findings] == ["envelope.no_from"]


def test_corpus_mailchimp_message() -> None:
    raw = (CORPUS / "messages" / "mail-parser" / "mail_test_13").read_bytes()
    envelope, _ = analyze_envelope(parse_message(load_bytes(raw).data), (), None)
    assert envelope.header_from[0].display_name == "Continuity Insights"
    verp = envelope.differences[0]
    assert verp.kind == "verp" and "dpinnix@coastbankcalifornia.com" in verp.explanation
    assert envelope.sender is not None and "sender" in _kinds(envelope)


def test_corpus_display_name_addresses() -> None:
    raw = (CORPUS / "messages" / "mail-parser" / "mail_test_19").read_bytes()
    envelope, findings = analyze_envelope(parse_message(raw), (), None)
    assert [a.address for a in envelope.header_from] == ["bob@example.com"]
    assert [a.address for a in envelope.cc] == ["frank@example.com"]
    assert [f.subject for f in findings] == ["From", "Reply-To"]


def test_every_corpus_message_analyzes() -> None:
    count = 0
    for path in sorted((CORPUS / "messages").rglob("*")):
        if path.is_file():
            message = parse_message(load_bytes(path.read_bytes(), source=str(path)).data)
            envelope, _ = analyze_envelope(message, (), None)
            assert len(envelope.rcpt_to) == len(envelope.rcpt_to_sources)
            count += 1
    assert count >= 45


# --- audit item 7: recipient fields of an earlier delivery ------------------------------------

RESENT = ("Delivered-To: final@now.test\n"                       # 0: this delivery
          "Received: from relay.esp.test ([192.0.2.9]) by mx.now.test; Tue, 8 Oct 2024 10:00:00 +0000\n"
          "Received: by esp.test; Tue, 8 Oct 2024 09:59:00 +0000\n"
          "Delivered-To: first@then.test\n"                      # 3: written at an earlier delivery
          "X-Original-To: first-alias@then.test\n"
          "Received: from out.shop.test ([198.51.100.1]) by mx.then.test; Sat, 5 Oct 2024 10:00:00 +0000\n"
          "From: shop@shop.test\nTo: first@then.test\n")


def _chain_hops() -> tuple[Hop, ...]:
    # Hop numbers count from the earliest; each Received header's index in RESENT.
    return (_hop_at(1, 5, trusted=False), _hop_at(2, 2, trusted=False), _hop_at(3, 1, trusted=True))


def _hop_at(number: int, header_index: int, trusted: bool, from_ip: str | None = None) -> Hop:
    return Hop(number=number, header_index=header_index, fields=ReceivedFields(from_ip=from_ip),
               raw="", delay_seconds=None, role=Role.MTA, organization=None, trusted=trusted,
               boundary=trusted)


def test_recipient_fields_below_the_boundary_are_an_earlier_delivery() -> None:
    envelope, findings = _run(RESENT, _chain_hops(), boundary=3)
    assert envelope.rcpt_to == ("final@now.test",)
    # The earlier X-Original-To is not read as an alias rewrite to the current Delivered-To,
    # and the earlier recipients are not reported as Bcc recipients of this delivery. This
    # delivery's recipient is where the message was sent next (a forward, or a replay).
    assert _kinds(envelope) == ["forwarded"] and envelope.differences[0].envelope_value == "final@now.test"
    assert "by a forward, or by someone replaying the message" in envelope.differences[0].explanation
    earlier = [f for f in findings if f.id == "envelope.earlier_delivery"]
    assert len(earlier) == 1 and earlier[0].severity.value == "notice"
    assert "first@then.test" in earlier[0].title and "first-alias@then.test" in earlier[0].title
    assert "header 4" in earlier[0].explanation and "hop 3" in earlier[0].explanation


def test_earlier_delivery_through_a_list_is_info() -> None:
    _, findings = _run(RESENT.replace("From:", "List-Id: <dev.lists.then.test>\nFrom:"), _chain_hops(), boundary=3)
    assert [(f.id, f.severity.value) for f in findings] == [("envelope.earlier_delivery", "info")]


def test_an_earlier_delivery_before_a_list_is_said_to_be_the_other_hosts() -> None:
    # Delivered-To sits on top of mx.then.test's Received (hop 1): that host delivered the message
    # first; the list (at lists.esp.test, hop 2) received it only afterwards. The list did not
    # write it, so "the list's server received it first" would be wrong.
    hops = (dataclasses.replace(_hop_at(1, 5, trusted=False), organization="then.test",
                                fields=ReceivedFields(by="mx.then.test")),
            dataclasses.replace(_hop_at(2, 2, trusted=False), organization="esp.test",
                                fields=ReceivedFields(by="lists.esp.test")),
            _hop_at(3, 1, trusted=True))
    listed = RESENT.replace("From:", "List-Id: Dev list <dev.lists.esp.test>\nFrom:")
    _, findings = _run(listed, hops, boundary=3)
    earlier = next(f for f in findings if f.id == "envelope.earlier_delivery")
    assert earlier.severity.value == "info"
    assert "mx.then.test's (hop 1), not the mailing list's" in earlier.explanation
    assert "the list's server received it first" not in earlier.explanation
    # The list's own host writing it (its organisation's hop below the field) keeps the list's wording.
    own = RESENT.replace("From:", "List-Id: <dev.then.test>\nFrom:")
    _, findings = _run(own, hops, boundary=3)
    assert "the list's server received it first" in next(
        f for f in findings if f.id == "envelope.earlier_delivery").explanation


def test_without_a_boundary_every_recipient_field_counts() -> None:
    envelope, findings = _run(RESENT)
    assert set(envelope.rcpt_to) == {"final@now.test", "first@then.test", "first-alias@then.test"}
    assert not [f for f in findings if f.id == "envelope.earlier_delivery"]


def test_recipient_fields_with_no_earlier_received_below_them_are_this_deliverys() -> None:
    # Proton Mail's export (real layout): its own Received, then its X-Original-To and
    # Delivered-To below it, then the message; no earlier receiver's Received is below them.
    proton = ("X-Pm-Spamscore: 0\n"
              "Received: from mail.protonmail.ch by mail.protonmail.ch; Sat, 17 Sep 2022 11:37:00 +0000\n"
              "X-Original-To: epfl-ctf-admin2@protonmail.com\n"
              "Return-Path: <someone@protonmail.com>\n"
              "Delivered-To: epfl-ctf-admin2@protonmail.com\n"
              "From: someone@protonmail.com\nTo: epfl-ctf-admin2@protonmail.com\n")
    envelope, findings = _run(proton, (_hop_at(1, 1, trusted=True),), boundary=1)
    assert envelope.rcpt_to == ("epfl-ctf-admin2@protonmail.com",)
    assert not [f for f in findings if f.id == "envelope.earlier_delivery"]
    # A milter appending at the end of the header (Sophos PureMessage's X-Envelope-To).
    appended = RESENT + "X-Envelope-To: final@now.test\n"
    envelope, findings = _run(appended, _chain_hops(), boundary=3)
    assert envelope.rcpt_to == ("final@now.test",)
    assert envelope.rcpt_to_sources == ("Delivered-To, X-Envelope-To",)
    # Still an earlier delivery: the fields with the earlier receiver's Received below them.
    assert ["first@then.test" in f.title for f in findings if f.id == "envelope.earlier_delivery"] == [True]


def test_a_sender_written_recipient_field_below_every_received_is_not_read_when_the_receiver_recorded_its_own(
) -> None:
    # The sender's own header block also sits below every Received. Where the receiving side
    # wrote its own Delivered-To above its boundary Received, a "Delivered-To: cfo@" among
    # the sender's fields is not a recipient of this delivery (nor an earlier delivery's),
    # so it can neither fill RCPT TO (and the scan's rcpt_to) nor turn a Bcc into a forward.
    spoof = ("Delivered-To: victim@corp.test\n"
             "Received: from evil.test (unknown [203.0.113.9]) by mx.corp.test; Sun, 13 Aug 2023 05:04:54 +0000\n"
             "Delivered-To: cfo@corp.test\nX-Envelope-To: payroll@corp.test\n"
             "From: billing@evil.test\nTo: team@corp.test\n")
    envelope, findings = _run(spoof, (_hop_at(1, 1, trusted=True),), boundary=1)
    assert envelope.rcpt_to == ("victim@corp.test",)
    # Nor are they dropped: each is shown beside RCPT TO as the claim it is (verification V12 N11).
    assert _kinds(envelope) == ["bcc", "claimed_rcpt", "claimed_rcpt"]
    assert envelope.claimed_rcpt_to == ("cfo@corp.test", "payroll@corp.test")
    assert envelope.claimed_rcpt_to_sources == (
        "Delivered-To (header 3), below every Received: a milter's or the sender's",
        "X-Envelope-To (header 4), below every Received: a milter's or the sender's")
    assert not [f for f in findings if f.id == "envelope.earlier_delivery"]
    # A field there naming the recipient the receiver recorded is still read (an appending milter).
    envelope, _ = _run(spoof.replace("X-Envelope-To: payroll@", "X-Envelope-To: victim@"),
                       (_hop_at(1, 1, trusted=True),), boundary=1)
    assert envelope.rcpt_to_sources == ("Delivered-To, X-Envelope-To",)
    assert envelope.claimed_rcpt_to == ("cfo@corp.test",)


def test_yahoo_apparently_to_is_the_recipient() -> None:
    # Yahoo Mail and AOL (real line): the address, then the delivery date.
    yahoo = ("X-Apparently-To: sydneyani@yahoo.com; Sat, 9 Jul 2022 10:35:03 +0000\n"
             "Received: from 192.0.2.7 (EHLO mail.example.tw) (192.0.2.7) by mta1.mail.yahoo.com with SMTP; "
             "Sat, 9 Jul 2022 10:35:03 +0000\n"
             "From: news@example.tw\nTo: undisclosed-recipients:;\n")
    envelope, _ = _run(yahoo, (_hop_at(1, 1, trusted=True),), boundary=1)
    assert (envelope.rcpt_to, envelope.rcpt_to_sources) == (("sydneyani@yahoo.com",), ("X-Apparently-To",))
    assert _kinds(envelope) == ["bcc"]


def test_original_recipient_fields_and_zmailer_orcpt_name_the_recipient() -> None:
    # linux-mips.org's delivery (real, 2003) wrote the recipient's ORCPT as "Original-Recipient:
    # rfc822;linux-mips@linux-mips.org" (RFC 3798 section 2.3) and X-Orcpt; vger.kernel.org's
    # zmailer writes it in its Received, "(ORCPT <rfc822;willy@w.ods.org>)". RCPT TO was "not recorded".
    fields = "X-Orcpt: rfc822;linux-mips@linux-mips.example\nOriginal-Recipient: rfc822;linux-mips@linux-mips.example\n"
    received = "Received: from mail.example.org ([192.0.2.7]) by linux-mips.example with ESMTP id 1; " \
               "Mon, 2 Nov 2026 10:00:05 +0000\n"
    mips = fields + received + "From: a@example.org\nTo: linux-mips@linux-mips.example\n"
    envelope, _ = _run(mips, (_hop_at(1, 2, trusted=True),), boundary=1)
    assert (envelope.rcpt_to, envelope.rcpt_to_sources) == (
        ("linux-mips@linux-mips.example",), ("Original-Recipient, X-Orcpt",))
    assert not _kinds(envelope)
    # The same fields below every Received (linux-mips.org's Ecartis appended them at the end of
    # the header) while the receiving side recorded no recipient: a claim, its address type read
    # off too, and no longer the RCPT TO (a sender writes there as well).
    appended = received + fields + "From: a@example.org\nTo: linux-mips@linux-mips.example\n"
    envelope, _ = _run(appended, (_hop_at(1, 0, trusted=True),), boundary=1)
    assert envelope.rcpt_to == () and envelope.claimed_rcpt_to == ("linux-mips@linux-mips.example",)
    assert _kinds(envelope) == ["claimed_rcpt"]
    zmailer = ("Received: (majordomo@vger.example) by vger.example via listexpand\n id S261357AbVBGGN1 "
               "(ORCPT <rfc822;willy@w.ods.example>); Mon, 7 Feb 2005 01:13:27 -0500\n"
               "From: a@example.org\nTo: linux-kernel@vger.example\n")
    stamp = zmailer.partition("Received: ")[2].partition("\nFrom:")[0]
    hops = (dataclasses.replace(_hop_at(1, 0, trusted=True), raw=stamp),)
    envelope, _ = _run(zmailer, hops, boundary=1)
    assert (envelope.rcpt_to, envelope.rcpt_to_sources) == (("willy@w.ods.example",), ("Received ORCPT (hop 1)",))


def test_fastmail_envelope_fields_name_the_recipient() -> None:
    # Fastmail's delivery record (real field names): the RCPT TO and the mailbox it resolved to.
    fastmail = ("X-Resolved-to: catchall@example.com\nX-Delivered-to: sales@example.com\n"
                "X-Mail-from: a@sender.example\n"
                "Received: from mx4 ([192.0.2.4]) by compute3.internal (LMTPProxy); Mon, 2 Nov 2026 10:00:05 +0000\n"
                "From: a@sender.example\nTo: sales@example.com\n")
    envelope, _ = _run(fastmail, (_hop_at(1, 3, trusted=True),), boundary=1)
    assert (envelope.rcpt_to, envelope.rcpt_to_sources) == (
        ("sales@example.com", "catchall@example.com"), ("X-Delivered-To", "X-Resolved-To"))


def test_the_receiving_hosts_mailer_daemon_is_the_null_sender() -> None:
    # sendmail's local delivery of a bounce (real lines): "MAILER-DAEMON@" the receiving host.
    bounce = ("Return-Path: <MAILER-DAEMON@somehost.example.com>\n"
              "Received: from mail1.coqui.net (mail1.coqui.net [64.156.13.103]) by somehost.example.com "
              "(8.13.1/8.13.1) with ESMTP id k7SKc3; Mon, 28 Aug 2006 16:38:03 -0400\n"
              "From: MAILER-DAEMON@mail1.coqui.net\nTo: sender@somehost.example.com\nSubject: failure notice\n")
    receiving = Hop(number=1, header_index=1, fields=ReceivedFields(by="somehost.example.com", from_ip="64.156.13.103"),
                    raw="", delay_seconds=None, role=Role.MTA, organization="example.com", trusted=True, boundary=True)
    envelope, _ = _run(bounce, (receiving,), boundary=1)
    assert envelope.mail_from == "" and "null sender" in (envelope.mail_from_source or "")
    assert _kinds(envelope) == ["bounce"]
    # SPF then checks the HELO identity (RFC 7208 section 2.4).
    from headerscope.api import analyze

    spf = _spf_of(analyze((bounce + "Date: Mon, 28 Aug 2006 16:38:01 -0400\n\nbody\n").encode(), offline=True))
    assert (spf.mail_from, spf.helo) == ("postmaster@mail1.coqui.net", "mail1.coqui.net")
    # Another host's MAILER-DAEMON is an address like any other.
    other = bounce.replace("MAILER-DAEMON@somehost.example.com", "MAILER-DAEMON@elsewhere.example.net")
    envelope, _ = _run(other, (receiving,), boundary=1)
    assert envelope.mail_from == "MAILER-DAEMON@elsewhere.example.net"


def test_corpus_replayed_message_keeps_only_the_final_recipient() -> None:
    # Delivered by Gmail to spprtmailgun@gmail.com, re-sent through Mailgun to Migadu days later.
    from headerscope.api import analyze

    raw = (CORPUS / "messages" / "eml_analyzer" / "invalid_datetime.eml").read_bytes()
    report = analyze(raw, offline=True)
    assert report.envelope.rcpt_to == ("xxx@xxxxx.xxx",)
    earlier = [f for f in report.findings if f.id == "envelope.earlier_delivery"]
    assert len(earlier) == 1 and "spprtmailgun@gmail.com" in earlier[0].title


# --- audit item 15: the receiver's Received-SPF as envelope and SPF-input source ----------------


def _spf_of(report: Report) -> SpfResult:
    assert report.spf is not None
    return report.spf


def _spf(index: int, trusted: bool = True, **properties: str) -> RecordedResult:
    return RecordedResult(header="Received-SPF", header_index=index, authserv_id=None, method="spf",
                          result="softfail", properties=tuple((k.replace("_", "-"), v) for k, v in properties.items()),
                          reason=None, trusted=trusted)


def test_boundary_received_spf_must_describe_the_boundary_hop() -> None:
    hops = (_hop_at(1, 6, trusted=False, from_ip="203.0.113.7"), _hop_at(2, 3, trusted=True, from_ip="192.0.2.1"))
    same_ip = _spf(0, client_ip="192.0.2.1", envelope_from="a@x.test")
    assert boundary_received_spf((same_ip,), hops, 2) is same_ip
    # Another hop's connection, an untrusted field, no boundary: never used.
    assert boundary_received_spf((_spf(0, client_ip="203.0.113.7"),), hops, 2) is None
    assert boundary_received_spf((_spf(0, trusted=False, client_ip="192.0.2.1"),), hops, 2) is None
    assert boundary_received_spf((same_ip,), hops, None) is None
    # Without an IP to compare, only one beside the boundary Received header counts.
    no_ip = (_hop_at(1, 6, trusted=False), _hop_at(2, 3, trusted=True))
    beside, far = _spf(4, helo="h.x.test"), _spf(8, helo="h.x.test")
    assert boundary_received_spf((far, beside), no_ip, 2) is beside
    assert boundary_received_spf((far,), no_ip, 2) is None


def test_mail_from_from_received_spf_when_nothing_else_records_it() -> None:
    hops = (_hop_at(1, 2, trusted=True, from_ip="192.0.2.1"),)
    spf = _spf(0, client_ip="192.0.2.1", envelope_from="bounce@x.test")
    envelope, _ = _run("Received-SPF: x\nX-A: 1\nReceived: from x\nFrom: a@x.test\n", hops, 1, spf)
    assert envelope.mail_from == "bounce@x.test" and envelope.mail_from_source == "Received-SPF envelope-from (header 1)"
    # Return-Path stays first.
    envelope, _ = _run("Return-Path: <rp@x.test>\nReceived: from x\nFrom: a@x.test\n", hops, 1, spf)
    assert envelope.mail_from == "rp@x.test"


def test_corpus_received_spf_gives_the_mail_from() -> None:
    from headerscope.api import analyze

    raw = (CORPUS / "messages" / "issues" / "mailwatch_1039_forged_chain.txt").read_bytes()
    report = analyze(raw, offline=True)
    assert report.envelope.mail_from == "patrhoyt29jteci@gmail.com"
    spf = _spf_of(report)
    assert spf.mail_from == "patrhoyt29jteci@gmail.com" and spf.client_ip == "115.59.74.242"
    assert spf.inputs_from is not None and "Received-SPF (header 1)" in spf.inputs_from


def test_spf_client_ip_filled_from_the_boundary_received_spf() -> None:
    from headerscope.api import analyze

    raw = (SAMPLES / "headers-only.txt").read_bytes()
    snapshot = str(SAMPLES / "headers-only.dns.json")
    no_ip = raw.replace(b"Received: from o1.email.shop.example (198.51.100.77) by",
                        b"Received: from o1.email.shop.example by")
    assert no_ip != raw
    report = analyze(no_ip, dns_snapshot=snapshot)
    spf = _spf_of(report)
    assert spf.client_ip == "198.51.100.77" and spf.result == "pass"
    assert spf.helo == "o1.email.shop.example"
    assert spf.inputs_from == f"hop {report.boundary_hop}; client IP from the receiver's Received-SPF " \
                              "(header 6) for that hop"
    # With the IP in the Received header nothing is filled in.
    assert _spf_of(analyze(raw, dns_snapshot=snapshot)).inputs_from == f"hop {report.boundary_hop}"


def test_received_spf_of_another_connection_is_not_mixed_in() -> None:
    from headerscope.api import analyze

    raw = (SAMPLES / "headers-only.txt").read_bytes()
    other = raw.replace(b"Received: from o1.email.shop.example (198.51.100.77) by",
                        b"Received: from o1.email.shop.example (192.0.2.200) by")
    report = analyze(other, dns_snapshot=str(SAMPLES / "headers-only.dns.json"))
    spf = _spf_of(report)
    assert spf.client_ip == "192.0.2.200" and spf.inputs_from == f"hop {report.boundary_hop}"


def test_unreadable_client_ip_in_received_spf_is_not_used() -> None:
    from headerscope.api import analyze

    raw = (SAMPLES / "headers-only.txt").read_bytes()
    no_ip = raw.replace(b"Received: from o1.email.shop.example (198.51.100.77) by",
                        b"Received: from o1.email.shop.example by").replace(b"client-ip=198.51.100.77",
                                                                           b"client-ip=unknown")
    spf = _spf_of(analyze(no_ip, offline=True))
    assert spf.client_ip is None and spf.helo == "o1.email.shop.example"


def test_spf_uses_the_mail_from_of_the_boundary_transaction_not_a_later_rewrite() -> None:
    # Google Workspace accepts the message for alice@workspace.example (the boundary), then
    # forwards it inside Google to Gmail with a rewritten MAIL FROM (+caf_). Gmail stamps a
    # Return-Path per delivery: the top one is the forward's, the one just above the boundary
    # Received is what the sender's server sent. SPF is about the boundary transaction.
    from headerscope.api import analyze

    raw = (
        b"Return-Path: <alice+caf_=alice=gmail.example@workspace.example>\r\n"
        b"Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com "
        b"with SMTPS id a1sor; Mon, 02 Nov 2026 10:00:05 -0800 (PST)\r\n"
        b"Received: by 2002:a05:6512:3b8c with SMTP id g12; Mon, 02 Nov 2026 10:00:04 -0800 (PST)\r\n"
        b"Return-Path: <bob@sender.example>\r\n"
        b"Received: from out.sender.example (out.sender.example. [192.0.2.25]) by mx.google.com with ESMTPS "
        b"id j19si; Mon, 02 Nov 2026 10:00:03 -0800 (PST)\r\n"
        b"From: Bob <bob@sender.example>\r\nTo: alice@workspace.example\r\nSubject: hi\r\n"
        b"Date: Mon, 02 Nov 2026 10:00:00 -0800\r\nMessage-ID: <1@sender.example>\r\n\r\nhi\r\n"
    )
    report = analyze(raw, offline=True)
    boundary = report.hops[report.boundary_hop - 1]
    assert boundary.fields.from_ip == "192.0.2.25"
    spf = _spf_of(report)
    assert (spf.client_ip, spf.helo, spf.mail_from) == ("192.0.2.25", "out.sender.example", "bob@sender.example")
    assert spf.inputs_from == (f"hop {report.boundary_hop}; MAIL FROM: Return-Path above hop "
                               f"{report.boundary_hop}'s Received (header 4)")
    # The envelope still shows the final delivery's MAIL FROM, as the top Return-Path records.
    assert report.envelope.mail_from == "alice+caf_=alice=gmail.example@workspace.example"
    # The boundary Received's own envelope-from clause comes first of all (Exim, Haraka).
    clause = raw.replace(b"id j19si;", b"id j19si (envelope-from <bounce@lists.sender.example>);")
    assert _spf_of(analyze(clause, offline=True)).mail_from == "bounce@lists.sender.example"


def test_qmail_phrases_in_delivered_to_give_the_address() -> None:
    # qmail/ezmlm write "Delivered-To: moderator for LIST" and "mailing list LIST": the
    # address is the last word, not the words glued together.
    from headerscope.api import analyze

    raw = (
        b"Delivered-To: bob@receiver.example\r\n"
        b"Received: from lists.example.org (lists.example.org [192.0.2.30]) by mx.receiver.example with ESMTP "
        b"id Q1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
        b"Delivered-To: moderator for secprog@lists.example.org\r\n"
        b"Delivered-To: mailing list secprog@lists.example.org\r\n"
        b"Received: (qmail 1234 invoked from network); 2 Nov 2026 10:00:01 -0000\r\n"
        b"From: alice@sender.example\r\nTo: secprog@lists.example.org\r\nSubject: hi\r\n"
        b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nhi\r\n"
    )
    report = analyze(raw, offline=True)
    text = " ".join(f.explanation + f.title for f in report.findings)
    assert "secprog@lists.example.org" in text
    assert "moderatorfor" not in text and "mailinglist" not in text
    assert report.envelope.rcpt_to[0] == "bob@receiver.example"


def test_a_batv_envelope_sender_is_the_authors_own_tagged_address() -> None:
    from headerscope.api import analyze

    raw = (b"Return-Path: <prvs=81176a5d5=david.vrabel@sender.example>\r\n"
           b"Received: from mx.sender.example (mx.sender.example [192.0.2.8]) by mx.receiver.example with ESMTP "
           b"id Q1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"From: David <david.vrabel@sender.example>\r\nTo: bob@receiver.example\r\nSubject: hi\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nhi\r\n")
    difference = next(d for d in analyze(raw, offline=True).envelope.differences if d.kind == "batv")
    assert "BATV-signed form of the sender's own address (david.vrabel@sender.example, " in difference.explanation
    assert "not the author's mailbox" not in difference.explanation


def test_a_resent_messages_recipients_are_addressed_not_blind_copied() -> None:
    # RFC 5322 section 3.6.6: "Resent-To:" names whom the message was reintroduced to.
    from headerscope.api import analyze

    raw = (b"Delivered-To: info@receiver.example\r\n"
           b"Received: from out.sender.example (out.sender.example [192.0.2.8]) by mx.receiver.example with ESMTP "
           b"id Q1 for <info@receiver.example>; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Resent-From: carol@sender.example\r\nResent-To: info@receiver.example\r\n"
           b"Resent-Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
           b"From: Alice <alice@sender.example>\r\nTo: carol@sender.example\r\nSubject: hi\r\n"
           b"Date: Mon, 2 Nov 2026 09:00:00 +0000\r\n\r\nhi\r\n")
    differences = analyze(raw, offline=True).envelope.differences
    assert not [d for d in differences if d.kind == "bcc"]
    # Resent-From alone: a redirect by carol, not a blind copy.
    redirected = analyze(raw.replace(b"Resent-To", b"X-Note"), offline=True).envelope.differences
    assert [(d.kind, d.header_value) for d in redirected if d.envelope_value == "info@receiver.example"] == [
        ("forwarded", "carol@sender.example")]
    without = analyze(raw.replace(b"Resent-To", b"X-Note").replace(b"Resent-From", b"X-Other"),
                      offline=True).envelope.differences
    assert [d.envelope_value for d in without if d.kind == "bcc"] == ["info@receiver.example"]


def test_the_latest_resent_block_is_shown_as_the_last_legs_addressees() -> None:
    # RFC 5322 section 3.6.6: a re-sending prepends its Resent-* block, so the topmost is the
    # latest. A digest moderator's resend of a Usenet post with no To: at all (1991 layout).
    from headerscope.api import analyze
    from headerscope.render import get_renderer

    raw = (b"Received: from hub.eecs.nwu.example by gaak.lcs.mit.example via TCP with SMTP\r\n"
           b" id AA27456; Tue, 5 Feb 91 00:44:57 EST\r\n"
           b"Resent-Date: Mon, 4 Feb 91 23:46:03 CST\r\nResent-From: telecom@eecs.nwu.example\r\n"
           b"Resent-To: ptownson@gaak.lcs.mit.example\r\nResent-Cc: digest@eecs.nwu.example\r\n"
           b"Newsgroups: comp.dcom.telecom\r\nFrom: Andy R <andyr@inmos.example>\r\nSubject: phones\r\n"
           b"Date: Mon, 4 Feb 91 22:06:45 GMT\r\n"
           b"Resent-Date: Sun, 3 Feb 91 10:00:00 CST\r\nResent-To: earlier@old.example\r\n\r\nhi\r\n")
    report = analyze(raw, offline=True)
    envelope = report.envelope
    assert [a.address for a in envelope.resent_to] == ["ptownson@gaak.lcs.mit.example"]
    assert [a.address for a in envelope.resent_from] == ["telecom@eecs.nwu.example"]
    assert [a.address for a in envelope.resent_cc] == ["digest@eecs.nwu.example"]
    assert envelope.resent_date == "Mon, 4 Feb 91 23:46:03 CST"
    text = get_renderer("terminal").render(report)
    assert "Resent-To: ptownson@gaak.lcs.mit.example" in text and "Resent-Date: Mon, 4 Feb 91 23:46:03 CST" in text
    assert "ptownson@gaak.lcs.mit.example" in get_renderer("markdown").render(report)
    assert "Resent-To</dt>" in get_renderer("html").render(report)


def test_spf_sees_through_an_srs_address_the_receiving_side_wrote() -> None:
    # mail.kernel.example accepted the message from lists.kvack.example with MAIL FROM
    # owner-mm@kvack.example, then forwarded it inside itself with an SRS0 sender: the final
    # Return-Path is its own rewrite. SPF is about what the boundary's client sent.
    from headerscope.api import analyze

    raw = (b"Return-Path: <SRS0=9Pd6=UE=kvack.example=owner-mm@kernel.example>\r\n"
           b"Received: from localhost (localhost [127.0.0.1]) by archive.kernel.example (Postfix) with ESMTP "
           b"id B2; Mon, 2 Nov 2026 10:00:06 +0000\r\n"
           b"Received: from lists.kvack.example (lists.kvack.example [192.0.2.17]) by mail.kernel.example "
           b"(Postfix) with ESMTP id A1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"From: Ann <ann@example.org>\r\nTo: mm@kvack.example\r\nSubject: hi\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nhi\r\n")
    report = analyze(raw, offline=True)
    spf = _spf_of(report)
    assert (spf.client_ip, spf.mail_from) == ("192.0.2.17", "owner-mm@kvack.example")
    assert spf.inputs_from is not None and "SRS Return-Path the receiving side (kernel.example)" in spf.inputs_from
    # An SRS address another forwarder minted before the boundary is the boundary's MAIL FROM itself.
    other = raw.replace(b"=owner-mm@kernel.example>", b"=owner-mm@forwarder.example>")
    assert _spf_of(analyze(other, offline=True)).mail_from == "SRS0=9Pd6=UE=kvack.example=owner-mm@forwarder.example"


def test_a_lists_own_delivered_to_is_never_this_deliverys_recipient() -> None:
    # groups.io writes "Delivered-To: mailing list LIST" with no Received below it (its hops are
    # X-Received): the list's delivery to itself, not an alias at the receiver (real lines).
    from headerscope.api import analyze

    raw = (b"Delivered-To: lists@lfdr.de\r\n"
           b"Received: from mail02.groups.io (mail02.groups.io [66.175.222.108]) by mail.lfdr.de (Postfix) with "
           b"ESMTPS id 1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Delivered-To: mailing list cip-testing-results@lists.cip-project.org\r\n"
           b"List-Id: <cip-testing-results.lists.cip-project.org>\r\n"
           b"Mailing-List: list cip-testing-results@lists.cip-project.org; contact "
           b"cip-testing-results+owner@lists.cip-project.org\r\n"
           b"Reply-To: cip-testing-results@lists.cip-project.org\r\n"
           b"From: bot@ciplatform.org\r\nTo: cip-testing-results@lists.cip-project.org\r\nSubject: hi\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nhi\r\n")
    report = analyze(raw, offline=True)
    assert report.envelope.rcpt_to == ("lists@lfdr.de",)
    # Replies to the list's own address are the list's setting, not a reason to check anything.
    assert not [f for f in report.findings if f.id == "envelope.reply_to_other_domain"]


def test_a_list_that_rewrote_from_for_dmarc_is_told_not_flagged() -> None:
    # Mailman 3's DMARC mitigation (real lines): the list's address in From:, "Author via List",
    # the author in Reply-To.
    envelope, findings = _run(
        "From: zhou via USRP-users <usrp-users@lists.ettus.com>\n"
        "Reply-To: zhou <hwzhou@yahoo.com>\n"
        "X-MailFrom: hwzhou@yahoo.com\n"
        "List-Id: \"Discussion and technical support related to USRP, UHD, RFNoC\" <usrp-users.lists.ettus.com>\n"
        "List-Post: <mailto:usrp-users@lists.ettus.com>\n"
        "To: usrp-users@lists.ettus.com\nSubject: s\n")
    [rewrite] = [d for d in envelope.differences if d.kind == "list_rewrote_from"]
    assert "The author's address is hwzhou@yahoo.com" in rewrite.explanation
    assert "reply_to_domain" not in _kinds(envelope)
    assert not [f for f in findings if f.id == "envelope.reply_to_other_domain"]
    # Without the list's fields the same Reply-To is still worth a look (a free webmail mailbox).
    envelope, findings = _run("From: zhou via USRP-users <usrp-users@lists.ettus.com>\n"
                              "Reply-To: zhou <hwzhou@yahoo.com>\nTo: a@example.org\nSubject: s\n")
    assert [f.id for f in findings if f.id == "envelope.reply_to_free_mailbox"]


def test_an_earlier_delivery_the_message_says_was_forwarded_is_no_replay_notice() -> None:
    # A Gmail auto-forward (real lines): Gmail's delivery to the forwarding mailbox below the
    # final receiver's Received, with X-Forwarded-For and the +caf_ envelope.
    from headerscope.api import analyze

    raw = (b"Return-Path: <rafael.lecaros+caf_=visa-bci=rafalecaros.com@gmail.com>\r\n"
           b"Received: from mail-lf1-f48.google.com (mail-lf1-f48.google.com [209.85.167.48]) by "
           b"inbound-smtp.us-east-1.amazonaws.com with SMTP id x; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"X-Forwarded-To: visa-bci@rafalecaros.com\r\n"
           b"X-Forwarded-For: rafael.lecaros@gmail.com visa-bci@rafalecaros.com\r\n"
           b"Delivered-To: rafael.lecaros@gmail.com\r\n"
           b"Received: by 2002:a05:6520:1:b0:1 with SMTP id x; Mon, 2 Nov 2026 10:00:03 -0800\r\n"
           b"From: alertas@bci.cl\r\nTo: rafael.lecaros@gmail.com\r\nSubject: hi\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nhi\r\n")
    report = analyze(raw, offline=True)
    [earlier] = [f for f in report.findings if f.id == "envelope.earlier_delivery"]
    assert earlier.severity.value == "info"
    assert "DKIM replay" not in earlier.explanation and "X-Forwarded-For" in earlier.explanation


def test_from_text_that_is_no_address_beside_the_real_one_is_a_decoy() -> None:
    # A real phish delivered to Outlook.com: the comma makes the name a "mailbox" of its own.
    envelope, findings = _run("From: Microsoft account team ,_<no-reply@access-accsecurity.com>\n"
                              "To: elliot@starcom.example\nSubject: Microsoft account unusual signin activity\n")
    author = envelope.author()
    assert author is not None and author.address == "no-reply@access-accsecurity.com"
    [decoy] = [f for f in findings if f.id == "envelope.from_not_an_address"]
    assert decoy.severity.value == "warning" and "\"Microsoft account team\"" in decoy.title
    # A From: with only the name and no address is not this finding (nothing real to hide).
    _, findings = _run("From: Microsoft account team\nTo: a@example.org\nSubject: s\n")
    assert not [f for f in findings if f.id == "envelope.from_not_an_address"]


def test_an_encoded_word_decoy_in_from_is_named_as_a_reader_sees_it() -> None:
    # "Composition Kills" (USENIX Security 2020), verification V30d m/ck_enc_first.eml: the entry is
    # a phrase, whose encoded-word mail programs decode (RFC 2047 section 5), so they show
    # admin@legit.com; the warning named the raw "=?utf-8?b?...?=", and the notice for an
    # encoded-word inside an address said no mail system decodes it.
    envelope, findings = _run("From: =?utf-8?b?YWRtaW5AbGVnaXQuY29t?=, <any@attack.example>\nTo: a@example.org\n")
    assert envelope.author() is not None and envelope.author().address == "any@attack.example"  # type: ignore[union-attr]
    [decoy] = [f for f in findings if f.id == "envelope.from_not_an_address"]
    assert decoy.title == "From: shows another address (admin@legit.com) beside the real one"
    assert ("decode its encoded-word as the words of a name (RFC 2047 section 5): it shows admin@legit.com, while the "
            "message is really from any@attack.example") in decoy.explanation
    assert '"=?utf-8?b?YWRtaW5AbGVnaXQuY29t?="' in decoy.explanation
    assert not [f for f in findings if f.id == "envelope.encoded_word_in_address"]
    # Decoded text that is no address is named decoded; a quoted address as a plain decoy is an address too.
    _, findings = _run("From: =?utf-8?q?PayPal_Service?=, <any@attack.example>\nTo: a@example.org\n")
    [decoy] = [f for f in findings if f.id == "envelope.from_not_an_address"]
    assert decoy.title == 'From: holds text that is no address ("PayPal Service") beside the real one'
    assert ': it shows "PayPal Service", while the message is really from any@attack.example' in decoy.explanation
    _, findings = _run('From: "admin@legit.com", <any@attack.example>\nTo: a@example.org\n')
    [decoy] = [f for f in findings if f.id == "envelope.from_not_an_address"]
    assert decoy.title == "From: shows another address (admin@legit.com) beside the real one"
    # An encoded-word inside a real addr-spec is still the notice (test_idn covers its words), and so
    # is one standing alone in Reply-To: or in a From: with no real address, which no warning names.
    for fields in ("From: <=?utf-8?q?admin?=@legit.example>\n", "From: a@sender.example\nReply-To: =?utf-8?Q?x=40evil.example?=\n",
                   "From: =?utf-8?Q?x=40evil.example?=\n"):
        _, findings = _run(fields + "To: a@example.org\n")
        assert [f.id for f in findings if f.id == "envelope.encoded_word_in_address"] == [
            "envelope.encoded_word_in_address"], fields


def test_an_empty_group_with_a_comment_names_no_recipient() -> None:
    # sendmail's "To: unlisted-recipients:; (no To-header on input)" (RFC 5322 section 3.4: an
    # empty group, then a comment).
    envelope, _ = _run("From: a@example.org\nTo: unlisted-recipients:; (no To-header on input)\nSubject: s\n")
    assert envelope.to == ()


def test_a_from_domain_mixing_scripts_is_a_look_alike() -> None:
    # A Cyrillic "а" in "paypal" (RFC 6532 header), and the same domain written as its A-label.
    for header in ("From: PayPal <service@p\u0430ypal.com>\n", "From: PayPal <service@xn--pypal-4ve.com>\n"):
        _, findings = _run(header + "To: a@example.org\nSubject: s\n")
        [look_alike] = [f for f in findings if f.id == "envelope.confusable_domain"]
        # Its one Cyrillic letter has a Latin twin: it reads as the brand's name.
        assert look_alike.title == "From: domain p\u0430ypal.com looks like the ASCII name paypal.com"
        assert "xn--pypal-4ve.com" in look_alike.explanation
    # A mixed label with a letter that has no Latin twin (Cyrillic "д") is named by its mix.
    _, findings = _run("From: service@p\u0430yp\u0434l.com\nTo: a@example.org\nSubject: s\n")
    [look_alike] = [f for f in findings if f.id == "envelope.confusable_domain"]
    assert look_alike.title == "From: domain p\u0430yp\u0434l.com mixes Cyrillic and Latin letters"
    # One script per label (a Russian .рф domain), Latin with accents, and Japanese scripts
    # together are names as written, not look-alikes (Unicode TR #39 "highly restrictive").
    for domain in ("xn--90aefc2a3a.xn--p1ai", "m\u00fcnchen.de", "\u65e5\u672c\u8a9e\u30c9\u30e1\u30a4\u30f3.jp"):
        _, findings = _run(f"From: a@{domain}\nTo: b@example.org\nSubject: s\n")
        assert not [f for f in findings if f.id == "envelope.confusable_domain"], domain


def test_a_list_archives_hidden_address_is_read_with_a_note() -> None:
    # Mailman's pipermail archive (a real message of its .txt archive): every address is
    # "local at domain", the name in a comment. Read as written it had no domain: "No readable
    # From:" and DMARC permerror on every archived message.
    from headerscope.api import analyze

    raw = (b"From andy at example.com  Sat Nov 14 21:29:28 2015\n"
           b"From: andy at example.com (Andy Grunwald)\nDate: Sat, 14 Nov 2015 21:29:28 +0100\n"
           b"Subject: [Metrics-grimoire] Docker and MetricsGrimoire\nMessage-ID: <CA+x@mail.gmail.com>\n\nHi\n")
    report = analyze(raw, offline=True)
    [author] = report.envelope.header_from
    assert (author.address, author.domain, author.display_name) == ("andy@example.com", "example.com", "Andy Grunwald")
    ids = {f.id for f in report.findings}
    assert "envelope.archive_address" in ids and "envelope.no_from" not in ids
    # Words with " at " that name no domain stay what they are.
    other = analyze(raw.replace(b"andy at example.com (Andy", b"John at Home (Andy"), offline=True)
    assert other.envelope.header_from[0].domain is None and "envelope.no_from" in {f.id for f in other.findings}


_LIST_ARCHIVE_COPY = (
    # A list archive's copy (Red Hat's video4linux list, 2009, addresses changed): the hops end
    # at the list's intake (for <the list's posting address>); Return-Path is the list's bounce
    # address, written when the list sent the message on in hops this copy does not hold.
    b"Return-path: <v4l-list-bounces@lists.example.org>\r\n"
    b"Received: from mx1.example.org (mx1.example.org [172.16.48.31]) by int-mx1.corp.example.org "
    b"(8.13.1/8.13.1) with SMTP id n5J2SRsO015310 for <v4l-list@lists.example.org>; "
    b"Thu, 18 Jun 2009 22:28:27 -0400\r\n"
    b"Received: from wf-out-1314.google.com (wf-out-1314.google.com [209.85.200.173]) by mx1.example.org "
    b"(8.13.8/8.13.8) with SMTP id n5J2SDQL009274 for <v4l-list@lists.example.org>; "
    b"Thu, 18 Jun 2009 22:28:14 -0400\r\n"
    b"Received: by wf-out-1314.google.com with SMTP id 28so616124wfa.6 for <v4l-list@lists.example.org>; "
    b"Thu, 18 Jun 2009 19:28:13 -0700 (PDT)\r\n"
    b"From: Author <author@gmail.com>\r\nTo: v4l-list@lists.example.org\r\nSubject: servfox error\r\n"
    b"Date: Fri, 19 Jun 2009 10:28:12 +0800\r\nMessage-ID: <1@mail.gmail.com>\r\n"
    b"List-Post: <mailto:v4l-list@lists.example.org>\r\nList-Id: <v4l-list.lists.example.org>\r\n"
    b"Sender: v4l-list-bounces@lists.example.org\r\n\r\nbody\r\n"
)
# The list's SPF allows its own servers only: the author's Google server fails it.
_LIST_DNS = {
    "lists.example.org": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
    "wf-out-1314.google.com": {"TXT": "NXDOMAIN", "A": "NXDOMAIN", "AAAA": "NXDOMAIN", "MX": "NXDOMAIN"},
    "_dmarc.gmail.com": {"TXT": ["v=DMARC1; p=none"]},
    "173.200.85.209.in-addr.arpa": {"PTR": ["wf-out-1314.google.com."]},
}


def test_a_list_copy_whose_hops_end_at_the_lists_intake_has_no_mail_from_for_spf() -> None:
    """RFC 2369 section 3.4: the latest hop delivered to List-Post's address, so Return-Path
    (the list's bounce address) is the MAIL FROM of the list's unrecorded resend. SPF pairing it
    with the author's server would fail; the boundary's own MAIL FROM is not recorded."""
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    report = analyze(_LIST_ARCHIVE_COPY, resolver=SnapshotResolver(_LIST_DNS))
    spf = _spf_of(report)
    assert spf.client_ip == "209.85.200.173"
    assert spf.mail_from is None and spf.result == "not_checked"
    assert "MAIL FROM was not recorded" in (spf.explanation or "")
    [intake] = [f for f in report.findings if f.id == "envelope.list_intake"]
    assert intake.severity.value == "info" and "v4l-list@lists.example.org" in intake.title
    assert "v4l-list-bounces@lists.example.org" in intake.explanation
    # The envelope still shows the final MAIL FROM the Return-Path records, said to be the list's
    # later one, and not read as this copy's SPF identity ("SPF then vouches for ...").
    assert report.envelope.mail_from == "v4l-list-bounces@lists.example.org"
    assert report.envelope.mail_from_source == ("Return-Path: the list's MAIL FROM for its later resend, "
                                                "not this copy's")
    assert not [d for d in report.envelope.differences if d.kind == "mail_from_domain"]
    # An unknown envelope sender could have aligned: nothing says DMARC cannot pass.
    offline = analyze(_LIST_ARCHIVE_COPY, offline=True)
    assert not [f for f in offline.findings if f.id == "dmarc.nothing_aligned"]

    # A member's copy: the latest hop delivered to the member, so the Return-Path is that
    # delivery's MAIL FROM and SPF checks it (and fails, as the list's record says).
    member = _LIST_ARCHIVE_COPY.replace(b"id n5J2SRsO015310 for <v4l-list@lists.example.org>",
                                        b"id n5J2SRsO015310 for <member@example.net>")
    member_report = analyze(member, resolver=SnapshotResolver(_LIST_DNS))
    assert _spf_of(member_report).mail_from == "v4l-list-bounces@lists.example.org"
    assert _spf_of(member_report).result == "fail"
    assert not [f for f in member_report.findings if f.id == "envelope.list_intake"]
    assert member_report.envelope.mail_from_source == "Return-Path"
    # A Return-Path that is not the list's (an alias kept the author's MAIL FROM): it is used.
    kept = _LIST_ARCHIVE_COPY.replace(b"Return-path: <v4l-list-bounces@lists.example.org>",
                                      b"Return-path: <author@gmail.com>")
    assert _spf_of(analyze(kept, offline=True)).mail_from == "author@gmail.com"


def test_a_local_users_mailbox_and_a_host_qualified_address_are_no_blind_copies() -> None:
    # fetchmail downloaded the message over POP3 and delivered it to the local user
    # (for <jesse@localhost>); the provider's MX took it for the same mailbox as To:, written
    # without the host (jr@example.edu for To: jr@mail.example.edu). Neither is a Bcc.
    from headerscope.api import analyze

    raw = (b"Return-Path: <rwest@sender.example>\r\n"
           b"Received: from horked.example.net (jesse@localhost [127.0.0.1]) by horked.example.net "
           b"(8.8.7/8.8.7) with ESMTP id MAA12918 for <jesse@localhost>; Fri, 3 Apr 1998 12:53:03 -0500\r\n"
           b"Received: from mail.example.edu by horked.example.net (fetchmail-4.3.2 POP3 run by jr) "
           b"for <jesse@localhost> (single-drop); Fri Apr  3 12:53:03 1998\r\n"
           b"Received: from postoffice.sender.example (postoffice.sender.example [130.33.10.147]) by "
           b"mail.example.edu (8.8.6/8.7.3) with ESMTP id MAA18546 for <jr@example.edu>; "
           b"Fri, 3 Apr 1998 12:50:00 -0500 (EST)\r\n"
           b"Date: Fri, 3 Apr 1998 12:48:40 -0400\r\nTo: Jesse <jr@mail.example.edu>\r\n"
           b"From: \"Richard West\" <rwest@sender.example>\r\nSubject: forms.cgi script\r\n\r\nhi\r\n")
    envelope = analyze(raw, offline=True).envelope
    assert [d.kind for d in envelope.differences if d.kind in ("bcc", "local")] == ["local"]
    [local] = [d for d in envelope.differences if d.kind == "local"]
    assert local.envelope_value == "jesse@localhost" and "not a blind copy" in local.explanation
    # Another mailbox in the organisation is still a blind copy; so is one on another host.
    other = raw.replace(b"for <jr@example.edu>", b"for <boss@example.edu>")
    assert [d.envelope_value for d in analyze(other, offline=True).envelope.differences
            if d.kind == "bcc"] == ["boss@example.edu"]
    sibling = raw.replace(b"for <jr@example.edu>", b"for <jr@example.com>")
    assert [d.envelope_value for d in analyze(sibling, offline=True).envelope.differences
            if d.kind == "bcc"] == ["jr@example.com"]


def test_a_name_without_an_address_above_a_reply_address_is_a_warning() -> None:
    # 'From: "Facebook" <>' with Reply-To: a free-mail account (a real phish that Outlook.com
    # junked): the Reply-To check needed a From: domain, so only "no readable From:" was said.
    from headerscope.api import analyze

    raw = (b"Received: from mail.example.net (mail.example.net [192.0.2.9]) by mx.example.org with ESMTP id 1; "
           b"Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"From: \"Facebook\" <>\r\nReply-To: secure.alerts.1@gmail.com\r\nTo: a@example.org\r\n"
           b"Subject: account\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nhi\r\n")
    report = analyze(raw, offline=True)
    [reply] = [f for f in report.findings if f.id == "envelope.reply_to_other_domain"]
    assert reply.severity.value == "warning"
    assert reply.title == "From: names no address (only the name “Facebook”), and replies go to secure.alerts.1@gmail.com"
    # A From: with an address in the same organisation as Reply-To: nothing to say.
    fine = raw.replace(b"\"Facebook\" <>", b"\"Alerts\" <alerts@gmail.com>")
    assert not [f for f in analyze(fine, offline=True).findings if f.id == "envelope.reply_to_other_domain"]


def test_spf_takes_the_public_client_the_receiver_checked_when_the_boundary_client_is_private() -> None:
    # Fastmail to Fastmail: the chain shows only private hand-overs (webmail 10.202.2.213), but
    # the receiver's own Authentication-Results name the public client it checked (learned from
    # its proxy): SPF is about that client, not about the private address.
    from headerscope.api import analyze

    raw = (b"Authentication-Results: mx5.messagingengine.com; iprev=pass smtp.remote-ip=66.111.4.25 "
           b"(out1-smtp.messagingengine.com); spf=pass smtp.mailfrom=bounce@messagingengine.com "
           b"smtp.helo=out1-smtp.messagingengine.com\r\n"
           b"Received: from mailmx.nyi.internal (localhost [127.0.0.1]) by mx5.messagingengine.com "
           b"(Authentication Milter) with ESMTP id B6; Mon, 23 Oct 2023 17:05:28 -0400\r\n"
           b"Received: from web3 ([10.202.2.213]) by compute6.internal (MEProxy); Mon, 23 Oct 2023 17:05:28 -0400\r\n"
           b"Return-Path: <bounce@messagingengine.com>\r\n"
           b"From: support@fastmail.com\r\nTo: user@fastmail.com\r\nSubject: s\r\n"
           b"Date: Mon, 23 Oct 2023 17:05:27 -0400\r\n\r\nhi\r\n")
    spf = _spf_of(analyze(raw, offline=True))
    assert (spf.client_ip, spf.helo) == ("66.111.4.25", "out1-smtp.messagingengine.com")
    assert spf.inputs_from is not None and spf.inputs_from.startswith(
        "the receiver's Authentication-Results (header 1): the boundary hop's client")
    # Without a public client named by the receiver, the boundary's own stays.
    plain = raw.replace(b"iprev=pass smtp.remote-ip=66.111.4.25 (out1-smtp.messagingengine.com); ", b"")
    assert _spf_of(analyze(plain, offline=True)).client_ip != "66.111.4.25"
    # A value that is no address ("unknown", garbage) is not taken for one.
    garbled = raw.replace(b"smtp.remote-ip=66.111.4.25", b"smtp.remote-ip=unknown")
    assert _spf_of(analyze(garbled, offline=True)).client_ip == "10.202.2.213"


def test_spf_takes_the_client_the_receiver_recorded_when_the_arrival_hop_is_missing() -> None:
    # An Outlook.com header pasted from the top down to Exchange Online Protection's internal hops
    # (Haraka issue 1935's layout, Microsoft's real field formats): every Received is a hand-over
    # between Microsoft's servers over 10.x addresses; the hop where the message arrived is cut
    # off, but the receiver's own results above it record the client it checked and its HELO.
    from headerscope.api import analyze

    raw = (b"Received: from SG2APC01HT151.eop-APC01.prod.protection.outlook.com (10.164.137.9) by "
           b"PN1PR01MB0317.INDPRD01.PROD.OUTLOOK.COM with HTTPS via PN1PR01CA0002.INDPRD01.PROD.OUTLOOK.COM; "
           b"Tue, 23 May 2017 11:38:10 +0000\r\n"
           b"Received: from SG2APC01FT042.eop-APC01.prod.protection.outlook.com (10.152.250.52) by "
           b"SG2APC01HT151.eop-APC01.prod.protection.outlook.com (10.152.251.128) with Microsoft SMTP Server "
           b"(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.1.1075.5; "
           b"Tue, 23 May 2017 11:38:09 +0000\r\n"
           b"Authentication-Results: spf=pass (sender IP is 198.51.100.238) smtp.mailfrom=sender.example; "
           b"outlook.com; dkim=none (message not signed) header.d=none;outlook.com; dmarc=bestguesspass "
           b"action=none header.from=sender.example;\r\n"
           b"Received-SPF: Pass (protection.outlook.com: domain of sender.example designates 198.51.100.238 as "
           b"permitted sender) receiver=protection.outlook.com; client-ip=198.51.100.238; "
           b"helo=ip-172-31-21-31.us-west-2.compute.internal;\r\n"
           b"Received: from SNT004-MC7F5.hotmail.com (10.152.250.59) by SG2APC01FT042.mail.protection.outlook.com "
           b"(10.152.251.18) with Microsoft SMTP Server (version=TLS1_2, "
           b"cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.1.1075.5 via Frontend Transport; "
           b"Tue, 23 May 2017 11:38:07 +0000\r\n")
    report = analyze(raw, offline=True)
    assert "hops.arrival_missing" in [f.id for f in report.findings]
    spf = _spf_of(report)
    assert (spf.client_ip, spf.helo) == ("198.51.100.238", "ip-172-31-21-31.us-west-2.compute.internal")
    assert spf.inputs_from is not None and spf.inputs_from.startswith(
        "the receiver's Authentication-Results (header 3) and Received-SPF (header 4): this copy lacks the hop "
        "where the message arrived, and hop 1's client (10.152.250.59) is an internal hand-over")
    # Exchange Online's comment alone ("sender IP is") names it too; the HELO is then not known.
    comment_only = re.sub(rb"Received-SPF:.*?;\r\n", b"", raw, flags=re.S)
    spf = _spf_of(analyze(comment_only, offline=True))
    assert (spf.client_ip, spf.helo) == ("198.51.100.238", None)
    # With no record of the client, the internal relay is not evaluated: SPF says why it is not checked.
    unrecorded = comment_only.replace(b"(sender IP is 198.51.100.238) ", b"")
    spf = _spf_of(analyze(unrecorded, offline=True))
    assert (spf.result, spf.client_ip, spf.helo) == ("not_checked", None, None)
    assert spf.explanation.startswith("not checked: the arrival hop is missing.")
    assert "hop 1's client (10.152.250.59)" in spf.explanation
    # The command line still decides.
    given = _spf_of(analyze(unrecorded, offline=True, client_ip="192.0.2.9", helo="mx.sender.example"))
    assert (given.client_ip, given.helo, given.inputs_from) == ("192.0.2.9", "mx.sender.example", "command line")


def test_a_host_qualified_address_is_the_same_mailbox_only_within_one_organisation() -> None:
    from headerscope.envelope import _host_qualified

    written = {"jr": ["mail.example.edu"]}
    assert _host_qualified("jr@example.edu", written)
    assert not _host_qualified("jr@edu", written)  # a public suffix is no organisation
    assert not _host_qualified("jr@other.edu", written)
    assert not _host_qualified("boss@example.edu", written)


def test_an_envelope_sender_only_a_claim_records_is_shown_beside_not_recorded_and_never_used() -> None:
    # A list archive's copy (real layout, kernel.org, 2024): the receiver wrote no Return-Path,
    # and only the sender's Exim hop below the boundary records "(envelope-from <...>)".
    from headerscope.api import analyze

    raw = (b"Received: from mailfilter.hosting.example (mailfilter.hosting.example [141.138.168.70]) by "
           b"smtp.subspace.kernel.example with ESMTPS id 1; Fri, 20 Sep 2024 08:53:29 +0000\r\n"
           b"Received: from [178.250.146.69] by s198.hosting.example with esmtpa (Exim 4.96.2)\r\n"
           b" (envelope-from <fntoth@gmail.example>) id 1srZa2; Fri, 20 Sep 2024 10:52:12 +0200\r\n"
           b"From: Ferry <fntoth@gmail.example>\r\nDate: Fri, 20 Sep 2024 10:52:10 +0200\r\n\r\nbody\r\n")
    report = analyze(raw, offline=True)
    assert report.envelope.mail_from is None
    assert (report.envelope.claimed_mail_from, report.envelope.claimed_mail_from_source) == (
        "fntoth@gmail.example", "Received envelope-from (hop 1, a claim)")
    spf = _spf_of(report)
    assert spf.mail_from is None  # a claim is shown, never SPF's input
    from headerscope.render import get_renderer

    assert "Received envelope-from (hop 1, a claim) says fntoth@gmail.example" in " ".join(
        get_renderer("terminal", color=False, width=200).render(report).split())
    assert "says fntoth@gmail.example" in get_renderer("markdown").render(report)
    # Recorded by the receiver (Return-Path): no claim is shown.
    recorded = analyze(b"Return-Path: <fntoth@gmail.example>\r\n" + raw, offline=True)
    assert recorded.envelope.claimed_mail_from is None


def test_yahoos_older_apparently_to_with_via_reads_the_address_alone() -> None:
    # "X-Apparently-To: user@yahoo.com via 68.180.197.179; date" (Yahoo, 2012): the words after
    # the address were glued into it, and the made-up recipient was called a Bcc.
    envelope, _ = _run("X-Apparently-To: user@yahoo.test via 68.180.197.179; Tue, 10 Jul 2012 18:50:18 -0700\n"
                       "From: a@sender.test\nTo: user@yahoo.test\n")
    assert envelope.rcpt_to == ("user@yahoo.test",)
    assert "bcc" not in _kinds(envelope)


def test_x_envelope_from_above_the_receivers_received_is_its_record_of_the_mail_from() -> None:
    # AOL's bounce to a Postfix site that writes X-Envelope-From above its Received (real
    # layout, 2013): "<>" is the null sender of a bounce, and SPF checks the HELO.
    from headerscope.api import analyze

    received = (b"Received: from omr-d22.mx.aol.example (omr-d22.mx.aol.example [205.188.249.66]) by "
                b"core1.definbox.example (Postfix) with ESMTP id 1; Tue, 19 Feb 2013 11:36:11 +0100\r\n")
    tail = b"From: MAILER-DAEMON@aol.example\r\nDate: Tue, 19 Feb 2013 05:36:10 -0500\r\n\r\nbody\r\n"
    report = analyze(b"X-Envelope-From: <>\r\n" + received + tail, offline=True)
    assert (report.envelope.mail_from, report.envelope.mail_from_source) == ("", "X-Envelope-From")
    assert "bounce" in _kinds(report.envelope)
    # Below the receiver's Received, anyone could have written it: not the record.
    report = analyze(received + b"X-Envelope-From: <>\r\n" + tail, offline=True)
    assert report.envelope.mail_from is None


def test_a_submission_by_an_account_of_another_organisation_is_a_notice() -> None:
    # The spam a compromised account sends: Postfix records "(Authenticated sender: ...)", cPanel's
    # Exim its X-Get-Message-Sender-Via (real layouts, 2016 and 2023). One organisation's own
    # account sending as itself is no finding.
    from headerscope.api import analyze

    postfix = (b"Received: from mx.hosted.example (mx.hosted.example [64.98.42.207]) by mx.example.net with ESMTP id 2;"
               b" Mon, 22 Aug 2016 14:23:01 +0000\r\n"
               b"Received: from computer_3436 (unknown [43.230.105.145])\r\n\t(Authenticated sender: "
               b"jdazey@alexandersmith.example)\r\n\tby mx.hosted.example (Postfix) with ESMTPA id 1;"
               b" Mon, 22 Aug 2016 14:22:58 +0000\r\n"
               b"From: Bank <suvorov.s@nalg.example>\r\nDate: Mon, 22 Aug 2016 14:22:50 +0000\r\n\r\nbody\r\n")
    [notice] = [f for f in analyze(postfix, offline=True).findings if f.id == "envelope.submitted_by_other_account"]
    assert notice.severity.value == "notice"
    assert notice.title == "Submitted by the account jdazey@alexandersmith.example, while From: shows nalg.example"
    assert "hop 1's Received" in notice.explanation
    cpanel = (b"Received: from her.jewelry.example (her.jewelry.example [192.232.233.127]) by mx.example.net with ESMTP"
              b" id 2; Sat, 22 Jul 2023 23:04:19 -0500\r\n"
              b"From: Mary <noreply@att.example>\r\nDate: Sat, 22 Jul 2023 23:04:11 -0500\r\n"
              b"X-Get-Message-Sender-Via: her.jewelry.example: authenticated_id: info@jewelry.example\r\n\r\nbody\r\n")
    [notice] = [f for f in analyze(cpanel, offline=True).findings if f.id == "envelope.submitted_by_other_account"]
    assert "(X-Get-Message-Sender-Via)" in notice.explanation and "info@jewelry.example" in notice.title
    own = cpanel.replace(b"noreply@att.example", b"shop@jewelry.example")
    assert not [f for f in analyze(own, offline=True).findings if f.id == "envelope.submitted_by_other_account"]


def test_x_authenticated_user_is_the_submission_login() -> None:
    # sendmail at a hosting provider (carrierzone, real layout, 2018) writes the login above its
    # "(authenticated bits=0)" stamp; From: is another organisation's address: it was silent.
    from headerscope.api import analyze

    raw = (b"Received: from mail83c25.carrierzone.example (mail118c25.carrierzone.example [64.29.147.188]) by "
           b"mx.list.example with ESMTP id 2; Sun, 11 Nov 2018 18:01:00 +0000\r\n"
           b"X-Authenticated-User: federico@speakeasy.example\r\n"
           b"Received: from [10.201.178.19] (mobile-107-107-59-118.mycingular.example [107.107.59.118])\r\n"
           b"\t(authenticated bits=0)\r\n\tby mail83c25.carrierzone.example (8.14.9/8.13.1) with ESMTP id 1;"
           b" Sun, 11 Nov 2018 18:00:58 +0000\r\n"
           b"From: Federico <flucifredi@acm.example>\r\nDate: Sun, 11 Nov 2018 18:00:50 +0000\r\n\r\nbody\r\n")
    [notice] = [f for f in analyze(raw, offline=True).findings if f.id == "envelope.submitted_by_other_account"]
    assert "federico@speakeasy.example" in notice.title and "(X-Authenticated-User)" in notice.explanation
    assert "mail83c25.carrierzone.example" in notice.explanation
    own = raw.replace(b"flucifredi@acm.example", b"federico@speakeasy.example")
    assert not [f for f in analyze(own, offline=True).findings if f.id == "envelope.submitted_by_other_account"]


def test_a_pasted_header_cut_before_from_and_to_is_unknown_not_broken() -> None:
    # A user's paste that stops after the receiver's fields (Yandex, real, 2021): the message
    # had a From: and a To:; the paste does not show them. No RFC 5322 warning, no DMARC
    # permerror, no Bcc recipient made up. A whole message without From: stays a warning.
    from headerscope.api import analyze
    from headerscope.render import get_renderer

    paste = (b"Received: from f463.i.mail.ru (f463.i.mail.ru [185.5.136.196]) by myt5.qloud-c.yandex.example"
             b" (mxfront/Yandex) with ESMTPS id 1 for <signrms@prog.example>; Wed, 07 Apr 2021 06:03:57 +0300\r\n"
             b"Return-Path: artemvdubinin@mail.ru\r\n"
             b"X-Yandex-Spam: 1\r\n")
    report = analyze(paste, offline=True)
    [no_from] = [f for f in report.findings if f.id == "envelope.no_from"]
    assert (no_from.severity.value, no_from.title) == ("notice", "No From: in the pasted header")
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert not [f for f in report.findings if f.id == "dmarc.no_from_domain"]
    assert "bcc" not in _kinds(report.envelope)
    assert "No From: in the pasted header" in get_renderer("terminal", color=False, width=200).render(report)
    whole = analyze(paste + b"\r\nbody\r\n", offline=True)
    assert [f.severity.value for f in whole.findings if f.id == "envelope.no_from"] == ["warning"]
    assert whole.dmarc is not None and whole.dmarc.result == "permerror"


def test_an_alias_services_forward_is_a_forward_not_a_bcc() -> None:
    # SimpleLogin (real, 2023) sends mail for an alias on to the real mailbox and records the
    # alias in X-SimpleLogin-Envelope-To: the Delivered-To mailbox is the forward's target.
    envelope, _ = _run("Delivered-To: john.doe@gmail.test\n"
                       "X-SimpleLogin-Type: Forward\n"
                       "X-SimpleLogin-Envelope-To: shop.1234@simplelogin.test\n"
                       "From: Shop <news@shop.test>\nTo: shop.1234@simplelogin.test\n")
    assert "bcc" not in _kinds(envelope)
    [forwarded] = [d for d in envelope.differences if d.kind == "forwarded"]
    assert "names the alias shop.1234@simplelogin.test that forwarded it" in forwarded.explanation


def test_an_alias_and_a_forward_target_are_not_called_blind_copies() -> None:
    import headerscope

    # netnoteinc.com's sendmail (real spam, 2001) received it "for <jm7@netnoteinc.com>" and its
    # local alias delivered it to jm@netnoteinc.com: one recipient, not two Bcc.
    alias = (b"Delivered-To: jm@netnoteinc.example\r\n"
             b"Received: from webnote.example (mail.webnote.example [193.120.211.219]) by mail.netnoteinc.example "
             b"(Postfix) with ESMTP id 1 for <jm7@netnoteinc.example>; Mon, 19 Feb 2001 13:57:29 +0000\r\n"
             b"From: a@spam.example\r\nTo: list@elsewhere.example\r\nDate: Mon, 19 Feb 2001 13:57:00 +0000\r\n"
             b"\r\nbody\r\n")
    report = headerscope.analyze(alias, offline=True)
    kinds = {d.envelope_value: d.kind for d in report.envelope.differences if d.envelope_value}
    assert kinds == {"jm@netnoteinc.example": "forwarded", "jm7@netnoteinc.example": "bcc"}
    [redirect] = [d for d in report.envelope.differences if d.kind == "forwarded"]
    assert "addressed to jm7@netnoteinc.example (Received for (hop 1))" in redirect.explanation
    # A "for" of another domain than the Delivered-To is left to the other rules.
    other = alias.replace(b"for <jm7@netnoteinc.example>", b"for <jm7@other.example>")
    assert "forwarded" not in [d.kind for d in headerscope.analyze(other, offline=True).envelope.differences]
    # Delivered before to one mailbox, then sent on: the later recipient is where the forward led.
    forward = (b"Received: from mail.netnoteinc.example (gw.netnoteinc.example [193.120.149.226]) by "
               b"dogma.slashnull.example (8.11.6) with ESMTP id 3 for <jm@jmason.example>; "
               b"Thu, 6 Dec 2001 09:35:00 +0000\r\n"
               b"Received: by mail.netnoteinc.example (Postfix) id A8; Thu, 6 Dec 2001 09:34:00 +0000\r\n"
               b"Delivered-To: jm@netnoteinc.example\r\n"
               b"Received: from ns.sakakura.example (ns.sakakura.example [61.119.13.18]) by mail.netnoteinc.example "
               b"(Postfix) with ESMTP id 2; Thu, 6 Dec 2001 09:33:00 +0000\r\n"
               b"From: a@spam.example\r\nTo: jm@north.example\r\nDate: Thu, 6 Dec 2001 09:30:00 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(forward, offline=True)
    assert any(f.id == "envelope.earlier_delivery" for f in report.findings)
    [target] = [d for d in report.envelope.differences if d.envelope_value == "jm@jmason.example"]
    assert target.kind == "forwarded" and "delivered before, to jm@netnoteinc.example" in target.explanation
    assert "not a blind copy of the author's" in target.explanation


def test_a_null_sender_is_a_bounce_only_on_a_bounce_or_automatic_reply() -> None:
    # A GLS parcel phish (real, 2024) came with MAIL FROM <>: "null sender: a bounce" reassured
    # the reader. Only a report, an automatic reply or MAILER-DAEMON's message is one.
    import headerscope
    from headerscope.render import get_renderer

    head = (b"Return-Path: <>\r\n"
            b"Received: from mail.lwxetqkypo.example (mail.lwxetqkypo.example [192.0.2.77]) by mx.example.net with "
            b"ESMTP id 1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
            b"From: GLS <info@stayfriends.example>\r\nTo: you@example.net\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n")
    report = headerscope.analyze(head + b"Subject: Your parcel\r\n\r\nbody\r\n", offline=True)
    assert [d.kind for d in report.envelope.differences if d.envelope_value == "<>"] == ["null_sender"]
    assert [f.id for f in report.findings if f.id == "envelope.null_sender"] == ["envelope.null_sender"]
    text = get_renderer("terminal", color=False, width=200).render(report)
    assert "<> (null sender, on a message that is no bounce or auto-reply)" in text and "a bounce)" not in text
    for marked in (b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n",
                   b"Auto-Submitted: auto-replied\r\n", b"X-Autoreply: yes\r\n",
                   b"Subject: Out of Office: Notification\r\n", b"Subject: Automatic reply: hello\r\n"):
        report = headerscope.analyze(head + marked + b"\r\nbody\r\n", offline=True)
        assert [d.kind for d in report.envelope.differences if d.envelope_value == "<>"] == ["bounce"]
        assert not [f for f in report.findings if f.id == "envelope.null_sender"]
    daemon = head.replace(b"From: GLS <info@stayfriends.example>", b"From: MAILER-DAEMON@mx.example.org")
    report = headerscope.analyze(daemon + b"\r\nbody\r\n", offline=True)
    assert [d.kind for d in report.envelope.differences if d.envelope_value == "<>"] == ["bounce"]


def test_an_earlier_hop_for_the_addressee_makes_the_recipient_a_forward_target() -> None:
    # A Japanese ISP's server received it "for <sironeko@...>" (the To:), then Gmail "for
    # <kijitora@...>" (real, 2013): a forward, told as "the sender put it in Bcc".
    import headerscope

    raw = (b"Delivered-To: kijitora@example.com\r\n"
           b"Received: from smtp.aneyakoji.example (smtp.aneyakoji.example [192.0.2.8]) by mx.google.example with "
           b"ESMTP id 2 for <kijitora@example.com>; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Received: from client.example (client.example [198.51.100.4]) by smtp.aneyakoji.example with ESMTP id 1 "
           b"for <sironeko@example.jp>; Mon, 2 Nov 2026 10:00:03 +0000\r\n"
           b"From: a@sender.example\r\nTo: sironeko@example.jp\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    [forward] = [d for d in report.envelope.differences if d.envelope_value == "kijitora@example.com"]
    assert forward.kind == "forwarded" and forward.header_value == "sironeko@example.jp"
    assert "hop 1 (below the trust boundary, a claim) received the message for sironeko@example.jp" in forward.explanation
    # Without that earlier "for", the recipient is a blind copy as before.
    plain = raw.replace(b" for <sironeko@example.jp>", b"")
    assert [d.kind for d in headerscope.analyze(plain, offline=True).envelope.differences
            if d.envelope_value == "kijitora@example.com"] == ["bcc"]


def test_a_list_members_delivery_is_explained_by_the_list_not_an_alias_or_forward() -> None:
    # Nine lore.kernel.org copies (real): the member's address was "redirected by an alias at the
    # receiver" or "forwarded from the list's address on the way", while the findings of the same
    # report said a mailing list resent it.
    import headerscope

    def differences(list_fields: str, to: str) -> list[str]:
        raw = (f"Delivered-To: member@example.net\r\nReturn-Path: <list-bounces@lists.example.org>\r\n"
               f"Received: from lists.example.org (lists.example.org [192.0.2.9]) by mx.example.net with ESMTP "
               f"id 1 for <member@example.net>; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
               f"Received: from mail.author.example (mail.author.example [198.51.100.1]) by lists.example.org "
               f"with ESMTP id 2 for <dev@lists.example.org>; Mon, 2 Nov 2026 10:00:02 +0000\r\n"
               f"{list_fields}From: a@author.example\r\nTo: {to}\r\nSubject: patch\r\n"
               f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n").encode()
        report = headerscope.analyze(raw, offline=True)
        return [d.explanation for d in report.envelope.differences if d.envelope_value == "member@example.net"]

    # The List-Id makes the list's address (Mailman's convention), or List-Post names it.
    for fields in ("List-Id: Dev list <dev.lists.example.org>\r\n", "List-Post: <mailto:dev@lists.example.org>\r\n"):
        [addressed] = differences(fields, "dev@lists.example.org")
        assert "but the mailing list's address dev@lists.example.org is: the message came through that list" \
            in addressed, addressed
        # The list's address not in the header (the author wrote it as Bcc): the header holds no
        # list address (it said "the list's address is in the header").
        [earlier] = differences(fields, "someone@author.example")
        assert "is not in To: or Cc:. The message came through a mailing list (" in earlier, earlier
        assert "which resent it to its members: each member's address is only in the envelope." in earlier
        # RFC 2369 fields: no "the sender writes" clause (that is for pre-RFC 2369 marks alone).
        assert "which the sender writes" not in addressed + earlier
    # Pre-RFC 2369 marks only (X-Mailing-List, an owner- Sender:): text the sender writes, and a
    # spoof can carry it, so the explanation says what it rests on.
    old_marks = "X-Mailing-List: dev@lists.example.org\r\nSender: owner-dev@lists.example.org\r\n"
    [addressed] = differences(old_marks, "dev@lists.example.org")
    assert ("the message came through that list (by its list marks, which the sender writes), which resent it "
            "to its members") in addressed, addressed
    [earlier] = differences(old_marks, "someone@author.example")
    assert ("which resent it to its members (by its list marks, which the sender writes): each member's address "
            "is only in the envelope.") in earlier, earlier
    # Without a list field, the earlier hop's recipient is a forward, as before.
    [forward] = differences("", "dev@lists.example.org")
    assert "it was forwarded or redirected from dev@lists.example.org to member@example.net" in forward, forward


def test_submission_logins_from_smartermail_mdaemon_cpanel_and_communigate_stamps() -> None:
    # Real stamps (2020-2025): SmarterMail's hop was an MTA with no account, and the accounts
    # MDaemon, cPanel and CommuniGate recorded never reached the other-account notice.
    import headerscope

    tail = "From: Ann <ann@brand.example>\r\nSubject: x\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n"
    mx = ("Received: from relay.host.example (relay.host.example [192.0.2.7]) by mx.example.net with ESMTP id 9; "
          "Mon, 2 Nov 2026 10:00:09 +0000\r\n")
    smartermail = (mx + "X-SmarterMail-Authenticated-As: seller@shop.example\r\n"
                   "Received: from mail-ed1-f54.google.com (mail-ed1-f54.google.com [209.85.208.54]) by "
                   "relay.host.example with SMTP; Mon, 2 Nov 2026 10:00:05 +0000\r\n" + tail).encode()
    report = headerscope.analyze(smartermail, offline=True)
    hop = report.hops[0]
    assert (hop.role.value, hop.fields.auth) == ("MSA", "X-SmarterMail-Authenticated-As: seller@shop.example")
    [other] = [f for f in report.findings if f.id == "envelope.submitted_by_other_account"]
    assert other.title == "Submitted by the account seller@shop.example, while From: shows brand.example"
    submission = ("Received: from [198.51.100.4] by relay.host.example with ESMTPSA id 1; "
                  "Mon, 2 Nov 2026 10:00:05 +0000\r\n")
    for stamps, server in (("X-Authenticated-Sender: seller@shop.example\r\n", "relay.host.example"),
                           ("X-AntiAbuse: Primary Hostname - box5620.hoster.example\r\n"
                            "X-Source-Auth: seller@shop.example\r\n", "box5620.hoster.example")):
        raw = (mx + submission + stamps + tail).encode()
        [other] = [f for f in headerscope.analyze(raw, offline=True).findings
                   if f.id == "envelope.submitted_by_other_account"]
        assert other.explanation.startswith(f"{server} records"), other.explanation
    communigate = (mx + "Received: from [10.8.8.230] (account seller@shop.example [10.8.8.230] verified) by "
                   "relay.host.example (CommuniGate Pro SMTP 6.3) with ESMTPSA id 1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
                   + tail).encode()
    assert [f.title for f in headerscope.analyze(communigate, offline=True).findings
            if f.id == "envelope.submitted_by_other_account"] == [
        "Submitted by the account seller@shop.example, while From: shows brand.example"]


def test_an_envelope_sender_of_a_bare_host_name_is_no_domain() -> None:
    # A Bradesco phish from a cloud droplet (real, 2023): "the envelope sender's domain
    # (ubuntu-s-1vcpu-1gb-35gb-intel-sfo3-06) differs ... SPF then vouches for" that name.
    import headerscope

    raw = (b"Return-Path: <root@ubuntu-s-1vcpu-1gb-sfo3-06>\r\n"
           b"Received: from ubuntu-s-1vcpu-1gb-sfo3-06 (unknown [203.0.113.9]) by mx.example.net with ESMTP id 1; "
           b"Mon, 2 Nov 2026 10:00:02 +0000\r\nFrom: Banco <avisos@banco.example>\r\nTo: a@example.net\r\n"
           b"Subject: x\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    [difference] = [d for d in headerscope.analyze(raw, offline=True).envelope.differences
                    if d.kind == "mail_from_domain"]
    assert difference.explanation.startswith("The envelope sender (root@ubuntu-s-1vcpu-1gb-sfo3-06) has no domain, "
                                             "only a host name (ubuntu-s-1vcpu-1gb-sfo3-06)")
    assert "vouches" not in difference.explanation


def test_an_srs_rewrite_at_the_authors_submission_server_is_no_forward() -> None:
    # kernel.org's relay (real, 2024) rewrites its users' envelope senders with SRS at submission:
    # "The message was forwarded ... DKIM is what still vouches for the author", while no
    # signature of the author's domain was there.
    import headerscope

    raw = (b"Return-Path: <SRS0=ab12=CD=linuxfoundation.example=gregkh@kernel.example>\r\n"
           b"Received: from mail.kernel.example (mail.kernel.example [192.0.2.5]) by mx.example.net with ESMTPS id 2; "
           b"Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Received: from laptop (unknown [198.51.100.9]) by mail.kernel.example with ESMTPSA id 1; "
           b"Mon, 2 Nov 2026 10:00:02 +0000\r\n"
           b"From: Greg <gregkh@linuxfoundation.example>\r\nTo: a@example.net\r\nSubject: x\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    [srs] = [d for d in headerscope.analyze(raw, offline=True).envelope.differences if d.kind == "srs"]
    assert srs.explanation.startswith("kernel.example, where the author submitted the message (an authenticated "
                                      "submission), rewrote the envelope sender"), srs.explanation
    assert "only a DKIM signature of the author's domain can still authenticate the author" in srs.explanation


def test_replies_to_a_free_webmail_mailbox_from_an_organisation_are_a_warning() -> None:
    # Five real phishing messages (2023-2024): a donation scam from cyber.net.pk answered at Gmail, a
    # "Microsoft account team" at Gmail, a Bulgarian shop at mail.bg: each only "Reply-To points to
    # another domain", a notice explained by what lists and help desks do.
    import headerscope

    def reply_findings(from_address: str, reply_to: str) -> list[tuple[str, str]]:
        raw = (f"Received: from out.sender.example (out.sender.example [203.0.113.9]) by mx.example.net with ESMTP "
               f"id 1; Mon, 2 Nov 2026 10:00:02 +0000\r\nFrom: {from_address}\r\nReply-To: {reply_to}\r\n"
               f"To: a@example.net\r\nSubject: x\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n").encode()
        return [(f.id, f.severity.value) for f in headerscope.analyze(raw, offline=True).findings
                if f.id.startswith("envelope.reply_to")]

    assert reply_findings("Donations <info@charity.example>", "philip3690@gmail.com") == [
        ("envelope.reply_to_free_mailbox", "warning")]
    assert reply_findings("Shop <sales@shop.example>", "orders@yahoo.co.uk") == [
        ("envelope.reply_to_free_mailbox", "warning")]
    # Another organisation's domain stays a notice; a webmail sender answered at another webmail is no sign.
    assert reply_findings("Shop <sales@shop.example>", "help@helpdesk.example") == [
        ("envelope.reply_to_other_domain", "notice")]
    assert reply_findings("Ann <ann@gmail.com>", "ann@hotmail.com") == [("envelope.reply_to_other_domain", "notice")]


def test_a_list_that_encodes_the_authors_address_in_its_own_from_is_told() -> None:
    # The IETF's lists (real, 2024): "From: dthaler1968=40googlemail.com@dmarc.ietf.org" with
    # X-Original-From, which only the Google Groups / Mailman "X via List" form was read as.
    envelope, _ = _run("From: dthaler1968=40googlemail.com@dmarc.ietf.org\n"
                       "X-Original-From: dthaler1968@googlemail.com\n"
                       "Sender: \"Bpf\" <bpf-bounces@ietf.org>\nList-Id: <bpf.ietf.org>\n"
                       "List-Post: <mailto:bpf@ietf.org>\nTo: bpf@ietf.org\nSubject: s\n")
    [rewrite] = [d for d in envelope.differences if d.kind == "list_rewrote_from"]
    assert "with the author's address encoded in it (\"=40\" for \"@\"): dthaler1968@googlemail.com" \
        in rewrite.explanation
    # The same local part at a domain no list field names is nobody's rewrite.
    envelope, _ = _run("From: a=40gmail.com@elsewhere.example\nList-Id: <bpf.ietf.org>\n"
                       "List-Post: <mailto:bpf@ietf.org>\nTo: bpf@ietf.org\nSubject: s\n")
    assert "list_rewrote_from" not in _kinds(envelope)


# Groups.io's copy of a list post (real, 2023, the lfdr.de archive of linux-oxnas@groups.io; verification
# V30c's groupsio.eml): From: rewritten to "Author via groups.io" <user=domain@groups.io>, the list
# and the author in Reply-To, the list as Sender:, and its List-Id and Mailing-List.
GROUPS_IO = ("From: \"Miquel Raynal via groups.io\" <miquel.raynal=bootlin.com@groups.io>\n"
             "To: Uwe Kleine-Koenig <u.kleine-koenig@pengutronix.de>\n"
             "Cc: linux-oxnas@groups.io\nSubject: Re: [linux-oxnas] [PATCH] mtd: nand\n"
             "Precedence: Bulk\nList-Unsubscribe: <mailto:linux-oxnas+unsubscribe@groups.io>\n"
             "Sender: linux-oxnas@groups.io\nList-Id: <linux-oxnas.groups.io>\n"
             "Mailing-List: list linux-oxnas@groups.io; contact linux-oxnas+owner@groups.io\n"
             "Delivered-To: mailing list linux-oxnas@groups.io\n"
             "Reply-To: linux-oxnas@groups.io,miquel.raynal@bootlin.com\n")


def test_groups_ios_from_rewrite_decodes_the_author_and_its_reply_to_the_author_keeps_the_notice() -> None:
    envelope, findings = _run(GROUPS_IO)
    [rewrite] = [d for d in envelope.differences if d.kind == "list_rewrote_from"]
    assert ("with the author's address encoded in it (\"=\" for \"@\"): miquel.raynal@bootlin.com; its name, "
            "\"Miquel Raynal via groups.io\", has the \"Author via List\" form lists write") in rewrite.explanation
    [sender] = [d for d in envelope.differences if d.kind == "sender"]
    assert "on behalf of the author (miquel.raynal@bootlin.com; the list put its own address" in sender.explanation
    # The Reply-To to the decoded author keeps its notice (verification V33): the list's fields and
    # the encoded From: are the sending side's text, which a spoofer writes too.
    assert "reply_to_domain" in _kinds(envelope)
    assert [f.id for f in findings if f.id.startswith("envelope.reply_to")] == ["envelope.reply_to_other_domain"]
    assert "which a sender can write too" in next(d for d in envelope.differences
                                                   if d.kind == "list_rewrote_from").explanation
    # A Reply-To to someone else than the author it encodes is still worth a look.
    envelope, findings = _run(GROUPS_IO.replace(",miquel.raynal@bootlin.com", ",helpdesk@bootlin-support.example"))
    assert [f.id for f in findings] == ["envelope.reply_to_other_domain"]


def test_an_encoded_from_without_the_lists_fields_or_at_another_domain_is_excused_nothing() -> None:
    # The same From: and Reply-To without the list's fields: a From: at a list's domain proves nothing.
    bare = "".join(line + "\n" for line in GROUPS_IO.splitlines()
                   if line.startswith(("From:", "To:", "Subject:", "Reply-To:")))
    for fields in (bare, bare + "Sender: linux-oxnas@groups.io\n"):
        envelope, findings = _run(fields)
        assert "list_rewrote_from" not in _kinds(envelope)
        assert [f.id for f in findings] == ["envelope.reply_to_other_domain"]
    # The list's fields, but a From: at a domain of none of its addresses.
    envelope, findings = _run(GROUPS_IO.replace("miquel.raynal=bootlin.com@groups.io",
                                                "miquel.raynal=bootlin.com@groups-io.example"))
    assert "list_rewrote_from" not in _kinds(envelope)
    # (groups-io.example is the list's own domain, a recipient's, joined with a word: told as that.)
    assert [f.id for f in findings] == ["envelope.reply_to_other_domain", "envelope.confusable_domain"]
    # The list's own domain as the "author's" domain, two "=" (an SRS-like shape), a domain with
    # no top-level label: nobody's address encoded.
    for local in ("news=groups.io", "SRS0=ab=cd=bootlin.com", "miquel.raynal=bootlin"):
        envelope, _ = _run(GROUPS_IO.replace("miquel.raynal=bootlin.com@groups.io", f"{local}@groups.io"))
        assert "list_rewrote_from" not in _kinds(envelope), local


def test_a_recipient_only_a_hop_below_the_boundary_names_is_shown_as_its_claim() -> None:
    # A GitHub notification through SendGrid to Hotmail (real, 2017): "RCPT TO (not recorded)"
    # beside the VERP address and SendGrid's "for <release_roger@hotmail.com>".
    import headerscope

    raw = (b"Return-Path: <bounces+848413-634f-roger=hotmail.example@sgmail.github.example>\r\n"
           b"Received: from o6.sgmail.github.example (o6.sgmail.github.example [192.254.113.101]) by mx.hotmail.example"
           b" with ESMTPS id 2; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Received: by ismtpd0003p1iad1.sendgrid.example with SMTP id 1 for <roger@hotmail.example>; "
           b"Mon, 2 Nov 2026 10:00:03 +0000\r\n"
           b"From: Bot <notifications@github.example>\r\nTo: brew@noreply.github.example\r\nSubject: x\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    envelope = headerscope.analyze(raw, offline=True).envelope
    assert (envelope.rcpt_to, envelope.rcpt_to_sources) == (("roger@hotmail.example",), ("Received for (hop 1, a claim)",))
    # A recipient the receiving side records comes first, alone.
    recorded = b"Delivered-To: roger@hotmail.example\r\n" + raw
    assert headerscope.analyze(recorded, offline=True).envelope.rcpt_to_sources == ("Delivered-To",)


def test_gmails_forward_record_of_another_target_is_not_this_recipients_forward() -> None:
    # A message forwarded by Gmail to mcgrof@gmail.com and then re-sent by its owner to a list
    # (real, 2023): the list member's copy was "forwarded from mcgrof@do-not-panic.com to
    # lists+linux-wireless@lfdr.de", which X-Forwarded-For never said.
    import headerscope

    def differences(target: str) -> list[str]:
        raw = (f"Delivered-To: member@lfdr.example\r\n"
               f"Received: from vger.example (vger.example [192.0.2.9]) by mail.lfdr.example with ESMTPS id 9 for "
               f"<member@lfdr.example>; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
               f"X-Forwarded-To: {target}\r\nX-Forwarded-For: mcgrof@panic.example {target}\r\n"
               f"From: a@author.example\r\nTo: someone@author.example\r\nSubject: x\r\n"
               f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n").encode()
        return [d.explanation for d in headerscope.analyze(raw, offline=True).envelope.differences
                if d.envelope_value == "member@lfdr.example"]

    [other] = differences("mcgrof@gmail.example")
    assert "mcgrof@panic.example" not in other, other
    [forward] = differences("member@lfdr.example")
    assert "Gmail's X-Forwarded-For names mcgrof@panic.example as the forwarding mailbox" in forward


def test_a_paste_that_stops_before_its_signatures_says_so_in_every_format() -> None:
    # An admin's paste of the receiver's top fields: its results name three DKIM checks, the
    # signatures themselves lie below the part pasted. "no DKIM-Signature" stated it as a fact.
    from headerscope.api import analyze
    from headerscope.render import get_renderer

    paste = (b"Received: from mx.sender.example (mx.sender.example [192.0.2.5]) by mail.dest.example (Postfix) "
             b"with ESMTPS id 4Y1; Mon, 2 Mar 2026 10:00:00 +0000\r\n"
             b"Authentication-Results: mail.dest.example; dkim=pass header.d=sender.example header.s=default "
             b"header.b=AbC; dkim=fail reason=\"body hash did not verify\" header.d=sender.example "
             b"header.s=default header.b=DeF; dkim=fail header.d=sender.example header.s=default header.b=GhI\r\n")
    report = analyze(paste, offline=True)
    words = ("no DKIM-Signature in the pasted header; its recorded results name 3 DKIM checks, so the paste "
             "stops before the signatures")
    assert report.no_signature_words() == words
    for fmt in ("terminal", "markdown", "html"):
        text = " ".join(get_renderer(fmt, color=False, width=400).render(report).split()) if fmt == "terminal" \
            else get_renderer(fmt).render(report)
        assert words[1:] in text, fmt
    whole = analyze(paste + b"From: a@sender.example\r\n\r\nbody\r\n", offline=True)
    assert whole.no_signature_words() == "no DKIM-Signature"
    # The receiver recorded that the message was not signed: no signature lies beyond the paste.
    unsigned = analyze(paste.split(b"Authentication-Results")[0] + b"Authentication-Results: mail.dest.example; "
                       b"dkim=none (message not signed); spf=pass smtp.mailfrom=sender.example\r\n", offline=True)
    assert unsigned.no_signature_words() == "no DKIM-Signature in the pasted header"


def test_a_from_that_lost_its_angle_brackets_names_the_address_and_says_so() -> None:
    # A Czech help page's paste (2005): "From: =?iso-8859-2?Q?...?= test@seznam.cz", the name an
    # encoded word (RFC 2047 section 5 (3): never part of an addr-spec), the brackets eaten.
    from headerscope.api import analyze

    raw = (b"Received: from [192.0.2.7] by email.seznam.cz with HTTP for test@seznam.cz; "
           b"Fri, 12 Aug 2005 12:46:00 +0200 (CEST)\r\n"
           b"Reply-To: =?iso-8859-2?Q?=2E=20=20W=2E=20=E1?= test@seznam.cz\r\n"
           b"From: =?iso-8859-2?Q?=2E=20=20W=2E=20=E1?= test@seznam.cz\r\n"
           b"To: info@nazev-domeny.cz\r\nSubject: dotaz\r\nDate: Fri, 12 Aug 2005 12:46:15 +0200 (CEST)\r\n\r\nx\r\n")
    report = analyze(raw, offline=True)
    assert [(a.display_name, a.address, a.domain) for a in report.envelope.header_from] == [
        (".  W. \u00e1", "test@seznam.cz", "seznam.cz")]
    assert [a.address for a in report.envelope.reply_to] == ["test@seznam.cz"]
    [defects] = [f for f in report.findings if f.id == "headers.defects"]
    assert defects.severity.value == "warning" and defects.title == "2 damaged header field(s)"
    assert "From: a display name without angle brackets" in defects.explanation


def test_a_from_of_a_quoted_string_alone_has_no_domain() -> None:
    # A POP3 paste (virgin.net): 'From: "test.test1@virgin.net"', no address outside the quotes.
    envelope, findings = _run('From: "test.test1@virgin.net"\nTo: a@x.test\n')
    assert [(a.address, a.domain) for a in envelope.header_from] == [('"test.test1@virgin.net"', None)]
    assert [f.id for f in findings] == ["envelope.no_from"]


def test_a_display_name_of_question_marks_is_a_notice_that_the_name_is_lost() -> None:
    # An archive's copy (openwall, Coremail sender): the Chinese name became "????".
    from headerscope.api import analyze

    raw = (b"From: ???? <zhaowenjia@stu.xjtu.edu.cn>\r\nTo: oss-security@lists.openwall.com\r\n"
           b"Subject: s\r\nDate: Tue, 4 Jun 2024 10:00:00 +0800\r\n\r\nx\r\n")
    report = analyze(raw, offline=True)
    [defects] = [f for f in report.findings if f.id == "headers.defects"]
    assert defects.severity.value == "notice"
    assert defects.title == "1 header field(s) with text lost or in a legacy charset"
    assert "the original name cannot be recovered" in defects.explanation


def test_a_mail_server_relaying_through_a_smarthost_account_is_said_to_be_one() -> None:
    # mail.abhy.me took its user's submission on its own port, then logged in to mailcow's relay
    # service with a relay account: "of another organisation ... compromised account" overstated
    # it. Said as the relay setup it most likely is; still a notice, as the hop below is the
    # sending side's own text.
    from headerscope.api import analyze

    raw = (b"Received: from hosted.mailcow.example (hosted.mailcow.example [5.1.76.202]) by mx.dest.example with "
           b"ESMTPS id 3; Mon, 2 Mar 2026 10:00:03 +0000\r\n"
           b"Received: from mail.abhy.example (mail.abhy.example [156.67.110.73]) (Authenticated sender: "
           b"relay-abhinav@mailcow.example) by hosted.mailcow.example (Postfix) with ESMTPSA id 2; "
           b"Mon, 2 Mar 2026 10:00:02 +0000\r\n"
           b"Received: from [127.0.0.1] (localhost [127.0.0.1]) by localhost (Mailerdaemon) with ESMTPSA id 1; "
           b"Mon, 2 Mar 2026 10:00:01 +0000\r\n"
           b"From: Abhinav <a@abhy.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    [relay] = [f for f in analyze(raw, offline=True).findings if f.id == "envelope.submitted_by_other_account"]
    assert relay.severity.value == "notice"
    assert relay.title == ("Relayed through hosted.mailcow.example with the account relay-abhinav@mailcow.example, "
                           "while From: shows abhy.example")
    assert "had taken the message as a submission itself (hop 1" in relay.explanation


# Coremail (163.com) delivered a Marketo mail: its Received on top, the sender's leftover
# Return-Path below it, and its own A-R naming the MAIL FROM it checked (per-recipient bounce).
_MARKETO_AT_163 = (
    "Received: from em.oreilly.com (unknown [192.28.152.137])\r\n\tby mx40 (Coremail) with SMTP id "
    "WsCowABXjR0B_Ehc5+UEDw--.38557S9;\r\n\tThu, 24 Jan 2019 07:43:07 +0800 (CST)\r\n"
    "Return-Path: <reply@oreilly.com>\r\n"
    "Received: from [10.1.87.249] ([10.1.87.249:45085] helo=abmas01.marketo.org)\r\n\tby abmta05.marketo.org "
    "(envelope-from <reply@oreilly.com>)\r\n\twith ESMTP id 4C/85-48062-B0CF84C5; Wed, 23 Jan 2019 17:43:07 -0600\r\n"
    "Date: Wed, 23 Jan 2019 17:43:07 -0600 (CST)\r\nFrom: O'Reilly Web Newsletter <reply@oreilly.com>\r\n"
    "To: hzhilamp@163.com\r\nSubject: React\r\n"
    "X-CM-TRANSID:WsCowABXjR0B_Ehc5+UEDw--.38557S9\r\n"
    "Authentication-Results: mx40; spf=pass smtp.mail=107-fms-070.0.16516.0.0.5375.9.10954819@em.oreilly.com;\r\n"
    "\tdkim=pass header.i=@oreilly.com\r\n")
_BOUNCE = "107-fms-070.0.16516.0.0.5375.9.10954819@em.oreilly.com"


def test_return_path_below_the_boundary_gives_way_to_the_receivers_record() -> None:
    from headerscope.api import analyze

    report = analyze(_MARKETO_AT_163.encode(), offline=True)
    assert [r.trusted for r in report.recorded if r.method == "spf"] == [True]
    env = report.envelope
    assert env.mail_from == _BOUNCE
    assert (env.mail_from_source or "").startswith("Authentication-Results (header 9) smtp.mail")
    assert (env.claimed_mail_from, env.claimed_mail_from_source) == (
        "reply@oreilly.com", "Return-Path (header 2) below the boundary Received")
    assert report.spf is not None and report.spf.mail_from == _BOUNCE
    # The same Return-Path above the boundary Received is the delivery's (RFC 5321 section 4.4).
    above = _MARKETO_AT_163.replace("Return-Path: <reply@oreilly.com>\r\n", "")
    above = "Return-Path: <reply@oreilly.com>\r\n" + above
    env = analyze(above.encode(), offline=True).envelope
    assert (env.mail_from, env.mail_from_source, env.claimed_mail_from) == ("reply@oreilly.com", "Return-Path", None)
    # Below it, but agreeing with the receiver's record: kept.
    agreeing = _MARKETO_AT_163.replace("<reply@oreilly.com>\r\nReceived", f"<{_BOUNCE}>\r\nReceived", 1)
    env = analyze(agreeing.encode(), offline=True).envelope
    assert (env.mail_from, env.mail_from_source) == (_BOUNCE, "Return-Path")


def test_a_message_sent_as_the_recipients_own_address_with_the_recipients_hidden() -> None:
    # Advance-fee spoofs (real layouts): From: and To: both the victim's address, To: under a mass
    # mailer's placeholder name, the real recipients in the envelope, nothing aligned passing.
    from headerscope.envelope import self_addressed
    from headerscope.model import SpamFilterVerdict

    headers = ('Delivered-To: nemani@victim.example\nFrom: "Mr. Wood" <nemani@victim.example>\n'
               'To: Recipients <nemani@victim.example>\n')
    envelope, _ = _run(headers)
    finding = self_addressed(envelope, vouched=False)
    assert finding is not None and finding.id == "envelope.self_addressed" and finding.severity.value == "warning"
    assert finding.title == "Sent as the recipient's own address (nemani@victim.example)"
    assert 'To: names only that address (under the name "Recipients", a mass mailer\'s placeholder)' \
        in finding.explanation
    assert "OFR:TrustedSenderList" not in finding.explanation
    # Exchange Online's mailbox delivery put it in the Inbox on the safe senders list.
    safe = SpamFilterVerdict(filter="Microsoft 365", header="X-MS-Exchange-Organization-SCL", header_index=3,
                             spam=True, score=5.0, threshold=5.0, summary="SCL 5 (spam)",
                             details=(("OFR", "TrustedSenderList", "the sender is on the user's safe senders list"),),
                             rules=(), trusted=True, trust_reason="the receiving organisation wrote it")
    told = self_addressed(envelope, vouched=False, spam_filters=(safe,))
    assert told is not None and "the user's own address counts as a safe sender, which is how the spoof bypassed " \
        "the spam verdict" in told.explanation
    untrusted = self_addressed(envelope, vouched=False, spam_filters=(dataclasses.replace(safe, trusted=False),))
    assert untrusted is not None and "TrustedSenderList" not in untrusted.explanation
    # The receiver vouched for the From: domain (one's own Bcc mailing from one's own server), or
    # recorded nothing to tell: no finding.
    assert self_addressed(envelope, vouched=True) is None
    assert self_addressed(envelope, vouched=None) is None
    # Someone else addressed too, or delivered to another mailbox: not the recipient's own address.
    other, _ = _run(headers.replace("To: Recipients <nemani@victim.example>",
                                    "To: nemani@victim.example, ops@victim.example"))
    assert self_addressed(other, vouched=False) is None
    elsewhere, _ = _run(headers.replace("Delivered-To: nemani@", "Delivered-To: carol@"))
    assert self_addressed(elsewhere, vouched=False) is None
    # Delivered to the From: address, To: an empty group: said too.
    group, _ = _run("Delivered-To: nemani@victim.example\nFrom: nemani@victim.example\n"
                    "To: undisclosed-recipients:;\n")
    finding = self_addressed(group, vouched=False)
    assert finding is not None
    assert "the address the message was delivered to (Delivered-To), and To: and Cc: name nobody" \
        in finding.explanation


def test_from_and_to_one_address_without_a_recorded_recipient_is_told_both_ways() -> None:
    # Verification V38a: real advance-fee and compromised-account mail delivered to an Outlook.com
    # mailbox (phishing_pot samples 1006 and 1013) has From: and To: one third party's address, under
    # "Recipients", and records no recipient: it read "Sent as the recipient's own address", a
    # warning, with Exchange's safe-senders override blamed on the user's own address.
    from headerscope.envelope import self_addressed
    from headerscope.model import SpamFilterVerdict

    envelope, _ = _run('From: "Mr. Wood" <nemani@victim.example>\nTo: Recipients <nemani@victim.example>\n')
    safe = SpamFilterVerdict(filter="Microsoft 365", header="X-MS-Exchange-Organization-SCL", header_index=3,
                             spam=True, score=5.0, threshold=5.0, summary="SCL 5 (spam)",
                             details=(("OFR", "TrustedSenderList", "the sender is on the user's safe senders list"),),
                             rules=(), trusted=True, trust_reason="the receiving organisation wrote it")
    finding = self_addressed(envelope, vouched=False, spam_filters=(safe,))
    assert finding is not None and finding.severity.value == "notice"
    assert finding.title == "From: and To: are one address (nemani@victim.example), the recipients hidden"
    assert "does not record the address it was delivered to" in finding.explanation
    assert "if it was nemani@victim.example, this is the pattern of a spoof \"from yourself\"" in finding.explanation
    assert "if it was another mailbox" in finding.explanation
    assert "safe sender" not in finding.explanation
    # No destination address at all and no recipient recorded: nothing to tell.
    nobody, _ = _run("From: nemani@victim.example\nTo: undisclosed-recipients:;\n")
    assert self_addressed(nobody, vouched=False) is None


def test_an_envelope_sender_or_sender_that_is_the_recipients_own_address_is_named() -> None:
    # A spam run of 2000 (SpamAssassin corpus layout): Return-Path and Sender: are the victim's own
    # address, From: another, so bounces and "on behalf of" point at the victim (RFC 5321 4.5.5).
    from headerscope.api import analyze

    raw = ("Return-Path: <jm@victim.example>\r\nDelivered-To: jm@victim.example\r\n"
           "Received: from relay.example (relay.example [192.0.2.2]) by mx.victim.example (8.9.3/8.9.3) with ESMTP "
           "id GAA09378 for <jm@victim.example>; Thu, 10 Aug 2000 06:44:36 +0100\r\n"
           "From: bigmoney@fasttrec.example\r\nSubject: ADV: YOUR BRAND NEW HOUSE\r\n"
           "Date: Thu, 10 Aug 2000 02:53:01 -0500\r\nMessage-Id: <503.7674@www.fasttrec.example>\r\n"
           "Sender: jm@victim.example\r\nTo: undisclosed-recipients:;\r\n\r\nBuy.\r\n")
    report = analyze(raw.encode(), offline=True)
    [finding] = [f for f in report.findings if f.id == "envelope.self_addressed"]
    assert finding.severity.value == "notice"
    assert finding.title == ("The envelope sender (Return-Path) and Sender: are the recipient's own address "
                             "(jm@victim.example)")
    assert "the address the message was delivered to (Delivered-To" in finding.explanation
    assert "while From: is bigmoney@fasttrec.example" in finding.explanation
    # The Return-Path alone is named alone.
    alone = analyze(raw.replace("Sender: jm@victim.example\r\n", "").encode(), offline=True)
    [finding] = [f for f in alone.findings if f.id == "envelope.self_addressed"]
    assert finding.title == "The envelope sender (Return-Path) is the recipient's own address (jm@victim.example)"
    # The recipient writing to itself (From: its own address too) is self_addressed's to judge, not this.
    from headerscope.envelope import sender_is_recipient

    own, _ = _run("Return-Path: <jm@victim.example>\nDelivered-To: jm@victim.example\nFrom: jm@victim.example\n"
                  "To: jm@victim.example\n")
    assert sender_is_recipient(own) is None
    # An ordinary delivery: the envelope sender is the author's.
    plain, _ = _run("Return-Path: <alice@sender.test>\nDelivered-To: bob@receiver.test\nFrom: alice@sender.test\n")
    assert sender_is_recipient(plain) is None


def test_the_self_addressed_spoof_is_found_in_exchange_onlines_copy() -> None:
    # The whole message: Exchange Online recorded spf=fail, dkim=none, compauth=fail, and its
    # mailbox delivery overrode SCL 5 on the safe senders list.
    from test_verdict import _EXO_SPOOF

    from headerscope.api import analyze

    raw = _EXO_SPOOF.replace(
        "MIME-Version: 1.0\r\n",
        "X-MS-Exchange-Organization-SCL: 5\r\nX-Microsoft-Antispam: BCL:9;\r\n"
        "X-Microsoft-Antispam-Mailbox-Delivery:\r\n\tabwl:0;wl:1;pcwl:1;kl:0;dwl:0;dkl:0;rwl:0;ucf:0;jmr:0;ex:0;"
        "psp:0;auth:0;dest:I;OFR:TrustedSenderList;ENG:(5062000305)(920221119095);\r\nMIME-Version: 1.0\r\n")
    report = analyze(raw.encode(), offline=True)
    [finding] = [f for f in report.findings if f.id == "envelope.self_addressed"]
    # Exchange Online's copy records no recipient: both readings, no safe-senders story (V38a).
    assert finding.severity.value == "notice" and "safe sender" not in finding.explanation
    assert [f.severity.value for f in report.findings if f.id == "spam.flagged"] == ["warning"]
    # A recorded recipient that is the From: address makes it the spoof "from yourself".
    delivered = analyze(("Delivered-To: nemani@victim.example\r\n" + raw).encode(), offline=True)
    [finding] = [f for f in delivered.findings if f.id == "envelope.self_addressed"]
    assert finding.severity.value == "warning"
    assert "which is how the spoof bypassed the spam verdict" in finding.explanation
    # Signed by the From: domain and recorded as passing: one's own mail to oneself.
    passed = raw.replace("spf=fail (sender IP is 198.51.100.52)", "spf=pass (sender IP is 198.51.100.52)").replace(
        "compauth=fail reason=001", "compauth=pass reason=100")
    assert not [f for f in analyze(passed.encode(), offline=True).findings if f.id == "envelope.self_addressed"]


def test_a_recipient_of_a_message_without_destination_fields_is_said_so() -> None:
    # No To: or Cc: at all: "the sender put it in Bcc" was said as if others were addressed.
    from headerscope.api import analyze

    raw = (b"Received: from mx.sender.example (mx.sender.example [192.0.2.5]) by mx.dest.example with ESMTP id 1 "
           b"for <u@dest.example>; Mon, 2 Mar 2026 10:00:01 +0000\r\n"
           b"From: a@sender.example\r\nSubject: s\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    [bcc] = [d for d in analyze(raw, offline=True).envelope.differences if d.kind == "bcc"]
    assert "has no To: or Cc: field at all" in bcc.explanation and "put it in Bcc" not in bcc.explanation


def test_a_majordomo_copy_names_its_list_by_list_id_alone() -> None:
    """A majordomo archive copy has List-ID and no List-Post (RFC 2919 section 2: the list-id
    <linux-mm.kvack.org> names linux-mm@kvack.org). Its hops end at the list's intake, so the
    Return-Path (owner-linux-mm@, the list's resend) is no MAIL FROM of the boundary hop, even
    written directly above it: SPF pairing it with the author's relay would fail, and DMARC's
    "nothing can align" would be a false headline."""
    from headerscope.api import analyze

    copy = (
        b"Return-Path: <owner-linux-mm@kvack.example>\r\n"
        b"Received: from mail137.relay.example (mail137.relay.example [198.51.100.19]) by kanga.kvack.example "
        b"(Postfix) with ESMTP id C21B58D0043 for <linux-mm@kvack.example>; Sat, 12 Feb 2011 13:49:49 -0500 (EST)\r\n"
        b"Received: from unknown (HELO localhost.localdomain) (203.0.113.20) by smtp-01.isp.example with SMTP; "
        b"12 Feb 2011 18:49:40 -0000\r\n"
        b"From: Cesar <cesar@author.example>\r\nTo: linux-mm@kvack.example\r\nSubject: [PATCH] swap\r\n"
        b"Date: Sat, 12 Feb 2011 16:49:30 -0200\r\nMessage-ID: <2@author.example>\r\n"
        b"Sender: owner-linux-mm@kvack.example\r\nList-ID: <linux-mm.kvack.example>\r\n\r\nbody\r\n")
    report = analyze(copy, offline=True)
    [intake] = [f for f in report.findings if f.id == "envelope.list_intake"]
    assert "linux-mm@kvack.example" in intake.title
    spf = _spf_of(report)
    assert spf.client_ip == "198.51.100.19" and spf.mail_from is None
    assert not [f for f in report.findings if f.id == "dmarc.nothing_aligned"]
    # A Return-Path that is not the list's own stays the boundary hop's MAIL FROM.
    kept = analyze(copy.replace(b"Return-Path: <owner-linux-mm@kvack.example>",
                                b"Return-Path: <cesar@author.example>"), offline=True)
    assert _spf_of(kept).mail_from == "cesar@author.example"
    assert not [f for f in kept.findings if f.id == "envelope.list_intake"]


_SRS_OF_LIST_RESEND = (
    # A list archive's copy (the shape of lore.kernel.org's): the author's server handed the post
    # to the list (hop 2), majordomo expanded it and resent it with the list's own bounce address
    # (hop 3), and the organisation's forwarder rewrote that address with SRS (hop 4).
    b"Return-Path: <SRS0=UobA=R6=vger.kernel.example=linux-media-owner@kernel.example>\r\n"
    b"Received: from mail.kernel.example (mail.kernel.example [198.51.100.99]) by smtp.lore.kernel.example "
    b"(Postfix) with ESMTP id 7D5B6C43381 for <linux-media@archiver.kernel.example>; "
    b"Wed, 27 Mar 2019 15:21:14 +0000 (UTC)\r\n"
    b"Received: from vger.kernel.example (vger.kernel.example [198.51.100.67]) by mail.kernel.example "
    b"(Postfix) with ESMTP id 5619B2082F for <linux-media@archiver.kernel.example>; "
    b"Wed, 27 Mar 2019 15:21:14 +0000 (UTC)\r\n"
    b"Received: (majordomo@vger.kernel.example) by vger.kernel.example via listexpand id S1727795AbfC0PSv; "
    b"Wed, 27 Mar 2019 11:18:51 -0400\r\n"
    b"Received: from bhuna.author.example ([203.0.113.227]:48460 \"EHLO bhuna.author.example\") by "
    b"vger.kernel.example with ESMTP id S1725764AbfC0PSv; Wed, 27 Mar 2019 11:18:51 -0400\r\n"
    b"From: Andre <andre@author.example>\r\nTo: linux-media@vger.kernel.example\r\nSubject: [PATCH] vimc\r\n"
    b"Date: Wed, 27 Mar 2019 12:17:28 -0300\r\nMessage-Id: <3@author.example>\r\n"
    b"Sender: linux-media-owner@vger.kernel.example\r\nList-ID: <linux-media.vger.kernel.example>\r\n"
    b"X-Mailing-List: linux-media@vger.kernel.example\r\n\r\nbody\r\n")


def test_an_srs_return_path_encoding_the_lists_own_sender_is_no_mail_from_of_the_authors_hop() -> None:
    """RFC 7208 section 2.4: SPF checks one transaction's MAIL FROM. The SRS address encodes the
    MAIL FROM the forwarder received, here the list's resend (linux-media-owner@, its Sender:),
    not the one the author's server gave at the boundary hop (hop 2, into the list)."""
    from headerscope.api import analyze

    report = analyze(_SRS_OF_LIST_RESEND, offline=True)
    assert report.envelope.srs is not None
    assert report.envelope.srs.original_sender == "linux-media-owner@vger.kernel.example"
    spf = _spf_of(report)
    assert spf.client_ip == "203.0.113.227" and spf.mail_from is None
    [finding] = [f for f in report.findings if f.id == "envelope.srs_list_sender"]
    assert "linux-media-owner@vger.kernel.example" in finding.title
    assert "(its Sender:)" in finding.explanation
    # Without the list's marks the encoded sender is the author's server's MAIL FROM, as before.
    plain = (_SRS_OF_LIST_RESEND.replace(b"linux-media-owner", b"andre").replace(b"=vger.kernel.example=", b"=author.example=")
             .replace(b"Sender: andre@vger.kernel.example\r\nList-ID: <linux-media.vger.kernel.example>\r\n"
                      b"X-Mailing-List: linux-media@vger.kernel.example\r\n", b""))
    plain_report = analyze(plain, offline=True)
    assert _spf_of(plain_report).mail_from == "andre@author.example"
    assert not [f for f in plain_report.findings if f.id == "envelope.srs_list_sender"]


def test_a_list_received_at_its_lists_host_is_the_list_that_posts_at_its_domain() -> None:
    """Mailman posts as list@example.org (List-Post, X-BeenThere) and receives at
    list@lists.example.org (the address members write in Cc:, and an earlier hop's "for"):
    one list, so the member's copy came through that list, not a forward."""
    from headerscope.api import analyze

    copy = (
        b"Return-Path: <intel-wired-lan-bounces@osuosl.example>\r\n"
        b"Delivered-To: member@lfdr.example\r\n"
        b"Received: from smtp1.osuosl.example (smtp1.osuosl.example [198.51.100.138]) by mx.lfdr.example "
        b"(Postfix) with ESMTPS id 1 for <member@lfdr.example>; Tue, 5 Mar 2024 10:00:05 +0000\r\n"
        b"Received: from smtp4.osuosl.example (smtp4.osuosl.example [198.51.100.140]) by smtp1.osuosl.example "
        b"(Postfix) with ESMTP id 2 for <intel-wired-lan@lists.osuosl.example>; Tue, 5 Mar 2024 10:00:02 +0000\r\n"
        b"Received: from mail-pl1.google.example (mail-pl1.google.example [203.0.113.50]) by smtp4.osuosl.example "
        b"(Postfix) with ESMTPS id 3 for <intel-wired-lan@lists.osuosl.example>; Tue, 5 Mar 2024 10:00:01 +0000\r\n"
        b"From: Jason <jason@gmail.example>\r\nTo: maintainer@intel.example\r\n"
        b"Cc: intel-wired-lan@lists.osuosl.example\r\nSubject: [PATCH] ixgbe\r\n"
        b"Date: Tue, 5 Mar 2024 09:59:58 +0000\r\nMessage-ID: <4@gmail.example>\r\n"
        b"X-BeenThere: intel-wired-lan@osuosl.example\r\n"
        b"List-Id: Intel Wired LAN <intel-wired-lan.osuosl.example>\r\n"
        b"List-Post: <mailto:intel-wired-lan@osuosl.example>\r\n"
        b"Sender: \"Intel-wired-lan\" <intel-wired-lan-bounces@osuosl.example>\r\n\r\nbody\r\n")
    report = analyze(copy, offline=True)
    [forwarded] = [d for d in report.envelope.differences if d.kind == "list"]
    assert forwarded.header_value == "intel-wired-lan@lists.osuosl.example"
    assert "came through that list" in forwarded.explanation
    assert "forwarded or redirected" not in forwarded.explanation


def test_a_gmail_forward_does_not_say_dkim_or_arc_vouch_for_the_author() -> None:
    """A "+caf_=" forward says which checks can still authenticate the author, not that they
    do: this message carries neither a DKIM signature nor an ARC set."""
    envelope, _ = _run("Return-Path: <pawan+caf_=pawan=oss-india.test@gmail.com>\n"
                       "From: a@example.org\nTo: pawan@gmail.com\nSubject: s\n\nbody\n", (), boundary=None)
    [forwarded] = [d for d in envelope.differences if d.kind == "forwarded"]
    assert "vouch" not in forwarded.explanation
    assert "only a DKIM signature of the author's domain" in forwarded.explanation


# A blog's copy with a typo: the Return-Path lost its closing '>' (no MTA writes that).
_UNCLOSED_RETURN_PATH = b"""Return-Path: <newsletter@blog.example
Delivered-To: reader@example.net
Received: from mail.blog.example (mail.blog.example [192.0.2.44])
\tby mx.example.net (Postfix) with ESMTPS id 4Q1bC2x3Yz
\tfor <reader@example.net>; Tue, 14 Mar 2023 09:12:04 +0100 (CET)
From: Blog <newsletter@blog.example>
To: reader@example.net
Subject: New post
Date: Tue, 14 Mar 2023 09:12:01 +0100
Message-ID: <20230314081201.1@blog.example>

Hello
""".replace(b"\n", b"\r\n")


def test_a_return_path_with_unpaired_brackets_is_damaged_not_the_mail_from() -> None:
    from headerscope import analyze

    report = analyze(_UNCLOSED_RETURN_PATH, offline=True)
    envelope = report.envelope
    # Not a fact: no MAIL FROM, and SPF is not evaluated with it; what it reads as is a claim.
    assert envelope.mail_from is None and envelope.mail_from_source is None
    assert envelope.claimed_mail_from == "newsletter@blog.example"
    assert envelope.claimed_mail_from_source == "Return-Path (header 1), damaged: an unclosed '<'"
    assert report.spf is not None and report.spf.mail_from is None
    damaged = [f for f in report.findings if f.id == "envelope.damaged_return_path"]
    assert len(damaged) == 1 and "an unclosed '<'" in damaged[0].explanation
    assert "It reads as newsletter@blog.example" in damaged[0].explanation


def test_a_damaged_return_path_gives_way_to_the_receivers_envelope_from() -> None:
    from headerscope import analyze

    raw = _UNCLOSED_RETURN_PATH.replace(b"Return-Path: <newsletter@blog.example",
                                        b"Return-Path: bounce-7@blog.example>").replace(
        b"\tfor <reader@example.net>;", b"\t(envelope-from <bounce-7@blog.example>)\r\n\tfor <reader@example.net>;")
    report = analyze(raw, offline=True)
    assert report.envelope.mail_from == "bounce-7@blog.example"
    assert report.envelope.mail_from_source == "Received envelope-from (hop 1)"
    damaged = next(f for f in report.findings if f.id == "envelope.damaged_return_path")
    assert "a '>' with no '<' before it" in damaged.explanation
    assert "read from Received envelope-from (hop 1) instead" in damaged.explanation


def test_paired_brackets_and_bare_paths_are_not_damage() -> None:
    from headerscope.envelope import bracket_damage

    for value in ("<a@b.example>", "<>", "a@b.example", '<"odd>local"@b.example>', "<a@b.example> (via x>y)"):
        assert bracket_damage(value) is None, value
    assert bracket_damage("<a@b.example") == "an unclosed '<'"
    assert bracket_damage("<a@<b.example>") == "a second '<' inside the first"


def test_a_made_up_list_id_does_not_set_aside_the_mail_from_of_a_direct_spoof() -> None:
    """A direct spoof (attacker -> the victim's MX) with a List-Id the sender wrote, naming the
    recipient as a "list": the Return-Path the receiver wrote is the MAIL FROM of that very
    session. The list-intake reading needs a real list bounce address (owner-, -bounces,
    -request...), a list of another organisation than the author's, and a MAIL FROM that is
    neither the author's nor a recipient's; otherwise SPF judges the recorded MAIL FROM and a
    DMARC reject stands."""
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    spoof = (b"Return-Path: <ceo@examplebank.example>\r\n"
             b"Received: from mail.evil.example (mail.evil.example [203.0.113.66]) by mx1.examplebank.example "
             b"(Postfix) with ESMTP id 4F1A for <ceo@examplebank.example>; Mon, 10 Mar 2025 10:00:05 +0000\r\n"
             b"From: CFO <cfo@examplebank.example>\r\nTo: ceo@examplebank.example\r\nSubject: Urgent wire\r\n"
             b"List-Id: <ceo.examplebank.example>\r\nDate: Mon, 10 Mar 2025 10:00:00 +0000\r\n"
             b"Message-ID: <1@evil.example>\r\n\r\nPlease wire 50000 today.\r\n")
    dns = {"examplebank.example": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
           "_dmarc.examplebank.example": {"TXT": ["v=DMARC1; p=reject"]},
           "mail.evil.example": {"TXT": "NXDOMAIN", "A": "NXDOMAIN", "AAAA": "NXDOMAIN", "MX": "NXDOMAIN"}}
    for variant in (spoof,
                    # a list bounce form, but the "list" is the author's own organisation
                    spoof.replace(b"Return-Path: <ceo@", b"Return-Path: <owner-ceo@"),
                    # the list another organisation's, but the MAIL FROM is the recipient itself
                    spoof.replace(b"From: CFO <cfo@examplebank.example>", b"From: CFO <cfo@otherbank.example>")):
        report = analyze(variant, resolver=SnapshotResolver(dns))
        assert not [f for f in report.findings if f.id == "envelope.list_intake"]
        assert _spf_of(report).mail_from is not None and _spf_of(report).result == "fail"
    assert analyze(spoof, resolver=SnapshotResolver(dns)).verdict.status == "spoofed"


def test_relay_line_in_every_report_format() -> None:
    from headerscope.api import analyze
    from headerscope.render import get_renderer

    raw = (b"Received: from smtp-inbound1.duck.com (smtp-inbound1.duck.com [192.0.2.10])\r\n"
           b" by mx.owner.example with ESMTPS id 1; Mon, 3 Jun 2024 10:00:00 +0000\r\n"
           b"Delivered-To: owner@owner.example\r\n"
           b'Duck-Original-From: "Bob" <bob@sender.example>\r\n'
           b"From: Bob <bob_at_sender.example_myalias@duck.com>\r\nDuck-Original-To: <myalias@duck.com>\r\n"
           b"To: myalias@duck.com\r\nSubject: hi\r\nDate: Mon, 3 Jun 2024 09:59:00 +0000\r\n"
           b"Message-ID: <1@duck.example>\r\n\r\nbody\r\n")
    report = analyze(raw, offline=True)
    assert report.envelope.relay is not None
    text = " ".join(get_renderer("terminal", color=False, width=200).render(report).split())
    assert "Relayed by DuckDuckGo Email Protection for alias myalias@duck.com" in text
    assert "original sender bob@sender.example (the relay's claim" in text
    assert "original sender bob@sender.example" in get_renderer("markdown").render(report)
    assert 'id="envelope-relay"' in get_renderer("html").render(report)
    assert '"original_sender": "bob@sender.example"' in get_renderer("json").render(report)


def _gmail_delivery(client: str, ip: str, marks: str, to: str, below: str = "") -> bytes:
    """A message Gmail took from ``client`` and delivered to bob@gmail.com (its real Received
    layout), with ``marks`` and To: ``to`` written by whoever sent it; ``below``: Received
    fields under Gmail's, which the sender writes."""
    return ("Delivered-To: bob@gmail.com\r\n"
            "Received: by 2002:a05:6358:9d8e:b0:1c3:8a2e:5f41 with SMTP id fb2csp1201847qvb;\r\n"
            "        Fri, 20 Nov 2026 09:00:04 -0800 (PST)\r\n"
            "Return-Path: <ceo@bank.example>\r\n"
            f"Received: from {client} ({client}. [{ip}])\r\n"
            "        by mx.google.com with ESMTPS id af79cd13be357-8d3c2a91e7fsi5120843a.412\r\n"
            "        for <bob@gmail.com>\r\n"
            "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
            "        Fri, 20 Nov 2026 09:00:03 -0800 (PST)\r\n"
            f"{below}From: CEO <ceo@bank.example>\r\nTo: {to}\r\n{marks}Subject: invoice\r\n"
            "Date: Fri, 20 Nov 2026 17:00:00 +0000\r\nMessage-ID: <1@bank.example>\r\n\r\nbody\r\n").encode()


def test_relay_marks_without_the_relay_in_the_chain_keep_the_blind_copy() -> None:
    # A direct send (attacker -> mx.google.com, one hop) carrying a relay's marks: the marks are
    # the sender's text, so bob@gmail.com stays a possible Bcc, the relay's claim said beside it.
    from headerscope.api import analyze

    for marks, to, service in (
            ("", "Alice <abc123@privaterelay.appleid.com>", "Apple Hide My Email"),
            ("X-AnonAddy-Original-Sender: ceo@bank.example\r\n", "Alice <alice@partner.example>",
             "addy.io (AnonAddy)")):
        report = analyze(_gmail_delivery("mail.attacker.example", "203.0.113.9", marks, to), offline=True)
        [bob] = [d for d in report.envelope.differences if d.envelope_value == "bob@gmail.com"]
        assert bob.kind == "bcc", service
        relay = report.envelope.relay
        assert relay is not None and relay.service == service and relay.in_chain is False
        assert f"{service} does not appear in the message's Received chain" in relay.summary()
        assert relay.summary().startswith(f"Marked as relayed by {service}")
        assert "put it in Bcc (blind copy)" in bob.explanation
        assert (f"(unless the relay marks, which anyone can write, are true: {service} would then have forwarded "
                "it, but it does not appear in the Received chain)") in bob.explanation


def test_a_yandex_forward_mark_without_a_yandex_hand_over_is_no_relay() -> None:
    # Yandex writes X-Yandex-Forward on every delivery into its own mailboxes, forwarded or not (a
    # real 2012 direct delivery, gizmo.7host.ru -> mxfront4h.mail.yandex.net, verification V34b), and
    # rspamd's FWD_YANDEX reads it only on mail a Yandex host handed over: without that hand-over in
    # the receiving side's chain, the field says nothing (a direct send to Gmail carrying it either).
    from headerscope.api import analyze

    yandex = (b"received: from mxfront4h.mail.yandex.net ([127.0.0.1])\r\n\tby mxfront4h.mail.yandex.net with LMTP "
              b"id 4HNeKe76\r\n\tfor <shlex@yandex.ru>; Wed, 21 Mar 2012 17:04:17 +0400\r\n"
              b"received: from gizmo.7host.ru (gizmo.7host.ru [89.249.22.205])\r\n\tby mxfront4h.mail.yandex.net "
              b"(nwsmtp/Yandex) with ESMTP id 4GW4FSLH-4GW4O7pe;\tWed, 21 Mar 2012 17:04:16 +0400\r\n"
              b"x-yandex-front: mxfront4h.mail.yandex.net\r\nx-yandex-spam: 1\r\n"
              b"received: by gizmo.7host.ru (Postfix, from userid 501)\tid 909B4114049B; Wed, 21 Mar 2012 17:04:16 "
              b"+0400 (MSK)\r\nto: shlex@yandex.ru\r\nsubject: ERROR in clear cash\r\n"
              b"message-id: <20120321130416.909B4114049B@gizmo.7host.ru>\r\n"
              b"date: Wed, 21 Mar 2012 17:04:16 +0400 (MSK)\r\nfrom: ta@gizmo.7host.ru (ta)\r\n"
              b"x-yandex-forward: 916f01d73bdf8e7470a814134b4bb096\r\n\r\nbody\r\n")
    report = analyze(yandex, offline=True)
    assert report.envelope.relay is None
    assert not [d for d in report.envelope.differences if d.kind == "forwarded"]
    direct = analyze(_gmail_delivery("mail.attacker.example", "203.0.113.9", "X-Yandex-Forward: 1234567890abcdef\r\n",
                                     "Alice <alice@partner.example>"), offline=True)
    assert direct.envelope.relay is None
    [bob] = [d for d in direct.envelope.differences if d.envelope_value == "bob@gmail.com"]
    assert bob.kind == "bcc" and "relay marks" not in bob.explanation


def test_a_relay_whose_provider_is_the_receiver_is_not_said_missing_from_the_chain() -> None:
    # Mail to a Hide My Email alias delivered into an iCloud mailbox: iCloud's own hops receive
    # every message delivered there, so they neither show nor rule out the relay; the summary must
    # not say the relay is absent from a chain made of its provider's hosts.
    from headerscope.api import analyze

    # The two top hops of a real iCloud delivery (a me.com mailbox, 2024, published with the VSA file
    # format's Go package), the alias in place of the mailbox.
    raw = (b"Received: from ci74p00im-qukt09072702.me.com by "
           b"p116-mailgateway-smtp-746c496c44-6mknn (mailgateway 2403B92)\r\n"
           b"\twith SMTP id 4f24e911-87c4-4315-8f0b-f8245274ec19 \r\n\tfor <abc123@privaterelay.appleid.com>; "
           b"Tue, 2 Jan 2024 18:52:56 GMT\r\n"
           b"Received: from sender4-of-o50.zoho.com (sender4-of-o50.zoho.com [136.143.188.50])\r\n"
           b"\tby ci74p00im-qukt09072702.me.com (Postfix) with ESMTPS id 11C766C0012C\r\n"
           b"\tfor <abc123@privaterelay.appleid.com>; Tue,  2 Jan 2024 18:52:53 +0000 (UTC)\r\n"
           b"From: Shop <news@shop.example>\r\nTo: abc123@privaterelay.appleid.com\r\nSubject: s\r\n"
           b"Date: Tue, 02 Jan 2024 13:52:48 -0500\r\nMessage-ID: <1@shop.example>\r\n\r\nbody\r\n")
    relay = analyze(raw, offline=True).envelope.relay
    assert relay is not None and relay.service == "Apple Hide My Email" and relay.in_chain is False
    assert relay.received_by_relay is True
    assert "does not appear in the message's Received chain" not in relay.summary()
    assert "provider is the receiving side here" in relay.summary()
    # Received by another provider: the relay's absence is said as before.
    gmail = analyze(_gmail_delivery("mail.attacker.example", "203.0.113.9", "",
                                    "Alice <abc123@privaterelay.appleid.com>"), offline=True).envelope.relay
    assert gmail is not None and gmail.received_by_relay is False
    assert "does not appear in the message's Received chain" in gmail.summary()
    # A hop from an iCloud host to one named by a bare host name (iCloud's own mail gateway) is no
    # hand-over to another organisation.
    from headerscope.envelope import _relay_in_chain

    arrival = _from_hop(1, "sender4-of-o50.zoho.com", by="ci74p00im-qukt09072702.me.com")
    internal = _from_hop(2, "ci74p00im-qukt09072702.me.com", by="p116-mailgateway-smtp-746c496c44-6mknn")
    assert _relay_in_chain((arrival, internal), ("appleid.com", "icloud.com")) is False
    # A bare-named receiver of another provider than the relay's (a self-hosted "by mail (Postfix)"
    # taking SimpleLogin's forward, verification V35d) is the outside receiver it names.
    self_hosted = _from_hop(1, "mail-200163.simplelogin.co", by="mail")
    assert _relay_in_chain((self_hosted,), ("simplelogin.co",)) is True
    # A client name the receiver marked "(may be forged)" vouches for nothing (V35d).
    forged = dataclasses.replace(_from_hop(1, "forward501b.mail.yandex.net", by="mx.univ.example"),
                     raw="from x (forward501b.mail.yandex.net [198.51.100.66] (may be forged)) by mx.univ.example")
    assert _relay_in_chain((forged,), ("yandex.ru", "yandex.net", "yandex.com")) is False
    assert _relay_in_chain((_from_hop(1, "ci74p00im-qukt09072702.me.com", by="mx.google.com"),),
                           ("appleid.com", "icloud.com")) is True


def test_relay_hop_written_below_the_receiver_does_not_put_the_relay_in_the_chain() -> None:
    # A Received "by forward501a.mail.yandex.net" under Gmail's is one more line of the sender's.
    from headerscope.api import analyze

    forged = ("Received: from [10.1.2.3] by forward501a.mail.yandex.net with ESMTP id x1;\r\n"
              "        Fri, 20 Nov 2026 20:00:01 +0300\r\n")
    report = analyze(_gmail_delivery("mail.attacker.example", "203.0.113.9", "X-Yandex-Forward: 1234567890abcdef\r\n",
                                     "Alice <alice@partner.example>", below=forged), offline=True)
    assert [d.kind for d in report.envelope.differences if d.envelope_value == "bob@gmail.com"] == ["bcc"]
    assert report.envelope.relay is None  # Yandex's mark counts only with its hand-over in the chain


def test_relay_in_the_chain_is_a_forward() -> None:
    # Gmail took the message from the relay's own host: the relay did forward it to its alias's
    # owner, whose address is only in the envelope.
    from headerscope.api import analyze

    for client, ip, marks, to, service in (
            ("forward501a.mail.yandex.net", "178.154.239.80", "X-Yandex-Forward: 1234567890abcdef\r\n",
             "Alice <alice@partner.example>", "Yandex mail forwarding"),
            ("qs51p00im-qukt01072502.me.com", "17.57.155.17", "", "Alice <abc123@privaterelay.appleid.com>",
             "Apple Hide My Email"),
            ("mail.anonaddy.me", "192.0.2.33", "X-AnonAddy-Original-Sender: ceo@bank.example\r\n",
             "Alice <alice@partner.example>", "addy.io (AnonAddy)")):
        report = analyze(_gmail_delivery(client, ip, marks, to), offline=True)
        relay = report.envelope.relay
        assert relay is not None and relay.service == service and relay.in_chain is True
        assert relay.summary().startswith(f"Relayed by {service}") and "Received chain" not in relay.summary()
        [bob] = [d for d in report.envelope.differences if d.envelope_value == "bob@gmail.com"]
        assert bob.kind == "forwarded", service
        assert f"{service} forwarded it (by its marks" in bob.explanation and "not a blind copy" in bob.explanation


def _decoys(raw: bytes) -> list[Finding]:
    from headerscope.api import analyze

    return [f for f in analyze(raw, offline=True).findings if f.id == "envelope.address_decoy"]


def _from_field(value: bytes) -> bytes:
    return (b"Received: from mail.example.com (mail.example.com [192.0.2.25]) by mx.workspace.example with ESMTPS id 1;"
            b" Thu, 26 Nov 2026 09:12:47 -0800\r\nFrom: " + value + b"\r\nTo: bob@workspace.example\r\n"
            b"Subject: Your account\r\nDate: Thu, 26 Nov 2026 17:12:40 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nbody\r\n")


def test_address_whose_local_part_or_nul_shows_another_address_is_a_decoy() -> None:
    # A reader that stops at the NUL, or shows a quoted local part, displays service@paypal.com;
    # DMARC judges example.com, the domain after the last "@".
    for value in (b"PayPal <service@paypal.com\x00@example.com>", b'PayPal <"service@paypal.com"@example.com>',
                  b'"service@paypal.com"@example.com'):
        [decoy] = _decoys(_from_field(value))
        assert decoy.severity.value == "warning", value
        assert decoy.title == "From: address shows service@paypal.com, but its domain is example.com"
        assert "would display service@paypal.com (domain paypal.com)" in decoy.explanation
        assert "concern example.com" in decoy.explanation and "never paypal.com" in decoy.explanation
    [nul] = _decoys(_from_field(b"PayPal <service@paypal.com\x00@example.com>"))
    assert "stops at the NUL" in nul.explanation


def test_address_with_a_control_character_is_a_decoy_without_another_domain() -> None:
    [bell] = _decoys(_from_field(b"<service\x07@example.com>"))
    assert bell.title == "From: address holds a control character U+0007"
    assert "service<U+0007>@example.com" in bell.explanation and "would display service," in bell.explanation


def test_ordinary_quoted_local_parts_are_no_decoy() -> None:
    # RFC 5322 section 3.4.1 quoted strings without an address of another domain, and a
    # mis-encoded 8-bit letter (U+FFFD there stands for no NUL), show nothing else.
    for value in (b'"John Smith"@example.com', b'"info@example.com"@example.com', b"<jos\xe9@example.com>",
                  b"Alice <alice@example.com>"):
        assert _decoys(_from_field(value)) == [], value


def test_relay_marks_sent_straight_to_the_relays_own_provider_keep_the_blind_copy() -> None:
    # Verification V8: a spoof sent straight to an iCloud (or Yandex) mailbox with Hide My Email's
    # (or Yandex forwarding's) marks. The receiving provider's own hops are in every message it
    # receives: they show no forward. Only a hand-over from the relay's host to another
    # organisation's server does.
    from headerscope.api import analyze

    raw = (b"Received: from mx.icloud.com by p00-icloudmta-asmtp-us-west-1a-100-percent-3.p00-icloudmta-asmtp-vip."
           b"icloud-mail-production.svc.kube.us-west-1a.k8s.cloud.apple.com with ESMTPS id x;\r\n"
           b"        Fri, 20 Nov 2026 17:00:04 +0000\r\n"
           b"Received: from mail.attacker.example (mail.attacker.example [203.0.113.9])\r\n"
           b"        by mx01.mail.icloud.com with ESMTPS id y for <bob@icloud.com>;\r\n"
           b"        Fri, 20 Nov 2026 17:00:03 +0000\r\n"
           b"From: CEO <ceo@bank.example>\r\nTo: Alice <abc123@privaterelay.appleid.com>\r\nSubject: invoice\r\n"
           b"Date: Fri, 20 Nov 2026 17:00:00 +0000\r\nMessage-ID: <1@bank.example>\r\n\r\nbody\r\n")
    report = analyze(raw, offline=True)
    relay = report.envelope.relay
    assert relay is not None and relay.service == "Apple Hide My Email" and relay.in_chain is False
    assert [d.kind for d in report.envelope.differences if d.envelope_value == "bob@icloud.com"] == ["bcc"]


def test_look_alike_at_signs_dots_and_reversals_show_an_address_too() -> None:
    # Verification V8: a reader shows U+FF20 and U+FE6B as '@', full-width and leader dots as
    # '.', and text after a right-to-left override reversed (UAX #15 NFKC; UAX #9).
    for local in ("service\uff20paypal.com", "service\ufe6bpaypal.com", "service@paypal\uff0ecom",
                  "service@paypal\u2024com", "service @ paypal.com", "\u202emoc.lapyap@ecivres"):
        value = f'"{local}"@example.com'.encode()
        [decoy] = _decoys(_from_field(value))
        assert "paypal.com" in decoy.title, local
    # A display name in look-alike characters is the display-name decoy it imitates.
    from headerscope.api import analyze

    report = analyze(_from_field('"service\uff20paypal.com" <alice@example.com>'.encode()), offline=True)
    assert any(f.id == "envelope.display_name_address" for f in report.findings)
    # An X.400 gateway's address shows no DNS domain: no decoy.
    assert not _decoys(_from_field(b'"/G=John/S=Smith/O=Acme/@ACME.X400"@gw.example.com'))


def test_a_receiver_that_records_the_recipient_only_in_its_for_clause_keeps_injected_fields_out() -> None:
    # Postfix, Exim, sendmail and Exchange MXs often record the recipient only in "for <...>"
    # (verification V12 N1): a Delivered-To and X-Original-To in the sender's block below it
    # filled RCPT TO and made a Bcc.
    import headerscope

    raw = (b"Received: from evil.test (unknown [203.0.113.9]) by mx.corp.test (Postfix) with ESMTP id 1\r\n"
           b"\tfor <victim@corp.test>; Sun, 13 Aug 2023 05:04:54 +0000\r\n"
           b"Delivered-To: cfo@corp.test\r\nX-Original-To: payroll@corp.test\r\n"
           b"From: billing@evil.test\r\nTo: victim@corp.test\r\nSubject: invoice\r\n"
           b"Date: Sun, 13 Aug 2023 05:04:50 +0000\r\n\r\nx\r\n")
    envelope = headerscope.analyze(raw, offline=True).envelope
    assert envelope.rcpt_to == ("victim@corp.test",)
    # They are shown as claims beside it, never as RCPT TO or a Bcc (verification V12 N11).
    assert [d.kind for d in envelope.differences] == ["claimed_rcpt", "claimed_rcpt"]
    assert envelope.claimed_rcpt_to == ("cfo@corp.test", "payroll@corp.test")


def test_the_same_mailbox_name_at_another_host_of_the_organisation_is_no_blind_copy() -> None:
    # 1993 (real layout): sent to troyer@cgl.ucsf.edu, whose host forwarded it to
    # troyer@celeste.mmwb.ucsf.edu; its Received "for" names the second. One person, not a Bcc.
    import headerscope

    raw = (b"Received: from cgl.ucsf.edu by celeste.mmwb.ucsf.edu (920330.SGI/GSC4.22) id AA09530; "
           b"Mon, 14 Jun 93 01:07:23 -0700\r\n"
           b"Received: from vax1.tcd.ie by cgl.ucsf.edu (5.65/GSC4.22) id AA17383 for troyer@celeste.mmwb.ucsf.edu; "
           b"Mon, 14 Jun 93 01:06:40 -0700\r\n"
           b"From: RWALLACE@vax1.tcd.ie\r\nTo: troyer@cgl.ucsf.edu\r\nSubject: rules\r\n"
           b"Date: Mon, 14 Jun 1993 09:06 GMT\r\n\r\nx\r\n")
    envelope = headerscope.analyze(raw, offline=True).envelope
    assert envelope.rcpt_to == ("troyer@celeste.mmwb.ucsf.edu",)
    assert [d.kind for d in envelope.differences] == []
    # Another organisation's mailbox of the same name is still a blind copy.
    other = headerscope.analyze(raw.replace(b"To: troyer@cgl.ucsf.edu", b"To: troyer@cgl.example.org"),
                                offline=True).envelope
    assert [d.kind for d in other.differences] == ["bcc"]


def test_a_providers_delegation_mark_is_named_beside_the_sender() -> None:
    # Review AN 6: Exchange's "send on behalf" (MessageSentRepresentingType 2) and Gmail's mail
    # delegation (X-Google-Sender-Delegation) are the providers' own records of a delegation.
    envelope, _ = _run("From: Boss <boss@corp.example>\nSender: Assistant <pa@corp.example>\nTo: a@example.org\n"
                       "X-MS-Exchange-MessageSentRepresentingType: 2\nSubject: s\n")
    [sender] = [d for d in envelope.differences if d.kind == "sender"]
    assert "Exchange recorded a send on behalf of the mailbox (X-MS-Exchange-MessageSentRepresentingType: 2)" \
        in sender.explanation
    assert "the author agreed" in sender.explanation
    envelope, _ = _run("From: Boss <boss@corp.example>\nSender: pa@gmail.example\nTo: a@example.org\n"
                       "X-Google-Sender-Delegation: pa@gmail.example\nSubject: s\n")
    [sender] = [d for d in envelope.differences if d.kind == "sender"]
    assert "X-Google-Sender-Delegation: pa@gmail.example" in sender.explanation


def test_a_sender_beside_a_lists_rewritten_from_acts_for_the_author() -> None:
    # Review AN 3: Google Calendar sent an invitation for its author (Sender:), and a Google Group
    # then put its own address in From: (X-Original-From keeps the author): Calendar did not act
    # for the list.
    envelope, _ = _run("From: 'Nick' via kasan-dev <kasan-dev@googlegroups.example>\n"
                       "X-Original-From: Nick <nick@google.example>\nSender: calendar-notification@google.example\n"
                       "List-Id: <kasan-dev.googlegroups.example>\nTo: kasan-dev@googlegroups.example\nSubject: s\n")
    [sender] = [d for d in envelope.differences if d.kind == "sender"]
    assert ("on behalf of the author (nick@google.example; the list put its own address, "
            "kasan-dev@googlegroups.example, in From: afterwards)") in sender.explanation


def test_an_empty_reply_to_and_a_sender_with_two_at_signs_are_invalid_fields() -> None:
    # A billing lure relayed through a Microsoft 365 tenant (phishing_pot layout): "Reply-To:" with
    # nothing after it, and a Sender: with two "@" (RFC 5322 sections 3.6.2 and 3.4.1).
    _, findings = _run("From: Urgent Billing <billing@b3ila.example>\nSender: phishing@pot@b3ila.example\n"
                       "Reply-To:\nTo: victim@receiver.example\n")
    [finding] = [f for f in findings if f.id == "envelope.invalid_originator"]
    assert finding.severity.value == "notice" and finding.title == "Invalid Sender: and Reply-To: fields"
    assert 'Sender: phishing@pot@b3ila.example holds 2 "@"' in finding.explanation
    assert "Reply-To: is empty, but RFC 5322 section 3.6.2 requires at least one address" in finding.explanation
    # In From: it is a warning; a quoted local part may hold an "@", and valid fields say nothing.
    _, findings = _run("From: phish@pot@b3ila.example\nTo: victim@receiver.example\n")
    assert [f.severity.value for f in findings if f.id == "envelope.invalid_originator"] == ["warning"]
    _, findings = _run('From: Alice <alice@sender.test>\nSender: "list@owner"@sender.test\n'
                       "Reply-To: Team <team@sender.test>, bob@sender.test\nTo: bob@receiver.test\n")
    assert not [f for f in findings if f.id == "envelope.invalid_originator"]
    # Sender: names one mailbox.
    _, findings = _run("From: a@sender.test\nSender: a@sender.test, b@sender.test\nTo: bob@receiver.test\n")
    [finding] = [f for f in findings if f.id == "envelope.invalid_originator"]
    assert "Sender: names 2 mailboxes, but RFC 5322 section 3.6.2 allows one" in finding.explanation
    # Review V17 N10 (a real spoof's "sender: GLS-Benachrichtigung, <service@stayfriends.de>"): one
    # mailbox with an unquoted comma in its display name (RFC 5322 section 3.4), not two mailboxes.
    _, findings = _run("From: a@sender.test\nSender: GLS-Benachrichtigung, <service@stayfriends.example>\n"
                       "To: bob@receiver.test\n")
    [finding] = [f for f in findings if f.id == "envelope.invalid_originator"]
    assert "names 2 mailboxes" not in finding.explanation
    assert ('Sender: has an unquoted comma in its display name, which splits it: "GLS-Benachrichtigung" before the '
            "comma is read as a mailbox of its own, with no address") in finding.explanation
    assert "a display name holding a comma must be quoted (RFC 5322 section 3.4)" in finding.explanation
    # Quoted, the same display name is a valid Sender:.
    _, findings = _run('From: a@sender.test\nSender: "GLS-Benachrichtigung, Paket" <service@stayfriends.example>\n'
                       "To: bob@receiver.test\n")
    assert not [f for f in findings if f.id == "envelope.invalid_originator"]


def test_list_marks_a_spoofer_writes_do_not_silence_the_reply_to_notice() -> None:
    # Verification V33: a From: at the spoofer's own domain encoding a trusted author beside a List-Id
    # of its own (D1), and old-style marks (an owner- Return-Path, Sender: the "list") with no list
    # field at all (D2), silenced "Reply-To points to another domain".
    import headerscope

    for raw in ((b"Return-Path: <bounce@evil.example>\r\n"
                 b"From: \"CEO via groups.io\" <ceo=bank-example.com@evil.example>\r\nTo: alice@victim.example\r\n"
                 b"List-Id: <x.evil.example>\r\nSender: x@evil.example\r\nReply-To: ceo@bank-example.com\r\n"),
                (b"Return-Path: <owner-pay@evil.example>\r\nFrom: CEO <ceo@bank.example>\r\nTo: alice@victim.example\r\n"
                 b"Sender: pay@evil.example\r\nReply-To: pay@evil.example\r\n")):
        raw = (raw.replace(b"Return-Path", b"Received: from mail.evil.example (mail.evil.example [203.0.113.66])\r\n"
                           b"\tby mx.victim.example (Postfix) with ESMTPS id 46D246E4170\r\n\tfor <alice@victim.example>; "
                           b"Tue, 14 Oct 2025 14:12:08 +0000 (UTC)\r\nReturn-Path", 1)
               + b"Subject: Wire today\r\nDate: Tue, 14 Oct 2025 14:12:03 +0000\r\nMessage-ID: <1@evil.example>\r\n\r\npay\r\n")
        report = headerscope.analyze(raw, offline=True)
        assert "envelope.reply_to_other_domain" in {f.id for f in report.findings}, raw[:200]
        assert "reply_to_domain" in [d.kind for d in report.envelope.differences]


def test_a_forward_told_by_its_envelope_rewrite_is_a_sentence() -> None:
    # Verification V38b: a real Gmail-to-Gmail automatic forward; the rewrite's words started a
    # sentence in lower case ("... is not in To: or Cc:. the envelope sender ...").
    from headerscope.api import analyze

    raw = (b"Delivered-To: second@gmail.com\r\n"
           b"Received: by 2002:a05:7010:1:b0:1:1:1 with SMTP id x; Mon, 2 Mar 2026 10:00:03 -0800 (PST)\r\n"
           b"Return-Path: <first+caf_=second=gmail.com@gmail.com>\r\n"
           b"Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com "
           b"with SMTPS id y for <second@gmail.com>; Mon, 2 Mar 2026 10:00:02 -0800 (PST)\r\n"
           b"Delivered-To: first@gmail.com\r\n"
           b"Received: by 2002:a05:7010:1:b0:1:1:2 with SMTP id z; Mon, 2 Mar 2026 10:00:01 -0800 (PST)\r\n"
           b"From: a@sender.example\r\nTo: first@gmail.com\r\nSubject: s\r\n"
           b"Date: Mon, 2 Mar 2026 18:00:00 +0000\r\n\r\nbody\r\n")
    # With it, the rewrite tells it, in a sentence that starts as one.
    differences = analyze(raw, offline=True).envelope.differences
    [second] = [d for d in differences if d.kind == "forwarded" and d.envelope_value == "second@gmail.com"]
    assert "is not in To: or Cc:. The envelope sender first+caf_=second=gmail.com@gmail.com is Gmail's" \
        in second.explanation


# A lists.linux.dev message as lore.kernel.org (mail.lfdr.de) received it (real): the list's server
# smtp.subspace.kernel.org writes X-Original-To: with the list's posting address.
_LORE_NVDIMM = (b"Return-Path: <nvdimm+bounces-14428-lists+linux-nvdimm=lfdr.de@lists.linux.dev>\r\n"
                b"Delivered-To: lists+linux-nvdimm@lfdr.de\r\nX-Original-To: lists+linux-nvdimm@lfdr.de\r\n"
                b"Received: from sea.lore.kernel.org (sea.lore.kernel.org [172.234.253.10])\r\n"
                b"\tby mail.lfdr.de (Postfix) with ESMTPS id C016D688344\r\n"
                b"\tfor <lists+linux-nvdimm@lfdr.de>; Mon, 15 Jun 2026 18:14:41 +0200 (CEST)\r\n"
                b"Received: from smtp.subspace.kernel.org (conduit.subspace.kernel.org [100.90.174.1])\r\n"
                b"\tby sea.lore.kernel.org (Postfix) with ESMTP id 8FED3314751A\r\n"
                b"\tfor <lists+linux-nvdimm@lfdr.de>; Mon, 15 Jun 2026 16:07:14 +0000 (UTC)\r\n"
                b"Received: from localhost.localdomain (localhost.localdomain [127.0.0.1])\r\n"
                b"\tby smtp.subspace.kernel.org (Postfix) with ESMTP id 5B059407CDD;\r\n"
                b"\tMon, 15 Jun 2026 16:07:04 +0000 (UTC)\r\n"
                b"X-Original-To: nvdimm@lists.linux.dev\r\n"
                b"Received: from a8-156.smtp-out.amazonses.com (a8-156.smtp-out.amazonses.com [54.240.8.156])\r\n"
                b"\tby smtp.subspace.kernel.org (Postfix) with ESMTPS id B98A2408603\r\n"
                b"\tfor <nvdimm@lists.linux.dev>; Mon, 15 Jun 2026 16:07:02 +0000 (UTC)\r\n"
                b"Subject: [PATCH] x\r\nFrom: John <john@jagalactic.example>\r\nTo: nvdimm@lists.linux.dev\r\n"
                b"Date: Mon, 15 Jun 2026 16:07:01 +0000\r\nX-Mailing-List: nvdimm@lists.linux.dev\r\n"
                b"List-Id: <nvdimm.lists.linux.dev>\r\nList-Subscribe: <mailto:nvdimm+subscribe@lists.linux.dev>\r\n"
                b"\r\nbody\r\n")


def test_a_list_servers_own_delivery_to_the_list_address_is_the_lists_not_a_mailbox_first() -> None:
    # Verification V38d: lists.linux.dev is received by smtp.subspace.kernel.org (real lore copy,
    # mail.lfdr.de's): its X-Original-To is the list's own posting address, the one X-Mailing-List
    # names. It read "delivered to that mailbox first, then sent on ... to the list" because the
    # writer's organisation (kernel.org) is not the List-Id's (linux.dev).
    from headerscope.api import analyze

    raw = _LORE_NVDIMM
    [earlier] = [f for f in analyze(raw, offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert "the list's server received it first and sent it on to its members" in earlier.explanation
    assert "delivered to that mailbox first" not in earlier.explanation
    # An earlier mailbox that is not the list's address keeps the "mailbox first" reading.
    mailbox = raw.replace(b"X-Original-To: nvdimm@lists.linux.dev", b"X-Original-To: john@kernel.org")
    [earlier] = [f for f in analyze(mailbox, offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert "delivered to that mailbox first" in earlier.explanation


_SELF_SPOOF = ("Authentication-Results: spf=fail (sender IP is 198.51.100.52)\r\n"
               " smtp.mailfrom=victim.example; dkim=none (message not signed)\r\n"
               " header.d=none;dmarc=fail action=none header.from=victim.example;compauth=fail\r\n"
               " reason=001\r\n"
               "Received: from mail.badhost.example (198.51.100.52) by\r\n"
               " DM6NAM10FT113.mail.protection.outlook.com (10.13.152.75) with Microsoft SMTP\r\n"
               " Server id 15.20.6002.13 via Frontend Transport; Mon, 2 Mar 2026 10:00:01 +0000\r\n"
               "From: \"Nemani\" <nemani@victim.example>\r\nTo: Recipients <nemani@victim.example>\r\n"
               "Subject: I have access to your device\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\npay\r\n")


def _self_addressed_severity(raw: str) -> list[str]:
    from headerscope.api import analyze

    return [f.severity.value for f in analyze(raw.encode(), offline=True).findings if f.id == "envelope.self_addressed"]


def test_a_recipient_the_sender_wrote_does_not_choose_the_from_yourself_reading() -> None:
    # Verification V39a: with no recipient recorded by the receiver, a Received "for" below the
    # boundary (the sender's own line) filled the envelope recipient: naming another address removed
    # the finding, naming the From: address made it the warning. Both stay the notice.
    assert _self_addressed_severity(_SELF_SPOOF) == ["notice"]
    for named in ("carol@victim.example", "nemani@victim.example"):
        forged = _SELF_SPOOF.replace(
            "From: ", f"Received: from x by mail.badhost.example with ESMTP for <{named}>; "
                      "Mon, 2 Mar 2026 10:00:00 +0000\r\nFrom: ", 1)
        assert _self_addressed_severity(forged) == ["notice"], named


def test_the_from_yourself_mailbox_as_its_delivery_agent_writes_it() -> None:
    # Verification V39a: a sub-address (RFC 5233) or qmail's virtual-domain form of the From:
    # address in Delivered-To is that mailbox: the finding vanished because the strings differ.
    assert _self_addressed_severity("Delivered-To: nemani+inbox@victim.example\r\n" + _SELF_SPOOF) == ["warning"]
    assert _self_addressed_severity("Delivered-To: victim.example-nemani@victim.example\r\n"
                                    "Received: (qmail 1234 invoked from network); 2 Mar 2026 10:00:02 -0000\r\n"
                                    + _SELF_SPOOF) == ["warning"]
    # Another mailbox's delivery is no "from yourself".
    assert _self_addressed_severity("Delivered-To: carol+inbox@victim.example\r\n" + _SELF_SPOOF) == []


def test_a_forged_list_post_naming_the_first_recipient_does_not_make_a_replay_a_list_copy() -> None:
    # Verification V39a: a replay (first delivered by mx.google.com to first@gmail.com, sent on from
    # another server under its own envelope) with a List-Post naming first@gmail.com read "the list's
    # server received it first": the earlier delivery counts as the list's only when the list resent
    # it under its own envelope sender.
    from headerscope.api import analyze

    raw = ("Delivered-To: target@receiver.example\r\n"
           "Received: from vps.sendr.example (vps.sendr.example [203.0.113.7]) by mx.receiver.example (Postfix) "
           "with ESMTPS id 1 for <target@receiver.example>; Mon, 2 Mar 2026 11:00:00 +0000\r\n"
           "Return-Path: <bounce@sendr.example>\r\n"
           "X-Original-To: first@gmail.com\r\nDelivered-To: first@gmail.com\r\n"
           "Received: from mail.brand.example (mail.brand.example [198.51.100.2]) by mx.google.com with ESMTPS "
           "id 2 for <first@gmail.com>; Mon, 2 Mar 2026 10:00:00 +0000\r\n"
           "DKIM-Signature: v=1; a=rsa-sha256; d=brand.example; s=s1; h=from:subject; bh=eA==; b=eQ==\r\n"
           "From: news@brand.example\r\nTo: first@gmail.com\r\nSubject: s\r\n"
           "Date: Mon, 2 Mar 2026 09:59:00 +0000\r\n"
           "List-Id: <news.lists.brand.example>\r\nList-Post: <mailto:first@gmail.com>\r\n\r\nbody\r\n")
    [earlier] = [f for f in analyze(raw.encode(), offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert "the list's server received it first" not in earlier.explanation
    assert "delivered to that mailbox first" in earlier.explanation


def test_the_list_sentences_name_a_list_id_with_its_encoded_description_decoded() -> None:
    # Mailman's CookHeaders writes the list's description as an RFC 2047 encoded-word before the
    # list-id (uheader, then formataddr); the Bulk section showed it decoded, the envelope's list
    # sentences as written ("a mailing list (=?utf-8?q?...?= <nvdimm.lists.linux.dev>)").
    from headerscope.api import analyze

    written = b"List-Id: <nvdimm.lists.linux.dev>"
    assert _LORE_NVDIMM.count(written) == 1
    raw = _LORE_NVDIMM.replace(written, b"List-Id: =?utf-8?q?Liste_f=C3=BCr_Entwickler?= <nvdimm.lists.linux.dev>")
    shown = "(Liste f\u00fcr Entwickler <nvdimm.lists.linux.dev>)"
    [earlier] = [f for f in analyze(raw, offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert f"The message came through a mailing list {shown}: the list's server" in earlier.explanation, \
        earlier.explanation
    # Delivered to another mailbox first, then sent on to the list: the list named the same way.
    mailbox = raw.replace(b"X-Original-To: nvdimm@lists.linux.dev", b"X-Original-To: john@kernel.org")
    [earlier] = [f for f in analyze(mailbox, offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert f"to the list {shown}, which received it later" in earlier.explanation, earlier.explanation
    # A member's address the header does not name: the "list" difference says the list so too;
    # its header_value keeps the field as written (the evidence, shown as code).
    # (The shape of test_a_list_members_delivery_is_explained_by_the_list_not_an_alias_or_forward.)
    member = (b"Delivered-To: member@example.net\r\nReturn-Path: <list-bounces@lists.example.org>\r\n"
              b"Received: from lists.example.org (lists.example.org [192.0.2.9]) by mx.example.net with ESMTP "
              b"id 1 for <member@example.net>; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
              b"Received: from mail.author.example (mail.author.example [198.51.100.1]) by lists.example.org "
              b"with ESMTP id 2 for <dev@lists.example.org>; Mon, 2 Nov 2026 10:00:02 +0000\r\n"
              b"List-Id: =?utf-8?q?Liste_f=C3=BCr_Entwickler?= <dev.lists.example.org>\r\n"
              b"From: a@author.example\r\nTo: someone@author.example\r\nSubject: patch\r\n"
              b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    [listed] = [d for d in analyze(member, offline=True).envelope.differences if d.kind == "list"]
    assert ("The message came through a mailing list (Liste f\u00fcr Entwickler <dev.lists.example.org>), which "
            "resent it") in listed.explanation, listed
    assert listed.header_value == "=?utf-8?q?Liste_f=C3=BCr_Entwickler?= <dev.lists.example.org>"
    # Only the phrase is decoded: an "encoded-word" as the list-id is that text (RFC 2047 section 5),
    # a decoded line break is a space, and the sentence stays 200 characters at most.
    odd = raw.replace(b"<nvdimm.lists.linux.dev>", b"<=?utf-8?q?paypal.com?=>").replace(
        b"Liste_f=C3=BCr_Entwickler", b"Pay=0D=0APal")
    [earlier] = [f for f in analyze(odd, offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert "list (Pay Pal <=?utf-8?q?paypal.com?=>)" in earlier.explanation, earlier.explanation
    long = raw.replace(b"Liste_f=C3=BCr_Entwickler", b"=C3=BC" * 2000)
    [earlier] = [f for f in analyze(long, offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert "list (" + "\u00fc" * 200 + ")" in earlier.explanation, earlier.explanation
    # The organisation the checks read is the list-id's, as written, whatever the phrase says.
    plain = [f for f in analyze(_LORE_NVDIMM, offline=True).findings if f.id == "envelope.earlier_delivery"]
    assert [f.severity for f in plain] == [f.severity for f in analyze(raw, offline=True).findings
                                           if f.id == "envelope.earlier_delivery"]


def test_a_display_name_word_mixing_latin_with_cyrillic_or_greek_is_a_warning_and_real_names_are_not() -> None:
    # Verification V55a D-3: "Аррlе Support" (Cyrillic А р р е, Latin l) from support@evil.example
    # got no finding. Unicode UTS #39 section 5: mixed scripts in one word is a spoofing sign.
    import base64

    import headerscope

    def mixed(name: str) -> list[headerscope.Finding]:
        encoded = base64.b64encode(name.encode()).decode()
        raw = (f"From: =?utf-8?B?{encoded}?= <support@evil.example>\r\nTo: b@example.net\r\nSubject: Hi\r\n"
               "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m1@evil.example>\r\n\r\nx\r\n").encode()
        return [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "envelope.display_name_mixed_script"]

    [found] = mixed("Аррlе Support")
    assert found.severity.value == "warning" and found.subject == "From"
    assert found.title == "From: display name mixes Cyrillic and Latin letters in one word (“Аррlе”, which reads as “apple”)"
    assert "support@evil.example" in found.explanation
    [found] = mixed("PayPal Ѕесurity Team")  # Cyrillic Ѕ е с in "Security"
    assert "(“Ѕесurity”, which reads as “security”)" in found.title
    [found] = mixed("Microsοft Account")  # a Greek omicron
    assert "mixes Greek and Latin letters" in found.title
    # Real names: whole words in one script beside each other, digits and punctuation, Latin
    # letters with marks (composed or not), ideographs with Latin, Greek and Cyrillic names.
    for name in ("Иван Petrov", "Иван-Petrov", "東京 Tokyo Office", "Γιώργος Παπαδόπουλος", "Zoë Müller-Łukasiewicz",
                 "Zoe\u0308 Mu\u0308ller", "Сбербанк 24/7 Support", "Ελληνικά 2024 (Athens)", "Support", "Dvořák & Søn"):
        assert mixed(name) == [], name


def _display_name_findings(name: str, address: str = "support@evil.example") -> list[Finding]:
    """The look-alike findings (mixed script, whole-script) of a message From: a display name."""
    import base64

    import headerscope

    encoded = base64.b64encode(name.encode()).decode()
    raw = (f"From: =?utf-8?B?{encoded}?= <{address}>\r\nTo: b@example.net\r\nSubject: Hi\r\n"
           "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m1@evil.example>\r\n\r\nx\r\n").encode()
    return [f for f in headerscope.analyze(raw, offline=True).findings
            if f.id in ("envelope.display_name_mixed_script", "envelope.display_name_lookalike")]


def test_a_display_name_word_in_another_script_or_stand_in_letters_that_reads_as_ascii_is_a_warning() -> None:
    # Verification V56b D-2: a word whose every letter is an ASCII letter's twin, written in another
    # script (a whole-script confusable, Unicode UTS #39 section 4) or in letters that spell no
    # language (Roman numerals, mathematical letters, small capitals), got no finding; nor did
    # Latin mixed with Armenian, Cherokee or Lisu letters.
    [found] = _display_name_findings("АррӀе Support")  # all Cyrillic, with a palochka
    assert (found.id, found.severity.value, found.subject) == ("envelope.display_name_lookalike", "warning", "From")
    assert found.title == "From: display name writes “АррӀе” in Cyrillic letters that read as “apple”"
    assert "support@evil.example" in found.explanation and "cyrillic letter palochka" in found.explanation
    [found] = _display_name_findings("Раураӏ")
    assert found.title == "From: display name writes “Раураӏ” in Cyrillic letters that read as “paypal”"
    for name, word, reading in (("Ⅿicrosoft Account", "Ⅿicrosoft", "microsoft"), ("Pay𝐏al", "Pay𝐏al", "paypal"),
                                ("ᴀpple ID", "ᴀpple", "apple"), ("𝐏𝐚𝐲𝐏𝐚𝐥 Service", "𝐏𝐚𝐲𝐏𝐚𝐥", "paypal")):
        [found] = _display_name_findings(name)
        assert found.title == f"From: display name writes “{word}” with look-alike characters that read as “{reading}”"
    for name, scripts, word, reading in (("Gօօgle Security", "Armenian and Latin", "Gօօgle", "google"),
                                         ("Ꭺpple", "Cherokee and Latin", "Ꭺpple", "apple"),
                                         ("ꓮpple Store", "Latin and Lisu", "ꓮpple", "apple")):
        [found] = _display_name_findings(name)
        assert found.id == "envelope.display_name_mixed_script"
        assert found.title == (f"From: display name mixes {scripts} letters in one word (“{word}”, which reads "
                               f"as “{reading}”)")
    # A name that writes the script as its own (another word with a letter that has no ASCII
    # twin), short words, and Latin letters of
    # a language's spelling (a Turkish dotless ı reads as "i") or fullwidth ones (CJK text) are
    # words of their own.
    for name in ("Роса Иванова", "ΕΤΑΙΡΕΙΑ ΠΛΗΡΟΦΟΡΙΚΗΣ", "Yıldız Altın", "ＡＢＣ株式会社", "ΑΝ Group", "с уважением",
                 "Ōtsuka Łódź", "ΣΟΦΙΑ Sofia"):
        assert _display_name_findings(name) == [], name
    # The address's country domain excuses nothing: the sender picks it as freely as the name.
    assert [f.id for f in _display_name_findings("АррӀе Support", "support@evil.ru")] == ["envelope.display_name_lookalike"]


def test_greek_or_cyrillic_letters_used_as_symbols_in_a_latin_word_are_not_a_mixed_script_warning() -> None:
    # Verification V56b D-3: "μTorrent" (a Greek mu, as the brand is written) was told as a word
    # mixing Greek and Latin letters. A few Greek or Cyrillic letters with no ASCII twin among
    # more Latin ones read as no other word: symbols, a band's reversed R.
    for name in ("μTorrent", "Ωmega Watches", "Δelta Airlines", "AμB Group", "πr² Labs", "KoЯn"):
        assert _display_name_findings(name) == [], name
    # Words that read as an ASCII word, and Latin letters slipped into a Cyrillic word, still do.
    [found] = _display_name_findings("Аррlе")
    assert "(“Аррlе”, which reads as “apple”)" in found.title
    [found] = _display_name_findings("ΑΡΡLΕ")  # Greek capitals with a Latin L
    assert "mixes Greek and Latin letters in one word (“ΑΡΡLΕ”, which reads as “apple”)" in found.title
    [found] = _display_name_findings("Сбербaнк Онлайн")  # a Latin a
    assert found.title == "From: display name mixes Cyrillic and Latin letters in one word (“Сбербaнк”)"


def test_a_latin_word_with_one_look_alike_of_another_script_is_told_whatever_other_letters_it_holds() -> None:
    # Verification V58b D-4: one letter with no ASCII twin (an accented Latin é, a Cyrillic к read
    # by its capital К, a Greek χ) removed the mixed-script warning that the code before 22c7f09 gave.
    for name, word, reading, scripts in (("Facebooк Security", "Facebooк", "facebook", "Cyrillic and Latin"),
                                         ("Nеstlé", "Nеstlé", "nestle", "Cyrillic and Latin"),
                                         ("Sосiété Générale", "Sосiété", "societe", "Cyrillic and Latin"),
                                         ("LinкedIn", "LinкedIn", "linkedin", "Cyrillic and Latin"),
                                         ("Netfliχ", "Netfliχ", "netflix", "Greek and Latin"),
                                         ("Citroёn", "Citroёn", "citroen", "Cyrillic and Latin"),
                                         ("Gօօglé", "Gօօglé", "google", "Armenian and Latin"),
                                         ("Ꭺpplé", "Ꭺpplé", "apple", "Cherokee and Latin")):
        [found] = _display_name_findings(name)
        assert found.id == "envelope.display_name_mixed_script", name
        assert found.title == (f"From: display name mixes {scripts} letters in one word (“{word}”, which reads "
                               f"as “{reading}”)")
    # Symbols of Latin text stay symbols (Unicode encodes μ, Ω, π as such: MICRO SIGN, OHM SIGN).
    for name in ("μTorrent", "Ωmega Watches", "AμB Group", "πr² Labs", "KoЯn", "Zoë Müller"):
        assert _display_name_findings(name) == [], name


def test_cyrillic_and_greek_names_in_capitals_are_not_whole_script_look_alikes_unless_beside_latin_words() -> None:
    # Verification V58b D-5: genuine names and brands in capitals ("МТС" from mts.ru, "ΟΤΕ" from
    # ote.gr, a Greek name as Greek systems write it) were told as reading "mtc", "ote", "mapla".
    for name, address in (("МТС", "info@mts.ru"), ("ТЕРЕМОК", "info@teremok.ru"), ("ООО ТЕРЕМОК", "a@example.com"),
                          ("ΜΑΡΙΑ ΚΑΡΑΜΗΤΡΟΥ", "maria@example.gr"), ("ΟΤΕ", "noreply@ote.gr"), ("ΚΤΕΟ", "a@example.gr"),
                          ("ΤΕΧΝΟ ΜΑΡΚΕΤ", "a@example.gr"), ("КАРТА", "a@example.com"), ("МОСКВА", "a@example.com"),
                          ("ΕΙΡΗΝΗ", "a@example.com"), ("Սոս", "a@example.am"), ("Тех", "a@example.com")):
        assert _display_name_findings(name, address) == [], name
    # Capitals beside a Latin word are written for Latin readers; small look-alikes, and other
    # scripts' capitals, are told from any domain.
    for name, word, reading in (("ΑΜΑΖΟΝ Support", "ΑΜΑΖΟΝ", "amazon"), ("ЕВАУ Customer Service", "ЕВАУ", "ebay"),
                                ("Аррӏе", "Аррӏе", "apple"), ("ᎪᏢᏢᏞᎬ", "ᎪᏢᏢᏞᎬ", "apple")):
        [found] = _display_name_findings(name, "support@evil.ru")
        assert found.id == "envelope.display_name_lookalike", name
        assert f"“{word}”" in found.title and f"read as “{reading}”" in found.title, found.title


def test_invisible_characters_inside_a_display_name_word_do_not_split_it() -> None:
    # Verification V58b D-6: a soft hyphen or zero-width space parted "Ра\u00adу\u00adРа\u00adӀ"
    # (Cyrillic PayPal) into two-letter pieces, and "Α\u200bpple" into a Greek Α and "pple".
    for name, found_id, word in (("Ра\u00adу\u00adРа\u00adӀ", "envelope.display_name_lookalike", "РауРаӀ"),
                                 ("Α\u200bpple", "envelope.display_name_mixed_script", "Αpple"),
                                 ("Ар\u2060рӀе\ufeff Support", "envelope.display_name_lookalike", "АррӀе"),
                                 ("Ар\u200cр\u200dӀе", "envelope.display_name_lookalike", "АррӀе")):
        [found] = _display_name_findings(name)
        assert found.id == found_id, name
        assert f"“{word}”" in found.title, found.title


def test_capitals_beside_accented_or_fullwidth_latin_words_and_letters_of_no_national_alphabet_are_told() -> None:
    # Verification V61a D-5: only an ASCII word counted as Latin beside a Greek/Cyrillic capitals
    # word, so French or Turkish words (always accented) and fullwidth ones hid the brand. D-6: a
    # 3-letter capitals acronym beside a Latin word was under the 4-letter minimum. D-7: capitals
    # alone with a letter no Russian, Ukrainian, Belarusian, Bulgarian or Greek word uses (Ѕ, Ӏ, Ϲ)
    # were excused as a native acronym.
    for name, word, reading in (("ΑΜΑΖΟΝ Sécurité", "ΑΜΑΖΟΝ", "amazon"), ("ΡΑΥΡΑΙ Müşteri Hizmetleri", "ΡΑΥΡΑΙ", "paypal"),
                                ("ΑΜΑΖΟΝ Ｓｕｐｐｏｒｔ", "ΑΜΑΖΟΝ", "amazon"), ("ЅКУРЕ Sécurité", "ЅКУРЕ", "skype"),
                                ("ВВС News", "ВВС", "bbc"), ("ВМԜ Group", "ВМԜ", "bmw"),
                                ("НЅВС", "НЅВС", "hsbc"), ("РАУРАӀ", "РАУРАӀ", "paypal")):
        [found] = _display_name_findings(name, "support@evil.ru")
        assert found.id == "envelope.display_name_lookalike", name
        assert f"“{word}”" in found.title and f"read as “{reading}”" in found.title, found.title
    # Native acronyms and names in capitals alone stay quiet, and 3 letters alone are too few.
    for name in ("МТС", "ΟΤΕ", "ΜΑΡΙΑ ΚΑΡΑΜΗΤΡΟΥ", "ТЕРЕМОК", "ВВС", "ІВАН", "ΆΝΝΑ ΜΑΡΊΑ"):
        assert _display_name_findings(name, "a@example.com") == [], name


def test_greek_small_letters_among_latin_capitals_and_beta_are_told_as_look_alikes() -> None:
    # Verification V64a D-7: excusing a Greek small letter among Latin capitals as a scientific
    # symbol ("NF-κB") and β as German ß ("Groβmann"), as V61a D-9 asked, let "IκEA", "NοKIA",
    # "NETFLIχ", "eβay" and "Coinβase" through. Nothing in a word tells a symbol from a look-alike,
    # so both are told (a false alarm on "NF-κB" is the price).
    for name, word in (("IκEA Support", "IκEA"), ("NοKIA Care", "NοKIA"), ("NETFLIχ", "NETFLIχ"),
                       ("eβay Billing", "eβay"), ("Coinβase", "Coinβase")):
        [found] = _display_name_findings(name, "support@evil.ru")
        assert f"“{word}”" in found.title, found.title
    # Look-alikes in the case of the letters around them are told still.
    for name, word, reading in (("Facebooκ", "Facebooκ", "facebook"), ("Netfliχ", "Netfliχ", "netflix"),
                                ("ΡAYPAL", "ΡAYPAL", "paypal")):
        [found] = _display_name_findings(name, "support@evil.ru")
        assert f"“{word}”" in found.title and f"“{reading}”" in found.title, found.title
