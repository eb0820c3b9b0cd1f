"""JSON: the Report serialised, as documented by schema/report.schema.json."""

from __future__ import annotations

from ..model import Report
from .interface import Renderer


class JsonRenderer(Renderer):
    """``Report.to_json()`` indented (one line with ``compact=True``, for JSONL)."""

    name = "json"

    def __init__(self, compact: bool = False) -> None:
        self.compact = compact

    def render(self, report: Report) -> str:
        text = report.to_json(indent=not self.compact).decode("utf-8", "surrogatepass")
        return text if self.compact else text + "\n"
