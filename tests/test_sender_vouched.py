"""The envelope's Sender: explanation says which of From: and Sender: a verified DKIM signature
aligns with ("on behalf of" mail: a calendar, a signing or a sharing service); offline, only what
the receiver recorded as passing."""

from __future__ import annotations

from test_dkim import carry_signature, crlf, rsa_dns, rsa_key, sign

import headerscope
from headerscope.dns.snapshot import SnapshotResolver

_INVITE = crlf(b"""From: Paolo Reggiani <paolo@training-bcd.org>
Sender: Google Calendar <calendar-notification@google.com>
To: victim@example.net
Subject: Invitation: McAfee receipt
Date: Mon, 12 Jan 2026 10:00:00 +0000
Message-ID: <inv1@google.com>

Call us to cancel.
""")


def _sender_words(report: headerscope.Report) -> str:
    [difference] = [d for d in report.envelope.differences if d.kind == "sender"]
    return difference.explanation


def _signed(domain: str) -> tuple[bytes, dict[str, object]]:
    key = rsa_key(1024)
    raw = sign(_INVITE, domain=domain, key=key, headers="from:sender:to:subject:date")
    return raw, rsa_dns(1024, name=f"s1._domainkey.{domain}")


def test_a_signature_of_the_senders_domain_is_said_to_vouch_for_the_sender_not_the_author() -> None:
    raw, dns = _signed("google.com")
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns))
    assert [(s.domain, s.result) for s in report.dkim] == [("google.com", "pass")]
    words = _sender_words(report)
    assert ("DKIM d=google.com verifies and aligns with the Sender: (google.com): google.com vouches it sent this "
            "message; the From: domain (training-bcd.org) is not authenticated by it. DMARC, below, judges the From: "
            "domain alone.") in words
    assert "the authentication below says which" not in words
    # Words only: DMARC and the verdict still judge the From: domain.
    assert report.dmarc is not None and report.dmarc.result != "pass"
    assert report.verdict.status not in ("authenticated", "vouched")


def test_a_signature_of_the_authors_domain_is_said_to_vouch_for_the_author() -> None:
    raw, dns = _signed("training-bcd.org")
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns))
    assert ("DKIM d=training-bcd.org verifies and aligns with the From: (training-bcd.org): the author's domain "
            "vouches for the message; the Sender: domain (google.com) is not authenticated by it") in _sender_words(report)


def test_offline_or_a_failing_signature_says_nothing_new() -> None:
    raw, dns = _signed("google.com")
    offline = headerscope.analyze(raw, offline=True)
    assert "the authentication below says which of the two it vouches for." in _sender_words(offline)
    broken = raw.replace(b"Call us to cancel.", b"Call us now to cancel.")
    failed = headerscope.analyze(broken, resolver=SnapshotResolver(dns))
    assert [s.result for s in failed.dkim] != ["pass"]  # body changed after signing
    assert "DKIM d=" not in _sender_words(failed)


def _delivered(raw: bytes, results: bytes) -> bytes:
    """``raw`` as mx.example.net delivered it, its own results above its Received."""
    return (b"Authentication-Results: mx.example.net; " + results + b"\r\n"
            b"Received: from mail-calendar.google.com (mail-calendar.google.com [209.85.220.41]) by mx.example.net "
            b"with ESMTPS id 1; Mon, 12 Jan 2026 10:00:05 +0000\r\n" + raw)


def test_offline_the_receivers_recorded_pass_is_said_as_its_record() -> None:
    # Review AQ 4 offline: nothing can be verified again, but the receiver recorded which
    # signature passed at delivery; its trusted record says which of the two it vouches for.
    raw, _dns = _signed("google.com")
    delivered = _delivered(raw, b"dkim=pass header.d=google.com header.s=s1; spf=pass smtp.mailfrom=google.com")
    words = _sender_words(headerscope.analyze(delivered, offline=True))
    assert ("DKIM d=google.com passed at delivery (as the receiver recorded) and aligns with the Sender: "
            "(google.com): google.com vouches it sent this message; the From: domain (training-bcd.org) is not "
            "authenticated by it") in words
    # A record of anyone (below the receiver's Received, not its own) says nothing.
    forged = (b"Received: from mail-calendar.google.com (mail-calendar.google.com [209.85.220.41]) by mx.example.net "
              b"with ESMTPS id 1; Mon, 12 Jan 2026 10:00:05 +0000\r\n"
              b"Authentication-Results: mx.example.net; dkim=pass header.d=google.com header.s=s1\r\n" + raw)
    assert "DKIM d=" not in _sender_words(headerscope.analyze(forged, offline=True))
    # A record of a signature the message no longer carries, or of a body changed since, says nothing.
    bare = _delivered(_INVITE, b"dkim=pass header.d=google.com header.s=s1")
    assert "DKIM d=" not in _sender_words(headerscope.analyze(bare, offline=True))
    folded = _delivered(carry_signature(_INVITE, "google.com"), b"dkim=pass header.d=google.com header.s=s1")
    assert "DKIM d=google.com passed at delivery" in _sender_words(headerscope.analyze(folded, offline=True))
    edited = folded.replace(b"Call us to cancel.", b"Call us now to cancel.")
    assert "DKIM d=" not in _sender_words(headerscope.analyze(edited, offline=True))
    # A recorded failure says nothing either.
    failed = _delivered(raw, b"dkim=fail header.d=google.com header.s=s1")
    assert "DKIM d=" not in _sender_words(headerscope.analyze(failed, offline=True))


def test_an_unsigned_reply_to_beside_an_authenticating_signature_is_a_warning() -> None:
    # Verification V18 P7b: a Reply-To of another organisation that the signature authenticating
    # the From: does not cover (a relay, or a DKIM replay, can add it) read as a notice beside an
    # authenticated verdict.
    key = rsa_key(1024)
    dns = rsa_dns(1024, name="s1._domainkey.training-bcd.org")
    signed = sign(_INVITE, domain="training-bcd.org", key=key, headers="from:to:subject:date")
    added = signed.replace(b"Sender: Google Calendar", b"Reply-To: <payments@collector.example>\r\nSender: Google Calendar")
    report = headerscope.analyze(added, resolver=SnapshotResolver(dns))
    assert report.verdict.status == "authenticated"
    [warning] = [f for f in report.findings if f.id == "dkim.reply_to_unsigned"]
    assert warning.severity.value == "warning" and "d=training-bcd.org" in warning.title
    # Signed by the author's domain, Reply-To included: the signer set it.
    covered = sign(_INVITE.replace(b"Sender: Google Calendar", b"Reply-To: <payments@collector.example>\r\nSender: "
                                                               b"Google Calendar"),
                   domain="training-bcd.org", key=key, headers="from:to:subject:date:reply-to")
    assert not [f for f in headerscope.analyze(covered, resolver=SnapshotResolver(dns)).findings
                if f.id == "dkim.reply_to_unsigned"]
    # A Reply-To of the From: domain's own organisation says nothing new.
    own = signed.replace(b"Sender: Google Calendar", b"Reply-To: <team@training-bcd.org>\r\nSender: Google Calendar")
    assert not [f for f in headerscope.analyze(own, resolver=SnapshotResolver(dns)).findings
                if f.id == "dkim.reply_to_unsigned"]
