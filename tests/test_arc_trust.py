"""ARC chains signed here with dkimpy and keys made for the test (verification V38e): what a chain
vouches for, and what only the receiver's recorded decision can make it vouch for.

RFC 8617 section 7.2: ARC results count only from sealers the receiver trusts. headerscope has no
trust list, so a chain changes the verdict only where the receiving side recorded that it acted
on it (Gmail's "dis=NONE arc=pass", Exchange Online's "compauth=pass reason=130")."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from headerscope.api import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report, Severity

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
T0 = datetime(2026, 11, 26, 9, 0, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
HEADERS = ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    spec.loader.exec_module(module)
    return module


class _Kit:
    """make_samples' helpers and RSA keys made once for this module (in a temporary folder)."""

    def __init__(self, folder: Path) -> None:
        self.m = _generator()
        self.folder = folder

    def key(self, name: str) -> bytes:
        return self.m.rsa_key(name, 2048, self.folder)  # type: ignore[no-any-return]

    def record(self, name: str) -> dict[str, Any]:
        return {"TXT": [self.m.rsa_record(self.key(name))]}

    def author(self, subject: str = "Your statement is ready") -> bytes:
        text = (f"From: Payments <alerts@bank.example>\nTo: alice@uni.example\nSubject: {subject}\n"
                f"Date: {self.m.date(T0)}\nMessage-ID: <20261126090000.A1B2C3@mail.bank.example>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\nYour statement is ready.\n")
        return self.m.crlf(text)  # type: ignore[no-any-return]

    def dns(self) -> dict[str, Any]:
        return {
            "s1._domainkey.bank.example": self.record("bank"),
            "bank.example": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
            "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
            "uni.example": {"TXT": [["v=spf1 ip4:198.51.100.20 -all"]]},
            "forger-relay.example": {"TXT": [["v=spf1 ip4:203.0.113.66 -all"]]},
        }

    def forwarded(self, *, receiver_ar: str | None, microsoft: bool = False,
                  list_sealer: bool = False) -> tuple[bytes, dict[str, Any]]:
        """bank.example's signed message, forwarded by uni.example (which records the pass, seals
        i=1, then adds a footer), optionally through lists.example.org (seals unchanged), then
        delivered: at Gmail, which records ``receiver_ar`` and seals; or at Exchange Online, which
        records ``receiver_ar`` as its Authentication-Results and seals as microsoft.com."""
        m, dns = self.m, self.dns()
        message = self.author()
        signature = m.dkim_sign(message, "s1", "bank.example", self.key("bank"), T0, HEADERS)
        message = m.prepend(message, signature)
        message = m.prepend(message, "Authentication-Results: mx.uni.example; dkim=pass header.d=bank.example "
                            f"header.b={m.b_tag(signature)}; spf=pass smtp.mailfrom=bank.example; dmarc=pass "
                            "header.from=bank.example; arc=none",
                            m.postfix_received("mail.bank.example", "mail.bank.example", "192.0.2.10",
                                               "mx.uni.example", "4Q1b", "alice@uni.example", T0))
        message += m.crlf("-- \nCAUTION: This email originated from outside uni.example.\n")
        message = m.prepend(message, *m.arc_seal(message, "arc-2026", "uni.example", self.key("uni"),
                                                 "mx.uni.example", T0, HEADERS))
        dns["arc-2026._domainkey.uni.example"] = self.record("uni")
        last = ("mx.uni.example", "198.51.100.20")
        if list_sealer:
            message = m.prepend(message, "Authentication-Results: mail.lists.example.org; dkim=fail "
                                "header.d=bank.example; dmarc=fail header.from=bank.example; arc=pass",
                                m.postfix_received("mx.uni.example", "mx.uni.example", "198.51.100.20",
                                                   "mail.lists.example.org", "4Q2b", "alice@uni.example", T0))
            message = m.prepend(message, *m.arc_seal(message, "l1", "lists.example.org", self.key("list"),
                                                     "mail.lists.example.org", T0, HEADERS))
            dns["l1._domainkey.lists.example.org"] = self.record("list")
            dns["lists.example.org"] = {"TXT": [["v=spf1 ip4:198.51.100.40 -all"]]}
            last = ("mail.lists.example.org", "198.51.100.40")
        t = T0 + timedelta(seconds=2)
        if microsoft:
            message = m.prepend(message, m.m365_received(last[0], last[1], "BN8NAM12FT045.mail.protection.outlook.com",
                                                         "10.13.182.240", t, frontend=True))
            for_seal = m.prepend(message, "Authentication-Results: mx.microsoft.com 1; dmarc=fail "
                                 "header.from=bank.example; arc=pass")
            seal = m.arc_seal(for_seal, "arcselector10001", "microsoft.com", self.key("microsoft"),
                              "mx.microsoft.com", t, HEADERS)
            dns["arcselector10001._domainkey.microsoft.com"] = self.record("microsoft")
            message = m.prepend(message, receiver_ar or "")
            message = m.prepend(message, m.m365_received(
                "BN8NAM12FT045.eop-nam12.prod.protection.outlook.com (2603:10b6:408:e6:cafe::5a)",
                "2603:10b6:408:e6:cafe::5a", "BN9PR03CA0601.outlook.office365.com", "2603:10b6:408:106::6", t,
                frontend=False), *seal)
            return message, dns
        sender = "SRS0=ab12=CD=bank.example=alerts@uni.example"
        message = m.prepend(message, f"Return-Path: <{sender}>",
                            m.gmail_received(last[0], last[1], "a8si9424545lfb.359", "alice.smith@gmail.com", t),
                            *([receiver_ar] if receiver_ar else []))
        dns["arc-20240605._domainkey.google.com"] = self.record("google")
        message = m.prepend(message, *m.arc_seal(message, "arc-20240605", "google.com", self.key("google"),
                                                 "mx.google.com", t, HEADERS))
        return message, dns

    def forger(self) -> tuple[bytes, dict[str, Any]]:
        """A spoof of bank.example from the forger's own server with the forger's own ARC set
        (i=1, its key in its own DNS) claiming dkim=pass and dmarc=pass for bank.example; no
        receiver's Authentication-Results."""
        m, dns = self.m, self.dns()
        message = m.prepend(self.author(), "Authentication-Results: mail.forger-relay.example; dkim=pass "
                            "header.d=bank.example header.b=AbCdEfGh; spf=pass smtp.mailfrom=bank.example; "
                            "dmarc=pass header.from=bank.example; arc=none")
        message = m.prepend(message, *m.arc_seal(message, "arc1", "forger-relay.example", self.key("forger"),
                                                 "mail.forger-relay.example", T0, HEADERS))
        message = re.sub(rb"Authentication-Results: mail\.forger-relay\.example;[^\r]*\r\n", b"", message)
        dns["arc1._domainkey.forger-relay.example"] = self.record("forger")
        message = m.prepend(message, "Return-Path: <bounce@forger-relay.example>",
                            m.gmail_received("mail.forger-relay.example", "203.0.113.66", "a8si9424545lfb.359",
                                             "alice.smith@gmail.com", T0 + timedelta(seconds=2)))
        return message, dns


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> _Kit:
    return _Kit(tmp_path_factory.mktemp("arc-keys"))


