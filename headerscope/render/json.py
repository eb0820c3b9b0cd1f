"""JSON: the Report serialised, as documented by schema/report.schema.json."""

from __future__ import annotations

import json

from ..model import Report
from .interface import Renderer

# Built once: json.dumps with options makes an encoder per call. A report is a tree of
# fresh dicts and lists (Report.to_dict), never circular, so the circular-reference
# bookkeeping (a dict insert and delete per container) is skipped.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_INDENTED = json.JSONEncoder(ensure_ascii=False, indent=2, check_circular=False)


class JsonRenderer(Renderer):
    """``Report.to_dict()`` as indented JSON (one line with ``compact=True``, for JSONL)."""

    name = "json"

    def __init__(self, compact: bool = False) -> None:
        self.compact = compact

    def render(self, report: Report) -> str:
        if self.compact:
            return _COMPACT.encode(report.to_dict())
        return _INDENTED.encode(report.to_dict()) + "\n"
