"""A mailing list's own changes to the author's signed message (verification V46b D2-1, D2-2):
its Subject tag, its footer and its rewrite of From: (RFC 6377 section 5, RFC 7960 section
4.1.3) said as the list's, beside the list's own evidence only (its server at the boundary, its
DKIM signature or its ARC set covering List-Id), never on a List-Id, tag or footer alone.

Messages are built as Mailman 2.1 builds them (its default "[Devel] " prefix, its footer, its
Munge From), signed with keys made here (samples/make_samples.py's helpers, dkimpy)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import SAMPLES

from headerscope import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Finding, Report, Severity

T0 = datetime(2026, 5, 20, 9, 0, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 5, 29, tzinfo=timezone.utc)
AUTHOR_HEADERS = ["from", "to", "subject", "date", "message-id"]
LIST_HEADERS = ["from", "to", "subject", "date", "message-id", "list-id", "list-post", "reply-to", "cc"]
FOOTER = ("_______________________________________________\n"
          "Devel mailing list\ndevel@lists.example.org\nhttps://lists.example.org/mailman/listinfo/devel\n")
LIST_FIELDS = ("List-Id: Development of the project <devel.lists.example.org>",
               "List-Post: <mailto:devel@lists.example.org>",
               "List-Unsubscribe: <https://lists.example.org/mailman/options/devel>, "
               "<mailto:devel-request@lists.example.org?subject=unsubscribe>",
               "Precedence: list",
               "Sender: \"Devel\" <devel-bounces@lists.example.org>")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    spec.loader.exec_module(module)
    return module


class _Kit:
    def __init__(self, folder: Path) -> None:
        self.m = _generator()
        self.folder = folder

    def key(self, name: str) -> bytes:
        return self.m.rsa_key(name, 1024, self.folder)  # type: ignore[no-any-return]

    def record(self, name: str) -> dict[str, Any]:
        return {"TXT": [self.m.rsa_record(self.key(name))]}

    def list_copy(self, *, tag: bool = True, footer: bool = True, munge: str = "", list_dkim: bool = False,
                  list_arc: str = "", client: tuple[str, str] = ("mail.lists.example.org", "198.51.100.40"),
                  list_id: str = LIST_FIELDS[0]) -> tuple[bytes, dict[str, Any]]:
        """Alice's signed post as the list passed it on and mx.example.net received it from
        ``client`` (rDNS name, address). ``munge``: "reply-to" or "cc", where Munge From puts the
        author. ``list_arc``: the d= that seals i=1 ("" for no set)."""
        m = self.m
        text = ("From: Alice Martin <alice@example.com>\nTo: devel@lists.example.org\nSubject: Build fails on arm64\n"
                f"Date: {m.date(T0)}\nMessage-ID: <20260520090000.1@mail.example.com>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\nThe arm64 build fails since r1234.\n")
        message = m.crlf(text)
        message = m.prepend(message, m.dkim_sign(message, "mail1", "example.com", self.key("author"), T0,
                                                 AUTHOR_HEADERS))
        dns: dict[str, Any] = {"mail1._domainkey.example.com": self.record("author"),
                               "_dmarc.example.com": {"TXT": [["v=DMARC1; p=none"]]}}
        # The list: tag, footer, its fields; Munge From moves the author to Reply-To or Cc.
        if tag:
            message = m.replace_header(message, "Subject", "[Devel] Build fails on arm64")
        if footer:
            message += m.crlf(FOOTER)
        fields = [list_id, *LIST_FIELDS[1:]]
        if munge:
            message = m.replace_header(message, "From", "Alice Martin via Devel <devel@lists.example.org>")
            fields.append("Reply-To: Alice Martin <alice@example.com>" if munge == "reply-to" else
                          "Reply-To: devel@lists.example.org")
            if munge == "cc":
                fields.append("Cc: Bob <bob@example.net>, Alice Martin <alice@example.com>")
        message = m.prepend(message, *fields)
        if list_dkim:
            message = m.prepend(message, m.dkim_sign(message, "l1", "lists.example.org", self.key("list"), T0,
                                                     LIST_HEADERS))
            dns["l1._domainkey.lists.example.org"] = self.record("list")
        if list_arc:
            sealed = m.prepend(message, f"Authentication-Results: mail.{list_arc}; dkim=pass header.d=example.com; "
                               "dmarc=pass header.from=example.com")
            message = m.prepend(message, *m.arc_seal(sealed, "arc", list_arc, self.key(list_arc), f"mail.{list_arc}",
                                                     T0, LIST_HEADERS))
            dns[f"arc._domainkey.{list_arc}"] = self.record(list_arc)
        t = T0 + timedelta(seconds=5)
        message = m.prepend(message, "Return-Path: <devel-bounces+grace=example.net@lists.example.org>",
                            "Authentication-Results: mx.example.net; dkim=fail header.d=example.com",
                            m.postfix_received(client[0], client[0], client[1], "mx.example.net", "4ZQ1",
                                               "grace@example.net", t))
        return message, dns


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> _Kit:
    return _Kit(tmp_path_factory.mktemp("list-keys"))


def _run(built: tuple[bytes, dict[str, Any]]) -> Report:
    raw, dns = built
    return analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def _dkim_findings(report: Report) -> dict[str, Finding]:
    found = {f.id: f for f in report.findings if f.id.startswith("dkim.")}
    assert len(found) == len([f for f in report.findings if f.id.startswith("dkim.")])
    return found


def test_a_lists_tag_and_footer_from_its_own_server_are_said_as_the_lists(kit: _Kit) -> None:
    report = _run(kit.list_copy())
    [author] = [s for s in report.dkim if s.domain == "example.com"]
    assert (author.result, author.verifies_without_subject_tag, author.body_hash_ok) == ("fail", "[Devel]", False)
    found = _dkim_findings(report)
    # One notice, no "words no gateway or filter writes", no "or another key signed".
    assert set(found) == {"dkim.headers_changed"}
    broken = found["dkim.headers_changed"]
    assert broken.severity is Severity.NOTICE
    assert broken.title == "DKIM signature by example.com broken by the mailing list's subject tag and footer"
    assert ("The mailing list Development of the project <devel.lists.example.org> changed the message when it "
            "passed it on: it put '[Devel]' before the Subject (with it taken off, the signed header fields verify "
            "with the key at mail1._domainkey.example.com") in broken.explanation
    assert "and its body ends with the list's footer (" in broken.explanation
    assert ("the receiving side took the message from the list's own server (mail.lists.example.org"
            in broken.explanation)
    assert "a list of the sender's own making looks the same" in broken.explanation
    assert author.result == "fail"  # said, never excused: the signature still counts for nothing


def test_the_tag_alone_with_the_body_as_signed(kit: _Kit) -> None:
    broken = _dkim_findings(_run(kit.list_copy(footer=False)))["dkim.headers_changed"]
    assert broken.severity is Severity.NOTICE
    assert broken.title == "DKIM signature by example.com broken by the mailing list's subject tag"
    assert "and left the body as signed (its hash matches)" in broken.explanation


def test_the_lists_own_signature_or_seal_covering_list_id_is_its_evidence(kit: _Kit) -> None:
    # Handed over by a forwarder, not the list's server: the list's signature or ARC set over
    # List-Id shows the list passed the message on as it reads now.
    forwarder = ("relay.uni.example", "192.0.2.77")
    signed = _dkim_findings(_run(kit.list_copy(list_dkim=True, client=forwarder)))["dkim.headers_changed"]
    assert signed.severity is Severity.NOTICE
    assert ("the list's own DKIM signature (d=lists.example.org), which covers List-Id, verifies over the message "
            "as delivered") in signed.explanation
    sealed = _dkim_findings(_run(kit.list_copy(list_arc="lists.example.org", client=forwarder)))
    assert sealed["dkim.headers_changed"].severity is Severity.NOTICE
    assert ("ARC set i=1, sealed by lists.example.org, validates, and its message signature, which covers List-Id"
            in sealed["dkim.headers_changed"].explanation)


def test_a_forgers_list_id_footer_and_seal_excuse_nothing(kit: _Kit) -> None:
    # The same tag, footer and List-Id, from the forger's own server, with no key of the list's
    # organisation (or with the forger's own ARC seal); or a genuine seal of the list's beside
    # a List-Id of another organisation: the warnings stand as before.
    attacker = ("mx.attacker.example", "203.0.113.66")
    for built in (kit.list_copy(client=attacker), kit.list_copy(client=attacker, list_arc="attacker.example"),
                  kit.list_copy(client=("relay.uni.example", "192.0.2.77"), list_arc="lists.example.org",
                                list_id="List-Id: Devel <devel.attacker.example>")):
        found = _dkim_findings(_run(built))
        assert found["dkim.headers_changed"].severity is Severity.WARNING
        assert "mailing list" not in found["dkim.headers_changed"].title
        assert found["dkim.subject_tag_only_change"].severity is Severity.WARNING
        assert "in words no gateway or filter writes" in found["dkim.subject_tag_only_change"].explanation
    # The key proves who signed whatever the list evidence: the title no longer offers "another key".
    assert found["dkim.headers_changed"].title == ("DKIM signature does not verify: a tag was added to the Subject "
                                                   "after signing")


@pytest.mark.parametrize("where", ["reply-to", "cc"])
def test_munge_from_is_named_as_the_cause_and_the_sender_line_names_the_author(kit: _Kit, where: str) -> None:
    report = _run(kit.list_copy(munge=where, list_dkim=True))
    assert report.verdict.status == "authenticated" and report.verdict.authenticated_domain == "lists.example.org"
    found = _dkim_findings(report)
    assert set(found) == {"dkim.headers_changed"}  # the tag's "possible cause" folded in
    broken = found["dkim.headers_changed"]
    assert broken.severity is Severity.NOTICE
    assert broken.title == ("DKIM signature by example.com broken by the mailing list's From: rewrite, subject tag "
                            "and footer")
    assert ("it put its own address in From: in place of the author's (alice@example.com; From: is signed) and "
            "'[Devel]' before the Subject") in broken.explanation
    differences = {d.kind: d.explanation for d in report.envelope.differences}
    assert ("on behalf of the author (alice@example.com; the list put its own address, devel@lists.example.org, "
            "in From: afterwards)") in differences["sender"]
    assert "The author's address is alice@example.com." in differences["list_rewrote_from"]


def test_munge_from_seen_on_a_forgery_excuses_nothing(kit: _Kit) -> None:
    report = _run(kit.list_copy(munge="reply-to", client=("mx.attacker.example", "203.0.113.66")))
    broken = _dkim_findings(report)["dkim.headers_changed"]
    assert broken.severity is Severity.WARNING and "mailing list" not in broken.title


@pytest.mark.parametrize(("fields", "author"), [
    ("Reply-To: Alice Martin <alice@example.com>\r\n", "alice@example.com"),
    # Replies go to the list: Mailman puts the author in Cc, under the name it kept in From:.
    ("Reply-To: devel@lists.example.org\r\nCc: Bob <bob@example.net>, Alice Martin <alice@example.com>\r\n",
     "alice@example.com"),
])
def test_the_sender_line_of_a_munged_from_names_the_author_not_the_lists_address(fields: str, author: str) -> None:
    # V46b D2-2: "on behalf of the author in From: (devel@lists.example.org)", the list's address.
    raw = ("Received: from mail.lists.example.org (mail.lists.example.org [198.51.100.40]) by mx.example.net "
           "(Postfix) with ESMTPS id 4ZQ1 for <grace@example.net>; Wed, 20 May 2026 09:00:05 +0000\r\n"
           + "\r\n".join(LIST_FIELDS) + "\r\n"
           "From: Alice Martin via Devel <devel@lists.example.org>\r\n" + fields
           + "To: devel@lists.example.org\r\nSubject: [Devel] Build fails on arm64\r\n"
           "Date: Wed, 20 May 2026 09:00:00 +0000\r\n\r\nbody\r\n").encode()
    report = analyze(raw, offline=True, now=NOW)
    differences = {d.kind: d.explanation for d in report.envelope.differences}
    assert (f"on behalf of the author ({author}; the list put its own address, devel@lists.example.org, in From: "
            "afterwards)") in differences["sender"]
    assert "the author in From: (devel@lists.example.org)" not in differences["sender"]
    assert f"The author's address is {author}." in differences["list_rewrote_from"]
    # A Cc that is not under the name the list kept is not taken for the author.
    other = raw.replace(b"Alice Martin <alice@example.com>\r\n", b"Carol <carol@example.org>\r\n")
    if b"Cc:" in raw:
        shown = {d.kind: d.explanation for d in analyze(other, offline=True, now=NOW).envelope.differences}
        assert "carol@example.org" not in shown["sender"] and "carol" not in shown["list_rewrote_from"]