GMAIL_OVERRIDE = ("Authentication-Results: mx.google.com; dkim=fail header.i=@bank.example header.s=s1; arc=pass "
                  "(i=1 spf=pass spfdomain=bank.example dmarc=pass fromdomain=bank.example); spf=pass "
                  "smtp.mailfrom=\"SRS0=ab12=CD=bank.example=alerts@uni.example\"; "
                  "dmarc=fail (p=REJECT sp=REJECT dis=NONE arc=pass) header.from=bank.example")


def _run(raw: bytes, dns: dict[str, Any]) -> Report:
    return analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def _dmarc_fail(report: Report) -> Any:
    [finding] = [f for f in report.findings if f.id == "dmarc.fail"]
    return finding


@pytest.mark.parametrize("key", ["NXDOMAIN", {"TXT": [["v=DKIM1; k=rsa; p="]]}])
def test_a_sealers_key_gone_after_the_receivers_override_keeps_the_override(kit: _Kit, key: Any) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    assert _run(raw, dns).verdict.status == "vouched"
    dns["arc-2026._domainkey.uni.example"] = key  # removed (or revoked) after delivery
    report = _run(raw, dns)
    assert report.arc is not None and report.arc.reason_code in ("key_not_found", "key_revoked")
    # Was SPOOFED with dmarc.fail at danger: the receiver's check at delivery stands, as for DKIM.
    assert report.verdict.status == "vouched", report.verdict.summary
    assert "recorded an ARC override" in report.verdict.summary
    assert "the chain fails now only because a sealer's key has since been" in report.verdict.summary
    assert report.dmarc is not None and report.dmarc.arc_sealers == ("uni.example",)
    assert _dmarc_fail(report).severity == Severity.WARNING


