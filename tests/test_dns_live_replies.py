"""How the live resolver reads replies that only a scripted server gives (tests/dnsresponder.py):
referrals and non-recursive servers, error rcodes, CNAME chains ending in an error."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from dnsresponder import respond

from headerscope.dns.interface import DnsStatus
from headerscope.dns.live import LiveResolver
from headerscope.dns.recording import RecordingResolver
from headerscope.dns.snapshot import SnapshotResolver

KEY = "google._domainkey.acme.example"


def _empty(query: dns.message.Message, *, aa: bool, ra: bool, referral: bool = False,
           soa: bool = False) -> dns.message.Message:
    reply = dns.message.make_response(query)
    reply.flags &= ~(dns.flags.AA | dns.flags.RA)
    reply.flags |= (dns.flags.AA if aa else 0) | (dns.flags.RA if ra else 0)
    if referral:
        reply.authority.append(dns.rrset.from_text("acme.example.", 300, "IN", "NS", "ns1.acme.example."))
    if soa:
        reply.authority.append(dns.rrset.from_text(
            "acme.example.", 300, "IN", "SOA", "ns1.acme.example. host.acme.example. 1 7200 900 1209600 300"))
    return reply


def _ask(handler: object, name: str = KEY, rdtype: str = "TXT") -> str:
    with respond(handler) as nameserver:  # type: ignore[arg-type]
        return LiveResolver(nameserver=nameserver, timeout=2).resolve(name, rdtype).status


def test_a_referral_is_a_failure_not_nodata() -> None:
    # An authoritative-only server asked about a zone it delegates: NOERROR, no answer, AA=0,
    # NS in authority (RFC 1034 section 4.3.2 step 3b). Nothing is known about the name.
    assert _ask(lambda q: _empty(q, aa=False, ra=False, referral=True)) == DnsStatus.SERVFAIL


def test_an_empty_reply_from_a_server_that_does_not_recurse_is_a_failure() -> None:
    # RD was set, RA=0 and AA=0: the server did not look the name up (RFC 1035 section 4.1.1).
    assert _ask(lambda q: _empty(q, aa=False, ra=False, soa=True)) == DnsStatus.SERVFAIL


@pytest.mark.parametrize(("aa", "ra"), [(False, True), (True, False), (True, True)])
def test_real_nodata_stays_nodata(aa: bool, ra: bool) -> None:
    # A recursive server's (RA=1) or an authoritative server's (AA=1) empty answer with the
    # zone's SOA is NODATA (RFC 2308 section 2.2).
    assert _ask(lambda q: _empty(q, aa=aa, ra=ra, soa=True)) == DnsStatus.NODATA


@pytest.mark.parametrize("rcode", ["REFUSED", "FORMERR", "NOTIMP", "SERVFAIL"])
def test_error_rcodes_are_kept_and_are_temporary(rcode: str) -> None:
    def handler(query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        reply.set_rcode(dns.rcode.from_text(rcode))
        return reply

    with respond(handler) as nameserver:
        answer = LiveResolver(nameserver=nameserver, timeout=2).resolve(KEY, "TXT")
    assert answer.status == rcode
    assert answer.temporary_failure


def _cname_then(rcode: int) -> object:
    def handler(query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.RA
        reply.answer.append(dns.rrset.from_text(KEY + ".", 300, "IN", "CNAME", "k1.esp.example."))
        reply.answer.append(dns.rrset.from_text("k1.esp.example.", 300, "IN", "CNAME", "gone.esp.example."))
        reply.authority.append(dns.rrset.from_text(
            "esp.example.", 300, "IN", "SOA", "ns.esp.example. host.esp.example. 1 7200 900 1209600 300"))
        reply.set_rcode(rcode)
        return reply
    return handler


@pytest.mark.parametrize(("rcode", "status"), [(dns.rcode.NXDOMAIN, DnsStatus.NXDOMAIN),
                                               (dns.rcode.NOERROR, DnsStatus.NODATA)])
def test_cname_chain_kept_when_the_target_has_no_answer(rcode: int, status: str) -> None:
    # RFC 1034 section 3.6.2: the rcode is about the last name of the chain, so the evidence
    # must say the selector points at gone.esp.example, as the snapshot resolver says.
    with respond(_cname_then(rcode)) as nameserver:
        recording = RecordingResolver(LiveResolver(nameserver=nameserver, timeout=2))
        live = recording.resolve(KEY, "TXT")
    assert (live.status, live.cname_chain) == (status, ("k1.esp.example", "gone.esp.example"))
    replayed = SnapshotResolver(recording.snapshot()).resolve(KEY, "TXT")
    assert (replayed.status, replayed.cname_chain) == (live.status, live.cname_chain)


@pytest.mark.parametrize("status", ["REFUSED", "FORMERR", "NOTIMP"])
def test_snapshot_reads_the_kept_rcodes_and_old_snapshots_unchanged(status: str) -> None:
    snapshot = SnapshotResolver({"a.example": {"TXT": status}, "b.example": status,
                                 "c.example": {"TXT": "SERVFAIL", "A": "TIMEOUT"}})
    assert snapshot.resolve("a.example", "TXT").status == status
    assert snapshot.resolve("b.example", "MX").status == status
    assert snapshot.resolve("c.example", "TXT").status == DnsStatus.SERVFAIL
    assert snapshot.resolve("c.example", "A").status == DnsStatus.TIMEOUT


def test_a_server_that_refuses_edns_is_asked_again_without_it() -> None:
    # RFC 6891 section 7: a server that does not understand EDNS answers FORMERR; the requester
    # asks again without it. dnspython does not, so every question failed (verification V24 D5).
    asked: list[bool] = []

    def pre_edns(query: dns.message.Message) -> dns.message.Message:
        asked.append(query.edns >= 0)
        reply = dns.message.make_response(query)
        if query.edns >= 0:
            reply.use_edns(False)
            reply.set_rcode(dns.rcode.FORMERR)
            return reply
        name = query.question[0].name
        reply.answer.append(dns.rrset.from_text(name, 300, "IN", "TXT", '"v=spf1 -all"'))
        return reply

    with respond(pre_edns) as nameserver:
        live = LiveResolver(nameserver=nameserver, timeout=2)
        first = live.resolve("sender.example", "TXT")
        second = live.resolve("other.example", "TXT")
    assert (first.status, first.texts) == ("NOERROR", ("v=spf1 -all",))
    assert (second.status, second.texts) == ("NOERROR", ("v=spf1 -all",))
    # Once with EDNS, then never again: the second question went without it at once.
    assert asked == [True, False, False]
