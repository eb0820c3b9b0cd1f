"""The Markdown summary: structure, and message text that stays text in GitHub-flavoured Markdown."""

from __future__ import annotations

import dataclasses

import pytest
from markdown_it import MarkdownIt
from report_factory import VIA_HOPS, hostile_payload, inject, make_report, parse_html, tag_census

import headerscope
from headerscope.redact import redact_report
from headerscope.render.markdown import MarkdownRenderer, md_escape

RENDERER = MarkdownRenderer()


def to_html(markdown: str) -> str:
    # CommonMark plus GFM tables and strikethrough: what GitHub and Jira's Markdown paste read.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)


def tables(markdown: str) -> list[list[list[str]]]:
    """Each table of the rendered Markdown as rows of cell texts."""
    root = parse_html(to_html(markdown))
    return [[[cell.text for cell in tr.children if cell.tag in ("td", "th")] for tr in table.find_all("tr")]
            for table in root.find_all("table")]


def test_factory_summary() -> None:
    report = make_report()
    markdown = RENDERER.render(report)
    assert markdown.splitlines()[0] == "## Message analysis: Suspicious"
    hop_table, auth_table, comparison_table, claims_table = tables(markdown)
    assert [row[0] for row in hop_table[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert [row[-1] for row in hop_table[1:]] == ["claim"] * 3 + ["boundary", "receiver", "receiver"]
    assert hop_table[4][3] == "mx1.receiver.example" and hop_table[3][7] == "1 h 1 min"
    assert [row[:2] for row in auth_table[1:]] == [
        ["DKIM lists.example.org/list", "pass"], ["DKIM sender.example/ed1", "fail"], ["SPF", "pass"],
        ["DMARC", "fail"], ["ARC (1 set)", "pass"], ["Reverse DNS", "pass"]]
    assert "ip4:192.0.2.0/24" in auth_table[3][2] and "1 of 10 DNS lookups" in auth_table[3][2]
    assert comparison_table[1][:4] == ["dmarc", "sender.example", "pass", "fail"]
    # The recorded results not relied on are shown, failures as well as passes.
    assert claims_table == [["Field", "Written by", "Results"],
                            ["header 9 (ARC-Authentication-Results)", "lists.example.org", "dkim=pass"]]
    assert report.input.sha256 in markdown


@pytest.mark.parametrize(("text", "rendered"), [
    ("a|b", "a|b"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("**bold** _em_ `code` ~~s~~", "**bold** _em_ `code` ~~s~~"),
    ("[l](javascript:alert(1)) ![i](http://x/i.png)", "[l](javascript:alert(1)) ![i](http://x/i.png)"),
    ("&amp; &#60; $x$ # h", "&amp; &#60; $x$ # h"),
    ("back\\slash\\*", "back\\slash\\*"),
    ("two\nlines", "two lines"),
])
def test_escape_round_trips_as_text(text: str, rendered: str) -> None:
    html = to_html(f"| c |\n| - |\n| {md_escape(text)} |\n\n{md_escape(text, line_start=True)}\n")
    root = parse_html(html)
    cell = root.find_all("td")[0]
    paragraph = root.find_all("p")[0]
    assert cell.text == rendered and paragraph.text == rendered
    assert not cell.children and not paragraph.children  # no <a>, <em>, <code>, <img>, ...


@pytest.mark.parametrize("text", ["- item", "+ item", "1. one", "3) three", "===", "# title", "> quote"])
def test_block_markers_escaped_at_line_start(text: str) -> None:
    root = parse_html(to_html(md_escape(text, line_start=True) + "\n"))
    assert [e.tag for e in root.children] == ["p"] and root.children[0].text == text


def test_autolinks_defused() -> None:
    escaped = md_escape("see http://evil.example/x and www.evil.example")
    assert "http://" not in escaped and "www." not in escaped


def test_hostile_report_keeps_its_shape() -> None:
    clean = make_report()
    payload = hostile_payload(9) + " | `x` *y* [z](http://a) \n- item"
    hostile_md = RENDERER.render(inject(clean, payload))
    filler_md = RENDERER.render(inject(clean, ("x " * len(payload))[: len(payload)]))
    hostile_html, filler_html = parse_html(to_html(hostile_md)), parse_html(to_html(filler_md))
    assert tag_census(hostile_html) == tag_census(filler_html)
    assert not hostile_html.find_all("a") and not hostile_html.find_all("img")
    assert not hostile_html.find_all("script")
    for table in tables(hostile_md):
        assert len({len(row) for row in table}) == 1


def test_redacted_summary() -> None:
    markdown = RENDERER.render(redact_report(make_report()))
    assert "**Redacted:**" in markdown and "alice@" not in markdown and "a\\*\\*\\*@sender.example" in markdown


def test_no_hops_no_auth() -> None:
    report = dataclasses.replace(make_report(), hops=(), dkim=(), spf=None, dmarc=None, arc=None,
                                 reverse_dns=None, comparison=(), recorded=())
    markdown = RENDERER.render(report)
    assert "path cannot be traced" in markdown
    assert tables(markdown) == [[["Check", "Result", "Details"], ["DKIM", "none", "no DKIM-Signature"]]]


def test_hop_table_shows_the_via_link() -> None:
    rows = [row for table in tables(RENDERER.render(headerscope.analyze(VIA_HOPS, offline=True))) for row in table]
    assert any("via ESMTP" in cell for row in rows for cell in row)
    assert any("Microsoft SMTP Server via Frontend Transport" in cell for row in rows for cell in row)


def test_a_ticket_comment_carries_the_envelope_and_the_trust_boundary() -> None:
    # What a support engineer needs in the ticket: the display name beside the address, the
    # recipients, Reply-To, the envelope sender and where the receiving side took the message.
    from datetime import datetime, timezone

    from conftest import SAMPLES

    report = headerscope.analyze((SAMPLES / "spoofed.eml").read_bytes(), dns_snapshot=str(SAMPLES / "spoofed.dns.json"),
                                 now=datetime(2026, 11, 28, tzinfo=timezone.utc))
    text = MarkdownRenderer().render(report)
    for line in ("- **From:** accounts@bank.example \\<security-notice@bank.example\\>",
                 "- **To:** lee@fabrikam.example", "- **Reply-To:** recovery@secure-verify.test",
                 "- **MAIL FROM (envelope):** security-notice@bank.example (from Return-Path)",
                 "- **Trust boundary:** hop 3, where SN1PEPF0002636B.mail.protection.outlook.com accepted it from "
                 "203.0.113.66; earlier hops are claims", "### Envelope vs. headers"):
        assert line in text, line


def test_result_codes_are_words_in_every_authentication_row() -> None:
    # "not_checked" reached the ARC and reverse DNS rows as a code ("not\\_checked" once escaped).
    from conftest import SAMPLES

    import headerscope
    from headerscope.render import get_renderer

    report = headerscope.analyze((SAMPLES / "mailing-list.eml").read_bytes(), offline=True)
    text = get_renderer("markdown").render(report)
    assert "not\\_checked" not in text and "not_checked" not in text
    assert "| Reverse DNS | not checked |" in text


def test_a_long_explanation_of_the_analysis_is_not_cut() -> None:
    # The comparison of a re-verified signature can run to 400 characters (rsa-sha1, offline,
    # body changed): cut at 300, the ticket lost the reason that explains the difference.
    report = make_report()
    why = ("the receiver verified this signature at delivery; now " + "signed with rsa-sha1; " * 15
           + "so a DNS change alone does not explain the difference.")
    assert len(why) > 400
    changed = tuple(dataclasses.replace(c, explanation=why) if c.label != "same" else c for c in report.comparison)
    markdown = RENDERER.render(dataclasses.replace(report, comparison=changed))
    assert "so a DNS change alone does not explain the difference." in markdown


# A signed message that arrived from outside at mx.example.net, its envelope sender in the From:
# domain: offline, SPF has all its inputs but was not evaluated, and the Postfix pickup hop
# records the local user that submitted it ("(from userid 490)").
OFFLINE_SIGNED = (
    b"Return-Path: <news@example.com>\r\n"
    b"Received: from relay.example.com (relay.example.com [192.0.2.25]) by mx.example.net (Postfix) with ESMTPS"
    b" id 4AbC1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
    b"Received: by relay.example.com (Postfix, from userid 490) id 9XyZ2; Mon, 2 Nov 2026 10:00:01 +0000\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; h=from:to:subject:date;"
    b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n"
    b"From: News <news@example.com>\r\nTo: bob@example.net\r\nSubject: hello\r\n"
    b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nbody\r\n"
)
# A header with no Received field: SPF has no input at all.
NO_INPUTS = b"From: a@example.com\r\nTo: b@example.net\r\nSubject: hi\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nx\r\n"


def test_unevaluated_spf_and_dmarc_alignment_say_only_what_is_known() -> None:
    auth = tables(RENDERER.render(headerscope.analyze(OFFLINE_SIGNED, offline=True)))[1]
    rows = {row[0]: row for row in auth[1:]}
    spf = rows["SPF"]
    assert spf[1] == "not checked"
    assert spf[2].startswith("192.0.2.25 for news@example.com (HELO relay.example.com)")
    # Nothing was matched and no lookup counted: no "matched nothing", no "? of 10 lookups".
    assert "matched" not in spf[2] and "lookups" not in spf[2]
    assert "domain example.com aligned with From" in spf[2]  # identifier alignment, whatever the result
    # DMARC's alignment is "aligned and passing": unknown when nothing was verified, never "no".
    assert ("DKIM aligned and passing: unknown (not checked); SPF aligned and passing: unknown (not checked)"
            in rows["DMARC"][2])
    # No Received: no hop table, the Authentication table comes first.
    auth = tables(RENDERER.render(headerscope.analyze(NO_INPUTS, offline=True)))[0]
    spf = {row[0]: row for row in auth[1:]}["SPF"]
    assert spf[2].startswith("no client IP, MAIL FROM or HELO recorded; not checked: no client IP")
    assert "—" not in spf[2] and "matched" not in spf[2]


def test_hop_table_keeps_the_clients_local_user() -> None:
    hops = tables(RENDERER.render(headerscope.analyze(OFFLINE_SIGNED, offline=True)))[0]
    # Postfix's pickup hop names no client host, only the local user that submitted the message.
    assert hops[1][2] == "local user, uid 490"


def test_many_signatures_and_comparison_rows_are_bounded() -> None:
    # As the terminal does: 40 rows of signatures and of differing comparisons, then how many more.
    base = make_report()
    dkim = tuple(dataclasses.replace(base.dkim[0], index=i, domain=f"d{i}.example") for i in range(60))
    comparison = tuple(dataclasses.replace(base.comparison[1], subject=f"d{i}.example") for i in range(45))
    text = MarkdownRenderer().render(dataclasses.replace(base, dkim=dkim, comparison=comparison))
    assert "| DKIM d39.example/list |" in text and "d40.example" not in text
    assert "| DKIM | … | 20 more signatures (see --format json) |" in text
    assert "| dmarc | d39.example |" in text and "| dmarc | d40.example |" not in text
    assert "| … | 5 more rows (see --format json) |" in text
