"""Fast paths of the analysis's own bookkeeping (api.py, model.py) checked against the plain
versions they replaced: the options footer, the JSON form of the hops and the removal of
repeated findings."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

from headerscope.api import AnalysisOptions


def _plain_described(options: AnalysisOptions) -> tuple[tuple[str, str], ...]:
    """The footer's options as read field by field from dataclasses.fields."""
    out: list[tuple[str, str]] = []
    for f in dataclasses.fields(options):
        if f.name in ("resolver", "now", "source"):
            continue
        value = getattr(options, f.name)
        if value != f.default:
            out.append((f.name, str(value)))
    return tuple(out)


def test_described_options_are_those_read_field_by_field() -> None:
    changed: dict[str, Any] = {
        "offline": True, "dns_snapshot": "snap.json", "nameserver": "192.0.2.1:53", "dns_timeout": 2.5,
        "record_dns": "out.json", "client_ip": "192.0.2.7", "mail_from": "a@example.com", "helo": "mx.example.com",
        "now": datetime(2026, 1, 1, tzinfo=timezone.utc), "source": "x.eml", "redact": True,
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