def test_a_key_gone_without_a_recorded_override_vouches_for_nothing(kit: _Kit) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE.replace("dis=NONE arc=pass", "dis=REJECT"))
    dns["arc-2026._domainkey.uni.example"] = "NXDOMAIN"
    report = _run(raw, dns)
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert _dmarc_fail(report).severity == Severity.DANGER


MICROSOFT_AR = ("Authentication-Results: spf=pass (sender IP is 198.51.100.20) smtp.mailfrom=uni.example; "
                "dkim=fail (body hash did not verify) header.d=bank.example;dmarc=fail action={action} "
                "header.from=bank.example;compauth=pass reason={reason}")


@pytest.mark.parametrize("action", ["oreject", "none"])
def test_exchange_onlines_compauth_reason_130_is_its_arc_override(kit: _Kit, action: str) -> None:
    # learn.microsoft.com, "Configure trusted ARC sealers": compauth=pass reason=130 in the last
    # Authentication-Results says the ARC result overrode a DMARC failure.
    raw, dns = kit.forwarded(receiver_ar=MICROSOFT_AR.format(action=action, reason="130"), microsoft=True)
    report = _run(raw, dns)
    # Was SPOOFED (action=oreject read as enforced) or SUSPICIOUS (action=none).
    assert report.verdict.status == "vouched", report.verdict.summary
    assert "recorded an ARC override" in report.verdict.summary
    dmarc = next(c for c in report.comparison if c.method == "dmarc")
    assert "compauth=pass reason=130" in dmarc.explanation
    assert not any(f.id == "recorded.dmarc_action" for f in report.findings)
    # Another reason code is no ARC override: the chain alone vouches for nothing.
    raw, dns = kit.forwarded(receiver_ar=MICROSOFT_AR.format(action=action, reason="109"), microsoft=True)
    assert _run(raw, dns).verdict.status == "spoofed"


def test_a_forgers_own_chain_does_not_soften_the_verdict(kit: _Kit) -> None:
    raw, dns = kit.forger()
    report = _run(raw, dns)
    assert report.arc is not None and report.arc.result == "pass"
    # Was SUSPICIOUS with dmarc.fail lowered to warning on the forger's own AAR.
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert "anyone can seal a chain with a key in their own DNS" in report.verdict.summary
    assert _dmarc_fail(report).severity == Severity.DANGER
    # Its AAR claims a dkim=pass for bank.example, whose signature the message does not carry.
    [absent] = [f for f in report.findings if f.id == "arc.signature_absent"]
    assert "bank.example" in absent.title


def test_a_genuine_set_replayed_onto_a_forgery_vouches_for_nothing(kit: _Kit) -> None:
    genuine, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    m = kit.m
    head = genuine.partition(b"\r\n\r\n")[0]
    fields = re.split(rb"\r\n(?![ \t])", head)
    uni_set = [f for f in fields if f.lower().startswith((b"arc-seal:", b"arc-message-signature:",
                                                          b"arc-authentication-results:")) and b"i=1;" in f]
    message = b"\r\n".join(uni_set) + b"\r\n" + kit.author("Action required: confirm your details")
    message = m.prepend(message, "Authentication-Results: mail.forger-relay.example; arc=pass")
    message = m.prepend(message, *m.arc_seal(message, "arc1", "forger-relay.example", kit.key("forger"),
                                             "mail.forger-relay.example", T0, HEADERS))
    message = message.replace(b"Authentication-Results: mail.forger-relay.example; arc=pass\r\n", b"", 1)
    message = m.prepend(message, "Return-Path: <bounce@forger-relay.example>",
                        m.gmail_received("mail.forger-relay.example", "203.0.113.66", "a8si9424545lfb.359",
                                         "alice.smith@gmail.com", T0 + timedelta(hours=3)))
    dns["arc1._domainkey.forger-relay.example"] = kit.record("forger")
    report = _run(message, dns)
    assert report.arc is not None and (report.arc.result, report.arc.oldest_pass) == ("pass", 2)
    # Was SUSPICIOUS, dmarc.fail a warning, on the replayed set's dmarc=pass.
    assert report.verdict.status == "spoofed", report.verdict.summary
    fail = _dmarc_fail(report)
    assert fail.severity == Severity.DANGER
    assert "rests on forger-relay.example alone" in fail.explanation


