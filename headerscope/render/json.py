"""JSON: the Report serialised, as documented by schema/report.schema.json."""

from __future__ import annotations

from ..model import Report
from .interface import Renderer


class JsonRenderer(Renderer):
    """``Report.to_json()`` indented. (A scan's JSONL writes ``Report.to_json()``'s one-line bytes
    itself.)"""

    name = "json"

    def render(self, report: Report) -> str:
        return report.to_json(indent=True).decode("utf-8", "surrogatepass") + "\n"
