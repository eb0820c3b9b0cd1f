"""JSON: the Report serialised, as documented by schema/report.schema.json."""

from __future__ import annotations

import json

from ..model import Report
from .interface import Renderer


class JsonRenderer(Renderer):
    """``Report.to_dict()`` as indented JSON (one line with ``compact=True``, for JSONL)."""

    name = "json"

    def __init__(self, compact: bool = False) -> None:
        self.compact = compact

    def render(self, report: Report) -> str:
        if self.compact:
            return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
