"""A receiver's dkim result named by header.i is matched to the signature whose AUID it is.

Verification V44g, defect 1. IONOS (kundenserver.de) and GMX, the same Nemesis MX, write one
Authentication-Results per signature, each naming its signature by header.i alone. The real shape
(a delivered LinkedIn InMail, code corpus):

    Authentication-Results:  kundenserver.de; dkim=pass header.i=@mailb.linkedin.com
    Authentication-Results:  kundenserver.de; dkim=pass header.i=@linkedin.com
    Received: from mailb-ga.linkedin.com ([108.174.0.145]) by mx.kundenserver.de
     (mxeue002 [212.227.15.41]) with ESMTPS (Nemesis) id 1MLjw8-1vRLnW2vlA-00HuBd ...
    DKIM-Signature: ... d=mailb.linkedin.com; s=d2048-202308-0b; ...   (no i=)
    DKIM-Signature: ... d=linkedin.com; s=d2048-202308-00; ...

header.i is the signature's AUID, its i= or "@" + d= (RFC 6376 section 3.5, RFC 8601 section
2.7.1): "@mailb.linkedin.com" is the d=mailb.linkedin.com signature's, never the d=linkedin.com
one's. Here the subdomain's key was withdrawn since delivery; the message reads as authenticated at
delivery, as it does with the subdomain's signature alone, not Spoofed.

What a sender controls: the DKIM-Signature fields (their d=, i=, s= and b=, how many and in what
order), From and the body; not the receiver's fields above its Received, nor DNS now.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timezone
from unittest import mock

import dkim
from conftest import SAMPLES

from headerscope import analyze
from headerscope.auth import recorded
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.domains import normalize_domain
from headerscope.model import Report

_NOW = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
_KEY = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
# The samples' record of that key (selector mail2026 at example.org in the samples' snapshots).
_KEY_RECORD = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())["mail2026._domainkey.example.org"]

_AUTHOR = (b"Date: Thu, 26 Nov 2026 17:12:40 +0000\r\nFrom: Alice <alice@mail.example.org>\r\n"
           b"Message-ID: <g4@mail.example.org>\r\nSubject: Quarterly report\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=UTF-8\r\nTo: paul@kunde.example\r\n\r\n"
           b"Hello,\r\n\r\nThe report is attached below.\r\n")
_FIELDS = [b"date", b"from", b"subject", b"mime-version", b"content-type", b"to"]

# The receiver's hop, as IONOS writes it; the message came from an ESP whose bounce domain SPF
# authorises (esp.example.net), so only an aligned DKIM signature can authenticate the From.
_RECEIVED = (b"Received: from out.esp.example.net ([198.51.100.20]) by mx.kundenserver.de\r\n"
             b" (mxeue002 [212.227.15.41]) with ESMTPS (Nemesis) id 1MLjw8-1vRLnW2vlA-00HuBd\r\n"
             b" for <paul@kunde.example>; Thu, 26 Nov 2026 18:12:43 +0100\r\n")


class _WithoutIdentity(dkim.DKIM):
    """dkimpy's signer, leaving out the i= tag it always writes (LinkedIn's signatures have none)."""

    def gen_header(self, fields: list[tuple[bytes, bytes]], *rest: object) -> bytes:
        return bytes(super().gen_header([tag for tag in fields if tag[0] != b"i"], *rest))


def _sign(domain: str, selector: str, identity: str | None = None) -> bytes:
    """A DKIM-Signature of _AUTHOR; with no i= tag when ``identity`` is None, else with i=``identity``."""
    signer = _WithoutIdentity(_AUTHOR) if identity is None else dkim.DKIM(_AUTHOR)
    with mock.patch("dkim.time.time", return_value=datetime(2026, 11, 26, 17, 12, 41, tzinfo=timezone.utc).timestamp()):
        signature = bytes(signer.sign(selector.encode(), domain.encode(), _KEY, canonicalize=(b"relaxed", b"relaxed"),
                                      include_headers=_FIELDS, identity=identity.encode() if identity else None))
    assert (re.search(rb"(?:^|;)\s*i=", signature) is not None) == (identity is not None)
    return signature


def _dns(published: tuple[str, ...]) -> dict[str, object]:
    """example.org's strict DMARC (a signature of example.org does not align with mail.example.org),
    the ESP's SPF, and the key at each of ``published`` ("selector._domainkey.domain"), the others withdrawn."""
    dns: dict[str, object] = {
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject; adkim=s; aspf=s"]]},
        "esp.example.net": {"TXT": [["v=spf1 ip4:198.51.100.0/24 -all"]]},
        "20.100.51.198.in-addr.arpa": {"PTR": ["out.esp.example.net."]},
        "out.esp.example.net": {"A": ["198.51.100.20"]},
    }
    for name in published:
        dns[name] = _KEY_RECORD
    return dns


