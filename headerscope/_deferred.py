"""Stand-in modules for what a third-party package imports at start-up but rarely uses.

pyspf imports dnspython's resolver, ``socket`` and ``email.message``, dkimpy imports PyNaCl
and ``logging``, and rich imports ``pickle``, as soon as they are imported, for code paths
headerscope seldom or never takes (its own Resolver does all DNS; pyspf's Message only
parses Received-SPF headers, which headerscope never asks of it; PyNaCl is needed only for
ed25519 keys; dkimpy is given a logger of headerscope's; rich pickles only the metadata of
styles, which a report never sets). Importing them costs more than analysing a message, so
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
from collections.abc import Callable, Iterator
from typing import Any


class DeferredModule(types.ModuleType):
    """Stands for a module not imported yet; the first attribute read imports it."""

    def __getattr__(self, attribute: str) -> Any:
        # Only called for attributes the stand-in lacks, i.e. every name of the real module.
        if attribute == "__path__":
            # The import system asks this of every module a `from ... import` names; the
            # modules stood for here are plain modules, not packages, so none has one.
            raise AttributeError(attribute)
        return getattr(_real_module(self.__name__), attribute)


def _real_module(name: str) -> types.ModuleType:
    """The module itself, imported now if only a stand-in (or nothing) is in sys.modules,
    as while the package that imported it is still being imported."""
    real = sys.modules.get(name)
    if real is None or isinstance(real, DeferredModule):
        sys.modules.pop(name, None)
        real = importlib.import_module(name)
    return real


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
def deferred_names(module: str, *names: str) -> Iterator[None]:
    """Within the block, ``import MODULE`` finds a stand-in (as with ``deferred``), and
    ``from MODULE import NAME`` gets, for each of ``names``, a function that imports the real
    module and calls its NAME: for a package that imports callables at start-up that it
    calls only on paths headerscope seldom takes. Such a name is a plain function, not the
    real class: it serves calls, not ``isinstance`` or subclassing."""
    if module in sys.modules:
        yield
        return
    parent_name = module.rpartition(".")[0]
    if parent_name:
        importlib.import_module(parent_name)
    stand_in = DeferredModule(module)
    for name in names:
        stand_in.__dict__[name] = _forwarder(module, name)
    sys.modules[module] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(module) is stand_in:
            del sys.modules[module]


def _forwarder(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Stands for {module}.{name}: imports {module} and calls it."
    return call
