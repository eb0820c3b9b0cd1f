"""Who wrote a Received-SPF, where the receiving site begins, and when SPF applies at all.

Messages are built here, in the real field formats of the writers named: Mail::SPF's
Received-SPF (SpamAssassin, amavisd-new, policyd-spf-perl), Postfix and Dovecot Received
fields, Exchange's mapi submission."""

from __future__ import annotations

from headerscope.api import analyze
from headerscope.hops import spf_comment_head_is_writer
from headerscope.model import Report


def _raw(*fields: str, body: str = "hello\r\n") -> bytes:
    return ("\r\n".join(fields) + "\r\n\r\n" + body).encode()


# Mail::SPF::Result's Received-SPF: the comment opens with the authority domain (whose policy
# gave the result), and receiver= is the writer, "unknown" when the host has no name set.
_MAIL_SPF = ("Received-SPF: pass (sender.example: 198.51.100.7 is authorized to use 'ann@sender.example' in "
             "'mfrom' identity (mechanism 'mx' matched)) receiver=unknown; identity=mailfrom; "
             "envelope-from=\"ann@sender.example\"; helo=box.sender.example; client-ip=198.51.100.7")


def _isp_site(*, spf: str = _MAIL_SPF) -> bytes:
    """An ISP whose MX and filter are named under one domain (isp-parent.example) and whose
    gateway and mailbox servers under another (isp-mail.example), linked over a private network:
    the message enters at the MX from box.sender.example."""
    return _raw(
        "Return-Path: <ann@sender.example>",
        "Received: from gw.isp-mail.example ([10.20.8.32]) by store1.isp-mail.example (Dovecot) with LMTP "
        "id 0fibJk4T for <bob@isp-mail.example>; Fri, 26 Aug 2022 14:42:34 -0400",
        "Received: from filter.isp-parent.example (unknown [10.20.8.230]) by gw.isp-mail.example (Postfix) "
        "with ESMTP id 83A41180 for <bob@isp-mail.example>; Fri, 26 Aug 2022 14:42:31 -0400 (CDT)",
        "Received: from mx1.isp-parent.example (mx1.isp-parent.example [203.0.113.41]) by "
        "filter.isp-parent.example with ESMTP id 27QIgTFM for <bob@isp-mail.example>; "
        "Fri, 26 Aug 2022 14:42:29 -0400",
        spf,
        "Received: from box.sender.example (box.sender.example [198.51.100.7]) by mx1.isp-parent.example "
        "(Postfix) with ESMTP id 9A8969F1 for <bob@isp-mail.example>; Fri, 26 Aug 2022 14:42:28 -0400 (CDT)",
        "From: Ann <ann@sender.example>",
        "To: bob@isp-mail.example",
        "Subject: minutes",
        "Date: Fri, 26 Aug 2022 20:42:20 +0200",
        "Message-ID: <m1@sender.example>",
    )


def _boundary(report: Report) -> int | None:
    return report.boundary_hop


def test_mail_spf_comment_head_is_the_authority_not_the_writer() -> None:
    wording = "sender.example: 198.51.100.7 is authorized to use 'ann@sender.example' in 'mfrom' identity"
    assert not spf_comment_head_is_writer("sender.example", wording, ["ann@sender.example"])
    # The wording alone tells Mail::SPF, whatever domain opens it.
    assert not spf_comment_head_is_writer("other.example", wording, [])
    # The checked identity's domain (or its organisational domain) is not the writer either.
    assert not spf_comment_head_is_writer("sender.example", "sender.example: domain of x designates y",
                                          ['"ann@mail.sender.example"'])
    # RFC 7208 section 9.1's own example: the receiver names itself.
    assert spf_comment_head_is_writer(
        "mybox.example.org", "mybox.example.org: domain of myname@example.com designates 192.0.2.1 as "
        "permitted sender", ["myname@example.com", "foo.example.com"])


def test_mail_spf_received_spf_is_the_receivers_and_the_site_spans_two_domains() -> None:
    report = analyze(_isp_site(), offline=True)
    # The MX hop (box.sender.example -> mx1.isp-parent.example) is where the ISP took the message.
    assert _boundary(report) == 1
    assert report.spf is not None
    assert (report.spf.client_ip, report.spf.helo) == ("198.51.100.7", "box.sender.example")
    spf = [r for r in report.recorded if r.method == "spf"]
    assert spf and spf[0].trusted and spf[0].authserv_id != "sender.example"
    assert not any(f.id == "recorded.untrusted_claim" and "sender.example" in f.title for f in report.findings)