def _delivered(records: tuple[str, ...], signatures: tuple[bytes, ...], published: tuple[str, ...]) -> Report:
    fields = b"".join(b"Authentication-Results:  kundenserver.de; " + r.encode() + b"\r\n" for r in records)
    raw = b"Return-Path: <bounce@esp.example.net>\r\n" + fields + _RECEIVED + b"".join(signatures) + _AUTHOR
    return analyze(raw, resolver=SnapshotResolver(_dns(published)), now=_NOW)


def _dkim_rows(report: Report) -> dict[str | None, tuple[str | None, str | None, str]]:
    return {c.subject: (c.recorded, c.recomputed, c.label) for c in report.comparison if c.method == "dkim"}


_SUB, _PARENT = "@mail.example.org", "@example.org"


def test_a_subdomains_header_i_is_its_own_signatures_not_the_parents_beside_it() -> None:
    # Both orders of the signatures, with and without i= (LinkedIn writes none; the default AUID is
    # "@" + d=), and with both of IONOS's records or the subdomain's alone.
    for identities in ((None, None), (_SUB, _PARENT)):
        sub = _sign("mail.example.org", "s1", identities[0])
        parent = _sign("example.org", "s1", identities[1])
        for signatures in ((sub, parent), (parent, sub)):
            for records in ((f"dkim=pass header.i={_SUB}", f"dkim=pass header.i={_PARENT}"),
                            (f"dkim=pass header.i={_SUB}",)):
                report = _delivered(records, signatures, published=("s1._domainkey.example.org",))
                rows = _dkim_rows(report)
                assert rows["mail.example.org/s1"] == ("pass", "permerror", "dns_drift"), (identities, records)
                assert rows["example.org/s1"] == (("pass", "pass", "same") if len(records) == 2
                                                  else (None, "pass", "not_recorded"))
                # As with the subdomain's signature alone (V44g's control), not "Spoofed".
                assert report.verdict.status == "authenticated", report.verdict.summary
                assert report.verdict.summary.startswith("Authenticated as mail.example.org at delivery")
                by_field = {r.properties: r.signature_header_index for r in report.recorded if r.method == "dkim"}
                sub_index = 1 + len(records) + 1 + signatures.index(sub)
                assert by_field[(("header.i", _SUB),)] == sub_index


def test_the_subdomains_signature_alone_reads_as_before() -> None:
    # V44g's control: one signature, one record; the subdomain rule for a single signature of a
    # parent domain (header.i naming a subdomain of d=, RFC 6376 section 3.5) stays.
    report = _delivered((f"dkim=pass header.i={_SUB}",), (_sign("mail.example.org", "s1"),), published=())
    assert _dkim_rows(report) == {"mail.example.org/s1": ("pass", "permerror", "dns_drift")}
    assert report.verdict.summary.startswith("Authenticated as mail.example.org at delivery")
    only_parent = _delivered((f"dkim=pass header.i={_SUB}",), (_sign("example.org", "s1", _SUB),),
                             published=("s1._domainkey.example.org",))
    assert _dkim_rows(only_parent) == {"example.org/s1": ("pass", "pass", "same")}


def test_two_signatures_of_the_subdomain_share_its_records_and_leave_the_parents_alone() -> None:
    # Two signatures whose AUID is the subdomain's (both keys withdrawn) and the parent's (still
    # published): each of the subdomain's records is about one of its own signatures, not the
    # parent's, which still passes and has its own record.
    signatures = (_sign("mail.example.org", "s1"), _sign("mail.example.org", "s2"), _sign("example.org", "s1"))
    records = (f"dkim=pass header.i={_SUB}", f"dkim=pass header.i={_SUB}", f"dkim=pass header.i={_PARENT}")
    for order in (signatures, signatures[::-1]):
        rows = _dkim_rows(_delivered(records, order, published=("s1._domainkey.example.org",)))
        assert rows == {"mail.example.org/s1": ("pass", "permerror", "dns_drift"),
                        "mail.example.org/s2": ("pass", "permerror", "dns_drift"),
                        "example.org/s1": ("pass", "pass", "same")}, order
    # The parent's record missing: its signature is not recorded, never given a subdomain's record.
    rows = _dkim_rows(_delivered(records[:2], signatures, published=("s1._domainkey.example.org",)))
    assert rows["example.org/s1"] == (None, "pass", "not_recorded")
    assert rows["mail.example.org/s1"][2] == rows["mail.example.org/s2"][2] == "dns_drift"


