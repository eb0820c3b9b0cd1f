"""The HTML report: structure that matters, parsed (not grepped), and its safety."""

from __future__ import annotations

import dataclasses
import itertools
import time
from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLES
from report_factory import (
    VIA_HOPS,
    Element,
    hostile_payload,
    inject,
    make_report,
    parse_html,
    tag_census,
)
from timing import assert_within

import headerscope
from headerscope.model import Finding, Report, Severity
from headerscope.redact import redact_report
from headerscope.render.html import CSP, TIMELINE_MAX_HOPS, HtmlRenderer, top_findings
from headerscope.templating import environment, safe_url, templates_dir

RENDERER = HtmlRenderer()


def render(report: Report) -> tuple[str, Element]:
    page = RENDERER.render(report)
    return page, parse_html(page)


def check_structure(report: Report, root: Element) -> None:
    """What every page must show for its report, checked element by element."""
    verdict = root.by_id("verdict")
    assert verdict.attrs["data-status"] == report.verdict.status
    assert " ".join(report.verdict.summary.split()) in " ".join(verdict.text.split())
    # Each hop: a row in the table and a step in the drawing, linked to its Received header.
    rows = root.find_all("tr", cls="hop-row")
    assert [int(r.attrs["data-hop"]) for r in rows] == [h.number for h in report.hops]
    steps = root.find_all("g", cls="hop")
    assert len(steps) == min(len(report.hops), TIMELINE_MAX_HOPS)
    for hop, row in zip(report.hops, rows, strict=True):
        assert ("claim" in row.classes) == (not hop.trusted)
        assert ("boundary" in row.classes) == hop.boundary
        links = [a.attrs["href"] for a in row.find_all("a")]
        assert f"#h-{hop.header_index + 1}" in links  # counted from 1, as the words say
    # Each DKIM signature: one card naming its d= and s=.
    cards = root.find_all("div", cls="dkim-card")
    assert [(c.attrs["data-domain"], c.attrs["data-selector"]) for c in cards] == [
        (s.domain or "—", s.selector or "—") for s in report.dkim]
    # DNS evidence: one row per query, and the source.
    assert root.by_id("dns-source").text == report.dns_source.source
    dns_rows = root.find_all("tr", cls="dns-row")
    assert len(dns_rows) == len(report.dns)
    for query, row in zip(report.dns, dns_rows, strict=True):
        cells = row.find_all("td")
        assert cells[0].text == query.name and cells[1].text == query.rdtype and cells[2].text == query.status
    # Every raw header has its anchor; every internal link lands on an element.
    ids = {e.attrs["id"] for e in root.iter() if "id" in e.attrs}
    assert {f"h-{h.index + 1}" for h in report.headers} <= ids
    for a in root.find_all("a"):
        href = a.attrs.get("href", "")
        if href.startswith("#"):
            assert href[1:] in ids, href
        else:
            assert safe_url(href) == href, href
    assert root.by_id("sha256").text == report.input.sha256


