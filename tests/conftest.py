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