def test_an_ams_that_does_not_sign_from_fails(kit: _Kit) -> None:
    m, dns = kit.m, kit.dns()
    message = m.prepend(kit.author(), "Authentication-Results: mx.uni.example; dmarc=pass header.from=bank.example")
    import dkim

    class _PassesAsFrom(bytes):
        """A header name dkimpy's signer takes for "from" (its check that From is signed), that
        writes and signs "to": how a forger's own tool makes an AMS whose h= leaves From out."""

        def lower(self) -> bytes:  # type: ignore[override]
            return self

        def __eq__(self, other: object) -> bool:
            return other == b"from" or bytes.__eq__(self, other)  # type: ignore[arg-type]

        __hash__ = bytes.__hash__

    fields = dkim.arc_sign(message, b"arc-2026", b"uni.example", kit.key("uni"), b"mx.uni.example",
                           include_headers=[_PassesAsFrom(b"to"), b"subject", b"date"], timestamp=int(T0.timestamp()))
    message = b"".join(fields) + message
    assert b"from" not in fields[1].partition(b"h=")[2].partition(b";")[0].lower()
    dns["arc-2026._domainkey.uni.example"] = kit.record("uni")
    message = m.prepend(message, m.gmail_received("mx.uni.example", "198.51.100.20", "a8si9424545lfb.359",
                                                  "alice.smith@gmail.com", T0))
    report = _run(message, dns)
    # dkimpy validates it; RFC 6376 sections 5.4 and 6.1.1 (RFC 8617 section 4.1.2) do not.
    assert report.arc is not None and report.arc.result == "fail", report.arc
    assert "does not sign the From: field" in report.arc.reason
    assert [i.signature_result for i in report.arc.instances] == ["fail"]


def test_the_headline_names_the_sealer_that_changed_the_message(kit: _Kit) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE, list_sealer=True)
    report = _run(raw, dns)
    assert report.verdict.status == "vouched", report.verdict.summary
    # uni.example added the footer; lists.example.org sealed the body unchanged.
    assert "because uni.example (a mailing list or forwarder) changed the message" in report.verdict.summary
    assert "on uni.example, lists.example.org's word" in report.verdict.summary


def _forger_through(kit: _Kit, receiver: str, fake_ar: str | None) -> tuple[bytes, dict[str, Any]]:
    """kit.forger()'s message and chain sent by the forger's own server straight to ``receiver``'s
    MX ("postfix": mx.uni.example, which writes no Authentication-Results; "gmail": mx.google.com,
    here writing none either), with ``fake_ar`` written by the forger above its own Received: where
    the receiver's closed run of trace fields below its Received sits (verification V39d f5)."""
    m = kit.m
    forged, dns = kit.forger()
    chain = forged[forged.index(b"ARC-Seal:"):]  # without forger()'s Gmail Received
    message = m.prepend(chain, m.postfix_received("[10.0.0.5]", "unknown", "10.0.0.5", "mail.forger-relay.example",
                                                  "4Qzzzz1", "alice@uni.example", T0, tls=False))
    t = T0 + timedelta(seconds=2)
    received = (m.postfix_received("mail.forger-relay.example", "mail.forger-relay.example", "203.0.113.66",
                                   "mx.uni.example", "4Q9receiver", "alice@uni.example", t)
                if receiver == "postfix" else
                m.gmail_received("mail.forger-relay.example", "203.0.113.66", "a8si9424545lfb.359",
                                 "alice.smith@gmail.com", t))
    return m.prepend(message, "Return-Path: <bounce@forger-relay.example>", received,
                     *([fake_ar] if fake_ar else [])), dns


FAKE_OVERRIDES = [
    "Authentication-Results: {host}; arc=pass smtp.remote-ip=203.0.113.66; "
    "dmarc=fail (p=REJECT sp=REJECT dis=NONE arc=pass) header.from=bank.example",
    "Authentication-Results: {host}; arc=pass smtp.remote-ip=203.0.113.66; "
    "dmarc=fail reason=\"arc override: trusted sealer\" header.from=bank.example",
]


