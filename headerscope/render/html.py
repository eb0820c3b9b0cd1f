"""The self-contained HTML report (templates/report.html.j2) for support tickets.

The page holds no script and loads nothing: a Content-Security-Policy meta tag forbids every
fetch, styles are inline, the journey is inline SVG. Everything from the message reaches the
page only through jinja2's autoescaping (see headerscope.templating); the only ``href`` values
are ``#h-<int>`` anchors and the http(s) reference URLs of our own findings.

This module only arranges what the Report says for display (which findings go on top, where
each hop sits in the drawing); it never decides anything about the message.
"""

from __future__ import annotations

import math

from .._value import Value, frozen
from ..domains import idn_lookalike, idn_other_form
from ..model import Finding, Hop, Report, Severity
from ..redact import is_redacted
from ..templating import format_delay, get_template
from .interface import Renderer

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "script-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; "
    "frame-src 'none'; form-action 'none'; base-uri 'none'"
)
"""No fetch of any kind, no script; inline styles and data: images only."""

STATUS_LABELS = {
    "authenticated": "Authenticated",
    "vouched": "Vouched for by ARC",
    "suspicious": "Suspicious",
    "spoofed": "Spoofed",
    "unauthenticated": "Not authenticated",
    "not_checked": "Could not check",
}

TOP_FINDINGS_MAX = 5
TOP_FINDINGS_MIN = 3

# The journey drawing: one row per hop, the delay as a bar on a log scale from 1 s to 1 day.
TIMELINE_MAX_HOPS = 60
ROW_HEIGHT = 62
TOP_MARGIN = 48
BOUNDARY_GAP = 26
SVG_WIDTH = 900
BAR_X = 640
BAR_WIDTH = 230
SCALE_MAX_SECONDS = 86400.0
SCALE_TICKS = ((1.0, "1 s"), (60.0, "1 min"), (3600.0, "1 h"), (86400.0, "1 d"))
TEXT_MAX = 58


@frozen
class TimelineRow(Value):
    """Where one hop is drawn and what its row says (all text is escaped by the template)."""

    hop: Hop
    y: int
    title: str
    detail: str
    flag: str
    """A host name of the hop written to look like another (domains.idn_lookalike), with its other
    form; empty for none. The table below says it too, but the drawing is what a reader looks at."""
    tls_label: str
    tls_class: str
    delay_label: str
    delay_class: str
    bar_width: float


@frozen
class Timeline(Value):
    """The journey drawing."""

    rows: tuple[TimelineRow, ...]
    height: int
    omitted: int
    boundary_y: int | None
    ticks: tuple[tuple[float, str], ...]
    width: int = SVG_WIDTH
    bar_x: int = BAR_X
    bar_width: int = BAR_WIDTH


