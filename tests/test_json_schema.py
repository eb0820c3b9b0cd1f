"""JSON output: the published schema matches the model, and real reports validate against it."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import CORPUS, SAMPLES

import headerscope
from headerscope.render import get_renderer
from headerscope.schema import build_schema, schema_text

REQUIRED_HOP_KEYS = {"from_helo", "from_rdns", "from_ip", "ident", "by", "protocol", "tls", "auth", "id", "for",
                     "envelope_from", "timestamp", "delay_seconds", "role", "trusted", "raw"}


def test_committed_schema_is_current() -> None:
    assert json.loads(schema_text()) == build_schema(), "run: python -m headerscope.schema > headerscope/schema/report.schema.json"


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_text()))


def _inputs() -> list[Path]:
    paths = sorted(p for p in (CORPUS / "messages").rglob("*") if p.is_file() and p.suffix not in (".md",) and "LICENSE" not in p.name)
    paths += sorted(p for p in SAMPLES.glob("*") if p.suffix in (".eml", ".txt") and p.name != "README.md")
    return paths


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: p.name)
def test_reports_validate(path: Path) -> None:
    report = headerscope.analyze(path.read_bytes(), offline=True, source=str(path))
    data = json.loads(get_renderer("json").render(report))
    _validator().validate(data)
    assert data == json.loads(json.dumps(report.to_dict()))
    assert {"hops", "envelope", "findings", "input"} <= set(data)
    assert len(data["input"]["sha256"]) == 64
    for hop in data["hops"]:
        assert set(hop) >= REQUIRED_HOP_KEYS
    # terminal must render the same report without raising
    assert get_renderer("terminal").render(report)


def test_values_orjson_refuses_still_serialise_the_same_way() -> None:
    """A lone surrogate (a file name's stand-in for a byte) or an integer past 64 bits (a
    hostile DKIM l=) takes the standard-library path: same mapping, same layout; the surrogate,
    which is no character, becomes U+FFFD, so the output stays UTF-8 that any reader takes."""
    import dataclasses

    report = headerscope.analyze((SAMPLES / "forwarded-srs.eml").read_bytes(), offline=True)
    plain = json.loads(report.to_json())
    odd = dataclasses.replace(report, subject="bad \udc80 surrogate", total_delay_seconds=10**30)  # type: ignore[arg-type]
    compact = odd.to_json()
    assert '"subject":"bad \ufffd surrogate"'.encode() in compact
    assert b'"total_delay_seconds":1000000000000000000000000000000' in compact
    indented = odd.to_json(indent=True).decode("utf-8")
    assert indented.startswith('{\n  "version": ')
    data = json.loads(indented)
    assert data["subject"] == "bad \ufffd surrogate"
    assert {k: v for k, v in data.items() if k not in ("subject", "total_delay_seconds")} == \
        {k: v for k, v in plain.items() if k not in ("subject", "total_delay_seconds")}
    # orjson and the fallback lay out indented JSON identically
    assert report.to_json(indent=True).decode() == json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