@pytest.mark.parametrize("receiver,host", [("postfix", "mx.uni.example"), ("gmail", "mx.google.com")])
@pytest.mark.parametrize("fake", FAKE_OVERRIDES)
def test_an_override_the_sender_wrote_above_its_own_received_is_not_the_receivers(
        kit: _Kit, receiver: str, host: str, fake: str) -> None:
    # A sender connecting straight to the MX runs the previous hop's server: the closed run of
    # trace fields between the receiver's Received and its own is where it writes. By that
    # position alone a field that records an ARC override is not the receiver's record; one that
    # records a failure is kept.
    raw, dns = _forger_through(kit, receiver, fake.format(host=host))
    report = _run(raw, dns)
    # Was VOUCHED "the receiving side (mx.uni.example) recorded an ARC override" (V39d f5, f5b, f3b).
    assert report.verdict.status == "spoofed", report.verdict.summary
    fail = _dmarc_fail(report)
    assert fail.severity == Severity.DANGER
    assert "overridden" not in fail.title
    mine = [r for r in report.recorded if r.authserv_id == host]
    assert [(r.method, r.trusted) for r in mine] == [("arc", False), ("dmarc", False)]
    assert all("a field that records an ARC override there is not relied on" in (r.trust_reason or "") for r in mine)
    # The same position still holds the receiver's failures: one recording the policy applied is kept.
    raw, dns = _forger_through(kit, receiver, f"Authentication-Results: {host}; dmarc=fail "
                                              "(p=REJECT sp=REJECT dis=REJECT) header.from=bank.example")
    report = _run(raw, dns)
    assert [(r.method, r.trusted) for r in report.recorded if r.authserv_id == host] == [("dmarc", True)]
    assert report.verdict.status == "spoofed"


def test_an_override_beside_the_receivers_own_enforcement_is_not_its_own(kit: _Kit) -> None:
    # Gmail recorded that it quarantined; the forger adds a look-alike below it saying it accepted
    # the message on the chain (V39d f1b).
    enforced = GMAIL_OVERRIDE.replace("dis=NONE arc=pass", "dis=QUARANTINE")
    raw, dns = kit.forwarded(receiver_ar=enforced)
    fake = ("Authentication-Results: mx.google.com; dmarc=fail (p=REJECT sp=REJECT dis=NONE arc=pass) "
            "header.from=bank.example")
    raw = raw.replace(kit.m.crlf(enforced + "\n"), kit.m.crlf(enforced + "\n" + fake + "\n"), 1)
    assert raw.count(b"dis=NONE arc=pass") == 1
    report = _run(raw, dns)
    assert report.verdict.status == "spoofed", report.verdict.summary
    fail = _dmarc_fail(report)
    # Was "overridden by the receiver on ARC" in the title and "applied the policy without an ARC
    # override" in the explanation at once.
    assert "overridden" not in fail.title
    # The two fields disagree on the disposition: neither is relied on.
    gmail = [r for r in report.recorded if r.authserv_id == "mx.google.com" and r.method == "dmarc"
             and r.header == "Authentication-Results"]
    assert len(gmail) == 2 and not any(r.trusted for r in gmail)


def test_a_recorded_override_does_not_count_beside_the_same_receivers_enforcement() -> None:
    from headerscope._value import replace
    from headerscope.auth.recorded import arc_override_recorded, receiver_enforced
    from headerscope.model import RecordedResult

    def dmarc(comment: str, index: int, writer: str | None = "mx.google.com",
              **properties: str) -> RecordedResult:
        return RecordedResult(header="Authentication-Results", header_index=index, authserv_id=writer, method="dmarc",
                              result="fail", properties=(("header.from", "bank.example"), *properties.items()),
                              reason=comment, trusted=True)

    override = dmarc("p=REJECT sp=REJECT dis=NONE arc=pass", 3)
    quarantined = dmarc("p=QUARANTINE sp=QUARANTINE dis=QUARANTINE", 2)
    assert arc_override_recorded(override, (override,))
    assert not arc_override_recorded(override, (quarantined, override))
    assert receiver_enforced(quarantined, (quarantined, override))
    # Another receiver's enforcement (an earlier hop's) says nothing of this one's override.
    assert arc_override_recorded(override, (dmarc("dis=REJECT", 9, "mx.uni.example"), override))
    # Nor does an untrusted look-alike.
    assert arc_override_recorded(override, (replace(quarantined, trusted=False), override))
    # Exchange Online's action=oreject beside compauth=pass reason=130 is its override, not an
    # enforcement that would cancel another field's.
    composite = RecordedResult(header="Authentication-Results", header_index=5, authserv_id=None, method="compauth",
                               result="pass", properties=(), reason="130", trusted=True)
    first = dmarc("", 5, None, action="oreject")
    second = dmarc("", 7, None, action="oreject")
    second_composite = RecordedResult(header="Authentication-Results", header_index=7, authserv_id=None,
                                      method="compauth", result="pass", properties=(), reason="130", trusted=True)
    both = (first, composite, second, second_composite)
    assert arc_override_recorded(first, both) and arc_override_recorded(second, both)


