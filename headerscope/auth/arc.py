"""Validate the ARC chain with dkimpy (RFC 8617) and report every ARC set.

dkimpy decides the chain validation status (``cv``); this module reads each set itself as
well, so the report lists every instance (signer, recorded ``cv=``, what its
ARC-Authentication-Results saw) even when dkimpy stops at the first broken one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dns.interface import DnsStatus, Resolver
from ..message import Message
from ..model import ArcInstance, ArcResult, Finding, Severity
from . import _dkimpy
from .tags import parse_tag_list

RFC8617 = "https://www.rfc-editor.org/rfc/rfc8617"
MAX_INSTANCE = 50  # RFC 8617 section 4.2.1


@dataclass
class _Set:
    seal: str | None = None
    signature: str | None = None
    results: str | None = None


def _instance_of(value: str) -> int | None:
    """The i= of an ARC-Seal or ARC-Message-Signature value."""
    raw = parse_tag_list(value).get("i")
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 3:
        return None
    return int(raw.strip())


def _aar_instance(value: str) -> tuple[int | None, str]:
    """ARC-Authentication-Results is ``i=N; authserv-id; results`` (RFC 8617 section 4.1.1)."""
    head, _, rest = value.partition(";")
    name, equals, number = head.partition("=")
    if not equals or name.strip().lower() != "i" or not number.strip().isdigit() or len(number.strip()) > 3:
        return None, value.strip()
    return int(number.strip()), rest.strip()


def _read_sets(message: Message) -> dict[int, _Set]:
    sets: dict[int, _Set] = {}
    for header in message.headers:
        name = header.name.lower()
        if name == "arc-authentication-results":
            number, rest = _aar_instance(header.value)
            if number is not None:
                entry = sets.setdefault(number, _Set())
                entry.results = entry.results if entry.results is not None else rest
        elif name in ("arc-seal", "arc-message-signature"):
            number = _instance_of(header.value)
            if number is None:
                continue
            entry = sets.setdefault(number, _Set())
            if name == "arc-seal" and entry.seal is None:
                entry.seal = header.value
            elif name == "arc-message-signature" and entry.signature is None:
                entry.signature = header.value
    return sets


def _word(valid: bool | None) -> str | None:
    return None if valid is None else ("pass" if valid else "fail")


def check_arc(message: Message, resolver: Resolver) -> tuple[ArcResult | None, tuple[Finding, ...]]:
    """None when the message has no ARC headers."""
    if not any(h.name.lower() in ("arc-seal", "arc-message-signature", "arc-authentication-results")
               for h in message.headers):
        return None, ()
    sets = _read_sets(message)
    dnsfunc = _dkimpy.DnsFunc(resolver)
    outcome = _dkimpy.verify_arc(_dkimpy.split_message(message.raw), dnsfunc)
    checks = {c.instance: c for c in outcome.instances}

    instances: list[ArcInstance] = []
    for number in sorted(sets)[:MAX_INSTANCE + 1]:
        entry = sets[number]
        seal = parse_tag_list(entry.seal) if entry.seal else None
        ams = parse_tag_list(entry.signature) if entry.signature else None
        check = checks.get(number)
        source = seal if seal is not None else ams
        instances.append(ArcInstance(
            instance=number,
            domain=source.get("d") if source else None,
            selector=source.get("s") if source else None,
            cv=seal.get("cv") if seal else None,
            seal_result=_word(check.seal_valid) if check else None,
            signature_result=_word(check.ams_valid) if check else None,
            authentication_results=entry.results,
        ))

    result, code, reason = _verdict(outcome, dnsfunc, has_body=message.body is not None)
    oldest_pass = None
    if result == "pass":
        # RFC 8617 section 5.2 step 6: walk down from the newest set while its AMS validates.
        for check in sorted(outcome.instances, key=lambda c: -c.instance):
            if not check.ams_valid:
                break
            oldest_pass = check.instance
    arc = ArcResult(result=result, reason=reason, instances=tuple(instances),
                    oldest_pass=oldest_pass, reason_code=code)
    findings: list[Finding] = []
    if result in ("fail", "permerror"):
        findings.append(Finding(
            "arc.chain_failed", Severity.WARNING, "ARC chain does not validate",
            f"{reason}. A receiver cannot rely on what the intermediaries recorded in their "
            "ARC-Authentication-Results.", f"{RFC8617}#section-5.2", "arc"))
    return arc, tuple(findings)


def _verdict(outcome: _dkimpy.ArcOutcome, dnsfunc: _dkimpy.DnsFunc, *, has_body: bool) -> tuple[str, str, str]:
    """(result, reason_code, reason) from dkimpy's cv and what DNS answered."""
    if outcome.cv == "pass":
        return "pass", "ok", "every ARC seal and the newest ARC-Message-Signature validate"
    if outcome.cv == "none":
        return "none", "no_arc", "no ARC set with a readable instance number"
    failures = dnsfunc.failures
    if failures:
        if any(a.status == DnsStatus.OFFLINE for a in failures):
            return "none", "offline", "not checked (offline)"
        first = failures[0]
        return "temperror", "temperror", f"key lookup for {first.name} failed: {first.status} (try again later)"
    if outcome.cv == "error":
        return "permerror", "library_error", f"ARC validation could not complete: {outcome.reason}"
    if outcome.cv == "terminated":
        return "fail", "chain_terminated", f"chain already failed upstream: {outcome.reason}"
    if not has_body and outcome.instances and all(c.seal_valid for c in outcome.instances):
        return ("neutral", "no_body",
                "every ARC seal validates, but the input has no body, so the message signatures "
                "could not be checked")
    return "fail", "invalid", outcome.reason