def _clip(text: str, limit: int = TEXT_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bar_width(seconds: float | None) -> float:
    """Length of the delay bar: log10(1 + |delay|) scaled so 1 day fills the bar."""
    if seconds is None or not math.isfinite(seconds):
        return 0.0
    ratio = math.log10(1 + abs(seconds)) / math.log10(1 + SCALE_MAX_SECONDS)
    return round(min(ratio, 1.0) * BAR_WIDTH, 1)


def _delay_class(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "unknown"
    if seconds < 0:
        return "negative"
    if seconds >= 3600:
        return "slow"
    if seconds >= 60:
        return "late"
    return "fast"


def _tls(hop: Hop) -> tuple[str, str]:
    tls = hop.fields.tls
    if tls.encrypted is True:
        return (tls.version or "TLS"), "tls-yes"
    if tls.encrypted is False:
        return "no TLS", "tls-no"
    return "TLS unknown", "tls-unknown"


def _lookalike_flag(hop: Hop) -> str:
    """The first of the hop's names (by, then the client's reverse-DNS name and greeting) written to
    look like another, in the hop table's words; "" for none."""
    for name in (hop.fields.by, hop.fields.from_rdns, hop.fields.from_helo):
        words = idn_lookalike(name)
        if name and words:
            return _clip(f"{name} ({idn_other_form(name)}): {words}", 84)
    return ""


def build_timeline(report: Report) -> Timeline:
    """Rows for the last TIMELINE_MAX_HOPS hops (the receiving end matters most)."""
    hops = report.hops[-TIMELINE_MAX_HOPS:]
    omitted = len(report.hops) - len(hops)
    rows: list[TimelineRow] = []
    boundary_y: int | None = None
    gap = 0
    for position, hop in enumerate(hops):
        if hop.boundary and position > 0:
            # Leave room for the trust-boundary line and its two labels.
            gap = BOUNDARY_GAP
            boundary_y = TOP_MARGIN + position * ROW_HEIGHT + gap - 46
        y = TOP_MARGIN + position * ROW_HEIGHT + gap
        host = hop.fields.by or hop.fields.from_rdns or hop.fields.from_helo or "(unnamed host)"
        host_other = idn_other_form(host)
        title = _clip(f"{hop.number}. {hop.role.value} · {host}" + (f" ({host_other})" if host_other else ""))
        client = hop.fields.from_rdns or hop.fields.from_helo
        flag = _lookalike_flag(hop)
        parts = [f"org {hop.organization}" if hop.organization else "org unknown"]
        if client or hop.fields.from_ip:
            parts.append("from " + " ".join(p for p in (client, f"[{hop.fields.from_ip}]" if hop.fields.from_ip else None) if p))
        if hop.fields.protocol:
            parts.append(f"with {hop.fields.protocol}")
        if hop.note:
            parts.append(hop.note)
        tls_label, tls_class = _tls(hop)
        delay = hop.delay_seconds
        delay_label = format_delay(delay) if delay is not None else "delay unknown"
        if delay is not None and delay < 0:
            delay_label += " (clock skew)"
        elif hop.wait_differs():
            # The step is not all a wait (Hop.wait_seconds): the wait hops.slow_hop measures beside it.
            delay_label += " (no wait measured)" if hop.wait_seconds is None else f" (wait {format_delay(hop.wait_seconds)})"
        rows.append(TimelineRow(
            hop=hop, y=y, title=title, detail=_clip(" · ".join(parts), 76), flag=flag,
            tls_label=_clip(tls_label, 18), tls_class=tls_class,
            delay_label=delay_label, delay_class=_delay_class(delay), bar_width=_bar_width(delay),
        ))
    ticks = tuple((BAR_X + _bar_width(seconds), label) for seconds, label in SCALE_TICKS)
    # A flag under the last row needs its own line above the scale's labels.
    height = (rows[-1].y if rows else TOP_MARGIN) + 44 + (16 if rows and rows[-1].flag else 0)
    return Timeline(rows=tuple(rows), height=height, omitted=omitted, boundary_y=boundary_y, ticks=ticks)


def top_findings(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The three to five that matter most: ``findings`` is already most severe first. A delivery
    notice's own reading (a bounce, a delay, a receipt) comes first: it is what the message is about."""
    delivery = [f for f in findings if f.id.startswith("dsn.")][:1]
    important = delivery + [f for f in findings if f.severity is not Severity.INFO and f not in delivery]
    if len(important) < TOP_FINDINGS_MIN:
        important = list(findings[:TOP_FINDINGS_MIN])
    return tuple(important[:TOP_FINDINGS_MAX])


class HtmlRenderer(Renderer):
    """One self-contained HTML page per report."""

    name = "html"

    def render(self, report: Report) -> str:
        template = get_template("report.html.j2")
        return template.render(
            report=report,
            csp=CSP,
            status_label=STATUS_LABELS.get(report.verdict.status, report.verdict.status),
            status_class=report.verdict.status if report.verdict.status in STATUS_LABELS else "unknown",
            top_findings=top_findings(report.findings),
            timeline=build_timeline(report),
            redacted=is_redacted(report),
        )