def test_a_signature_a_sender_adds_under_the_same_identity_does_not_take_the_receivers_pass() -> None:
    # A sender can add a signature of the parent domain with i= naming the subdomain (a valid
    # shape, RFC 6376 section 3.5) that does not verify. Two signatures then have the recorded AUID:
    # the pass is the one that verifies now (as for two signatures of one domain before), not the
    # added one, which reads as not recorded.
    genuine = _sign("mail.example.org", "s1")
    added = _sign("example.org", "gone", _SUB)
    for signatures in ((genuine, added), (added, genuine)):
        report = _delivered((f"dkim=pass header.i={_SUB}",), signatures, published=("s1._domainkey.mail.example.org",))
        rows = _dkim_rows(report)
        assert rows["mail.example.org/s1"] == ("pass", "pass", "same")
        assert rows["example.org/gone"][0] is None and rows["example.org/gone"][2] == "not_recorded"


def test_header_d_names_the_signature_of_that_d() -> None:
    # header.d is the signature's d= (RFC 8601 section 2.7.1): exactly one of the two, though the
    # subdomain is also under the parent's d=.
    signatures = (_sign("example.org", "s1"), _sign("mail.example.org", "s1"))
    report = _delivered(("dkim=pass header.d=mail.example.org",), signatures, published=("s1._domainkey.example.org",))
    assert _dkim_rows(report) == {"example.org/s1": (None, "pass", "not_recorded"),
                                  "mail.example.org/s1": ("pass", "permerror", "dns_drift")}


# What _identity_domain reads, as a search: the first segment starting "i=", its first word.
_I_TAG = re.compile(r"(?:^|;)\s*i\s*=\s*([^;\s]*)")


def _reference_identity(value: str, domain: str | None) -> str | None:
    match = _I_TAG.search(value)
    if match is None or not match.group(1):
        return domain
    return normalize_domain(match.group(1).rpartition("@")[2])


def test_the_identity_read_from_a_signature_equals_the_search() -> None:
    values = ["", "i=", "i=@", " i = @Mail.Example.ORG. ; d=x", "bi=@a; i=@b", "ai=1;i\t=\u2003u@sub.ex\u2028z",
              "i=@a; i=@b", "h=i=@x; d=y", "d=x; i=a@b@c.example", "i=\u00e9@b\u00fccher.example", "i=@x\x00y",
              "v=1; a=rsa-sha256; d=linkedin.com; s=d2048-202308-00; b=i=@y"]
    rng = random.Random(7)
    alphabet = ["i", "=", "@", ";", " ", "\t", "\u2003", "\u00a0", "a.example", "B", "x", "\x85", "é", "d=y"]
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20))) for _ in range(20000)]
    for value in values:
        signature = recorded._Signature(0, "d.example", None, "", value)
        assert recorded._identity_domain(signature) == _reference_identity(value, "d.example"), repr(value)


def test_a_message_of_many_signatures_and_records_reads_each_signatures_identity_once() -> None:
    # A sender can put hundreds of signatures of one domain and (below the receiver, as claims)
    # hundreds of results naming it in a message: each signature's tag list is read for its i=
    # once, not once a record.
    signature = _sign("mail.example.org", "s1").replace(b"s=s1;", b"s=s1; x=" + b"y" * 4000 + b";")
    records = b"".join(b"Authentication-Results: kundenserver.de; dkim=pass header.i=@mail.example.org\r\n"
                       for _ in range(150))
    raw = (b"Return-Path: <bounce@esp.example.net>\r\n" + records + _RECEIVED + records + signature * 120 + _AUTHOR)
    calls = []
    real = recorded._identity_domain

    def counted(sig: recorded._Signature) -> str | None:
        calls.append(sig.header_index)
        return real(sig)

    with mock.patch.object(recorded, "_identity_domain", counted):
        analyze(raw, resolver=SnapshotResolver(_dns(())), now=_NOW)
    assert calls and len(calls) == len(set(calls)) <= 120
