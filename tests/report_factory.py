"""A hand-built, fully populated Report for renderer tests (independent of the checks' progress).

The story: alice@sender.example writes through her provider's submission server; the message
passes a mailing list (lists.example.org, which re-signs and ARC-seals) and reaches
receiver.example, whose MX is the trust boundary (hop 4).
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, TypeVar

from headerscope.model import (
    Address,
    ArcInstance,
    ArcResult,
    Comparison,
    DkimSignatureResult,
    DmarcRecord,
    DmarcResult,
    DnsRecordUse,
    DnsSource,
    Envelope,
    EnvelopeDifference,
    Finding,
    HeaderField,
    Hop,
    InputInfo,
    ReceivedFields,
    RecordedResult,
    Report,
    ReverseDnsResult,
    Role,
    Severity,
    SpfResult,
    SrsInfo,
    TlsInfo,
    Verdict,
)

T = TypeVar("T")

SHA = "9f2c4e1a7b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"

_HEADERS: list[tuple[str, str]] = [
    ("Return-Path", "<SRS0=Ab12=TT=sender.example=alice@lists.example.org>"),  # 0
    ("Delivered-To", "bob@receiver.example"),  # 1
    ("Received", "from mx1.receiver.example by mbox3.receiver.example with LMTP id q7; Tue, 3 Mar 2026 10:01:05 +0000"),  # 2 hop 6
    ("Received", "from mx1.receiver.example (mx1.receiver.example [10.0.0.5]) by filter.receiver.example with ESMTPS (TLSv1.3) id f9; Tue, 3 Mar 2026 10:01:00 +0000"),  # 3 hop 5
    ("Authentication-Results", "mx1.receiver.example; dkim=pass header.d=lists.example.org; dkim=fail header.d=sender.example; spf=pass smtp.mailfrom=lists.example.org; dmarc=pass header.from=sender.example; arc=pass"),  # 4
    ("Received", "from out.lists.example.org (out.lists.example.org [192.0.2.10]) by mx1.receiver.example with ESMTPS (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384) id m4 for <bob@receiver.example>; Tue, 3 Mar 2026 10:01:05 +0000"),  # 5 hop 4
    ("ARC-Seal", "i=1; a=rsa-sha256; cv=none; d=lists.example.org; s=arc; b=abc"),  # 6
    ("ARC-Message-Signature", "i=1; a=rsa-sha256; d=lists.example.org; s=arc; h=from:to:subject; bh=x; b=y"),  # 7
    ("ARC-Authentication-Results", "i=1; lists.example.org; dkim=pass header.d=sender.example; spf=pass"),  # 8
    ("Received", "from smtp.sender.example (smtp.sender.example [198.51.100.7]) by out.lists.example.org with ESMTP id l2; Tue, 3 Mar 2026 09:59:58 +0000"),  # 9 hop 3
    ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.example.org; s=list; h=from:to:subject:list-id; bh=AAA=; b=BBB="),  # 10
    ("DKIM-Signature", "v=1; a=ed25519-sha256; c=relaxed/simple; d=sender.example; s=ed1; i=alice@sender.example; h=from:to:subject:date; bh=CCC=; b=DDD="),  # 11
    ("Received", "from submit.sender.example by smtp.sender.example with ESMTPS id s1; Tue, 3 Mar 2026 08:58:15 +0000"),  # 12 hop 2
    ("Received", "from [203.0.113.50] (helo=laptop) by submit.sender.example with ESMTPSA id a0; Tue, 3 Mar 2026 08:58:14 +0000"),  # 13 hop 1
    ("From", "Alice Example <alice@sender.example>"),  # 14
    ("To", "Team <team@lists.example.org>"),  # 15
    ("Subject", "=?utf-8?q?Quarterly_r=C3=A9sum=C3=A9?="),  # 16
    ("Date", "Tue, 3 Mar 2026 08:58:12 +0000"),  # 17
    ("Message-ID", "<m123.456@sender.example>"),  # 18
    ("Reply-To", "Alice <alice.private@elsewhere.example>"),  # 19
]


def _hop(number: int, header_index: int, *, helo: str | None, rdns: str | None, ip: str | None, by: str,
         protocol: str, tls: TlsInfo, ts: str, delay: float | None, role: Role, org: str, trusted: bool,
         boundary: bool = False, auth: str | None = None, for_: str | None = None,
         private: bool = False) -> Hop:
    fields = ReceivedFields(from_helo=helo, from_rdns=rdns, from_ip=ip, by=by, protocol=protocol, tls=tls,
                            auth=auth, id=f"q{number}", for_=for_, timestamp=ts, date_text=ts)
    return Hop(number=number, header_index=header_index, fields=fields, raw=_HEADERS[header_index][1],
               delay_seconds=delay, role=role, organization=org, trusted=trusted, boundary=boundary,
               private_client=private,
               # As analyze gives a hop whose stamps show no clock step: its wait is its step.
               wait_seconds=delay if delay is None or delay >= 0 else None)


def make_report() -> Report:
    """Every field populated: 6 hops with a boundary at 4, 2 DKIM signatures, SPF, DMARC, ARC, ..."""
    headers = tuple(HeaderField(index=i, name=n, value=v,
                                decoded="Quarterly résumé" if n == "Subject" else v)
                    for i, (n, v) in enumerate(_HEADERS))
    tls13 = TlsInfo(encrypted=True, version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384")
    hops = (
        _hop(1, 13, helo="laptop", rdns=None, ip="203.0.113.50", by="submit.sender.example", protocol="ESMTPSA",
             tls=tls13, ts="2026-03-03T08:58:14+00:00", delay=2.0, role=Role.MSA, org="sender.example",
             trusted=False, auth="ESMTPSA"),
        _hop(2, 12, helo="submit.sender.example", rdns=None, ip=None, by="smtp.sender.example", protocol="ESMTPS",
             tls=TlsInfo(encrypted=True), ts="2026-03-03T08:58:15+00:00", delay=1.0, role=Role.MTA,
             org="sender.example", trusted=False),
        _hop(3, 9, helo="smtp.sender.example", rdns="smtp.sender.example", ip="198.51.100.7",
             by="out.lists.example.org", protocol="ESMTP", tls=TlsInfo(encrypted=False),
             ts="2026-03-03T09:59:58+00:00", delay=3703.0, role=Role.MTA, org="example.org", trusted=False),
        _hop(4, 5, helo="out.lists.example.org", rdns="out.lists.example.org", ip="192.0.2.10",
             by="mx1.receiver.example", protocol="ESMTPS",
             tls=TlsInfo(encrypted=True, version="TLS1_3", cipher="TLS_AES_256_GCM_SHA384"),
             ts="2026-03-03T10:01:05+00:00", delay=67.0, role=Role.MTA, org="receiver.example", trusted=True,
             boundary=True, for_="<bob@receiver.example>"),
        _hop(5, 3, helo="mx1.receiver.example", rdns="mx1.receiver.example", ip="10.0.0.5",
             by="filter.receiver.example", protocol="ESMTPS", tls=tls13, ts="2026-03-03T10:01:00+00:00",
             delay=-5.0, role=Role.MTA, org="receiver.example", trusted=True, private=True),
        _hop(6, 2, helo="mx1.receiver.example", rdns=None, ip=None, by="mbox3.receiver.example",
             protocol="LMTP", tls=TlsInfo(encrypted=None), ts="2026-03-03T10:01:05+00:00", delay=5.0,
             role=Role.MDA, org="receiver.example", trusted=True),
    )
    alice = Address(display_name="Alice Example", address="alice@sender.example", domain="sender.example")
    envelope = Envelope(
        mail_from="SRS0=Ab12=TT=sender.example=alice@lists.example.org", mail_from_source="Return-Path",
        rcpt_to=("bob@receiver.example",), rcpt_to_sources=("Delivered-To",),
        header_from=(alice,), sender=Address(None, "owner-team@lists.example.org", "lists.example.org"),
        reply_to=(Address("Alice", "alice.private@elsewhere.example", "elsewhere.example"),),
        to=(Address("Team", "team@lists.example.org", "lists.example.org"),),
        cc=(Address(None, "carol@sender.example", "sender.example"),),
        srs=SrsInfo(scheme="SRS0", original_sender="alice@sender.example", forwarder="lists.example.org"),
        differences=(
            EnvelopeDifference(kind="srs", explanation="The list rewrote the envelope sender with SRS so SPF "
                               "checks its own servers; the original sender was alice@sender.example.",
                               envelope_value="SRS0=Ab12=TT=sender.example=alice@lists.example.org",
                               header_value="alice@sender.example"),
            EnvelopeDifference(kind="bcc", explanation="bob@receiver.example received the message without "
                               "being in To or Cc: a Bcc or a list member.",
                               envelope_value="bob@receiver.example", header_value=None),
            EnvelopeDifference(kind="reply_to_domain", explanation="Replies go to another domain than From.",
                               envelope_value=None, header_value="alice.private@elsewhere.example"),
        ),
    )
    dkim = (
        DkimSignatureResult(index=0, header_index=10, domain="lists.example.org", selector="list",
                            algorithm="rsa-sha256", canonicalization="relaxed/relaxed",
                            signed_headers=("from", "to", "subject", "list-id"), body_length=None,
                            timestamp="2026-03-03T09:59:58+00:00", expiration=None, key_bits=2048,
                            key_testing=False, result="pass", reason="The signature verifies.", reason_code="ok",
                            aligned=False, aligned_strict=False, body_hash_ok=True,
                            not_oversigned=("from",)),
        DkimSignatureResult(index=1, header_index=11, domain="sender.example", selector="ed1",
                            algorithm="ed25519-sha256", canonicalization="relaxed/simple",
                            signed_headers=("from", "to", "subject", "date"), body_length=120,
                            timestamp="2026-03-03T08:58:12+00:00", expiration="2026-03-10T08:58:12+00:00",
                            key_bits=256, key_testing=True, result="fail",
                            reason="The body changed after signing: the list added a footer.",
                            reason_code="body_hash_mismatch", aligned=True, aligned_strict=True,
                            auid="alice@sender.example", body_hash_ok=False, unsigned_body_bytes=64,
                            unsigned_headers=("reply-to",)),
    )
    spf = SpfResult(result="pass", client_ip="192.0.2.10", mail_from="SRS0=Ab12=TT=sender.example=alice@lists.example.org",
                    helo="out.lists.example.org", domain="lists.example.org",
                    record="v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all", mechanism="ip4:192.0.2.0/24",
                    explanation="192.0.2.10 is in lists.example.org's ip4:192.0.2.0/24.", lookups=1,
                    void_lookups=0, helo_result="pass", inputs_from="hop 4", aligned=False)
    record = DmarcRecord(raw="v=DMARC1; p=reject; rua=mailto:dmarc@sender.example", tags=(("v", "DMARC1"), ("p", "reject"),
                         ("rua", "mailto:dmarc@sender.example")), p="reject", sp=None, np=None, pct=100, adkim="r",
                         aspf="r", fo=None, rua=("mailto:dmarc@sender.example",), ruf=(), t=None, psd=None)
    dmarc = DmarcResult(result="fail", from_domain="sender.example", org_domain="sender.example",
                        record_domain="_dmarc.sender.example", record=record, policy="reject",
                        policy_reason="p= of the From domain", disposition="reject", dkim_aligned=False,
                        spf_aligned=False, aligned_dkim_domain=None,
                        explanation="No passing identity aligns with sender.example.",
                        arc_override="A receiver trusting lists.example.org's ARC seal may accept it.")
    arc = ArcResult(result="pass", reason="One ARC set; seal and signature verify.", oldest_pass=1, instances=(
        ArcInstance(instance=1, domain="lists.example.org", selector="arc", cv="none", seal_result="pass",
                    signature_result="pass",
                    authentication_results="i=1; lists.example.org; dkim=pass header.d=sender.example; spf=pass"),
    ))
    recorded = (
        RecordedResult(header="Authentication-Results", header_index=4, authserv_id="mx1.receiver.example",
                       method="dkim", result="pass", properties=(("header.d", "lists.example.org"),), reason=None,
                       trusted=True),
        RecordedResult(header="Authentication-Results", header_index=4, authserv_id="mx1.receiver.example",
                       method="dmarc", result="pass", properties=(("header.from", "sender.example"),),
                       reason="arc override", trusted=True),
        RecordedResult(header="ARC-Authentication-Results", header_index=8, authserv_id="lists.example.org",
                       method="dkim", result="pass", properties=(("header.d", "sender.example"),), reason=None,
                       trusted=False),
    )
    comparison = (
        Comparison(method="dkim", subject="lists.example.org/list", recorded="pass", recomputed="pass",
                   label="same", explanation="Both pass."),
        Comparison(method="dmarc", subject="sender.example", recorded="pass", recomputed="fail",
                   label="different", explanation="The receiver applied a local ARC override."),
    )
    findings = (
        Finding(id="dmarc.fail", severity=Severity.DANGER, title="DMARC fails for sender.example",
                explanation="No aligned identity passes; the domain asks receivers to reject.",
                reference="https://www.rfc-editor.org/rfc/rfc7489#section-6.6.2", subject="dmarc sender.example"),
        Finding(id="dkim.body_changed", severity=Severity.WARNING, title="Body changed after signing",
                explanation="The body hash of sender.example's signature no longer matches.",
                reference="https://www.rfc-editor.org/rfc/rfc6376#section-3.7", subject="dkim sender.example/ed1"),
        Finding(id="hops.slow", severity=Severity.WARNING, title="Hop 3 took 1 h 1 min",
                explanation="The list held the message for an hour (moderation or a queue).", subject="hop 3"),
        Finding(id="hops.clock_skew", severity=Severity.NOTICE, title="Hop 5 is 5 s earlier than hop 4",
                explanation="The clocks of two receiving servers disagree.",
                reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.4", subject="hop 5"),
        Finding(id="envelope.reply_to_domain", severity=Severity.NOTICE, title="Reply-To in another domain",
                explanation="Replies go to elsewhere.example.", subject="header 19"),
        Finding(id="dkim.testing_key", severity=Severity.INFO, title="Key in testing mode",
                explanation="sender.example's key has t=y.", reference="https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1"),
    )
    dns = (
        DnsRecordUse(name="list._domainkey.lists.example.org", rdtype="TXT", status="NOERROR",
                     records=(("v=DKIM1; k=rsa; p=MIIBIjANBgkqh", "kiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"),)),
        DnsRecordUse(name="ed1._domainkey.sender.example", rdtype="TXT", status="NOERROR",
                     records=(("v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",),)),
        DnsRecordUse(name="lists.example.org", rdtype="TXT", status="NOERROR",
                     records=(("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all",),)),
        DnsRecordUse(name="_dmarc.sender.example", rdtype="TXT", status="NOERROR",
                     records=(("v=DMARC1; p=reject; rua=mailto:dmarc@sender.example",),)),
        DnsRecordUse(name="10.2.0.192.in-addr.arpa", rdtype="PTR", status="NOERROR",
                     records=(("out.lists.example.org.",),)),
        DnsRecordUse(name="out.lists.example.org", rdtype="A", status="NOERROR", records=(("192.0.2.10",),)),
        DnsRecordUse(name="arc._domainkey.lists.example.org", rdtype="TXT", status="NXDOMAIN", records=()),
    )
    return Report(
        version="0.1.0", analyzed_at="2026-03-04T12:00:00+00:00", options=(("dns_snapshot", "factory.dns.json"),),
        input=InputInfo(source="factory.eml", sha256=SHA, size=4321, format="eml", has_body=True,
                        cleanups=("removed an mbox 'From ' line",)),
        headers=headers, subject="Quarterly résumé", date="2026-03-03T08:58:12+00:00",
        message_id="<m123.456@sender.example>", hops=hops, boundary_hop=4, total_delay_seconds=3773.0,
        envelope=envelope, dkim=dkim, arc=arc, spf=spf, dmarc=dmarc,
        reverse_dns=ReverseDnsResult(ip="192.0.2.10", ptr_names=("out.lists.example.org",), confirmed=True,
                                     result="pass", explanation="The PTR name resolves back to 192.0.2.10."),
        recorded=recorded, comparison=comparison,
        verdict=Verdict(status="suspicious", summary="Sent through lists.example.org on behalf of sender.example; "
                        "DMARC fails because the list changed the body.", authenticated_domain="lists.example.org"),
        findings=findings, dns_source=DnsSource(source="snapshot", detail="tests/data/factory.dns.json"), dns=dns,
    )


def inject(value: T, payload: str) -> T:
    """A copy of ``value`` with ``payload`` appended to every string anywhere in it (enums kept)."""
    result: Any
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        result = value + payload
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = dataclasses.replace(value, **{f.name: inject(getattr(value, f.name), payload)
                                                for f in dataclasses.fields(value)})
    elif isinstance(value, tuple):
        result = tuple(inject(v, payload) for v in value)
    else:
        result = value
    return result  # type: ignore[no-any-return]


# ---- parsing helpers for the renderer tests ----

@dataclasses.dataclass
class Element:
    """One element of a parsed page: tag, attributes, the text inside it, its children."""

    tag: str
    attrs: dict[str, str]
    children: list[Element] = dataclasses.field(default_factory=list)
    nodes: list[Element | str] = dataclasses.field(default_factory=list)
    """Children and text in document order."""

    @property
    def text(self) -> str:
        return "".join(n if isinstance(n, str) else n.text for n in self.nodes)

    def add(self, node: Element | str) -> None:
        self.nodes.append(node)
        if isinstance(node, Element):
            self.children.append(node)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Any:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.iter()
                if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.iter() if e.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})


def parse_html(page: str) -> Element:
    """The element tree of ``page`` (stdlib html.parser; SVG's self-closing tags handled)."""
    from html.parser import HTMLParser

    root = Element("#document", {})
    stack = [root]

    class _Builder(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            element = Element(tag, {k: v or "" for k, v in attrs})
            stack[-1].add(element)
            if tag not in _VOID:
                stack.append(element)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            stack[-1].add(Element(tag, {k: v or "" for k, v in attrs}))

        def handle_endtag(self, tag: str) -> None:
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    return

        def handle_data(self, data: str) -> None:
            stack[-1].add(data)

    builder = _Builder(convert_charrefs=True)
    builder.feed(page)
    builder.close()
    return root


def tag_census(root: Element) -> dict[str, int]:
    """How many elements of each tag the page has: a payload that became markup changes it."""
    counts: dict[str, int] = {}
    for element in root.iter():
        counts[element.tag] = counts.get(element.tag, 0) + 1
    return counts


def hostile_payload(port: int) -> str:
    """Script, event-handler, javascript: URL, CSS-injection and markup payloads, all aimed at
    a loopback server on ``port`` so any execution or fetch is seen there."""
    base = f"http://127.0.0.1:{port}"
    return (
        f"<script>fetch('{base}/script');document.body.setAttribute('data-pwned','script')</script>"
        f"\"><img src=x onerror=\"fetch('{base}/onerror')\" data-pwned=img>"
        f"<svg onload=\"fetch('{base}/svg')\"><circle r=5 /></svg>"
        f"<a href=\"javascript:fetch('{base}/js')\" data-pwned=link>click</a>"
        f"</style><style>body{{background:url({base}/css)}}</style>"
        f"</title><link rel=stylesheet href=\"{base}/link\">"
        f"<iframe src=\"{base}/iframe\"></iframe><base href=\"{base}/base/\">"
        f"<meta http-equiv=refresh content=\"0;url={base}/refresh\">"
        f"<b data-pwned=markup>bold</b>]]><!-- -->' onmouseover='x' \u202eevil\u202c"
    )


# Two hops whose "via" clause a hop table must show: old sendmail's protocol and Exchange's transport.
VIA_HOPS = (
    b"Received: from AM6PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:20b:1::1) by"
    b" AM6PR01MB5678.eurprd01.prod.exchangelabs.com (2603:10a6:20b:2::2) with Microsoft SMTP Server"
    b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1234.5 via Frontend Transport;"
    b" Mon, 2 Nov 2026 10:00:07 +0000\r\n"
    b"Received: from rachael.franken.de (rachael.franken.de [193.175.24.38]) by sgi.sgi.com"
    b" (950413.SGI.8.6.12/970507) via ESMTP id QAA06445; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
    b"Subject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n"
)
