"""Shared test paths. The corpus sits beside the repository (../shared/corpus), as in CI."""

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "samples"


def require_binary(name: str) -> str:
    """Path of a tool the test needs; skip without it, but fail in CI (HEADERSCOPE_REQUIRE_TOOLS=1)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (.ci/run installs it)"
        if os.environ.get("HEADERSCOPE_REQUIRE_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    return path
