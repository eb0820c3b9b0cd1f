"""Shared test paths. The corpus sits beside the repository (../shared/corpus), as in CI."""

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "samples"


def require_binary(name: str) -> str:
    """Path of a tool the test needs; skip without it, but fail in CI (HEADERSCOPE_REQUIRE_TOOLS=1)."""
    path = shutil.which(name)
    if path is None:
        _missing(f"{name} is not installed (.ci/run installs it)")
    return path


def require_dnsmasq() -> None:
    """Skip without dnsmasq, except in CI (HEADERSCOPE_REQUIRE_TOOLS=1), where it must be there."""
    from dnsserver import dnsmasq_binary

    if dnsmasq_binary() is None:
        _missing("dnsmasq is not installed (apt-get install dnsmasq-base); .ci/run installs it")


def _missing(message: str) -> NoReturn:
    if os.environ.get("HEADERSCOPE_REQUIRE_TOOLS"):
        pytest.fail(message)
    pytest.skip(message)


def sign_as_example_org(author: bytes, include_headers: list[bytes],
                        canonicalize: tuple[bytes, bytes] = (b"simple", b"simple")) -> bytes:
    """A DKIM-Signature field for ``author`` (CR LF line ends) by example.org with the samples' key
    (selector mail2026, the one the samples' DNS snapshots publish), signed at 2026-11-26 13:03:11
    UTC: dkimpy writes t= from time.time(), the submission time, before the samples' Received stamps."""
    from datetime import datetime, timezone
    from unittest import mock

    import dkim

    key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
    with mock.patch("dkim.time.time", return_value=datetime(2026, 11, 26, 13, 3, 11, tzinfo=timezone.utc).timestamp()):
        return bytes(dkim.sign(author, b"mail2026", b"example.org", key, canonicalize=canonicalize,
                               include_headers=include_headers))


def assert_dmarc_rests_on_spf_and_the_record(report: object) -> None:
    """A copy whose aligned signature cannot be checked for its body: DMARC is not evaluated (RFC
    7489 section 6.6.2: it rests on SPF, the forwarder's here and not aligned, and on what the
    receiver recorded at delivery), nothing reads as a failure or a change after delivery, and the
    DKIM comparison is "not recomputed"."""
    from headerscope.model import Report

    assert isinstance(report, Report)
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert "DMARC rests on SPF" in report.dmarc.explanation
    ids = {f.id for f in report.findings}
    assert not ids & {"dmarc.fail", "dkim.body_changed", "recorded.modified_after_delivery"}
    assert {c.method: c for c in report.comparison}["dkim"].label == "not_recomputed"



@pytest.fixture(autouse=True)
def _columns_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report written to a pipe or a file takes COLUMNS's width when it is set (cli._terminal_width):
    the tests' reports are laid out at the default widths whatever the shell running them exports."""
    monkeypatch.delenv("COLUMNS", raising=False)