def check_safe(root: Element) -> None:
    """No script, no event handler, no external resource, the CSP in place."""
    assert not root.find_all("script")
    assert not root.find_all("iframe") and not root.find_all("link") and not root.find_all("base")
    for element in root.iter():
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            if name in ("href", "src", "xlink:href", "action", "srcset"):
                assert value.startswith("#") or safe_url(value) == value, (element.tag, name, value)
            if name == "src":
                raise AssertionError(f"external resource in <{element.tag} src>")
    metas = [m for m in root.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1 and metas[0].attrs["content"] == CSP
    assert "default-src 'none'" in CSP and "script-src 'none'" in CSP


def test_factory_report_structure() -> None:
    report = make_report()
    page, root = render(report)
    check_structure(report, root)
    check_safe(root)
    assert "v-suspicious" in root.by_id("verdict").classes
    # The boundary is drawn, and the three hops below it look like claims.
    assert [int(g.attrs["data-hop"]) for g in root.find_all("g", cls="claim")] == [1, 2, 3]
    assert [int(g.attrs["data-hop"]) for g in root.find_all("g", cls="boundary")] == [4]
    assert len(root.find_all("line", cls="boundary-line")) == 1
    # The slow hop's bar is the longest; the negative one is marked as clock skew.
    bars = {int(g.attrs["data-hop"]): g.find_all("rect", cls="bar")[0] for g in root.find_all("g", cls="hop")}
    widths = {n: float(b.attrs["width"]) for n, b in bars.items()}
    assert max(widths, key=lambda n: widths[n]) == 3
    assert "negative" in bars[5].classes and "slow" in bars[3].classes
    # SPF card shows the matched mechanism and the lookup count; DMARC the alignment.
    spf = root.by_id("spf")
    assert root.by_id("spf-mechanism").text == "ip4:192.0.2.0/24" and "1 of 10" in spf.text
    alignment = root.by_id("dmarc-alignment").find_all("tr")[1:]
    assert [r.find_all("td")[1].text for r in alignment] == ["lists.example.org", "sender.example",
                                                             "lists.example.org"]
    assert len(root.find_all("tr", cls="arc-instance")) == 1
    assert [r.attrs["data-label-code"] for r in root.find_all("tr", cls="comparison-row")] == ["same", "different"]
    # Top findings: the most severe first, at most five.
    top = root.find_all("ul", cls="top-findings")[0].find_all("li")
    assert next(li.classes & {"sev-danger", "sev-warning", "sev-notice"} for li in top) == {"sev-danger"}
    assert len(top) == 5
    # Footer: version, hash, time, options.
    assert "dns_snapshot=factory.dns.json" in root.by_id("options").text
    assert report.analyzed_at in root.by_id("footer").text
    # Finding references become links; the page is small.
    refs = [a.attrs["href"] for a in root.find_all("a", cls="ref")]
    assert "https://www.rfc-editor.org/rfc/rfc7489#section-6.6.2" in refs
    assert len(page.encode()) < 300_000


def test_render_time_and_shared_environment() -> None:
    report = make_report()
    RENDERER.render(report)
    started = time.perf_counter()
    for _ in range(5):
        RENDERER.render(report)
    assert_within(started, 5 * 0.2)
    assert environment() is environment()


def test_hostile_strings_stay_text() -> None:
    clean_report = make_report()
    payload = hostile_payload(9)
    hostile = inject(clean_report, payload)
    page, root = render(hostile)
    check_safe(root)
    # Every payload is in the page as text, and the page has exactly the clean page's elements.
    assert tag_census(root) == tag_census(render(inject(clean_report, ("x " * len(payload))[: len(payload)]))[1])
    assert not [e for e in root.iter() if "data-pwned" in e.attrs]
    assert "<script>fetch(" not in page and "&lt;script&gt;fetch(" in page
    # The subject lands in <title> as text; the right-to-left override is shown, not obeyed.
    assert "\u202e" not in page and "⟨U+202E⟩" in page
    # Unknown statuses and results cannot pick arbitrary classes.
    assert root.by_id("verdict").classes == {"verdict", "v-unknown"}


def test_only_http_references_become_links() -> None:
    findings = (
        Finding(id="a.b", severity=Severity.DANGER, title="t", explanation="e", reference="javascript:alert(1)"),
        Finding(id="a.c", severity=Severity.DANGER, title="t", explanation="e", reference="data:text/html,x"),
        Finding(id="a.d", severity=Severity.DANGER, title="t", explanation="e",
                reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.4"),
        Finding(id="a.e", severity=Severity.DANGER, title="t", explanation="e", reference="https://x y"),
    )
    _, root = render(dataclasses.replace(make_report(), findings=findings))
    assert [a.attrs["href"] for a in root.find_all("a", cls="ref")] == [
        "https://www.rfc-editor.org/rfc/rfc5321#section-4.4"]
    assert safe_url("JAVASCRIPT:x") is None and safe_url("http://") is None
    assert safe_url("https://example.org/a?b#c") == "https://example.org/a?b#c"


def test_empty_report_renders() -> None:
    report = dataclasses.replace(make_report(), hops=(), boundary_hop=None, dkim=(), spf=None, dmarc=None,
                                 arc=None, reverse_dns=None, recorded=(), comparison=(), findings=(),
                                 headers=(), total_delay_seconds=None, subject=None, date=None)
    report = dataclasses.replace(report, dns=())
    _page, root = render(report)
    check_structure(report, root)
    assert "no Received headers" in " ".join(root.by_id("journey").text.split())
    assert not root.find_all("svg")


def test_many_hops_are_bounded() -> None:
    base = make_report()
    hops = tuple(dataclasses.replace(base.hops[i % 6], number=i + 1, boundary=(i == 4990), trusted=(i >= 4990))
                 for i in range(5000))
    report = dataclasses.replace(base, hops=hops, boundary_hop=4991)
    started = time.perf_counter()
    page = RENDERER.render(report)
    assert_within(started, 3)
    root = parse_html(page)
    assert len(root.find_all("g", cls="hop")) == TIMELINE_MAX_HOPS
    assert "4940 earlier hops not drawn" in root.find_all("svg")[0].text
    assert len(root.find_all("tr", cls="hop-row")) == 5000


def test_redacted_page_says_so() -> None:
    _, root = render(redact_report(make_report()))
    assert "local parts" in root.by_id("redacted").text
    assert "redact=True" in root.by_id("options").text
    assert "alice@sender.example" not in root.text and "a***@sender.example" in root.text
    _, plain = render(make_report())
    assert not [e for e in plain.iter() if e.attrs.get("id") == "redacted"]


def test_top_findings_prefers_severe_ones() -> None:
    info = Finding(id="i.x", severity=Severity.INFO, title="i", explanation="e")
    danger = Finding(id="d.x", severity=Severity.DANGER, title="d", explanation="e")
    assert top_findings((danger, info, info, info)) == (danger, info, info)
    assert top_findings((danger,) * 7) == (danger,) * 5
    assert top_findings(()) == ()
    # A delivery notice's own reading is what the message is about: first, whatever its severity.
    delay = Finding(id="dsn.delayed", severity=Severity.NOTICE, title="delay", explanation="e")
    assert top_findings((danger,) * 6 + (delay,)) == (delay,) + (danger,) * 4


def test_templates_found_in_checkout() -> None:
    assert templates_dir() == Path(__file__).resolve().parents[1] / "templates"


# ---- real inputs through the whole pipeline ----

def _sample_reports() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*") if p.suffix in (".eml", ".txt"))


@pytest.mark.parametrize("path", _sample_reports(), ids=lambda p: p.name)
def test_samples_render(path: Path) -> None:
    from datetime import datetime, timezone

    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    snapshot = path.with_name(path.stem + ".dns.json")
    resolver = SnapshotResolver.from_file(snapshot) if snapshot.exists() else SnapshotResolver({})
    report = analyze(path.read_bytes(), resolver=resolver, now=datetime(2026, 11, 27, tzinfo=timezone.utc))
    page, root = render(report)
    check_structure(report, root)
    check_safe(root)
    assert len(page.encode()) < 300_000


CORPUS_MESSAGES = sorted(p for p in (CORPUS / "messages").rglob("*")
                         if p.is_file() and p.suffix not in (".md", ".msg") and p.name != "LICENSE.txt")


@pytest.mark.parametrize("path", CORPUS_MESSAGES, ids=lambda p: p.name)
def test_corpus_messages_render(path: Path) -> None:
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    report = analyze(path.read_bytes(), resolver=SnapshotResolver({}))
    _, root = render(report)
    check_structure(report, root)
    check_safe(root)


def test_hop_table_shows_the_via_link() -> None:
    _page, root = render(headerscope.analyze(VIA_HOPS, offline=True))
    cells = [td.text for td in root.find_all("td") if td.attrs.get("data-label") == "With"]
    assert any("via ESMTP" in cell for cell in cells)
    assert any("Microsoft SMTP Server" in cell and "via Frontend Transport" in cell for cell in cells)


def test_header_links_count_fields_from_one_and_land_on_the_field_they_name() -> None:
    # A reader counts header fields from the top starting at 1; "header 1" is the first field, its
    # anchor is #h-1, and each hop's link lands on that hop's own Received field.
    from headerscope.api import analyze

    report = analyze((SAMPLES / "direct.eml").read_bytes(), offline=True)
    _page, root = render(report)
    items = root.find_all("li")
    by_id = {item.attrs["id"]: item for item in items if item.attrs.get("id", "").startswith("h-")}
    first = by_id["h-1"]
    assert first.find_all("a", cls="hidx")[0].text == "#1"
    assert report.headers[0].name + ":" in first.text
    for hop, row in zip(report.hops, root.find_all("tr", cls="hop-row"), strict=True):
        link = next(a for a in row.find_all("a", cls="hlink"))
        assert link.text == f"header {hop.header_index + 1}"
        assert by_id[link.attrs["href"][1:]].text.lstrip("#0123456789").startswith("Received:")


def test_unevaluated_spf_card_shows_no_match_or_lookups_and_dmarc_alignment_unknown() -> None:
    from test_markdown import NO_INPUTS, OFFLINE_SIGNED

    _, root = render(headerscope.analyze(OFFLINE_SIGNED, offline=True))
    spf = root.by_id("spf")
    terms = [dt.text for dt in spf.find_all("dt")]
    assert terms == ["Client IP", "MAIL FROM", "HELO", "Policy of", "Domain aligned with From"]
    assert "no mechanism matched" not in spf.text and "of 10" not in spf.text
    assert root.by_id("dmarc-aligned-passing").text == (
        "DKIM aligned and passing: unknown (not checked) · SPF aligned and passing: unknown (not checked)")
    _, root = render(headerscope.analyze(NO_INPUTS, offline=True))
    assert "No client IP, MAIL FROM or HELO recorded." in root.by_id("spf").text
    assert not root.by_id("spf").find_all("dl")


def test_many_signatures_and_comparison_rows_are_bounded() -> None:
    # As the terminal does: 60 signatures (50 checked and 10 listed past them) make 40 cards,
    # 40 alignment rows and a line saying how many more; the JSON has them all.
    base = make_report()
    dkim = tuple(dataclasses.replace(base.dkim[0], index=i, domain=f"d{i}.example") for i in range(60))
    comparison = tuple(dataclasses.replace(base.comparison[0], subject=f"d{i}.example/s") for i in range(45))
    root = parse_html(RENDERER.render(dataclasses.replace(base, dkim=dkim, comparison=comparison)))
    assert len(root.find_all("div", cls="dkim-card")) == 40
    assert root.find_all("div", cls="dkim-card-more")[0].text.strip() == "20 more signatures (see --format json)"
    alignment = root.find_all("table", id="dmarc-alignment")[0]
    assert len([row for row in alignment.find_all("tr") if "d39.example" in row.text or "d40.example" in row.text]) == 1
    assert "20 more signatures (see --format json)" in alignment.text
    assert len(root.find_all("tr", cls="comparison-row")) == 40
    assert "5 more rows (see --format json)" in root.find_all("tr", cls="comparison-more")[0].text


# ---- layout rules (verification V40e); the browser measures them in test_browser.py ----

def _corpus_page(relative: str) -> tuple[Report, Element]:
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    report = analyze((CORPUS / relative).read_bytes(), resolver=SnapshotResolver({}))
    return report, render(report)[1]


def _css_rules(css: str) -> list[tuple[str, str, dict[str, str]]]:
    """(media condition or "", selector, declarations) of each rule of a flat stylesheet with
    @media blocks one level deep, as _style.css.j2 is."""
    import re

    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: list[tuple[str, str, dict[str, str]]] = []

    def read(text: str, media: str) -> None:
        position = 0
        while (brace := text.find("{", position)) >= 0:
            prelude = text[position:brace].strip()
            if prelude.startswith("@media"):
                depth, end = 1, brace + 1
                while depth:
                    depth += {"{": 1, "}": -1}.get(text[end], 0)
                    end += 1
                read(text[brace + 1:end - 1], prelude[len("@media"):].strip())
                position = end
                continue
            end = text.index("}", brace)
            declarations = {}
            for declaration in text[brace + 1:end].split(";"):
                name, _, value = declaration.partition(":")
                if name.strip():
                    declarations[name.strip()] = value.strip()
            rules.append((media, prelude, declarations))
            position = end + 1

    read(css, "")
    return rules


def _stylesheet_rules() -> list[tuple[str, str, dict[str, str]]]:
    page = RENDERER.render(make_report())
    return _css_rules(page.split("<style>", 1)[1].split("</style>", 1)[0])


def _contrast(first: str, second: str) -> float:
    """WCAG 2.2 contrast ratio of two #rrggbb colours (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio)."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _full_hex(colour: str) -> str:
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


def test_claims_are_grey_at_the_text_contrast_wcag_asks_in_light_dark_and_print() -> None:
    # Verification V40e: the claim grey (#8c96a1) was 3.0:1 on white and 2.7:1 on the journey's
    # claims band; print kept it. WCAG 2.2 1.4.3 asks 4.5:1 for text of this size. Each theme's
    # colours are read from the stylesheet: the page, the cards and the claims band (its grey at
    # its opacity over the card) behind claim text, and the text colour it must stay apart from.
    rules = _stylesheet_rules()

    def variables(media: str) -> dict[str, str]:
        found = {}
        for rule_media, selector, declarations in rules:
            if rule_media == media and selector == ":root":
                found.update({k: _full_hex(v) for k, v in declarations.items() if k.startswith("--")})
        return found

    [dark_media] = [media for media, _, _ in rules if "prefers-color-scheme: dark" in media]
    light, dark = variables(""), {**variables(""), **variables(dark_media)}
    # Print takes the dark colours only if the dark block is not for screens alone.
    printed = {**(light if "screen" in dark_media else dark), **variables("print")}
    [zone] = [d for _, selector, d in rules if selector == ".journey .claims-zone"]
    assert zone["fill"] == "var(--grey-bg)"
    opacity = float(zone["opacity"])
    for theme, colours in (("light", light), ("dark", dark), ("print", printed)):
        card = colours["--card"]
        band = "#" + "".join(
            f"{round(opacity * int(colours['--grey-bg'][i:i + 2], 16) + (1 - opacity) * int(card[i:i + 2], 16)):02x}"
            for i in (1, 3, 5))
        claim = colours["--claim"]
        for background in (colours["--bg"], card, band):
            assert _contrast(claim, background) >= 4.5, (theme, claim, background)
        assert _contrast(claim, colours["--fg"]) >= 2, (theme, claim)  # still apart from the text


def test_the_dmarc_alignment_and_arc_tables_fit_a_phone_as_the_other_tables_do() -> None:
    # Verification V40e: rspamd's dmarc/fail_quarantine.eml made the alignment table 526 px wide
    # on a 375 px phone: four columns, and the From domain in a header cell that could not break,
    # outside the scrolling wrapper every other table has. Now in it, and stacked on a phone
    # (.responsive, each cell labelled), its header breakable.
    for relative, table_id in (("rspamd/messages/dmarc/fail_quarantine.eml", "dmarc-alignment"),
                               ("rspamd/messages/arcbad.eml", "dmarc-alignment"),
                               ("rspamd/messages/arcbad.eml", "arc-instances")):
        _, root = _corpus_page(relative)
        table = root.by_id(table_id)
        assert "responsive" in table.classes
        assert any(table in wrap.children for wrap in root.find_all("div", cls="table-wrap")), relative
        for row in table.find_all("tbody")[0].find_all("tr"):
            cells = row.find_all("td")
            assert all(td.attrs.get("data-label") for td in cells if td.text.strip() and "colspan" not in td.attrs)
    rules = _stylesheet_rules()
    assert any(selector == ".align th" and d.get("overflow-wrap") == "anywhere" for media, selector, d in rules
               if not media)


def test_long_text_in_small_print_and_the_hop_tables_with_cell_can_wrap() -> None:
    # Verification V40e: ".small" carried white-space: nowrap, meant for the hop table's "header N"
    # link, and so did the spam filters' explanations and rspamd's symbol list under it: 3,663 px
    # of one line for rspamd's arcbad.eml. And Outlook.com's "HTTPS via BL0PR02CA0054.NAMPRD02.PROD.
    # OUTLOOK.COM" (mail-parser's mail_test_1) sat in the one hop cell without "wrap".
    rules = _stylesheet_rules()
    small = [d for media, selector, d in rules if ".small" in selector.split(",")]
    assert small and all("white-space" not in d for d in small)
    assert any(selector == ".hlink" and d.get("white-space") == "nowrap" for _, selector, d in rules)
    _, root = _corpus_page("rspamd/messages/arcbad.eml")
    details = [e for e in root.by_id("spam-filters").iter() if "small" in e.classes]
    assert any("FORGED_RECIPIENTS_FORWARDING" in e.text for e in details)
    _, root = _corpus_page("messages/mail-parser/mail_test_1")
    cells = [td for td in root.by_id("hop-table").find_all("td") if td.attrs.get("data-label") in ("With", "Role")]
    assert any("via BL0PR02CA0054.NAMPRD02.PROD.OUTLOOK.COM" in td.text for td in cells)
    assert all("wrap" in td.classes for td in cells)
    # The journey's legend names hosts (arcbad: a 51-character Outlook.com name): it may break them.
    assert any(selector == ".legend" and d.get("overflow-wrap") == "anywhere" for _, selector, d in rules)


@pytest.mark.parametrize("path", _sample_reports(), ids=lambda p: p.name)
def test_headings_skip_no_level(path: Path) -> None:
    # Verification V40e: the h1 was followed by the h3 "What matters most" (WCAG 1.3.1: the outline
    # a screen reader lists). Each heading is at most one level below the one before it.
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    snapshot = path.with_name(path.stem + ".dns.json")
    resolver = SnapshotResolver.from_file(snapshot) if snapshot.exists() else SnapshotResolver({})
    _, root = render(analyze(path.read_bytes(), resolver=resolver))
    levels = [int(e.tag[1]) for e in root.iter() if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and len(levels) > 5
    assert all(level <= before + 1 for before, level in itertools.pairwise(levels)), levels
