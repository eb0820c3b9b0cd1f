"""headerscope: the full story of a raw email message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .model import Report

__all__ = ["__version__", "analyze"]


def analyze(raw: bytes, **options: Any) -> Report:
    """Analyze one message (bytes); options are those of the CLI (see AnalysisOptions)."""
    # Imported here so `import headerscope` stays cheap for the CLI's start-up.
    from .api import analyze as _analyze

    return _analyze(raw, **options)