def test_rfc7208_style_received_spf_still_names_its_writer() -> None:
    rfc = ("Received-SPF: pass (mx1.isp-parent.example: domain of ann@sender.example designates 198.51.100.7 "
           "as permitted sender) client-ip=198.51.100.7; envelope-from=\"ann@sender.example\"; "
           "helo=box.sender.example;")
    report = analyze(_isp_site(spf=rfc), offline=True)
    spf = [r for r in report.recorded if r.method == "spf"]
    assert spf and spf[0].authserv_id == "mx1.isp-parent.example" and spf[0].trusted


def test_a_private_hop_below_the_boundary_joins_no_organisation() -> None:
    """A sender's own lower chain naming the receiver's domain over a private address must not
    move the boundary down: only hops the receiving side wrote join organisations."""
    raw = _raw(
        "Received: from mx.rcpt.example (mx.rcpt.example [192.0.2.5]) by store.rcpt.example (Postfix) "
        "with ESMTP id A1 for <bob@rcpt.example>; Fri, 26 Aug 2022 14:42:34 -0400",
        "Received: from relay.attacker.example (relay.attacker.example [198.51.100.66]) by mx.rcpt.example "
        "(Postfix) with ESMTP id B2 for <bob@rcpt.example>; Fri, 26 Aug 2022 14:42:31 -0400",
        # Written by the sender: a private hand-over from "the receiver's" host to its own relay,
        # then "the receiver's" host taking the message from a bank's address.
        "Received: from relay.rcpt.example (unknown [10.9.9.9]) by relay.attacker.example (Postfix) "
        "with ESMTP id C3; Fri, 26 Aug 2022 14:42:30 -0400",
        "Received: from mail.bank.example (mail.bank.example [203.0.113.9]) by relay.rcpt.example "
        "(Postfix) with ESMTP id D4; Fri, 26 Aug 2022 14:42:29 -0400",
        "From: Bank <alerts@bank.example>",
        "To: bob@rcpt.example",
        "Subject: verify",
        "Date: Fri, 26 Aug 2022 14:42:20 -0400",
        "Message-ID: <x1@bank.example>",
    )
    report = analyze(raw, offline=True)
    assert _boundary(report) == 3
    assert report.spf is not None and report.spf.client_ip == "198.51.100.66"


def test_mail_spf_received_spf_above_the_mx_received_is_the_receivers() -> None:
    raw = _raw(
        _MAIL_SPF,
        "Received: from box.sender.example (box.sender.example [198.51.100.7]) by mx.rcpt.example (Postfix) "
        "with ESMTP id 9A89 for <bob@rcpt.example>; Fri, 26 Aug 2022 14:42:28 -0400",
        "From: Ann <ann@sender.example>",
        "To: bob@rcpt.example",
        "Subject: minutes",
        "Date: Fri, 26 Aug 2022 14:42:20 -0400",
        "Message-ID: <m2@sender.example>",
    )
    report = analyze(raw, offline=True)
    spf = [r for r in report.recorded if r.method == "spf"]
    # Not "Received-SPF by sender.example (not the receiver)": sender.example's is the policy
    # that passed, the receiving MX wrote the field (above its own Received).
    assert spf and spf[0].trusted and spf[0].authserv_id is None


# Exchange 2013+: Outlook submits over MAPI to the mailbox server, which records the transport
# service on the same host as ::1, then hands the message to another server of the site.
def _exchange_internal(submission: str) -> bytes:
    return _raw(
        "Received: from SRV16.corp.example (10.20.1.160) by SRV15.corp.example (10.20.1.159) with Microsoft "
        "SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id 15.1.2507.39; "
        "Fri, 21 Mar 2025 16:36:46 +0100",
        submission,
        "From: Simon Pierre <psimon@corp.example>",
        "To: Anne Roy <aroy@corp.example>",
        "Subject: test",
        "Date: Fri, 21 Mar 2025 16:36:45 +0100",
        "Message-ID: <a1b2@SRV16.corp.example>",
        "Return-Path: psimon@corp.example",
    )


def test_internal_mapi_submission_is_not_applicable_for_spf() -> None:
    report = analyze(_exchange_internal(
        "Received: from SRV16.corp.example ([::1]) by SRV16.corp.example ([::1]) with mapi id 15.01.2507.039; "
        "Fri, 21 Mar 2025 16:36:46 +0100"), offline=True)
    assert any(f.id == "hops.internal_only" for f in report.findings)
    assert report.spf is not None and report.spf.result == "not_checked"
    assert report.spf.explanation.startswith("not applicable: internal submission (hop 1, mapi submission)")
    assert "RFC 7208 section 2.1" in report.spf.explanation
    assert report.spf.inputs_from is None


