"""The renderer interface: a Report in, a string out."""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..model import Report


class RenderError(Exception):
    """A report could not be rendered (a template is missing, ...)."""


class Renderer(ABC):
    """Turns a Report into text for one output format."""

    name: str = ""
    """Format name used by ``--format``."""

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole output for one report."""
