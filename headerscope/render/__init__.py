"""Renderers: each turns a Report into text; none computes a verdict.

One module per format; ``get_renderer`` is the registry the CLI uses, importing only the
chosen module so start-up stays lean.
"""

from __future__ import annotations

import importlib

from .interface import Renderer, RenderError

# format name -> (module, class); modules are imported on demand.
FORMATS: dict[str, tuple[str, str]] = {
    "terminal": ("terminal", "TerminalRenderer"),
    "json": ("json", "JsonRenderer"),
    "html": ("html", "HtmlRenderer"),
    "markdown": ("markdown", "MarkdownRenderer"),
}


def get_renderer(name: str, **options: object) -> Renderer:
    """The renderer for a format name; options go to its constructor."""
    try:
        module_name, class_name = FORMATS[name]
    except KeyError:
        raise RenderError(f"unknown format {name!r} (choose from {', '.join(FORMATS)})") from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    renderer_class = getattr(module, class_name)
    renderer = renderer_class(**options)
    assert isinstance(renderer, Renderer)
    return renderer


__all__ = ["FORMATS", "RenderError", "Renderer", "get_renderer"]
