"""The envelope beside the headers, each difference explained (realistic header sets)."""

from __future__ import annotations

from conftest import CORPUS

from headerscope.envelope import analyze_envelope
from headerscope.loader import load_bytes
from headerscope.message import parse_message
from headerscope.model import Envelope, Finding, Hop, ReceivedFields, Role


def _hop(number: int, trusted: bool, for_: str | None = None, envelope_from: str | None = None) -> Hop:
    return Hop(number=number, header_index=0, fields=ReceivedFields(for_=for_, envelope_from=envelope_from),
               raw="", delay_seconds=None, role=Role.MTA, organization=None, trusted=trusted,
               boundary=False)


def _run(headers: str, hops: tuple[Hop, ...] = (), boundary: int | None = None) -> tuple[Envelope, tuple[Finding, ...]]:
    message = parse_message(headers.replace("\n", "\r\n").encode() + b"\r\nbody\r\n")
    return analyze_envelope(message, hops, boundary)


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
    # The SRS domain differs from From: (explained, not alarmed) and bob@final.test is only in the envelope.
    assert _kinds(envelope) == ["srs", "mail_from_domain", "bcc"]


def test_null_sender_is_a_bounce() -> None:
    envelope, _ = _run("Return-Path: <>\nFrom: MAILER-DAEMON@mx.test\nTo: a@b.test\n")
    assert envelope.mail_from == "" and _kinds(envelope) == ["bounce"]


def test_esp_verp_and_mail_from_domain() -> None:
    envelope, findings = _run(
        "Return-Path: <bounces+4242-ab12-carol=example.com@em123.mailer.test>\n"
        "From: Shop <news@shop.test>\nTo: carol@example.com\nDelivered-To: carol@example.com\n")
    assert _kinds(envelope) == ["verp", "mail_from_domain"]
    assert "carol@example.com" in envelope.differences[0].explanation
    assert "normal" in envelope.differences[1].explanation and findings == ()


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
    assert _kinds(envelope) == ["forwarded"] and "mailing list" in envelope.differences[0].explanation


def test_reply_to_other_domain_and_display_name_address() -> None:
    envelope, findings = _run('From: "ceo@corp.test" <ceo.corp@freemail.test>\n'
                              "Reply-To: payments@other.test\nTo: staff@corp.test\n")
    assert _kinds(envelope) == ["reply_to_domain", "display_name_address"]
    assert [(f.id, f.severity.value) for f in findings] == [
        ("envelope.reply_to_other_domain", "notice"), ("envelope.display_name_address", "warning")]


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
