"""Stand-in modules for what a third-party package imports at start-up but rarely uses.

pyspf imports dnspython's resolver, ``socket`` and ``email.message``, and dkimpy imports
PyNaCl, as soon as they are imported, for code paths headerscope seldom or never takes (its
own Resolver does all DNS; pyspf's Message only parses Received-SPF headers, which
headerscope never asks of it; PyNaCl is needed only for ed25519 keys). Importing them costs more than analysing a message, so
while such a package is imported a stand-in takes each one's place in ``sys.modules``. The
stand-in leaves ``sys.modules`` right after (so the next real ``import`` loads the real
module as usual) and stays bound on its parent package only until then; any attribute read
through it imports the real module first, so the package behaves exactly as before if it
does take that path. (``importlib.util.LazyLoader`` cannot do this on Python 3.11: the
import statement itself reads ``__spec__`` and so triggers the load.)
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Iterator
from typing import Any


class DeferredModule(types.ModuleType):
    """Stands for a module not imported yet; the first attribute read imports it."""

    def __getattr__(self, attribute: str) -> Any:
        # Only called for attributes the stand-in lacks, i.e. every name of the real module.
        if attribute == "__path__":
            # The import system asks this of every module a `from ... import` names; the
            # modules stood for here are plain modules, not packages, so none has one.
            raise AttributeError(attribute)
        real = sys.modules.get(self.__name__)
        if real is None or real is self:
            sys.modules.pop(self.__name__, None)
            real = importlib.import_module(self.__name__)
        return getattr(real, attribute)


@contextlib.contextmanager
def deferred(*names: str) -> Iterator[None]:
    """Within the block, ``import NAME`` finds a stand-in for each dotted NAME (whose parent
    package is imported for real) unless NAME is imported already."""
    stand_ins: dict[str, DeferredModule] = {}
    for name in names:
        if name not in sys.modules:
            parent_name = name.rpartition(".")[0]
            if parent_name:
                try:
                    importlib.import_module(parent_name)
                except ImportError:
                    continue  # not installed: the package's own import fails (or copes) as usual
            stand_ins[name] = sys.modules[name] = DeferredModule(name)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            # `import a.b` of a module found in sys.modules does not bind it on the package,
            # but the importing code reads it as `a.b`: bind the stand-in there until the
            # real module is imported (the import system then rebinds it).
            parent_name, _, child = name.rpartition(".")
            parent = sys.modules.get(parent_name) if parent_name else None
            if parent is not None and not isinstance(parent.__dict__.get(child), types.ModuleType):
                setattr(parent, child, stand_in)


@contextlib.contextmanager
def deferred_email_message() -> Iterator[None]:
    """Within the block, ``from email.message import Message`` gets a class that imports
    the real ``email.message`` (and with it ``email.utils``, ``socket``, ...) when first
    instantiated. pyspf imports Message at start-up only to parse a Received-SPF header
    in ``query.parse_header``, which headerscope never calls."""
    name = "email.message"
    if name in sys.modules:
        yield
        return
    importlib.import_module("email")
    stand_in = DeferredModule(name)

    class Message:
        """Stands for email.message.Message; instantiating it builds the real one."""

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            real: Any = importlib.import_module(name).Message
            return real(*args, **kwargs)

    stand_in.__dict__["Message"] = Message
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


@contextlib.contextmanager
def deferred_logging() -> Iterator[None]:
    """Within the block, ``import logging`` finds a stand-in, and ``from logging import
    NullHandler`` a function that builds the real handler. dkimpy imports both at start-up
    (the handler for its default logger); headerscope hands it a logger of its own that is
    not a ``logging.Logger``, so logging (with traceback, textwrap and string, about 3% of
    a cold ``analyze``) is imported only if something else uses it."""
    name = "logging"
    if name in sys.modules:
        yield
        return
    stand_in = DeferredModule(name)

    def null_handler(*args: Any, **kwargs: Any) -> Any:
        """Stands for logging.NullHandler: calling it builds the real one."""
        return importlib.import_module(name).NullHandler(*args, **kwargs)

    stand_in.__dict__["NullHandler"] = null_handler
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]