def test_a_forged_submission_stamp_below_the_boundary_makes_no_spoof_internal() -> None:
    """A sender's mapi stamp under the MX's Received: the message still came from outside, and
    SPF judges the MX's client."""
    raw = _raw(
        "Received: from mx.rcpt.example (mx.rcpt.example [192.0.2.5]) by store.rcpt.example (Postfix) "
        "with LMTP id A1 for <bob@rcpt.example>; Fri, 21 Mar 2025 16:36:48 +0100",
        "Received: from SRV16.bank.example (unknown [198.51.100.66]) by mx.rcpt.example (Postfix) with ESMTP "
        "id B2 for <bob@rcpt.example>; Fri, 21 Mar 2025 16:36:47 +0100",
        "Received: from SRV16.bank.example ([::1]) by SRV16.bank.example ([::1]) with mapi id 15.01.2507.039; "
        "Fri, 21 Mar 2025 16:36:46 +0100",
        "From: Bank <alerts@bank.example>",
        "To: bob@rcpt.example",
        "Subject: verify",
        "Date: Fri, 21 Mar 2025 16:36:45 +0100",
        "Message-ID: <x2@bank.example>",
        "Return-Path: <alerts@bank.example>",
    )
    report = analyze(raw, offline=True)
    assert report.boundary_hop == 2
    assert report.spf is not None and report.spf.client_ip == "198.51.100.66"
    assert "not applicable" not in report.spf.explanation and report.spf.inputs_from == "hop 2"


def test_internal_mapi_submission_with_dns_keeps_its_result_for_the_record() -> None:
    from headerscope.dns.snapshot import SnapshotResolver

    dns = {"corp.example": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
           "_dmarc.corp.example": {"TXT": ["v=DMARC1; p=reject"]}}
    report = analyze(_exchange_internal(
        "Received: from SRV16.corp.example ([::1]) by SRV16.corp.example ([::1]) with mapi id 15.01.2507.039; "
        "Fri, 21 Mar 2025 16:36:46 +0100"), resolver=SnapshotResolver(dns))
    assert report.spf is not None and report.spf.explanation.startswith("not applicable")
    assert report.verdict.status != "spoofed" and "do not apply" in report.verdict.summary


def _list_copy(*list_fields: str) -> bytes:
    # A Mailman 2.1 copy of a member's post whose author's DKIM-Signature the list removed
    # (REMOVE_DKIM_HEADERS); Google's X-Google-DKIM-Signature is left behind.
    return _raw(
        "Return-Path: <apparmor-bounces@lists.example.org>",
        "Received: from lists.example.org (lists.example.org [198.51.100.65]) by mx.rcpt.example (Postfix) "
        "with ESMTPS id 4F1 for <dev@rcpt.example>; Tue, 10 Jun 2025 17:00:05 +0000",
        "X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=1e100.net; s=20230601; "
        "h=to:subject:message-id:date:from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AbCd",
        "From: John Doe <john.doe@author.example>",
        "To: dev@lists.example.org",
        "Subject: [dev] meeting",
        "Date: Tue, 10 Jun 2025 17:00:00 +0000",
        "Message-ID: <m3@author.example>",
        *list_fields,
    )


def test_nothing_aligned_on_a_list_copy_says_a_list_stripping_dkim_produces_it() -> None:
    report = analyze(_list_copy(
        "X-Mailman-Version: 2.1.29",
        "List-Id: Developer discussion <dev.lists.example.org>",
        "Sender: \"dev\" <dev-bounces@lists.example.org>"), offline=True)
    [finding] = [f for f in report.findings if f.id == "dmarc.nothing_aligned"]
    assert "a list that strips DKIM-Signature fields produces exactly this" in finding.explanation
    assert "cannot tell the list's resend of a genuine post from a forgery of author.example" in finding.explanation
    # Wording only: the verdict is the same.
    assert report.verdict.status == "unauthenticated"


def test_nothing_aligned_without_list_fields_says_nothing_of_lists() -> None:
    report = analyze(_list_copy(), offline=True)
    [finding] = [f for f in report.findings if f.id == "dmarc.nothing_aligned"]
    assert "mailing list" not in finding.explanation
