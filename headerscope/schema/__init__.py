"""The published JSON Schema of the report (``report.schema.json``), generated from model.py.

Run ``python -m headerscope.schema > headerscope/schema/report.schema.json`` after changing the
model; a test fails when the committed file and the model disagree.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import json
import types
import typing
from functools import cache
from importlib import resources
from typing import Any

from .. import model

SCHEMA_ID = "https://headerscope.invalid/schema/report.schema.json"


def schema_text() -> str:
    """The committed schema file's text."""
    return resources.files(__package__).joinpath("report.schema.json").read_text(encoding="utf-8")


@cache
def _field_docs() -> dict[tuple[str, str], str]:
    # The model documents each field with a string literal right after it; the AST keeps them.
    tree = ast.parse(inspect.getsource(model))
    docs: dict[tuple[str, str], str] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and i + 1 < len(body):
                nxt = body[i + 1]
                if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
                    docs[(node.name, stmt.target.id)] = nxt.value.value
    return docs


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is type(None):
        return {"type": "null"}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type_schema(a, defs) for a in args]}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type_schema(args[0], defs)}
        return {"type": "array", "prefixItems": [_type_schema(a, defs) for a in args],
                "minItems": len(args), "maxItems": len(args)}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"type": "string", "enum": [m.value for m in tp]}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        _class_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if tp in simple:
        return {"type": simple[tp]} if tp is not float else {"type": "number"}
    if tp is Any:
        return {}
    raise TypeError(f"no schema for {tp!r}")


def _class_schema(cls: type, defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # placeholder against recursion
    hints = typing.get_type_hints(cls)
    docs = _field_docs()
    properties: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = "for" if f.name == "for_" else f.name
        if f.name in model._OBJECT_PAIR_FIELDS:
            prop: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
        else:
            prop = _type_schema(hints[f.name], defs)
        doc = docs.get((cls.__name__, f.name))
        if doc:
            prop = {"description": doc, **prop}
        properties[key] = prop
    if cls is model.Hop:
        # Hop's Received fields are flattened into the hop object (see model.json_default).
        fields_def = properties.pop("fields")
        del fields_def["$ref"]
        _class_schema(model.ReceivedFields, defs)
        properties.update(defs["ReceivedFields"]["properties"])
    defs[cls.__name__] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    """The JSON Schema of ``Report.to_dict()``, derived from the dataclasses and their field docs."""
    defs: dict[str, Any] = {}
    _class_schema(model.Report, defs)
    root = defs.pop("Report")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "headerscope report",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def main() -> None:
    """Print the schema (used to regenerate the committed file)."""
    print(json.dumps(build_schema(), indent=2, ensure_ascii=False))
