"""Fast paths of the analysis's own bookkeeping (api.py, model.py) checked against the plain
versions they replaced: the options footer, the JSON form of the hops and the removal of
repeated findings."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

from conftest import SAMPLES

from headerscope.api import AnalysisOptions


def _plain_described(options: AnalysisOptions) -> tuple[tuple[str, str], ...]:
    """The footer's options as read field by field from dataclasses.fields."""
    out: list[tuple[str, str]] = []
    for f in dataclasses.fields(options):
        if f.name in ("resolver", "now", "source"):
            continue
        value = getattr(options, f.name)
        if value != f.default:
            # (The trusted relays, a tuple, are listed as the command line gave them.)
            out.append((f.name, ", ".join(value) if isinstance(value, tuple) else str(value)))
    return tuple(out)


def test_described_options_are_those_read_field_by_field() -> None:
    changed: dict[str, Any] = {
        "offline": True, "dns_snapshot": "snap.json", "nameserver": "192.0.2.1:53", "dns_timeout": 2.5,
        "record_dns": "out.json", "client_ip": "192.0.2.7", "mail_from": "a@example.com", "helo": "mx.example.com",
        "now": datetime(2026, 1, 1, tzinfo=timezone.utc), "source": "x.eml", "redact": True,
        "trusted_relays": ("outlook.com", "192.0.2.0/24"),
    }
    names = {f.name for f in dataclasses.fields(AnalysisOptions)} - {"resolver"}
    assert names == set(changed), "a new option: give it a changed value here"
    cases: list[dict[str, Any]] = [{}, changed, {"dns_timeout": 5}, {"dns_timeout": 5.0, "offline": False},
                                   {"client_ip": ""}, {"mail_from": ""}]  # equal to a default, or falsy but set
    cases += [{name: value} for name, value in changed.items()]
    for case in cases:
        options = AnalysisOptions(**case)
        assert options.described() == _plain_described(options), case
    assert AnalysisOptions(offline=True, redact=True).described() == (("offline", "True"), ("redact", "True"))


def _sample_reports() -> list[Any]:
    import headerscope

    reports = []
    for path in [*sorted(SAMPLES.glob("*.eml")), SAMPLES / "headers-only.txt"]:
        reports.append(headerscope.analyze(path.read_bytes(), dns_snapshot=str(path.with_suffix(".dns.json"))))
    # Odd stamps: a "for" clause, one that is no stamp, a bare IP with nothing else.
    reports.append(headerscope.analyze(
        b"Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTPS id 1 for <x@b.example>;"
        b" Mon, 1 Jan 2024 00:00:00 +0000\r\nReceived: garbage\r\nReceived: from [198.51.100.9]\r\n"
        b"From: x@a.example\r\n\r\nbody\r\n", offline=True))
    return reports


def test_hops_json_is_json_default_of_each_hop() -> None:
    from headerscope import model

    hops = [hop for report in _sample_reports() for hop in report.hops]
    assert len(hops) >= 10 and any(hop.fields.for_ for hop in hops)
    for hop in hops:
        made = model._hop_json(hop)
        assert list(made.items()) == list(model.json_default(hop).items())
        assert "for" in made and "for_" not in made and "fields" not in made
    # Received fields whose __dict__ holds one more entry (no constructor makes one): each
    # name still goes with its own value.
    hop = hops[0]
    fields = object.__new__(model.ReceivedFields)
    fields.__dict__.update({"extra": 1, **hop.fields.__dict__})
    odd = object.__new__(model.Hop)
    odd.__dict__.update({**hop.__dict__, "fields": fields})
    assert list(model._hop_json(odd).items()) == list(model.json_default(odd).items())


def test_report_json_is_the_plain_json_of_its_parts() -> None:
    import orjson

    from headerscope import model

    for report in _sample_reports():
        top = dict(report.__dict__)
        top["hops"] = [model.json_default(hop) for hop in report.hops]
        top["options"] = dict(report.options)
        assert report.to_json() == model._escape_hidden(orjson.dumps(top, default=model.json_default))
