"""Stand-in modules for what a third-party package imports at start-up but rarely uses.

pyspf imports dnspython's resolver and dkimpy imports PyNaCl as soon as they are imported,
for code paths headerscope seldom or never takes (its own Resolver does all DNS; PyNaCl is
needed only for ed25519 keys). Importing them costs more than analysing a message, so
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
            try:
                importlib.import_module(name.rpartition(".")[0])
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
            parent = sys.modules[parent_name]
            if not isinstance(parent.__dict__.get(child), types.ModuleType):
                setattr(parent, child, stand_in)