@pytest.mark.parametrize("gone", ["NXDOMAIN", {"TXT": [["v=spf1 -all"]]}], ids=["nxdomain", "spf-only"])
@pytest.mark.parametrize("tampered", [True, False])
def test_a_body_changed_after_the_last_seal_is_no_key_drift(kit: _Kit, tampered: bool, gone: Any) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE, list_sealer=True)
    if tampered:
        # Edited after Gmail's delivery (V39d t1): with every key present the chain fails as invalid.
        raw = raw.replace(b"Your statement is ready.", b"Your statement is ready at https://bank.example.evil/.")
        assert _run(raw, dns).verdict.status == "spoofed"
    # Google's key since removed, or only an SPF record left at its selector (V43c: no key published).
    dns["arc-20240605._domainkey.google.com"] = gone
    report = _run(raw, dns)
    assert report.arc is not None
    if tampered:
        # Was VOUCHED "the chain fails now only because a sealer's key has since been removed".
        assert report.arc.reason_code == "invalid", report.arc.reason
        assert "body hash (bh=) no longer matches" in report.arc.reason
        assert report.verdict.status == "spoofed", report.verdict.summary
        assert "has since been" not in report.verdict.summary
    else:
        assert report.arc.reason_code == "key_not_found"
        assert report.verdict.status == "vouched", report.verdict.summary
        assert "the chain fails now only because a sealer's key has since been removed" in report.verdict.summary


def test_an_arc_key_is_chosen_among_several_txt_records_as_a_dkim_key_is(kit: _Kit) -> None:
    # RFC 8617 section 5.2 uses DKIM's key lookup: a record beginning with a v= other than DKIM1 is
    # discarded (RFC 6376 section 3.6.1), whatever order DNS gives the set in (RFC 1034 section
    # 3.6), and of several DKIM1 records the first is used (section 3.6.2.2 leaves it undefined,
    # 6.1.2 step 3 lets the verifier choose), as test_dkim's
    # test_a_record_beginning_with_another_v_is_discarded_not_chosen has it for DKIM. Both sealers'
    # keys: Gmail's, of the newest set, and uni.example's, of the set before it.
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    spf, revoked = ["v=spf1 -all"], ["v=DKIM1; k=rsa; p="]
    other = kit.record("forger")["TXT"][0]
    for name, own in (("arc-20240605._domainkey.google.com", "google"), ("arc-2026._domainkey.uni.example", "uni")):
        key = kit.record(own)["TXT"][0]
        cases: list[tuple[list[list[str]], str, str]] = [
            ([spf, key], "pass", "ok"), ([key, spf], "pass", "ok"), ([[" v = DKIM2; p="], key], "pass", "ok"),
            ([spf, revoked], "fail", "key_revoked"), ([revoked, spf], "fail", "key_revoked"),
            ([spf, key, other], "pass", "ok"), ([key, other], "pass", "ok"),
            # The first record does not verify: the others are tried (RFC 6376 section 6.1.2; test_key_records_cycle).
            ([other, key], "pass", "ok"), ([revoked, key], "pass", "ok"), ([other, revoked], "fail", "invalid"),
            # No key record at all: no key published (V43c; was "invalid", a broken chain).
            ([spf], "fail", "key_not_found"),
        ]
        for records, result, code in cases:
            report = _run(raw, {**dns, name: {"TXT": records}})
            assert report.arc is not None
            assert (report.arc.result, report.arc.reason_code) == (result, code), (name, records, report.arc.reason)


def _arc_findings(report: Report) -> dict[str, Any]:
    return {f.id: f for f in report.findings if f.id.startswith("arc.")}


