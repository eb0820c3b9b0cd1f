"""BIMI (draft-brand-indicators-for-message-identification-10): who qualifies for a logo (section
7.1), which assertion record a receiver finds (sections 4.3, 5.1, 5.5, 7.2), and the BIMI fields a
message carries (sections 5.6, 7.8), on messages signed here (test_dkim's signer) with DNS from
snapshot dicts. Nothing is fetched: the logo and the certificate are only named."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from test_dkim import crlf, rsa_dns, rsa_key, sign

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report, Severity
from headerscope.render import get_renderer

NOW = datetime(2026, 11, 2, 11, 0, tzinfo=timezone.utc)
RECEIVED = ("Received: from mail.shop.example (mail.shop.example [192.0.2.40]) by mx.receiver.example with ESMTPS "
            "id 4Q1; Mon, 2 Nov 2026 10:00:04 +0000\r\n")
LOGO = "https://shop.example/brand/logo.svg"
VMC = "https://shop.example/brand/vmc.pem"
RECORD = f"v=BIMI1; l={LOGO}; a={VMC}"
SIGNED = "from:to:subject:date:message-id"


def message(extra: str = "", sender: str = "news@shop.example") -> bytes:
    return crlf(f"From: Shop <{sender}>\r\nTo: carol@receiver.example\r\nSubject: Autumn offers\r\n"
                f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <n1@shop.example>\r\n{extra}"
                "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello.\r\n".encode())


def delivered(extra: str = "", *, headers: str = SIGNED, sender: str = "news@shop.example", above: str = "") -> bytes:
    """Signed by shop.example (s1), then received by mx.receiver.example (``above``: fields the
    receiving side wrote above its Received)."""
    signed = sign(message(extra, sender), domain="shop.example", selector="s1", key=rsa_key(1024), headers=headers)
    return crlf(above.encode()) + RECEIVED.encode() + signed


def zone(dmarc: str = "v=DMARC1; p=reject", **bimi: Any) -> dict[str, Any]:
    """The key, the DMARC record, and BIMI records by name (``default=RECORD`` is
    default._bimi.shop.example; a list is several TXT records)."""
    data: dict[str, Any] = {**rsa_dns(1024, name="s1._domainkey.shop.example"),
                            "_dmarc.shop.example": {"TXT": [[dmarc]]}}
    for name, records in bimi.items():
        texts = records if isinstance(records, list) else [records]
        data[f"{name.replace('__', '.')}._bimi.shop.example"] = {"TXT": [[t] for t in texts]}
    return data


def analyze(raw: bytes, dns: dict[str, Any] | None = None) -> Report:
    if dns is None:
        return headerscope.analyze(raw, offline=True, now=NOW)
    return headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def bimi_findings(report: Report) -> dict[str, Severity]:
    return {f.id: f.severity for f in report.findings if f.id.startswith("bimi.")}


def asked(report: Report) -> list[str]:
    return [d.name for d in report.dns if "._bimi." in d.name]


def test_dmarc_pass_under_reject_finds_the_default_record() -> None:
    report = analyze(delivered(), zone(default=RECORD))
    assert report.dmarc is not None and report.dmarc.result == "pass"
    bimi = report.bimi
    assert bimi is not None
    assert (bimi.result, bimi.eligible, bimi.selector) == ("found", True, "default")
    assert bimi.record_name == "default._bimi.shop.example"
    assert (bimi.location, bimi.authority) == (LOGO, VMC)
    assert "p=reject" in bimi.eligibility
    assert "not fetched or validated" in bimi.display
    assert bimi_findings(report) == {}
    # The lookup is evidence like any other.
    assert asked(report) == ["default._bimi.shop.example"]


def test_a_record_without_a_certificate_is_said_to_show_no_logo_at_gmail() -> None:
    report = analyze(delivered(), zone(default=f"v=BIMI1; l={LOGO}"))
    assert report.bimi is not None and report.bimi.result == "found" and report.bimi.authority is None
    assert "Gmail and Apple Mail show no logo without a VMC or CMC" in report.bimi.display


def test_a_signed_bimi_selector_chooses_the_record() -> None:
    raw = delivered("BIMI-Selector: v=BIMI1; s=autumn\r\n", headers=SIGNED + ":bimi-selector")
    report = analyze(raw, zone(default=RECORD, autumn=f"v=BIMI1; l=https://shop.example/autumn.svg; a={VMC}"))
    bimi = report.bimi
    assert bimi is not None
    assert (bimi.result, bimi.selector, bimi.record_name) == ("found", "autumn", "autumn._bimi.shop.example")
    assert bimi.location == "https://shop.example/autumn.svg"
    assert bimi.selector_note is not None and "From:-aligned DKIM signature" in bimi.selector_note


def test_an_unsigned_bimi_selector_is_ignored() -> None:
    # Section 5.5: not covered by the DMARC-aligned signature, so anyone could have added it.
    raw = delivered("BIMI-Selector: v=BIMI1; s=autumn\r\n")
    report = analyze(raw, zone(default=RECORD, autumn="v=BIMI1; l=https://evil.example/other.svg"))
    bimi = report.bimi
    assert bimi is not None
    assert (bimi.selector, bimi.record_name, bimi.location) == ("default", "default._bimi.shop.example", LOGO)
    assert bimi.selector_note is not None and "no DKIM signature covers it" in bimi.selector_note
    assert "autumn._bimi.shop.example" not in asked(report)


def test_a_bimi_selector_without_its_version_is_ignored() -> None:
    # Appendix A.5: "BIMI-Selector: s=myselector;" is ignored, default is looked up.
    raw = delivered("BIMI-Selector: s=autumn;\r\n", headers=SIGNED + ":bimi-selector")
    report = analyze(raw, zone(default=RECORD))
    assert report.bimi is not None and report.bimi.selector == "default"
    assert report.bimi.selector_note is not None and "v=BIMI1" in report.bimi.selector_note


@pytest.mark.parametrize(("dmarc", "words"), [
    ("v=DMARC1; p=none", "p=none: BIMI requires quarantine or reject"),
    ("v=DMARC1; p=quarantine; pct=50", "pct=50"),
    # Section 7.1 step 8: an sp=none in the record disqualifies, whatever the From: domain.
    ("v=DMARC1; p=reject; sp=none", "sp=none"),
])
def test_a_policy_that_does_not_enforce_does_not_qualify(dmarc: str, words: str) -> None:
    raw = delivered("BIMI-Selector: v=BIMI1; s=autumn\r\n", headers=SIGNED + ":bimi-selector")
    report = analyze(raw, zone(dmarc, autumn=RECORD))
    assert report.dmarc is not None and report.dmarc.result == "pass"
    bimi = report.bimi
    assert bimi is not None
    assert (bimi.result, bimi.eligible) == ("skipped", False)
    assert words in bimi.eligibility
    # The published record is shown, for whoever asks why no logo appears.
    assert bimi.location == LOGO
    assert bimi_findings(report) == {"bimi.not_eligible": Severity.NOTICE}


def test_the_common_message_asks_nothing_and_shows_nothing() -> None:
    # DMARC p=none and no BIMI field: no lookup, no section, no finding.
    report = analyze(delivered(), zone("v=DMARC1; p=none", default=RECORD))
    assert report.bimi is None and asked(report) == [] and bimi_findings(report) == {}
    # Nothing signed for shop.example, so DMARC does not pass: the same.
    report = analyze(RECEIVED.encode() + message(), zone(default=RECORD))
    assert report.dmarc is not None and report.dmarc.result != "pass"
    assert report.bimi is None and asked(report) == []


def test_no_record_under_enforcement_is_one_quiet_line() -> None:
    report = analyze(delivered(), zone())
    bimi = report.bimi
    assert bimi is not None
    assert bimi.result == "none" and "no BIMI record at default._bimi.shop.example" in bimi.explanation
    assert bimi_findings(report) == {}


def test_a_subdomain_falls_back_to_the_organisational_domains_record() -> None:
    # Section 7.2 step 6 and appendix A.3: default._bimi.news.shop.example, then default._bimi.shop.example.
    raw = delivered(sender="offers@news.shop.example")
    report = analyze(raw, zone(default=RECORD))
    assert report.dmarc is not None and report.dmarc.result == "pass"
    bimi = report.bimi
    assert bimi is not None
    assert (bimi.result, bimi.record_name) == ("found", "default._bimi.shop.example")
    assert asked(report) == ["default._bimi.news.shop.example", "default._bimi.shop.example"]


def test_the_organisational_domains_weak_policy_disqualifies_a_subdomain() -> None:
    # Section 7.1 step 7: the author domain's own p=reject is not enough when the organisational
    # domain's record says p=none.
    raw = delivered(sender="offers@news.shop.example")
    dns = zone("v=DMARC1; p=none", default=RECORD)
    dns["_dmarc.news.shop.example"] = {"TXT": [["v=DMARC1; p=reject"]]}
    dns["default._bimi.news.shop.example"] = {"TXT": [[RECORD]]}
    report = analyze(raw, dns)
    bimi = report.bimi
    assert report.dmarc is not None and report.dmarc.result == "pass"
    # Nothing in the message asks for BIMI and it does not qualify: silent.
    assert bimi is None
    raw = delivered("BIMI-Selector: v=BIMI1; s=default\r\n", headers=SIGNED + ":bimi-selector",
                    sender="offers@news.shop.example")
    bimi = analyze(raw, dns).bimi
    assert bimi is not None and bimi.eligible is False
    assert "_dmarc.shop.example is p=none" in bimi.eligibility


@pytest.mark.parametrize(("records", "result", "words"), [
    (f"v=BIMI1; l=http://shop.example/logo.svg; a={VMC}", "fail", "not an https: URI"),
    ("v=BIMI1; l=https://shop.example/logo.png", "fail", "only SVG is acceptable"),
    (f"v=BIMI1; a={VMC}", "fail", "l= is missing"),
    ("v=BIMI1; l=https://shop.example/a.svg,https://shop.example/b.svg", "fail", "several URIs"),
    ([RECORD, "v=BIMI1; l=https://shop.example/other.svg"], "fail", "2 BIMI records"),
    # Section 4.3: no fixing of capitalisation: the record is discarded, and the tool says so.
    ("v=bimi1; l=https://shop.example/logo.svg", "none", "does not start with v=BIMI1 exactly"),
])
def test_malformed_records(records: str | list[str], result: str, words: str) -> None:
    report = analyze(delivered(), zone(default=records))
    bimi = report.bimi
    assert bimi is not None
    assert bimi.result == result
    assert any(words in p for p in bimi.problems), bimi.problems
    assert bimi_findings(report) == {"bimi.invalid_record": Severity.NOTICE}


def test_an_empty_record_declines() -> None:
    # Section 4.3.1: "v=BIMI1; l=; a=;" is an explicit declination, not an error.
    report = analyze(delivered(), zone(default="v=BIMI1; l=; a=;"))
    bimi = report.bimi
    assert bimi is not None
    assert bimi.result == "declined" and "declines" in bimi.display
    assert bimi_findings(report) == {}


def test_a_bimi_indicator_that_came_with_the_message_is_a_warning() -> None:
    # Sections 5.6 and 7.8: only the receiver writes BIMI-Indicator; one below the boundary is the sender's.
    svg = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZlcnNpb249IjEuMiIgYmFzZVByb2ZpbGU9InRpbnktcHMiPjwvc3ZnPg=="
    raw = RECEIVED.encode() + message(f"BIMI-Location: v=BIMI1; l={LOGO}\r\nBIMI-Indicator: {svg}\r\n")
    report = analyze(raw)  # offline
    bimi = report.bimi
    assert bimi is not None
    assert [(f.name, f.receivers) for f in bimi.fields] == [("BIMI-Location", False), ("BIMI-Indicator", False)]
    assert bimi.fields[1].value.startswith(f"base64 SVG, {len(svg)} characters")
    assert bimi_findings(report) == {"bimi.sender_field": Severity.WARNING}
    # Offline: DMARC and the record are unknown, and said to be.
    assert (bimi.result, bimi.eligible) == ("not_checked", None)
    assert bimi.explanation == "not checked (offline)"


def test_the_receivers_bimi_location_and_recorded_pass_are_shown_with_their_standing() -> None:
    above = (f"BIMI-Location: v=BIMI1; l={LOGO}\r\n"
             "Authentication-Results: mx.receiver.example; dkim=pass header.d=shop.example header.s=s1;\r\n"
             "  dmarc=pass header.from=shop.example;\r\n"
             "  bimi=pass header.d=shop.example header.selector=default policy.authority=pass\r\n")
    report = analyze(delivered(above=above), zone(default=RECORD))
    bimi = report.bimi
    assert bimi is not None
    assert [(f.name, f.receivers) for f in bimi.fields] == [("BIMI-Location", True)]
    assert bimi_findings(report) == {}
    [rec] = bimi.recorded
    assert (rec.result, rec.trusted, rec.authserv_id) == ("pass", True, "mx.receiver.example")
    assert ("header.selector", "default") in rec.properties
    rows = dict(get_bimi_rows(report))
    assert "bimi=pass" in rows["Recorded"] and "evidence" in rows["Recorded"]


def test_a_recorded_bimi_pass_below_the_boundary_is_a_claim() -> None:
    claim = "Authentication-Results: mx.receiver.example; bimi=pass header.d=shop.example header.selector=default\r\n"
    report = analyze(RECEIVED.encode() + message(claim))
    bimi = report.bimi
    assert bimi is not None
    [rec] = bimi.recorded
    assert rec.result == "pass" and rec.trusted is False
    assert "a claim" in dict(get_bimi_rows(report))["Recorded"]


def test_offline_with_a_signed_selector_is_not_checked() -> None:
    raw = delivered("BIMI-Selector: v=BIMI1; s=autumn\r\n", headers=SIGNED + ":bimi-selector")
    report = analyze(raw)
    bimi = report.bimi
    assert bimi is not None
    assert (bimi.result, bimi.eligible) == ("not_checked", None)
    assert "not evaluated" in bimi.eligibility
    assert bimi_findings(report) == {}


def test_the_renderers_show_the_section_and_escape_the_uris() -> None:
    hostile = "https://shop.example/<b>logo</b>.svg"
    report = analyze(delivered(), zone(default=f"v=BIMI1; l={hostile}; a={VMC}"))
    assert report.bimi is not None and report.bimi.location == hostile
    rendered = get_renderer("html").render(report)
    html = rendered.decode() if isinstance(rendered, bytes) else rendered
    assert 'id="bimi"' in html and "&lt;b&gt;logo&lt;/b&gt;" in html and "<b>logo" not in html
    markdown = str(get_renderer("markdown").render(report))
    assert "### BIMI (brand logo)" in markdown and "<b>logo" not in markdown
    terminal = str(get_renderer("terminal").render(report))
    assert "BIMI (brand logo)" in terminal and "default._bimi.shop.example" in terminal
    json = report.to_json()
    assert (b'"bimi"' if isinstance(json, bytes) else '"bimi"') in json


def get_bimi_rows(report: Report) -> tuple[tuple[str, str], ...]:
    from headerscope.auth.bimi import bimi_rows

    assert report.bimi is not None
    return bimi_rows(report.bimi)


@pytest.mark.parametrize("location", [
    'https://shop.example/a"><script>alert(1)</script>.svg',
    "https://shop.example/<img src=x>.svg",
    "https://shop.example/logo\x7f.svg",
    "https://shop.example/l\u00f6go.svg",
])
def test_a_uri_with_characters_rfc3986_does_not_allow_is_a_record_problem(location: str) -> None:
    """l= with a quote, angle brackets, a control or a raw non-ASCII letter is no URI (RFC 3986
    section 2): it was 'found' with no problem (verification V17 N10, b06b)."""
    report = analyze(delivered(), zone(default=f"v=BIMI1; l={location}; a={VMC}"))
    bimi = report.bimi
    assert bimi is not None and bimi.result == "fail"
    assert any("a character a URI cannot hold" in p and "RFC 3986" in p for p in bimi.problems), bimi.problems
    assert bimi_findings(report) == {"bimi.invalid_record": Severity.NOTICE}
    # The same certificate URI in a= is checked the same way.
    authority = analyze(delivered(), zone(default=f"v=BIMI1; l={LOGO}; a={location.replace('.svg', '.pem')}")).bimi
    assert authority is not None and authority.result == "fail"


def test_hidden_characters_in_the_record_are_shown_not_dropped() -> None:
    """An escape sequence or a U+202E in the TXT record is shown as ⟨U+XXXX⟩, as attachment names
    are; it was removed silently in every renderer (V17 N10, b06)."""
    record = "v=BIMI1; l=https://shop.example/\x1b[31mlogo.svg; a=https://shop.example/\u202egepj.pem"
    report = analyze(delivered(), zone(default=record))
    bimi = report.bimi
    assert bimi is not None and bimi.record is not None
    assert "⟨U+001B⟩[31m" in bimi.record and "⟨U+202E⟩gepj.pem" in bimi.record
    assert bimi.location == "https://shop.example/⟨U+001B⟩[31mlogo.svg"
    assert bimi.authority == "https://shop.example/⟨U+202E⟩gepj.pem"
    for name in ("terminal", "markdown", "html"):
        rendered = get_renderer(name).render(report)
        text = rendered.decode() if isinstance(rendered, bytes) else str(rendered)
        assert "⟨U+202E⟩gepj.pem" in text and "\u202e" not in text and "\x1b[31m" not in text, name


def test_a_uri_with_a_user_part_names_its_real_host() -> None:
    # Verification V18 P7: "https://bimi.shop.example@evil.example/logo.svg" is a logo on evil.example.
    report = analyze(delivered(), zone(default=f"v=BIMI1; l=https://bimi.shop.example@evil.example/logo.svg; a={VMC}"))
    bimi = report.bimi
    assert bimi is not None and bimi.result == "fail"
    assert any("its host is 'evil.example'" in p for p in bimi.problems), bimi.problems