def test_an_arc_key_chosen_among_several_records_is_said_as_dkim_says_it(kit: _Kit) -> None:
    # Verification V43c: DKIM says "(... has 2 TXT records; the first was used)", ARC said nothing,
    # and with a revoked record first beside the sealer's valid key said the sealer "has rotated
    # its key since". RFC 6376 section 3.6.2.2: several records, the result is undefined.
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    name = "arc-20240605._domainkey.google.com"
    key, other = kit.record("google")["TXT"][0], kit.record("forger")["TXT"][0]
    several = f"{name} has 2 TXT records; the first was used"

    # Two other RSA keys, neither the sealer's: the chain fails with the first, the second tried too,
    # and says so (the real one second verifies: test_key_records_cycle).
    second = kit.record("forger2")["TXT"][0]
    report = _run(raw, {**dns, name: {"TXT": [other, second]}})
    assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("fail", "invalid")
    assert report.arc.reason.endswith(f"({several}; the second was tried too and did not verify it)"), report.arc.reason
    failed = _arc_findings(report)["arc.chain_failed"]
    assert several in failed.explanation and "RFC 6376 section 6.1.2" in failed.explanation
    # One record: nothing said of several.
    report = _run(raw, {**dns, name: {"TXT": [other]}})
    assert report.arc is not None and report.arc.reason_code == "invalid"
    assert "TXT records" not in report.arc.reason + _arc_findings(report)["arc.chain_failed"].explanation

    # A revoked record first (with v=DKIM1, or with none), the valid key fifth, after three other keys
    # (at most four key records are tried): not "rotated".
    others = [kit.record(f"other{number}")["TXT"][0] for number in range(3)]
    for first in (["v=DKIM1; p="], ["k=rsa; p="]):
        report = _run(raw, {**dns, name: {"TXT": [first, *others, key]}})
        assert report.arc is not None and report.arc.reason_code == "key_revoked", report.arc.reason
        assert f"{name} has 5 TXT records; the first was used, and it is revoked (empty p=)" in report.arc.reason
        unavailable = _arc_findings(report)["arc.key_unavailable"]
        assert unavailable.title == "ARC key record used is revoked, one of several"
        assert "rotated" not in unavailable.explanation
        assert "not every other record at the selector was tried" in unavailable.explanation
    # Every other key record tried, none verifying: the selector's key does not validate the chain,
    # which is its failure, not a revocation (verification V45b D1: "revoked since" excused fields
    # changed after delivery though the selector's real key was at hand).
    report = _run(raw, {**dns, name: {"TXT": [["v=DKIM1; p="], other]}})
    assert report.arc is not None and report.arc.reason_code == "invalid" and not report.arc.key_among_several
    assert "arc.key_unavailable" not in _arc_findings(report)
    # The only key record revoked, an SPF record beside it discarded: revoked, as before.
    report = _run(raw, {**dns, name: {"TXT": [["v=spf1 -all"], ["v=DKIM1; p="]]}})
    assert report.arc is not None and report.arc.reason_code == "key_revoked"
    assert "1 beginning with a v= other than DKIM1 was discarded" in report.arc.reason
    assert "rotated its key since" in _arc_findings(report)["arc.key_unavailable"].explanation


@pytest.mark.parametrize("records", [[["v=spf1 -all"]], [["v=spf1 -all"], ["v=spf1 ?all"]]], ids=["one", "two"])
def test_a_selector_with_only_spf_records_publishes_no_arc_key(kit: _Kit, records: list[list[str]]) -> None:
    # Verification V43c: read as a broken chain (fail invalid, arc.chain_failed: tampering). RFC
    # 6376 section 3.6.1: a record whose v= is not DKIM1 MUST be discarded, so no key is published,
    # as DKIM says of its signatures (key_syntax, "an SPF record, not a DKIM key").
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    report = _run(raw, {**dns, "arc-20240605._domainkey.google.com": {"TXT": records}})
    assert report.arc is not None
    assert (report.arc.result, report.arc.reason_code) == ("fail", "key_not_found"), report.arc.reason
    assert "v='spf1 -all', an SPF record, not a DKIM key" in report.arc.reason
    assert ("none of the 2 TXT records" in report.arc.reason) == (len(records) == 2)
    findings = _arc_findings(report)
    assert "arc.chain_failed" not in findings
    assert findings["arc.key_unavailable"].severity == Severity.NOTICE
    # The newest set's seal and message signature are not checked, not failed.
    assert [(i.seal_result, i.signature_result) for i in report.arc.instances][-1] == ("permerror", "permerror")
